/*
 * simnet_rx_shared_line.c - a receive buffer that shares a cache line with
 * a field the CPU writes while the NIC owns the buffer.
 *
 * The driver keeps its receive buffer inside its private struct, right
 * after a packet counter, in one kmalloc object. It maps the buffer
 * DMA_FROM_DEVICE, posts it, and bumps the counter while the packet is on
 * its way: the counter's line, which also holds the buffer's first bytes,
 * is filled and dirtied during the DMA. After the NIC wrote the packet:
 *   - ARMv6/v7 (2.6.34+): dma_unmap_single invalidates the buffer, and
 *     v7_dma_inv_range cleans the partial first line: the dirty line's old
 *     buffer bytes are written back over the packet (lost-write);
 *   - ARMv5: the unmap does nothing and the CPU reads the packet's first
 *     bytes from the stale line (stale-read).
 * DMA-API-debug sees nothing: the counter lies outside the mapping. The fix
 * gives the buffer its own cache lines (____cacheline_aligned, the
 * `simnet-rx-cacheline-aligned` switch); x86 is coherent and clean.
 *
 * A synthetic classic (Documentation/DMA-API-HOWTO.txt: "DMA'ing to/from
 * ... a field of a structure shared with the CPU"), not one commit.
 */
#include "scenarios/simnet_drv.h"

#define SRX_IRQ 7
#define SRX_LEN 64

struct srx_state {
	struct simnet_drv d;
	u32 rx0; /* what the driver read from the packet's first word */
};

static void srx_rx(void *arg)
{
	COH_FRAME();
	struct srx_state *st = arg;
	struct simnet_drv *d = &st->d;
	simnet_drv_probe(d, 4, 4);
	/* struct priv { u32 rx_packets; u8 rxbuf[64]; } with or without
	 * ____cacheline_aligned on rxbuf */
	unsigned off =
	    coh_fix("simnet-rx-cacheline-aligned") ? coh_cache_line_size(kernel_machine()) : 4;
	simptr priv = kzalloc(off + SRX_LEN, GFP_KERNEL);
	BUG_ON(simptr_is_null(priv));
	simptr rxbuf = simptr_add(priv, off);
	dma_addr_t map = dma_map_single(d->dev, rxbuf, SRX_LEN, DMA_FROM_DEVICE);
	simnet_drv_fill_rx(d, 0, map, SRX_LEN);
	writel(1, iomem_add(d->regs, SIMNET_RX_TAIL)); /* ordered: writel has the wmb */
	static const char pkt[SRX_LEN] = "a packet from the wire, 64 bytes long, for the driver!";
	simnet_receive(d->nic, pkt, sizeof(pkt));
	sim_write32(priv, sim_read32(priv) + 1); /* rx_packets++, while the NIC owns rxbuf */
	coh_wait_for_completion(&d->rx_done);
	dma_unmap_single(d->dev, map, SRX_LEN, DMA_FROM_DEVICE);
	st->rx0 = sim_read32(rxbuf);
}

static int srx_setup(coh_sched *s, void *state)
{
	struct srx_state *st = state;
	int r = simnet_drv_setup(&st->d, SRX_IRQ);
	if (r)
		return r;
	return coh_task_create(s, "rx", 0, srx_rx, st) ? 0 : COH_EINVAL;
}

const coh_scenario coh_scenario_simnet_rx_shared_line = {
    .name = "simnet-rx-shared-line",
    .description = "an RX buffer shares a cache line with a counter the CPU bumps during the DMA",
    .models = "synthetic classic: a DMA buffer not cache-line aligned inside a driver's struct",
    .default_arch = "cortex-a9",
    .ncpus = 1,
    .fixes = {{"simnet-rx-cacheline-aligned",
               "the RX buffer starts on its own cache line (____cacheline_aligned)"},
              {NULL, NULL}},
    .variants = {{"buggy", {NULL}},
                 {"fixed", {"simnet-rx-cacheline-aligned", NULL}},
                 {NULL, {NULL}}},
    .state_size = sizeof(struct srx_state),
    .setup = srx_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 1,
    .budget = 0,
    .demo = {{"buggy", "cortex-a9", "lost-write", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "cortex-a9", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "xscale", "stale-read", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "xscale", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "x86", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
