/*
 * direct-io.c - direct I/O (fs/direct-io.c, Linux 2.6.20-2.6.21):
 * __blockdev_direct_IO and direct_io_worker.
 *
 * Interface: __blockdev_direct_IO (cohsim/aio.h), from a file system's
 * ->direct_IO. coh__direct_io_init() from kernel_init().
 *
 * The I/O goes straight between the user's pages and the disk: the user
 * buffer is pinned with get_user_pages (which flushes the user alias,
 * gup.c), each page chunk is mapped with get_block and added to a bio,
 * and the bio is sent with submit_bio (the driver maps it with the DMA
 * API). The dio's reference count: one for the submitter, one per bio in
 * flight, under bio_lock. Who drops the last one calls dio_complete:
 *   sync        the submitter, after dio_await_completion;
 *   async       the submitter only if every bio completed before it got
 *               there (then it returns the result, and fs/aio.c completes
 *               the kiocb), else the last bio's completion in hardirq
 *               context (dio_bio_end_aio), which calls aio_complete; the
 *               submitter returns -EIOCBQUEUED. The bio path may complete
 *               the kiocb only if -EIOCBQUEUED reaches fs/aio.c.
 *
 * The block-copy oracle sees the I/O as one operation: begun here, ended
 * in dio_complete; the device tells it of each bio's DMA (bi_blk_op).
 *
 * The post-write invalidation of the later rule (Linux 332391a, "fs: Fix
 * page cache inconsistency when mixing buffered and AIO DIO", 4.x) runs in
 * dio_complete under the switch `dio-invalidate-in-complete`: from a
 * kernel thread (the dio workqueue) when the inode has pages at the last
 * bio's completion, else inline in hardirq context, where it invalidates
 * too if pages came meanwhile: a sleep in atomic context, until
 * ffe51f0142a9 ("fs: Avoid invalidation in interrupt context in
 * dio_complete()", the switch `dio-complete-no-irq-invalidate`).
 */
#include <string.h>

#include "cohsim/blockcopy.h"
#include "kernel/block/block.h"
#include "kernel/fs/dio_impl.h"

#define COH__MAX_DIOS 16

struct dio {
	bool live;
	unsigned id;
	struct bio *bio; /* the bio under assembly */
	struct inode *inode;
	int rw;
	loff_t i_size;    /* i_size when submitted */
	unsigned blkbits; /* the alignment unit: the fs block, or the sector */
	int lock_type;
	get_block_t *get_block;
	dio_iodone_t *end_io;
	struct block_device *bdev;
	sector_t next_sector; /* the disk sector that follows the bio */
	/* dio_zero_block: the part of a new block after the write, still to
	 * be zeroed (tail_len bytes from tail_sector; 0: none) */
	sector_t tail_sector;
	unsigned tail_len;
	int page_errors;
	bool is_async;
	int io_error;
	/* bio completion: under bio_lock */
	spinlock_t bio_lock;
	unsigned long refcount; /* direct_io_worker() and bios */
	struct bio *bio_list;   /* completed sync bios, not yet reaped */
	wait_queue_head_t wait; /* dio->waiter's wake-up */
	bool waiter;
	struct kiocb *iocb;
	ssize_t result; /* bytes submitted */
	// cppcheck-suppress unusedStructMember ; compared with result
	size_t size;     /* bytes asked for */
	unsigned blk_op; /* the block-copy oracle's operation */
};

static struct dio dios[COH__MAX_DIOS];
static unsigned ndios;

int coh__direct_io_init(void)
{
	memset(dios, 0, sizeof(dios));
	ndios = 0;
	return COH_OK;
}

static struct dio *dio_alloc(void)
{
	for (unsigned i = 0; i < COH__MAX_DIOS; i++)
		if (!dios[i].live) {
			struct dio *dio = &dios[i];
			memset(dio, 0, sizeof(*dio));
			dio->live = true;
			dio->id = ndios++;
			spin_lock_init(&dio->bio_lock);
			init_waitqueue_head(&dio->wait);
			return dio;
		}
	return NULL;
}

/* kfree(dio): a freed dio must not be touched again */
static void dio_free(struct dio *dio)
{
	BUG_ON(!dio->live);
	dio->live = false;
}

/* dio_complete (fs/direct-io.c 2.6.20): the end_io hook, i_alloc_sem,
 * the result; with `dio-invalidate-in-complete` (332391a) the pages of a
 * write are invalidated here, once the data is on the disk. */
static ssize_t dio_complete(struct dio *dio, loff_t offset, ssize_t ret, bool invalidate)
{
	COH_FRAME();
	ssize_t transferred = 0;
	/* AIO submission can race with bio completion to get here while
	 * expecting to have the last io completed by bio completion: then
	 * -EIOCBQUEUED is not an error to preserve through this call */
	if (ret == -EIOCBQUEUED)
		ret = 0;
	if (dio->result) {
		transferred = dio->result;
		/* Check for short read case */
		if (dio->rw == READ && offset + transferred > dio->i_size)
			transferred = dio->i_size - offset;
	}
	if (coh_fix("dio-invalidate-in-complete") && invalidate && dio->rw == WRITE &&
	    transferred > 0 && dio->inode->i_mapping->nrpages) {
		/* 332391a: invalidate_inode_pages2_range after the write, in
		 * dio_complete (a workqueue for AIO in 4.x; in place here) */
		struct address_space *mapping = dio->inode->i_mapping;
		int err = invalidate_inode_pages2_range(
		    mapping, (pgoff_t)(offset >> coh__kernel.page_shift),
		    (pgoff_t)((offset + transferred - 1) >> coh__kernel.page_shift));
		(void)err; /* 332391a: dio_warn_stale_pagecache, no error */
	}
	if (dio->end_io && dio->result)
		dio->end_io(dio->iocb, offset, transferred, NULL);
	if (dio->lock_type == DIO_LOCKING)
		coh_up_read_non_owner(&dio->inode->i_alloc_sem);
	if (ret == 0)
		ret = dio->page_errors;
	if (ret == 0)
		ret = dio->io_error;
	if (ret == 0)
		ret = transferred;
	coh_blk_op_end(coh__kernel.chk, dio->blk_op);
	return ret;
}

/* dio_bio_complete (fs/direct-io.c 2.6.20): the pages' references go;
 * a READ dirties file-backed pages it filled (set_page_dirty_lock; the
 * model does not lock them, see the review) */
static int dio_bio_complete(struct dio *dio, struct bio *bio)
{
	bool uptodate = bio->bi_flags & (1ul << BIO_UPTODATE);
	if (!uptodate)
		dio->io_error = -EIO;
	for (unsigned i = 0; i < bio->bi_vcnt; i++) {
		struct page *page = bio->bi_io_vec[i].bv_page;
		if (dio->rw == READ && !PageAnon(page) && page->mapping)
			set_page_dirty(page);
		put_page(page);
	}
	bio_put(bio);
	return uptodate ? 0 : -EIO;
}

/* The tail of dio_bio_end_aio (fs/direct-io.c 2.6.20), and with 332391a
 * dio_aio_complete_work (4.x) run from the dio workqueue */
static void dio_aio_complete(struct dio *dio, bool invalidate)
{
	COH_FRAME();
	struct kiocb *iocb = dio->iocb;
	ssize_t ret = dio_complete(dio, kiocb_pos(iocb), 0, invalidate);
	aio_complete(iocb, (long)ret, 0);
	dio_free(dio);
}

static void dio_aio_complete_work(void *arg)
{
	dio_aio_complete(arg, true);
}

/* dio_bio_end_aio (fs/direct-io.c 2.6.20): hardirq context */
static void dio_bio_end_aio(struct bio *bio, int error)
{
	COH_FRAME();
	(void)error;
	struct dio *dio = bio->bi_private;
	BUG_ON(!dio->live);
	dio_bio_complete(dio, bio);
	unsigned long flags;
	spin_lock_irqsave(&dio->bio_lock, flags);
	unsigned long remaining = --dio->refcount;
	if (remaining == 1 && dio->waiter)
		wake_up(&dio->wait);
	spin_unlock_irqrestore(&dio->bio_lock, flags);
	if (remaining == 0) {
		/* 332391a: defer the completion of an AIO write when the inode
		 * has pages: buffered I/O may have cached stale data between
		 * submission and completion, and invalidate_inode_pages2_range
		 * cannot run in interrupt context */
		if (coh_fix("dio-invalidate-in-complete") && dio->result && dio->rw == WRITE &&
		    dio->inode->i_mapping->nrpages) {
			/* queue_work(s_dio_done_wq): a kernel thread of its own */
			if (!coh_task_create(coh__kernel.s, "dio/0", coh__cpu(),
			                     dio_aio_complete_work, dio))
				BUG();
			return;
		}
		/* ffe51f0142a9: no invalidation in interrupt context (332391a
		 * alone invalidates here too, if pages came meanwhile) */
		dio_aio_complete(dio, !coh_fix("dio-complete-no-irq-invalidate"));
	}
}

/* dio_bio_end_io (fs/direct-io.c 2.6.20): a sync bio goes on bio_list for
 * the submitter to reap */
static void dio_bio_end_io(struct bio *bio, int error)
{
	COH_FRAME();
	(void)error;
	struct dio *dio = bio->bi_private;
	unsigned long flags;
	spin_lock_irqsave(&dio->bio_lock, flags);
	bio->bi_next = dio->bio_list;
	dio->bio_list = bio;
	if (--dio->refcount == 1 && dio->waiter)
		wake_up(&dio->wait);
	spin_unlock_irqrestore(&dio->bio_lock, flags);
}

/* dio_bio_submit (fs/direct-io.c 2.6.20) */
static void dio_bio_submit(struct dio *dio)
{
	COH_FRAME();
	struct bio *bio = dio->bio;
	bio->bi_private = dio;
	bio->bi_blk_op = dio->blk_op;
	unsigned long flags;
	spin_lock_irqsave(&dio->bio_lock, flags);
	dio->refcount++;
	spin_unlock_irqrestore(&dio->bio_lock, flags);
	dio->bio = NULL;
	submit_bio((unsigned long)dio->rw, bio);
}

/* dio_new_bio -> dio_bio_alloc (fs/direct-io.c 2.6.20) */
static int dio_new_bio(struct dio *dio, sector_t sector)
{
	struct bio *bio = bio_alloc(GFP_KERNEL, (unsigned)bio_get_nr_vecs(dio->bdev));
	if (!bio)
		return -ENOMEM;
	bio->bi_bdev = dio->bdev;
	bio->bi_sector = sector;
	bio->bi_end_io = dio->is_async ? dio_bio_end_aio : dio_bio_end_io;
	dio->bio = bio;
	dio->next_sector = sector;
	return 0;
}

/* submit_page_section -> dio_send_cur_page -> dio_bio_add_page
 * (fs/direct-io.c 2.6.20): a chunk of a user page at a disk sector joins
 * the bio if it follows on the disk and fits, else a new bio starts. The
 * bio takes its own page reference (page_cache_get). */
static int submit_page_section(struct dio *dio, struct page *page, unsigned offset, unsigned len,
                               sector_t sector)
{
	if (dio->bio && dio->next_sector != sector)
		dio_bio_submit(dio);
	for (int tries = 0; tries < 2; tries++) {
		if (!dio->bio) {
			int ret = dio_new_bio(dio, sector);
			if (ret)
				return ret;
		}
		if (bio_add_page(dio->bio, page, len, offset) == (int)len) {
			get_page(page);
			dio->next_sector = sector + (len >> SECTOR_SHIFT);
			return 0;
		}
		dio_bio_submit(dio);
	}
	return -EIO;
}

/* dio_await_one (fs/direct-io.c 2.6.20): the next completed sync bio, or
 * NULL once none is in flight */
static struct bio *dio_await_one(struct dio *dio)
{
	COH_FRAME();
	unsigned long flags;
	struct bio *bio = NULL;
	spin_lock_irqsave(&dio->bio_lock, flags);
	while (dio->refcount > 1 && dio->bio_list == NULL) {
		coh_wait_entry we = {0};
		coh_prepare_to_wait(&dio->wait, &we, COH_TASK_UNINTERRUPTIBLE);
		dio->waiter = true;
		spin_unlock_irqrestore(&dio->bio_lock, flags);
		coh_schedule(); /* io_schedule */
		coh_finish_wait(&dio->wait, &we);
		spin_lock_irqsave(&dio->bio_lock, flags);
		dio->waiter = false;
	}
	if (dio->bio_list) {
		bio = dio->bio_list;
		dio->bio_list = bio->bi_next;
	}
	spin_unlock_irqrestore(&dio->bio_lock, flags);
	return bio;
}

/* dio_await_completion (fs/direct-io.c 2.6.20) */
static void dio_await_completion(struct dio *dio)
{
	struct bio *bio;
	while ((bio = dio_await_one(dio)))
		dio_bio_complete(dio, bio);
}

/* do_direct_IO for one segment (fs/direct-io.c 2.6.20): each user page
 * pinned with get_user_pages (dio_refill_pages), each block of it mapped
 * with get_block (get_more_blocks) and sent (submit_page_section). A hole
 * reads as zeroes (dio_zero_block's read side); a write into one stops
 * with -ENOTBLK (the caller falls back to buffered I/O). */
static int do_direct_IO(struct dio *dio, unsigned long user_addr, size_t bytes, loff_t *pos)
{
	COH_FRAME();
	unsigned long page_size = coh__page_size();
	/* get_block maps file-system blocks; the alignment unit (blkbits)
	 * may be the device's smaller sector (blkfactor in Linux) */
	unsigned fsbits = dio->inode->i_blkbits;
	unsigned blocksize = 1u << fsbits;
	struct task_struct *tsk = current;
	while (bytes) {
		unsigned long base = user_addr & ~(page_size - 1);
		unsigned poff = (unsigned)(user_addr - base);
		struct page *page;
		int r = get_user_pages(tsk, tsk->mm, base, 1, dio->rw == READ, 0, &page, NULL);
		if (r != 1)
			return r < 0 ? r : -EFAULT;
		unsigned in_page = (unsigned)(page_size - poff);
		if (in_page > bytes)
			in_page = (unsigned)bytes;
		unsigned done = 0;
		int ret = 0;
		while (done < in_page && !ret) {
			sector_t iblock = (sector_t)(*pos >> fsbits);
			unsigned boff = (unsigned)(*pos & (blocksize - 1));
			unsigned chunk = blocksize - boff;
			if (chunk > in_page - done)
				chunk = in_page - done;
			struct buffer_head bh = {0};
			bh.b_size = chunk;
			/* get_more_blocks (2.6.20-2.6.32): a DIO_LOCKING file
			 * system allocates nothing inside i_size (a hole there:
			 * -ENOTBLK, the buffered fallback). Linux compares
			 * block_in_file in the dio's own blkbits, the sector
			 * when the request is not fs-block aligned: then every
			 * block a non-extending write touches is inside i_size,
			 * the last partial one too */
			int create = dio->rw == WRITE;
			if (dio->lock_type == DIO_LOCKING &&
			    (sector_t)(*pos >> dio->blkbits) <
			        (sector_t)(dio->inode->i_size >> dio->blkbits))
				create = 0;
			ret = dio->get_block(dio->inode, iblock, &bh, create);
			if (ret)
				break;
			if (!buffer_mapped(&bh)) {
				if (dio->rw == WRITE) {
					ret = -ENOTBLK;
					break;
				}
				/* a hole: zero the user's page (kmap, memset, flush_dcache_page) */
				simptr k = kmap(page);
				sim_memset(simptr_add(k, poff + done), 0, chunk);
				flush_dcache_page(page);
				kunmap(page);
			} else {
				sector_t bstart = bh.b_blocknr << (fsbits - SECTOR_SHIFT);
				sector_t sector = bstart + (boff >> SECTOR_SHIFT);
				if (dio->rw == WRITE && buffer_new(&bh)) {
					/* dio_zero_block (2.6.20): what the write does
					 * not cover of a new block must read as zeroes,
					 * not as the block's last contents */
					if (boff)
						ret = submit_page_section(dio, ZERO_PAGE(0), 0,
						                          boff, bstart);
					dio->tail_sector = sector;
					dio->tail_len = blocksize - boff;
				}
				if (!ret)
					ret = submit_page_section(dio, page, poff + done, chunk,
					                          sector);
				if (ret)
					break;
				if (dio->tail_len && dio->tail_sector == sector) {
					dio->tail_sector += chunk >> SECTOR_SHIFT;
					dio->tail_len -= chunk;
				}
			}
			done += chunk;
			*pos += chunk;
			dio->result += chunk;
		}
		put_page(page); /* the gup reference; each bio holds its own */
		if (ret)
			return ret;
		user_addr += in_page;
		bytes -= in_page;
	}
	return 0;
}

/* direct_io_worker (fs/direct-io.c 2.6.20) */
static ssize_t direct_io_worker(int rw, struct kiocb *iocb, struct inode *inode,
                                const struct iovec *iov, loff_t offset, unsigned long nr_segs,
                                unsigned blkbits, get_block_t get_block, dio_iodone_t end_io,
                                struct dio *dio)
{
	COH_FRAME();
	dio->blkbits = blkbits; /* chunks follow fs blocks and pages */
	dio->inode = inode;
	dio->rw = rw;
	dio->get_block = get_block;
	dio->end_io = end_io;
	dio->iocb = iocb;
	dio->i_size = inode->i_size;
	/* one reference for the submission path, dropped at the end */
	dio->refcount = 1;
	dio->size = iov_length(iov, nr_segs);
	dio->blk_op =
	    coh_blk_op_begin(coh__kernel.chk, coh__disk_blk_dev(dio->bdev->bd_disk), rw == WRITE,
	                     (int)coh__cpu(), rw == WRITE ? "a direct write" : "a direct read");
	loff_t pos = offset;
	ssize_t ret = 0;
	for (unsigned long seg = 0; seg < nr_segs && !ret; seg++)
		ret = do_direct_IO(dio, (unsigned long)(uintptr_t)iov[seg].iov_base,
		                   iov[seg].iov_len, &pos);
	if (ret == -ENOTBLK && rw == WRITE) {
		/* The remaining part of the request will be handled by
		 * buffered I/O when we return */
		ret = 0;
	}
	if (ret == 0 && dio->tail_len) /* dio_zero_block(dio, 1): the new block's tail */
		ret = submit_page_section(dio, ZERO_PAGE(0), 0, dio->tail_len, dio->tail_sector);
	if (dio->bio)
		dio_bio_submit(dio);
	/* All block lookups have been performed. For READ requests we can
	 * let i_mutex go now that its achieved its purpose */
	if (rw == READ && dio->lock_type == DIO_LOCKING)
		coh_mutex_unlock(&dio->inode->i_mutex);

	/* It is now safe to return -EIOCBQUEUED: the bio path owns the
	 * completion once it is returned (and only then) */
	BUG_ON(ret == -EIOCBQUEUED);
	if (dio->is_async && ret == 0 && dio->result &&
	    (rw == READ || (size_t)dio->result == dio->size))
		ret = -EIOCBQUEUED;
	if (ret != -EIOCBQUEUED)
		dio_await_completion(dio);

	/* Sync always drops the final reference; AIO too if every bio raced
	 * to complete before we got here: then dio_complete turns
	 * -EIOCBQUEUED into the result that fs/aio.c completes with */
	unsigned long flags;
	spin_lock_irqsave(&dio->bio_lock, flags);
	unsigned long ret2 = --dio->refcount;
	spin_unlock_irqrestore(&dio->bio_lock, flags);
	BUG_ON(!dio->is_async && ret2 != 0);
	if (ret2 == 0) {
		ret = dio_complete(dio, offset, ret, true);
		dio_free(dio);
	} else {
		BUG_ON(ret != -EIOCBQUEUED);
	}
	return ret;
}

/* __blockdev_direct_IO (fs/direct-io.c 2.6.20) */
ssize_t __blockdev_direct_IO(int rw, struct kiocb *iocb, struct inode *inode,
                             struct block_device *bdev, const struct iovec *iov, loff_t offset,
                             unsigned long nr_segs, get_block_t get_block, dio_iodone_t end_io,
                             int dio_lock_type)
{
	COH_FRAME();
	unsigned blkbits = inode->i_blkbits;
	unsigned bdev_blkbits = SECTOR_SHIFT; /* blksize_bits(bdev_hardsect_size(bdev)) */
	unsigned long blocksize_mask = (1ul << blkbits) - 1;
	ssize_t retval = -EINVAL;
	loff_t end = offset;
	bool release_i_mutex = false, acquire_i_mutex = false;

	if (offset & (loff_t)blocksize_mask) {
		if (bdev)
			blkbits = bdev_blkbits;
		blocksize_mask = (1ul << blkbits) - 1;
		if (offset & (loff_t)blocksize_mask)
			return retval;
	}
	/* Check the memory alignment. Blocks cannot straddle pages */
	for (unsigned long seg = 0; seg < nr_segs; seg++) {
		unsigned long addr = (unsigned long)(uintptr_t)iov[seg].iov_base;
		size_t size = iov[seg].iov_len;
		end += (loff_t)size;
		if ((addr & blocksize_mask) || (size & blocksize_mask)) {
			if (bdev)
				blkbits = bdev_blkbits;
			blocksize_mask = (1ul << blkbits) - 1;
			if ((addr & blocksize_mask) || (size & blocksize_mask))
				return retval;
		}
	}
	struct dio *dio = dio_alloc(); /* kmalloc */
	if (!dio)
		return -ENOMEM;
	dio->bdev = bdev;
	dio->lock_type = dio_lock_type;
	if (dio_lock_type != DIO_NO_LOCKING) {
		/* watch out for a 0 len io from a tricksy fs */
		if (rw == READ && end > offset) {
			struct address_space *mapping = iocb->ki_filp->f_mapping;
			if (dio_lock_type != DIO_OWN_LOCKING) {
				coh_mutex_lock(&inode->i_mutex);
				release_i_mutex = true;
			}
			retval = filemap_write_and_wait_range(mapping, offset, end - 1);
			if (retval) {
				dio_free(dio);
				goto out;
			}
			if (dio_lock_type == DIO_OWN_LOCKING) {
				coh_mutex_unlock(&inode->i_mutex);
				acquire_i_mutex = true;
			}
		}
		if (dio_lock_type == DIO_LOCKING)
			/* lockdep: not the owner will release it */
			coh_down_read_non_owner(&inode->i_alloc_sem);
	}
	/* For file extending writes updating i_size before data writeouts
	 * complete can expose uninitialized blocks. So even for AIO, we need
	 * to wait for i/o to complete before returning in this case. */
	dio->is_async = !is_sync_kiocb(iocb) && !(rw == WRITE && end > inode->i_size);
	retval = direct_io_worker(rw, iocb, inode, iov, offset, nr_segs, blkbits, get_block, end_io,
	                          dio);
	if (rw == READ && dio_lock_type == DIO_LOCKING)
		release_i_mutex = false;
out:
	if (release_i_mutex)
		coh_mutex_unlock(&inode->i_mutex);
	else if (acquire_i_mutex)
		coh_mutex_lock(&inode->i_mutex);
	return retval;
}
