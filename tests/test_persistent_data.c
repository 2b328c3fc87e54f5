/*
 * test_persistent_data.c - persistent-data (src/kernel/md/persistent-data):
 * the block manager's locks and validators (a corrupted or misplaced block
 * fails with -EILSEQ / -ENOTBLK, a recursive lock with -EINVAL), the
 * transaction manager's shadowing (the root moves, a block of the last
 * commit is never overwritten, a second change in one transaction writes
 * the shadow in place, pre-commit writes everything but the superblock),
 * the space map's counts and allocation (never a block in use now or at
 * the last commit; reopened from disk), dm-array across several array
 * blocks (resize, get, set, walk, a commit writing several blocks) and
 * dm-bitset.
 *
 * Each body runs as a task on the simulated machine and records failed
 * checks (the first one's line) in its ctx; the host asserts afterwards,
 * over every schedule explored.
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
#include "kernel/md/persistent-data/dm-bitset.h"

#define BS 4096u
#define NBLOCKS 64
#define SB 0 /* the superblock's location */

struct pt {
	void (*body)(struct pt *t);
	struct gendisk *disk;
	const char *const *fixes;
	unsigned runs, bad, line;
	u64 v[8];
};

static struct pt *cur;

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c) && !cur->bad++)                                                           \
			cur->line = __LINE__;                                                      \
	} while (0)

static void task_fn(void *arg)
{
	struct pt *t = arg;
	t->body(t);
}

static int setup(void *ctx, coh_sched *s)
{
	struct pt *t = ctx;
	cur = t;
	struct kernel_config kc;
	kernel_config_init(&kc);
	kc.fixes = t->fixes;
	int r = kernel_init(s, &kc);
	if (r)
		return r;
	struct disk_config dc;
	disk_config_init(&dc, "md");
	dc.capacity = NBLOCKS * (BS >> SECTOR_SHIFT);
	dc.burst = true;
	t->disk = alloc_disk_sim(&dc);
	if (!t->disk)
		return disk_last_error();
	return coh_task_create(s, "pd", 0, task_fn, t) ? 0 : COH_EINVAL;
}

static void finish(void *ctx, coh_sched *s)
{
	(void)s;
	((struct pt *)ctx)->runs++;
}

static void run(struct pt *t)
{
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("cortex-a9"));
	mc.ncpus = 1;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_DFS;
	cfg.preemptions = 0;
	cfg.budget = 64;
	cfg.progress = false;
	coh_program prog = {.name = "pd", .ctx = t, .setup = setup, .finish = finish};
	coh_explore_result res;
	assert_int_equal(coh_explore(&cfg, &mc, &prog, &res), COH_OK);
	if (res.nfindings)
		fprintf(stderr, "%s\n", res.findings[0].report);
	assert_int_equal(res.nfindings, 0);
	coh_explore_result_free(&res);
	if (t->bad)
		fprintf(stderr, "first failed check at line %u\n", t->line);
	assert_true(t->runs > 0);
	assert_int_equal(t->bad, 0);
}

static void disk_read(struct pt *t, dm_block_t b, void *buf)
{
	disk_backend_read(t->disk, b * (BS >> SECTOR_SHIFT), buf, BS);
}

static void disk_write(struct pt *t, dm_block_t b, const void *buf)
{
	disk_backend_write(t->disk, b * (BS >> SECTOR_SHIFT), buf, BS);
}

static struct dm_block_manager *bm_new(struct pt *t)
{
	return dm_block_manager_create(disk_bdev(t->disk), BS, 5);
}

/* A test superblock: csum, blocknr, then the space map's root at 64. */
static void tsb_prepare(const struct dm_block_validator *v, struct dm_block *b, size_t bs)
{
	(void)v;
	dm_bm_prepare_csum(b, bs, 8, 1234);
}
static int tsb_check(const struct dm_block_validator *v, struct dm_block *b, size_t bs)
{
	return dm_bm_check_csum(b, bs, 8, 1234, v->name);
}
static const struct dm_block_validator tsb = {"test-sb", tsb_prepare, tsb_check};

/* dm_tm_pre_commit, the superblock (the space map's root and `root` at
 * 200), dm_tm_commit. */
static int commit(struct dm_transaction_manager *tm, dm_block_t root)
{
	int r = dm_tm_pre_commit(tm);
	u8 smroot[SM_ROOT_SIZE];
	if (!r)
		r = dm_sm_copy_root(dm_tm_get_sm(tm), smroot, sizeof(smroot));
	struct dm_block *sb;
	if (!r)
		r = dm_bm_write_lock(dm_tm_get_bm(tm), SB, &tsb, &sb);
	if (r)
		return r;
	sim_memcpy_to(simptr_add(dm_block_data(sb), 64), smroot, sizeof(smroot));
	sim_write64(simptr_add(dm_block_data(sb), 200), root);
	return dm_tm_commit(tm, sb);
}

static int format(struct dm_block_manager *bm, struct dm_transaction_manager **tm,
                  struct dm_space_map **sm)
{
	int r = dm_tm_create_with_sm(bm, SB, tm, sm);
	struct dm_block *sb;
	if (!r)
		r = dm_bm_write_lock_zero(bm, SB, &tsb, &sb);
	if (!r)
		dm_bm_unlock(sb);
	return r;
}

static u64 on_disk64(struct pt *t, dm_block_t b, unsigned off)
{
	u8 buf[BS];
	disk_read(t, b, buf);
	u64 v;
	memcpy(&v, buf + off, 8);
	return v;
}

/* ---- block manager ---- */

static void bm_body(struct pt *t)
{
	struct dm_block_manager *bm = bm_new(t);
	struct dm_block *b, *b2;
	CHECK(dm_bm_write_lock_zero(bm, 5, &dm_array_validator, &b) == 0);
	sim_write32(simptr_add(dm_block_data(b), 100), 0xabcd);
	CHECK(dm_bm_read_lock(bm, 5, &dm_array_validator, &b2) == -EINVAL); /* recursive */
	dm_bm_unlock(b);
	CHECK(dm_bm_flush(bm) == 0);
	dm_block_manager_destroy(bm);
	/* on disk: the location and a checksum prepare_for_write put there */
	u8 buf[BS];
	disk_read(t, 5, buf);
	u32 csum;
	memcpy(&csum, buf, 4);
	CHECK(on_disk64(t, 5, 16) == 5);
	CHECK(csum == dm_bm_checksum(buf + 4, BS - 4, ARRAY_CSUM_XOR));
	/* a fresh client validates it */
	bm = bm_new(t);
	CHECK(dm_bm_read_lock(bm, 5, &dm_array_validator, &b) == 0);
	CHECK(sim_read32(simptr_add(dm_block_data(b), 100)) == 0xabcd);
	CHECK(dm_bm_read_lock(bm, 5, &dm_array_validator, &b2) == 0); /* readers share */
	CHECK(dm_bm_write_lock(bm, 5, &dm_array_validator, &b2) == -EINVAL);
	dm_bm_unlock(b);
	dm_bm_unlock(b2);
	/* another validator for a validated buffer */
	CHECK(dm_bm_read_lock(bm, 5, &dm_btree_node_validator, &b) == -EINVAL);
	dm_block_manager_destroy(bm);
	/* a torn block: one byte changed */
	buf[2000] ^= 1;
	disk_write(t, 5, buf);
	bm = bm_new(t);
	CHECK(dm_bm_read_lock(bm, 5, &dm_array_validator, &b) == -EILSEQ);
	/* the block where another was expected */
	buf[2000] ^= 1;
	disk_write(t, 9, buf);
	CHECK(dm_bm_read_lock(bm, 9, &dm_array_validator, &b) == -ENOTBLK);
	/* without a validator anything reads */
	CHECK(dm_bm_read_lock(bm, 9, NULL, &b) == 0);
	dm_bm_unlock(b);
	dm_block_manager_destroy(bm);
}

static void block_manager_locks_and_validators(void **state)
{
	(void)state;
	struct pt t = {.body = bm_body};
	run(&t);
}

/* ---- transaction manager and space map ---- */

static void tm_body(struct pt *t)
{
	struct dm_block_manager *bm = bm_new(t);
	struct dm_transaction_manager *tm;
	struct dm_space_map *sm;
	CHECK(format(bm, &tm, &sm) == 0);
	/* the superblock and the space map's index and bitmap are in use */
	u32 c;
	dm_block_t nfree, x, y, z;
	CHECK(dm_sm_get_count(sm, SB, &c) == 0 && c == 1);
	CHECK(dm_sm_get_nr_free(sm, &nfree) == 0 && nfree == NBLOCKS - 3);
	struct dm_block *b;
	CHECK(dm_tm_new_block(tm, &dm_array_validator, &b) == 0);
	x = dm_block_location(b);
	sim_write32(simptr_add(dm_block_data(b), 100), 1);
	dm_tm_unlock(tm, b);
	CHECK(commit(tm, x) == 0);
	CHECK(on_disk64(t, SB, 200) == x);
	CHECK(dm_sm_committed_count(sm, x) == 1);
	u8 before[BS];
	disk_read(t, x, before);

	/* shadowing moves the block; a second shadow in the same transaction
	 * is the same block, written in place */
	int inc;
	CHECK(dm_tm_shadow_block(tm, x, &dm_array_validator, &b, &inc) == 0 && !inc);
	y = dm_block_location(b);
	CHECK(y != x);
	CHECK(sim_read32(simptr_add(dm_block_data(b), 100)) == 1); /* a copy */
	sim_write32(simptr_add(dm_block_data(b), 100), 2);
	dm_tm_unlock(tm, b);
	CHECK(dm_tm_shadow_block(tm, y, &dm_array_validator, &b, &inc) == 0);
	CHECK(dm_block_location(b) == y);
	sim_write32(simptr_add(dm_block_data(b), 100), 3);
	dm_tm_unlock(tm, b);
	/* x is free now but counted by the last commit: never handed out */
	CHECK(dm_sm_get_count(sm, x, &c) == 0 && c == 0);
	for (int i = 0; i < 5; i++) {
		dm_block_t n;
		CHECK(dm_sm_new_block(sm, &n) == 0);
		CHECK(n != x && n != SB && n != y);
		CHECK(dm_sm_committed_count(sm, n) == 0);
		dm_sm_dec_block(sm, n);
	}
	/* pre-commit writes everything but the superblock */
	CHECK(dm_tm_pre_commit(tm) == 0);
	CHECK(on_disk64(t, SB, 200) == x);
	u8 now[BS];
	disk_read(t, x, now);
	CHECK(memcmp(before, now, BS) == 0); /* the last commit's block untouched */
	disk_read(t, y, now);
	CHECK(now[100] == 3);
	struct dm_block *sb;
	CHECK(dm_bm_write_lock(bm, SB, &tsb, &sb) == 0);
	u8 smroot[SM_ROOT_SIZE];
	CHECK(dm_sm_copy_root(sm, smroot, sizeof(smroot)) == 0);
	sim_memcpy_to(simptr_add(dm_block_data(sb), 64), smroot, sizeof(smroot));
	sim_write64(simptr_add(dm_block_data(sb), 200), y);
	CHECK(dm_tm_commit(tm, sb) == 0);
	CHECK(on_disk64(t, SB, 200) == y);
	/* after the commit x may be reused */
	CHECK(dm_tm_is_shadow(tm, y) == false);
	bool reused = false;
	for (int i = 0; i < NBLOCKS && dm_sm_new_block(sm, &z) == 0; i++)
		reused |= z == x;
	CHECK(reused);
	dm_tm_destroy(tm);
	dm_sm_destroy(sm);
	dm_block_manager_destroy(bm);

	/* reopened from the disk: the same counts */
	bm = bm_new(t);
	CHECK(dm_bm_read_lock(bm, SB, &tsb, &sb) == 0);
	sim_memcpy_from(smroot, simptr_add(dm_block_data(sb), 64), sizeof(smroot));
	dm_bm_unlock(sb);
	CHECK(dm_tm_open_with_sm(bm, SB, smroot, sizeof(smroot), &tm, &sm) == 0);
	CHECK(dm_sm_get_count(sm, y, &c) == 0 && c == 1);
	CHECK(dm_sm_get_count(sm, x, &c) == 0 && c == 0);
	CHECK(dm_sm_get_nr_free(sm, &nfree) == 0 && nfree == NBLOCKS - 4);
	/* counts: inc, more than one, dec; a count of 3 needs the overflow tree */
	CHECK(dm_sm_inc_block(sm, y) == 0);
	int more;
	CHECK(dm_sm_count_is_more_than_one(sm, y, &more) == 0 && more);
	CHECK(dm_sm_inc_block(sm, y) == -EINVAL);
	/* a shared block is copied even in its own transaction */
	CHECK(dm_tm_shadow_block(tm, y, &dm_array_validator, &b, &inc) == 0 && inc);
	CHECK(dm_block_location(b) != y);
	dm_tm_unlock(tm, b);
	CHECK(dm_sm_get_count(sm, y, &c) == 0 && c == 1);
	CHECK(dm_sm_dec_block(sm, y) == 0 && dm_sm_dec_block(sm, y) == -EINVAL);
	dm_tm_destroy(tm);
	dm_sm_destroy(sm);
	dm_block_manager_destroy(bm);
}

static void shadowing_moves_the_root_and_keeps_the_last_commit(void **state)
{
	(void)state;
	struct pt t = {.body = tm_body};
	run(&t);
}

/* ---- dm-array and dm-bitset ---- */

static int count_fn(void *context, u64 key, void *leaf)
{
	u64 *sum = context, v;
	memcpy(&v, leaf, 8);
	sum[0]++;
	sum[1] += v == key * 3 ? 1 : 0;
	return 0;
}

static void array_body(struct pt *t)
{
	struct dm_block_manager *bm = bm_new(t);
	struct dm_transaction_manager *tm;
	struct dm_space_map *sm;
	CHECK(format(bm, &tm, &sm) == 0);
	struct dm_array_info info;
	struct dm_btree_value_type vt = {.size = 8};
	dm_array_info_init(&info, tm, &vt);
	u32 max = dm_array_max_entries(&info);
	CHECK(max == (BS - 24) / 8);
	dm_block_t root, r2;
	CHECK(dm_array_empty(&info, &root) == 0);
	u64 v = 7;
	CHECK(dm_array_resize(&info, root, 0, 3 * max - 10, &v, &root) == 0); /* 3 blocks */
	CHECK(commit(tm, root) == 0);
	for (u32 i = 0; i < 3 * max - 10; i += 101) {
		v = 3 * (u64)i;
		CHECK(dm_array_set_value(&info, root, i, &v, &r2) == 0);
		CHECK(r2 != root || i);
		root = r2;
	}
	u64 idx[] = {max - 1, max, 2 * max, 3 * max - 11};
	for (unsigned k = 0; k < 4; k++) {
		v = 3 * idx[k];
		CHECK(dm_array_set_value(&info, root, (u32)idx[k], &v, &root) == 0);
	}
	CHECK(dm_array_set_value(&info, root, 3 * max - 10, &v, &root) == -ENODATA);
	for (unsigned k = 0; k < 4; k++)
		CHECK(dm_array_get_value(&info, root, (u32)idx[k], &v) == 0 && v == 3 * idx[k]);
	CHECK(dm_array_get_value(&info, root, 5, &v) == 0 && v == 7);
	u64 sum[2] = {0, 0};
	CHECK(dm_array_walk(&info, root, count_fn, sum) == 0);
	CHECK(sum[0] == 3 * max - 10);
	CHECK(sum[1] == (3 * max - 10 + 100) / 101 + 4);
	/* the commit writes the root and three array blocks */
	CHECK(dm_bufio_buffer_count(dm_bm_bufio(bm)) >= 4);
	CHECK(commit(tm, root) == 0);
	for (unsigned k = 0; k < 4; k++) {
		/* read back through a fresh block manager, from the disk */
		struct dm_block_manager *bm2 = bm_new(t);
		struct dm_transaction_manager *tm2;
		struct dm_space_map *sm2;
		u8 smroot[SM_ROOT_SIZE];
		struct dm_block *sb;
		CHECK(dm_bm_read_lock(bm2, SB, &tsb, &sb) == 0);
		sim_memcpy_from(smroot, simptr_add(dm_block_data(sb), 64), sizeof(smroot));
		dm_block_t droot = sim_read64(simptr_add(dm_block_data(sb), 200));
		dm_bm_unlock(sb);
		CHECK(droot == root);
		CHECK(dm_tm_open_with_sm(bm2, SB, smroot, sizeof(smroot), &tm2, &sm2) == 0);
		struct dm_array_info info2;
		dm_array_info_init(&info2, tm2, &vt);
		CHECK(dm_array_get_value(&info2, droot, (u32)idx[k], &v) == 0 && v == 3 * idx[k]);
		dm_tm_destroy(tm2);
		dm_sm_destroy(sm2);
		dm_block_manager_destroy(bm2);
	}
	/* shrink to one block and a bit: the rest is gone */
	CHECK(dm_array_resize(&info, root, 3 * max - 10, max + 5, &v, &root) == 0);
	CHECK(dm_array_get_value(&info, root, max + 4, &v) == 0 && v == 7);
	CHECK(dm_array_get_value(&info, root, max + 5, &v) == -ENODATA);
	CHECK(dm_array_get_value(&info, root, 2 * max, &v) == -ENODATA);

	/* a bitset of 200 bits over 4 words */
	struct dm_disk_bitset bs;
	dm_disk_bitset_init(tm, &bs);
	dm_block_t broot;
	CHECK(dm_bitset_empty(&bs, &broot) == 0);
	CHECK(dm_bitset_resize(&bs, broot, 0, 200, false, &broot) == 0);
	u32 set[] = {3, 63, 64, 199};
	for (unsigned k = 0; k < 4; k++)
		CHECK(dm_bitset_set_bit(&bs, broot, set[k], &broot) == 0);
	CHECK(dm_bitset_clear_bit(&bs, broot, 63, &broot) == 0);
	CHECK(dm_bitset_flush(&bs, broot, &broot) == 0);
	unsigned ones = 0;
	for (u32 i = 0; i < 200; i++) {
		bool b;
		CHECK(dm_bitset_test_bit(&bs, broot, i, &broot, &b) == 0);
		ones += b;
		CHECK(b == (i == 3 || i == 64 || i == 199));
	}
	CHECK(ones == 3);
	/* the words are in the array: word 3 holds bit 199 */
	CHECK(dm_array_get_value(&bs.array_info, broot, 3, &v) == 0 && v == 1ull << (199 - 192));
	/* grown with ones: new words only (the old last word as it was) */
	CHECK(dm_bitset_flush(&bs, broot, &broot) == 0);
	CHECK(dm_bitset_resize(&bs, broot, 200, 300, true, &broot) == 0);
	bool b;
	CHECK(dm_bitset_test_bit(&bs, broot, 200, &broot, &b) == 0 && !b);
	CHECK(dm_bitset_test_bit(&bs, broot, 256, &broot, &b) == 0 && b);
	CHECK(dm_bitset_test_bit(&bs, broot, 299, &broot, &b) == 0 && b);
	dm_tm_destroy(tm);
	dm_sm_destroy(sm);
	dm_block_manager_destroy(bm);
}

static void array_spans_blocks_and_bitset_keeps_bits(void **state)
{
	(void)state;
	struct pt t = {.body = array_body};
	run(&t);
}

/* ---- dm-cache-metadata on persistent-data: open and commit, step by step ---- */

#include "kernel/md/dm-cache-format.h"

struct seen {
	unsigned n, dirty;
	u64 oblocks;
};

static int load_fn(void *context, dm_oblock_t oblock, dm_cblock_t cblock, bool dirty)
{
	struct seen *s = context;
	s->n++;
	s->dirty += dirty;
	s->oblocks += oblock * 100 + cblock;
	return 0;
}

static int discard_fn(void *context, sector_t bs, dm_dblock_t b, bool discarded)
{
	u64 *v = context;
	v[0] += discarded ? b + 1 : 0;
	v[1] = bs;
	return 0;
}

static u32 sb_flags(struct pt *t)
{
	return (u32)on_disk64(t, SB, SB_FLAGS);
}

static void cmd_body(struct pt *t)
{
	struct block_device *bdev = disk_bdev(t->disk);
	struct dm_cache_metadata *cmd;
	CHECK(dm_cache_metadata_open(bdev, 8, false, 0, &cmd) == -EPERM); /* all zeroes */
	/* open: format (an empty array, the first superblock), then a
	 * transaction that clears CLEAN_SHUTDOWN and writes the superblock */
	CHECK(dm_cache_metadata_open(bdev, 8, true, 0, &cmd) == 0);
	CHECK(on_disk64(t, SB, SB_MAGIC) == CACHE_SUPERBLOCK_MAGIC);
	CHECK(dm_cache_metadata_clean_when_opened(cmd));
	CHECK((sb_flags(t) & CLEAN_SHUTDOWN) == 0);
	CHECK(dm_cache_resize(cmd, 600) == 0); /* two array blocks */
	CHECK(dm_cache_insert_mapping(cmd, 3, 11) == 0);
	CHECK(dm_cache_insert_mapping(cmd, 550, 12) == 0);
	CHECK(dm_cache_set_dirty(cmd, 550, true) == 0);
	CHECK(dm_cache_discard_bitset_resize(cmd, 64, 100) == 0);
	CHECK(dm_cache_set_discard(cmd, 5, true) == 0);
	CHECK(dm_cache_set_discard(cmd, 100, true) == -EINVAL);
	u64 root0 = on_disk64(t, SB, SB_MAPPING_ROOT), root1 = dm_cache_metadata_root(cmd);
	CHECK(root1 != root0); /* shadowed, not yet on disk */
	/* commit: every dirty block, then the superblock that points at them */
	CHECK(dm_cache_commit(cmd, false) == 0);
	CHECK(on_disk64(t, SB, SB_MAPPING_ROOT) == root1);
	CHECK((u32)on_disk64(t, SB, SB_CACHE_BLOCKS) == 600);
	CHECK((sb_flags(t) & CLEAN_SHUTDOWN) == 0);
	/* the next change moves the root again */
	CHECK(dm_cache_insert_mapping(cmd, 4, 13) == 0);
	CHECK(dm_cache_metadata_root(cmd) != root1);
	CHECK(dm_cache_commit(cmd, true) == 0); /* a clean shutdown */
	CHECK(sb_flags(t) & CLEAN_SHUTDOWN);
	dm_cache_metadata_close(cmd);

	/* reopen: CLEAN_SHUTDOWN was set, so dirty flags are trusted; opening
	 * clears it on disk */
	CHECK(dm_cache_metadata_open(bdev, 8, true, 0, &cmd) == 0);
	CHECK(dm_cache_metadata_clean_when_opened(cmd));
	CHECK((sb_flags(t) & CLEAN_SHUTDOWN) == 0);
	CHECK(dm_cache_size(cmd) == 600);
	struct seen s = {0};
	CHECK(dm_cache_load_mappings(cmd, load_fn, &s) == 0);
	CHECK(s.n == 3 && s.dirty == 1 && s.oblocks == 1100 + 3 + 1200 + 550 + 1300 + 4);
	u64 d[2] = {0, 0};
	CHECK(dm_cache_load_discards(cmd, discard_fn, d) == 0);
	CHECK(d[0] == 6 && d[1] == 64);
	CHECK(dm_cache_resize(cmd, 500) == -EINVAL); /* cblock 550 is dirty */
	dm_cache_metadata_close(cmd);                /* no commit: not a clean shutdown */

	/* not clean: every mapping counts as dirty */
	CHECK(dm_cache_metadata_open(bdev, 8, true, 0, &cmd) == 0);
	CHECK(!dm_cache_metadata_clean_when_opened(cmd));
	memset(&s, 0, sizeof(s));
	CHECK(dm_cache_load_mappings(cmd, load_fn, &s) == 0);
	CHECK(s.n == 3 && s.dirty == 3);
	u64 root = dm_cache_metadata_root(cmd);
	dm_cache_metadata_close(cmd);
	CHECK(dm_cache_metadata_open(bdev, 16, true, 0, &cmd) == -EINVAL); /* block size */

	/* a torn array block: open works, loading fails its validator */
	u8 buf[BS];
	struct dm_block_manager *bm = bm_new(t);
	struct dm_block *leaf;
	CHECK(dm_bm_read_lock(bm, root, &dm_btree_node_validator, &leaf) == 0);
	u64 ablock = sim_read64(simptr_add(dm_block_data(leaf), NODE_HDR + 8 * 252));
	dm_bm_unlock(leaf);
	dm_block_manager_destroy(bm);
	disk_read(t, ablock, buf);
	buf[ABLOCK_HDR + 8 * 3] ^= 0x80;
	disk_write(t, ablock, buf);
	CHECK(dm_cache_metadata_open(bdev, 8, true, 0, &cmd) == 0);
	memset(&s, 0, sizeof(s));
	CHECK(dm_cache_load_mappings(cmd, load_fn, &s) == -EILSEQ);
	dm_cache_metadata_close(cmd);
	/* a torn superblock: open fails */
	disk_read(t, SB, buf);
	buf[SB_CACHE_BLOCKS] ^= 1;
	disk_write(t, SB, buf);
	CHECK(dm_cache_metadata_open(bdev, 8, true, 0, &cmd) == -EILSEQ);
}

static const char *const linux_fixes[] = {DM_CACHE_SUPERBLOCK_LAST_FIX, "dm-cache-check-block-size",
                                          NULL};

static void cache_metadata_open_and_commit_steps(void **state)
{
	(void)state;
	struct pt t = {.body = cmd_body, .fixes = linux_fixes};
	run(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(block_manager_locks_and_validators),
	    cmocka_unit_test(shadowing_moves_the_root_and_keeps_the_last_commit),
	    cmocka_unit_test(array_spans_blocks_and_bitset_keeps_bits),
	    cmocka_unit_test(cache_metadata_open_and_commit_steps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
