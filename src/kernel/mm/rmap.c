/*
 * rmap.c - reverse mapping of anonymous pages (mm/rmap.c, 2.6.31-33, the
 * anon_vma list before 2.6.34's anon_vma_chain) and the mapcount.
 *
 * Interface: PageAnon, page_anon_vma, page_mapping, page_mapcount,
 * page_mapped, vma_address, try_to_unmap (mm.h); anon_vma_prepare,
 * anon_vma_link/unlink, page_add_new_anon_rmap, page_add_file_rmap,
 * page_dup_rmap, page_remove_rmap (mm_impl.h).
 * Invariants: page->mapping of an anonymous page is its anon_vma with
 * PAGE_MAPPING_ANON set, page->index its linear index in the VMA it was
 * first mapped in, so vma_address() finds it in every VMA of that
 * anon_vma (the forked and split ones share the anon_vma). _mapcount is
 * the number of PTEs mapping the page, minus one. anon_vma->lock guards
 * the VMA list and is taken with plain spin_lock, as in the kernel.
 */
#include <stdint.h>

#include "kernel/arch/usercache.h"
#include "kernel/fs/fs_impl.h"
#include "kernel/mm/mm_impl.h"

bool PageAnon(const struct page *page)
{
	return ((uintptr_t)page->mapping & PAGE_MAPPING_ANON) != 0;
}

struct anon_vma *page_anon_vma(const struct page *page)
{
	if (!PageAnon(page))
		return NULL;
	return (struct anon_vma *)((uintptr_t)page->mapping - PAGE_MAPPING_ANON);
}

/* page_mapping() (mm.h): NULL for an anonymous page (no swap cache here). */
struct address_space *page_mapping(const struct page *page)
{
	return PageAnon(page) ? NULL : page->mapping;
}

int page_mapcount(const struct page *page)
{
	return page->_mapcount + 1;
}

bool page_mapped(const struct page *page)
{
	return page->_mapcount >= 0;
}

/* vma_address() (mm/rmap.c) */
unsigned long vma_address(const struct page *page, const struct vm_area_struct *vma)
{
	unsigned long pgoff = page->index;
	unsigned long address = vma->vm_start + ((pgoff - vma->vm_pgoff) << coh__kernel.page_shift);
	if (address < vma->vm_start || address >= vma->vm_end)
		return (unsigned long)-EFAULT;
	return address;
}

/* anon_vma_prepare(): the VMA's anon_vma, allocated at its first anonymous
 * fault (find_mergeable_anon_vma is not modelled: a new one each time). */
int anon_vma_prepare(struct vm_area_struct *vma)
{
	if (vma->anon_vma)
		return 0;
	struct anon_vma *av = coh__anon_vma_alloc();
	if (!av)
		return -ENOMEM;
	spin_lock(&av->lock);
	vma->anon_vma = av;
	vma->anon_vma_node = NULL;
	av->head = vma;
	spin_unlock(&av->lock);
	return 0;
}

/* anon_vma_link(): adds vma at the tail of its anon_vma's list. */
void anon_vma_link(struct vm_area_struct *vma)
{
	struct anon_vma *av = vma->anon_vma;
	spin_lock(&av->lock);
	struct vm_area_struct **pp = &av->head;
	while (*pp && *pp != vma)
		pp = &(*pp)->anon_vma_node;
	if (!*pp) {
		vma->anon_vma_node = NULL;
		*pp = vma;
	}
	spin_unlock(&av->lock);
}

/* anon_vma_unlink() */
void anon_vma_unlink(struct vm_area_struct *vma)
{
	struct anon_vma *av = vma->anon_vma;
	spin_lock(&av->lock);
	struct vm_area_struct **pp = &av->head;
	while (*pp && *pp != vma)
		pp = &(*pp)->anon_vma_node;
	if (*pp)
		*pp = vma->anon_vma_node;
	vma->anon_vma_node = NULL;
	spin_unlock(&av->lock);
}

/* page_add_new_anon_rmap() -> __page_set_anon_rmap(): mapcount 0 (one
 * PTE), mapping = anon_vma + PAGE_MAPPING_ANON, index = linear_page_index. */
void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long address)
{
	page->_mapcount = 0;
	page->mapping = (struct address_space *)((uintptr_t)vma->anon_vma + PAGE_MAPPING_ANON);
	page->index = ((address - vma->vm_start) >> coh__kernel.page_shift) + vma->vm_pgoff;
}

/* page_add_file_rmap() (a shmem page mapped once more) */
void page_add_file_rmap(struct page *page)
{
	page->_mapcount++;
}

/* page_dup_rmap() (fork's copy_one_pte) */
void page_dup_rmap(struct page *page)
{
	page->_mapcount++;
}

/* page_remove_rmap(): the mapping stays (the page may still be looked up
 * through it), until the page is freed. */
void page_remove_rmap(struct page *page)
{
	BUG_ON(page->_mapcount < 0);
	page->_mapcount--;
}

/* try_to_unmap() -> try_to_unmap_anon() -> try_to_unmap_one() on each VMA
 * of the page's anon_vma: flush_cache_page, the PTE cleared, rmap and
 * reference dropped. (Swap is not modelled: the page is simply unmapped,
 * as a migration would leave it.) */
int try_to_unmap(struct page *page)
{
	struct anon_vma *av = page_anon_vma(page);
	int n = 0;
	if (!av)
		return 0;
	spin_lock(&av->lock);
	for (struct vm_area_struct *vma = av->head; vma; vma = vma->anon_vma_node) {
		unsigned long address = vma_address(page, vma);
		if (IS_ERR_VALUE(address))
			continue;
		struct coh_pte *pte = coh_pte_lookup(vma->vm_mm, address);
		if (!pte || pte->page != page)
			continue;
		flush_cache_page(vma, address, page_to_pfn(page));
		coh__clear_pte(vma->vm_mm, pte);
		page_remove_rmap(page);
		put_page(page);
		n++;
	}
	spin_unlock(&av->lock);
	return n;
}

/* page_mkclean() -> page_mkclean_file() -> page_mkclean_one() (mm/rmap.c
 * 2.6.3x) on each VM_SHARED VMA of the page's i_mmap: a writable PTE is
 * flushed (flush_cache_page) and write-protected. Returns how many were.
 * The flush came with c2fda5fed81e ("Fix up page_mkclean_one(): virtual
 * caches, s390", 2.6.20): without it (`mkclean-flush-cache` declared and
 * off, 2.6.19), the user's dirty lines stay behind the writeback. */
int page_mkclean(struct page *page)
{
	struct address_space *mapping = page_mapping(page);
	int ret = 0;
	if (!mapping || !page_mapped(page))
		return 0;
	spin_lock(&mapping->i_mmap_lock);
	for (struct vm_area_struct *vma = mapping->i_mmap; vma; vma = vma->shared_next) {
		if (!(vma->vm_flags & VM_SHARED))
			continue;
		unsigned long address = vma_address(page, vma);
		if (IS_ERR_VALUE(address))
			continue;
		struct coh_pte *pte = coh_pte_lookup(vma->vm_mm, address);
		if (!pte || pte->page != page || !pte->write)
			continue;
		if (coh_fix_old("mkclean-flush-cache"))
			flush_cache_page(vma, address, page_to_pfn(page));
		pte->write = false; /* pte_wrprotect(pte_mkclean(ptep_clear_flush)) */
		ret++;
	}
	spin_unlock(&mapping->i_mmap_lock);
	return ret;
}
