/*
 * cohsim/dm-bufio.h - device-mapper's buffered block I/O (drivers/md/dm-bufio.c,
 * v3.9-v4.0): a client per user of a block device, caching its blocks in
 * buffers with data pages of their own.
 *
 * dm_bufio_read() returns a buffer holding the block: a buffer the client
 * already has is returned as it is, with no I/O (it may be older than the
 * device, if someone else wrote it); otherwise one is allocated and read.
 * dm_bufio_new() returns one without reading (the caller overwrites it),
 * dm_bufio_get() only a buffer already there. Each returns the buffer's
 * data (a kernel VA in the simulated machine) and the buffer in *bp, held
 * until dm_bufio_release(). dm_bufio_mark_buffer_dirty() says the caller
 * changed the data; dm_bufio_write_dirty_buffers() writes every dirty
 * buffer, waits, and flushes the device's write cache.
 *
 * Clients know nothing of one another: two clients of one device hold two
 * copies, and nothing keeps them coherent (seed 5). The block-copy oracle
 * (cohsim/blockcopy.h) knows every buffer as a copy of its block.
 *
 * Eviction: whenever a buffer's last holder releases it, the explorer may
 * let the shrinker evict the client's least recently used idle buffer
 * (writing it first if dirty); a client over its size evicts the same way.
 *
 * Errors are returned as ERR_SIMPTR(-EIO) (test with IS_ERR_SIMPTR).
 * Clients and buffers belong to the execution (kernel_init drops them).
 */
/* linux.h first: it includes this header at its end, once its own types
 * are declared. */
#include "cohsim/linux.h"

#ifndef COHSIM_DM_BUFIO_H
#define COHSIM_DM_BUFIO_H

#ifdef __cplusplus
extern "C" {
#endif

struct dm_bufio_client;
struct dm_buffer;

/* ERR_PTR for simulated pointers. */
#define MAX_ERRNO 4095
static inline simptr ERR_SIMPTR(long error)
{
	return simptr_at((coh_addr_t)error);
}
static inline bool IS_ERR_SIMPTR(simptr p)
{
	return p.addr >= (coh_addr_t)-MAX_ERRNO;
}
static inline long PTR_ERR_SIMPTR(simptr p)
{
	return (long)p.addr;
}

/* block_size: a multiple of 512 up to the page size. reserved_buffers:
 * buffers the client may always have; the client caches up to
 * reserved_buffers + DM_BUFIO_MIN_BUFFERS buffers. The callbacks may be
 * NULL. NULL when the pools are exhausted or the arguments are bad. */
#define DM_BUFIO_MIN_BUFFERS 8
/* aux_size: bytes of the client's own per-buffer data, zeroed when the
 * buffer is allocated (at most DM_BUFIO_AUX_MAX; host memory in the model). */
#define DM_BUFIO_AUX_MAX 32
COH_API struct dm_bufio_client *dm_bufio_client_create(struct block_device *bdev,
                                                       unsigned block_size,
                                                       unsigned reserved_buffers, unsigned aux_size,
                                                       void (*alloc_callback)(struct dm_buffer *),
                                                       void (*write_callback)(struct dm_buffer *));
/* Writes the dirty buffers, waits, frees every buffer (none may be held). */
COH_API void dm_bufio_client_destroy(struct dm_bufio_client *c);

COH_API simptr dm_bufio_read(struct dm_bufio_client *c, sector_t block, struct dm_buffer **bp);
COH_API simptr dm_bufio_get(struct dm_bufio_client *c, sector_t block, struct dm_buffer **bp);
COH_API simptr dm_bufio_new(struct dm_bufio_client *c, sector_t block, struct dm_buffer **bp);
COH_API void dm_bufio_release(struct dm_buffer *b);
COH_API void dm_bufio_mark_buffer_dirty(struct dm_buffer *b);
/* 0, or the first write error since the last call (then the flush's). */
COH_API int dm_bufio_write_dirty_buffers(struct dm_bufio_client *c);
COH_API void dm_bufio_write_dirty_buffers_async(struct dm_bufio_client *c);
/* An empty WRITE_FLUSH to the device; 0 or -EIO. */
COH_API int dm_bufio_issue_flush(struct dm_bufio_client *c);
/* Drops the buffer of block if it is there, unheld, clean and idle. */
COH_API void dm_bufio_forget(struct dm_bufio_client *c, sector_t block);

COH_API unsigned dm_bufio_get_block_size(struct dm_bufio_client *c);
COH_API sector_t dm_bufio_get_device_size(struct dm_bufio_client *c);
COH_API sector_t dm_bufio_get_block_number(struct dm_buffer *b);
COH_API simptr dm_bufio_get_block_data(struct dm_buffer *b);
COH_API void *dm_bufio_get_aux_data(struct dm_buffer *b);
COH_API struct dm_bufio_client *dm_bufio_get_client(struct dm_buffer *b);
/* For tests: buffers the client has now (held or not), and its number
 * (creation order in the execution, as reports name it). */
COH_API unsigned dm_bufio_buffer_count(struct dm_bufio_client *c);
COH_API unsigned dm_bufio_client_id(struct dm_bufio_client *c);

#ifdef __cplusplus
}
#endif
#endif
