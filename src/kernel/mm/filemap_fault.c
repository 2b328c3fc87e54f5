/*
 * filemap_fault.c - faults of file mappings and the i_mmap list (mm/memory.c
 * __do_fault and do_wp_page's shared-writable reuse, mm/filemap.c
 * filemap_fault, mm/mmap.c __vma_link_file, 2.6.31-39).
 *
 * Interface: coh__file_fault, coh__file_wp_fault, coh__vma_link_file,
 * coh__vma_unlink_file (fs_impl.h); mapping_mapped (fs.h).
 * Fault kinds: a read fault maps the page-cache page, read-only (a
 * private mapping: COW on write; a shared one: write-notify, so that the
 * first write dirties the page); a private write fault copies it at once
 * (copy_user_highpage) into a new anonymous page; a shared write fault,
 * or the write to a write-protected shared PTE, maps it writable and
 * set_page_dirty()s it (no ->page_mkwrite: simplefs has none).
 * Invariants: a file VMA is on its mapping's i_mmap exactly while it is
 * linked in its mm; i_mmap_writable counts the VM_SHARED ones.
 */
#include "kernel/arch/usercache.h"
#include "kernel/fs/fs_impl.h"

/* __vma_link_file (mm/mmap.c) */
void coh__vma_link_file(struct vm_area_struct *vma)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	if (vma->vm_flags & VM_SHARED)
		mapping->i_mmap_writable++;
	vma->shared_next = mapping->i_mmap;
	mapping->i_mmap = vma;
}

/* __remove_shared_vm_struct (mm/mmap.c) */
void coh__vma_unlink_file(struct vm_area_struct *vma)
{
	struct address_space *mapping = vma->vm_file->f_mapping;
	if (vma->vm_flags & VM_SHARED)
		mapping->i_mmap_writable--;
	for (struct vm_area_struct **pp = &mapping->i_mmap; *pp; pp = &(*pp)->shared_next)
		if (*pp == vma) {
			*pp = vma->shared_next;
			break;
		}
	vma->shared_next = NULL;
}

bool mapping_mapped(const struct address_space *mapping)
{
	return mapping->i_mmap != NULL;
}

/* page_cache_read (mm/filemap.c): a new page added and ->readpage'd. */
static int page_cache_read(struct file *file, pgoff_t offset)
{
	struct address_space *mapping = file->f_mapping;
	struct page *page = alloc_page(mapping->gfp_mask);
	if (!page)
		return -ENOMEM;
	int ret = add_to_page_cache_lru(page, mapping, offset, GFP_KERNEL);
	if (ret == 0)
		ret = mapping->a_ops->readpage(file, page);
	else if (ret == -EEXIST)
		ret = 0; /* losing race to add is OK */
	put_page(page);
	return ret;
}

/* filemap_fault (mm/filemap.c 2.6.3x, no readahead): the locked uptodate
 * page of pgoff in *pagep, or VM_FAULT_SIGBUS / VM_FAULT_OOM. */
static unsigned filemap_fault(struct vm_area_struct *vma, pgoff_t pgoff, struct page **pagep)
{
	struct file *file = vma->vm_file;
	struct address_space *mapping = file->f_mapping;
	struct inode *inode = mapping->host;
	unsigned shift = coh__kernel.page_shift;
	unsigned ret = 0;
	for (;;) {
		pgoff_t size = (pgoff_t)((inode->i_size + (loff_t)coh__page_size() - 1) >> shift);
		if (pgoff >= size)
			return VM_FAULT_SIGBUS;
		struct page *page = find_get_page(mapping, pgoff);
		if (!page) {
			ret = VM_FAULT_MAJOR;
			int error = page_cache_read(file, pgoff);
			if (error == -ENOMEM)
				return VM_FAULT_OOM;
			if (error < 0)
				return VM_FAULT_SIGBUS;
			continue; /* retry_find */
		}
		lock_page(page);
		if (page->mapping != mapping) {
			unlock_page(page);
			put_page(page);
			continue;
		}
		if (!PageUptodate(page)) {
			/* page_not_uptodate */
			ClearPageError(page);
			int error = mapping->a_ops->readpage(file, page);
			if (!error) {
				wait_on_page_locked(page);
				if (!PageUptodate(page))
					error = -EIO;
			}
			put_page(page);
			if (!error)
				continue;
			return VM_FAULT_SIGBUS;
		}
		size = (pgoff_t)((inode->i_size + (loff_t)coh__page_size() - 1) >> shift);
		if (pgoff >= size) {
			unlock_page(page);
			put_page(page);
			return VM_FAULT_SIGBUS;
		}
		*pagep = page;
		return ret; /* | VM_FAULT_LOCKED */
	}
}

/* __do_fault (mm/memory.c 2.6.3x) for a file VMA with no PTE at address. */
unsigned coh__file_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
                         unsigned flags)
{
	unsigned shift = coh__kernel.page_shift;
	address &= ~(coh__page_size() - 1);
	pgoff_t pgoff = ((address - vma->vm_start) >> shift) + vma->vm_pgoff;
	struct page *vmf_page = NULL;
	unsigned ret = filemap_fault(vma, pgoff, &vmf_page);
	if (ret & VM_FAULT_ERROR)
		return ret;
	struct page *page = vmf_page;
	bool anon = false, write = (flags & FAULT_FLAG_WRITE) != 0;
	KSITE();
	coh__pc_read(vmf_page, 0, (unsigned)coh__page_size()); /* the user sees the page */
	if (write && !(vma->vm_flags & VM_SHARED)) {
		anon = true;
		if (anon_vma_prepare(vma)) {
			unlock_page(vmf_page);
			put_page(vmf_page);
			return VM_FAULT_OOM;
		}
		page = alloc_page(GFP_HIGHUSER);
		if (!page) {
			unlock_page(vmf_page);
			put_page(vmf_page);
			return VM_FAULT_OOM;
		}
		copy_user_highpage(page, vmf_page, address, vma);
	}
	/* mk_pte(vm_page_prot): a shared writable mapping wants write
	 * notification, so only a write fault maps it writable */
	bool writable = write && (vma->vm_flags & VM_WRITE);
	if (anon)
		page_add_new_anon_rmap(page, vma, address);
	else
		page_add_file_rmap(page);
	if (coh__set_pte(mm, address, page, writable, false)) {
		page_remove_rmap(page);
		if (anon)
			put_page(page);
		unlock_page(vmf_page);
		put_page(vmf_page);
		return VM_FAULT_OOM;
	}
	coh__update_mmu_cache(vma, address, coh_pte_lookup(mm, address));
	if (!anon && write) {
		/* dirty_page: a store is coming through the user alias */
		KSITE();
		coh__pc_store(page, 0, (unsigned)coh__page_size());
		set_page_dirty(page);
		unlock_page(page);
		/* the PTE keeps the reference filemap_fault took */
		return ret;
	}
	unlock_page(vmf_page);
	if (anon)
		put_page(vmf_page); /* page_cache_release(vmf.page) */
	return ret;
}

/* do_wp_page (mm/memory.c 2.6.3x), the VM_WRITE|VM_SHARED reuse of a
 * page-cache page: flush_cache_page, the PTE made writable (dirty), then
 * wait_on_page_locked + set_page_dirty_balance. */
unsigned coh__file_wp_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
                            struct coh_pte *pte)
{
	(void)mm;
	address &= ~(coh__page_size() - 1);
	struct page *dirty_page = pte->page;
	get_page(dirty_page);
	flush_cache_page(vma, address, page_to_pfn(dirty_page));
	pte->write = true;
	coh__update_mmu_cache(vma, address, pte);
	wait_on_page_locked(dirty_page);
	KSITE();
	coh__pc_store(dirty_page, 0, (unsigned)coh__page_size());
	set_page_dirty(dirty_page);
	put_page(dirty_page);
	return VM_FAULT_WRITE;
}
