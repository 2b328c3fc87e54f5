/*
 * device.c - the device side of DMA: a device model's reads and writes of
 * memory at a device address.
 *
 * Interface: dma_dev_read/dma_dev_write (dma-mapping.h), macros that pass
 * the device model's own file and line. The events of the transfer carry
 * that site, never the line of whichever task ran last; the actor is
 * "device". After the access DMA-API-debug checks that the device did not
 * touch bytes the CPU owns (coh__dma_debug_device_access). dma_dev_poll is
 * a read the oracle does not judge (a device polling an ownership flag).
 *
 * A dma_addr_t is the PA (no IOMMU in the model).
 */
#include <string.h>

#include "kernel/kernel_impl.h"

/* The site and actor of a device access, restored afterwards so that the
 * task the device interrupted keeps its own. */
struct dev_site {
	const char *file;
	unsigned line;
	const char *actor;
};

static struct dev_site enter(const char *file, unsigned line)
{
	coh_machine *m = coh__kernel.m;
	struct dev_site saved = {m->site_file, m->site_line, m->actor};
	coh_machine_set_site(m, file, line);
	coh_machine_set_actor(m, "device");
	return saved;
}

/* A transfer at a device address outside memory: a bus error on the real
 * machine, the usual end of an unchecked DMA_MAPPING_ERROR. A bad-access
 * finding triggered by a note at the device's line. */
static void outside(struct device *dev, dma_addr_t addr, size_t len, bool write)
{
	coh_machine *m = coh__kernel.m;
	uint64_t no =
	    coh_machine_note(m, -1, write ? "dma-write outside memory" : "dma-read outside memory");
	coh_finding *f = coh_check_report(
	    coh__kernel.chk, COH_F_BAD_ACCESS, -1,
	    "%s: device DMA %s of %zu bytes at device address 0x%llx, outside memory%s",
	    dev && dev->name ? dev->name : "device", write ? "write" : "read", len,
	    (unsigned long long)addr,
	    addr == DMA_MAPPING_ERROR || addr == (u32)DMA_MAPPING_ERROR
	        ? " (DMA_MAPPING_ERROR: an unchecked failed mapping)"
	        : "");
	if (f) {
		if (!coh_machine_event(m, no, &f->trigger))
			f->trigger.no = no;
		f->pa = addr;
		f->has_addr = true;
	}
}

static void leave(struct dev_site saved)
{
	coh_machine_set_site(coh__kernel.m, saved.file, saved.line);
	coh_machine_set_actor(coh__kernel.m, saved.actor);
}

static int dev_read(struct device *dev, dma_addr_t addr, void *buf, size_t len, const char *file,
                    unsigned line, bool poll)
{
	struct dev_site saved = enter(file, line);
	int r = poll ? coh_dma_poll(coh__kernel.m, addr, buf, len)
	             : coh_dma_read(coh__kernel.m, addr, buf, len);
	if (r == COH_EFAULT) {
		memset(buf, 0xff, len); /* a bus error reads all ones */
		outside(dev, addr, len, false);
	} else {
		coh__dma_debug_device_access(dev, addr, len, false);
	}
	leave(saved);
	return r;
}

int coh__dma_dev_read(struct device *dev, dma_addr_t addr, void *buf, size_t len, const char *file,
                      unsigned line)
{
	return dev_read(dev, addr, buf, len, file, line, false);
}

int coh__dma_dev_poll(struct device *dev, dma_addr_t addr, void *buf, size_t len, const char *file,
                      unsigned line)
{
	return dev_read(dev, addr, buf, len, file, line, true);
}

int coh__dma_dev_write(struct device *dev, dma_addr_t addr, const void *buf, size_t len,
                       const char *file, unsigned line)
{
	struct dev_site saved = enter(file, line);
	int r = coh_dma_write(coh__kernel.m, addr, buf, len);
	if (r == COH_EFAULT)
		outside(dev, addr, len, true);
	else
		coh__dma_debug_device_access(dev, addr, len, true);
	leave(saved);
	return r;
}
