/*
 * dm-cache-metadata.h - the dm-cache metadata object shared by its two
 * files: dm-cache-metadata.c (the object, the superblock, open, close and
 * the transactions) and dm-cache-metadata-ops.c (the operations on the
 * mapping array and the discard bitset, under root_lock). Kernel-internal.
 */
#ifndef COHSIM_KERNEL_MD_DM_CACHE_METADATA_H
#define COHSIM_KERNEL_MD_DM_CACHE_METADATA_H

#include "cohsim/dm-cache.h"
#include "kernel/md/dm-cache-format.h"
#include "kernel/md/persistent-data/dm-bitset.h"

#define CACHE_MAX_CONCURRENT_LOCKS 5

struct dm_cache_metadata {
	bool used;
	int ref_count; /* with the fix: tables sharing it (under table_lock) */
	bool listed;   /* on the global list */
	struct block_device *bdev;
	struct dm_block_manager *bm;
	struct dm_space_map *metadata_sm;
	struct dm_transaction_manager *tm;
	struct dm_array_info info;
	struct dm_disk_bitset discard_info;
	coh_rwsem root_lock;
	dm_block_t root, hint_root, discard_root;
	sector_t discard_block_size;
	dm_dblock_t discard_nr_blocks;
	sector_t data_block_size;
	dm_cblock_t cache_blocks;
	bool changed;
	bool clean_when_opened;
	u8 metadata_space_map_root[SPACE_MAP_ROOT_SIZE];
	u64 core[DM_CACHE_MAX_CBLOCKS]; /* the checker's mirror of the mapping (host only) */
};

/* __begin_transaction (v3.9): re-reads the superblock every time. */
int __begin_transaction(struct dm_cache_metadata *cmd);
/* __commit_transaction (v4.0): pre-commit every dirty block, then the
 * superblock. */
int __commit_transaction(struct dm_cache_metadata *cmd, bool clean_shutdown);

#endif
