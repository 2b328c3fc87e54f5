/*
 * simblk_drv.h - a small driver for the reference block controller
 * (cohsim/simblk.h), in the shape of the first NVMe driver
 * (drivers/block/nvme.c, v3.3): queues in coherent memory, commands posted
 * under a lock and announced by a doorbell, completions taken in the IRQ
 * handler by their phase bit. The simblk-* scenarios use it; copy it for
 * a driver of your own. It leaves the data buffers' DMA mapping to its
 * caller, where block drivers' bugs live.
 */
#ifndef COHSIM_SCENARIOS_SIMBLK_DRV_H
#define COHSIM_SCENARIOS_SIMBLK_DRV_H

#include "cohsim/scenario.h"

struct simblk_drv {
	struct simblk *blk;
	struct device *dev;
	iomem regs;
	simptr sq, cq; /* coherent queues */
	dma_addr_t sq_dma, cq_dma;
	unsigned depth, sq_tail, cq_head;
	u32 cq_phase;
	spinlock_t lock; /* the submission queue's tail */
	struct {
		coh_completion done; /* completed by the IRQ handler */
		u32 status;
	} cmd[SIMBLK_MAX_DEPTH];
};

/* From setup(): the controller on IRQ line irq, and its handler. */
int simblk_drv_setup(struct simblk_drv *d, unsigned irq);
/* In a task: ioremap, coherent queues of depth entries, the registers,
 * interrupts on, the device enabled. */
void simblk_drv_probe(struct simblk_drv *d, unsigned depth);
/* Posts one command (op, first sector, the DMA address of a mapped
 * buffer, sectors) and rings the doorbell; returns its id, for
 * simblk_drv_wait. At most depth - 1 commands may be outstanding. */
unsigned simblk_drv_submit(struct simblk_drv *d, u32 op, u32 lba, dma_addr_t buf, u32 nsect);
/* Sleeps until command id completed; its status (0: success). */
u32 simblk_drv_wait(struct simblk_drv *d, unsigned id);

#endif
