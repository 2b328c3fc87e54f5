/*
 * io.c - MMIO register windows and interrupt lines for drivers:
 * ioremap/iounmap, readl/writel and their relaxed and 8/16-bit forms,
 * request_irq (include/cohsim/io.h).
 *
 * Interface: a device registers its window with coh__io_add_window()
 * (simdev.c); ioremap() hands out an address in [IOREMAP_BASE,
 * IOREMAP_END) for it. A register access looks the address up, records
 * the machine's MMIO event at the caller's line (a preemption point), then
 * runs the device's callback through coh_device_call(), as the device.
 * Invariants: windows and mappings live for one execution (reset by
 * coh__io_init); the lookup is a linear scan of at most IO_MAX entries,
 * in registration order (deterministic).
 */
#include <string.h>

#include "kernel/kernel_impl.h"

#define IOREMAP_BASE 0xF0000000ull /* VMALLOC_END: below the consistent area */
#define IOREMAP_END 0xF8000000ull
#define IO_MAX 16

/* An api-misuse finding triggered by a note event at the current site (the
 * caller's line), as dma/mapping.c reports a misused DMA API call. */
static void misuse(const char *call, coh_addr_t addr, const char *msg)
{
	coh_machine *m = coh__kernel.m;
	uint64_t no = coh_machine_note(m, (int)coh__cpu(), call);
	coh_finding *f = coh_check_report(coh__kernel.chk, COH_F_API_MISUSE, (int)coh__cpu(),
	                                  "%s: %s 0x%llx", call, msg, (unsigned long long)addr);
	if (f) {
		if (!coh_machine_event(m, no, &f->trigger))
			f->trigger.no = no;
		f->va = addr;
		f->has_addr = true;
	}
}

static struct {
	struct {
		phys_addr_t phys;
		size_t size;
		struct sim_device *sd;
	} win[IO_MAX];
	unsigned nwin;
	struct {
		coh_addr_t va;
		phys_addr_t phys;
		size_t size;
		bool used;
	} map[IO_MAX];
	coh_addr_t next_va;
	struct {
		irq_handler_t handler;
		void *dev_id;
	} irq[COH_MAX_IRQS];
} io;

int coh__io_init(void)
{
	memset(&io, 0, sizeof(io));
	io.next_va = IOREMAP_BASE;
	return COH_OK;
}

int coh__io_add_window(struct sim_device *sd)
{
	if (io.nwin == IO_MAX)
		return COH_ENOMEM;
	io.win[io.nwin].phys = sd->mmio_base;
	io.win[io.nwin].size = sd->mmio_size;
	io.win[io.nwin].sd = sd;
	io.nwin++;
	return COH_OK;
}

/* ioremap, arch/arm/mm/ioremap.c __arm_ioremap_caller (v2.6.35): a fresh
 * VA range for the window, a guard page after it */
iomem ioremap(phys_addr_t phys, size_t size)
{
	unsigned ps = coh_machine_page_size(coh__kernel.m);
	bool found = false;
	for (unsigned i = 0; i < io.nwin && !found; i++)
		found = phys >= io.win[i].phys && size &&
		        phys + size <= io.win[i].phys + io.win[i].size;
	if (!found)
		return IOMEM_NULL;
	coh_addr_t off = phys & (ps - 1);
	coh_addr_t len = (off + size + ps - 1) & ~(coh_addr_t)(ps - 1);
	for (unsigned i = 0; i < IO_MAX; i++) {
		if (io.map[i].used)
			continue;
		if (io.next_va + len + ps > IOREMAP_END)
			return IOMEM_NULL;
		io.map[i].used = true;
		io.map[i].va = io.next_va + off;
		io.map[i].phys = phys;
		io.map[i].size = size;
		io.next_va += len + ps;
		return (iomem){io.map[i].va};
	}
	return IOMEM_NULL;
}

/* iounmap, arch/arm/mm/ioremap.c __iounmap (v2.6.35) */
void iounmap(iomem addr)
{
	for (unsigned i = 0; i < IO_MAX; i++)
		if (io.map[i].used && io.map[i].va == addr.addr) {
			io.map[i].used = false;
			return;
		}
	misuse("iounmap", addr.addr, "an address ioremap did not return:");
}

/* The device and register offset of an access of size bytes at addr, or
 * NULL (an api-misuse finding at the caller's line). */
static struct sim_device *lookup(iomem addr, unsigned size, phys_addr_t *pa, unsigned *off)
{
	for (unsigned i = 0; i < IO_MAX; i++) {
		if (!io.map[i].used || addr.addr < io.map[i].va ||
		    addr.addr + size > io.map[i].va + io.map[i].size)
			continue;
		*pa = io.map[i].phys + (addr.addr - io.map[i].va);
		for (unsigned w = 0; w < io.nwin; w++)
			if (*pa >= io.win[w].phys && *pa < io.win[w].phys + io.win[w].size) {
				*off = (unsigned)(*pa - io.win[w].phys);
				return io.win[w].sd;
			}
	}
	(void)size;
	misuse("mmio", addr.addr, "a register access outside every ioremap'd window at");
	return NULL;
}

struct mmio_call {
	struct sim_device *sd;
	unsigned off, size;
	u32 v;
	bool write;
};

static void device_side(void *arg)
{
	struct mmio_call *c = arg;
	if (c->write) {
		if (c->sd->ops && c->sd->ops->write)
			c->sd->ops->write(c->sd, c->off, c->size, c->v);
	} else {
		c->v =
		    c->sd->ops && c->sd->ops->read ? c->sd->ops->read(c->sd, c->off, c->size) : 0;
	}
}

/* readl_relaxed / readl, arch/arm/include/asm/io.h (v2.6.35): __raw_readl,
 * then __iormb() = rmb() for readl */
u32 coh__mmio_read(iomem addr, unsigned size, bool relaxed, const char *file, unsigned line)
{
	coh_machine *m = coh__kernel.m;
	phys_addr_t pa;
	unsigned off;
	coh_machine_set_site(m, file, line);
	struct sim_device *sd = lookup(addr, size, &pa, &off);
	if (!sd)
		return ~0u;
	coh_mmio(m, coh__cpu(), pa, size, 0, false);
	uint64_t ev = coh_machine_events(m);
	struct mmio_call c = {sd, off, size, 0, false};
	coh_device_call(coh__kernel.s, device_side, &c);
	if (m->tracing && m->trace[ev % COH__TRACE_CAP].no == ev)
		m->trace[ev % COH__TRACE_CAP].value = c.v; /* the event shows what was read */
	coh_machine_set_site(m, file, line);
	if (!relaxed)
		coh__barrier(COH_RMB, file, line);
	return c.v;
}

/* writel_relaxed / writel, arch/arm/include/asm/io.h (v2.6.35): __iowmb()
 * = wmb() for writel, then __raw_writel */
void coh__mmio_write(iomem addr, unsigned size, u32 v, bool relaxed, const char *file,
                     unsigned line)
{
	coh_machine *m = coh__kernel.m;
	phys_addr_t pa;
	unsigned off;
	if (!relaxed)
		coh__barrier(COH_WMB, file, line);
	coh_machine_set_site(m, file, line);
	struct sim_device *sd = lookup(addr, size, &pa, &off);
	if (!sd)
		return;
	coh_mmio(m, coh__cpu(), pa, size, v, true);
	struct mmio_call c = {sd, off, size, v, true};
	coh_device_call(coh__kernel.s, device_side, &c);
	coh_machine_set_site(m, file, line);
}

static void irq_trampoline(unsigned irq, void *arg)
{
	(void)arg;
	if (irq < COH_MAX_IRQS && io.irq[irq].handler)
		io.irq[irq].handler((int)irq, io.irq[irq].dev_id);
}

/* request_irq, kernel/irq/manage.c request_threaded_irq (v2.6.35), no
 * thread, no sharing */
int request_irq(unsigned irq, irq_handler_t handler, unsigned long flags, const char *name,
                void *dev_id)
{
	(void)flags;
	if (irq >= COH_MAX_IRQS || !handler)
		return COH_EINVAL;
	int r = coh_request_irq(coh__kernel.s, irq, irq_trampoline, NULL, name);
	if (r)
		return r;
	io.irq[irq].handler = handler;
	io.irq[irq].dev_id = dev_id;
	return COH_OK;
}
