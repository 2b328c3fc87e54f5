/*
 * simnet_drv.c - the simnet-* scenarios' shared driver for the reference
 * NIC (simnet_drv.h), written as a 2.6.3x driver would be: coherent
 * descriptor rings from dma_alloc_coherent, registers through
 * ioremap/readl/writel, an IRQ handler that acknowledges the status and
 * completes the waiting task. It leaves ordering and cache maintenance of
 * the packet buffers to the scenario.
 */
#include "scenarios/simnet_drv.h"

static irqreturn_t simnet_drv_irq(int irq, void *dev_id)
{
	COH_FRAME();
	struct simnet_drv *d = dev_id;
	(void)irq;
	u32 st = readl(iomem_add(d->regs, SIMNET_IRQ_STATUS));
	writel(st, iomem_add(d->regs, SIMNET_IRQ_STATUS));
	if ((st & SIMNET_IRQ_TX) && d->on_tx)
		d->on_tx(d);
	if (st & SIMNET_IRQ_TX)
		coh_complete(&d->tx_done);
	if ((st & SIMNET_IRQ_RX) && d->on_rx)
		d->on_rx(d);
	if (st & SIMNET_IRQ_RX)
		coh_complete(&d->rx_done);
	return st ? IRQ_HANDLED : IRQ_NONE;
}

int simnet_drv_setup(struct simnet_drv *d, unsigned irq)
{
	d->nic = simnet_create("simnet", irq);
	if (!d->nic)
		return COH_ENOMEM;
	d->dev = &simnet_device(d->nic)->dev;
	coh_init_completion(&d->tx_done, "tx_done");
	coh_init_completion(&d->rx_done, "rx_done");
	return request_irq(irq, simnet_drv_irq, 0, "simnet", d);
}

void simnet_drv_probe(struct simnet_drv *d, unsigned ntx, unsigned nrx)
{
	COH_FRAME();
	struct sim_device *sd = simnet_device(d->nic);
	d->regs = ioremap(sd->mmio_base, SIMNET_MMIO_SIZE);
	BUG_ON(iomem_is_null(d->regs));
	d->ntx = ntx;
	d->nrx = nrx;
	d->tx_ring =
	    dma_alloc_coherent(d->dev, ntx * SIMNET_DESC_SIZE, &d->tx_ring_dma, GFP_KERNEL);
	d->rx_ring =
	    dma_alloc_coherent(d->dev, nrx * SIMNET_DESC_SIZE, &d->rx_ring_dma, GFP_KERNEL);
	BUG_ON(simptr_is_null(d->tx_ring) || simptr_is_null(d->rx_ring));
	writel((u32)d->tx_ring_dma, iomem_add(d->regs, SIMNET_TX_RING));
	writel(ntx, iomem_add(d->regs, SIMNET_TX_COUNT));
	writel((u32)d->rx_ring_dma, iomem_add(d->regs, SIMNET_RX_RING));
	writel(nrx, iomem_add(d->regs, SIMNET_RX_COUNT));
	writel(SIMNET_IRQ_TX | SIMNET_IRQ_RX, iomem_add(d->regs, SIMNET_IRQ_MASK));
	writel(SIMNET_CTRL_ENABLE | d->ctrl, iomem_add(d->regs, SIMNET_CTRL));
}

static void fill(simptr desc, dma_addr_t buf, u32 len)
{
	COH_FRAME();
	sim_write32(simptr_add(desc, SIMNET_DESC_ADDR), (u32)buf);
	sim_write32(simptr_add(desc, SIMNET_DESC_LEN), len);
	sim_write32(simptr_add(desc, SIMNET_DESC_FLAGS), SIMNET_DESC_OWN);
}

void simnet_drv_fill_tx(struct simnet_drv *d, unsigned i, dma_addr_t buf, u32 len)
{
	fill(simptr_add(d->tx_ring, (long)(i * SIMNET_DESC_SIZE)), buf, len);
}

void simnet_drv_fill_rx(struct simnet_drv *d, unsigned i, dma_addr_t buf, u32 len)
{
	fill(simptr_add(d->rx_ring, (long)(i * SIMNET_DESC_SIZE)), buf, len);
}

u32 simnet_drv_rx_len(struct simnet_drv *d, unsigned i)
{
	simptr desc = simptr_add(d->rx_ring, (long)(i * SIMNET_DESC_SIZE));
	return sim_read32(simptr_add(desc, SIMNET_DESC_LEN));
}
