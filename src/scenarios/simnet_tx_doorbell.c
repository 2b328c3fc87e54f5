/*
 * simnet_tx_doorbell.c - a TX descriptor written to coherent memory, then
 * the doorbell rung with writel_relaxed and no barrier between them.
 *
 * On ARMv6/v7 dma_alloc_coherent memory is bufferable: the descriptor's
 * stores sit in the CPU's write buffer, and a relaxed register write does
 * not wait for them. The NIC fetches the descriptor as it sees the
 * doorbell and can read the old one (no OWN flag: it stops, the packet is
 * never sent). The oracle reports the device's read of the descriptor as
 * stale-dma. The fix is a barrier before the doorbell: wmb() (a dsb), or
 * writel(), whose __iowmb() is that barrier (the `simnet-tx-wmb` switch).
 * Other profiles give uncached, unbuffered coherent memory: clean there.
 *
 * A synthetic classic, not one commit: many drivers gained a wmb() before
 * their doorbell when ARMv6/v7 made coherent memory bufferable (2.6.3x).
 */
#include "scenarios/simnet_drv.h"

#define STX_IRQ 6

struct stx_state {
	struct simnet_drv d;
	dma_addr_t map; /* the packet's mapping, unmapped when it was sent */
};

/* TX completion (hardirq): the packet was sent, unmap its buffer. */
static void stx_tx_clean(struct simnet_drv *d)
{
	COH_FRAME();
	struct stx_state *st = d->priv;
	dma_unmap_single(d->dev, st->map, 32, DMA_TO_DEVICE);
}

static void stx_xmit(void *arg)
{
	COH_FRAME();
	struct stx_state *st = arg;
	struct simnet_drv *d = &st->d;
	simnet_drv_probe(d, 4, 4);
	simptr skb = kmalloc(64, GFP_KERNEL);
	BUG_ON(simptr_is_null(skb));
	sim_memcpy_to(skb, "cohsim says hello over simnet!!", 32);
	st->map = dma_map_single(d->dev, skb, 32, DMA_TO_DEVICE);
	simnet_drv_fill_tx(d, 0, st->map, 32);
	if (coh_fix("simnet-tx-wmb"))
		wmb(); /* the descriptor reaches memory before the doorbell */
	writel_relaxed(1, iomem_add(d->regs, SIMNET_TX_TAIL));
	/* done: the TX interrupt unmaps the buffer once the NIC sent it */
}

static int stx_setup(coh_sched *s, void *state)
{
	struct stx_state *st = state;
	st->d.on_tx = stx_tx_clean;
	st->d.priv = st;
	int r = simnet_drv_setup(&st->d, STX_IRQ);
	if (r)
		return r;
	return coh_task_create(s, "xmit", 0, stx_xmit, st) ? 0 : COH_EINVAL;
}

const coh_scenario coh_scenario_simnet_tx_doorbell = {
    .name = "simnet-tx-doorbell",
    .description = "a TX descriptor in bufferable coherent memory, then the doorbell with "
                   "writel_relaxed and no wmb()",
    .models = "synthetic classic: missing wmb() before a doorbell (bufferable coherent memory, "
              "ARMv6/v7)",
    .default_arch = "cortex-a9",
    .ncpus = 1,
    .fixes = {{"simnet-tx-wmb", "wmb() between the descriptor stores and the doorbell"},
              {NULL, NULL}},
    .variants = {{"buggy", {NULL}}, {"fixed", {"simnet-tx-wmb", NULL}}, {NULL, {NULL}}},
    .state_size = sizeof(struct stx_state),
    .setup = stx_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 1,
    .budget = 0,
    .demo = {{"buggy", "cortex-a9", "stale-dma", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "cortex-a9", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "armv6", "stale-dma", COH_STRATEGY_DFS, 1, 0, false},
             {"buggy", "xscale", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
