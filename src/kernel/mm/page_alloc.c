/*
 * page_alloc.c - struct page for every frame, and a deterministic allocator.
 *
 * alloc_page() hands out the lowest free frame of the zone asked for
 * (highmem when __GFP_HIGHMEM is given and any is free, else lowmem), so
 * the same program gets the same pages in every execution. Frame 0 is never
 * handed out, so that PA 0 stays unused. An allocation failure can be
 * injected (COH_FAULT_ALLOC). alloc_pages() hands out the lowest free
 * naturally aligned run of 2^order frames (kernel stacks come from the top:
 * coh__alloc_pages_top). Pages handed out stop being slab
 * memory for the lifetime checker (KASAN unpoisons them on allocation).
 * Every struct page is reached through coh__page(), which sets it up the
 * first time an execution looks at it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check/lifetime.h"
#include "kernel/kernel_impl.h"

/* Per-execution state of the struct pages without a pass over them: a
 * page is (re)initialised when first looked at in an execution, told by its
 * generation stamp, so a large declared memory costs nothing until used
 * (the array itself is calloc'd: the host backs only what is touched). */
static uint32_t *page_gen; /* per pfn: the execution that last set it up */
static uint32_t gen_now;   /* this execution's; never 0 */

int coh__page_alloc_init(void)
{
	struct coh__kernel *k = &coh__kernel;
	unsigned long n = (unsigned long)(coh_machine_mem_size(k->m) >> k->page_shift);
	if (k->npages != n || !page_gen) {
		free(k->pages);
		free(page_gen);
		k->pages = calloc(n ? n : 1, sizeof(*k->pages));
		page_gen = calloc(n ? n : 1, sizeof(*page_gen));
		if (!k->pages || !page_gen) {
			free(k->pages);
			free(page_gen);
			k->pages = NULL;
			page_gen = NULL;
			k->npages = 0;
			return COH_ENOMEM;
		}
		k->npages = n;
		gen_now = 0;
	}
	if (gen_now == UINT32_MAX) { /* about to wrap: every stamp is stale again */
		memset(page_gen, 0, (n ? n : 1) * sizeof(*page_gen));
		gen_now = 0;
	}
	gen_now++;
	k->highmem_pfn = (unsigned long)(coh_machine_highmem_start(k->m) >> k->page_shift);
	return COH_OK;
}

struct page *coh__page(unsigned long pfn)
{
	struct coh__kernel *k = &coh__kernel;
	struct page *p = &k->pages[pfn];
	if (page_gen[pfn] != gen_now) {
		p->pfn = pfn;
		p->_refcount = 0;
		p->highmem = pfn >= k->highmem_pfn;
		p->allocated = pfn == 0; /* PA 0 stays unused */
		p->private = 0;
		p->mapping = NULL;
		p->index = 0;
		p->_mapcount = -1;
		p->flags = 0;
		page_gen[pfn] = gen_now;
	}
	return p;
}

/* The first free run of n (a power of two) frames in [lo, hi), aligned to n. */
static struct page *first_free(unsigned long lo, unsigned long hi, unsigned long n)
{
	for (unsigned long pfn = (lo + n - 1) & ~(n - 1); pfn + n <= hi; pfn += n) {
		unsigned long i = 0;
		while (i < n && !coh__page(pfn + i)->allocated)
			i++;
		if (i == n)
			return coh__page(pfn);
	}
	return NULL;
}

struct page *alloc_page(gfp_t gfp)
{
	return alloc_pages(gfp, 0);
}

/* alloc_pages (include/linux/gfp.h, 2.6.3x): the buddy allocator's result,
 * without its free lists: the lowest free aligned run. */
struct page *alloc_pages(gfp_t gfp, unsigned order)
{
	struct coh__kernel *k = &coh__kernel;
	if (order > 10 || coh_inject_fault(k->s, COH_FAULT_ALLOC))
		return NULL;
	unsigned long n = 1ul << order;
	struct page *p = NULL;
	if (gfp & __GFP_HIGHMEM)
		p = first_free(k->highmem_pfn, k->npages, n);
	if (!p)
		p = first_free(1, k->highmem_pfn, n);
	if (!p)
		return NULL;
	for (unsigned long i = 0; i < n; i++) {
		p[i].allocated = true;
		p[i]._refcount = 1;
	}
	if (k->chk)
		coh__life_forget(k->chk, page_to_phys(p), n << k->page_shift);
	return p;
}

/* The last free run of n (a power of two) frames in [lo, hi), aligned to n. */
static struct page *last_free(unsigned long lo, unsigned long hi, unsigned long n)
{
	for (unsigned long pfn = hi & ~(n - 1); pfn >= n && pfn - n >= lo;) {
		pfn -= n;
		unsigned long i = 0;
		while (i < n && !coh__page(pfn + i)->allocated)
			i++;
		if (i == n)
			return coh__page(pfn);
	}
	return NULL;
}

/* alloc_thread_info's alloc_pages(GFP_KERNEL, THREAD_SIZE_ORDER), for the
 * kernel stacks of kstack.c: a lowmem run taken from the top, so that the
 * addresses every other allocation gets do not depend on how many tasks
 * exist; no injected failure (a task's creation is not a choice). */
struct page *coh__alloc_pages_top(unsigned order)
{
	struct coh__kernel *k = &coh__kernel;
	unsigned long n = 1ul << order;
	struct page *p = order > 10 ? NULL : last_free(1, k->highmem_pfn, n);
	if (!p)
		return NULL;
	for (unsigned long i = 0; i < n; i++) {
		p[i].allocated = true;
		p[i]._refcount = 1;
	}
	if (k->chk)
		coh__life_forget(k->chk, page_to_phys(p), n << k->page_shift);
	return p;
}

void __free_page(struct page *page)
{
	__free_pages(page, 0);
}

/* __free_pages (mm/page_alloc.c, 2.6.3x), for pages with one reference. */
void __free_pages(struct page *page, unsigned order)
{
	for (unsigned long i = 0; i < 1ul << order; i++) {
		BUG_ON(!page[i].allocated);
		BUG_ON(page[i]._refcount != 1);
		BUG_ON(page[i]._mapcount != -1); /* free_pages_check: still mapped */
		coh__dma_debug_check_freed(page_to_phys(&page[i]),
		                           coh_machine_page_size(coh__kernel.m));
		/* the page's contents die with it: the oracle forgets their
		 * versions (lines of its last life may still be cached) */
		if (coh__kernel.chk)
			coh__oracle_forget(coh__kernel.chk, page_to_phys(&page[i]),
			                   coh_machine_page_size(coh__kernel.m));
		page[i]._refcount = 0;
		page[i].mapping = NULL;
		page[i].flags = 0;
		page[i].allocated = false;
	}
}

struct page *pfn_to_page(unsigned long pfn)
{
	return pfn < coh__kernel.npages ? coh__page(pfn) : NULL;
}

unsigned long page_to_pfn(const struct page *page)
{
	return page->pfn;
}

phys_addr_t page_to_phys(const struct page *page)
{
	return (phys_addr_t)page->pfn << coh__kernel.page_shift;
}

bool PageHighMem(const struct page *page)
{
	return page->highmem;
}

struct page *virt_to_page(simptr p)
{
	return pfn_to_page((unsigned long)(virt_to_phys(p) >> coh__kernel.page_shift));
}

phys_addr_t virt_to_phys(simptr p)
{
	return p.addr - PAGE_OFFSET;
}

simptr phys_to_virt(phys_addr_t pa)
{
	return simptr_at(pa + PAGE_OFFSET);
}
