/*
 * test_dm_bufio.c - dm-bufio: a read miss reads the disk and a hit does no
 * I/O (it returns the client's own copy, even when the disk changed behind
 * it); new/get; dirty buffers reach the disk on write_dirty_buffers and on
 * client destroy; forget; eviction as an explorer choice; and two clients
 * of one device whose copies diverge, which the block-copy oracle reports.
 *
 * Tasks record what they saw in the test's ctx; finish() folds it into
 * counters over the runs; the asserts run on the host afterwards.
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

#define BS 4096u

struct bt {
	void (*body)(struct bt *t);
	struct gendisk *disk;
	/* per execution */
	u32 seen[8];
	unsigned nseen;
	int err;
	unsigned count_after;
	/* over the runs */
	unsigned runs, runs_evicted, runs_bad;
};

static u32 on_disk32(struct bt *t, sector_t block)
{
	u32 v = 0;
	disk_backend_read(t->disk, block * (BS >> SECTOR_SHIFT), &v, sizeof(v));
	return v;
}

static void put_disk32(struct bt *t, sector_t block, u32 v)
{
	disk_backend_write(t->disk, block * (BS >> SECTOR_SHIFT), &v, sizeof(v));
}

static void task_fn(void *arg)
{
	struct bt *t = arg;
	t->body(t);
}

static int setup(void *ctx, coh_sched *s)
{
	struct bt *t = ctx;
	struct kernel_config kc;
	kernel_config_init(&kc);
	int r = kernel_init(s, &kc);
	if (r)
		return r;
	struct disk_config dc;
	disk_config_init(&dc, "md");
	dc.capacity = 16 * (BS >> SECTOR_SHIFT);
	t->disk = alloc_disk_sim(&dc);
	if (!t->disk)
		return disk_last_error();
	for (sector_t b = 0; b < 16; b++)
		put_disk32(t, b, (u32)(100 + b));
	memset(t->seen, 0, sizeof(t->seen));
	t->nseen = 0;
	t->err = 0;
	t->count_after = 0;
	return coh_task_create(s, "bufio", 0, task_fn, t) ? 0 : COH_EINVAL;
}

static void finish(void *ctx, coh_sched *s)
{
	struct bt *t = ctx;
	(void)s;
	t->runs++;
}

static size_t explore(struct bt *t, int preemptions, coh_explore_result *res)
{
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("cortex-a9"));
	mc.ncpus = 1;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_DFS;
	cfg.preemptions = preemptions;
	cfg.progress = false;
	coh_program prog = {.name = "bufio", .ctx = t, .setup = setup, .finish = finish};
	assert_int_equal(coh_explore(&cfg, &mc, &prog, res), COH_OK);
	return res->nfindings;
}

static struct dm_bufio_client *client(struct bt *t)
{
	return dm_bufio_client_create(disk_bdev(t->disk), BS, 1, 0, NULL, NULL);
}

/* ---- hits and misses ---- */

static void hit_body(struct bt *t)
{
	struct dm_bufio_client *c = client(t);
	struct dm_buffer *b;
	simptr d = dm_bufio_read(c, 3, &b);
	t->seen[t->nseen++] = sim_read32(d);
	dm_bufio_release(b);
	put_disk32(t, 3, 999); /* behind bufio's back: not a tracked write */
	d = dm_bufio_read(c, 3, &b);
	t->seen[t->nseen++] = sim_read32(d);
	dm_bufio_release(b);
	t->count_after = dm_bufio_buffer_count(c);
	dm_bufio_client_destroy(c);
	/* block sizes: not a power of two, too small, larger than a page */
	static const unsigned bad[] = {0, 256, 3000, 8192};
	t->seen[2] = 1;
	for (unsigned i = 0; i < 4; i++)
		if (dm_bufio_client_create(disk_bdev(t->disk), bad[i], 0, 0, NULL, NULL))
			t->seen[2] = 0;
}

static void read_hit_returns_own_copy_without_io(void **state)
{
	(void)state;
	struct bt t = {.body = hit_body};
	coh_explore_result res;
	assert_int_equal(explore(&t, 0, &res), 0);
	assert_int_equal(t.seen[0], 103);
	assert_int_equal(t.seen[1], 103); /* the hit: no I/O */
	assert_int_equal(t.count_after, 1);
	assert_int_equal(t.seen[2], 1);
	coh_explore_result_free(&res);
}

/* ---- new, get, dirty, write-back, forget ---- */

static void writeback_body(struct bt *t)
{
	struct dm_bufio_client *c = client(t);
	struct dm_buffer *b;
	t->seen[t->nseen++] = simptr_is_null(dm_bufio_get(c, 5, &b)) && !b;
	simptr d = dm_bufio_new(c, 5, &b);
	sim_write32(d, 555);
	dm_bufio_mark_buffer_dirty(b);
	dm_bufio_release(b);
	t->seen[t->nseen++] = on_disk32(t, 5); /* not yet */
	d = dm_bufio_get(c, 5, &b);
	t->seen[t->nseen++] = sim_read32(d);
	dm_bufio_release(b);
	dm_bufio_forget(c, 5); /* dirty: kept */
	t->seen[t->nseen++] = dm_bufio_buffer_count(c);
	t->err = dm_bufio_write_dirty_buffers(c);
	t->seen[t->nseen++] = on_disk32(t, 5);
	dm_bufio_forget(c, 5); /* clean now: dropped */
	t->seen[t->nseen++] = dm_bufio_buffer_count(c);
	/* a dirty buffer reaches the disk when the client is destroyed */
	d = dm_bufio_read(c, 6, &b);
	sim_write32(d, 666);
	dm_bufio_mark_buffer_dirty(b);
	dm_bufio_release(b);
	dm_bufio_client_destroy(c);
	t->seen[t->nseen++] = on_disk32(t, 6);
}

static void dirty_buffers_reach_disk_on_write_and_destroy(void **state)
{
	(void)state;
	struct bt t = {.body = writeback_body};
	coh_explore_result res;
	assert_int_equal(explore(&t, 0, &res), 0);
	assert_int_equal(t.seen[0], 1);
	assert_int_equal(t.seen[1], 105);
	assert_int_equal(t.seen[2], 555);
	assert_int_equal(t.seen[3], 1);
	assert_int_equal(t.err, 0);
	assert_int_equal(t.seen[4], 555);
	assert_int_equal(t.seen[5], 0);
	assert_int_equal(t.seen[6], 666);
	coh_explore_result_free(&res);
}

/* ---- eviction ---- */

static void evict_body(struct bt *t)
{
	struct dm_bufio_client *c = client(t);
	struct dm_buffer *b;
	simptr d = dm_bufio_read(c, 2, &b);
	sim_write32(d, 222);
	dm_bufio_mark_buffer_dirty(b);
	dm_bufio_release(b); /* the shrinker may evict it here: written first */
	t->count_after = dm_bufio_buffer_count(c);
	t->seen[0] = on_disk32(t, 2);
	d = dm_bufio_read(c, 2, &b);
	t->seen[1] = sim_read32(d);
	dm_bufio_release(b);
	dm_bufio_client_destroy(c);
}

static void evict_finish(void *ctx, coh_sched *s)
{
	struct bt *t = ctx;
	(void)s;
	t->runs++;
	bool evicted = t->count_after == 0;
	t->runs_evicted += evicted;
	/* evicted: written before it went; kept: only in the buffer. The
	 * second read sees 222 either way. */
	t->runs_bad += t->seen[1] != 222 || (evicted ? t->seen[0] != 222 : t->seen[0] != 102);
}

static void eviction_is_a_choice_and_writes_dirty_first(void **state)
{
	(void)state;
	struct bt t = {.body = evict_body};
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("cortex-a9"));
	mc.ncpus = 1;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_DFS;
	cfg.preemptions = 1;
	cfg.progress = false;
	coh_program prog = {.name = "bufio", .ctx = &t, .setup = setup, .finish = evict_finish};
	coh_explore_result res;
	assert_int_equal(coh_explore(&cfg, &mc, &prog, &res), COH_OK);
	assert_true(res.complete);
	assert_int_equal(res.nfindings, 0);
	assert_true(t.runs_evicted > 0);
	assert_true(t.runs_evicted < t.runs);
	assert_int_equal(t.runs_bad, 0);
	coh_explore_result_free(&res);
}

/* ---- two clients of one device ---- */

static bool forget_first;

static void two_clients_body(struct bt *t)
{
	struct dm_bufio_client *c1 = client(t), *c2 = client(t);
	struct dm_buffer *b;
	(void)dm_bufio_read(c2, 0, &b); /* client 2 caches block 0 */
	dm_bufio_release(b);
	simptr d = dm_bufio_read(c1, 0, &b); /* client 1 changes it and commits */
	sim_write32(d, 4242);
	dm_bufio_mark_buffer_dirty(b);
	dm_bufio_release(b);
	t->err = dm_bufio_write_dirty_buffers(c1);
	if (forget_first)
		dm_bufio_forget(c2, 0);
	d = dm_bufio_read(c2, 0, &b); /* a hit on the old copy, unless forgotten */
	t->seen[0] = sim_read32(d);
	dm_bufio_release(b);
	dm_bufio_client_destroy(c1);
	dm_bufio_client_destroy(c2);
}

static void two_clients_diverge_and_the_oracle_says_so(void **state)
{
	(void)state;
	struct bt t = {.body = two_clients_body};
	coh_explore_result res;
	forget_first = false;
	assert_true(explore(&t, 0, &res) > 0);
	assert_int_equal(res.findings[0].kind, COH_F_STALE_READ);
	assert_non_null(strstr(res.findings[0].report, "md sector 0"));
	assert_non_null(strstr(res.findings[0].report, "bufio client 2 block 0"));
	assert_non_null(strstr(res.findings[0].report, "stored by bufio client 1 block 0"));
	assert_int_equal(t.seen[0], 100);
	coh_explore_result_free(&res);
	/* forgetting the old copy first: a fresh read, no finding */
	forget_first = true;
	assert_int_equal(explore(&t, 0, &res), 0);
	assert_int_equal(t.seen[0], 4242);
	coh_explore_result_free(&res);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(read_hit_returns_own_copy_without_io),
	    cmocka_unit_test(dirty_buffers_reach_disk_on_write_and_destroy),
	    cmocka_unit_test(eviction_is_a_choice_and_writes_dirty_first),
	    cmocka_unit_test(two_clients_diverge_and_the_oracle_says_so),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
