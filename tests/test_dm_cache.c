/*
 * test_dm_cache.c - device mapper and dm-cache: the order of table_load and
 * do_resume (the new table's ctr while the old is live; suspend old, swap,
 * resume new, destroy old), suspend waiting for in-flight I/O, table
 * syntax errors; dm-cache metadata open (format, clean-shutdown flag),
 * commit (the root moves, mappings and dirty flags persist, dirty trusted
 * only after a clean shutdown), the seed-5 fix (one shared object, a
 * second open with another block size fails with -EINVAL); and the
 * dm-cache-shared-metadata scenario, buggy and fixed.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

struct dt {
	void (*body)(struct dt *t);
	const char *const *fixes;
	char log[512];
	int r[8];
	u64 v[8];
	char err[96];
	unsigned runs, bad; /* over the runs: executions, and those finish() disliked */
};

static struct dt *cur;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
	size_t n = strlen(cur->log);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cur->log + n, sizeof(cur->log) - n, fmt, ap);
	va_end(ap);
}

/* ---- a target that logs its calls; maps to the disk "od" ---- */

static int log_ctr(struct dm_target *ti, unsigned argc, char **argv)
{
	ti->private = (void *)(uintptr_t)(argc ? argv[0][0] : '?');
	logf_("ctr%c ", (char)(uintptr_t)ti->private);
	struct block_device *bdev;
	return dm_get_device(ti, "/dev/od", &bdev);
}
#define ID(ti) ((char)(uintptr_t)(ti)->private)
static void log_dtr(struct dm_target *ti)
{
	logf_("dtr%c ", ID(ti));
}
static void log_presuspend(struct dm_target *ti)
{
	logf_("presuspend%c ", ID(ti));
}
static void log_postsuspend(struct dm_target *ti)
{
	logf_("postsuspend%c ", ID(ti));
}
static int log_preresume(struct dm_target *ti)
{
	logf_("preresume%c ", ID(ti));
	return 0;
}
static void log_resume(struct dm_target *ti)
{
	logf_("resume%c ", ID(ti));
}
static int log_map(struct dm_target *ti, struct bio *bio)
{
	struct block_device *bdev;
	dm_get_device(ti, "od", &bdev);
	bio->bi_bdev = bdev;
	logf_("map%c ", ID(ti));
	return DM_MAPIO_REMAPPED;
}

static struct target_type log_target = {
    .name = "log",
    .ctr = log_ctr,
    .dtr = log_dtr,
    .map = log_map,
    .presuspend = log_presuspend,
    .postsuspend = log_postsuspend,
    .preresume = log_preresume,
    .resume = log_resume,
};

static void task_fn(void *arg)
{
	struct dt *t = arg;
	t->body(t);
}

static int add_disk(const char *name, sector_t capacity, unsigned irq)
{
	struct disk_config dc;
	disk_config_init(&dc, name);
	dc.capacity = capacity;
	dc.irq = irq;
	/* as in the scenarios: the metadata disk serves a task's back-to-back
	 * bios in one burst (docs/dm.md), so dfs does not order a commit's blocks */
	dc.burst = strcmp(name, "md") == 0;
	return alloc_disk_sim(&dc) ? COH_OK : disk_last_error();
}

static int setup(void *ctx, coh_sched *s)
{
	struct dt *t = ctx;
	cur = t;
	struct kernel_config kc;
	kernel_config_init(&kc);
	kc.fixes = t->fixes;
	int r = kernel_init(s, &kc);
	if (!r)
		r = add_disk("md", 128, 1);
	if (!r)
		r = add_disk("cd", 32, 2);
	if (!r)
		r = add_disk("od", 128, 3);
	if (r)
		return r;
	dm_register_target(&log_target);
	t->log[0] = 0;
	memset(t->r, 0x7f, sizeof(t->r));
	return coh_task_create(s, "t", 0, task_fn, t) ? 0 : COH_EINVAL;
}

/* Every execution: postsuspend never comes before the end of a bio that
 * was in flight when the suspend began. */
static void finish(void *ctx, coh_sched *s)
{
	struct dt *t = ctx;
	(void)s;
	t->runs++;
	const char *e = strstr(t->log, "endio"), *p = strstr(t->log, "postsuspend1");
	t->bad += e && p && p < e;
}

static size_t run(struct dt *t, int preemptions)
{
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("cortex-a9"));
	mc.ncpus = 1;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_DFS;
	cfg.preemptions = preemptions;
	cfg.progress = false;
	coh_program prog = {.name = "dm", .ctx = t, .setup = setup, .finish = finish};
	coh_explore_result res;
	assert_int_equal(coh_explore(&cfg, &mc, &prog, &res), COH_OK);
	size_t n = res.nfindings;
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s\n", res.findings[i].report);
	coh_explore_result_free(&res);
	return n;
}

/* ---- table load and resume order ---- */

static void order_body(struct dt *t)
{
	struct mapped_device *md;
	t->r[0] = dm_dev_create("m", &md);
	t->r[1] = dm_table_load(md, "0 64 log 1", NULL, 0);
	t->r[2] = dm_do_resume(md);
	logf_("| ");
	t->r[3] = dm_table_load(md, "0 64 log 2", NULL, 0); /* reload: old table live */
	logf_("| ");
	t->r[4] = dm_do_resume(md);
	logf_("| ");
	t->r[5] = dm_dev_remove(md);
}

static void reload_runs_new_ctr_while_old_is_live_then_swaps_in_order(void **state)
{
	(void)state;
	struct dt t = {.body = order_body};
	assert_int_equal(run(&t, 0), 0);
	for (int i = 0; i < 6; i++)
		assert_int_equal(t.r[i], 0);
	assert_string_equal(t.log, "ctr1 preresume1 resume1 | ctr2 | presuspend1 postsuspend1 "
	                           "preresume2 resume2 dtr1 | presuspend2 postsuspend2 dtr2 ");
}

/* ---- suspend waits for in-flight I/O ---- */

static void end_io(struct bio *bio, int error)
{
	(void)error;
	logf_("endio ");
	bio_put(bio);
}

static struct mapped_device *shared_md;

static void suspender(void *arg)
{
	(void)arg;
	dm_dev_suspend(shared_md);
}

static void suspend_body(struct dt *t)
{
	t->r[0] = dm_dev_create("m", &shared_md);
	dm_table_load(shared_md, "0 64 log 1", NULL, 0);
	dm_do_resume(shared_md);
	struct page *page = alloc_page(GFP_KERNEL);
	struct bio *bio = bio_alloc(GFP_NOIO, 1);
	bio->bi_sector = 0;
	bio->bi_end_io = end_io;
	bio_add_page(bio, page, 4096, 0);
	dm_submit_bio(shared_md, WRITE, bio); /* in flight now */
	coh_task_create(coh_sched_current(), "suspender", 0, suspender, NULL);
	cond_resched();
}

static void suspend_waits_for_in_flight_io(void **state)
{
	(void)state;
	struct dt t = {.body = suspend_body};
	assert_int_equal(run(&t, 1), 0);
	assert_true(t.runs > 1);
	assert_int_equal(t.bad, 0);
	assert_non_null(strstr(t.log, "endio"));
	assert_non_null(strstr(t.log, "postsuspend1"));
}

/* ---- table syntax ---- */

static void syntax_body(struct dt *t)
{
	struct mapped_device *md;
	dm_dev_create("m", &md);
	t->r[0] = dm_table_load(md, "0 64 nosuch 1", t->err, sizeof(t->err));
	logf_("%s|", t->err);
	t->r[1] = dm_table_load(md, "0 64 log 1; 70 10 log 2", t->err, sizeof(t->err));
	logf_("%s|", t->err);
	t->r[2] = dm_table_load(md, "0 x log", t->err, sizeof(t->err));
	logf_("%s|", t->err);
	t->r[3] = dm_table_load(md, "0 64 cache md cd od 8 1 writeback", t->err, sizeof(t->err));
	logf_("%s|", t->err);
	t->r[4] = dm_table_load(md, "0 64 cache md cd nodisk 8 1 writeback default 0", t->err,
	                        sizeof(t->err));
	logf_("%s|", t->err);
	t->r[6] = dm_table_load(md, "0 64 cache md cd od 8 1 writethrough default 0", t->err,
	                        sizeof(t->err));
	logf_("%s|", t->err);
	struct mapped_device *md2;
	t->r[5] = dm_dev_create("m", &md2);
	dm_dev_remove(md);
}

static void bad_tables_fail_with_a_reason(void **state)
{
	(void)state;
	struct dt t = {.body = syntax_body};
	assert_int_equal(run(&t, 0), 0);
	for (int i = 0; i < 5; i++)
		assert_int_not_equal(t.r[i], 0);
	assert_int_equal(t.r[5], -EBUSY);
	assert_non_null(strstr(t.log, "unknown target type 'nosuch'|"));
	assert_non_null(strstr(t.log, "target starts at 70, expected 64"));
	assert_non_null(strstr(t.log, "bad target line"));
	assert_non_null(strstr(t.log, "cache: Insufficient args|"));
	assert_non_null(strstr(t.log, "cache: Error opening origin device|"));
	assert_int_equal(t.r[6], -EINVAL); /* writethrough is not modelled */
	assert_non_null(strstr(t.log, "cache: Invalid feature arguments|"));
	/* every ctr that ran was destroyed again: the log target's (2nd load) */
	assert_non_null(strstr(t.log, "ctr1 dtr1"));
}

/* ---- metadata ---- */

static int count_mapping(void *context, dm_oblock_t oblock, dm_cblock_t cblock, bool dirty)
{
	struct dt *t = context;
	t->v[4 + cblock] = oblock << 1 | dirty;
	return 0;
}

static struct block_device *bdev_of(const char *name)
{
	struct block_device *b = NULL;
	dm_get_device(NULL, name, &b);
	return b;
}

static void metadata_body(struct dt *t)
{
	struct dm_cache_metadata *cmd;
	struct block_device *md = bdev_of("md");
	t->r[0] = dm_cache_metadata_open(md, 8, false, 0, &cmd); /* unformatted */
	t->r[1] = dm_cache_metadata_open(md, 8, true, 0, &cmd);  /* formats */
	t->v[0] = dm_cache_metadata_root(cmd);
	dm_cache_resize(cmd, 4);
	dm_cache_insert_mapping(cmd, 2, 7);
	dm_cache_set_dirty(cmd, 2, true);
	t->r[2] = dm_cache_commit(cmd, false);
	t->v[1] = dm_cache_metadata_root(cmd);
	dm_cache_insert_mapping(cmd, 3, 9);
	dm_cache_commit(cmd, false);
	t->v[2] = dm_cache_metadata_root(cmd);
	dm_cache_metadata_close(cmd); /* not a clean shutdown */
	t->r[3] = dm_cache_metadata_open(md, 8, false, 0, &cmd);
	t->r[4] = dm_cache_metadata_clean_when_opened(cmd);
	dm_cache_load_mappings(cmd, count_mapping, t); /* dirty forced on */
	dm_cache_set_dirty(cmd, 3, false);
	dm_cache_commit(cmd, true); /* clean shutdown */
	dm_cache_metadata_close(cmd);
	t->r[5] = dm_cache_metadata_open(md, 8, false, 0, &cmd);
	t->r[6] = dm_cache_metadata_clean_when_opened(cmd);
	t->v[3] = dm_cache_size(cmd);
	dm_cache_load_mappings(cmd, count_mapping, t); /* dirty as stored */
	dm_cache_metadata_close(cmd);
}

static void metadata_formats_commits_and_moves_its_root(void **state)
{
	(void)state;
	struct dt t = {.body = metadata_body};
	assert_int_equal(run(&t, 0), 0);
	assert_int_equal(t.r[0], -EPERM);
	assert_int_equal(t.r[1], 0);
	assert_int_equal(t.r[2], 0);
	assert_true(t.v[0] != t.v[1]); /* shadowed: the root moved */
	assert_true(t.v[1] != t.v[2]);
	assert_int_equal(t.r[3], 0);
	assert_int_equal(t.r[4], 0); /* not clean when opened */
	assert_int_equal(t.r[5], 0);
	assert_int_equal(t.r[6], 1);
	assert_int_equal(t.v[3], 4);
	assert_int_equal(t.v[4 + 2], 7 << 1 | 1); /* dirty as stored */
	assert_int_equal(t.v[4 + 3], 9 << 1);     /* cleaned, and trusted */
}

static void shared_body(struct dt *t)
{
	struct dm_cache_metadata *a, *b, *c = NULL;
	struct block_device *md = bdev_of("md");
	dm_cache_metadata_open(md, 8, true, 0, &a);
	dm_cache_metadata_open(md, 8, true, 0, &b);
	t->r[0] = a == b;
	t->r[1] = (int)dm_cache_metadata_refcount(a);
	t->r[2] = dm_cache_metadata_open(md, 16, true, 0, &c); /* another block size */
	t->r[3] = c == NULL;
	t->r[4] = (int)dm_cache_metadata_refcount(a);
	t->r[5] = dm_cache_metadata_bufio(a) == dm_cache_metadata_bufio(b);
	dm_cache_metadata_close(b);
	dm_cache_metadata_close(a);
}

static void fix_shares_one_object_and_rejects_another_block_size(void **state)
{
	(void)state;
	static const char *const fix[] = {DM_CACHE_SHARED_METADATA_FIX, NULL};
	struct dt t = {.body = shared_body, .fixes = fix};
	assert_int_equal(run(&t, 0), 0);
	assert_int_equal(t.r[0], 1);
	assert_int_equal(t.r[1], 2);
	assert_int_equal(t.r[2], -EINVAL);
	assert_int_equal(t.r[3], 1);
	assert_int_equal(t.r[4], 2);
	assert_int_equal(t.r[5], 1);
	/* without the fix: two objects, two bufio clients */
	struct dt u = {.body = shared_body};
	run(&u, 0);
	assert_int_equal(u.r[0], 0);
	assert_int_equal(u.r[1], 1);
	assert_int_equal(u.r[5], 0);
}

/* ---- the scenario ---- */

static void scenario(const char *variant, const char *expect)
{
	const coh_scenario *sc = coh_scenario_find("dm-cache-shared-metadata");
	assert_non_null(sc);
	struct coh_run_options o;
	coh_run_options_init(&o);
	o.variant = variant;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_DFS;
	cfg.preemptions = 0;
	cfg.progress = false;
	coh_explore_result res;
	char err[128];
	assert_int_equal(coh_scenario_run(sc, &o, &cfg, &res, err, sizeof(err)), COH_OK);
	if (expect) {
		assert_true(res.nfindings > 0);
		assert_string_equal(coh_finding_kind_name(res.findings[0].kind), expect);
		assert_non_null(strstr(res.findings[0].report, "stale-read of md sector 0"));
	} else {
		assert_int_equal(res.nfindings, 0);
		assert_true(res.complete);
	}
	coh_explore_result_free(&res);
}

static void scenario_buggy_stale_read_fixed_clean(void **state)
{
	(void)state;
	scenario("buggy", "stale-read");
	scenario("fixed", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(reload_runs_new_ctr_while_old_is_live_then_swaps_in_order),
	    cmocka_unit_test(suspend_waits_for_in_flight_io),
	    cmocka_unit_test(bad_tables_fail_with_a_reason),
	    cmocka_unit_test(metadata_formats_commits_and_moves_its_root),
	    cmocka_unit_test(fix_shares_one_object_and_rejects_another_block_size),
	    cmocka_unit_test(scenario_buggy_stale_read_fixed_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
