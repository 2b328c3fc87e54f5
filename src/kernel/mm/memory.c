/*
 * memory.c - page faults (mm/memory.c, 2.6.31-39): handle_mm_fault,
 * do_anonymous_page, do_wp_page, and the fault of shared anonymous memory
 * (shmem_fault); get_page/put_page (mm/swap.c).
 *
 * Interface: handle_mm_fault, get_page, put_page (mm.h); coh__fault_in,
 * the check every user and uaccess access makes first (mm_impl.h).
 * Fault kinds: a read of an absent anonymous page maps the zero page
 * read-only (2.6.32+; 2.6.31 allocates); a write allocates a page cleared
 * with clear_user_highpage; a write to a write-protected PTE is do_wp_page:
 * reuse when the anonymous page has one mapping, else copy with
 * copy_user_highpage (COW after fork), then flush_cache_page of the old
 * PTE, as the kernel does after the copy. A shared anonymous page is
 * found or allocated (cleared, flush_dcache_page) in its shmem object.
 */
#include "kernel/arch/usercache.h"
#include "kernel/fs/fs_impl.h"
#include "kernel/mm/mm_impl.h"

void get_page(struct page *page)
{
	BUG_ON(page->_refcount <= 0);
	page->_refcount++;
}

/* put_page() -> __page_cache_release -> free_hot_cold_page: an anonymous
 * page loses its mapping when freed. */
void put_page(struct page *page)
{
	BUG_ON(page->_refcount <= 0);
	if (page->_refcount > 1) {
		page->_refcount--;
		return;
	}
	if (PageAnon(page))
		page->mapping = NULL;
	__free_page(page);
}

static unsigned long page_mask(void)
{
	return ~(coh__page_size() - 1);
}

/* do_anonymous_page() */
static unsigned do_anonymous_page(struct mm_struct *mm, struct vm_area_struct *vma,
                                  unsigned long address, unsigned flags)
{
	address &= page_mask();
	if (!(flags & FAULT_FLAG_WRITE) && linux_version_code() >= KERNEL_VERSION(2, 6, 32)) {
		/* pte_mkspecial(pfn_pte(my_zero_pfn(address), vma->vm_page_prot)) */
		if (coh__set_pte(mm, address, ZERO_PAGE(address), false, true))
			return VM_FAULT_OOM;
		return 0;
	}
	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	struct page *page = alloc_page(GFP_HIGHUSER); /* alloc_zeroed_user_highpage_movable */
	if (!page)
		return VM_FAULT_OOM;
	clear_user_highpage(page, address);
	page_add_new_anon_rmap(page, vma, address);
	bool write = (vma->vm_flags & VM_WRITE) != 0;
	if (coh__set_pte(mm, address, page, write, false)) {
		page_remove_rmap(page);
		put_page(page);
		return VM_FAULT_OOM;
	}
	coh__update_mmu_cache(vma, address, coh_pte_lookup(mm, address));
	return 0;
}

/* shmem_fault() -> shmem_getpage(): the object's page at the index, or a
 * new one, cleared through the kernel alias and flush_dcache_page'd. */
static unsigned shmem_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address)
{
	address &= page_mask();
	unsigned long idx = ((address - vma->vm_start) >> coh__kernel.page_shift) + vma->vm_pgoff;
	if (idx >= COH_SHMEM_PAGES)
		return VM_FAULT_SIGBUS;
	struct page *page = vma->shm->pages[idx];
	if (!page) {
		page = alloc_page(GFP_HIGHUSER);
		if (!page)
			return VM_FAULT_OOM;
		simptr k = kmap_atomic(page); /* clear_highpage */
		sim_memset(k, 0, coh__page_size());
		kunmap_atomic(k);
		flush_dcache_page(page);
		page->index = idx;
		vma->shm->pages[idx] = page; /* the object's reference */
	}
	get_page(page);
	page_add_file_rmap(page);
	bool write = (vma->vm_flags & VM_WRITE) != 0;
	if (coh__set_pte(mm, address, page, write, false)) {
		page_remove_rmap(page);
		put_page(page);
		return VM_FAULT_OOM;
	}
	coh__update_mmu_cache(vma, address, coh_pte_lookup(mm, address));
	return VM_FAULT_MAJOR;
}

/* do_wp_page() */
static unsigned do_wp_page(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
                           struct coh_pte *pte)
{
	address &= page_mask();
	struct page *old_page = pte->special ? NULL : pte->page; /* vm_normal_page */
	if (old_page && PageAnon(old_page) && page_mapcount(old_page) == 1) {
		/* reuse_swap_page(): the only mapping, make it writable */
		pte->write = true;
		coh__update_mmu_cache(vma, address, pte);
		return VM_FAULT_WRITE;
	}
	if (old_page && (vma->vm_flags & VM_SHARED)) {
		pte->write = true; /* a shared writable mapping */
		return VM_FAULT_WRITE;
	}
	/* gotten: copy on write */
	if (anon_vma_prepare(vma))
		return VM_FAULT_OOM;
	struct page *new_page = alloc_page(GFP_HIGHUSER);
	if (!new_page)
		return VM_FAULT_OOM;
	if (!old_page)
		clear_user_highpage(new_page, address); /* alloc_zeroed_user_highpage */
	else
		copy_user_highpage(new_page, old_page, address, vma); /* cow_user_page */
	/* flush_cache_page(vma, address, pte_pfn(orig_pte)) after the copy */
	flush_cache_page(vma, address, page_to_pfn(pte->page));
	page_add_new_anon_rmap(new_page, vma, address);
	bool special = pte->special;
	if (coh__set_pte(mm, address, new_page, true, false))
		return VM_FAULT_OOM; /* cannot happen: the PTE exists */
	coh__update_mmu_cache(vma, address, coh_pte_lookup(mm, address));
	if (old_page && !special) {
		page_remove_rmap(old_page);
		put_page(old_page);
	}
	return VM_FAULT_WRITE;
}

/* handle_mm_fault() -> handle_pte_fault() */
unsigned handle_mm_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
                         unsigned flags)
{
	struct coh_pte *pte = coh_pte_lookup(mm, address);
	if (!pte) {
		if (vma->vm_file)
			return coh__file_fault(mm, vma, address, flags); /* do_linear_fault */
		if (vma->shm)
			return shmem_fault(mm, vma, address);
		return do_anonymous_page(mm, vma, address, flags);
	}
	if ((flags & FAULT_FLAG_WRITE) && !pte->write) {
		if (vma->vm_file && !pte->special && !PageAnon(pte->page) &&
		    (vma->vm_flags & (VM_WRITE | VM_SHARED)) == (VM_WRITE | VM_SHARED))
			return coh__file_wp_fault(mm, vma, address, pte);
		return do_wp_page(mm, vma, address, pte);
	}
	return 0; /* a spurious fault: the PTE is there */
}

/* do_page_fault()'s checks (arch/arm/mm/fault.c __do_page_fault): a VMA
 * that holds the address and allows the access, then handle_mm_fault
 * until the PTE allows it. Without a fault, nothing happens. */
int coh__fault_in(struct mm_struct *mm, unsigned long uaddr, bool write)
{
	if (!mm || uaddr >= TASK_SIZE)
		return -EFAULT;
	struct vm_area_struct *vma = find_vma(mm, uaddr);
	if (!vma || vma->vm_start > uaddr)
		return -EFAULT;
	if (!(vma->vm_flags & (write ? VM_WRITE : VM_READ)))
		return -EFAULT;
	for (int tries = 0; tries < 3; tries++) {
		struct coh_pte *pte = coh_pte_lookup(mm, uaddr);
		if (pte && (!write || pte->write))
			return 0;
		unsigned r = handle_mm_fault(mm, vma, uaddr, write ? FAULT_FLAG_WRITE : 0);
		if (r & VM_FAULT_ERROR)
			return -EFAULT;
	}
	return -EFAULT;
}
