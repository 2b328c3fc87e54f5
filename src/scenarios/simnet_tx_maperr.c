/*
 * simnet_tx_maperr.c - a TX burst mapped under a small DMA mask without
 * checking dma_mapping_error.
 *
 * The NIC reaches only the low 64 KiB (dma_set_mask(DMA_BIT_MASK(16))),
 * and the packet buffers lie above: every mapping is bounced through one
 * of dmabounce's eight safe buffers (kernel/dma/dmabounce.c). A burst of
 * nine packets exhausts them; the ninth dma_map_single returns
 * DMA_MAPPING_ERROR, and the driver, which never asks, puts it in a
 * descriptor. The NIC's DMA at the error address is a bad-access (a bus
 * error on the real machine); with --keep-going DMA-API-debug adds, at the
 * unmaps, "device driver failed to check map error" (as dma-debug reports
 * since v3.9) and the unmap of the error address. The fix
 * checks every mapping and stops the queue at the first failure (the
 * `simnet-tx-maperr-check` switch): the ninth packet waits.
 *
 * A synthetic classic, not one commit: many drivers gained their
 * dma_mapping_error checks once dma-debug reported the missing ones.
 */
#include "scenarios/simnet_drv.h"

#define SME_IRQ 9
#define SME_BURST 9
#define SME_LEN 64

struct sme_state {
	struct simnet_drv d;
	dma_addr_t map[SME_BURST];
	unsigned posted, cleaned;
};

/* TX completion (hardirq): unmap what the NIC has sent. */
static void sme_tx_clean(struct simnet_drv *d)
{
	COH_FRAME();
	struct sme_state *st = d->priv;
	u32 head = readl(iomem_add(d->regs, SIMNET_TX_HEAD));
	while (st->cleaned < st->posted && st->cleaned % d->ntx != head) {
		dma_unmap_single(d->dev, st->map[st->cleaned], SME_LEN, DMA_TO_DEVICE);
		st->cleaned++;
	}
}

static void sme_xmit(void *arg)
{
	COH_FRAME();
	struct sme_state *st = arg;
	struct simnet_drv *d = &st->d;
	simnet_drv_probe(d, 16, 4);
	BUG_ON(dma_set_mask(d->dev, DMA_BIT_MASK(16)) != 0);
	/* the packets' pages: a 64 KiB run, above the mask */
	simptr pages = page_address(alloc_pages(GFP_KERNEL, 4));
	for (unsigned i = 0; i < SME_BURST; i++) {
		simptr skb = simptr_add(pages, (long)i * 1024);
		sim_memcpy_to(skb, "a packet of a TX burst", 23);
		dma_addr_t map = dma_map_single(d->dev, skb, SME_LEN, DMA_TO_DEVICE);
		if (coh_fix("simnet-tx-maperr-check") && dma_mapping_error(d->dev, map))
			break; /* netif_stop_queue: retried when a safe buffer is free */
		st->map[i] = map;
		simnet_drv_fill_tx(d, i, map, SME_LEN);
		st->posted++;
	}
	writel(st->posted, iomem_add(d->regs, SIMNET_TX_TAIL)); /* writel: ordered */
}

static int sme_setup(coh_sched *s, void *state)
{
	struct sme_state *st = state;
	st->d.on_tx = sme_tx_clean;
	st->d.priv = st;
	int r = simnet_drv_setup(&st->d, SME_IRQ);
	if (r)
		return r;
	return coh_task_create(s, "xmit", 0, sme_xmit, st) ? 0 : COH_EINVAL;
}

const coh_scenario coh_scenario_simnet_tx_maperr = {
    .name = "simnet-tx-maperr",
    .description = "a TX burst under a 16-bit DMA mask exhausts the bounce buffers; the driver "
                   "never checks dma_mapping_error",
    .models = "synthetic classic: a missing dma_mapping_error check (dmabounce, DMA-API-debug)",
    .default_arch = "xscale",
    .ncpus = 1,
    .fixes = {{"simnet-tx-maperr-check",
               "dma_mapping_error after each dma_map_single; stop the queue on failure"},
              {NULL, NULL}},
    .variants = {{"buggy", {NULL}}, {"fixed", {"simnet-tx-maperr-check", NULL}}, {NULL, {NULL}}},
    .state_size = sizeof(struct sme_state),
    .setup = sme_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 1,
    .budget = 0,
    .demo = {{"buggy", "xscale", "bad-access", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "xscale", "clean", COH_STRATEGY_DFS, 0, 0, true},
             {"buggy", "x86", "bad-access", COH_STRATEGY_DFS, 1, 0, false},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
