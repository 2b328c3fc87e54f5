/*
 * coherent.c - coherent DMA memory (kernel/dma/mapping.c dma_alloc_attrs,
 * arch/arm/mm/dma-mapping.c __dma_alloc of the 2.6.3x era).
 *
 * Interface: dma_alloc_coherent/dma_free_coherent and dma_coherent_type
 * (dma-mapping.h). The memory type follows the profile:
 *   dma_coherent (x86): the pages' linear-map address, cached; the device
 *     snoops the caches, so nothing else is needed;
 *   otherwise: the pages are zeroed through the linear map, their lines
 *     cleaned and invalidated (__dma_clear_buffer), and a non-cacheable
 *     alias is mapped in the consistent area [CONSISTENT_BASE,
 *     CONSISTENT_END). CPU and device then agree without maintenance as
 *     long as the CPU uses that alias. ARMv6+ maps it "normal
 *     non-cacheable", which is bufferable: its stores go through the
 *     CPU's write buffer (machine/wbuf.c) and need a barrier before the
 *     device may see them (see docs/ARCHITECTURE.md).
 * Invariants: the consistent area is a bump allocator with a guard page
 * after each buffer, never reused within an execution (a stale alias is
 * never confused with a new buffer); every live buffer has a slot in
 * `coherent.bufs`, so a free of anything else is an api-misuse finding.
 */
#include <string.h>

#include "kernel/arch/cacheflush.h"

#define CONSISTENT_BASE 0xFFC00000ull
#define CONSISTENT_END 0xFFE00000ull
#define MAX_COHERENT 64

struct coherent_buf {
	bool used;
	const struct device *dev;
	coh_addr_t va;
	phys_addr_t pa;
	size_t size;
	unsigned long npages;
};

static struct {
	struct coherent_buf bufs[MAX_COHERENT];
	coh_addr_t next; /* the consistent area's bump pointer */
} coherent;

int coh__dma_coherent_init(void)
{
	memset(&coherent, 0, sizeof(coherent));
	coherent.next = CONSISTENT_BASE;
	return COH_OK;
}

/* pgprot_dmacoherent, arch/arm/include/asm/pgtable.h (v2.6.35): with
 * CONFIG_ARM_DMA_MEM_BUFFERABLE (ARMv6/v7) L_PTE_MT_BUFFERABLE, else
 * uncached */
enum dma_coherent_type dma_coherent_type(void)
{
	const coh_arch *a = coh_machine_arch(coh__kernel.m);
	if (a->dma_coherent)
		return DMA_COHERENT_CACHED;
	if (a->family == COH_ARCH_ARM && a->arm_arch >= 6)
		return DMA_COHERENT_BUFFERABLE;
	return DMA_COHERENT_UNCACHED;
}

/* alloc_pages_exact for lowmem: the lowest run of n free frames. */
static struct page *alloc_contig_lowmem(unsigned long n)
{
	struct coh__kernel *k = &coh__kernel;
	if (coh_inject_fault(k->s, COH_FAULT_ALLOC))
		return NULL;
	for (unsigned long pfn = 1; pfn + n <= k->highmem_pfn; pfn++) {
		unsigned long i = 0;
		while (i < n && !coh__page(pfn + i)->allocated)
			i++;
		if (i < n) {
			pfn += i; /* skip past the allocated frame */
			continue;
		}
		for (i = 0; i < n; i++) {
			coh__page(pfn + i)->allocated = true;
			coh__page(pfn + i)->_refcount = 1;
		}
		return coh__page(pfn);
	}
	return NULL;
}

static void free_contig(struct page *page, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		__free_page(pfn_to_page(page_to_pfn(page) + i));
}

static void report(phys_addr_t pa, const char *fmt, const char *a, unsigned long long x,
                   unsigned long long y)
{
	char msg[200];
	snprintf(msg, sizeof(msg), fmt, a, x, y);
	uint64_t no = coh_machine_note(coh__kernel.m, (int)coh__cpu(), "dma_free_coherent");
	coh_finding *f = coh_check_report(coh__kernel.chk, COH_F_API_MISUSE, (int)coh__cpu(),
	                                  "DMA-API: %s", msg);
	if (f) {
		if (!coh_machine_event(coh__kernel.m, no, &f->trigger))
			f->trigger.no = no;
		f->pa = pa;
		f->has_addr = true;
	}
}

/* dma_alloc_coherent, arch/arm/mm/dma-mapping.c __dma_alloc (v2.6.37) */
simptr dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp)
{
	coh_machine *m = coh__kernel.m;
	size_t ps = coh_machine_page_size(m);
	(void)gfp;
	*handle = DMA_MAPPING_ERROR;
	if (size == 0)
		return SIMPTR_NULL;
	unsigned long n = (unsigned long)((size + ps - 1) / ps);
	struct coherent_buf *b = NULL;
	for (unsigned i = 0; i < MAX_COHERENT && !b; i++)
		if (!coherent.bufs[i].used)
			b = &coherent.bufs[i];
	bool coherent_dma = coh_machine_arch(m)->dma_coherent;
	coh_addr_t len = (coh_addr_t)n * ps;
	if (!b || (!coherent_dma && coherent.next + len + ps > CONSISTENT_END))
		return SIMPTR_NULL;
	struct page *page = alloc_contig_lowmem(n);
	if (!page)
		return SIMPTR_NULL;
	simptr lin = page_address(page);
	/* __dma_clear_buffer: zero through the linear map, then push it out */
	KSITE();
	sim_memset(lin, 0, (size_t)len);
	coh_addr_t va = lin.addr;
	if (!coherent_dma) {
		coh__cpuc_flush_dcache_area(lin.addr, (size_t)len);
		va = coherent.next;
		coherent.next += len + ps; /* and a guard page */
		KSITE();
		int r = coh_map(m, COH_KERNEL_AS, va, page_to_phys(page), (size_t)len,
		                dma_coherent_type() == DMA_COHERENT_BUFFERABLE ? COH_ATTR_BUFFERABLE
		                                                               : COH_ATTR_UNCACHED);
		BUG_ON(r != COH_OK);
	}
	*b = (struct coherent_buf){.used = true,
	                           .dev = dev,
	                           .va = va,
	                           .pa = page_to_phys(page),
	                           .size = size,
	                           .npages = n};
	*handle = b->pa;
	return simptr_at(va);
}

/* dma_free_coherent, arch/arm/mm/dma-mapping.c dma_free_coherent (v2.6.37) */
void dma_free_coherent(struct device *dev, size_t size, simptr cpu_addr, dma_addr_t handle)
{
	const char *name = dev && dev->name ? dev->name : "device";
	struct coherent_buf *b = NULL;
	for (unsigned i = 0; i < MAX_COHERENT && !b; i++)
		if (coherent.bufs[i].used && coherent.bufs[i].va == cpu_addr.addr)
			b = &coherent.bufs[i];
	KSITE();
	if (!b || b->pa != handle || b->dev != dev) {
		report(handle,
		       "%s: device driver tries to free coherent DMA memory it has not allocated "
		       "[device address=0x%08llx] [cpu address=0x%08llx]",
		       name, (unsigned long long)handle, (unsigned long long)cpu_addr.addr);
		return;
	}
	if (b->size != size)
		report(handle,
		       "%s: device driver frees coherent DMA memory with different size "
		       "[alloc size=%llu bytes] [free size=%llu bytes]",
		       name, (unsigned long long)b->size, (unsigned long long)size);
	coh_machine *m = coh__kernel.m;
	size_t len = (size_t)b->npages * coh_machine_page_size(m);
	if (b->va != phys_to_virt(b->pa).addr) {
		KSITE();
		coh_unmap(m, COH_KERNEL_AS, b->va, len);
	}
	free_contig(pfn_to_page((unsigned long)(b->pa >> coh__kernel.page_shift)), b->npages);
	b->used = false;
}
