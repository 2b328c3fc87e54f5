/*
 * shared_mmap_alias.c - two shared mappings of one file page in one mm,
 * at different virtual addresses, through which two threads exchange
 * data: ARM's make_coherent (arch/arm/mm/fault-armv.c, 2.6.3x).
 *
 * One CPU, one mm with two user threads. The file's first page is mapped
 * MAP_SHARED at A and at B = A + 4 MiB: congruent on every cache that
 * indexes by colour (4 MiB is a multiple of every profile's SHMLBA, as
 * arch_get_unmapped_area would align it), but two aliases on a VIVT cache,
 * where every virtual address is its own. Thread "a" stores a message
 * through A (a shared write fault reads the page in by DMA) and signals;
 * thread "b" reads it through B (a read fault), stores its reply through
 * B and signals; "a" reads the reply through A. On VIVT ARM the
 * update_mmu_cache of B's fault runs make_coherent: A's PTE is present in
 * the same mm, so adjust_pte flushes A's lines and makes both PTEs
 * uncached (L_PTE_MT_BUFFERABLE). Without it (`make-coherent` off), B's
 * read misses and fills from memory while the message is still in A's
 * dirty lines (stale-read), and "a" later hits its own old lines.
 * make_coherent is older than every modelled release: the buggy variant
 * declares its switch off.
 *
 * Nothing here checks the data: findings come from the oracle.
 */
#include "scenarios/simplefs_scn.h"

#define ALIAS_A TASK_UNMAPPED_BASE
#define ALIAS_B (TASK_UNMAPPED_BASE + 0x400000) /* 4 MiB: congruent on VIPT */
#define MSG_WORDS 4

struct sma_state {
	struct simplefs_scn fs;
	coh_completion sent, replied;
};

static void thread_a(void *arg)
{
	struct sma_state *st = arg;
	u8 old[4 * MSG_WORDS];
	user_write32(ALIAS_A, 0x6d736700u); /* the shared write fault */
	/* a read-allocate cache (ARM926) allocates the lines on this read */
	user_memcpy_from(old, ALIAS_A, sizeof(old));
	for (unsigned i = 1; i < MSG_WORDS; i++)
		user_write32(ALIAS_A + 4 * i, 0x6d736700u + i);
	coh_complete(&st->sent);
	coh_wait_for_completion(&st->replied);
	(void)user_read32(ALIAS_A + 64);
}

static void thread_b(void *arg)
{
	struct sma_state *st = arg;
	coh_wait_for_completion(&st->sent);
	for (unsigned i = 0; i < MSG_WORDS; i++)
		(void)user_read32(ALIAS_B + 4 * i); /* the first: a read fault */
	user_write32(ALIAS_B + 64, 0x72706c79u);
	coh_complete(&st->replied);
}

static int sma_setup(coh_sched *s, void *state)
{
	struct sma_state *st = state;
	int r = simplefs_scn_setup(&st->fs);
	if (r)
		return r;
	coh_init_completion(&st->sent, "sent");
	coh_init_completion(&st->replied, "replied");
	const unsigned long prot = PROT_READ | PROT_WRITE, flags = MAP_SHARED | MAP_FIXED;
	if (do_mmap_pgoff(st->fs.mm, st->fs.filp, ALIAS_A, 4096, prot, flags, 0) != ALIAS_A ||
	    do_mmap_pgoff(st->fs.mm, st->fs.filp, ALIAS_B, 4096, prot, flags, 0) != ALIAS_B)
		return COH_ENOMEM;
	if (!user_task_create(s, "a", 0, st->fs.mm, thread_a, st) ||
	    !user_task_create(s, "b", 0, st->fs.mm, thread_b, st))
		return COH_EINVAL;
	return 0;
}

const coh_scenario coh_scenario_shared_mmap_alias = {
    .name = "shared-mmap-alias",
    .description = "two threads exchange data through two shared mappings of one file page "
                   "at different addresses",
    .models = "arch/arm/mm/fault-armv.c make_coherent/adjust_pte: shared aliases of a page in "
              "one mm made uncached on VIVT (older than every modelled release)",
    .default_arch = "xscale",
    .ncpus = 1,
    .kernel_version = KERNEL_VERSION(2, 6, 35),
    .fixes = {{"make-coherent",
               "update_mmu_cache makes shared aliases in one mm uncached on VIVT ARM "
               "(make_coherent; in every modelled release)"},
              {NULL, NULL}},
    .variants = {{"buggy", {NULL}}, {"fixed", {"make-coherent", NULL}}},
    .state_size = sizeof(struct sma_state),
    .setup = sma_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 1,
    .budget = 0,
    .demo = {{"buggy", "xscale", "stale-read", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "xscale", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "arm926", "stale-read", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "arm926", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "armv6", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "mips-r4k", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "sh4", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "parisc", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "cortex-a9", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "x86", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false, false}},
};
