/*
 * test_pagecache.c - the page cache and simplefs: the page flags through a
 * read, a write and a writeback; invalidate_inode_pages2_range's -EBUSY
 * on a dirty page; each file fault kind (read, shared write, private
 * COW); truncation; and flush_dcache_page against the user alias of a
 * shared file mapping (user writes then kernel reads, and the reverse) on
 * all 8 profiles, judged by the oracle.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/blockcopy.h"
#include "cohsim/fs.h"
#include "cohsim/scenario.h"

#include "run_once.h"

#define UBUF (TASK_UNMAPPED_BASE + 0x10000) /* the task's buffer */
#define PSZ 4096ul

static const char *const profiles[] = {"xscale", "arm926", "armv6",     "mips-r4k",
                                       "sh4",    "parisc", "cortex-a9", "x86"};

static struct {
	void (*task)(void *arg);
	struct file *filp;
	struct super_block *sb;
	struct gendisk *disk;
	void (*task2)(void *arg); /* a second task after the first, or NULL */
	bool may_fail;            /* s_release_may_fail */
	struct mm_struct *mm;
	long v[32];
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
	t.disk = alloc_disk_sim(&dc);
	assert_non_null(t.disk);
	/* "data": 4 pages, 2 of them in the file; its first block holds 0x11 */
	uint8_t blk[PSZ];
	memset(blk, 0x11, sizeof(blk));
	assert_int_equal(disk_backend_write(t.disk, 8, blk, sizeof(blk)), 0);
	struct simplefs_file_spec spec = {"data", 4, 2 * PSZ};
	struct super_block *sb = simplefs_mkfs_mount(t.disk, &spec, 1);
	assert_non_null(sb);
	sb->s_release_may_fail = t.may_fail;
	t.sb = sb;
	t.filp = filp_open(sb, "data", O_RDWR);
	assert_non_null(t.filp);
	t.mm = mm_alloc();
	assert_int_equal(
	    do_mmap(t.mm, UBUF, 2 * PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS),
	    UBUF);
	assert_non_null(user_task_create(s, "u", 0, t.mm, t.task, NULL));
	if (t.task2)
		assert_non_null(coh_task_create(s, "k", 0, t.task2, NULL));
	return 0;
}

/* Runs t.task once (the default schedule) on arch; returns the first
 * finding's kind name, or "clean". */
static const char *run(const char *arch, void (*task)(void *arg))
{
	static char kind[32];
	t.task = task;
	long keep = t.v[20];
	memset(t.v, 0, sizeof(t.v));
	t.v[20] = keep;
	coh_program prog = {.name = "pagecache", .setup = run_setup};
	coh_explore_result res;
	run_once(arch, 1u << 20, &prog, &res);
	snprintf(kind, sizeof(kind), "%s",
	         res.nfindings ? coh_finding_kind_name(res.findings[0].kind) : "clean");
	if (res.nfindings && getenv("TEST_PC_VERBOSE"))
		fprintf(stderr, "%s: %s\n", arch, res.findings[0].report);
	coh_explore_result_free(&res);
	return kind;
}

static long flags_of(struct page *page)
{
	return (long)page->flags & ~1l; /* without PG_arch_1 */
}

/* ---- the page flags through read, write, writeback ---- */

static void flags_task(void *arg)
{
	(void)arg;
	struct address_space *mapping = t.filp->f_mapping;
	loff_t pos = 0;
	t.v[0] = vfs_read(t.filp, UBUF, 16, &pos);
	t.v[1] = user_read32(UBUF);
	struct page *page = find_get_page(mapping, 0);
	t.v[2] = page ? flags_of(page) : -1;
	pos = 4;
	user_write32(UBUF, 0xabcdef01);
	t.v[3] = vfs_write(t.filp, UBUF, 4, &pos);
	t.v[4] = flags_of(page);
	t.v[5] = filemap_fdatawrite_range(mapping, 0, PSZ - 1);
	t.v[6] = PageWriteback(page) || !PageDirty(page); /* under way, no longer dirty */
	t.v[7] = filemap_fdatawait_range(mapping, 0, PSZ - 1);
	t.v[8] = flags_of(page);
	u32 disk[2] = {0};
	disk_backend_read(t.disk, 8, disk, sizeof(disk));
	t.v[9] = disk[1];
	/* the lock: trylock twice, unlock */
	t.v[10] = trylock_page(page);
	t.v[11] = trylock_page(page);
	unlock_page(page);
	t.v[12] = PageLocked(page);
	put_page(page);
	/* a read past EOF */
	pos = 2 * PSZ;
	t.v[13] = vfs_read(t.filp, UBUF, 16, &pos);
}

static void page_flags_read_write_writeback(void **state)
{
	(void)state;
	assert_string_equal(run("cortex-a9", flags_task), "clean");
	assert_int_equal(t.v[0], 16);
	assert_int_equal(t.v[1], 0x11111111);
	long up = 1l << PG_uptodate, dirty = 1l << PG_dirty, priv = 1l << PG_private;
	long lru = 1l << PG_lru;
	assert_int_equal(t.v[2], up | priv | lru);
	assert_int_equal(t.v[3], 4);
	assert_int_equal(t.v[4], up | priv | lru | dirty);
	assert_int_equal(t.v[5], 0);
	assert_true(t.v[6]);
	assert_int_equal(t.v[7], 0);
	assert_int_equal(t.v[8], up | priv | lru);
	assert_int_equal(t.v[9], 0xabcdef01);
	assert_true(t.v[10]);
	assert_false(t.v[11]);
	assert_false(t.v[12]);
	assert_int_equal(t.v[13], 0);
}

/* ---- invalidation ---- */

static void invalidate_task(void *arg)
{
	(void)arg;
	struct address_space *mapping = t.filp->f_mapping;
	loff_t pos = 0;
	user_write32(UBUF, 5);
	t.v[0] = vfs_write(t.filp, UBUF, 4, &pos); /* page 0 dirty */
	pos = PSZ;
	t.v[1] = vfs_read(t.filp, UBUF, 4, &pos); /* page 1 clean */
	t.v[2] = (long)mapping->nrpages;
	t.v[3] = invalidate_inode_pages2_range(mapping, 0, 1);
	t.v[4] = mapping->page_tree[0] != NULL;
	t.v[5] = mapping->page_tree[1] != NULL;
	t.v[6] = filemap_write_and_wait_range(mapping, 0, -1 + 2 * (loff_t)PSZ);
	t.v[7] = invalidate_inode_pages2_range(mapping, 0, 1);
	t.v[8] = (long)mapping->nrpages;
	/* read again: from the disk, the written value */
	pos = 0;
	t.v[9] = vfs_read(t.filp, UBUF + 8, 4, &pos);
	t.v[10] = user_read32(UBUF + 8);
}

static void invalidate_ebusy_on_dirty_page(void **state)
{
	(void)state;
	assert_string_equal(run("xscale", invalidate_task), "clean");
	assert_int_equal(t.v[0], 4);
	assert_int_equal(t.v[2], 2);
	assert_int_equal(t.v[3], -EBUSY);
	assert_true(t.v[4]);  /* the dirty page stays */
	assert_false(t.v[5]); /* the clean one went */
	assert_int_equal(t.v[6], 0);
	assert_int_equal(t.v[7], 0);
	assert_int_equal(t.v[8], 0);
	assert_int_equal(t.v[9], 4);
	assert_int_equal(t.v[10], 5);
}

/* ---- file faults ---- */

#define FMAP (TASK_UNMAPPED_BASE + 0x100000)

static void faults_task(void *arg)
{
	(void)arg;
	struct mm_struct *mm = current->mm;
	struct address_space *mapping = t.filp->f_mapping;
	unsigned long a =
	    do_mmap_pgoff(mm, t.filp, FMAP, 2 * PSZ, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	unsigned long p = do_mmap_pgoff(mm, t.filp, FMAP + 4 * PSZ, 2 * PSZ, PROT_READ | PROT_WRITE,
	                                MAP_PRIVATE, 0);
	t.v[0] = a == FMAP && p == FMAP + 4 * PSZ;
	t.v[1] = user_read32(FMAP); /* read fault */
	struct coh_pte *pte = coh_pte_lookup(mm, FMAP);
	t.v[2] = pte && !pte->write && pte->page == mapping->page_tree[0];
	user_write32(FMAP, 0x77); /* shared write: write-notify fault */
	t.v[3] = pte->write && PageDirty(pte->page);
	user_write32(FMAP + 4 * PSZ + 8, 0x99); /* private write: COW */
	pte = coh_pte_lookup(mm, FMAP + 4 * PSZ);
	t.v[4] = pte && PageAnon(pte->page);
	t.v[5] = user_read32(FMAP + 8);       /* the file is not changed */
	t.v[6] = user_read32(FMAP + 4 * PSZ); /* the COW copy has the shared write */
	t.v[7] = vfs_fsync(t.filp, 0);
	pte = coh_pte_lookup(mm, FMAP);
	t.v[8] = !pte->write && !PageDirty(pte->page); /* page_mkclean */
	u32 d = 0;
	disk_backend_read(t.disk, 8, &d, 4);
	t.v[9] = d;
	user_write32(FMAP + 4, 0x55); /* dirties it again */
	t.v[10] = PageDirty(pte->page);
	t.v[11] = user_read32(FMAP + PSZ); /* second page, a read fault */
	/* truncate to one page: the second page's PTEs go, then SIGBUS-free */
	t.v[12] = vmtruncate(t.filp->f_inode, PSZ);
	t.v[13] = coh_pte_lookup(mm, FMAP + PSZ) == NULL;
	t.v[14] = mapping->page_tree[1] == NULL;
	t.v[15] = (long)mapping->nrpages;
}

static void file_fault_kinds_and_truncate(void **state)
{
	(void)state;
	assert_string_equal(run("arm926", faults_task), "clean");
	assert_true(t.v[0]);
	assert_int_equal(t.v[1], 0x11111111);
	assert_true(t.v[2]);
	assert_true(t.v[3]);
	assert_true(t.v[4]);
	assert_int_equal(t.v[5], 0x11111111);
	assert_int_equal(t.v[6], 0x77);
	assert_int_equal(t.v[7], 0);
	assert_true(t.v[8]);
	assert_int_equal(t.v[9], 0x77);
	assert_true(t.v[10]);
	assert_int_equal(t.v[11], 0);
	assert_int_equal(t.v[12], 0);
	assert_true(t.v[13]);
	assert_true(t.v[14]);
	assert_int_equal(t.v[15], 1);
}

/* ---- flush_dcache_page against a shared file mapping's user alias ---- */

/* The kernel writes the page (write(2)) after the user cached it through
 * its shared mapping; the user reads it again. */
static void kernel_writes_task(void *arg)
{
	(void)arg;
	struct mm_struct *mm = current->mm;
	do_mmap_pgoff(mm, t.filp, FMAP, PSZ, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	t.v[0] = user_read32(FMAP + 64); /* the user alias's lines */
	user_write32(UBUF, 0x5a5a5a5a);
	loff_t pos = 64;
	vfs_write(t.filp, UBUF, 4, &pos);
	t.v[1] = user_read32(FMAP + 64);
}

/* The user writes through its shared mapping; the kernel reads it
 * (read(2)) into another buffer. */
static void user_writes_task(void *arg)
{
	(void)arg;
	struct mm_struct *mm = current->mm;
	do_mmap_pgoff(mm, t.filp, FMAP, PSZ, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	loff_t pos = 64;
	vfs_read(t.filp, UBUF, 4, &pos); /* the kernel alias's lines */
	user_write32(FMAP + 64, 0x6b6b6b6b);
	pos = 64;
	vfs_read(t.filp, UBUF + 8, 4, &pos);
	t.v[1] = user_read32(UBUF + 8);
}

static void flush_dcache_page_shared_file_alias(void **state)
{
	(void)state;
	for (unsigned i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		const char *kw = run(profiles[i], kernel_writes_task);
		long seen = t.v[1];
		const char *uw = run(profiles[i], user_writes_task);
		if (getenv("TEST_PC_VERBOSE"))
			fprintf(stderr, "%-10s kernel-writes %s (0x%lx)  user-writes %s (0x%lx)\n",
			        profiles[i], kw, seen, uw, t.v[1]);
		/* ARM (every cache type) and x86 keep the aliases coherent */
		if (strncmp(profiles[i], "mips", 4) && strcmp(profiles[i], "sh4") &&
		    strcmp(profiles[i], "parisc")) {
			assert_string_equal(kw, "clean");
			assert_int_equal(seen, 0x5a5a5a5a);
			assert_string_equal(uw, "clean");
			assert_int_equal(t.v[1], 0x6b6b6b6b);
		}
	}
}

/* ---- the block-copy oracle between the page cache and the disk ---- */

/* A write reaching the disk by another path (as direct I/O will), told
 * to the oracle as issue 8's bios will tell it. */
static void device_write(u32 v)
{
	uint8_t blk[PSZ];
	memset(blk, 0, sizeof(blk));
	memcpy(blk, &v, 4);
	disk_backend_write(t.disk, 8, blk, sizeof(blk));
	coh_blk_dev_write(kernel_check(), fs_blk_dev(t.sb), 8, 8, -1);
}

static void stale_task(void *arg)
{
	(void)arg;
	loff_t pos = 0;
	vfs_read(t.filp, UBUF, 4, &pos); /* page 0 cached */
	device_write(0x22);
	if (t.v[20]) /* what direct I/O does after its write */
		t.v[1] = invalidate_inode_pages2_range(t.filp->f_mapping, 0, 0);
	pos = 0;
	vfs_read(t.filp, UBUF, 4, &pos);
	t.v[0] = user_read32(UBUF);
}

static void lost_task(void *arg)
{
	(void)arg;
	loff_t pos = 0;
	user_write32(UBUF, 0x33);
	vfs_write(t.filp, UBUF, 4, &pos); /* page 0 dirty */
	device_write(0x22);               /* newer, on the disk */
	t.v[0] = vfs_fsync(t.filp, 0);    /* the older page over it */
}

static void oracle_stale_read_and_lost_write(void **state)
{
	(void)state;
	assert_string_equal(run("x86", stale_task), "stale-read");
	t.v[20] = 1;
	assert_string_equal(run("x86", stale_task), "clean");
	assert_int_equal(t.v[1], 0);
	assert_int_equal(t.v[0], 0x22);
	t.v[20] = 0;
	assert_string_equal(run("x86", lost_task), "lost-write");
}

/* ---- ->releasepage refused: the explorer's choice ---- */

static long seen_mask;

static void release_task(void *arg)
{
	(void)arg;
	loff_t pos = 0;
	vfs_read(t.filp, UBUF, 4, &pos); /* clean, PG_private */
	int r = invalidate_inode_pages2_range(t.filp->f_mapping, 0, 0);
	seen_mask |= r == -EBUSY ? 1 : r == 0 ? 2 : 4;
	if (r == -EBUSY && !t.filp->f_mapping->page_tree[0])
		seen_mask |= 4;
}

static void releasepage_failure_is_a_choice(void **state)
{
	(void)state;
	t.task = release_task;
	t.task2 = NULL;
	t.may_fail = true;
	seen_mask = 0;
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("x86"));
	mc.mem_size = 1u << 20;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_DFS;
	cfg.preemptions = 0;
	cfg.budget = 0;
	cfg.progress = false;
	coh_program prog = {.name = "pagecache", .setup = run_setup};
	coh_explore_result res;
	assert_int_equal(coh_explore(&cfg, &mc, &prog, &res), 0);
	assert_int_equal(res.nfindings, 0);
	coh_explore_result_free(&res);
	t.may_fail = false;
	assert_int_equal(seen_mask, 3); /* -EBUSY in one execution, 0 in another */
}

/* ---- writeback by the flusher, msync, access_process_vm ---- */

static void (*task2_later)(void *arg);

static void dirty_task(void *arg)
{
	(void)arg;
	loff_t pos = PSZ;
	user_write32(UBUF, 0x44);
	vfs_write(t.filp, UBUF, 4, &pos);
	bdi_start_flusher(coh_sched_current(), 0, 1);
	coh_task_create(coh_sched_current(), "k", 0, task2_later, NULL); /* runs after it */
}

static void check_task(void *arg)
{
	(void)arg;
	struct page *page = find_get_page(t.filp->f_mapping, 1);
	if (!page)
		return;
	wait_on_page_writeback(page);
	t.v[0] = PageDirty(page);
	put_page(page);
	u32 d = 0;
	disk_backend_read(t.disk, 16, &d, 4);
	t.v[1] = d;
}

static void msync_task(void *arg)
{
	(void)arg;
	struct mm_struct *mm = current->mm;
	do_mmap_pgoff(mm, t.filp, FMAP, 2 * PSZ, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	user_write32(FMAP + PSZ + 12, 0x66);
	t.v[0] = sys_msync(mm, FMAP, 2 * PSZ, MS_ASYNC);
	u32 d = 0;
	disk_backend_read(t.disk, 16, &d, 4);
	t.v[1] = d; /* not yet */
	t.v[2] = sys_msync(mm, FMAP, 2 * PSZ, MS_SYNC);
	disk_backend_read(t.disk, 16 + 0, &d, 4);
	u32 d12[4] = {0};
	disk_backend_read(t.disk, 16, d12, sizeof(d12));
	t.v[3] = d12[3];
	t.v[4] = sys_msync(mm, FMAP, 8 * PSZ, MS_SYNC); /* past the VMA */
	t.v[5] = sys_msync(mm, FMAP + 1, PSZ, MS_SYNC);
	/* ptrace's view of the mapping, and a write through it */
	u32 x = 0;
	t.v[6] = access_process_vm(current, FMAP + PSZ + 12, &x, 4, 0);
	t.v[7] = x;
	x = 0x77;
	t.v[8] = access_process_vm(current, FMAP + 8, &x, 4, 1);
	t.v[9] = user_read32(FMAP + 8);
}

static void flusher_msync_and_access_process_vm(void **state)
{
	(void)state;
	task2_later = check_task; /* dirty_task starts it after the flusher */
	assert_string_equal(run("arm926", dirty_task), "clean");
	task2_later = NULL;
	assert_false(t.v[0]);
	assert_int_equal(t.v[1], 0x44);
	for (unsigned i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++) {
		const char *k = run(profiles[i], msync_task);
		if (getenv("TEST_PC_VERBOSE"))
			fprintf(stderr, "msync %s: %s v9=0x%lx\n", profiles[i], k, t.v[9]);
		/* MIPS and SH write through kmap_coherent at the user colour */
		if (strcmp(k, "clean"))
			fail_msg("msync %s: %s", profiles[i], k);
		assert_int_equal(t.v[9], 0x77);
		assert_int_equal(t.v[0], 0);
		assert_int_equal(t.v[1], 0);
		assert_int_equal(t.v[2], 0);
		assert_int_equal(t.v[3], 0x66);
		assert_int_equal(t.v[4], -ENOMEM);
		assert_int_equal(t.v[5], -EINVAL);
		assert_int_equal(t.v[6], 4);
		assert_int_equal(t.v[7], 0x66);
		assert_int_equal(t.v[8], 4);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(page_flags_read_write_writeback),
	    cmocka_unit_test(invalidate_ebusy_on_dirty_page),
	    cmocka_unit_test(file_fault_kinds_and_truncate),
	    cmocka_unit_test(flush_dcache_page_shared_file_alias),
	    cmocka_unit_test(oracle_stale_read_and_lost_write),
	    cmocka_unit_test(releasepage_failure_is_a_choice),
	    cmocka_unit_test(flusher_msync_and_access_process_vm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
