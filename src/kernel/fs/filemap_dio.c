/*
 * filemap_dio.c - the O_DIRECT paths of mm/filemap.c and fs/read_write.c
 * as Linux 2.6.20-2.6.21 had them: generic_file_direct_IO (the seed-3
 * switch), generic_file_direct_write, generic_file_aio_read/_aio_write,
 * do_sync_read/do_sync_write, and simplefs's ->direct_IO.
 *
 * Interface: cohsim/aio.h. The page cache's generic_file_read/_write
 * (mm/filemap.c) call do_sync_read/do_sync_write for an O_DIRECT file;
 * io_submit (fs/aio.c) calls generic_file_aio_read/_aio_write as the
 * file's f_op->aio_read/aio_write.
 *
 * Switches:
 *   dio-invalidate-before-write  seed 3 (65b8291c4000, "dio: invalidate
 *       clean pages before dio write", 2.6.21): the patch exactly as
 *       written, control flow included (its `if (retval) goto out` after
 *       ->direct_IO skips the second invalidation of every write that
 *       returned bytes or -EIOCBQUEUED). Off: 2.6.20, which invalidates
 *       after ->direct_IO and lets the failure clobber -EIOCBQUEUED.
 *   dio-invalidate-after-sync-write  bdb76ef5a4bc ("dio: fix cache
 *       invalidation after sync writes", 2.6.23), on top of the seed: the
 *       second invalidation runs whatever ->direct_IO returned, and its
 *       failure is ignored.
 *   dio-invalidate-in-complete  332391a ("fs: Fix page cache
 *       inconsistency when mixing buffered and AIO DIO", 4.x): dio_complete
 *       invalidates the written range once the data is on the disk
 *       (direct-io.c); the second invalidation here is left to sync
 *       writes (retval > 0), as that commit has it.
 */
#include <string.h>

#include "kernel/fs/dio_impl.h"

/* generic_file_direct_IO (mm/filemap.c 2.6.20, and 2.6.21 with the seed) */
static ssize_t generic_file_direct_IO(int rw, struct kiocb *iocb, const struct iovec *iov,
                                      loff_t offset, unsigned long nr_segs)
{
	COH_FRAME();
	struct file *file = iocb->ki_filp;
	struct address_space *mapping = file->f_mapping;
	unsigned shift = coh__kernel.page_shift;
	ssize_t retval;

	if (!coh_fix("dio-invalidate-before-write")) {
		/* 2.6.20 */
		size_t write_len = 0;
		/* If it's a write, unmap all mmappings of the file up-front.
		 * This will cause any pte dirty bits to be propagated into the
		 * pageframes for the subsequent filemap_write_and_wait(). */
		if (rw == WRITE) {
			write_len = iov_length(iov, nr_segs);
			if (mapping_mapped(mapping))
				unmap_mapping_range(mapping, offset, (loff_t)write_len, 0);
		}
		retval = filemap_write_and_wait(mapping);
		if (retval == 0) {
			retval = mapping->a_ops->direct_IO(rw, iocb, iov, offset, nr_segs);
			if (rw == WRITE && mapping->nrpages) {
				pgoff_t end = (pgoff_t)((offset + (loff_t)write_len - 1) >> shift);
				int err = invalidate_inode_pages2_range(
				    mapping, (pgoff_t)(offset >> shift), end);
				if (err)
					retval = err;
			}
		}
		return retval;
	}

	/* 2.6.21: the seed's patch */
	size_t write_len;
	pgoff_t end = 0; /* silence gcc */
	if (rw == WRITE) {
		write_len = iov_length(iov, nr_segs);
		end = (pgoff_t)((offset + (loff_t)write_len - 1) >> shift);
		if (mapping_mapped(mapping))
			unmap_mapping_range(mapping, offset, (loff_t)write_len, 0);
	}
	retval = filemap_write_and_wait(mapping);
	if (retval)
		goto out;
	/* After a write we want buffered reads to be sure to go to disk to
	 * get the new data. We invalidate clean cached page from the region
	 * we're about to write. We do this *before* the write so that we can
	 * return -EIO without clobbering -EIOCBQUEUED from ->direct_IO(). */
	if (rw == WRITE && mapping->nrpages) {
		retval = invalidate_inode_pages2_range(mapping, (pgoff_t)(offset >> shift), end);
		if (retval)
			goto out;
	}
	retval = mapping->a_ops->direct_IO(rw, iocb, iov, offset, nr_segs);
	if (coh_fix("dio-invalidate-in-complete")) {
		/* 332391a: dio_complete invalidates; here only what a sync
		 * write left ("skip invalidation for async writes") */
		if (rw == WRITE && retval > 0 && mapping->nrpages)
			invalidate_inode_pages2_range(mapping, (pgoff_t)(offset >> shift), end);
	} else if (!coh_fix("dio-invalidate-after-sync-write")) {
		if (retval)
			goto out;
		/* Finally, try again to invalidate clean pages which might have
		 * been faulted in by get_user_pages() if the source of the
		 * write was an mmap()ed region of the file we're writing. If
		 * this invalidation fails and we have -EIOCBQUEUED we ignore
		 * the failure. */
		if (rw == WRITE && mapping->nrpages) {
			int err =
			    invalidate_inode_pages2_range(mapping, (pgoff_t)(offset >> shift), end);
			// cppcheck-suppress knownConditionTrueFalse ; the seed's code as written
			if (err && retval >= 0)
				retval = err;
		}
	} else if (rw == WRITE && mapping->nrpages) {
		/* bdb76ef5a4bc: whatever ->direct_IO returned; if this
		 * invalidation fails, tough, the write still worked */
		invalidate_inode_pages2_range(mapping, (pgoff_t)(offset >> shift), end);
	}
out:
	return retval;
}

/* generic_file_direct_write (mm/filemap.c 2.6.20) */
static ssize_t generic_file_direct_write(struct kiocb *iocb, const struct iovec *iov,
                                         unsigned long nr_segs, loff_t pos, loff_t *ppos)
{
	COH_FRAME();
	struct inode *inode = iocb->ki_filp->f_mapping->host;
	ssize_t written = generic_file_direct_IO(WRITE, iocb, iov, pos, nr_segs);
	if (written > 0) {
		loff_t end = pos + written;
		if (end > inode->i_size)
			inode->i_size = end; /* i_size_write, mark_inode_dirty */
		*ppos = end;
	}
	/* O_SYNC's generic_osync_inode: simplefs has no metadata to sync */
	return written;
}

/* generic_file_aio_read (mm/filemap.c 2.6.20): O_DIRECT goes
 * direct-to-BIO; a read at or past i_size, or a direct read that did
 * nothing, falls back to the buffered read */
ssize_t generic_file_aio_read(struct kiocb *iocb, const struct iovec *iov, unsigned long nr_segs,
                              loff_t pos)
{
	COH_FRAME();
	struct file *filp = iocb->ki_filp;
	size_t count = iov_length(iov, nr_segs);
	ssize_t retval = 0;
	loff_t ppos = pos;
	if (filp->f_flags & O_DIRECT) {
		struct inode *inode = filp->f_mapping->host;
		if (!count)
			return 0; /* skip atime */
		if (pos < inode->i_size) {
			retval = generic_file_direct_IO(READ, iocb, iov, pos, nr_segs);
			if (retval > 0)
				kiocb_set_pos(iocb, pos + retval);
		}
		if (retval != 0)
			return retval;
	}
	for (unsigned long seg = 0; seg < nr_segs; seg++) {
		ssize_t r = do_generic_file_read(
		    filp, &ppos, (unsigned long)(uintptr_t)iov[seg].iov_base, iov[seg].iov_len);
		if (r < 0)
			return retval ? retval : r;
		retval += r;
		if ((size_t)r < iov[seg].iov_len)
			break;
	}
	kiocb_set_pos(iocb, ppos);
	return retval;
}

/* __generic_file_aio_write_nolock (mm/filemap.c 2.6.20), i_mutex held */
static ssize_t __generic_file_aio_write_nolock(struct kiocb *iocb, const struct iovec *iov,
                                               unsigned long nr_segs, loff_t *ppos)
{
	COH_FRAME();
	struct file *file = iocb->ki_filp;
	struct address_space *mapping = file->f_mapping;
	size_t count = iov_length(iov, nr_segs);
	loff_t pos = *ppos;
	ssize_t written = 0;
	if (count == 0)
		return 0;
	if (file->f_flags & O_DIRECT) {
		written = generic_file_direct_write(iocb, iov, nr_segs, pos, ppos);
		if (written < 0 || (size_t)written == count)
			return written;
		/* direct-io write to a hole: fall through to buffered I/O for
		 * completing the rest of the request */
		pos += written;
		count -= (size_t)written;
		ssize_t buffered = generic_perform_write(
		    file, (unsigned long)(uintptr_t)iov[0].iov_base + (size_t)written, count, pos);
		if (buffered < 0)
			return written ? written : buffered;
		/* the page cache pages are written and invalidated to preserve
		 * the expected O_DIRECT semantics (do_sync_file_range) */
		loff_t endbyte = pos + buffered - 1;
		if (filemap_write_and_wait_range(mapping, pos, endbyte) == 0) {
			invalidate_mapping_pages(mapping, (pgoff_t)(pos >> coh__kernel.page_shift),
			                         (pgoff_t)(endbyte >> coh__kernel.page_shift));
			written += buffered;
		}
		*ppos = pos + buffered;
		return written;
	}
	written =
	    generic_perform_write(file, (unsigned long)(uintptr_t)iov[0].iov_base, count, pos);
	if (written > 0)
		*ppos = pos + written;
	return written;
}

/* generic_file_aio_write (mm/filemap.c 2.6.20) */
ssize_t generic_file_aio_write(struct kiocb *iocb, const struct iovec *iov, unsigned long nr_segs,
                               loff_t pos)
{
	COH_FRAME();
	struct file *file = iocb->ki_filp;
	struct address_space *mapping = file->f_mapping;
	struct inode *inode = mapping->host;
	loff_t ppos = pos;
	coh_mutex_lock(&inode->i_mutex);
	ssize_t ret = __generic_file_aio_write_nolock(iocb, iov, nr_segs, &ppos);
	coh_mutex_unlock(&inode->i_mutex);
	if (ret != -EIOCBQUEUED)
		kiocb_set_pos(iocb, ppos);
	if (ret > 0 && (file->f_flags & O_SYNC) == O_SYNC) {
		/* sync_page_range */
		int err = filemap_write_and_wait_range(mapping, pos, pos + ret - 1);
		if (err < 0)
			ret = err;
	}
	return ret;
}

ssize_t coh__file_aio_rw(struct file *file, bool write, struct kiocb *iocb, const struct iovec *iov,
                         unsigned long nr_segs, loff_t pos)
{
	(void)file;
	return write ? generic_file_aio_write(iocb, iov, nr_segs, pos)
	             : generic_file_aio_read(iocb, iov, nr_segs, pos);
}

/* do_sync_read / do_sync_write (fs/read_write.c 2.6.20): a sync kiocb
 * through the file's aio method, waited for if it was queued */
static ssize_t do_sync_rw(struct file *filp, bool write, unsigned long buf, size_t len,
                          loff_t *ppos)
{
	COH_FRAME();
	struct iovec iov = {.iov_base = (void *)(uintptr_t)buf, .iov_len = len};
	struct kiocb *kiocb;
	if (!init_sync_kiocb(&kiocb, filp))
		return -ENOMEM;
	kiocb_set_pos(kiocb, *ppos);
	ssize_t ret = coh__file_aio_rw(filp, write, kiocb, &iov, 1, *ppos);
	if (ret == -EIOCBQUEUED)
		ret = wait_on_sync_kiocb(kiocb);
	*ppos = kiocb_pos(kiocb);
	destroy_sync_kiocb(kiocb);
	return ret;
}

ssize_t do_sync_read(struct file *filp, unsigned long buf, size_t len, loff_t *ppos)
{
	return do_sync_rw(filp, false, buf, len, ppos);
}

ssize_t do_sync_write(struct file *filp, unsigned long buf, size_t len, loff_t *ppos)
{
	return do_sync_rw(filp, true, buf, len, ppos);
}

/* ext2_direct_IO (fs/ext2/inode.c 2.6.20) for simplefs */
ssize_t simplefs_direct_IO(int rw, struct kiocb *iocb, const struct iovec *iov, loff_t offset,
                           unsigned long nr_segs)
{
	struct inode *inode = iocb->ki_filp->f_mapping->host;
	return blockdev_direct_IO(rw, iocb, inode, inode->i_sb->s_bdev, iov, offset, nr_segs,
	                          simplefs_get_block, NULL);
}
