/*
 * cohsim/dm-io.h - device-mapper's dm-io (drivers/md/dm-io.c, 2.6.3x era):
 * synchronous and asynchronous I/O to several regions at once, from memory
 * given as a page list, a bvec array, a vmalloc area or kernel memory.
 *
 * dm_io() with notify.fn == NULL is synchronous: the caller sleeps until
 * every region completed and gets the per-region error bits. With notify.fn
 * it returns at once and fn(error_bits, context) runs exactly once, in the
 * completion context (hardirq) of the last region. Bit i of error_bits is
 * set when region i failed. A read takes one region only.
 *
 * The fix switch "dm-io-vmap-flush" (seed 1) makes DM_IO_VMA flush the
 * vmalloc alias before the I/O and invalidate it after a read completes.
 */
/* linux.h first: it includes this header at its end, once its own types
 * are declared. */
#include "cohsim/linux.h"

#ifndef COHSIM_DM_IO_H
#define COHSIM_DM_IO_H

#include "cohsim/blkdev.h"

#ifdef __cplusplus
extern "C" {
#endif

#define DM_IO_MAX_REGIONS 64 /* BITS_PER_LONG */
#define DM_IO_VMAP_FLUSH_FIX "dm-io-vmap-flush"
/* The read half of the same patch: dec_count() invalidates the vmalloc range
 * of a READ when its last region completes, before the waiter is woken. */
#define DM_IO_VMAP_INVALIDATE_FIX "dm-io-vmap-invalidate"

struct dm_io_region {
	struct block_device *bdev;
	sector_t sector;
	sector_t count; /* sectors; 0 = nothing (unless REQ_FLUSH) */
};

struct page_list {
	struct page_list *next;
	struct page *page;
};

typedef void (*io_notify_fn)(unsigned long error, void *context);

enum dm_io_mem_type {
	DM_IO_PAGE_LIST, /* page list */
	DM_IO_BVEC,      /* bio vector */
	DM_IO_VMA,       /* virtual memory (vmalloc area) */
	DM_IO_KMEM,      /* kernel memory (lowmem linear map) */
};

struct dm_io_memory {
	enum dm_io_mem_type type;
	unsigned offset; /* DM_IO_PAGE_LIST: offset into the first page */
	union {
		struct page_list *pl;
		struct bio_vec *bvec;
		simptr vma;
		simptr addr;
	} ptr;
};

struct dm_io_notify {
	io_notify_fn fn; /* NULL: synchronous */
	void *context;
};

struct dm_io_client;

struct dm_io_request {
	unsigned long bi_rw; /* READ or WRITE, with REQ_* flags */
	struct dm_io_memory mem;
	struct dm_io_notify notify;
	struct dm_io_client *client; /* may be NULL */
};

/* A client (its mempools in Linux). From a pool reset by kernel_init();
 * NULL when the pool is empty. */
COH_API struct dm_io_client *dm_io_client_create(unsigned num_pages);
COH_API void dm_io_client_destroy(struct dm_io_client *client);

/* Returns 0, -EIO (a region failed: see the bits; or a multi-region read),
 * -EINVAL (bad memory type or too many regions). sync_error_bits may be
 * NULL; it is only written for synchronous I/O. */
COH_API int dm_io(struct dm_io_request *io_req, unsigned num_regions, struct dm_io_region *where,
                  unsigned long *sync_error_bits);

#ifdef __cplusplus
}
#endif
#endif
