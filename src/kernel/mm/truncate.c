/*
 * truncate.c - taking pages out of the page cache (mm/truncate.c,
 * mm/memory.c's unmap_mapping_range, 2.6.31-39): invalidate_mapping_pages,
 * invalidate_inode_pages2_range with its -EBUSY, truncate_inode_pages_range,
 * unmap_mapping_range over i_mmap, vmtruncate.
 *
 * Interface: cohsim/fs.h. Invariants: a page leaves its mapping only
 * locked, unmapped from user space and not under writeback, through
 * remove_from_page_cache (which forgets its oracle copies); a dirty page
 * is dropped only by truncation (cancel_dirty_page), never by
 * invalidation.
 */
#include "kernel/fs/fs_impl.h"

static unsigned long psize(void)
{
	return coh__page_size();
}

/* try_to_release_page (fs/buffer.c's caller, mm/filemap.c). */
static int try_to_release_page(struct page *page, gfp_t gfp)
{
	struct address_space *mapping = page->mapping;
	BUG_ON(!PageLocked(page));
	if (PageWriteback(page))
		return 0;
	if (mapping && mapping->a_ops->releasepage)
		return mapping->a_ops->releasepage(page, gfp);
	ClearPagePrivate(page); /* try_to_free_buffers */
	return 1;
}

/* truncate_complete_page (mm/truncate.c): invalidatepage, cancel_dirty_page,
 * out of the cache, the cache's reference dropped. */
static void truncate_complete_page(struct address_space *mapping, struct page *page)
{
	if (page->mapping != mapping)
		return;
	if (PagePrivate(page) && mapping->a_ops->invalidatepage)
		mapping->a_ops->invalidatepage(page, 0);
	ClearPageDirty(page); /* cancel_dirty_page */
	remove_from_page_cache(page);
	ClearPageMappedToDisk(page);
	put_page(page);
}

/* invalidate_complete_page (mm/truncate.c): a clean, unmapped page whose
 * private data can be released leaves the cache. */
static int invalidate_complete_page(const struct address_space *mapping, struct page *page)
{
	if (page->mapping != mapping)
		return 0;
	if (PagePrivate(page) && !try_to_release_page(page, 0))
		return 0;
	remove_from_page_cache(page);
	put_page(page);
	return 1;
}

/* invalidate_mapping_pages (mm/truncate.c): what can go without waiting. */
unsigned long invalidate_mapping_pages(struct address_space *mapping, pgoff_t start, pgoff_t end)
{
	unsigned long ret = 0;
	for (pgoff_t i = start; i <= end && i < COH_MAPPING_PAGES; i++) {
		struct page *page = mapping->page_tree[i];
		if (!page)
			continue;
		get_page(page); /* pagevec_lookup's reference */
		if (trylock_page(page)) {
			if (!PageDirty(page) && !PageWriteback(page) && !page_mapped(page))
				ret += (unsigned long)invalidate_complete_page(mapping, page);
			unlock_page(page);
		}
		put_page(page); /* pagevec_release */
	}
	return ret;
}

/* invalidate_complete_page2 (mm/truncate.c): as above, but the page may
 * have been dirtied again meanwhile (checked under tree_lock). */
static int invalidate_complete_page2(struct address_space *mapping, struct page *page)
{
	if (page->mapping != mapping)
		return 0;
	if (PagePrivate(page) && !try_to_release_page(page, GFP_KERNEL))
		return 0;
	spin_lock_irq(&mapping->tree_lock);
	bool dirty = PageDirty(page);
	spin_unlock_irq(&mapping->tree_lock);
	if (dirty)
		return 0;
	BUG_ON(PagePrivate(page));
	remove_from_page_cache(page);
	put_page(page);
	return 1;
}

/* do_launder_page (mm/truncate.c) */
static int do_launder_page(struct address_space *mapping, struct page *page)
{
	if (!PageDirty(page))
		return 0;
	if (page->mapping != mapping || !mapping->a_ops->launder_page)
		return 0;
	return mapping->a_ops->launder_page(page);
}

/* invalidate_inode_pages2_range (mm/truncate.c 2.6.3x). */
int invalidate_inode_pages2_range(struct address_space *mapping, pgoff_t start, pgoff_t end)
{
	int ret = 0;
	bool did_range_unmap = false;
	unsigned shift = coh__kernel.page_shift;
	for (pgoff_t i = start; i <= end && i < COH_MAPPING_PAGES; i++) {
		struct page *page = find_get_page(mapping, i); /* pagevec_lookup */
		if (!page)
			continue;
		lock_page(page);
		if (page->mapping != mapping) {
			unlock_page(page);
			put_page(page);
			continue;
		}
		wait_on_page_writeback(page);
		if (page_mapped(page)) {
			if (!did_range_unmap) {
				/* zap the rest of the file in one hit */
				unmap_mapping_range(mapping, (loff_t)i << shift,
				                    (loff_t)(end - i + 1) << shift, 0);
				did_range_unmap = true;
			} else {
				unmap_mapping_range(mapping, (loff_t)i << shift, (loff_t)psize(),
				                    0);
			}
		}
		BUG_ON(page_mapped(page));
		int ret2 = do_launder_page(mapping, page);
		if (ret2 == 0 && !invalidate_complete_page2(mapping, page))
			ret2 = -EBUSY;
		if (ret2 < 0)
			ret = ret2;
		unlock_page(page);
		put_page(page);
		coh_preempt_point(); /* cond_resched */
	}
	return ret;
}

int invalidate_inode_pages2(struct address_space *mapping)
{
	return invalidate_inode_pages2_range(mapping, 0, ~0ul);
}

/* truncate_inode_pages_range (mm/truncate.c 2.6.3x): a first pass drops
 * what it can lock without waiting, the partial page is zeroed past
 * lstart, a second pass waits for every page left. */
void truncate_inode_pages_range(struct address_space *mapping, loff_t lstart, loff_t lend)
{
	unsigned shift = coh__kernel.page_shift;
	unsigned partial = (unsigned)(lstart & (loff_t)(psize() - 1));
	pgoff_t start = (pgoff_t)((lstart + (loff_t)psize() - 1) >> shift);
	pgoff_t end = lend < 0 ? ~0ul : (pgoff_t)(lend >> shift);
	if (!mapping->nrpages)
		return;
	for (pgoff_t i = start; i <= end && i < COH_MAPPING_PAGES; i++) {
		struct page *page = mapping->page_tree[i];
		if (!page || !trylock_page(page))
			continue;
		get_page(page);
		if (!PageWriteback(page))
			truncate_complete_page(mapping, page);
		unlock_page(page);
		put_page(page);
	}
	if (partial) {
		struct page *page = find_lock_page(mapping, start - 1);
		if (page) {
			wait_on_page_writeback(page);
			/* truncate_partial_page: zeroed past the new end (bytes
			 * no read can see: not a store for the oracle) */
			coh__zero_user_segment(page, partial, (unsigned)psize());
			if (PagePrivate(page) && mapping->a_ops->invalidatepage)
				mapping->a_ops->invalidatepage(page, partial);
			unlock_page(page);
			put_page(page);
		}
	}
	for (pgoff_t i = start; i <= end && i < COH_MAPPING_PAGES; i++) {
		coh_preempt_point(); /* cond_resched */
		struct page *page = find_get_page(mapping, i);
		if (!page)
			continue;
		lock_page(page);
		wait_on_page_writeback(page);
		if (page_mapped(page))
			unmap_mapping_range(mapping, (loff_t)i << shift, (loff_t)psize(), 0);
		truncate_complete_page(mapping, page);
		unlock_page(page);
		put_page(page);
	}
}

void truncate_inode_pages(struct address_space *mapping, loff_t lstart)
{
	truncate_inode_pages_range(mapping, lstart, -1);
}

/* unmap_mapping_range (mm/memory.c 2.6.3x) -> unmap_mapping_range_vma ->
 * zap_page_range over the VMAs of i_mmap that map the range: each PTE's
 * user alias flushed (tlb_start_vma's flush_cache_range), the PTE cleared,
 * the rmap and reference dropped. Without even_cows a private COW copy
 * (not of this mapping) stays. */
void unmap_mapping_range(struct address_space *mapping, loff_t holebegin, loff_t holelen,
                         int even_cows)
{
	unsigned shift = coh__kernel.page_shift;
	pgoff_t first = (pgoff_t)(holebegin >> shift);
	pgoff_t hlen = (pgoff_t)((holelen + (loff_t)psize() - 1) >> shift);
	pgoff_t last = first + hlen - 1;
	if (last < first)
		last = ~0ul;
	spin_lock(&mapping->i_mmap_lock);
	for (struct vm_area_struct *vma = mapping->i_mmap; vma; vma = vma->shared_next) {
		struct mm_struct *mm = vma->vm_mm;
		for (unsigned k = 0; k < mm->npte;) {
			struct coh_pte *pte = &mm->pte[k];
			if (pte->addr < vma->vm_start || pte->addr >= vma->vm_end) {
				k++;
				continue;
			}
			pgoff_t idx = vma->vm_pgoff + ((pte->addr - vma->vm_start) >> shift);
			struct page *page = pte->page;
			if (idx < first || idx > last || pte->special ||
			    (!even_cows && page->mapping != mapping)) {
				k++;
				continue;
			}
			flush_cache_page(vma, pte->addr, page_to_pfn(page));
			coh__clear_pte(mm, pte);
			page_remove_rmap(page);
			put_page(page);
		}
	}
	spin_unlock(&mapping->i_mmap_lock);
}

/* vmtruncate (mm/truncate.c 2.6.3x): inode_newsize_ok, truncate_setsize
 * (i_size, truncate_pagecache: unmap, truncate, unmap again), then the
 * file system's ->truncate. */
int vmtruncate(struct inode *inode, loff_t offset)
{
	if (offset < 0 || offset > (loff_t)inode->i_nblocks * (loff_t)psize())
		return -EFBIG;
	coh_mutex_lock(&inode->i_mutex);
	loff_t oldsize = inode->i_size;
	inode->i_size = offset;
	if (offset < oldsize) {
		struct address_space *mapping = inode->i_mapping;
		loff_t holebegin = (offset + (loff_t)psize() - 1) & ~(loff_t)(psize() - 1);
		unmap_mapping_range(mapping, holebegin, 0, 1);
		truncate_inode_pages(mapping, offset);
		unmap_mapping_range(mapping, holebegin, 0, 1);
	}
	coh__simplefs_truncate(inode);
	coh_mutex_unlock(&inode->i_mutex);
	return 0;
}
