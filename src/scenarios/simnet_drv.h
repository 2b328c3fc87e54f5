/*
 * simnet_drv.h - the small driver for the reference NIC (cohsim/simnet.h)
 * that the simnet-* scenarios share: probe, descriptor posting, the IRQ
 * handler. Each scenario adds the part its bug lives in.
 */
#ifndef COHSIM_SCENARIOS_SIMNET_DRV_H
#define COHSIM_SCENARIOS_SIMNET_DRV_H

#include "cohsim/scenario.h"

struct simnet_drv {
	struct simnet *nic;
	struct device *dev;
	iomem regs;
	simptr tx_ring, rx_ring; /* coherent descriptor rings */
	dma_addr_t tx_ring_dma, rx_ring_dma;
	unsigned ntx, nrx;
	coh_completion tx_done, rx_done; /* completed by the IRQ handler */
	/* Called by the IRQ handler (hardirq) before it completes tx_done /
	 * rx_done, if set: the scenario's TX clean-up and RX poll. */
	void (*on_tx)(struct simnet_drv *d);
	void (*on_rx)(struct simnet_drv *d);
	void *priv;
	u32 ctrl; /* CTRL bits the probe sets beside ENABLE (SIMNET_CTRL_POLL) */
};

/* From setup(): the NIC on IRQ line irq, and its handler. */
int simnet_drv_setup(struct simnet_drv *d, unsigned irq);
/* In a task: ioremap, coherent rings of ntx and nrx descriptors, the
 * registers, interrupts on, the device enabled (writel: ordered). */
void simnet_drv_probe(struct simnet_drv *d, unsigned ntx, unsigned nrx);
/* Fills descriptor i of a ring (address, length, then the OWN flag) with
 * plain stores to coherent memory: no barrier. */
void simnet_drv_fill_tx(struct simnet_drv *d, unsigned i, dma_addr_t buf, u32 len);
void simnet_drv_fill_rx(struct simnet_drv *d, unsigned i, dma_addr_t buf, u32 len);
/* The RX descriptor's received length, once its DONE flag is set. */
u32 simnet_drv_rx_len(struct simnet_drv *d, unsigned i);

#endif
