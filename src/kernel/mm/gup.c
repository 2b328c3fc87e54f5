/*
 * gup.c - get_user_pages (mm/memory.c __get_user_pages, 2.6.31-39).
 *
 * Interface: get_user_pages (mm.h). For each page: follow_page (a present
 * PTE that allows the access: writable for a write), else handle_mm_fault
 * and again; then a reference, flush_anon_page(vma, page, start) and
 * flush_dcache_page(page). flush_anon_page is the `gup-flush-anon-page`
 * switch: mainline's 6020dff09252 "[ARM] Resolve fuse and direct-IO
 * failures due to missing cache flushes" (2.6.20); off, the model is the
 * kernel before it. The caller then reads or writes through a kmap and,
 * if it wrote, calls flush_dcache_page (cachetlb.txt).
 */
#include "kernel/mm/mm_impl.h"

/* follow_page(FOLL_GET | FOLL_TOUCH [| FOLL_WRITE]) */
static struct page *follow_page(struct mm_struct *mm, unsigned long address, bool write)
{
	struct coh_pte *pte = coh_pte_lookup(mm, address);
	if (!pte || (write && !pte->write))
		return NULL;
	get_page(pte->page); /* the zero page too (2.6.32+: FOLL_GET on it) */
	return pte->page;
}

int get_user_pages(struct task_struct *tsk, struct mm_struct *mm, unsigned long start, int nr_pages,
                   int write, int force, struct page **pages, struct vm_area_struct **vmas)
{
	(void)tsk;
	(void)force;
	int i = 0;
	unsigned long vm_flags = write ? VM_WRITE : VM_READ;
	start &= ~(coh__page_size() - 1);
	while (nr_pages > 0) {
		struct vm_area_struct *vma = find_vma(mm, start);
		if (!vma || vma->vm_start > start || !(vma->vm_flags & vm_flags))
			return i ? i : -EFAULT;
		do {
			cond_resched();
			struct page *page;
			while (!(page = follow_page(mm, start, write))) {
				unsigned r =
				    handle_mm_fault(mm, vma, start, write ? FAULT_FLAG_WRITE : 0);
				if (r & VM_FAULT_OOM)
					return i ? i : -ENOMEM;
				if (r & VM_FAULT_ERROR)
					return i ? i : -EFAULT;
			}
			if (pages) {
				pages[i] = page;
				if (coh_fix("gup-flush-anon-page"))
					flush_anon_page(vma, page, start);
				flush_dcache_page(page);
			}
			if (vmas)
				vmas[i] = vma;
			i++;
			start += coh__page_size();
			nr_pages--;
		} while (nr_pages && start < vma->vm_end);
	}
	return i;
}
