/*
 * cacheflush.c - the arch cache maintenance of each profile
 * (arch/arm/include/asm/cacheflush.h, arch/arm/mm/cache-v4wb.S, flush.c).
 *
 * Interface: flush_kernel_vmap_range, invalidate_kernel_vmap_range,
 * flush_dcache_page, flush_cache_kmaps (public, linux.h); the dma cache ops
 * and __cpuc_flush_dcache_area for the DMA API and vmalloc (cacheflush.h).
 *
 * Per profile:
 *   aliasing cache (l1.index from the VA: xscale, arm926, armv6, mips-r4k,
 *   sh4, parisc): maintenance by VA, through the alias that holds the lines.
 *   non-aliasing (PIPT: cortex-a9, x86): the vmap/dcache-page operations do
 *   nothing, as on ARMv7 and x86; the dma ops still clean/invalidate unless
 *   DMA is coherent (x86), where every dma op is a no-op.
 *
 * Range operations go line by line (len = one line), so each line is one
 * machine op and so one preemption point: a maintenance loop can be
 * preempted halfway, which is what seed 2 is about. flush_cache_kmaps runs
 * under kmap_lock and is ARM's flush_cache_all(): the whole D-cache, one op
 * per CPU, on every CPU.
 */
#include "kernel/arch/cacheflush.h"

bool coh__cache_aliases(void)
{
	return coh_machine_arch(coh__kernel.m)->l1.index == COH_FROM_VIRT;
}

static bool dma_coherent(void)
{
	return coh_machine_arch(coh__kernel.m)->dma_coherent;
}

enum op { OP_CLEAN, OP_INVAL, OP_FLUSH };

static void line_op(coh_addr_t a, enum op op)
{
	COH_FRAME();
	coh_machine *m = coh__kernel.m;
	unsigned cpu = coh__cpu();
	unsigned line = coh_cache_line_size(m);
	switch (op) {
	case OP_CLEAN:
		KSITE();
		coh_cache_clean(m, cpu, a, line);
		break;
	case OP_INVAL:
		KSITE();
		coh_cache_inval(m, cpu, a, line);
		break;
	case OP_FLUSH:
		KSITE();
		coh_cache_flush(m, cpu, a, line);
		break;
	}
}

/* One cache operation per line of [va, va+size): each a preemption point. */
static void range_op(coh_addr_t va, size_t size, enum op op)
{
	if (size == 0)
		return;
	coh_addr_t line = coh_cache_line_size(coh__kernel.m);
	coh_addr_t end = va + size;
	for (coh_addr_t a = va & ~(line - 1); a < end; a += line)
		line_op(a, op);
}

void coh__cpuc_flush_dcache_area(coh_addr_t va, size_t size)
{
	COH_FRAME();
	range_op(va, size, OP_FLUSH);
}

/* v4wb_dma_inv_range: clean the partial lines at either edge (they hold
 * bytes outside the buffer), then invalidate every line of the range. */
static void dma_inv_range(coh_addr_t start, coh_addr_t end)
{
	COH_FRAME();
	coh_addr_t mask = coh_cache_line_size(coh__kernel.m) - 1;
	if (start & mask)
		line_op(start & ~mask, OP_CLEAN);
	if (end & mask)
		line_op(end & ~mask, OP_CLEAN);
	range_op(start, end - start, OP_INVAL);
}

void coh__dmac_map_area(coh_addr_t va, size_t size, enum dma_data_direction dir)
{
	COH_FRAME();
	if (dma_coherent() || size == 0)
		return;
	switch (dir) {
	case DMA_FROM_DEVICE:
		dma_inv_range(va, va + size);
		break;
	case DMA_TO_DEVICE:
		range_op(va, size, OP_CLEAN);
		break;
	case DMA_BIDIRECTIONAL:
		range_op(va, size, OP_FLUSH);
		break;
	default:
		BUG();
	}
}

void coh__dmac_unmap_area(coh_addr_t va, size_t size, enum dma_data_direction dir)
{
	COH_FRAME();
	if (dma_coherent() || size == 0 || dir == DMA_TO_DEVICE)
		return;
	/* ARMv7: lines may have been filled speculatively while the device
	 * owned the buffer; ARMv5 never fills on its own. v7_dma_unmap_area
	 * branches to the same v7_dma_inv_range as the map does: the partial
	 * lines at either edge are cleaned first, never simply discarded. */
	if (coh_machine_arch(coh__kernel.m)->speculative_fill)
		dma_inv_range(va, va + size);
}

void coh__flush_cache_vunmap(coh_addr_t start, coh_addr_t end)
{
	COH_FRAME();
	KSITE();
	if (coh__cache_aliases() && end > start)
		coh_cache_flush(coh__kernel.m, coh__cpu(), start, (size_t)(end - start));
}

/* ARM: __cpuc_flush_dcache_area when the cache is VIVT or aliasing VIPT. */
void flush_kernel_vmap_range(simptr addr, int size)
{
	COH_FRAME();
	if (coh__cache_aliases() && size > 0)
		range_op(addr.addr, (size_t)size, OP_FLUSH);
}

/* ARM (and PA-RISC of that era) flush here too: a line the CPU dirtied
 * through the vmap alias while the device wrote is written back, and the
 * oracle calls that a lost write, as it should. */
void invalidate_kernel_vmap_range(simptr addr, int size)
{
	COH_FRAME();
	if (coh__cache_aliases() && size > 0)
		range_op(addr.addr, (size_t)size, OP_FLUSH);
}

/* arch/arm/mm/flush.c __flush_dcache_page, without the deferred
 * PG_dcache_dirty bookkeeping: the kernel alias is flushed now. */
void flush_dcache_page(struct page *page)
{
	COH_FRAME();
	if (!coh__cache_aliases())
		return;
	size_t size = coh_machine_page_size(coh__kernel.m);
	if (!PageHighMem(page)) {
		coh__cpuc_flush_dcache_area(page_address(page).addr, size);
		return;
	}
	if (coh_fix("kmap-high-get")) {
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

/* ARM: flush_cache_kmaps() is flush_cache_all(), before pkmap entries are
 * torn down: every line of the D-cache is written back and invalidated,
 * whatever alias it belongs to. ARM's is local to the CPU (no ARM SMP had
 * an aliasing cache); the model flushes every CPU. Caller holds kmap_lock. */
void flush_cache_kmaps(void)
{
	COH_FRAME();
	coh_machine *m = coh__kernel.m;
	if (!coh__cache_aliases())
		return;
	KSITE();
	for (unsigned cpu = 0; cpu < coh_machine_ncpus(m); cpu++)
		coh_cache_flush_all(m, cpu);
}
