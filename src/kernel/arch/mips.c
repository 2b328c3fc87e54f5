/*
 * mips.c - MIPS R4x00's cache maintenance, 2.6.31-2.6.39:
 * arch/mips/include/asm/cacheflush.h, arch/mips/mm/c-r4k.c and the
 * non-coherent DMA of arch/mips/mm/dma-default.c.
 *
 * No highmem: arch/mips/mm/init.c ignores it on a CPU whose D-cache aliases.
 * No flush_kernel_vmap_range / invalidate_kernel_vmap_range: these releases
 * have only the generic no-ops of include/linux/highmem.h, so dm-io's fix
 * does nothing here (a later kernel added MIPS's own).
 * The DMA API maintains the KSEG0 (linear) address: __dma_sync() ->
 * dma_cache_wback / dma_cache_inv / dma_cache_wback_inv; on R4k all three
 * are Hit_Writeback_Inv_D loops (r4k_dma_cache_wback_inv, and
 * r4k_dma_cache_inv's blast_dcache_range), so each is a flush here. Unmap
 * does nothing (only the R10000 needs it).
 */
#include "cohsim/fs.h"
#include "kernel/arch/cacheflush.h"

/* flush_dcache_page -> __flush_dcache_page (arch/mips/mm/cache.c): a
 * highmem page returns at once; a page-cache page of an unmapped file is
 * only marked (SetPageDcacheDirty, flushed by __update_cache when mapped);
 * otherwise flush_data_cache_page() of the kernel alias. */
static void mips_flush_dcache_page(struct page *page)
{
	COH_FRAME();
	if (PageHighMem(page))
		return;
	struct address_space *mapping = page_mapping(page);
	if (mapping && !mapping_mapped(mapping)) {
		page->flags |= 1ul << PG_arch_1; /* SetPageDcacheDirty */
		return;
	}
	coh__cache_range(page_address(page).addr, coh_machine_page_size(coh__kernel.m),
	                 COH__DC_FLUSH);
}

/* flush_cache_vmap / vunmap: cpu_has_dc_aliases -> r4k_blast_dcache(),
 * the whole D-cache of this CPU. */
static void mips_flush_cache_vmap(coh_addr_t start, coh_addr_t end)
{
	COH_FRAME();
	(void)start;
	(void)end;
	if (coh__cache_aliases())
		coh__flush_cache_all_local();
}

static void dma_cache_wback_inv(coh_addr_t va, size_t size, enum dma_data_direction dir)
{
	COH_FRAME();
	BUG_ON(dir == DMA_NONE);
	coh__cache_range(va, size, COH__DC_FLUSH);
}

/* dma_map_page / dma_sync_single_for_device -> __dma_sync() */
static void mips_dma_cpu_to_dev(struct page *page, size_t off, size_t size,
                                enum dma_data_direction dir)
{
	COH_FRAME();
	coh__dma_lowmem_pages(page, off, size, dir, dma_cache_wback_inv);
}

const struct coh__arch_ops coh__mips_ops = {
    .name = "mips",
    .flush_kernel_vmap_range = NULL,
    .invalidate_kernel_vmap_range = NULL,
    .flush_dcache_page = mips_flush_dcache_page,
    .flush_cache_kmaps = NULL,
    .flush_cache_vmap = mips_flush_cache_vmap,
    .flush_cache_vunmap = mips_flush_cache_vmap,
    .dma_page_cpu_to_dev = mips_dma_cpu_to_dev,
    .dma_page_dev_to_cpu = NULL,
};
