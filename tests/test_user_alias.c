/*
 * test_user_alias.c - user aliases of one page that the kernel keeps
 * coherent: ARM's make_coherent (shared file mappings at two addresses of
 * one mm made uncached on VIVT, switch `make-coherent`) and the scenario
 * built on it (shared-mmap-alias) on all 8 profiles; access_process_vm's
 * copy_to_user_page/copy_from_user_page through kmap_coherent on MIPS and
 * SH-4, at the colour of the user address; generic_perform_write's copy
 * through a kmap_atomic slot.
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

#define PSZ 4096ul
#define ALIAS_A TASK_UNMAPPED_BASE
#define ALIAS_B (TASK_UNMAPPED_BASE + 0x400000ul) /* congruent on every VIPT profile */
#define UANON (TASK_UNMAPPED_BASE + 0x800000ul)   /* anonymous, two pages */

static const char *const profiles[] = {"xscale", "arm926", "armv6",     "mips-r4k",
                                       "sh4",    "parisc", "cortex-a9", "x86"};

static struct {
	void (*task)(void *arg);
	const char *const *fixes, *const *declared;
	unsigned long flags_b; /* the second mapping's MAP_SHARED / MAP_PRIVATE */
	const char *arch;
	unsigned version;
	struct file *filp;
	long v[16];
} t;

static int run_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	struct kernel_config kc;
	kernel_config_init(&kc);
	kc.fixes = t.fixes;
	kc.declared = t.declared;
	kc.version = t.version;
	int r = kernel_init(s, &kc);
	if (r)
		return r;
	struct disk_config dc;
	disk_config_init(&dc, "sda");
	struct gendisk *disk = alloc_disk_sim(&dc);
	assert_non_null(disk);
	struct simplefs_file_spec spec = {"data", 1, PSZ};
	struct super_block *sb = simplefs_mkfs_mount(disk, &spec, 1);
	assert_non_null(sb);
	t.filp = filp_open(sb, "data", O_RDWR);
	assert_non_null(t.filp);
	struct mm_struct *mm = mm_alloc();
	const unsigned long prot = PROT_READ | PROT_WRITE;
	assert_int_equal(do_mmap_pgoff(mm, t.filp, ALIAS_A, PSZ, prot, MAP_SHARED | MAP_FIXED, 0),
	                 ALIAS_A);
	unsigned long fb = t.flags_b ? t.flags_b : MAP_SHARED;
	assert_int_equal(do_mmap_pgoff(mm, t.filp, ALIAS_B, PSZ, prot, fb | MAP_FIXED, 0), ALIAS_B);
	assert_int_equal(do_mmap(mm, UANON, 2 * PSZ, prot, MAP_PRIVATE | MAP_ANONYMOUS), UANON);
	assert_non_null(user_task_create(s, "u", 0, mm, t.task, NULL));
	return 0;
}

/* One execution (the default schedule) on arch: the first finding's kind,
 * or "clean". */
static const char *run(const char *arch, void (*task)(void *arg))
{
	t.task = task;
	t.arch = arch;
	memset(t.v, 0, sizeof(t.v));
	return kernel_run_once(arch, "user-alias", run_setup, "TEST_UA_VERBOSE");
}

static void reset(void)
{
	memset(&t, 0, sizeof(t));
}

static long pte_attr(unsigned long addr)
{
	struct coh_pte *pte = coh_pte_lookup(current->mm, addr);
	return pte ? pte->attr : -1;
}

/* ---- make_coherent ---- */

static void child_task(void *arg)
{
	(void)arg;
	t.v[5] = pte_attr(ALIAS_A);
	t.v[6] = pte_attr(ALIAS_B);
}

/* Store through A (write fault), read it back (allocates on ARM926),
 * store again; read through B (the fault that finds A); then fork. */
static void two_aliases_task(void *arg)
{
	(void)arg;
	user_write32(ALIAS_A, 0x11111111);
	(void)user_read32(ALIAS_A);
	user_write32(ALIAS_A, 0x22222222);
	t.v[0] = pte_attr(ALIAS_A);
	t.v[1] = user_read32(ALIAS_B);
	t.v[2] = pte_attr(ALIAS_A);
	t.v[3] = pte_attr(ALIAS_B);
	user_write32(ALIAS_B + 4, 0x33333333);
	t.v[4] = user_read32(ALIAS_A + 4);
	t.v[7] = do_fork(0, "child", child_task, NULL) != NULL;
}

static void make_coherent_makes_shared_aliases_uncached_on_vivt(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 2; i++) { /* xscale, arm926 */
		reset();
		if (strcmp(run(profiles[i], two_aliases_task), "clean"))
			fail_msg("%s: not clean", profiles[i]);
		assert_int_equal(t.v[0], COH_ATTR_WB); /* alone: cached */
		assert_int_equal(t.v[1], 0x22222222);
		assert_int_equal(t.v[2], COH_ATTR_BUFFERABLE); /* shared_pte_mask */
		assert_int_equal(t.v[3], COH_ATTR_BUFFERABLE);
		assert_int_equal(t.v[4], 0x33333333);
		assert_true(t.v[7]);
		assert_int_equal(t.v[5], COH_ATTR_BUFFERABLE); /* copy_one_pte keeps the type */
		assert_int_equal(t.v[6], COH_ATTR_BUFFERABLE);
	}
}

static void without_make_coherent_vivt_aliases_go_stale(void **state)
{
	(void)state;
	static const char *const declared[] = {"make-coherent", NULL};
	for (unsigned i = 0; i < 2; i++) {
		reset();
		t.declared = declared;
		assert_string_equal(run(profiles[i], two_aliases_task), "stale-read");
		assert_int_equal(t.v[2], COH_ATTR_WB);
		assert_int_equal(t.v[3], COH_ATTR_WB);
	}
}

/* Only VIVT: the other profiles keep cached PTEs and are coherent with
 * mappings a colour span apart. */
static void make_coherent_only_on_vivt(void **state)
{
	(void)state;
	for (unsigned i = 2; i < 8; i++) {
		reset();
		if (strcmp(run(profiles[i], two_aliases_task), "clean"))
			fail_msg("%s: not clean", profiles[i]);
		assert_int_equal(t.v[1], 0x22222222);
		assert_int_equal(t.v[2], COH_ATTR_WB);
		assert_int_equal(t.v[3], COH_ATTR_WB);
		assert_int_equal(t.v[4], 0x33333333);
	}
}

/* B private: its read fault finds the shared A, so both are adjusted (the
 * faulting VMA need not be shared). */
static void private_after_shared_task(void *arg)
{
	(void)arg;
	user_write32(ALIAS_A, 0x44444444);
	t.v[0] = user_read32(ALIAS_B);
	t.v[1] = pte_attr(ALIAS_A);
	t.v[2] = pte_attr(ALIAS_B);
}

/* B private and mapped first: A's fault skips it (not VM_MAYSHARE), so
 * both stay cached, and B's line goes stale on VIVT: the kernel leaves
 * that case alone. */
static void shared_after_private_task(void *arg)
{
	(void)arg;
	(void)user_read32(ALIAS_B);
	user_write32(ALIAS_A, 0x55555555);
	t.v[1] = pte_attr(ALIAS_A);
	t.v[2] = pte_attr(ALIAS_B);
	t.v[0] = user_read32(ALIAS_B);
}

static void make_coherent_adjusts_only_shared_aliases(void **state)
{
	(void)state;
	reset();
	t.flags_b = MAP_PRIVATE;
	assert_string_equal(run("xscale", private_after_shared_task), "clean");
	assert_int_equal(t.v[0], 0x44444444);
	assert_int_equal(t.v[1], COH_ATTR_BUFFERABLE);
	assert_int_equal(t.v[2], COH_ATTR_BUFFERABLE);
	reset();
	t.flags_b = MAP_PRIVATE;
	assert_string_equal(run("xscale", shared_after_private_task), "stale-read");
	assert_int_equal(t.v[1], COH_ATTR_WB);
	assert_int_equal(t.v[2], COH_ATTR_WB);
}

/* ---- copy_to_user_page / copy_from_user_page (ptrace) ---- */

/* Do the kernel alias of the page at uaddr and uaddr fall in different
 * colours? (Else the test would prove nothing.) */
static long aliases_kernel(unsigned long uaddr)
{
	struct coh_pte *pte = coh_pte_lookup(current->mm, uaddr);
	unsigned long span = coh_arch_colours(coh_arch_find(t.arch)) * PSZ;
	return pte && ((page_address(pte->page).addr ^ uaddr) & (span - 1) & ~(PSZ - 1)) != 0;
}

/* The user reads a word (its line at the user colour), ptrace writes it,
 * the user reads it again. */
static void ptrace_write_task(void *arg)
{
	(void)arg;
	user_write32(UANON, 0x1); /* the fault */
	(void)user_read32(UANON + 16);
	t.v[0] = aliases_kernel(UANON);
	u32 x = 0xabcd;
	t.v[1] = access_process_vm(current, UANON + 16, &x, 4, 1);
	t.v[2] = user_read32(UANON + 16);
}

/* The user stores a word (dirty at the user colour), ptrace reads it. */
static void ptrace_read_task(void *arg)
{
	(void)arg;
	user_write32(UANON, 0x1);
	user_write32(UANON + 32, 0x5678);
	t.v[0] = aliases_kernel(UANON);
	u32 x = 0;
	t.v[1] = access_process_vm(current, UANON + 32, &x, 4, 0);
	t.v[2] = x;
}

static void ptrace_copies_reach_the_user_colour_on_mips_and_sh4(void **state)
{
	(void)state;
	static const char *const archs[] = {"mips-r4k", "sh4"};
	for (unsigned i = 0; i < 2; i++) {
		reset();
		if (strcmp(run(archs[i], ptrace_write_task), "clean"))
			fail_msg("ptrace write on %s: not clean", archs[i]);
		assert_true(t.v[0]);
		assert_int_equal(t.v[1], 4);
		assert_int_equal(t.v[2], 0xabcd);
		reset();
		if (strcmp(run(archs[i], ptrace_read_task), "clean"))
			fail_msg("ptrace read on %s: not clean", archs[i]);
		assert_true(t.v[0]);
		assert_int_equal(t.v[1], 4);
		assert_int_equal(t.v[2], 0x5678);
	}
}

/* ---- generic_perform_write's kmap_atomic ---- */

/* write(2) of a word into the (highmem) page-cache page, then fsync. */
static void write_fsync_task(void *arg)
{
	(void)arg;
	user_write32(UANON, 0x600df00d);
	loff_t pos = 0;
	t.v[0] = vfs_write(t.filp, UANON, 4, &pos);
	t.v[1] = vfs_fsync(t.filp, 0);
}

/* The copy goes through a kmap_atomic fixmap slot, not a pkmap: 2.6.32's
 * ARM DMA code cleans a highmem page only through its pkmap, so on
 * cortex-a9 the disk gets the page without the word; from 2.6.34 it
 * cleans an unmapped highmem page through a temporary mapping. */
static void perform_write_copies_through_kmap_atomic(void **state)
{
	(void)state;
	reset();
	t.version = KERNEL_VERSION(2, 6, 32);
	assert_string_equal(run("cortex-a9", write_fsync_task), "stale-dma");
	reset();
	t.version = KERNEL_VERSION(2, 6, 34);
	assert_string_equal(run("cortex-a9", write_fsync_task), "clean");
	assert_int_equal(t.v[0], 4);
	assert_int_equal(t.v[1], 0);
	for (unsigned i = 0; i < 8; i++) { /* the default release: clean everywhere */
		reset();
		if (strcmp(run(profiles[i], write_fsync_task), "clean"))
			fail_msg("write+fsync on %s: not clean", profiles[i]);
		assert_int_equal(t.v[0], 4);
	}
}

/* ---- the scenario, per profile ---- */

static void shared_mmap_alias_on_every_profile(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 8; i++)
		for (unsigned v = 0; v < 2; v++) {
			const char *want = i < 2 && v == 0 ? "stale-read" : "clean";
			const char *got =
			    scenario_kind("shared-mmap-alias", v ? "fixed" : "buggy", profiles[i]);
			if (strcmp(got, want) != 0)
				fail_msg("shared-mmap-alias %s on %s: %s, expected %s",
				         v ? "fixed" : "buggy", profiles[i], got, want);
		}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(make_coherent_makes_shared_aliases_uncached_on_vivt),
	    cmocka_unit_test(without_make_coherent_vivt_aliases_go_stale),
	    cmocka_unit_test(make_coherent_only_on_vivt),
	    cmocka_unit_test(make_coherent_adjusts_only_shared_aliases),
	    cmocka_unit_test(ptrace_copies_reach_the_user_colour_on_mips_and_sh4),
	    cmocka_unit_test(perform_write_copies_through_kmap_atomic),
	    cmocka_unit_test(shared_mmap_alias_on_every_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
