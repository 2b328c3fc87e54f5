/*
 * cohsim/dm-cache.h - dm-cache's persistent metadata
 * (drivers/md/dm-cache-metadata.c, v3.9-v4.0) and the `cache` target.
 *
 * A metadata object reads and writes the metadata device through
 * persistent-data: a block manager (one dm-bufio client) whose blocks
 * carry checksums, a transaction manager that shadows every block but the
 * superblock, a space map of block reference counts, the mapping array
 * and the discard bitset. Opening it formats an all-zero
 * device (if allowed) or checks the superblock, then begins a transaction
 * that clears the clean-shutdown flag and writes the superblock. Changes
 * (mappings cblock -> oblock with a dirty flag) go to shadowed blocks, so
 * the mapping root moves every transaction; dm_cache_commit() writes every
 * dirty block but the superblock, then the superblock that points at them.
 *
 * The fix switch "dm-cache-shared-metadata" (seed 5, 9b1cc9f251af) keeps a
 * reference-counted metadata object per metadata device, shared by every
 * table that opens it; a second open with another data block size fails
 * with -EINVAL. Without it each open has its own object and bufio client.
 *
 * Objects belong to the execution (kernel_init drops them).
 */
/* linux.h first: it includes this header at its end, once its own types
 * are declared. */
#include "cohsim/linux.h"

#ifndef COHSIM_DM_CACHE_H
#define COHSIM_DM_CACHE_H

#ifdef __cplusplus
extern "C" {
#endif

#define DM_CACHE_SHARED_METADATA_FIX "dm-cache-shared-metadata"
/* A synthetic check, no historical commit: on, a commit writes the other
 * dirty blocks and flushes before it writes the superblock (as Linux's
 * dm_bm_flush_and_unlock does); off, the superblock goes out with them
 * under one flush, so a power cut may keep it and lose what it points at. */
#define DM_CACHE_SUPERBLOCK_LAST_FIX "dm-cache-superblock-last"
/* The rule of "dm thin: Flush data device before committing metadata"
 * (694cfe7f31db) applied to dm-cache: on, every commit flushes the cache
 * device first, so no committed mapping points at data a power cut can
 * still lose; off (v3.9-v4.0), a FLUSH commits, then flushes. */
#define DM_CACHE_FLUSH_BEFORE_COMMIT_FIX "dm-cache-flush-before-commit"
/* __open_metadata's "Verify the data block size hasn't changed" (as
 * dm-era got in 2021 and later dm-cache has): on, opening metadata written
 * with another data block size fails with -EINVAL; off (v3.9-era dm-cache),
 * the mappings are read back with the new block size. */
#define DM_CACHE_CHECK_BLOCK_SIZE_FIX "dm-cache-check-block-size"
#define DM_CACHE_METADATA_BLOCK_SIZE 4096 /* bytes */
#define DM_CACHE_MAX_CBLOCKS 2048         /* cache blocks the model follows (5 array blocks) */
#define DM_CACHE_MAX_METADATA_BLOCKS 1024 /* blocks of the metadata device used, at most */

typedef u64 dm_oblock_t;
typedef u32 dm_cblock_t;
typedef u64 dm_dblock_t;

struct dm_cache_metadata;

/* dm_cache_metadata_open. 0 and *out, or -EINVAL (another block size than
 * the superblock's or, with the fix, the shared object's), -EPERM
 * (unformatted and may_format_device false), -EILSEQ or -ENOTBLK (a block
 * fails its checksum or names another location), -ENOMEM, -EIO. (Linux
 * returns the object or an ERR_PTR.) */
COH_API int dm_cache_metadata_open(struct block_device *bdev, sector_t data_block_size,
                                   bool may_format_device, size_t policy_hint_size,
                                   struct dm_cache_metadata **out);
COH_API void dm_cache_metadata_close(struct dm_cache_metadata *cmd);

COH_API int dm_cache_resize(struct dm_cache_metadata *cmd, dm_cblock_t new_cache_size);
COH_API dm_cblock_t dm_cache_size(struct dm_cache_metadata *cmd);
COH_API int dm_cache_insert_mapping(struct dm_cache_metadata *cmd, dm_cblock_t cblock,
                                    dm_oblock_t oblock);
COH_API int dm_cache_remove_mapping(struct dm_cache_metadata *cmd, dm_cblock_t cblock);
COH_API int dm_cache_set_dirty(struct dm_cache_metadata *cmd, dm_cblock_t cblock, bool dirty);

/* Called for every valid mapping; dirty is the stored flag only if the
 * metadata was shut down cleanly when opened, else true. */
typedef int (*load_mapping_fn)(void *context, dm_oblock_t oblock, dm_cblock_t cblock, bool dirty);
COH_API int dm_cache_load_mappings(struct dm_cache_metadata *cmd, load_mapping_fn fn,
                                   void *context);
/* The discard bitset (dm-bitset): one bit per discard block, "discarded".
 * resize: the new bits are clear; set_discard: -EINVAL past the end. */
COH_API int dm_cache_discard_bitset_resize(struct dm_cache_metadata *cmd,
                                           sector_t discard_block_size, dm_dblock_t new_nr_entries);
COH_API int dm_cache_set_discard(struct dm_cache_metadata *cmd, dm_dblock_t dblock, bool discard);
typedef int (*load_discard_fn)(void *context, sector_t discard_block_size, dm_dblock_t dblock,
                               bool discarded);
COH_API int dm_cache_load_discards(struct dm_cache_metadata *cmd, load_discard_fn fn,
                                   void *context);

/* Writes the transaction: every dirty block, then the superblock (with the
 * clean-shutdown flag if clean_shutdown), each followed by a flush. */
COH_API int dm_cache_commit(struct dm_cache_metadata *cmd, bool clean_shutdown);

/* For tests and reports. */
COH_API u64 dm_cache_metadata_root(struct dm_cache_metadata *cmd);
COH_API unsigned dm_cache_metadata_refcount(struct dm_cache_metadata *cmd);
COH_API bool dm_cache_metadata_clean_when_opened(struct dm_cache_metadata *cmd);
COH_API struct dm_bufio_client *dm_cache_metadata_bufio(struct dm_cache_metadata *cmd);

#ifdef __cplusplus
}
#endif
#endif
