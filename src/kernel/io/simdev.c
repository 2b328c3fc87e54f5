/*
 * simdev.c - the simulated-device abstraction (include/cohsim/io.h): a
 * register window, an IRQ line and completion timers.
 *
 * Interface: sim_device_register() gives a device its window in the
 * execution's MMIO space (from MMIO_BASE up, one page apart, in
 * registration order) and tells io.c about it; sim_device_raise_irq() and
 * sim_device_later() are the device's interrupt and its timers, on the
 * sched layer's IRQ lines and pending I/O completions. A device's DMA goes
 * through dma_dev_read/dma_dev_write (dma/device.c).
 * Invariants: MMIO space lies above every machine's memory, so a register
 * address is never a RAM address; the allocator restarts at each
 * kernel_init (coh__simdev_init).
 */
#include "kernel/kernel_impl.h"

#define MMIO_BASE 0xD0000000ull

static phys_addr_t next_mmio;

int coh__simdev_init(void)
{
	next_mmio = MMIO_BASE;
	int r = coh__simnet_init();
	if (!r)
		r = coh__simblk_init();
	return r ? r : coh__io_init();
}

/* a platform_device with one MEM and one IRQ resource,
 * drivers/base/platform.c platform_device_register (v2.6.35) */
int sim_device_register(struct sim_device *sd, const char *name, size_t mmio_size, unsigned irq,
                        const struct sim_device_ops *ops, void *priv)
{
	unsigned ps = coh_machine_page_size(coh__kernel.m);
	if (!sd || !mmio_size || mmio_size % 4 || mmio_size > ps || irq >= COH_MAX_IRQS)
		return COH_EINVAL;
	sd->dev.name = name;
	sd->ops = ops;
	sd->mmio_base = next_mmio;
	sd->mmio_size = mmio_size;
	sd->irq = irq;
	sd->priv = priv;
	int r = coh__io_add_window(sd);
	if (r == COH_OK)
		next_mmio += ps;
	return r;
}

void sim_device_raise_irq(struct sim_device *sd)
{
	coh_irq_raise(coh__kernel.s, sd->irq, 0);
}

void sim_device_later(struct sim_device *sd, coh_task_fn fn, void *arg, const char *what)
{
	(void)sd;
	coh_io_complete_later(coh__kernel.s, fn, arg, what);
}
