/*
 * test_flush_history.c - the kernel code of issue 7's historical bugs:
 * sg_miter's pieces and its SG_MITER_TO_SG flush, coh_fix_old's rule,
 * PIO disks both ways, ARM's PG_dcache_clean (2.6.37) against
 * PG_dcache_dirty (2.6.35), SH-4's PG_dcache_clean, invalidate_mapping_pages dropping a clean
 * page (it used to free the page before unlocking it), and the three
 * scenarios built on them
 * (msync-mkclean, pio-mmap-dcache, pio-sg-miter) on all 8 profiles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/fs.h"
#include "cohsim/scenario.h"
#include "kernel_run.h"

#define UBUF (TASK_UNMAPPED_BASE + 0x10000)
#define PSZ 4096ul

static const char *const profiles[] = {"xscale", "arm926", "armv6",     "mips-r4k",
                                       "sh4",    "parisc", "cortex-a9", "x86"};

static struct {
	void (*task)(void *arg);
	bool kernel_task; /* else a user task with an mm and UBUF */
	unsigned pio;
	unsigned version;
	const char *const *fixes, *const *declared;
	struct gendisk *disk;
	struct file *filp;
	long v[16];
} t;

static int run_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	struct kernel_config kc;
	kernel_config_init(&kc);
	kc.version = t.version;
	kc.fixes = t.fixes;
	kc.declared = t.declared;
	int r = kernel_init(s, &kc);
	if (r)
		return r;
	struct disk_config dc;
	disk_config_init(&dc, "sda");
	dc.pio = t.pio;
	t.disk = alloc_disk_sim(&dc);
	assert_non_null(t.disk);
	uint8_t blk[PSZ];
	memset(blk, 0x11, sizeof(blk));
	assert_int_equal(disk_backend_write(t.disk, PSZ >> 9, blk, sizeof(blk)), 0);
	struct simplefs_file_spec spec = {"data", 2, 2 * PSZ};
	struct super_block *sb = simplefs_mkfs_mount(t.disk, &spec, 1);
	assert_non_null(sb);
	t.filp = filp_open(sb, "data", O_RDWR);
	assert_non_null(t.filp);
	if (t.kernel_task) {
		assert_non_null(coh_task_create(s, "k", 0, t.task, NULL));
		return 0;
	}
	struct mm_struct *mm = mm_alloc();
	assert_int_equal(
	    do_mmap(mm, UBUF, 2 * PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS), UBUF);
	assert_non_null(user_task_create(s, "u", 0, mm, t.task, NULL));
	return 0;
}

/* One execution (the default schedule) on arch: the first finding's kind,
 * or "clean". */
static const char *run(const char *arch, void (*task)(void *arg))
{
	t.task = task;
	memset(t.v, 0, sizeof(t.v));
	return kernel_run_once(arch, "flush-history", run_setup, "TEST_FH_VERBOSE");
}

static void reset(void)
{
	memset(&t, 0, sizeof(t));
}

/* ---- sg_miter ---- */

/* Two entries: 6 KiB from the middle of a two-page block, then 100 bytes. */
static void miter_task(void *arg)
{
	(void)arg;
	struct page *p = alloc_pages(GFP_KERNEL, 1), *q = alloc_page(GFP_KERNEL);
	struct scatterlist sg[2];
	sg_init_table(sg, 2);
	sg_set_page(&sg[0], p, 6144, 1024);
	sg_set_page(&sg[1], q, 100, 8);
	struct sg_mapping_iter miter;
	sg_miter_start(&miter, sg, 2, SG_MITER_ATOMIC | SG_MITER_TO_SG);
	unsigned n = 0;
	while (sg_miter_next(&miter) && n < 4) {
		t.v[2 * n] = (long)miter.length;
		t.v[2 * n + 1] = (long)(miter.addr.addr - page_address(miter.page).addr);
		sim_memset(miter.addr, 0x5a, miter.length);
		n++;
	}
	sg_miter_stop(&miter);
	t.v[8] = n;
	t.v[9] = page_to_pfn(miter.page ? miter.page : q) == page_to_pfn(q);
	t.v[10] = simptr_is_null(miter.addr);
}

static void sg_miter_maps_each_page_piece(void **state)
{
	(void)state;
	reset();
	t.kernel_task = true;
	assert_string_equal(run("x86", miter_task), "clean");
	assert_int_equal(t.v[8], 3);
	assert_int_equal(t.v[0], 3072); /* page 0 from offset 1024 */
	assert_int_equal(t.v[1], 1024);
	assert_int_equal(t.v[2], 3072); /* page 1 from 0 */
	assert_int_equal(t.v[3], 0);
	assert_int_equal(t.v[4], 100); /* the second entry */
	assert_int_equal(t.v[5], 8);
	assert_true(t.v[10]); /* stopped: nothing mapped */
}

/* ---- coh_fix_old ---- */

static void fix_old_task(void *arg)
{
	(void)arg;
	t.v[0] = coh_fix_old("mkclean-flush-cache");
	t.v[1] = coh_fix_old("sg-miter-flush");
}

static void fix_old_is_off_only_when_declared_and_off(void **state)
{
	(void)state;
	static const char *const declared[] = {"mkclean-flush-cache", NULL};
	static const char *const on[] = {"mkclean-flush-cache", NULL};
	reset();
	t.kernel_task = true;
	run("x86", fix_old_task);
	assert_true(t.v[0]); /* undeclared: the modelled release has it */
	assert_true(t.v[1]);
	t.declared = declared;
	run("x86", fix_old_task);
	assert_false(t.v[0]); /* declared and off: the kernel before the fix */
	assert_true(t.v[1]);
	t.fixes = on;
	run("x86", fix_old_task);
	assert_true(t.v[0]);
}

/* ---- PIO disks ---- */

/* write(2) 4 KiB, fsync, drop the page, read it back (from the disk). */
static void pio_roundtrip_task(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < PSZ; i += 4)
		user_write32(UBUF + i, 0xc0de0000u + i);
	loff_t pos = 0;
	t.v[0] = vfs_write(t.filp, UBUF, PSZ, &pos);
	t.v[1] = vfs_fsync(t.filp, 0);
	t.v[2] = (long)invalidate_mapping_pages(t.filp->f_mapping, 0, 1);
	user_memset(UBUF + PSZ, 0, PSZ);
	pos = 0;
	t.v[3] = vfs_read(t.filp, UBUF + PSZ, PSZ, &pos);
	t.v[4] = 1;
	for (unsigned i = 0; i < PSZ; i += 4)
		t.v[4] &= user_read32(UBUF + PSZ + i) == 0xc0de0000u + i;
}

static void pio_disks_write_and_read_by_the_cpu(void **state)
{
	(void)state;
	for (unsigned pio = 0; pio <= DISK_PIO_KMAP; pio++) { /* 0: DMA, for reference */
		for (unsigned i = 0; i < 8; i++) {
			reset();
			t.pio = pio;
			/* armv6/mips/sh4/parisc: read(2) copies through the kernel
			 * alias, so even the flushless driver is coherent here */
			const char *k = run(profiles[i], pio_roundtrip_task);
			if (strcmp(k, "clean"))
				fail_msg("pio %u on %s: %s", pio, profiles[i], k);
			assert_int_equal(t.v[0], PSZ);
			assert_int_equal(t.v[1], 0);
			assert_int_equal(t.v[2], 1);
			assert_int_equal(t.v[3], PSZ);
			assert_true(t.v[4]);
		}
	}
}

/* ---- ARM's PG_arch_1: PG_dcache_dirty (2.6.35) / PG_dcache_clean (2.6.37) ---- */

static void dcache_flag_task(void *arg)
{
	(void)arg;
	loff_t pos = 0;
	vfs_read(t.filp, UBUF, 16, &pos); /* readpage by DMA: a whole page */
	struct page *page = find_get_page(t.filp->f_mapping, 0);
	t.v[0] = (long)(page->flags & (1ul << PG_arch_1));
	flush_dcache_page(page); /* an unmapped file's page: deferred */
	t.v[1] = (long)(page->flags & (1ul << PG_arch_1));
	unsigned long addr = do_mmap_pgoff(current->mm, t.filp, 0, PSZ, PROT_READ, MAP_SHARED, 0);
	(void)user_read32(addr); /* the fault: update_mmu_cache */
	t.v[2] = (long)(page->flags & (1ul << PG_arch_1));
	put_page(page);
}

static void arm_pg_arch_1_follows_the_release(void **state)
{
	(void)state;
	reset();
	t.version = KERNEL_VERSION(2, 6, 35);
	assert_string_equal(run("armv6", dcache_flag_task), "clean");
	assert_int_equal(t.v[0], 0);     /* a new page is clean */
	assert_int_not_equal(t.v[1], 0); /* PG_dcache_dirty */
	assert_int_equal(t.v[2], 0);     /* flushed at the map */
	reset();
	t.version = KERNEL_VERSION(2, 6, 37);
	assert_string_equal(run("armv6", dcache_flag_task), "clean");
	assert_int_not_equal(t.v[0], 0); /* the DMA from the device: PG_dcache_clean */
	assert_int_equal(t.v[1], 0);     /* deferred: not clean */
	assert_int_not_equal(t.v[2], 0); /* flushed at the map: clean */
}

/* SH-4 (cache-sh4.c, cache.c): PG_dcache_clean is set only by
 * __update_cache, which purges a page that is not clean. */
static void sh4_pg_dcache_clean_set_at_first_map(void **state)
{
	(void)state;
	reset();
	assert_string_equal(run("sh4", dcache_flag_task), "clean");
	assert_int_equal(t.v[0], 0);     /* read by DMA: not clean */
	assert_int_equal(t.v[1], 0);     /* deferred: not clean */
	assert_int_not_equal(t.v[2], 0); /* purged at the map: clean */
}

/* ---- the scenarios, per profile ---- */

/* buggy then fixed, in the order of profiles[] */
static const struct {
	const char *name;
	const char *kinds[8][2];
} expect[] = {
    {"msync-mkclean",
     {{"stale-dma", "clean"},
      {"stale-dma", "clean"},
      {"stale-dma", "clean"},
      {"stale-dma", "clean"},
      {"stale-dma", "clean"},
      {"stale-dma", "clean"},
      {"clean", "clean"},
      {"clean", "clean"}}},
    {"pio-mmap-dcache",
     {{"clean", "clean"}, /* VIVT: highmem, kunmap_atomic flushes */
      {"clean", "clean"},
      {"stale-read", "clean"},
      {"stale-read", "stale-read"}, /* the fix is ARM's */
      {"clean", "clean"},           /* SH-4's own PG_dcache_clean */
      {"stale-read", "stale-read"},
      {"clean", "clean"},
      {"clean", "clean"}}},
    {"pio-sg-miter",
     {{"clean", "clean"},
      {"clean", "clean"},
      {"stale-read", "clean"},
      {"stale-read", "stale-read"}, /* MIPS: flush_kernel_dcache_page is a no-op */
      {"stale-read", "clean"},      /* SH: it is flush_dcache_page */
      {"stale-read", "clean"},
      {"clean", "clean"},
      {"clean", "clean"}}},
};

static void historical_scenarios_on_every_profile(void **state)
{
	(void)state;
	for (unsigned s = 0; s < sizeof(expect) / sizeof(expect[0]); s++)
		for (unsigned i = 0; i < 8; i++)
			for (unsigned v = 0; v < 2; v++) {
				const char *got = scenario_kind(expect[s].name,
				                                v ? "fixed" : "buggy", profiles[i]);
				if (strcmp(got, expect[s].kinds[i][v]) != 0)
					fail_msg("%s %s on %s: %s, expected %s", expect[s].name,
					         v ? "fixed" : "buggy", profiles[i], got,
					         expect[s].kinds[i][v]);
			}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sg_miter_maps_each_page_piece),
	    cmocka_unit_test(fix_old_is_off_only_when_declared_and_off),
	    cmocka_unit_test(pio_disks_write_and_read_by_the_cpu),
	    cmocka_unit_test(arm_pg_arch_1_follows_the_release),
	    cmocka_unit_test(sh4_pg_dcache_clean_set_at_first_map),
	    cmocka_unit_test(historical_scenarios_on_every_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
