/*
 * arm.c - ARM's cache maintenance, 2.6.31 to 2.6.39: arch/arm/mm/flush.c,
 * arch/arm/include/asm/cacheflush.h and highmem.h, the DMA half of
 * arch/arm/mm/dma-mapping.c (dma_cache_maint_page), and the dma cache ops
 * of cache-v4wb.S/proc-xscale.S/proc-arm926.S (ARMv5), cache-v6.S and
 * cache-v7.S.
 *
 * Where the code changed between releases, each function follows
 * linux_version_code():
 *   - 2.6.31-33: dma_unmap_* does nothing ("nothing to do"); dma_map_*
 *     invalidates FROM_DEVICE, cleans TO_DEVICE, flushes BIDIRECTIONAL.
 *   - 2.6.34+ ("ARM: dma-mapping: fix for speculative prefetching"): ARMv6
 *     and v7 map FROM_DEVICE with an invalidate and anything else with a
 *     clean, and unmap FROM_DEVICE/BIDIRECTIONAL with an invalidate; ARMv5
 *     is unchanged.
 *   - flush_cache_kmaps(): flush_cache_all() always in 2.6.31-33, only on
 *     VIVT from 2.6.34.
 *   - a highmem page without a kmap: dma_cache_maint_page does nothing in
 *     2.6.31-33 (its lines went with flush_all_zero_pkmaps), and from
 *     2.6.34 maps it for the maintenance where the cache is VIPT
 *     (kmap_high_l1_vipt, then kmap_atomic from 2.6.37).
 * flush_cache_all() is local to the running CPU on ARM.
 */
#include "kernel/arch/usercache.h"

static void __flush_dcache_page(struct page *page);

#define FIXADDR_START 0xFFF00000ull /* kmap_atomic slots: cpu * 3 + context */

static unsigned kver(void)
{
	return linux_version_code();
}

static unsigned arm_arch(void)
{
	return coh_machine_arch(coh__kernel.m)->arm_arch;
}

/* ---- the dma cache ops of each CPU ---- */

/* v4wb_dma_inv_range / v6_dma_inv_range: clean the partial lines at either
 * edge (they hold bytes outside the buffer), then invalidate every line of
 * the range. v7_dma_inv_range cleans and invalidates the edge lines
 * instead, and invalidates those in between. */
static void dma_inv_range(coh_addr_t start, coh_addr_t end)
{
	COH_FRAME();
	coh_addr_t mask = coh_cache_line_size(coh__kernel.m) - 1;
	if (arm_arch() >= 7) {
		coh_addr_t a = start & ~mask, last = (end - 1) & ~mask;
		for (; a <= last; a += mask + 1)
			coh__cache_line(a, (a == (start & ~mask) && (start & mask)) ||
			                           (a == last && (end & mask))
			                       ? COH__DC_FLUSH
			                       : COH__DC_INVAL);
		return;
	}
	if (start & mask)
		coh__cache_line(start & ~mask, COH__DC_CLEAN);
	if (end & mask)
		coh__cache_line(end & ~mask, COH__DC_CLEAN);
	coh__cache_range(start, end - start, COH__DC_INVAL);
}

/* dmac_map_area: v4wb/v6/v7_dma_map_area (2.6.34+), or dma_cache_maint's
 * switch over the direction (2.6.31-33, and ARMv5 in every release). */
static void dmac_map_area(coh_addr_t va, size_t size, enum dma_data_direction dir)
{
	COH_FRAME();
	bool v6plus = arm_arch() >= 6 && kver() >= KERNEL_VERSION(2, 6, 34);
	switch (dir) {
	case DMA_FROM_DEVICE:
		dma_inv_range(va, va + size);
		break;
	case DMA_TO_DEVICE:
		coh__cache_range(va, size, COH__DC_CLEAN);
		break;
	case DMA_BIDIRECTIONAL:
		coh__cache_range(va, size, v6plus ? COH__DC_CLEAN : COH__DC_FLUSH);
		break;
	default:
		BUG();
	}
}

/* dmac_unmap_area: v6/v7_dma_unmap_area invalidate what the CPU may have
 * fetched speculatively while the device owned the buffer (2.6.34+);
 * v4wb_dma_unmap_area and every 2.6.31-33 unmap do nothing. */
static void dmac_unmap_area(coh_addr_t va, size_t size, enum dma_data_direction dir)
{
	COH_FRAME();
	if (arm_arch() < 6 || kver() < KERNEL_VERSION(2, 6, 34) || dir == DMA_TO_DEVICE)
		return;
	dma_inv_range(va, va + size);
}

typedef void (*dma_op)(coh_addr_t va, size_t size, enum dma_data_direction dir);

/* kmap_atomic()/kmap_high_l1_vipt(): a per-CPU, per-context fixmap slot. */
static coh_addr_t kmap_atomic_slot(void)
{
	coh_task *t = coh_current();
	unsigned type = t ? (unsigned)coh_task_context(t) : 0;
	return FIXADDR_START +
	       (coh_addr_t)(coh__cpu() * 3 + type) * coh_machine_page_size(coh__kernel.m);
}

/* dma_cache_maint_page (2.6.34-39; dma_cache_maint_contiguous in 2.6.31):
 * page by page, since highmem pages are mapped one by one. A highmem page
 * is maintained through its kmap, pinned by kmap_high_get() (the seed-2
 * fix `kmap-high-get`; without it, page_address() unpinned: the slot can be
 * recycled for another page while the loop is preempted). */
static void dma_cache_maint_page(struct page *page, size_t offset, size_t size,
                                 enum dma_data_direction dir, dma_op op)
{
	COH_FRAME();
	coh_machine *m = coh__kernel.m;
	size_t psize = coh_machine_page_size(m);
	size_t left = size;
	page = pfn_to_page(page_to_pfn(page) + offset / psize);
	offset %= psize;
	while (left) {
		size_t len = left;
		if (PageHighMem(page) && len + offset > psize)
			len = psize - offset;
		if (!PageHighMem(page)) {
			op(page_address(page).addr + offset, len, dir);
		} else {
			simptr va =
			    coh_fix("kmap-high-get") ? kmap_high_get(page) : page_address(page);
			if (!simptr_is_null(va)) {
				op(va.addr + offset, len, dir);
				if (coh_fix("kmap-high-get"))
					kunmap_high(page);
			} else if (kver() >= KERNEL_VERSION(2, 6, 34) && !coh__cache_is_vivt()) {
				/* unmapped pages might still be cached */
				coh_preempt_disable();
				coh_addr_t tmp = kmap_atomic_slot();
				KSITE();
				coh_map(m, COH_KERNEL_AS, tmp, page_to_phys(page), psize,
				        COH_ATTR_WB);
				op(tmp + offset, len, dir);
				KSITE();
				coh_unmap(m, COH_KERNEL_AS, tmp, psize);
				coh_preempt_enable();
			}
		}
		offset = 0;
		left -= len;
		page = pfn_to_page(page_to_pfn(page) + 1);
	}
}

static void arm_dma_page_cpu_to_dev(struct page *page, size_t off, size_t size,
                                    enum dma_data_direction dir)
{
	dma_cache_maint_page(page, off, size, dir, dmac_map_area);
}

/* ___dma_page_dev_to_cpu (2.6.37, 6379/1): a whole page the device wrote
 * has no dirty kernel lines: PG_dcache_clean, so that mapping it to user
 * space flushes nothing. */
static void arm_dma_page_dev_to_cpu(struct page *page, size_t off, size_t size,
                                    enum dma_data_direction dir)
{
	dma_cache_maint_page(page, off, size, dir, dmac_unmap_area);
	size_t psize = coh_machine_page_size(coh__kernel.m);
	if (coh__arm_pg_dcache_clean() && dir != DMA_TO_DEVICE && off == 0 && size >= psize)
		page->flags |= 1ul << PG_arch_1;
}

/* ---- cacheflush.h ---- */

/* flush_kernel_vmap_range / invalidate_kernel_vmap_range (2.6.34+): both
 * __cpuc_flush_dcache_area when the cache is VIVT or aliasing VIPT. (An
 * invalidate that writes back: a line the CPU dirtied through the alias
 * while the device wrote goes to memory, and the oracle calls that a lost
 * write, as it should.) */
static void arm_vmap_range(coh_addr_t va, size_t size)
{
	COH_FRAME();
	if (coh__cache_is_vivt() || coh__cache_is_vipt_aliasing())
		coh__cpuc_flush_dcache_area(va, size);
}

/* flush_dcache_page (arch/arm/mm/flush.c 2.6.35): on UP an unmapped file's
 * page is deferred (arm_user.c); else __flush_dcache_page: the kernel alias
 * (highmem through its kmap: unpinned in 2.6.31-33, kmap_high_get from
 * 2.6.34), then the user half (arm_user.c): the page-cache aliases
 * (__flush_dcache_aliases) and the seed's anon_vma walk. */
static void arm_flush_dcache_page(struct page *page)
{
	COH_FRAME();
	if (coh__arm_flush_dcache_page_defer(page))
		return;
	__flush_dcache_page(page);
	coh__arm_flush_dcache_page_user(page); /* arm_user.c */
	coh__arm_flush_dcache_page_done(page);
}

static void __flush_dcache_page(struct page *page)
{
	COH_FRAME();
	size_t size = coh_machine_page_size(coh__kernel.m);
	if (!PageHighMem(page)) {
		coh__cpuc_flush_dcache_area(page_address(page).addr, size);
		return;
	}
	if (kver() >= KERNEL_VERSION(2, 6, 34)) {
		simptr va = kmap_high_get(page);
		if (!simptr_is_null(va)) {
			coh__cpuc_flush_dcache_area(va.addr, size);
			kunmap_high(page);
		}
	} else {
		simptr va = page_address(page);
		if (!simptr_is_null(va))
			coh__cpuc_flush_dcache_area(va.addr, size);
	}
}

/* flush_cache_kmaps() (asm/highmem.h): flush_cache_all() before pkmap
 * entries are torn down, on this CPU; from 2.6.34 only where the cache is
 * VIVT. Caller holds kmap_lock. */
static void arm_flush_cache_kmaps(void)
{
	COH_FRAME();
	if (kver() >= KERNEL_VERSION(2, 6, 34) && !coh__cache_is_vivt())
		return;
	coh__flush_cache_all_local();
}

/* flush_cache_vmap / flush_cache_vunmap: flush_cache_all() unless the cache
 * is VIPT non-aliasing. */
static void arm_flush_cache_vmap(coh_addr_t start, coh_addr_t end)
{
	COH_FRAME();
	(void)start;
	(void)end;
	if (!coh__cache_is_vipt_nonaliasing())
		coh__flush_cache_all_local();
}

const struct coh__arch_ops coh__arm_ops = {
    .name = "arm",
    .flush_kernel_vmap_range = arm_vmap_range,
    .invalidate_kernel_vmap_range = arm_vmap_range,
    .flush_dcache_page = arm_flush_dcache_page,
    .flush_kernel_dcache_page = coh__arm_flush_kernel_dcache_page,
    .flush_cache_kmaps = arm_flush_cache_kmaps,
    .flush_cache_vmap = arm_flush_cache_vmap,
    .flush_cache_vunmap = arm_flush_cache_vmap,
    .dma_page_cpu_to_dev = arm_dma_page_cpu_to_dev,
    .dma_page_dev_to_cpu = arm_dma_page_dev_to_cpu,
};

/* __flush_dcache_page for arm_user.c's PG_dcache_clean paths. */
void coh__arm___flush_dcache_page(struct page *page)
{
	__flush_dcache_page(page);
}
