/*
 * test_dm_cache_data.c - what dm-cache's cache blocks hold, and the two
 * switches about it: dm-cache-check-block-size (an open of metadata written
 * with another data block size fails with -EINVAL, before and without the
 * shared object), dm-cache-flush-before-commit (every commit flushes the
 * cache device first), and the checker of md/dm-cache-provenance.c through
 * the scenarios dm-cache-data-flush and dm-cache-block-size (buggy: its
 * stale-read, naming the cache sector; fixed: clean and complete) and a
 * clean remove-and-create that must not be reported.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

struct dt {
	void (*body)(struct dt *t);
	const char *const *fixes;
	int r[8];
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
	struct kernel_config kc;
	kernel_config_init(&kc);
	kc.fixes = t->fixes;
	int r = kernel_init(s, &kc);
	if (!r)
		r = add_disk("md", 128, 1);
	if (!r)
		r = add_disk("cd", 32, 2);
	if (!r)
		r = add_disk("od", 256, 3);
	if (r)
		return r;
	return coh_task_create(s, "t", 0, task_fn, t) ? 0 : COH_EINVAL;
}

static size_t run(struct dt *t)
{
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("cortex-a9"));
	mc.ncpus = 1;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_DFS;
	cfg.preemptions = 0;
	cfg.progress = false;
	coh_program prog = {.name = "dm-cache-data", .ctx = t, .setup = setup};
	coh_explore_result res;
	assert_int_equal(coh_explore(&cfg, &mc, &prog, &res), COH_OK);
	size_t n = res.nfindings;
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, "%s\n", res.findings[i].report);
	coh_explore_result_free(&res);
	return n;
}

static struct block_device *bdev_of(const char *name)
{
	struct block_device *b = NULL;
	dm_get_device(NULL, name, &b);
	return b;
}

/* ---- the block size check, on a first open ---- */

static void block_size_body(struct dt *t)
{
	struct dm_cache_metadata *cmd = NULL;
	struct block_device *md = bdev_of("md");
	t->r[0] = dm_cache_metadata_open(md, 8, true, 0, &cmd); /* formats, 8 sectors */
	dm_cache_commit(cmd, true);
	dm_cache_metadata_close(cmd);
	cmd = NULL;
	t->r[1] = dm_cache_metadata_open(md, 16, false, 0, &cmd);
	t->r[2] = cmd == NULL;
	if (cmd)
		dm_cache_metadata_close(cmd);
	cmd = NULL;
	t->r[3] = dm_cache_metadata_open(md, 8, false, 0, &cmd); /* the same size opens */
	if (cmd)
		dm_cache_metadata_close(cmd);
}

static void check_block_size_refuses_another_size_on_first_open(void **state)
{
	(void)state;
	static const char *const fix[] = {DM_CACHE_CHECK_BLOCK_SIZE_FIX, NULL};
	struct dt t = {.body = block_size_body, .fixes = fix};
	assert_int_equal(run(&t), 0);
	assert_int_equal(t.r[0], 0);
	assert_int_equal(t.r[1], -EINVAL);
	assert_int_equal(t.r[2], 1);
	assert_int_equal(t.r[3], 0);
	/* v3.9-era dm-cache (no switch, no shared object): it opens */
	struct dt u = {.body = block_size_body};
	assert_int_equal(run(&u), 0);
	assert_int_equal(u.r[1], 0);
}

/* ---- the cache device is flushed before the commit ---- */

static struct mapped_device *create(const char *table)
{
	struct mapped_device *md;
	char err[96];
	if (dm_dev_create("c", &md))
		return NULL;
	if (dm_table_load(md, table, err, sizeof(err)) || dm_do_resume(md)) {
		dm_dev_remove(md);
		return NULL;
	}
	return md;
}

struct sync {
	coh_completion done;
	int error;
};

static void sync_end(struct bio *bio, int error)
{
	struct sync *w = bio->bi_private;
	w->error = error;
	bio_put(bio);
	coh_complete(&w->done);
}

static int io(struct mapped_device *md, unsigned long rw, struct page *page, sector_t sector)
{
	struct sync w;
	memset(&w, 0, sizeof(w));
	coh_init_completion(&w.done, "io");
	struct bio *bio = bio_alloc(GFP_NOIO, 1);
	bio->bi_sector = sector;
	bio->bi_end_io = sync_end;
	bio->bi_private = &w;
	if (page)
		bio_add_page(bio, page, 4096, 0);
	dm_submit_bio(md, rw, bio);
	coh_wait_for_completion(&w.done);
	return w.error;
}

#define TABLE "0 256 cache md cd od 8 1 writeback default 0"

/* A promotion, then a FLUSH: how many unflushed writes the cache disk
 * still holds when the metadata disk's last write (the superblock) is
 * done is what the switch changes. */
static void flush_body(struct dt *t)
{
	struct mapped_device *md = create(TABLE);
	struct page *page = alloc_page(GFP_KERNEL);
	sim_memset(page_address(page), 0x11, 4096);
	t->r[0] = io(md, WRITE, page, 0);
	struct gendisk *cd = bdev_of("cd")->bd_disk;
	t->r[1] = (int)disk_unflushed_writes(cd);
	/* status commits (sync_metadata) without the FLUSH's own flushes after */
	char buf[128];
	dm_table_status(md, false, STATUSTYPE_INFO, buf, sizeof(buf));
	t->r[2] = (int)disk_unflushed_writes(cd);
	dm_dev_remove(md);
	__free_page(page);
}

static void flush_before_commit_flushes_the_cache_device(void **state)
{
	(void)state;
	static const char *const fix[] = {DM_CACHE_FLUSH_BEFORE_COMMIT_FIX, NULL};
	struct dt t = {.body = flush_body, .fixes = fix};
	assert_int_equal(run(&t), 0);
	assert_int_equal(t.r[0], 0);
	assert_int_equal(t.r[1], 1); /* the promoted block's data, not durable */
	assert_int_equal(t.r[2], 0); /* the commit flushed it first */
	struct dt u = {.body = flush_body};
	assert_int_equal(run(&u), 0);
	assert_int_equal(u.r[2], 1); /* v3.9-v4.0: committed, data still volatile */
}

/* ---- no report on a sound remove and create ---- */

static void reload_body(struct dt *t)
{
	struct mapped_device *md = create(TABLE);
	struct page *page = alloc_page(GFP_KERNEL);
	sim_memset(page_address(page), 0x22, 4096);
	t->r[0] = io(md, WRITE, page, 8);
	dm_dev_remove(md);
	md = create(TABLE); /* loads cblock 0 -> oblock 1: the checker looks */
	t->r[1] = md != NULL;
	if (md)
		dm_dev_remove(md);
	__free_page(page);
}

static void checker_accepts_blocks_written_for_their_oblock(void **state)
{
	(void)state;
	struct dt t = {.body = reload_body};
	assert_int_equal(run(&t), 0);
	assert_int_equal(t.r[0], 0);
	assert_int_equal(t.r[1], 1);
}

/* ---- the scenarios ---- */

static void scenario(const char *name, const char *variant, const char *expect_text)
{
	const coh_scenario *sc = coh_scenario_find(name);
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
	if (expect_text) {
		assert_true(res.nfindings > 0);
		assert_string_equal(coh_finding_kind_name(res.findings[0].kind), "stale-read");
		assert_non_null(strstr(res.findings[0].report, expect_text));
	} else {
		assert_int_equal(res.nfindings, 0);
		assert_true(res.complete);
	}
	coh_explore_result_free(&res);
}

static void scenarios_buggy_found_by_the_checker_fixed_clean(void **state)
{
	(void)state;
	scenario("dm-cache-data-flush", "buggy",
	         "cd sector 0 holds bytes never written there for it");
	scenario("dm-cache-data-flush", "fixed", NULL);
	scenario("dm-cache-block-size", "buggy",
	         "cd sector 0 holds bytes written there for origin sector 8");
	scenario("dm-cache-block-size", "fixed", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(check_block_size_refuses_another_size_on_first_open),
	    cmocka_unit_test(flush_before_commit_flushes_the_cache_device),
	    cmocka_unit_test(checker_accepts_blocks_written_for_their_oblock),
	    cmocka_unit_test(scenarios_buggy_found_by_the_checker_fixed_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
