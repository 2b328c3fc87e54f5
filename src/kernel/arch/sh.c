/*
 * sh.c - SH-4's cache maintenance, 2.6.34-2.6.39:
 * arch/sh/include/asm/cacheflush.h, arch/sh/mm/flush-sh4.c and
 * dma_cache_sync() of arch/sh/mm/consistent.c.
 *
 * The operand cache ops by address: __flush_wback_region (ocbwb: write
 * back, the line stays), __flush_purge_region (ocbp: write back and
 * invalidate) and __flush_invalidate_region (ocbi: invalidate, dirty data
 * discarded, partial edge lines included). No highmem.
 */
#include "kernel/arch/cacheflush.h"

#include "cohsim/fs.h"

static void flush_wback_region(coh_addr_t va, size_t size)
{
	coh__cache_range(va, size, COH__DC_CLEAN);
}

static void flush_invalidate_region(coh_addr_t va, size_t size)
{
	coh__cache_range(va, size, COH__DC_INVAL);
}

/* flush_dcache_page -> sh4_flush_dcache_page (cache-sh4.c, the
 * PG_dcache_clean versions): !CONFIG_SMP, a page-cache page of a file no
 * one maps only loses PG_dcache_clean (__update_cache purges it when it
 * is mapped); otherwise flush_cache_one at the kernel address's colour:
 * the kernel alias is purged. (Older releases purged every colour of the
 * page, through flush_kernel_dcache_page_addr.) */
static void sh_flush_dcache_page(struct page *page)
{
	COH_FRAME();
	struct address_space *mapping = page_mapping(page);
	if (coh_machine_ncpus(coh__kernel.m) == 1 && mapping && !mapping_mapped(mapping)) {
		page->flags &= ~(1ul << PG_arch_1); /* clear_bit(PG_dcache_clean) */
		return;
	}
	simptr va = page_address(page);
	if (!simptr_is_null(va))
		coh__cache_range(va.addr, coh_machine_page_size(coh__kernel.m), COH__DC_FLUSH);
}

/* flush_cache_vmap / vunmap: flush_cache_all(), on every CPU. */
static void sh_flush_cache_vmap(coh_addr_t start, coh_addr_t end)
{
	COH_FRAME();
	(void)start;
	(void)end;
	coh__flush_cache_all_cpus();
}

/* dma_cache_sync() of the P1 (linear) address: invalidate only for
 * FROM_DEVICE, write back only for TO_DEVICE, purge for BIDIRECTIONAL. */
static void dma_cache_sync(coh_addr_t va, size_t size, enum dma_data_direction dir)
{
	COH_FRAME();
	switch (dir) {
	case DMA_FROM_DEVICE:
		flush_invalidate_region(va, size);
		break;
	case DMA_TO_DEVICE:
		flush_wback_region(va, size);
		break;
	case DMA_BIDIRECTIONAL:
		coh__cache_range(va, size, COH__DC_FLUSH);
		break;
	default:
		BUG();
	}
}

/* dma_map_page -> dma_cache_sync(); unmap does nothing. */
static void sh_dma_cpu_to_dev(struct page *page, size_t off, size_t size,
                              enum dma_data_direction dir)
{
	COH_FRAME();
	coh__dma_lowmem_pages(page, off, size, dir, dma_cache_sync);
}

const struct coh__arch_ops coh__sh_ops = {
    .name = "sh",
    .flush_kernel_vmap_range = flush_wback_region,
    .invalidate_kernel_vmap_range = flush_invalidate_region,
    .flush_dcache_page = sh_flush_dcache_page,
    /* asm/cacheflush.h: flush_kernel_dcache_page() is flush_dcache_page() */
    .flush_kernel_dcache_page = sh_flush_dcache_page,
    .flush_cache_kmaps = NULL,
    .flush_cache_vmap = sh_flush_cache_vmap,
    .flush_cache_vunmap = sh_flush_cache_vmap,
    .dma_page_cpu_to_dev = sh_dma_cpu_to_dev,
    .dma_page_dev_to_cpu = NULL,
};
