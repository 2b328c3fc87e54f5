/*
 * cohsim/aio.h - asynchronous I/O (fs/aio.c, Linux 2.6.20-2.6.21) and the
 * direct-I/O core (fs/direct-io.c) under the kernel's names. Not included by
 * linux.h: include "cohsim/aio.h" (it includes cohsim/fs.h).
 *
 * AIO. io_setup() makes a kioctx with a completion ring of io_events in a
 * kernel page; io_submit() takes one kiocb per user iocb from the slab
 * cache "kiocb" with two references (ki_users = 2: the submitter's and
 * the I/O's), runs the file's aio_read/aio_write, and completes it with
 * aio_complete() unless the method returned -EIOCBQUEUED, in which case
 * the I/O's completion (a bio's end_io, in hardirq context) calls
 * aio_complete() later. aio_complete() posts one io_event and drops the
 * I/O's reference; io_submit() drops its own; the last one frees the
 * kiocb. All mutable kiocb fields live in the slab object in simulated
 * memory, so a second aio_complete() of one kiocb reads a freed object: a
 * use-after-free (or double-free) finding of the slab checker.
 * io_getevents() reaps events from the ring, each once.
 *
 * Direct I/O. __blockdev_direct_IO() pins the user buffer with
 * get_user_pages(), maps the file's blocks with the file system's
 * get_block, and sends bios straight to and from the user pages; the
 * dio's reference count (one for the submitter, one per bio in flight)
 * decides who calls dio_complete(): the submitter (sync, or every bio
 * already done) or the last bio's completion (async: -EIOCBQUEUED).
 *
 * Ownership: kioctxs, kiocbs and dios belong to the execution's kernel
 * (pools rebuilt by kernel_init); io_event arrays and iocbs belong to the
 * caller.
 */
#ifndef COHSIM_AIO_H
#define COHSIM_AIO_H

/* Files, iovecs, get_block_t and buffer_heads come from the page cache's
 * header; like it, this one is not included by linux.h. */
#include "cohsim/fs.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long aio_context_t;

#ifndef EBADF
#define EBADF 9
#endif
#ifndef ENOTBLK
#define ENOTBLK 15
#endif
#define EIOCBRETRY 530 /* include/linux/errno.h */

/* struct iocb (include/linux/aio_abi.h): the user's request. */
enum {
	IOCB_CMD_PREAD = 0,
	IOCB_CMD_PWRITE = 1,
};
struct iocb {
	u64 aio_data; /* returned in the io_event */
	u32 aio_key;  /* set by io_submit */
	u16 aio_lio_opcode;
	struct file *aio_filp; /* the model has no fd table: the file itself */
	u64 aio_buf;           /* user address */
	u64 aio_nbytes;
	long long aio_offset;
};

struct io_event {
	u64 data; /* the iocb's aio_data */
	u64 obj;  /* the iocb (its index in the io_submit array here) */
	long long res;
	long long res2;
};

struct file;
struct kioctx;

/* The host handle of one kiocb. Its mutable fields (ki_users, ki_key,
 * ki_user_data, ki_pos, ...) live in the slab object `obj`, reached with
 * the accessors below, each a checked access of simulated memory. The
 * handle itself stays valid for the whole execution. */
struct kiocb {
	simptr obj;
	struct file *ki_filp;
	struct kioctx *ki_ctx; /* NULL for a sync kiocb */
	void *private;         /* the dio of an async direct I/O */
	ssize_t (*ki_retry)(struct kiocb *);
	const struct iovec *ki_iovec;
	unsigned long ki_nr_segs;
	struct iovec ki_inline_vec;
	wait_queue_head_t ki_wait; /* a sync kiocb's waiter (ki_obj.tsk) */
	unsigned id;               /* allocation order, for reports */
};

#define KIOCB_SYNC_KEY (~0u)

/* The kiocb's fields in its slab object. */
COH_API int kiocb_users(struct kiocb *iocb);
COH_API bool is_sync_kiocb(struct kiocb *iocb);
COH_API loff_t kiocb_pos(struct kiocb *iocb);
COH_API void kiocb_set_pos(struct kiocb *iocb, loff_t pos);

/* ---- the system calls (fs/aio.c) ---- */

/* 0 and *ctxp, or -EINVAL (nr_events 0 or too many, *ctxp not 0), -EAGAIN
 * (no context left). Process context, in a user task. */
COH_API long io_setup(unsigned nr_events, aio_context_t *ctxp);
/* Submits nr iocbs (iocbpp[i]); the number submitted, or the first error
 * (-EINVAL bad context or iocb, -EBADF, -EAGAIN no room in the ring). */
COH_API long io_submit(aio_context_t ctx_id, long nr, struct iocb **iocbpp);
/* Waits for at least min_nr events and reaps at most nr into events;
 * returns how many. No timeout: min_nr > events ever to come waits
 * forever (the explorer reports the deadlock). */
COH_API long io_getevents(aio_context_t ctx_id, long min_nr, long nr, struct io_event *events);
/* Waits for every request of the context, then frees it: 0 or -EINVAL. */
COH_API long io_destroy(aio_context_t ctx_id);

/* The I/O of iocb is done: post its event, drop the I/O's reference.
 * Returns 1 if that was the last reference. Any context. */
COH_API int aio_complete(struct kiocb *iocb, long res, long res2);
/* Drops a reference (ki_users); the last frees the kiocb. */
COH_API int aio_put_req(struct kiocb *iocb);

/* Sync kiocbs (do_sync_read/do_sync_write in fs/read_write.c): one user,
 * KIOCB_SYNC_KEY; wait_on_sync_kiocb() waits for aio_complete() when the
 * method returned -EIOCBQUEUED. init_sync_kiocb returns false when no
 * kiocb can be had (allocation failure); free it with destroy_sync_kiocb. */
COH_API bool init_sync_kiocb(struct kiocb **out, struct file *filp);
COH_API ssize_t wait_on_sync_kiocb(struct kiocb *iocb);
COH_API void destroy_sync_kiocb(struct kiocb *iocb);

/* ---- direct I/O (fs/direct-io.c) ---- */

/* The file system's completion hook (may be NULL). */
typedef void(dio_iodone_t)(struct kiocb *iocb, loff_t offset, ssize_t bytes, void *private);

enum {
	DIO_LOCKING = 1,    /* the file system needs i_mutex/i_alloc_sem */
	DIO_NO_LOCKING = 2, /* raw block device access */
	DIO_OWN_LOCKING = 3,
};

/* The direct I/O of [offset, offset + iov_length) of inode on bdev, from
 * or to the user buffers of iov (current's mm). -EINVAL when the offset
 * or a buffer's address or length is aligned neither to the file
 * system's block (i_blkbits) nor to the device's sector; -ENOMEM; the
 * bytes done; or -EIOCBQUEUED for an async kiocb whose bios are still in
 * flight (their completion calls aio_complete). */
COH_API ssize_t __blockdev_direct_IO(int rw, struct kiocb *iocb, struct inode *inode,
                                     struct block_device *bdev, const struct iovec *iov,
                                     loff_t offset, unsigned long nr_segs, get_block_t get_block,
                                     dio_iodone_t end_io, int dio_lock_type);
#define blockdev_direct_IO(rw, iocb, inode, bdev, iov, offset, nr_segs, get_block, end_io)         \
	__blockdev_direct_IO(rw, iocb, inode, bdev, iov, offset, nr_segs, get_block, end_io,       \
	                     DIO_LOCKING)

COH_API size_t iov_length(const struct iovec *iov, unsigned long nr_segs);

/* ---- the O_DIRECT paths of mm/filemap.c and fs/read_write.c ---- */

/* f_op->aio_read / aio_write of every file of the model (2.6.20): an
 * O_DIRECT file goes through generic_file_direct_IO (unmap_mapping_range,
 * filemap_write_and_wait, invalidate_inode_pages2_range before or after
 * ->direct_IO by the seed-3 switch `dio-invalidate-before-write`), else
 * the buffered paths of the page cache. Bytes, -errno or -EIOCBQUEUED. */
COH_API ssize_t generic_file_aio_read(struct kiocb *iocb, const struct iovec *iov,
                                      unsigned long nr_segs, loff_t pos);
COH_API ssize_t generic_file_aio_write(struct kiocb *iocb, const struct iovec *iov,
                                       unsigned long nr_segs, loff_t pos);
/* read(2)/write(2) of an O_DIRECT file: a sync kiocb through the aio
 * method, waited for if it was queued. */
COH_API ssize_t do_sync_read(struct file *filp, unsigned long buf, size_t len, loff_t *ppos);
COH_API ssize_t do_sync_write(struct file *filp, unsigned long buf, size_t len, loff_t *ppos);
/* simplefs's a_ops->direct_IO (ext2_direct_IO): blockdev_direct_IO with
 * simplefs_get_block. */
COH_API ssize_t simplefs_direct_IO(int rw, struct kiocb *iocb, const struct iovec *iov,
                                   loff_t offset, unsigned long nr_segs);

#ifdef __cplusplus
}
#endif
#endif
