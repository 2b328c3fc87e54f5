/*
 * simblk_drv.c - the simblk-* scenarios' driver for the reference block
 * controller (simblk_drv.h), after drivers/block/nvme.c of v3.3: a
 * submission queue and a completion queue from dma_alloc_coherent,
 * commands copied into the submission queue under the queue's lock and
 * announced with writel() to the doorbell (whose wmb() orders the
 * command before it), completions taken by their phase bit in the IRQ
 * handler, which then writes the completion doorbell.
 *
 * Invariants: sq_tail is the next free slot (commands are posted in
 * order, under lock); a slot is reused only after its command completed
 * (the caller waits before it has depth - 1 outstanding); cq_head and
 * cq_phase are the IRQ handler's (hardirq, CPU 0).
 */
#include "scenarios/simblk_drv.h"

/* nvme_process_cq + nvme_irq, drivers/block/nvme.c (v3.3): every entry
 * whose phase is ours, then the CQ doorbell */
static irqreturn_t simblk_drv_irq(int irq, void *dev_id)
{
	COH_FRAME();
	struct simblk_drv *d = dev_id;
	(void)irq;
	u32 st = readl(iomem_add(d->regs, SIMBLK_IRQ_STATUS));
	writel(st, iomem_add(d->regs, SIMBLK_IRQ_STATUS));
	bool any = false;
	for (;;) {
		simptr cqe = simptr_add(d->cq, (long)(d->cq_head * SIMBLK_CQE_SIZE));
		u32 status = sim_read32(simptr_add(cqe, SIMBLK_CQE_STATUS));
		if ((status & SIMBLK_CQE_PHASE) != d->cq_phase)
			break;
		if (coh_fix_old("simblk-dma-rmb")) /* undeclared: always there */
			dma_rmb();                 /* the entry's other fields after its phase */
		u32 cid = sim_read32(simptr_add(cqe, SIMBLK_CQE_CID));
		if (++d->cq_head == d->depth) {
			d->cq_head = 0;
			d->cq_phase ^= SIMBLK_CQE_PHASE;
		}
		any = true;
		if (cid < d->depth) {
			d->cmd[cid].status = status >> 1;
			coh_complete(&d->cmd[cid].done);
		}
	}
	if (any)
		writel(d->cq_head, iomem_add(d->regs, SIMBLK_CQ_HEAD));
	return st || any ? IRQ_HANDLED : IRQ_NONE;
}

int simblk_drv_setup(struct simblk_drv *d, unsigned irq)
{
	d->blk = simblk_create("simblk", irq);
	if (!d->blk)
		return COH_ENOMEM;
	d->dev = &simblk_device(d->blk)->dev;
	spin_lock_init(&d->lock);
	for (unsigned i = 0; i < SIMBLK_MAX_DEPTH; i++)
		coh_init_completion(&d->cmd[i].done, "simblk-cmd");
	return request_irq(irq, simblk_drv_irq, 0, "simblk", d);
}

/* nvme_alloc_queue + nvme_configure_admin_queue, drivers/block/nvme.c
 * (v3.3): coherent queues, their addresses, then enable */
void simblk_drv_probe(struct simblk_drv *d, unsigned depth)
{
	COH_FRAME();
	struct sim_device *sd = simblk_device(d->blk);
	d->regs = ioremap(sd->mmio_base, SIMBLK_MMIO_SIZE);
	BUG_ON(iomem_is_null(d->regs));
	BUG_ON(depth < 2 || depth > SIMBLK_MAX_DEPTH);
	d->depth = depth;
	d->sq = dma_alloc_coherent(d->dev, depth * SIMBLK_SQE_SIZE, &d->sq_dma, GFP_KERNEL);
	d->cq = dma_alloc_coherent(d->dev, depth * SIMBLK_CQE_SIZE, &d->cq_dma, GFP_KERNEL);
	BUG_ON(simptr_is_null(d->sq) || simptr_is_null(d->cq));
	for (unsigned i = 0; i < depth * SIMBLK_CQE_SIZE; i += 4)
		sim_write32(simptr_add(d->cq, (long)i), 0); /* phase 0: nothing new */
	d->sq_tail = d->cq_head = 0;
	d->cq_phase = SIMBLK_CQE_PHASE;
	writel((u32)d->sq_dma, iomem_add(d->regs, SIMBLK_SQ_BASE));
	writel((u32)d->cq_dma, iomem_add(d->regs, SIMBLK_CQ_BASE));
	writel(depth, iomem_add(d->regs, SIMBLK_QDEPTH));
	writel(SIMBLK_IRQ_CQ, iomem_add(d->regs, SIMBLK_IRQ_MASK));
	writel(SIMBLK_CTRL_ENABLE, iomem_add(d->regs, SIMBLK_CTRL));
}

/* nvme_submit_cmd, drivers/block/nvme.c (v3.3): the command into the
 * slot at the tail, the tail on, writel() of the doorbell */
unsigned simblk_drv_submit(struct simblk_drv *d, u32 op, u32 lba, dma_addr_t buf, u32 nsect)
{
	COH_FRAME();
	unsigned long flags;
	spin_lock_irqsave(&d->lock, flags);
	unsigned id = d->sq_tail;
	simptr sqe = simptr_add(d->sq, (long)(id * SIMBLK_SQE_SIZE));
	sim_write32(simptr_add(sqe, SIMBLK_SQE_OPCODE), op);
	sim_write32(simptr_add(sqe, SIMBLK_SQE_LBA), lba);
	sim_write32(simptr_add(sqe, SIMBLK_SQE_ADDR), (u32)buf);
	sim_write32(simptr_add(sqe, SIMBLK_SQE_NSECT), nsect);
	coh_reinit_completion(&d->cmd[id].done);
	if (++d->sq_tail == d->depth)
		d->sq_tail = 0;
	writel(d->sq_tail, iomem_add(d->regs, SIMBLK_SQ_TAIL));
	spin_unlock_irqrestore(&d->lock, flags);
	return id;
}

u32 simblk_drv_wait(struct simblk_drv *d, unsigned id)
{
	COH_FRAME();
	coh_wait_for_completion(&d->cmd[id].done);
	return d->cmd[id].status;
}
