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
 * simptr accessors) to bytes the device owns are api-misuse findings; so
 * are a sync outside its mapping, __free_page of a mapped page
 * (coh__dma_debug_check_freed), a vmalloc or kernel-stack buffer mapped
 * (check_for_stack, check_for_illegal_area: coh__dma_debug_check_area),
 * and device DMA into bytes the CPU owns (coh__dma_debug_device_access).
 * Ownership is tracked per byte range, so partial syncs are legal. Like
 * dma-debug, the checks only report (a double unmap invalidates twice).
 * A CPU write to any device-owned buffer is misuse; so is a CPU read of a
 * FROM_DEVICE or BIDIRECTIONAL one (a TO_DEVICE buffer may be read).
 * Data lost by mapping a dirty buffer FROM_DEVICE is not checked here: the
 * invalidation discards the lines and the oracle reports the lost write.
 */
#include <stdarg.h>
#include <string.h>

#include "kernel/arch/cacheflush.h"

#define DMA_DEBUG_ENTRIES 64
#define DMA_DEBUG_FREED 16

#define DMA_DEBUG_CPU_RANGES 8

/* Ownership is per byte range: the device owns the whole mapping when it is
 * made; a sync_for_cpu of [a, b) hands those bytes to the CPU, a
 * sync_for_device of [a, b) hands them back (the dma_sync_single_range_*
 * calls exist for this). cpu[] holds the CPU-owned ranges, sorted,
 * disjoint and not touching. Should they not fit, a hand-back is dropped:
 * the check may then miss a misuse, never invent one. */
struct dma_debug_entry {
	bool used;
	bool reported;    /* one CPU-access report per mapping */
	bool err_checked; /* dma_mapping_error was called on it */
	const struct device *dev;
	dma_addr_t addr;
	size_t size;
	enum dma_data_direction dir;
	unsigned ncpu;
	struct dma_range {
		dma_addr_t lo, hi;
	} cpu[DMA_DEBUG_CPU_RANGES];
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
	coh__dma_debug_clear();
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

/* An api-misuse finding about the DMA address addr. Its trigger is a note
 * event at the line of the check (the caller sets the site), not whatever
 * event came last: a kernel-side misuse is exposed by the API call itself. */
static void __attribute__((format(printf, 3, 4)))
misuse_at(const char *call, dma_addr_t addr, const char *fmt, ...)
{
	char msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	coh_machine *m = coh__kernel.m;
	uint64_t no = coh_machine_note(m, (int)coh__cpu(), call);
	coh_finding *f = coh_check_report(coh__kernel.chk, COH_F_API_MISUSE, (int)coh__cpu(),
	                                  "DMA-API: %s", msg);
	if (f) {
		if (!coh_machine_event(m, no, &f->trigger))
			f->trigger.no = no;
		f->pa = addr;
		f->has_addr = true;
	}
}
#define misuse(call, ...) (KSITE(), misuse_at(call, __VA_ARGS__))

/* hash_bucket_find (lib/dma-debug.c, best-fit from 2.6.31): the same page
 * may be mapped several times at once (dio_zero_block's ZERO_PAGE by two
 * dios), so the entry that fits the unmap best in size and direction; a
 * perfect fit at once; with several matches and none perfect, none. */
static struct dma_debug_entry *find_entry(const struct device *dev, dma_addr_t addr, size_t size,
                                          enum dma_data_direction dir)
{
	struct dma_debug_entry *ret = NULL;
	unsigned matches = 0, last_lvl = 0;
	for (unsigned i = 0; i < DMA_DEBUG_ENTRIES; i++) {
		struct dma_debug_entry *e = &dd.e[i];
		if (!e->used || e->dev != dev || e->addr != addr)
			continue;
		matches++;
		unsigned lvl = 1u + (e->size == size) + (e->dir == dir);
		if (lvl == 3)
			return e;
		if (lvl > last_lvl) {
			last_lvl = lvl;
			ret = e;
		}
	}
	return matches == 1 ? ret : NULL;
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

/* The CPU takes [lo, hi) of the mapping: merge it into e->cpu. */
static void cpu_take(struct dma_debug_entry *e, dma_addr_t lo, dma_addr_t hi)
{
	struct dma_range out[DMA_DEBUG_CPU_RANGES + 1];
	unsigned n = 0;
	bool placed = false;
	for (unsigned i = 0; i < e->ncpu; i++) {
		struct dma_range r = e->cpu[i];
		if (r.hi < lo) {
			out[n++] = r;
		} else if (r.lo > hi) {
			if (!placed)
				out[n++] = (struct dma_range){lo, hi};
			placed = true;
			out[n++] = r;
		} else { /* overlaps or touches: grow the new range */
			lo = r.lo < lo ? r.lo : lo;
			hi = r.hi > hi ? r.hi : hi;
		}
	}
	if (!placed)
		out[n++] = (struct dma_range){lo, hi};
	if (n > DMA_DEBUG_CPU_RANGES) { /* join the two closest neighbours */
		unsigned best = 0;
		for (unsigned i = 1; i + 1 < n; i++)
			if (out[i + 1].lo - out[i].hi < out[best + 1].lo - out[best].hi)
				best = i;
		out[best].hi = out[best + 1].hi;
		memmove(&out[best + 1], &out[best + 2], (n - best - 2) * sizeof(out[0]));
		n--;
	}
	memcpy(e->cpu, out, n * sizeof(out[0]));
	e->ncpu = n;
}

/* The device takes [lo, hi) back: cut it out of e->cpu. */
static void dev_take(struct dma_debug_entry *e, dma_addr_t lo, dma_addr_t hi)
{
	struct dma_range out[2 * DMA_DEBUG_CPU_RANGES] = {{0, 0}};
	unsigned n = 0;
	for (unsigned i = 0; i < e->ncpu; i++) {
		struct dma_range r = e->cpu[i];
		if (r.hi <= lo || r.lo >= hi) {
			out[n++] = r;
			continue;
		}
		if (r.lo < lo)
			out[n++] = (struct dma_range){r.lo, lo};
		if (r.hi > hi)
			out[n++] = (struct dma_range){hi, r.hi};
	}
	if (n > DMA_DEBUG_CPU_RANGES)
		return; /* no room for the split: keep the CPU's claim */
	memcpy(e->cpu, out, n * sizeof(out[0]));
	e->ncpu = n;
}

/* Does the device own any byte of [lo, hi) in mapping e? */
static bool dev_owns_any(const struct dma_debug_entry *e, dma_addr_t lo, dma_addr_t hi)
{
	if (lo < e->addr)
		lo = e->addr;
	if (hi > e->addr + e->size)
		hi = e->addr + e->size;
	for (unsigned i = 0; i < e->ncpu && lo < hi; i++) {
		if (e->cpu[i].hi <= lo)
			continue;
		if (e->cpu[i].lo > lo)
			return true;
		lo = e->cpu[i].hi;
	}
	return lo < hi;
}

static void debug_map(const struct device *dev, dma_addr_t addr, size_t size,
                      enum dma_data_direction dir)
{
	for (unsigned i = 0; i < DMA_DEBUG_ENTRIES; i++) {
		if (dd.e[i].used)
			continue;
		dd.e[coh__pool_note(&coh__pools.dd, i)] = (struct dma_debug_entry){
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
	struct dma_debug_entry *e = find_entry(dev, addr, size, dir);
	if (!e) {
		bool dbl = false;
		for (unsigned i = 0; i < DMA_DEBUG_FREED && i < dd.nfreed; i++)
			dbl |= dd.freed[i].dev == dev && dd.freed[i].addr == addr;
		misuse("dma-debug: unmap", addr,
		       dbl ? "%s: device driver unmaps DMA memory twice (double unmap) "
		             "[device address=0x%08llx] [size=%llu bytes]"
		           : "%s: device driver tries to free DMA memory it has not allocated "
		             "[device address=0x%08llx] [size=%llu bytes]",
		       devname(dev), (unsigned long long)addr, (unsigned long long)size);
		return;
	}
	if (e->size != size)
		misuse("dma-debug: unmap", addr,
		       "%s: device driver frees DMA memory with different size [map size=%llu "
		       "bytes] [unmap size=%llu bytes]",
		       devname(dev), (unsigned long long)e->size, (unsigned long long)size);
	if (e->dir != dir) {
		misuse("dma-debug: unmap", addr,
		       "%s: device driver frees DMA memory with different direction "
		       "[device address=0x%08llx] [map direction=%s] [unmap direction=%s]",
		       devname(dev), (unsigned long long)addr, dir2name(e->dir), dir2name(dir));
	}
	/* check_unmap (v3.9): only for a device with a DMA mask here, whose
	 * mappings can fail; Linux asks it of every mapping */
	if (dev && dev->dma_mask && !e->err_checked)
		misuse("dma-debug: unmap", addr,
		       "%s: device driver failed to check map error [device address=0x%08llx] "
		       "[size=%llu bytes] [mapped as single]",
		       devname(dev), (unsigned long long)addr, (unsigned long long)size);
	dd.freed[dd.nfreed++ % DMA_DEBUG_FREED] = *e;
	e->used = false;
	dd.nactive--;
}

/* debug_dma_mapping_error, kernel/dma/debug.c (v3.9) */
void coh__dma_debug_mapping_error(const struct device *dev, dma_addr_t addr)
{
	/* the first entry of dev and addr not yet checked (the same address
	 * may be mapped several times) */
	for (unsigned i = 0; i < DMA_DEBUG_ENTRIES; i++) {
		struct dma_debug_entry *e = &dd.e[i];
		if (e->used && e->dev == dev && e->addr == addr && !e->err_checked) {
			e->err_checked = true;
			return;
		}
	}
}

/* A mapping of dev that [addr, addr+size) overlaps without fitting in. */
static const struct dma_debug_entry *find_overlapping(const struct device *dev, dma_addr_t addr,
                                                      size_t size)
{
	for (unsigned i = 0; i < DMA_DEBUG_ENTRIES; i++) {
		const struct dma_debug_entry *e = &dd.e[i];
		if (e->used && e->dev == dev && addr < e->addr + e->size && e->addr < addr + size)
			return e;
	}
	return NULL;
}

static struct dma_debug_entry *debug_sync(const struct device *dev, dma_addr_t addr, size_t size,
                                          enum dma_data_direction dir, const char *what)
{
	struct dma_debug_entry *e = find_containing(dev, addr, size);
	if (!e) {
		const struct dma_debug_entry *o = find_overlapping(dev, addr, size);
		if (o)
			misuse("dma-debug: sync", addr,
			       "%s: device driver syncs DMA memory outside allocated range "
			       "[device address=0x%08llx] [size=%llu bytes] [mapping=0x%08llx+%zu]",
			       devname(dev), (unsigned long long)addr, (unsigned long long)size,
			       (unsigned long long)o->addr, o->size);
		else
			misuse("dma-debug: sync", addr,
			       "%s: device driver tries to sync DMA memory it has not allocated "
			       "[device address=0x%08llx] [size=%llu bytes]",
			       devname(dev), (unsigned long long)addr, (unsigned long long)size);
		return NULL;
	}
	if (e->dir != dir) {
		misuse("dma-debug: sync", addr,
		       "%s: device driver syncs DMA memory %s with different direction "
		       "[device address=0x%08llx] [mapped as %s] [synced as %s]",
		       devname(dev), what, (unsigned long long)addr, dir2name(e->dir),
		       dir2name(dir));
	}
	return e;
}

bool coh__dma_owned_by_device(phys_addr_t pa, size_t len)
{
	for (unsigned i = 0; dd.nactive && i < DMA_DEBUG_ENTRIES; i++) {
		const struct dma_debug_entry *e = &dd.e[i];
		if (e->used && dev_owns_any(e, pa, pa + len))
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
				if (!e->used || e->reported || pa >= e->addr + e->size ||
				    e->addr >= pa + chunk || !dev_owns_any(e, pa, pa + chunk))
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

/* debug_check_no_obj_freed(): memory freed while a mapping covers it. */
void coh__dma_debug_check_freed(phys_addr_t pa, size_t len)
{
	for (unsigned i = 0; dd.nactive && i < DMA_DEBUG_ENTRIES; i++) {
		const struct dma_debug_entry *e = &dd.e[i];
		if (!e->used || pa >= e->addr + e->size || e->addr >= pa + len)
			continue;
		misuse("dma-debug: free", e->addr,
		       "%s: device driver frees memory still mapped for DMA "
		       "[device address=0x%08llx] [size=%zu bytes] [%s]",
		       devname(e->dev), (unsigned long long)e->addr, e->size, dir2name(e->dir));
	}
}

/* check_for_illegal_area-style check of a device access: the device
 * touches bytes of one of its mappings that the CPU owns. */
void coh__dma_debug_device_access(const struct device *dev, dma_addr_t addr, size_t len, bool write)
{
	for (unsigned i = 0; dd.nactive && i < DMA_DEBUG_ENTRIES; i++) {
		struct dma_debug_entry *e = &dd.e[i];
		if (!e->used || e->dev != dev || e->reported || addr >= e->addr + e->size ||
		    e->addr >= addr + len)
			continue;
		for (unsigned k = 0; k < e->ncpu; k++) {
			if (e->cpu[k].hi <= addr || e->cpu[k].lo >= addr + len)
				continue;
			e->reported = true;
			coh_finding *f = coh_check_report(
			    coh__kernel.chk, COH_F_API_MISUSE, -1,
			    "DMA-API: %s %s %zu bytes at device address 0x%08llx while the CPU "
			    "owns 0x%08llx-0x%08llx (synced for cpu) [mapping=0x%08llx+%zu] [%s]",
			    devname(dev), write ? "writes" : "reads", len, (unsigned long long)addr,
			    (unsigned long long)e->cpu[k].lo, (unsigned long long)e->cpu[k].hi,
			    (unsigned long long)e->addr, e->size, dir2name(e->dir));
			if (f) {
				f->pa = addr;
				f->has_addr = true;
			}
			break;
		}
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
	dma_addr_t addr = page_to_phys(page) + offset;
	simptr va = PageHighMem(page) ? simptr_at(0) : simptr_add(page_address(page), (long)offset);
	if (va.addr) /* debug_dma_map_page: the checks of a lowmem buffer */
		coh__dma_debug_check_area(dev, va, size);
	if (coh__dmabounce_needed(dev, addr, size)) { /* dmabounce_map_page: no highmem */
		addr = va.addr ? coh__dmabounce_map(dev, va, size, dir) : DMA_MAPPING_ERROR;
		if (addr != DMA_MAPPING_ERROR)
			debug_map(dev, addr, size, dir);
		return addr;
	}
	dma_page_cpu_to_dev(page, offset, size, dir);
	debug_map(dev, addr, size, dir);
	return addr;
}

void dma_unmap_page(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	COH_FRAME();
	debug_unmap(dev, addr, size, dir);
	if (coh__dmabounce_unmap(dev, addr, size, dir))
		return;
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
	/* debug_dma_map_page's check_for_stack and check_for_illegal_area: a
	 * buffer on a kernel stack or in vmalloc space is an api-misuse
	 * finding at this call; a vmalloc one then fails virt_addr_valid()
	 * below (the oops) */
	coh__dma_debug_check_area(dev, ptr, size);
	/* virt_addr_valid(): lowmem linear map only (not vmalloc, not kmap) */
	BUG_ON(ptr.addr < PAGE_OFFSET ||
	       ptr.addr + size > PAGE_OFFSET + coh_machine_highmem_start(coh__kernel.m));
	dma_addr_t addr = virt_to_phys(ptr);
	if (coh__dmabounce_needed(dev, addr, size)) {
		addr = coh__dmabounce_map(dev, ptr, size, dir);
		if (addr != DMA_MAPPING_ERROR)
			debug_map(dev, addr, size, dir);
		return addr;
	}
	dma_page_cpu_to_dev(dma_to_page(addr), dma_offset(addr), size, dir);
	debug_map(dev, addr, size, dir);
	return addr;
}

void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size, enum dma_data_direction dir)
{
	COH_FRAME();
	debug_unmap(dev, addr, size, dir);
	if (coh__dmabounce_unmap(dev, addr, size, dir))
		return;
	/* ___dma_single_dev_to_cpu: BUG_ON(!virt_addr_valid(kaddr)) */
	coh_addr_t low = coh_machine_highmem_start(coh__kernel.m);
	if (addr >= low || size > low - addr) { /* no wrap: DMA_MAPPING_ERROR + size */
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
	if (e)
		cpu_take(e, addr, addr + size);
	if (!coh__dmabounce_sync(dev, addr, size, dir, true))
		dma_page_dev_to_cpu(dma_to_page(addr), dma_offset(addr), size, dir);
}

void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
                                enum dma_data_direction dir)
{
	COH_FRAME();
	struct dma_debug_entry *e = debug_sync(dev, addr, size, dir, "for device");
	if (coh__dmabounce_sync(dev, addr, size, dir, false)) {
		if (e)
			dev_take(e, addr, addr + size);
		return;
	}
	if (e)
		dev_take(e, addr, addr + size);
	dma_page_cpu_to_dev(dma_to_page(addr), dma_offset(addr), size, dir);
}

/* Zeroes dd for kernel_init: only the entries handed out since the last
 * reset (coh__pools.dd) and the filled part of the freed ring. */
void coh__dma_debug_clear(void)
{
	unsigned nfreed = dd.nfreed < DMA_DEBUG_FREED ? dd.nfreed : DMA_DEBUG_FREED;
	coh__pool_reset(dd.e, sizeof(dd.e[0]), &coh__pools.dd);
	memset(dd.freed, 0, nfreed * sizeof(dd.freed[0]));
	dd.nactive = dd.nfreed = 0;
}

/* debug_dma_map_page's checks of the CPU address (lib/dma-debug.c, 2.6.31):
 * check_for_stack (any task's kernel stack, any byte: kstack.c) and
 * check_for_illegal_area's vmalloc case. */
void coh__dma_debug_check_area(const struct device *dev, simptr ptr, size_t size)
{
	char who[80];
	if (is_vmalloc_addr(ptr))
		misuse("dma-debug: map", ptr.addr,
		       "%s: device driver maps memory from vmalloc area [addr=0x%08llx] "
		       "[len=%zu]",
		       devname(dev), (unsigned long long)ptr.addr, size);
	else if (ptr.addr >= PAGE_OFFSET &&
	         coh__kstack_find(ptr.addr - PAGE_OFFSET, size, who, sizeof(who)))
		misuse("dma-debug: map", ptr.addr - PAGE_OFFSET,
		       "%s: device driver maps memory from stack [addr=0x%08llx] [len=%zu] (%s)",
		       devname(dev), (unsigned long long)ptr.addr, size, who);
}
