/*
 * perform_write_alias.c - a write(2) into a page-cache page that the
 * writer also maps shared, with its own stores still in the cache
 * (931e80e4b326, "mm: flush dcache before writing into page to avoid
 * alias", anfei zhou, 2.6.33; the reproducer of its thread).
 *
 * One CPU, one user task. The file's first page is mapped MAP_SHARED; the
 * task stores word 0, loads it, stores word 1 through the mapping (dirty
 * lines of the user alias on a write-back cache), then write()s word 0
 * again through the file, and fsyncs. generic_perform_write copies into
 * the page through the kernel alias and calls flush_dcache_page after the
 * copy: the kernel line goes to memory, then (VIVT __flush_dcache_aliases,
 * aliasing VIPT flush_pfn_alias) the user's dirty line is written back over
 * it: the write(2)'s word is lost (lost-write). The fix (`perform-write-flush`,
 * in mainline from 2.6.33) flushes the page before the copy too, when the
 * mapping is writably mapped. The scenario runs 2.6.32; with --kernel
 * 2.6.33 or later the fix is in the model's code.
 *
 * All memory is lowmem here. With a highmem page cache, cortex-a9 shows
 * a stale-dma in both variants: generic_perform_write copies through
 * kmap_atomic, and 2.6.32's dma_cache_maint_page cleans a highmem page
 * only through a pkmap (kmap_high_get); the fixmap slot's lines stay,
 * and ->writepage's DMA reads memory without them (the kernel cleans an
 * unmapped highmem page on VIPT from 2.6.34). That is another bug.
 *
 * Nothing here checks the data: findings come from the oracle.
 */
#include "scenarios/simplefs_scn.h"

#define UBUF (TASK_UNMAPPED_BASE + 0x100000) /* the write(2) source */

static void writer(void *arg)
{
	struct simplefs_scn *st = arg;
	unsigned long addr =
	    do_mmap_pgoff(current->mm, st->filp, 0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (IS_ERR_VALUE(addr))
		return;
	user_write32(addr, 0x44444444);
	(void)user_read32(addr);
	user_write32(addr + 4, 0x77777777);
	user_write32(UBUF, 0x11111111);
	loff_t pos = 0;
	vfs_write(st->filp, UBUF, 4, &pos);
	vfs_fsync(st->filp, 0);
	(void)user_read32(addr);
}

static int pwa_setup(coh_sched *s, void *state)
{
	struct simplefs_scn *st = state;
	int r = simplefs_scn_setup(st);
	if (r)
		return r;
	if (IS_ERR_VALUE(
	        do_mmap(st->mm, UBUF, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS)))
		return COH_ENOMEM;
	if (!user_task_create(s, "writer", 0, st->mm, writer, st))
		return COH_EINVAL;
	return 0;
}

const coh_scenario coh_scenario_perform_write_alias = {
    .name = "perform-write-alias",
    .description = "write(2) into a page the writer maps shared, its own stores still in "
                   "the user alias's lines",
    .models = "931e80e4b3263db75c8e34f078d22f11bbabd3a3 mm: flush dcache before writing into "
              "page to avoid alias (2.6.33)",
    .default_arch = "xscale",
    .ncpus = 1,
    .lowmem_size = 1u << 20, /* all lowmem: see the comment at the top */
    .kernel_version = KERNEL_VERSION(2, 6, 32),
    .fixes = {{"perform-write-flush",
               "generic_perform_write flushes a writably mapped page before the copy "
               "(931e80e4b326; always on from 2.6.33)"},
              {NULL, NULL}},
    .variants = {{"buggy", {NULL}}, {"fixed", {"perform-write-flush", NULL}}},
    .state_size = sizeof(struct simplefs_scn),
    .setup = pwa_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 1,
    .budget = 0,
    .demo = {{"buggy", "xscale", "lost-write", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "xscale", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "arm926", "lost-write", COH_STRATEGY_DFS, 1, 0, false},
             {"buggy", "armv6", "lost-write", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "armv6", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "parisc", "lost-write", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "parisc", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "cortex-a9", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "x86", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
