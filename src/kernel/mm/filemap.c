/*
 * filemap.c - the page cache (mm/filemap.c, 2.6.31-39): the page lock and
 * its wait table, the page tree of an address_space (find_get_page,
 * find_lock_page, find_or_create_page, add_to_page_cache,
 * remove_from_page_cache), the buffered read (do_generic_file_read with
 * file_read_actor) and write (generic_perform_write), the f_op entries
 * and vfs_read/vfs_write, and the block-copy oracle's view of the pages.
 *
 * Interface: cohsim/fs.h; coh__pc_* and coh__pagecache_init (fs_impl.h).
 * Invariants: a page in mapping->page_tree[i] has page->mapping ==
 * mapping, page->index == i and one reference for the cache; while it is
 * there and its block is mapped by a_ops->bmap, it has one oracle copy
 * per sector (blk_copy[i], blk_tracked[i]); a copy is filled only by a
 * completed read of the disk and written back only by a completed write.
 */
#include <stdio.h>

#include "cohsim/blockcopy.h"
#include "cohsim/aio.h"
#include "kernel/fs/fs_impl.h"

#define PAGE_WAIT_TABLE 16

static wait_queue_head_t wait_table[PAGE_WAIT_TABLE];

int coh__pagecache_init(void)
{
	for (unsigned i = 0; i < PAGE_WAIT_TABLE; i++)
		coh_init_waitqueue_head(&wait_table[i], "page_wait_table");
	coh__simplefs_init();
	coh__writeback_init();
	return COH_OK;
}

static unsigned long psize(void)
{
	return coh__page_size();
}

/* page_waitqueue (mm/filemap.c): the zone's hashed wait table. */
wait_queue_head_t *page_waitqueue(struct page *page)
{
	return &wait_table[page_to_pfn(page) % PAGE_WAIT_TABLE];
}

/* trylock_page (include/linux/pagemap.h): test_and_set_bit_lock(PG_locked). */
bool trylock_page(struct page *page)
{
	return !TestSetPageLocked(page);
}

/* lock_page -> __lock_page (mm/filemap.c): __wait_on_bit_lock on the
 * page's queue. */
void lock_page(struct page *page)
{
	coh_might_sleep();
	if (trylock_page(page))
		return;
	coh_wait_event(*page_waitqueue(page), trylock_page(page));
}

/* unlock_page (mm/filemap.c): clear_bit_unlock + wake_up_page(PG_locked). */
void unlock_page(struct page *page)
{
	BUG_ON(!PageLocked(page));
	ClearPageLocked(page);
	coh_wake_up_all(page_waitqueue(page));
}

/* wait_on_page_locked (pagemap.h) -> wait_on_page_bit(PG_locked). */
void wait_on_page_locked(struct page *page)
{
	if (PageLocked(page))
		coh_wait_event(*page_waitqueue(page), !PageLocked(page));
}

/* wait_on_page_writeback (pagemap.h) -> wait_on_page_bit(PG_writeback). */
void wait_on_page_writeback(struct page *page)
{
	if (PageWriteback(page))
		coh_wait_event(*page_waitqueue(page), !PageWriteback(page));
}

/* set_page_writeback -> test_set_page_writeback (page-writeback.c). */
void set_page_writeback(struct page *page)
{
	BUG_ON(TestSetPageWriteback(page));
}

/* end_page_writeback (mm/filemap.c): test_clear_page_writeback, then
 * wake_up_page(PG_writeback). */
void end_page_writeback(struct page *page)
{
	BUG_ON(!TestClearPageWriteback(page));
	coh_wake_up_all(page_waitqueue(page));
}

/* ---- the oracle's copies ---- */

void coh__pc_track(struct address_space *mapping, struct page *page)
{
	pgoff_t i = page->index;
	BUG_ON(psize() != COH_PAGE_SECTORS * SECTOR_SIZE);
	if (!mapping->a_ops->bmap || !mapping->host->i_sb)
		return;
	sector_t blk = mapping->a_ops->bmap(mapping, i);
	if (!blk)
		return;
	unsigned dev = fs_blk_dev(mapping->host->i_sb);
	char owner[64];
	snprintf(owner, sizeof(owner), "page cache of inode %lu, page %lu", mapping->host->i_ino,
	         (unsigned long)i);
	for (unsigned s = 0; s < COH_PAGE_SECTORS; s++)
		if (coh_blk_copy_create(coh__kernel.chk, dev, blk * COH_PAGE_SECTORS + s, 1, owner,
		                        &mapping->blk_copy[i][s]) != COH_OK)
			return;
	mapping->blk_tracked[i] = true;
}

void coh__pc_untrack(struct address_space *mapping, struct page *page)
{
	pgoff_t i = page->index;
	if (!mapping->blk_tracked[i])
		return;
	for (unsigned s = 0; s < COH_PAGE_SECTORS; s++)
		coh_blk_copy_destroy(coh__kernel.chk, mapping->blk_copy[i][s]);
	mapping->blk_tracked[i] = false;
}

static struct address_space *tracked(const struct page *page)
{
	struct address_space *mapping = page_mapping(page);
	if (!mapping || page->index >= COH_MAPPING_PAGES || !mapping->blk_tracked[page->index] ||
	    mapping->page_tree[page->index] != page)
		return NULL;
	return mapping;
}

void coh__pc_fill(struct page *page)
{
	struct address_space *mapping = tracked(page);
	for (unsigned s = 0; mapping && s < COH_PAGE_SECTORS; s++)
		coh_blk_copy_fill(coh__kernel.chk, mapping->blk_copy[page->index][s]);
}

void coh__pc_writeback(struct page *page)
{
	struct address_space *mapping = tracked(page);
	for (unsigned s = 0; mapping && s < COH_PAGE_SECTORS; s++)
		coh_blk_copy_writeback(coh__kernel.chk, mapping->blk_copy[page->index][s]);
}

void coh__pc_store(struct page *page, unsigned off, unsigned len)
{
	struct address_space *mapping = tracked(page);
	if (!mapping || !len)
		return;
	for (unsigned s = off / SECTOR_SIZE; s <= (off + len - 1) / SECTOR_SIZE; s++)
		coh_blk_copy_store(coh__kernel.chk, mapping->blk_copy[page->index][s],
		                   (int)coh__cpu());
}

void coh__pc_read(struct page *page, unsigned off, unsigned len)
{
	struct address_space *mapping = tracked(page);
	if (!mapping || !len)
		return;
	for (unsigned s = off / SECTOR_SIZE; s <= (off + len - 1) / SECTOR_SIZE; s++)
		coh_blk_copy_read(coh__kernel.chk, mapping->blk_copy[page->index][s],
		                  (int)coh__cpu());
}

/* zero_user_segment (include/linux/highmem.h): kmap_atomic, memset,
 * kunmap_atomic, flush_dcache_page. */
void coh__zero_user_segment(struct page *page, unsigned start, unsigned end)
{
	if (start >= end)
		return;
	simptr k = kmap_atomic(page);
	sim_memset(simptr_add(k, start), 0, end - start);
	kunmap_atomic(k);
	flush_dcache_page(page);
}

/* ---- the page tree ---- */

/* find_get_page (2.6.3x: RCU lookup + page_cache_get_speculative). */
struct page *find_get_page(struct address_space *mapping, pgoff_t index)
{
	if (index >= COH_MAPPING_PAGES)
		return NULL;
	struct page *page = mapping->page_tree[index];
	if (page)
		get_page(page);
	return page;
}

/* find_lock_page (mm/filemap.c): a page truncated while we slept on its
 * lock is looked up again. */
struct page *find_lock_page(struct address_space *mapping, pgoff_t index)
{
	for (;;) {
		struct page *page = find_get_page(mapping, index);
		if (!page)
			return NULL;
		lock_page(page);
		if (page->mapping == mapping) {
			BUG_ON(page->index != index);
			return page;
		}
		unlock_page(page);
		put_page(page);
	}
}

/* add_to_page_cache_locked + add_to_page_cache (mm/filemap.c). */
int add_to_page_cache(struct page *page, struct address_space *mapping, pgoff_t index,
                      gfp_t gfp_mask)
{
	(void)gfp_mask;
	if (index >= COH_MAPPING_PAGES)
		return -ENOMEM; /* the model's table */
	SetPageLocked(page);    /* __set_page_locked */
	get_page(page);
	page->mapping = mapping;
	page->index = index;
	spin_lock_irq(&mapping->tree_lock);
	if (mapping->page_tree[index]) {
		page->mapping = NULL;
		spin_unlock_irq(&mapping->tree_lock);
		put_page(page);
		ClearPageLocked(page);
		return -EEXIST;
	}
	mapping->page_tree[index] = page;
	mapping->nrpages++;
	coh__pc_track(mapping, page);
	spin_unlock_irq(&mapping->tree_lock);
	return 0;
}

/* add_to_page_cache_lru (mm/filemap.c): lru_cache_add_file as PG_lru. */
int add_to_page_cache_lru(struct page *page, struct address_space *mapping, pgoff_t index,
                          gfp_t gfp_mask)
{
	int r = add_to_page_cache(page, mapping, index, gfp_mask);
	if (!r)
		page->flags |= 1ul << PG_lru;
	return r;
}

/* remove_from_page_cache -> __remove_from_page_cache (mm/filemap.c). */
void remove_from_page_cache(struct page *page)
{
	struct address_space *mapping = page->mapping;
	BUG_ON(!PageLocked(page));
	spin_lock_irq(&mapping->tree_lock);
	coh__pc_untrack(mapping, page);
	mapping->page_tree[page->index] = NULL;
	page->mapping = NULL;
	mapping->nrpages--;
	BUG_ON(page_mapped(page));
	spin_unlock_irq(&mapping->tree_lock);
}

/* find_or_create_page (mm/filemap.c): __page_cache_alloc + add, retried
 * on -EEXIST. */
struct page *find_or_create_page(struct address_space *mapping, pgoff_t index, gfp_t gfp_mask)
{
	for (;;) {
		struct page *page = find_lock_page(mapping, index);
		if (page)
			return page;
		page = alloc_page(gfp_mask);
		if (!page)
			return NULL;
		int err = add_to_page_cache_lru(page, mapping, index, gfp_mask);
		if (!err)
			return page; /* ours and the cache's reference */
		put_page(page);
		if (err != -EEXIST)
			return NULL;
	}
}

/* read_cache_page_async + wait (mm/filemap.c, as read_mapping_page). */
struct page *read_mapping_page(struct address_space *mapping, pgoff_t index, struct file *file,
                               int *err)
{
	struct page *page = find_or_create_page(mapping, index, mapping->gfp_mask);
	if (!page) {
		*err = -ENOMEM;
		return NULL;
	}
	if (PageUptodate(page)) {
		unlock_page(page);
		return page;
	}
	int r = mapping->a_ops->readpage(file, page);
	if (!r) {
		wait_on_page_locked(page);
		if (!PageUptodate(page))
			r = -EIO;
	}
	if (r) {
		put_page(page);
		*err = r;
		return NULL;
	}
	return page;
}

/* ---- the buffered read ---- */

/* mapping_writably_mapped (pagemap.h) */
static bool mapping_writably_mapped(const struct address_space *mapping)
{
	return mapping->i_mmap_writable != 0;
}

/* fault_in_pages_writeable (include/linux/pagemap.h 2.6.3x): a zero
 * stored at the first byte, and at the last when it is on another page
 * (it will be overwritten), so that the atomic copy finds the pages. */
static int fault_in_pages_writeable(unsigned long uaddr, unsigned long size)
{
	if (size == 0)
		return 0;
	u8 zero = 0;
	int ret = put_user(zero, uaddr);
	unsigned long end = uaddr + size - 1;
	if (ret == 0 && (uaddr >> coh__kernel.page_shift) != (end >> coh__kernel.page_shift))
		ret = put_user(zero, end);
	return ret;
}

/* file_read_actor (mm/filemap.c 2.6.3x): the fast way when the user
 * buffer is present (kmap_atomic, __copy_to_user_inatomic, kunmap_atomic,
 * which on VIVT ARM flushes the kernel alias), else the slow way (kmap,
 * __copy_to_user, kunmap). Returns the bytes copied. */
static unsigned long file_read_actor(struct page *page, unsigned long offset, unsigned long buf,
                                     unsigned long size)
{
	coh__pc_read(page, (unsigned)offset, (unsigned)size);
	if (!fault_in_pages_writeable(buf, size)) {
		simptr kaddr = kmap_atomic(page);
		KSITE();
		unsigned long left =
		    __copy_to_user_inatomic(buf, simptr_add(kaddr, (long)offset), size);
		kunmap_atomic(kaddr);
		if (left == 0)
			return size;
	}
	/* Do it the slow way */
	simptr kaddr = kmap(page);
	KSITE();
	unsigned long left = copy_to_user(buf, simptr_add(kaddr, (long)offset), size);
	kunmap(page);
	return size - left;
}

/* do_generic_file_read (mm/filemap.c 2.6.3x), without readahead: each
 * missing page is added and read with ->readpage, and waited for. */
ssize_t do_generic_file_read(struct file *filp, loff_t *ppos, unsigned long buf, size_t count)
{
	struct address_space *mapping = filp->f_mapping;
	struct inode *inode = mapping->host;
	unsigned shift = coh__kernel.page_shift;
	pgoff_t index = (pgoff_t)(*ppos >> shift);
	unsigned long offset = (unsigned long)(*ppos & (loff_t)(psize() - 1));
	ssize_t done = 0;
	int error = 0;
	while (count) {
		coh_preempt_point(); /* cond_resched */
		struct page *page = find_get_page(mapping, index);
		if (!page) {
			/* no_cached_page */
			page = alloc_page(mapping->gfp_mask);
			if (!page) {
				error = -ENOMEM;
				break;
			}
			int err = add_to_page_cache_lru(page, mapping, index, GFP_KERNEL);
			if (err) {
				put_page(page);
				if (err == -EEXIST)
					continue;
				error = err;
				break;
			}
			goto readpage;
		}
		if (!PageUptodate(page)) {
			/* page_not_up_to_date */
			lock_page(page);
			if (!page->mapping) {
				unlock_page(page);
				put_page(page);
				continue;
			}
			if (PageUptodate(page)) {
				unlock_page(page);
				goto page_ok;
			}
			goto readpage;
		}
		goto page_ok;
	readpage:
		ClearPageError(page);
		error = mapping->a_ops->readpage(filp, page);
		if (error) {
			put_page(page);
			break;
		}
		if (!PageUptodate(page)) {
			lock_page(page);
			if (!PageUptodate(page)) {
				if (!page->mapping) {
					unlock_page(page);
					put_page(page);
					continue;
				}
				unlock_page(page);
				put_page(page);
				error = -EIO;
				break;
			}
			unlock_page(page);
		}
	page_ok:;
		loff_t isize = inode->i_size;
		if (isize <= 0) {
			put_page(page);
			break;
		}
		pgoff_t end_index = (pgoff_t)((isize - 1) >> shift);
		if (index > end_index) {
			put_page(page);
			break;
		}
		unsigned long nr = psize();
		if (index == end_index) {
			nr = (unsigned long)((isize - 1) & (loff_t)(psize() - 1)) + 1;
			if (nr <= offset) {
				put_page(page);
				break;
			}
		}
		nr -= offset;
		if (nr > count)
			nr = count;
		/* user aliases may hold newer data than the kernel's */
		if (mapping_writably_mapped(mapping))
			flush_dcache_page(page);
		unsigned long ret = file_read_actor(page, offset, buf + (unsigned long)done, nr);
		done += (ssize_t)ret;
		count -= ret;
		offset += ret;
		index += offset >> shift;
		offset &= psize() - 1;
		put_page(page);
		if (ret != nr) {
			if (!done)
				error = -EFAULT;
			break;
		}
	}
	*ppos = ((loff_t)index << shift) + (loff_t)offset;
	return done ? done : error;
}

/* ---- the buffered write ---- */

/* fault_in_pages_readable (include/linux/pagemap.h 2.6.3x): the first
 * byte read, and the last when it is on another page, so that the atomic
 * copy finds the pages. */
static int fault_in_pages_readable(unsigned long uaddr, unsigned long size)
{
	if (size == 0)
		return 0;
	u8 c;
	int ret = get_user(c, uaddr);
	unsigned long end = uaddr + size - 1;
	if (ret == 0 && (uaddr >> coh__kernel.page_shift) != (end >> coh__kernel.page_shift))
		ret = get_user(c, end);
	return ret;
}

/* iov_iter_copy_from_user_atomic (mm/filemap.c 2.6.3x), one segment:
 * kmap_atomic, __copy_from_user_inatomic_nocache, kunmap_atomic (which on
 * VIVT ARM flushes a highmem page's fixmap slot). Returns bytes copied. */
static unsigned long iov_iter_copy_from_user_atomic(struct page *page, unsigned long buf,
                                                    unsigned long offset, unsigned long bytes)
{
	simptr kaddr = kmap_atomic(page);
	KSITE();
	unsigned long left = __copy_from_user_inatomic(simptr_add(kaddr, (long)offset), buf, bytes);
	kunmap_atomic(kaddr);
	return bytes - left;
}

/* generic_perform_write (mm/filemap.c 2.6.3x): per page, the source
 * faulted in (iov_iter_fault_in_readable), write_begin, the atomic copy,
 * flush_dcache_page, write_end; a copy that got nothing (the source page
 * went away in between) is tried again. */
ssize_t generic_perform_write(struct file *file, unsigned long buf, size_t count, loff_t pos)
{
	struct address_space *mapping = file->f_mapping;
	const struct address_space_operations *a_ops = mapping->a_ops;
	ssize_t written = 0;
	int status = 0;
	while (count) {
		unsigned long offset = (unsigned long)(pos & (loff_t)(psize() - 1));
		unsigned long bytes = psize() - offset;
		if (bytes > count)
			bytes = count;
		unsigned long src = buf + (unsigned long)written;
		/* again: */
		if (fault_in_pages_readable(src, bytes)) {
			status = -EFAULT;
			break;
		}
		struct page *page;
		void *fsdata = NULL;
		status = a_ops->write_begin(file, mapping, pos, (unsigned)bytes, 0, &page, &fsdata);
		if (status)
			break;
		/* 931e80e4b326 (2.6.33): a shared mapping's dirty user lines
		 * written back before the kernel writes the page, or their
		 * write-back after the copy loses it */
		if (mapping_writably_mapped(mapping) &&
		    (linux_version_code() >= KERNEL_VERSION(2, 6, 33) ||
		     coh_fix("perform-write-flush")))
			flush_dcache_page(page);
		unsigned long copied = iov_iter_copy_from_user_atomic(page, src, offset, bytes);
		KSITE();
		coh__pc_store(page, (unsigned)offset, (unsigned)copied);
		flush_dcache_page(page);
		status = a_ops->write_end(file, mapping, pos, (unsigned)bytes, (unsigned)copied,
		                          page, fsdata);
		if (status < 0)
			break;
		copied = (unsigned long)status;
		coh_preempt_point(); /* cond_resched */
		if (!copied)
			continue; /* goto again */
		pos += (loff_t)copied;
		written += (ssize_t)copied;
		count -= copied;
	}
	return written ? written : status;
}

/* generic_file_buffered_write + the O_SYNC tail of generic_file_aio_write
 * (mm/filemap.c 2.6.3x), with i_mutex held around the write. */
ssize_t generic_file_buffered_write(struct file *file, unsigned long buf, size_t count,
                                    loff_t *ppos)
{
	struct inode *inode = file->f_mapping->host;
	loff_t pos = *ppos;
	coh_mutex_lock(&inode->i_mutex);
	ssize_t r = generic_perform_write(file, buf, count, pos);
	coh_mutex_unlock(&inode->i_mutex);
	if (r > 0) {
		*ppos = pos + r;
		if (file->f_flags & O_SYNC) {
			int err = vfs_fsync_range(file, pos, pos + r - 1, 1);
			if (err < 0)
				r = err;
		}
	}
	return r;
}

/* simplefs's f_op->read: generic_file_aio_read's buffered branch. O_DIRECT
 * goes through do_sync_read (fs/filemap_dio.c). */
ssize_t generic_file_read(struct file *file, unsigned long buf, size_t count, loff_t *ppos)
{
	if (file->f_flags & O_DIRECT)
		return do_sync_read(file, buf, count, ppos);
	return do_generic_file_read(file, ppos, buf, count);
}

/* simplefs's f_op->write: generic_file_aio_write's buffered branch (the
 * direct one: do_sync_write, fs/filemap_dio.c). */
ssize_t generic_file_write(struct file *file, unsigned long buf, size_t count, loff_t *ppos)
{
	if (file->f_flags & O_DIRECT)
		return do_sync_write(file, buf, count, ppos);
	return generic_file_buffered_write(file, buf, count, ppos);
}

/* vfs_read / vfs_write (fs/read_write.c): the access mode checked, then
 * the file's f_op. */
ssize_t vfs_read(struct file *file, unsigned long buf, size_t count, loff_t *pos)
{
	if ((file->f_flags & O_ACCMODE) == O_WRONLY)
		return -EBADF;
	return file->f_op->read(file, buf, count, pos);
}

ssize_t vfs_write(struct file *file, unsigned long buf, size_t count, loff_t *pos)
{
	if ((file->f_flags & O_ACCMODE) == O_RDONLY)
		return -EBADF;
	return file->f_op->write(file, buf, count, pos);
}
