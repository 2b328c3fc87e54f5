/*
 * kmap_lock_irq.c - the locking half of seed 2: kmap_high_get() "can be
 * called from any context", so kmap_lock must be taken with IRQs off.
 *
 * One CPU. A task starts a receive on a NIC, then kmaps and kunmaps a
 * highmem page of its own (taking kmap_lock in kmap_high and kunmap_high),
 * then waits for the receive. The NIC's completion raises its IRQ; the
 * handler refills the RX ring with dma_map_page() of a highmem page, which
 * reaches kmap_high_get() -> lock_kmap_any(). If the IRQ arrives while the
 * task holds kmap_lock taken with plain spin_lock, the handler spins on a
 * lock its own CPU's task holds: the scheduler reports the deadlock.
 *
 * Variants: both run dma_map_page with kmap_high_get (the `kmap-high-get`
 * switch, on in both: without it nothing takes kmap_lock in IRQ context);
 * `buggy` has kmap_lock taken with plain spin_lock (`kmap-lock-irqsafe`
 * off), `fixed` with spin_lock_irq / spin_lock_irqsave.
 *
 * An abstraction, said plainly: the seed added kmap_high_get and the
 * IRQ-safe locking in one commit, so the buggy combination never shipped;
 * it is the mistake the commit's locking half prevents. The model's
 * spinlocks spin on a uniprocessor too (as with CONFIG_DEBUG_SPINLOCK), so
 * the symptom is a deadlock; a real UP kernel, whose spin_lock does not
 * spin, would instead corrupt pkmap_count (or lockdep would report an
 * inconsistent lock state).
 */
#include "cohsim/scenario.h"

#define NIC_IRQ 5

struct kli_state {
	struct device dev;
	struct page *mine, *rx;
	dma_addr_t rx_dma;
	coh_completion done;
};

/* The NIC finished a receive: it raises its line on cpu0. */
static void nic_complete(void *arg)
{
	COH_FRAME();
	(void)arg;
	coh_irq_raise(coh_sched_current(), NIC_IRQ, 0);
}

/* Hardirq: refill the RX ring with a fresh buffer. */
static void nic_irq(unsigned irq, void *arg)
{
	COH_FRAME();
	struct kli_state *st = arg;
	(void)irq;
	st->rx_dma = dma_map_page(&st->dev, st->rx, 0, 64, DMA_FROM_DEVICE);
	coh_complete(&st->done);
}

static void worker(void *arg)
{
	COH_FRAME();
	struct kli_state *st = arg;
	coh_io_complete_later(coh_sched_current(), nic_complete, st, "nic-rx");
	simptr va = kmap(st->mine);
	sim_write32(va, 0x1234);
	kunmap(st->mine);
	coh_wait_for_completion(&st->done);
	dma_unmap_page(&st->dev, st->rx_dma, 64, DMA_FROM_DEVICE);
}

static int kli_setup(coh_sched *s, void *state)
{
	struct kli_state *st = state;
	st->dev.name = "nic";
	coh_init_completion(&st->done, "rx_done");
	st->mine = alloc_page(GFP_HIGHUSER);
	st->rx = alloc_page(GFP_HIGHUSER);
	if (!st->mine || !st->rx)
		return COH_ENOMEM;
	int r = coh_request_irq(s, NIC_IRQ, nic_irq, st, "nic-irq");
	if (r)
		return r;
	return coh_task_create(s, "worker", 0, worker, st) ? 0 : COH_EINVAL;
}

const coh_scenario coh_scenario_kmap_lock_irq = {
    .name = "kmap-lock-irq",
    .description = "an IRQ handler's dma_map_page reaches kmap_high_get while its CPU's task "
                   "holds kmap_lock",
    .models = "highmem: atomic highmem kmap page pinning, its locking half (2009, v2.6.31: "
              "lock_kmap_any, kmap_lock taken IRQ-safe)",
    .default_arch = "xscale",
    .ncpus = 1,
    .last_pkmap = 2,
    .kernel_version = KERNEL_VERSION(2, 6, 31),
    .needs_highmem = true,
    .fixes = {{"kmap-high-get",
               "dma_map_page pins a highmem page's kmap with kmap_high_get (any context)"},
              {"kmap-lock-irqsafe",
               "kmap_lock is taken with spin_lock_irq/irqsave (lock_kmap, lock_kmap_any)"},
              {NULL, NULL}},
    .variants = {{"buggy", {"kmap-high-get", NULL}},
                 {"fixed", {"kmap-high-get", "kmap-lock-irqsafe", NULL}},
                 {NULL, {NULL}}},
    .state_size = sizeof(struct kli_state),
    .setup = kli_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 2,
    .budget = 0,
    .demo = {{"buggy", "xscale", "lock-inversion", COH_STRATEGY_DFS, 2, 0, false},
             {"fixed", "xscale", "clean", COH_STRATEGY_DFS, 2, 0, true},
             /* every ARM calls kmap_high_get first, PIPT included */
             {"buggy", "cortex-a9", "lock-inversion", COH_STRATEGY_DFS, 2, 0, false},
             {"fixed", "cortex-a9", "clean", COH_STRATEGY_DFS, 2, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
