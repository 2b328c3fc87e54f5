/*
 * mapping.c - the streaming DMA API (arch/arm/mm/dma-mapping.c) with
 * DMA-API-debug checks (kernel/dma/debug.c).
 *
 * Interface: dma_map_page/dma_unmap_page, dma_map_single/dma_unmap_single,
 * dma_sync_single_for_cpu/_for_device (linux.h); for the layers that touch
 * simulated memory: coh__dma_owned_by_device() and
 * coh__dma_debug_cpu_access() (kernel_impl.h).
 *
 * A dma_addr_t is the PA. Mapping hands the buffer to the device: the cache
 * is made to agree with memory by the arch's own DMA maintenance
 * (arch/arm.c's dma_cache_maint_page, PA-RISC's pa11_dma_*, MIPS's
 * __dma_sync, SH's dma_cache_sync; nothing on x86), line by line, on the
 * CPU that maps. Unmapping (or sync_for_cpu) hands it back.
 *
 * Debug (always on, like CONFIG_DMA_API_DEBUG): every mapping is an entry
 * {dev, addr, size, dir}; unmap/sync of an unknown address, a double unmap,
 * an unmap with another size or direction, and a CPU access (from the
 * simptr accessors) to a buffer the device owns are api-misuse findings.
 * Like dma-debug, the checks only report: a bad unmap or sync still does
 * its cache maintenance (a double unmap invalidates twice).
 * A CPU write to any device-owned buffer is misuse; so is a CPU read of a
 * FROM_DEVICE or BIDIRECTIONAL one (a TO_DEVICE buffer may be read).
 * Data lost by mapping a dirty buffer FROM_DEVICE is not checked here: the
 * invalidation discards the lines and the oracle reports the lost write.
 */
#include <string.h>

#include "kernel/arch/cacheflush.h"

#define DMA_DEBUG_ENTRIES 64
#define DMA_DEBUG_FREED 16

struct dma_debug_entry {
	bool used;
	bool cpu_owns; /* between sync_for_cpu and sync_for_device */
	bool reported; /* one CPU-access report per mapping */
	const struct device *dev;
	dma_addr_t addr;
	size_t size;
	enum dma_data_direction dir;
};

static struct {
	struct dma_debug_entry e[DMA_DEBUG_ENTRIES];
	unsigned nactive;
	/* recently unmapped, to tell a double unmap from a wild one */
	struct dma_debug_entry freed[DMA_DEBUG_FREED];
	unsigned nfreed;
} dd;

int coh__dma_debug_init(void)
{
	memset(&dd, 0, sizeof(dd));
	return COH_OK;
}

static const char *dir2name(enum dma_data_direction dir)
{
	static const char *const names[] = {"DMA_BIDIRECTIONAL", "DMA_TO_DEVICE", "DMA_FROM_DEVICE",
	                                    "DMA_NONE"};
	return (unsigned)dir < 4 ? names[dir] : "DMA_?";
}

static const char *devname(const struct device *dev)
{
	return dev && dev->name ? dev->name : "device";
}

static void misuse(dma_addr_t addr, const char *fmt, const char *a, unsigned long long x,
                   unsigned long long y)
{
	char msg[200];
	snprintf(msg, sizeof(msg), fmt, a, x, y);
	coh_finding *f = coh_check_report(coh__kernel.chk, COH_F_API_MISUSE, (int)coh__cpu(),
	                                  "DMA-API: %s", msg);
	if (f) {
		f->pa = addr;
		f->has_addr = true;
	}
}

static struct dma_debug_entry *find_entry(const struct device *dev, dma_addr_t addr)
{
	for (unsigned i = 0; i < DMA_DEBUG_ENTRIES; i++)
		if (dd.e[i].used && dd.e[i].dev == dev && dd.e[i].addr == addr)
			return &dd.e[i];
	return NULL;
}

/* The mapping of dev that contains [addr, addr+size), for the syncs. */
static struct dma_debug_entry *find_containing(const struct device *dev, dma_addr_t addr,
                                               size_t size)
{
	for (unsigned i = 0; i < DMA_DEBUG_ENTRIES; i++) {
		struct dma_debug_entry *e = &dd.e[i];
		if (e->used && e->dev == dev && addr >= e->addr && addr + size <= e->addr + e->size)
			return e;
	}
	return NULL;
}

static void debug_map(const struct device *dev, dma_addr_t addr, size_t size,
                      enum dma_data_direction dir)
{
	for (unsigned i = 0; i < DMA_DEBUG_ENTRIES; i++) {
		if (dd.e[i].used)
			continue;
		dd.e[i] = (struct dma_debug_entry){
		    .used = true, .dev = dev, .addr = addr, .size = size, .dir = dir};
		dd.nactive++;
		return;
	}
	/* dma-debug disables itself when it runs out of entries; so do we */
}

/* check_unmap(): checks an unmap against the map. It only reports: the
 * unmap goes on whatever it finds, as in Linux. */
static void debug_unmap(const struct device *dev, dma_addr_t addr, size_t size,
                        enum dma_data_direction dir)
{
	struct dma_debug_entry *e = find_entry(dev, addr);
	if (!e) {
		bool dbl = false;
		for (unsigned i = 0; i < DMA_DEBUG_FREED && i < dd.nfreed; i++)
			dbl |= dd.freed[i].dev == dev && dd.freed[i].addr == addr;
		misuse(addr,
		       dbl ? "%s: device driver unmaps DMA memory twice (double unmap) "
		             "[device address=0x%08llx] [size=%llu bytes]"
		           : "%s: device driver tries to free DMA memory it has not allocated "
		             "[device address=0x%08llx] [size=%llu bytes]",
		       devname(dev), (unsigned long long)addr, (unsigned long long)size);
		return;
	}
	if (e->size != size)
		misuse(addr,
		       "%s: device driver frees DMA memory with different size [map size=%llu "
		       "bytes] [unmap size=%llu bytes]",
		       devname(dev), (unsigned long long)e->size, (unsigned long long)size);
	if (e->dir != dir) {
		char msg[160];
		snprintf(msg, sizeof(msg),
		         "%s: device driver frees DMA memory with different direction "
		         "[device address=0x%08llx] [map direction=%s] [unmap direction=%s]",
		         devname(dev), (unsigned long long)addr, dir2name(e->dir), dir2name(dir));
		coh_finding *f = coh_check_report(coh__kernel.chk, COH_F_API_MISUSE,
		                                  (int)coh__cpu(), "DMA-API: %s", msg);
		if (f) {
			f->pa = addr;
			f->has_addr = true;
		}
	}
	dd.freed[dd.nfreed++ % DMA_DEBUG_FREED] = *e;
	e->used = false;
	dd.nactive--;
}

static struct dma_debug_entry *debug_sync(const struct device *dev, dma_addr_t addr, size_t size,
                                          enum dma_data_direction dir, const char *what)
{
	struct dma_debug_entry *e = find_containing(dev, addr, size);
	if (!e) {
		misuse(addr,
		       "%s: device driver tries to sync DMA memory it has not allocated "
		       "[device address=0x%08llx] [size=%llu bytes]",
		       devname(dev), (unsigned long long)addr, (unsigned long long)size);
		return NULL;
	}
	if (e->dir != dir) {
		char msg[160];
		snprintf(msg, sizeof(msg),
		         "%s: device driver syncs DMA memory %s with different direction "
		         "[device address=0x%08llx] [mapped as %s] [synced as %s]",
		         devname(dev), what, (unsigned long long)addr, dir2name(e->dir),
		         dir2name(dir));
		coh_finding *f = coh_check_report(coh__kernel.chk, COH_F_API_MISUSE,
		                                  (int)coh__cpu(), "DMA-API: %s", msg);
		if (f) {
			f->pa = addr;
			f->has_addr = true;
		}
	}
	return e;
}

bool coh__dma_owned_by_device(phys_addr_t pa, size_t len)
{
	for (unsigned i = 0; dd.nactive && i < DMA_DEBUG_ENTRIES; i++) {
		const struct dma_debug_entry *e = &dd.e[i];
		if (e->used && !e->cpu_owns && pa < e->addr + e->size && e->addr < pa + len)
			return true;
	}
	return false;
}

void coh__dma_debug_cpu_access(coh_addr_t va, size_t len, bool write)
{
	if (!dd.nactive || len == 0)
		return;
	coh_machine *m = coh__kernel.m;
	unsigned cpu = coh__cpu();
	coh_addr_t page = coh_machine_page_size(m);
	while (len) {
		size_t chunk = (size_t)(page - (va & (page - 1)));
		if (chunk > len)
			chunk = len;
		coh_addr_t pa;
		enum coh_attr attr;
		if (coh_translate(m, cpu, va, &pa, &attr) == COH_OK) {
			for (unsigned i = 0; i < DMA_DEBUG_ENTRIES; i++) {
				struct dma_debug_entry *e = &dd.e[i];
				if (!e->used || e->cpu_owns || e->reported ||
				    pa >= e->addr + e->size || e->addr >= pa + chunk)
					continue;
				if (!write && e->dir == DMA_TO_DEVICE)
					continue;
				e->reported = true;
				coh_finding *f = coh_check_report(
				    coh__kernel.chk, COH_F_API_MISUSE, (int)cpu,
				    "DMA-API: cpu%u %s %zu bytes at va 0x%08llx (pa 0x%08llx) "
				    "while "
				    "%s owns it [device address=0x%08llx] [size=%zu bytes] [%s]",
				    cpu, write ? "writes" : "reads", chunk, (unsigned long long)va,
				    (unsigned long long)pa, devname(e->dev),
				    (unsigned long long)e->addr, e->size, dir2name(e->dir));
				if (f) {
					f->va = va;
					f->pa = pa;
					f->has_addr = true;
				}
			}
		}
		va += chunk;
		len -= chunk;
	}
}

/* ---- cache maintenance: the arch's own (arch/cacheflush.c) ---- */

static void dma_page_cpu_to_dev(struct page *page, size_t off, size_t size,
                                enum dma_data_direction dir)
{
	COH_FRAME();
	coh__dma_page_cpu_to_dev(page, off, size, dir);
}

static void dma_page_dev_to_cpu(struct page *page, size_t off, size_t size,
                                enum dma_data_direction dir)
{
	COH_FRAME();
	coh__dma_page_dev_to_cpu(page, off, size, dir);
}

static struct page *dma_to_page(dma_addr_t addr)
{
	return pfn_to_page((unsigned long)(addr >> coh__kernel.page_shift));
}

static size_t dma_offset(dma_addr_t addr)
{
	return (size_t)(addr & (coh_machine_page_size(coh__kernel.m) - 1));
}

/* ---- the API ---- */

dma_addr_t dma_map_page(struct device *dev, struct page *page, size_t offset, size_t size,
                        enum dma_data_direction dir)
{
	COH_FRAME();
	BUG_ON(dir == DMA_NONE);
	dma_page_cpu_to_dev(page, offset, size, dir);
	dma_addr_t addr = page_to_phys(page) + offset;
	debug_map(dev, addr, size, dir);
	return addr;
}

void dma_unmap_page(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	COH_FRAME();
	debug_unmap(dev, addr, size, dir);
	struct page *page = dma_to_page(addr);
	if (!page) { /* no struct page behind the address: Linux oopses */
		BUG();
		return;
	}
	dma_page_dev_to_cpu(page, dma_offset(addr), size, dir);
}

dma_addr_t dma_map_single(struct device *dev, simptr ptr, size_t size, enum dma_data_direction dir)
{
	COH_FRAME();
	BUG_ON(dir == DMA_NONE);
	/* virt_addr_valid(): lowmem linear map only (not vmalloc, not kmap) */
	BUG_ON(ptr.addr < PAGE_OFFSET ||
	       ptr.addr + size > PAGE_OFFSET + coh_machine_highmem_start(coh__kernel.m));
	dma_addr_t addr = virt_to_phys(ptr);
	dma_page_cpu_to_dev(dma_to_page(addr), dma_offset(addr), size, dir);
	debug_map(dev, addr, size, dir);
	return addr;
}

void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	COH_FRAME();
	debug_unmap(dev, addr, size, dir);
	/* ___dma_single_dev_to_cpu: BUG_ON(!virt_addr_valid(kaddr)) */
	if (addr + size > coh_machine_highmem_start(coh__kernel.m)) {
		BUG();
		return;
	}
	dma_page_dev_to_cpu(dma_to_page(addr), dma_offset(addr), size, dir);
}

void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
                             enum dma_data_direction dir)
{
	COH_FRAME();
	struct dma_debug_entry *e = debug_sync(dev, addr, size, dir, "for cpu");
	dma_page_dev_to_cpu(dma_to_page(addr), dma_offset(addr), size, dir);
	if (e)
		e->cpu_owns = true;
}

void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
                                enum dma_data_direction dir)
{
	COH_FRAME();
	struct dma_debug_entry *e = debug_sync(dev, addr, size, dir, "for device");
	if (e)
		e->cpu_owns = false;
	dma_page_cpu_to_dev(dma_to_page(addr), dma_offset(addr), size, dir);
}
