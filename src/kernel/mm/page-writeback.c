/*
 * page-writeback.c - dirty pages and their writeback (mm/page-writeback.c,
 * mm/filemap.c's fdatawrite/fdatawait, fs/sync.c's vfs_fsync_range,
 * fs/fs-writeback.c's flusher, 2.6.32-39): set_page_dirty,
 * clear_page_dirty_for_io (with page_mkclean), write_cache_pages,
 * filemap_fdatawrite_range, filemap_fdatawait_range,
 * filemap_write_and_wait_range, vfs_fsync_range, bdi_start_flusher.
 *
 * Interface: cohsim/fs.h; coh__inode_mark_dirty, coh__writeback_init
 * (fs_impl.h). Invariants: a page is PG_dirty only while it is in a
 * mapping's page tree; an inode with a dirty page is on the dirty list
 * (i_dirty_pages), ordered by dirtied_when, until a writeback of all its
 * pages finds none dirty.
 */
#include "kernel/fs/fs_impl.h"

#define MAX_DIRTY 16

static struct {
	struct inode *dirty[MAX_DIRTY]; /* the bdi's b_dirty list */
	unsigned ndirty;
	unsigned long clock;
} wb;

void coh__writeback_init(void)
{
	wb.ndirty = 0;
	wb.clock = 0;
}

/* __mark_inode_dirty(I_DIRTY_PAGES): onto the dirty list, once. */
void coh__inode_mark_dirty(struct inode *inode)
{
	if (inode->i_dirty_pages || wb.ndirty == MAX_DIRTY)
		return;
	inode->i_dirty_pages = true;
	inode->dirtied_when = ++wb.clock;
	wb.dirty[wb.ndirty++] = inode;
}

/* __set_page_dirty_nobuffers (mm/page-writeback.c). */
int __set_page_dirty_nobuffers(struct page *page)
{
	if (TestSetPageDirty(page))
		return 0;
	struct address_space *mapping = page_mapping(page);
	if (mapping) {
		spin_lock_irq(&mapping->tree_lock);
		/* radix_tree_tag_set(PAGECACHE_TAG_DIRTY): PG_dirty is the tag */
		spin_unlock_irq(&mapping->tree_lock);
		coh__inode_mark_dirty(mapping->host);
	}
	return 1;
}

/* set_page_dirty (mm/page-writeback.c): the mapping's ->set_page_dirty,
 * or __set_page_dirty_nobuffers. */
int set_page_dirty(struct page *page)
{
	struct address_space *mapping = page_mapping(page);
	if (mapping && mapping->a_ops->set_page_dirty)
		return mapping->a_ops->set_page_dirty(page);
	if (mapping)
		return __set_page_dirty_nobuffers(page);
	return !TestSetPageDirty(page);
}

/* clear_page_dirty_for_io (mm/page-writeback.c 2.6.3x): page_mkclean, so
 * that a store through a shared mapping faults and dirties the page
 * again, then TestClearPageDirty. */
int clear_page_dirty_for_io(struct page *page)
{
	BUG_ON(!PageLocked(page));
	if (page_mapping(page)) {
		if (page_mkclean(page))
			set_page_dirty(page);
		return TestClearPageDirty(page);
	}
	return TestClearPageDirty(page);
}

/* write_cache_pages (mm/page-writeback.c 2.6.3x) with ->writepage: each
 * dirty page of the range locked, waited for if under writeback (in
 * WB_SYNC_ALL), cleaned for I/O and written. */
int do_writepages(struct address_space *mapping, struct writeback_control *wbc)
{
	unsigned shift = coh__kernel.page_shift;
	pgoff_t index = (pgoff_t)(wbc->range_start >> shift);
	pgoff_t end = (pgoff_t)(wbc->range_end >> shift);
	int ret = 0;
	for (; index <= end && index < COH_MAPPING_PAGES; index++) {
		struct page *page = mapping->page_tree[index];
		if (!page || !PageDirty(page)) /* the dirty-tag lookup */
			continue;
		get_page(page);
		lock_page(page);
		if (page->mapping != mapping || !PageDirty(page)) {
			unlock_page(page);
			put_page(page);
			continue;
		}
		if (PageWriteback(page)) {
			if (wbc->sync_mode != WB_SYNC_NONE)
				wait_on_page_writeback(page);
			else {
				unlock_page(page);
				put_page(page);
				continue;
			}
		}
		if (!clear_page_dirty_for_io(page)) {
			unlock_page(page);
			put_page(page);
			continue;
		}
		int r = mapping->a_ops->writepage(page, wbc); /* unlocks the page */
		put_page(page);
		if (r && !ret)
			ret = r;
		if (--wbc->nr_to_write <= 0 && wbc->sync_mode == WB_SYNC_NONE)
			break;
	}
	return ret;
}

/* __filemap_fdatawrite_range(mapping, start, end, WB_SYNC_ALL). */
int filemap_fdatawrite_range(struct address_space *mapping, loff_t start, loff_t end)
{
	struct writeback_control wbc = {
	    .sync_mode = WB_SYNC_ALL,
	    .nr_to_write = 1l << 30,
	    .range_start = start,
	    .range_end = end,
	};
	if (!mapping->nrpages)
		return 0;
	return do_writepages(mapping, &wbc);
}

int filemap_fdatawrite(struct address_space *mapping)
{
	return filemap_fdatawrite_range(mapping, 0, INT64_MAX);
}

/* filemap_fdatawait_range -> wait_on_page_writeback_range (2.6.3x): the
 * pages under writeback waited for, then AS_EIO/AS_ENOSPC reported once. */
int filemap_fdatawait_range(struct address_space *mapping, loff_t start, loff_t end)
{
	unsigned shift = coh__kernel.page_shift;
	int ret = 0;
	if (end < start)
		return 0;
	for (pgoff_t i = (pgoff_t)(start >> shift);
	     i <= (pgoff_t)(end >> shift) && i < COH_MAPPING_PAGES; i++) {
		struct page *page = mapping->page_tree[i];
		if (!page || !PageWriteback(page))
			continue;
		get_page(page);
		wait_on_page_writeback(page);
		if (PageError(page))
			ret = -EIO;
		put_page(page);
	}
	if (mapping->flags & (1ul << AS_ENOSPC)) {
		mapping->flags &= ~(1ul << AS_ENOSPC);
		ret = -ENOSPC;
	}
	if (mapping->flags & (1ul << AS_EIO)) {
		mapping->flags &= ~(1ul << AS_EIO);
		ret = -EIO;
	}
	return ret;
}

/* filemap_write_and_wait_range (mm/filemap.c 2.6.3x). */
int filemap_write_and_wait_range(struct address_space *mapping, loff_t lstart, loff_t lend)
{
	int err = 0;
	if (mapping->nrpages) {
		err = filemap_fdatawrite_range(mapping, lstart, lend);
		if (err != -EIO) {
			int err2 = filemap_fdatawait_range(mapping, lstart, lend);
			if (!err)
				err = err2;
		}
	}
	return err;
}

int filemap_write_and_wait(struct address_space *mapping)
{
	return filemap_write_and_wait_range(mapping, 0, INT64_MAX);
}

/* vfs_fsync_range (fs/sync.c 2.6.35): the range written and waited for,
 * then ->fsync under i_mutex. */
int vfs_fsync_range(struct file *file, loff_t start, loff_t end, int datasync)
{
	if (!file->f_op || !file->f_op->fsync)
		return -EINVAL;
	struct address_space *mapping = file->f_mapping;
	int ret = filemap_write_and_wait_range(mapping, start, end);
	coh_mutex_lock(&mapping->host->i_mutex);
	int err = file->f_op->fsync(file, start, end, datasync);
	if (!ret)
		ret = err;
	coh_mutex_unlock(&mapping->host->i_mutex);
	return ret;
}

int vfs_fsync(struct file *file, int datasync)
{
	return vfs_fsync_range(file, 0, INT64_MAX, datasync);
}

/* wb_writeback (fs/fs-writeback.c) of every dirty inode, oldest first,
 * WB_SYNC_NONE: writeback_single_inode -> do_writepages; an inode with no
 * dirty page left leaves the list. */
void wb_writeback_all(void)
{
	unsigned n = wb.ndirty;
	for (unsigned i = 0; i < n && i < wb.ndirty; i++) {
		struct inode *inode = wb.dirty[i];
		struct writeback_control wbc = {
		    .sync_mode = WB_SYNC_NONE,
		    .nr_to_write = 1024,
		    .range_start = 0,
		    .range_end = INT64_MAX,
		    .for_background = true,
		};
		do_writepages(inode->i_mapping, &wbc);
	}
	/* requeue: drop the inodes that are clean now */
	unsigned k = 0;
	for (unsigned i = 0; i < wb.ndirty; i++) {
		struct inode *inode = wb.dirty[i];
		bool dirty = false;
		for (unsigned p = 0; p < COH_MAPPING_PAGES && !dirty; p++)
			dirty = inode->i_data.page_tree[p] && PageDirty(inode->i_data.page_tree[p]);
		if (dirty)
			wb.dirty[k++] = inode;
		else
			inode->i_dirty_pages = false;
	}
	wb.ndirty = k;
}

/* bdi_writeback_task (2.6.32+): wakes up (a preemption point standing
 * for the dirty_writeback_interval timer), writes back, `rounds` times. */
static void flusher(void *arg)
{
	unsigned rounds = (unsigned)(uintptr_t)arg;
	for (unsigned r = 0; r < rounds; r++) {
		coh_preempt_point();
		wb_writeback_all();
	}
}

coh_task *bdi_start_flusher(coh_sched *s, unsigned cpu, unsigned rounds)
{
	return coh_task_create(s, "flush-8:0", cpu, flusher, (void *)(uintptr_t)rounds);
}
