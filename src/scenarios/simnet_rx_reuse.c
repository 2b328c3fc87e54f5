/*
 * simnet_rx_reuse.c - a receive buffer mapped once and handed back to the
 * NIC after each packet without dma_sync_single_for_device.
 *
 * The driver maps one RX buffer at probe (DMA_FROM_DEVICE) and recycles
 * it: for each packet it calls dma_sync_single_for_cpu, reads the packet,
 * and posts the same buffer again. Without the sync_for_device the CPU
 * keeps the lines it filled reading the first packet:
 *   - ARMv5 (2.6.3x): sync_for_cpu does nothing (v4wb_dma_unmap_area), so
 *     reading the second packet returns the first one's bytes (stale-read);
 *   - ARMv6/v7 (2.6.34+): sync_for_cpu invalidates, so the data is right,
 *     but the buffer still belongs to the CPU when the NIC writes it.
 * DMA-API-debug reports the device writing memory the CPU owns
 * (api-misuse), at the NIC's line. The fix syncs the buffer back to the
 * device before reposting it (the `simnet-rx-sync-for-device` switch).
 *
 * A synthetic classic (the buffer-recycling pattern of
 * Documentation/DMA-API-HOWTO.txt), not one commit.
 */
#include "scenarios/simnet_drv.h"

#define SRU_IRQ 8
#define SRU_LEN 32

struct sru_state {
	struct simnet_drv d;
	u32 got[2]; /* the first word of each packet, as the driver read it */
};

static void sru_rx(void *arg)
{
	COH_FRAME();
	struct sru_state *st = arg;
	struct simnet_drv *d = &st->d;
	simnet_drv_probe(d, 4, 4);
	simptr rxbuf = kmalloc(SRU_LEN, GFP_KERNEL);
	BUG_ON(simptr_is_null(rxbuf));
	dma_addr_t map = dma_map_single(d->dev, rxbuf, SRU_LEN, DMA_FROM_DEVICE);
	static const char pkt[2][SRU_LEN] = {"first packet", "second packet"};
	for (unsigned i = 0; i < 2; i++) {
		simnet_drv_fill_rx(d, i, map, SRU_LEN);
		writel(i + 1, iomem_add(d->regs, SIMNET_RX_TAIL));
		simnet_receive(d->nic, pkt[i], SRU_LEN);
		coh_wait_for_completion(&d->rx_done);
		dma_sync_single_for_cpu(d->dev, map, SRU_LEN, DMA_FROM_DEVICE);
		st->got[i] = sim_read32(rxbuf); /* netif_receive_skb of a copy */
		if (coh_fix("simnet-rx-sync-for-device"))
			dma_sync_single_for_device(d->dev, map, SRU_LEN, DMA_FROM_DEVICE);
	}
	dma_unmap_single(d->dev, map, SRU_LEN, DMA_FROM_DEVICE);
}

static int sru_setup(coh_sched *s, void *state)
{
	struct sru_state *st = state;
	int r = simnet_drv_setup(&st->d, SRU_IRQ);
	if (r)
		return r;
	return coh_task_create(s, "rx", 0, sru_rx, st) ? 0 : COH_EINVAL;
}

const coh_scenario coh_scenario_simnet_rx_reuse = {
    .name = "simnet-rx-reuse",
    .description = "an RX buffer reposted after each packet without dma_sync_single_for_device",
    .models = "synthetic classic: a recycled streaming RX buffer not synced back to the device",
    .default_arch = "xscale",
    .ncpus = 1,
    .fixes = {{"simnet-rx-sync-for-device",
               "dma_sync_single_for_device before the buffer is posted again"},
              {NULL, NULL}},
    .variants = {{"buggy", {NULL}}, {"fixed", {"simnet-rx-sync-for-device", NULL}}, {NULL, {NULL}}},
    .state_size = sizeof(struct sru_state),
    .setup = sru_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 1,
    .budget = 0,
    /* the first report is DMA-API-debug's; --keep-going adds the oracle's
     * stale-read on xscale (tests/cli_drivers.sh) */
    .demo = {{"buggy", "xscale", "api-misuse", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "xscale", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "cortex-a9", "api-misuse", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "cortex-a9", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
