/*
 * test_fsx_model.c - what `cohsim fsx` needed of the kernel model and the
 * block-copy oracle: drop_pagecache_sb drops clean unmapped pages only;
 * truncate zeroes the tail of the last block even when it is not cached
 * (block_truncate_page reads it in); a direct write into a new block zeroes
 * the rest of the block (dio_zero_block); a sector-aligned direct write
 * over a hole inside i_size allocates nothing (falls back to buffered);
 * on PA-RISC a clean kernel-alias line outlives a user mapping (a real
 * hazard of 2.6.3x, kept); the block-copy oracle forgets the versions of
 * discarded sectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/aio.h"
#include "cohsim/blockcopy.h"
#include "cohsim/machine.h"
#include "cohsim/scenario.h"

#define UBUF (TASK_UNMAPPED_BASE + 0x10000)
#define PSZ 4096ul

static struct {
	void (*task)(void *arg);
	struct file *filp, *dfilp;
	struct super_block *sb;
	long v[16];
} t;

static int run_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	struct kernel_config kc;
	kernel_config_init(&kc);
	int r = kernel_init(s, &kc);
	if (r)
		return r;
	struct disk_config dc;
	disk_config_init(&dc, "sda");
	struct gendisk *disk = alloc_disk_sim(&dc);
	assert_non_null(disk);
	/* "data": 4 pages, 2 of them in the file; both blocks hold 0x11 */
	uint8_t blk[2 * PSZ];
	memset(blk, 0x11, sizeof(blk));
	assert_int_equal(disk_backend_write(disk, 8, blk, sizeof(blk)), 0);
	struct simplefs_file_spec spec = {"data", 4, 2 * PSZ};
	t.sb = simplefs_mkfs_mount(disk, &spec, 1);
	assert_non_null(t.sb);
	t.filp = filp_open(t.sb, "data", O_RDWR);
	t.dfilp = filp_open(t.sb, "data", O_RDWR | O_DIRECT);
	assert_non_null(t.filp);
	assert_non_null(t.dfilp);
	struct mm_struct *mm = mm_alloc();
	assert_int_equal(
	    do_mmap(mm, UBUF, 2 * PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS), UBUF);
	assert_non_null(user_task_create(s, "u", 0, mm, t.task, NULL));
	return 0;
}

/* Runs task under strategy (budget schedules; replay: once, every choice
 * the default) on cortex-a9: the first finding's kind, or "clean". */
static const char *explore_on(const char *arch, void (*task)(void *arg), enum coh_strategy strategy,
                              uint64_t budget)
{
	static char kind[32];
	t.task = task;
	memset(t.v, 0, sizeof(t.v));
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find(arch));
	mc.mem_size = 2u << 20;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = strategy;
	cfg.budget = budget;
	if (strategy == COH_STRATEGY_REPLAY)
		cfg.schedule = "v1:";
	cfg.progress = false;
	coh_program prog = {.name = "fsx-model", .setup = run_setup};
	coh_explore_result res;
	assert_int_equal(coh_explore(&cfg, &mc, &prog, &res), 0);
	snprintf(kind, sizeof(kind), "%s",
	         res.nfindings ? coh_finding_kind_name(res.findings[0].kind) : "clean");
	if (res.nfindings && getenv("TEST_FSX_VERBOSE"))
		fprintf(stderr, "%s\n", res.findings[0].report);
	coh_explore_result_free(&res);
	return kind;
}

static const char *explore(void (*task)(void *arg), enum coh_strategy strategy, uint64_t budget)
{
	return explore_on("cortex-a9", task, strategy, budget);
}

static const char *run(void (*task)(void *arg))
{
	return explore(task, COH_STRATEGY_REPLAY, 1);
}

static void drop_task(void *arg)
{
	(void)arg;
	struct address_space *mapping = t.filp->f_mapping;
	loff_t pos = 0;
	user_write32(UBUF, 5);
	t.v[0] = vfs_write(t.filp, UBUF, 4, &pos); /* page 0 dirty */
	pos = PSZ;
	t.v[1] = vfs_read(t.filp, UBUF + 8, 4, &pos); /* page 1 clean */
	t.v[2] = (long)drop_pagecache_sb(t.sb);
	t.v[3] = mapping->page_tree[0] != NULL;
	t.v[4] = mapping->page_tree[1] != NULL;
	t.v[5] = vfs_fsync(t.filp, 0);
	t.v[6] = (long)drop_pagecache_sb(t.sb);
	t.v[7] = (long)mapping->nrpages;
	pos = 0;
	t.v[8] = vfs_read(t.filp, UBUF + 16, 4, &pos);
	t.v[9] = user_read32(UBUF + 16);
}

static void drop_caches_keeps_dirty_pages(void **state)
{
	(void)state;
	assert_string_equal(run(drop_task), "clean");
	assert_int_equal(t.v[0], 4);
	assert_int_equal(t.v[1], 4);
	assert_int_equal(t.v[2], 1); /* the clean page */
	assert_true(t.v[3]);         /* the dirty one stays */
	assert_false(t.v[4]);
	assert_int_equal(t.v[5], 0);
	assert_int_equal(t.v[6], 1); /* written back: now it goes */
	assert_int_equal(t.v[7], 0);
	assert_int_equal(t.v[8], 4);
	assert_int_equal(t.v[9], 5); /* read again from the disk */
}

static void truncate_task(void *arg)
{
	(void)arg;
	struct inode *inode = t.filp->f_inode;
	/* nothing cached: shrink into block 0, then grow again */
	t.v[0] = (long)inode->i_mapping->nrpages;
	t.v[1] = vmtruncate(inode, 100);
	t.v[2] = vmtruncate(inode, (loff_t)PSZ);
	t.v[3] = vfs_fsync(t.filp, 0);
	drop_pagecache_sb(t.sb);
	loff_t pos = 96;
	t.v[4] = vfs_read(t.filp, UBUF, 8, &pos);
	t.v[5] = user_read32(UBUF);     /* bytes 96..99: kept */
	t.v[6] = user_read32(UBUF + 4); /* bytes 100..103: cut, so zero */
}

static void truncate_zeroes_an_uncached_tail(void **state)
{
	(void)state;
	assert_string_equal(run(truncate_task), "clean");
	assert_int_equal(t.v[0], 0);
	assert_int_equal(t.v[1], 0);
	assert_int_equal(t.v[2], 0);
	assert_int_equal(t.v[3], 0);
	assert_int_equal(t.v[4], 8);
	assert_int_equal(t.v[5], 0x11111111);
	assert_int_equal(t.v[6], 0);
}

static void dio_task(void *arg)
{
	(void)arg;
	struct inode *inode = t.filp->f_inode;
	t.v[0] = vmtruncate(inode, 0); /* both blocks freed: holes */
	user_memset(UBUF, 0x22, 512);
	loff_t pos = 512;
	t.v[1] = vfs_write(t.dfilp, UBUF, 512, &pos); /* a new block 0 */
	t.v[2] = (long)inode->i_size;
	t.v[3] = vmtruncate(inode, (loff_t)PSZ);
	drop_pagecache_sb(t.sb);
	pos = 0;
	t.v[4] = vfs_read(t.filp, UBUF + PSZ, PSZ, &pos);
	t.v[5] = user_read32(UBUF + PSZ);        /* before the write: zero */
	t.v[6] = user_read32(UBUF + PSZ + 512);  /* the write */
	t.v[7] = user_read32(UBUF + PSZ + 2048); /* after it: zero */
}

static void direct_write_zeroes_the_rest_of_a_new_block(void **state)
{
	(void)state;
	assert_string_equal(run(dio_task), "clean");
	assert_int_equal(t.v[0], 0);
	assert_int_equal(t.v[1], 512);
	assert_int_equal(t.v[2], 1024);
	assert_int_equal(t.v[3], 0);
	assert_int_equal(t.v[4], (long)PSZ);
	assert_int_equal(t.v[5], 0);
	assert_int_equal(t.v[6], 0x22222222);
	assert_int_equal(t.v[7], 0);
}

/* A hole inside i_size (truncate into block 0, grow past block 1 again):
 * a sector-aligned AIO direct write over it must not allocate the block
 * (get_more_blocks's DIO_LOCKING rule, in the dio's own blkbits): it falls
 * back to a buffered write, so a buffered read racing it never meets the
 * block's old contents on the disk (0x11, cut by the truncate). */
static void hole_task(void *arg)
{
	(void)arg;
	struct inode *inode = t.filp->f_inode;
	t.v[0] = vmtruncate(inode, 100);
	t.v[1] = vmtruncate(inode, (loff_t)PSZ + 2048);
	t.v[2] = vfs_fsync(t.filp, 0);
	drop_pagecache_sb(t.sb);
	aio_context_t ctx = 0;
	t.v[3] = io_setup(1, &ctx);
	user_memset(UBUF, 0x22, 1024);
	struct iocb cb = {0};
	cb.aio_lio_opcode = IOCB_CMD_PWRITE;
	cb.aio_filp = t.dfilp;
	cb.aio_buf = UBUF;
	cb.aio_nbytes = 1024;
	cb.aio_offset = (loff_t)PSZ - 512;
	struct iocb *cbs[1] = {&cb};
	t.v[4] = io_submit(ctx, 1, cbs);
	loff_t pos = (loff_t)PSZ;
	t.v[5] = vfs_read(t.filp, UBUF + PSZ, 512, &pos);
	t.v[6] = user_read32(UBUF + PSZ);
	struct io_event ev[1];
	t.v[7] = io_getevents(ctx, 1, 1, ev);
	t.v[8] = (long)ev[0].res;
	if (t.v[6] == 0x11111111)
		coh_check_report(coh_sched_check(coh_sched_current()), COH_F_EXPECT_FAILED,
		                 (int)coh_this_cpu(), "a read racing the write met the cut block");
}

static void direct_write_into_a_hole_inside_i_size_falls_back(void **state)
{
	(void)state;
	/* pct keeps the write's bios waiting while the read's go (random
	 * strategy completes them at once: 300 schedules miss it) */
	assert_string_equal(explore(hole_task, COH_STRATEGY_PCT, 300), "clean");
	assert_string_equal(run(hole_task), "clean");
	assert_int_equal(t.v[0], 0);
	assert_int_equal(t.v[1], 0);
	assert_int_equal(t.v[2], 0);
	assert_int_equal(t.v[3], 0);
	assert_int_equal(t.v[4], 1);
	assert_int_equal(t.v[5], 512);
	assert_int_equal(t.v[6], 0x22222222); /* never 0x11111111 */
	assert_int_equal(t.v[7], 1);
	assert_int_equal(t.v[8], 1024);
}

/* PA-RISC, 2.6.3x: read(2) leaves clean lines of the page's kernel
 * address; the user's shared mapping (a colour of its own) stores and is
 * unmapped (flush_cache_range: the user's lines only; update_mmu_cache
 * flushed nothing, PG_dcache_dirty was clear); truncate's
 * block_truncate_page zeroes the tail through the kernel address, into
 * the stale clean line, and its write-back puts the old bytes over the
 * user's store. Linux does this on PA-RISC CPUs but the PA8800/PA8900
 * (whose kunmap and update_mmu_cache flush the kernel address): a real
 * hazard the model keeps (fsx on parisc reports it), not on the others. */
#define UMAP 0x50000000ul
static void alias_task(void *arg)
{
	(void)arg;
	struct inode *inode = t.filp->f_inode;
	loff_t pos = 0x400;
	t.v[0] = vfs_read(t.filp, UBUF, 64, &pos); /* 0x11: the kernel's line */
	t.v[1] = (long)do_mmap_pgoff(current->mm, t.filp, UMAP, PSZ, PROT_READ | PROT_WRITE,
	                             MAP_SHARED | MAP_FIXED, 0);
	user_write32(UMAP + 0x400, 0x33333333);
	t.v[2] = do_munmap(current->mm, UMAP, PSZ);
	t.v[3] = vmtruncate(inode, 0x428); /* zeroes 0x428.. of page 0 */
	t.v[4] = vfs_fsync(t.filp, 0);
	drop_pagecache_sb(t.sb);
	pos = 0x400;
	t.v[5] = vfs_read(t.filp, UBUF + 64, 4, &pos);
	t.v[6] = user_read32(UBUF + 64);
}

static void parisc_kernel_alias_survives_a_user_mapping(void **state)
{
	(void)state;
	assert_string_equal(explore_on("parisc", alias_task, COH_STRATEGY_REPLAY, 1), "lost-write");
	assert_string_equal(explore_on("x86", alias_task, COH_STRATEGY_REPLAY, 1), "clean");
	assert_int_equal(t.v[0], 64);
	assert_int_equal(t.v[1], (long)UMAP);
	assert_int_equal(t.v[2], 0);
	assert_int_equal(t.v[3], 0);
	assert_int_equal(t.v[4], 0);
	assert_int_equal(t.v[5], 4);
	assert_int_equal(t.v[6], 0x33333333);
	assert_string_equal(explore_on("cortex-a9", alias_task, COH_STRATEGY_REPLAY, 1), "clean");
}

/* A copy stored a new version and went without a write-back (truncate
 * threw its data away): discarding the sectors makes the medium's version
 * the latest again, so a copy filled from it reads without a finding. */
static void discard_forgets_versions(void **state)
{
	(void)state;
	coh_machine *m;
	coh_check *c;
	coh_machine_config cfg;
	coh_machine_config_init(&cfg, coh_arch_find("x86"));
	assert_int_equal(coh_machine_create(&cfg, &m), COH_OK);
	coh_check_config cc;
	coh_check_config_init(&cc);
	assert_int_equal(coh_check_create(m, &cc, &c), COH_OK);
	unsigned dev, a, b;
	assert_int_equal(coh_blk_dev_register(c, "sda", 64, &dev), COH_OK);
	assert_int_equal(coh_blk_copy_create(c, dev, 8, 8, "page 1", &a), COH_OK);
	coh_blk_copy_fill(c, a);
	coh_blk_copy_store(c, a, 0);
	assert_true(coh_blk_latest(c, dev, 8) > coh_blk_medium(c, dev, 8));
	coh_blk_copy_destroy(c, a);
	coh_blk_dev_discard(c, dev, 8, 8);
	assert_int_equal(coh_blk_latest(c, dev, 8), coh_blk_medium(c, dev, 8));
	assert_int_equal(coh_blk_latest(c, dev, 16), coh_blk_medium(c, dev, 16));
	assert_int_equal(coh_blk_copy_create(c, dev, 8, 8, "page 1 again", &b), COH_OK);
	coh_blk_copy_fill(c, b);
	coh_blk_copy_read(c, b, 0);
	assert_int_equal(coh_check_count(c), 0);
	coh_check_destroy(c);
	coh_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(drop_caches_keeps_dirty_pages),
	    cmocka_unit_test(truncate_zeroes_an_uncached_tail),
	    cmocka_unit_test(direct_write_zeroes_the_rest_of_a_new_block),
	    cmocka_unit_test(direct_write_into_a_hole_inside_i_size_falls_back),
	    cmocka_unit_test(parisc_kernel_alias_survives_a_user_mapping),
	    cmocka_unit_test(discard_forgets_versions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
