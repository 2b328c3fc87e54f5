/*
 * simnet_tx_own.c - a TX descriptor's body (buffer address, length) and
 * its OWN flag written to coherent memory with no dma_wmb() between them,
 * while the NIC's DMA engine is running.
 *
 * The reference NIC runs in OWN-bit mode (SIMNET_CTRL_POLL): once it has
 * sent a packet it goes on to the next descriptor by itself and takes it
 * if the OWN flag says so, doorbell or not. The driver queues packet 0 and
 * rings the doorbell; while packet 0 is on its way it fills descriptor 1.
 * On ARMv6/v7 dma_alloc_coherent memory is bufferable and stores between
 * two barriers may reach memory in any order: the OWN store can overtake
 * the address and length (the explorer's COH_CHOICE_WBUF, option 2), the
 * NIC finishes packet 0 right then, sees descriptor 1 owned and reads its
 * old body. The oracle reports that read as stale-dma; the cause names the
 * store that overtook. The fix is dma_wmb() between the body and the OWN
 * flag (memory-barriers.txt's example; `simnet-tx-dma-wmb`). The doorbell
 * after it is writel(), whose own wmb() orders everything before it.
 *
 * A synthetic classic, not one commit: the missing dma_wmb() (wmb() before
 * v3.19) between a descriptor and its ownership bit was fixed in many
 * drivers for ARM SoCs.
 */
#include "scenarios/simnet_drv.h"

#define STO_IRQ 7
#define STO_LEN 32

struct sto_state {
	struct simnet_drv d;
	dma_addr_t map[2];
	unsigned cleaned; /* TX descriptors whose buffers were unmapped */
};

/* TX completion (hardirq): unmap what the NIC has sent (up to TX_HEAD). */
static void sto_tx_clean(struct simnet_drv *d)
{
	COH_FRAME();
	struct sto_state *st = d->priv;
	u32 head = readl(iomem_add(d->regs, SIMNET_TX_HEAD));
	while (st->cleaned < 2 && st->cleaned != head) {
		dma_unmap_single(d->dev, st->map[st->cleaned], STO_LEN, DMA_TO_DEVICE);
		st->cleaned++;
	}
}

/* The driver's xmit of one packet into descriptor i: the body, then OWN. */
static void sto_xmit_one(struct sto_state *st, unsigned i, const char *text)
{
	COH_FRAME();
	struct simnet_drv *d = &st->d;
	simptr skb = kmalloc(64, GFP_KERNEL);
	BUG_ON(simptr_is_null(skb));
	sim_memcpy_to(skb, text, STO_LEN);
	st->map[i] = dma_map_single(d->dev, skb, STO_LEN, DMA_TO_DEVICE);
	BUG_ON(dma_mapping_error(d->dev, st->map[i]));
	simptr desc = simptr_add(d->tx_ring, (long)(i * SIMNET_DESC_SIZE));
	sim_write32(simptr_add(desc, SIMNET_DESC_ADDR), (u32)st->map[i]);
	sim_write32(simptr_add(desc, SIMNET_DESC_LEN), STO_LEN);
	if (coh_fix("simnet-tx-dma-wmb"))
		dma_wmb(); /* the body reaches memory before the device can own it */
	sim_write32(simptr_add(desc, SIMNET_DESC_FLAGS), SIMNET_DESC_OWN);
	writel(i + 1, iomem_add(d->regs, SIMNET_TX_TAIL)); /* poll demand */
}

static void sto_xmit(void *arg)
{
	COH_FRAME();
	struct sto_state *st = arg;
	simnet_drv_probe(&st->d, 4, 4);
	sto_xmit_one(st, 0, "packet zero, sent by the NIC....");
	sto_xmit_one(st, 1, "packet one, fetched after zero.");
}

static int sto_setup(coh_sched *s, void *state)
{
	struct sto_state *st = state;
	st->d.on_tx = sto_tx_clean;
	st->d.priv = st;
	st->d.ctrl = SIMNET_CTRL_POLL;
	int r = simnet_drv_setup(&st->d, STO_IRQ);
	if (r)
		return r;
	return coh_task_create(s, "xmit", 0, sto_xmit, st) ? 0 : COH_EINVAL;
}

const coh_scenario coh_scenario_simnet_tx_own = {
    .name = "simnet-tx-own",
    .description = "a TX descriptor's body and OWN flag in bufferable coherent memory with no "
                   "dma_wmb() between them, the NIC's DMA engine running",
    .models = "synthetic classic: missing dma_wmb() between a descriptor and its OWN bit "
              "(bufferable coherent memory, ARMv6/v7)",
    .default_arch = "cortex-a9",
    .ncpus = 1,
    .fixes = {{"simnet-tx-dma-wmb", "dma_wmb() between the descriptor's body and its OWN flag"},
              {NULL, NULL}},
    .variants = {{"buggy", {NULL}}, {"fixed", {"simnet-tx-dma-wmb", NULL}}, {NULL, {NULL}}},
    .state_size = sizeof(struct sto_state),
    .setup = sto_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 3,
    .budget = 0,
    .demo = {{"buggy", "cortex-a9", "stale-dma", COH_STRATEGY_DFS, 3, 0, false},
             {"fixed", "cortex-a9", "clean", COH_STRATEGY_DFS, 3, 0, true},
             {"buggy", "armv6", "stale-dma", COH_STRATEGY_DFS, 3, 0, false},
             {"buggy", "x86", "clean", COH_STRATEGY_DFS, 3, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
