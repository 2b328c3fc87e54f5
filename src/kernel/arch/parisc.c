/*
 * parisc.c - PA-RISC's cache maintenance, 2.6.34-2.6.35:
 * arch/parisc/include/asm/cacheflush.h and the pcxl DMA of
 * arch/parisc/kernel/pci-dma.c (pa11_dma_map_single and friends: the
 * PA7100LC/PA7300LC, whose DMA does not snoop). Machines with an I/O MMU
 * (sba_iommu, ccio-dma) snoop the linear alias instead: not modelled.
 *
 * PA-RISC has no highmem: every page has its linear address, and the DMA
 * API maintains that one. The cache is VIPT, hashed over VA bits up to 21:
 * two mappings of a page share lines only when congruent modulo 4 MiB.
 * Every fdc is a flush (write back and invalidate); there is no clean.
 */
#include "kernel/arch/cacheflush.h"

/* flush_kernel_dcache_range_asm over [va, va+size) */
static void flush_kernel_dcache_range(coh_addr_t va, size_t size)
{
	COH_FRAME();
	coh__cache_range(va, size, COH__DC_FLUSH);
}

/* invalidate_kernel_vmap_range is empty in 2.6.34-35 ("the CPU should
 * refuse to speculate once an area has been flushed"): the member stays
 * NULL. Its flush loop came in a later kernel, outside the modelled ones. */

/* flush_dcache_page (cache.c 2.6.3x): the page-cache half in parisc_user.c */
static void parisc_flush_dcache_page(struct page *page)
{
	COH_FRAME();
	simptr va = page_address(page);
	if (coh__parisc_flush_dcache_page_defer(page) || simptr_is_null(va))
		return;
	flush_kernel_dcache_range(va.addr, coh_machine_page_size(coh__kernel.m));
	coh__parisc_flush_dcache_page_user(page);
}

/* flush_cache_vmap / flush_cache_vunmap: flush_cache_all(), on_each_cpu. */
static void parisc_flush_cache_vmap(coh_addr_t start, coh_addr_t end)
{
	COH_FRAME();
	(void)start;
	(void)end;
	coh__flush_cache_all_cpus();
}

static void flush_area(coh_addr_t va, size_t size, enum dma_data_direction dir)
{
	(void)dir;
	flush_kernel_dcache_range(va, size);
}

/* pa11_dma_map_single/_page, pa11_dma_sync_single_for_device: flush the
 * linear alias, whatever the direction. */
static void pa11_dma_cpu_to_dev(struct page *page, size_t off, size_t size,
                                enum dma_data_direction dir)
{
	COH_FRAME();
	BUG_ON(dir == DMA_NONE);
	coh__dma_lowmem_pages(page, off, size, dir, flush_area);
}

/* pa11_dma_unmap_single: nothing for DMA_TO_DEVICE, else a flush ("not
 * necessary for the simple map/unmap case", but it is for a reused
 * buffer). The model uses it for sync_for_cpu too, whose pa11 version
 * flushes for every direction. */
static void pa11_dma_dev_to_cpu(struct page *page, size_t off, size_t size,
                                enum dma_data_direction dir)
{
	COH_FRAME();
	BUG_ON(dir == DMA_NONE);
	if (dir == DMA_TO_DEVICE)
		return;
	coh__dma_lowmem_pages(page, off, size, dir, flush_area);
}

const struct coh__arch_ops coh__parisc_ops = {
    .name = "parisc",
    .flush_kernel_vmap_range = flush_kernel_dcache_range,
    .invalidate_kernel_vmap_range = NULL,
    .flush_dcache_page = parisc_flush_dcache_page,
    .flush_kernel_dcache_page = coh__parisc_flush_kernel_dcache_page,
    .flush_cache_kmaps = NULL,
    .flush_cache_vmap = parisc_flush_cache_vmap,
    .flush_cache_vunmap = parisc_flush_cache_vmap,
    .dma_page_cpu_to_dev = pa11_dma_cpu_to_dev,
    .dma_page_dev_to_cpu = pa11_dma_dev_to_cpu,
};
