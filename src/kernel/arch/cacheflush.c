/*
 * cacheflush.c - the cache-flush API of include/linux/highmem.h and
 * asm/cacheflush.h, dispatched to the profile's arch family.
 *
 * Interface: flush_kernel_vmap_range, invalidate_kernel_vmap_range,
 * flush_dcache_page, flush_cache_kmaps (public, linux.h); the line and
 * range operations and the dispatch of vmalloc's and the DMA API's
 * maintenance (cacheflush.h). The families' own code is in arm.c, mips.c,
 * sh.c and parisc.c; x86 (PIPT, coherent DMA) has none, so every operation
 * is the generic no-op there.
 *
 * Range operations go line by line (len = one line), so each line is one
 * machine op and so one preemption point: a maintenance loop can be
 * preempted halfway, which is what seed 2 is about.
 */
#include "kernel/arch/cacheflush.h"

static const struct coh__arch_ops *arch_ops(void)
{
	switch (coh_machine_arch(coh__kernel.m)->family) {
	case COH_ARCH_ARM:
		return &coh__arm_ops;
	case COH_ARCH_MIPS:
		return &coh__mips_ops;
	case COH_ARCH_SH:
		return &coh__sh_ops;
	case COH_ARCH_PARISC:
		return &coh__parisc_ops;
	case COH_ARCH_X86:
		break;
	}
	return NULL;
}

bool coh__cache_aliases(void)
{
	return coh_machine_arch(coh__kernel.m)->l1.index == COH_FROM_VIRT;
}

bool coh__cache_is_vivt(void)
{
	const coh_cache_geometry *g = &coh_machine_arch(coh__kernel.m)->l1;
	return g->index == COH_FROM_VIRT && g->tag == COH_FROM_VIRT;
}

bool coh__cache_is_vipt_aliasing(void)
{
	const coh_cache_geometry *g = &coh_machine_arch(coh__kernel.m)->l1;
	return g->index == COH_FROM_VIRT && g->tag == COH_FROM_PHYS;
}

bool coh__cache_is_vipt_nonaliasing(void)
{
	return !coh__cache_aliases();
}

void coh__cache_line(coh_addr_t a, enum coh__cop op)
{
	COH_FRAME();
	coh_machine *m = coh__kernel.m;
	unsigned cpu = coh__cpu();
	unsigned line = coh_cache_line_size(m);
	switch (op) {
	case COH__DC_CLEAN:
		KSITE();
		coh_cache_clean(m, cpu, a, line);
		break;
	case COH__DC_INVAL:
		KSITE();
		coh_cache_inval(m, cpu, a, line);
		break;
	case COH__DC_FLUSH:
		KSITE();
		coh_cache_flush(m, cpu, a, line);
		break;
	}
}

/* One cache operation per line of [va, va+size): each a preemption point. */
void coh__cache_range(coh_addr_t va, size_t size, enum coh__cop op)
{
	COH_FRAME();
	if (size == 0)
		return;
	coh_addr_t line = coh_cache_line_size(coh__kernel.m);
	coh_addr_t end = va + size;
	for (coh_addr_t a = va & ~(line - 1); a < end; a += line)
		coh__cache_line(a, op);
}

void coh__cpuc_flush_dcache_area(coh_addr_t va, size_t size)
{
	COH_FRAME();
	coh__cache_range(va, size, COH__DC_FLUSH);
}

void coh__flush_cache_all_local(void)
{
	COH_FRAME();
	KSITE();
	coh_cache_flush_all(coh__kernel.m, coh__cpu());
}

void coh__flush_cache_all_cpus(void)
{
	COH_FRAME();
	coh_machine *m = coh__kernel.m;
	for (unsigned cpu = 0; cpu < coh_machine_ncpus(m); cpu++) {
		KSITE();
		coh_cache_flush_all(m, cpu);
	}
}

void coh__dma_lowmem_pages(struct page *page, size_t offset, size_t size,
                           enum dma_data_direction dir, coh__dma_area_fn fn)
{
	COH_FRAME();
	size_t psize = coh_machine_page_size(coh__kernel.m);
	unsigned long pfn = page_to_pfn(page) + offset / psize;
	offset %= psize;
	while (size) {
		size_t len = size < psize - offset ? size : psize - offset;
		simptr va = page_address(pfn_to_page(pfn));
		if (!simptr_is_null(va))
			fn(va.addr + offset, len, dir);
		size -= len;
		offset = 0;
		pfn++;
	}
}

/* ---- dispatch ---- */

void flush_kernel_vmap_range(simptr addr, int size)
{
	COH_FRAME();
	const struct coh__arch_ops *a = arch_ops();
	if (a && a->flush_kernel_vmap_range && size > 0)
		a->flush_kernel_vmap_range(addr.addr, (size_t)size);
}

void invalidate_kernel_vmap_range(simptr addr, int size)
{
	COH_FRAME();
	const struct coh__arch_ops *a = arch_ops();
	if (a && a->invalidate_kernel_vmap_range && size > 0)
		a->invalidate_kernel_vmap_range(addr.addr, (size_t)size);
}

void flush_dcache_page(struct page *page)
{
	COH_FRAME();
	const struct coh__arch_ops *a = arch_ops();
	if (a && a->flush_dcache_page)
		a->flush_dcache_page(page);
}

/* Called under kmap_lock by flush_all_zero_pkmaps. */
void flush_cache_kmaps(void)
{
	COH_FRAME();
	const struct coh__arch_ops *a = arch_ops();
	if (a && a->flush_cache_kmaps)
		a->flush_cache_kmaps();
}

void coh__flush_cache_vmap(coh_addr_t start, coh_addr_t end)
{
	const struct coh__arch_ops *a = arch_ops();
	if (a && a->flush_cache_vmap && end > start)
		a->flush_cache_vmap(start, end);
}

void coh__flush_cache_vunmap(coh_addr_t start, coh_addr_t end)
{
	const struct coh__arch_ops *a = arch_ops();
	if (a && a->flush_cache_vunmap && end > start)
		a->flush_cache_vunmap(start, end);
}

void coh__dma_page_cpu_to_dev(struct page *page, size_t offset, size_t size,
                              enum dma_data_direction dir)
{
	const struct coh__arch_ops *a = arch_ops();
	if (coh_machine_arch(coh__kernel.m)->dma_coherent) /* arch_is_coherent() */
		return;
	if (a && a->dma_page_cpu_to_dev && size)
		a->dma_page_cpu_to_dev(page, offset, size, dir);
}

void coh__dma_page_dev_to_cpu(struct page *page, size_t offset, size_t size,
                              enum dma_data_direction dir)
{
	const struct coh__arch_ops *a = arch_ops();
	if (coh_machine_arch(coh__kernel.m)->dma_coherent) /* arch_is_coherent() */
		return;
	if (a && a->dma_page_dev_to_cpu && size)
		a->dma_page_dev_to_cpu(page, offset, size, dir);
}

void flush_kernel_dcache_page(struct page *page)
{
	COH_FRAME();
	const struct coh__arch_ops *a = arch_ops();
	if (a && a->flush_kernel_dcache_page)
		a->flush_kernel_dcache_page(page);
}
