/*
 * msync_mkclean.c - msync(MS_SYNC) of a shared file mapping whose stores
 * are still in the user alias's cache lines (c2fda5fed81e, "Fix up
 * page_mkclean_one(): virtual caches, s390", Peter Zijlstra, 2.6.20).
 *
 * One CPU, one user task. The file's first page is mapped MAP_SHARED; the
 * task stores into it (a shared write fault: the page comes in by DMA and
 * is dirtied), reads it back (a read-allocate cache allocates the lines),
 * stores a record through the mapping (on a write-back cache the record
 * sits in dirty lines of the user alias), then msync(MS_SYNC)s it. 2.6.19's dirty
 * page tracking writes the page back through clear_page_dirty_for_io ->
 * page_mkclean, which write-protects the user PTE; its page_mkclean_one
 * did not flush the user alias first, and ->writepage's dma_map_page
 * cleans only the kernel alias: the disk gets the page without the record
 * (stale-dma), though msync returned 0. The fix (`mkclean-flush-cache`)
 * is flush_cache_page before ptep_clear_flush; every modelled release has
 * it, so the buggy variant declares the switch off.
 *
 * Nothing here checks the data: findings come from the oracle.
 */
#include "scenarios/simplefs_scn.h"

static void writer(void *arg)
{
	struct simplefs_scn *st = arg;
	unsigned long addr =
	    do_mmap_pgoff(current->mm, st->filp, 0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, 0);
	if (IS_ERR_VALUE(addr))
		return;
	u8 old[64];
	user_write32(addr, 0x5a5a0000u); /* the shared write fault */
	/* a read-allocate cache (ARM926) allocates the lines on this read */
	user_memcpy_from(old, addr, sizeof(old));
	for (unsigned i = 0; i < 64; i += 4)
		user_write32(addr + i, 0x5a5a0000u + i);
	sys_msync(current->mm, addr, 4096, MS_SYNC);
}

static int msm_setup(coh_sched *s, void *state)
{
	struct simplefs_scn *st = state;
	int r = simplefs_scn_setup(st);
	if (r)
		return r;
	if (!user_task_create(s, "writer", 0, st->mm, writer, st))
		return COH_EINVAL;
	return 0;
}

const coh_scenario coh_scenario_msync_mkclean = {
    .name = "msync-mkclean",
    .description = "msync(MS_SYNC) of a shared file mapping whose stores are still in the "
                   "user alias's lines",
    .models = "c2fda5fed81eea077363b285b66eafce20dfd45a Fix up page_mkclean_one(): virtual "
              "caches, s390 (flush_cache_page in page_mkclean_one, 2.6.20)",
    .default_arch = "xscale",
    .ncpus = 1,
    .kernel_version = KERNEL_VERSION(2, 6, 35),
    .fixes = {{"mkclean-flush-cache",
               "page_mkclean_one flushes the user alias before write-protecting it "
               "(c2fda5fed81e; in every modelled release)"},
              {NULL, NULL}},
    .variants = {{"buggy", {NULL}}, {"fixed", {"mkclean-flush-cache", NULL}}},
    .state_size = sizeof(struct simplefs_scn),
    .setup = msm_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 1,
    .budget = 0,
    .demo = {{"buggy", "xscale", "stale-dma", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "xscale", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "arm926", "stale-dma", COH_STRATEGY_DFS, 1, 0, false},
             {"buggy", "armv6", "stale-dma", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "armv6", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "parisc", "stale-dma", COH_STRATEGY_DFS, 1, 0, false},
             {"buggy", "mips-r4k", "stale-dma", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "sh4", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "cortex-a9", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "x86", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
