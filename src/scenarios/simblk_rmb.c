/*
 * simblk_rmb.c - a block driver's completion handler reads an entry's
 * phase and then its command id with no read barrier between them.
 *
 * A task posts two READs on the reference block controller through the
 * small NVMe-style driver (simblk_drv.c) and waits for both. The IRQ
 * handler takes every completion entry whose phase bit is the driver's;
 * for each it reads the phase, then the command id. On ARMv6/v7 the
 * completion queue is normal non-cacheable memory, and two loads of it are
 * ordered only by a barrier: without the dma_rmb() the id's load can be
 * satisfied before the phase's. If the controller writes the second entry
 * while the handler is between its barrier (the complete() of the first
 * command) and that entry's phase load, the handler sees the new phase and
 * the old id (0): it completes command 0 again and command 1 never. The
 * oracle reports the stale read of the id at the handler's line; the cause
 * names both loads and the missing dma_rmb(). The fix is the dma_rmb()
 * between the two loads (`simblk-dma-rmb`), as nvme_process_cq has had
 * since its first version. Clean on xscale (ARMv5: the queues are
 * uncached, loads in order) and on x86 (coherent, loads in order).
 *
 * A synthetic classic, not one commit: missing rmb()/dma_rmb() after a
 * descriptor's status check has been fixed in many NIC and storage
 * drivers (memory-barriers.txt's dma_rmb() example is this pattern).
 */
#include "scenarios/simblk_drv.h"

#define SBR_IRQ 9

struct sbr_state {
	struct simblk_drv d;
};

static void sbr_io(void *arg)
{
	COH_FRAME();
	struct sbr_state *st = arg;
	struct simblk_drv *d = &st->d;
	simblk_drv_probe(d, 4);
	simptr buf[2];
	dma_addr_t h[2];
	unsigned id[2];
	for (unsigned i = 0; i < 2; i++) {
		buf[i] = kmalloc(SIMBLK_SECTOR_SIZE, GFP_KERNEL);
		BUG_ON(simptr_is_null(buf[i]));
		h[i] = dma_map_single(d->dev, buf[i], SIMBLK_SECTOR_SIZE, DMA_FROM_DEVICE);
		BUG_ON(dma_mapping_error(d->dev, h[i]));
	}
	for (unsigned i = 0; i < 2; i++)
		id[i] = simblk_drv_submit(d, SIMBLK_OP_READ, 1 + i, h[i], 1);
	for (unsigned i = 0; i < 2; i++) {
		BUG_ON(simblk_drv_wait(d, id[i]) != 0);
		dma_unmap_single(d->dev, h[i], SIMBLK_SECTOR_SIZE, DMA_FROM_DEVICE);
		kfree(buf[i]);
	}
}

static int sbr_setup(coh_sched *s, void *state)
{
	struct sbr_state *st = state;
	int r = simblk_drv_setup(&st->d, SBR_IRQ);
	if (r)
		return r;
	return coh_task_create(s, "io", 0, sbr_io, st) ? 0 : COH_EINVAL;
}

const coh_scenario coh_scenario_simblk_rmb = {
    .name = "simblk-rmb",
    .description = "a block driver's IRQ handler reads a completion's phase, then its command "
                   "id, with no dma_rmb() between",
    .models = "synthetic classic: a missing read barrier after a completion's status check "
              "(the reference block controller)",
    .default_arch = "cortex-a9",
    .ncpus = 1,
    .fixes = {{"simblk-dma-rmb", "dma_rmb() between the phase and the rest of the entry"},
              {NULL, NULL}},
    .variants = {{"buggy", {NULL}}, {"fixed", {"simblk-dma-rmb", NULL}}, {NULL, {NULL}}},
    .state_size = sizeof(struct sbr_state),
    .setup = sbr_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 2,
    .budget = 0,
    .demo = {{"buggy", "cortex-a9", "stale-read", COH_STRATEGY_DFS, 2, 0, false},
             {"fixed", "cortex-a9", "clean", COH_STRATEGY_DFS, 2, 0, true},
             {"buggy", "xscale", "clean", COH_STRATEGY_DFS, 2, 0, true},
             {"buggy", "x86", "clean", COH_STRATEGY_DFS, 2, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
