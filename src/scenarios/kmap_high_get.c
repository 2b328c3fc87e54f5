/*
 * kmap_high_get.c - seed 2, "highmem: atomic highmem kmap page pinning".
 *
 * One CPU with a VIVT cache (preemption is enough, as the commit says) and
 * LAST_PKMAP = 2, so that two kmaps wrap the ring. Two tasks:
 *
 *   rx (the driver): kmap(P), reads the page, kunmap(P): pkmap_count is back
 *     to 1, the mapping and its cache lines stay. Then dma_map_page(P,
 *     DMA_FROM_DEVICE), whose invalidation loop runs line by line through
 *     the kmap address (page_address(P), unpinned without the fix). The
 *     device then fills P; rx unmaps and reads the data through a kmap.
 *   user (another kmap user): kmap(Q1) wraps last_pkmap_nr, so
 *     flush_all_zero_pkmaps tears down P's slot; kmap(Q2) gets that very
 *     address; it writes a record into Q2 through it, then kunmaps both.
 *
 * If user runs while rx's loop is preempted, the rest of the loop
 * invalidates user's dirty lines of Q2: the oracle reports the discard as a
 * lost write. With `kmap-high-get`, dma_map_page pins P's kmap: user's
 * kmap(Q2) sleeps on pkmap_map_wait until rx's kunmap_high wakes it.
 * Nothing in this file checks for the bug: the finding is the oracle's.
 */
#include <string.h>

#include "cohsim/scenario.h"

#define RX_LEN 64 /* bytes the device writes */

struct khg_state {
	struct device dev;
	struct page *p, *q1, *q2;
};

static void rx_task(void *arg)
{
	COH_FRAME();
	struct khg_state *st = arg;
	struct page *p = st->p;

	/* an earlier user of the page left its kmap (and its lines) behind */
	simptr va = kmap(p);
	(void)sim_read32(va);
	kunmap(p);

	dma_addr_t dma = dma_map_page(&st->dev, p, 0, 4096, DMA_FROM_DEVICE);
	/* the device fills the buffer */
	u8 data[RX_LEN];
	for (unsigned i = 0; i < RX_LEN; i++)
		data[i] = (u8)(0xd0 + i);
	coh_dma_write(kernel_machine(), dma, data, RX_LEN);
	dma_unmap_page(&st->dev, dma, 4096, DMA_FROM_DEVICE);

	va = kmap(p);
	(void)sim_read32(va);
	kunmap(p);
}

static void user_task(void *arg)
{
	COH_FRAME();
	struct khg_state *st = arg;
	static const char record[16] = "Q2 user record!";
	simptr a = kmap(st->q1);
	simptr b = kmap(st->q2);
	/* update a record in Q2 through the (maybe recycled) pkmap address:
	 * read its line, then dirty it (a read-allocate cache such as the
	 * ARM926's allocates only on the read) */
	simptr rec = simptr_add(b, 4096 - 32);
	(void)sim_read32(rec);
	sim_memcpy_to(rec, record, sizeof(record));
	kunmap(st->q2);
	kunmap(st->q1);
	(void)a;
}

static int khg_setup(coh_sched *s, void *state)
{
	struct khg_state *st = state;
	st->dev.name = "nic";
	st->p = alloc_page(GFP_HIGHUSER);
	st->q1 = alloc_page(GFP_HIGHUSER);
	st->q2 = alloc_page(GFP_HIGHUSER);
	if (!st->p || !st->q1 || !st->q2 || !PageHighMem(st->p) || !PageHighMem(st->q2))
		return COH_ENOMEM;
	if (!coh_task_create(s, "rx", 0, rx_task, st) ||
	    !coh_task_create(s, "user", 0, user_task, st))
		return COH_EINVAL;
	return 0;
}

const coh_scenario coh_scenario_kmap_high_get = {
    .name = "kmap-high-get",
    .description = "dma_map_page(FROM_DEVICE) invalidates through an unpinned kmap that "
                   "kmap_high recycles for another page",
    .models = "highmem: atomic highmem kmap page pinning (2009, v2.6.31: kmap_high_get)",
    .default_arch = "xscale",
    .ncpus = 1,
    .last_pkmap = 2,
    .kernel_version = KERNEL_VERSION(2, 6, 31),
    .needs_highmem = true,
    .fixes = {{"kmap-high-get",
               "dma_map_page pins a highmem page's kmap with kmap_high_get while it "
               "maintains the cache through it"},
              {"kmap-lock-irqsafe",
               "kmap_lock is taken IRQ-safe (lock_kmap_any) where kmap_high_get exists"},
              {NULL, NULL}},
    .variants = {{"buggy", {NULL}},
                 {"fixed", {"kmap-high-get", "kmap-lock-irqsafe", NULL}},
                 {NULL, {NULL}}},
    .state_size = sizeof(struct khg_state),
    .setup = khg_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 2,
    .budget = 0,
    .demo = {{"buggy", "xscale", "lost-write", COH_STRATEGY_DFS, 2, 0, false},
             {"fixed", "xscale", "clean", COH_STRATEGY_DFS, 2, 0, true},
             {"buggy", "arm926", "lost-write", COH_STRATEGY_DFS, 2, 0, false},
             /* PIPT too: the invalidation by VA goes through the recycled PTE */
             {"buggy", "cortex-a9", "lost-write", COH_STRATEGY_DFS, 2, 0, false},
             {"fixed", "cortex-a9", "clean", COH_STRATEGY_DFS, 2, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
