/*
 * dm-space-map-common.h - the reference counts of a space map and their
 * disk format (drivers/md/persistent-data/dm-space-map-common.h,
 * v3.9-v4.0): an index block listing bitmap blocks of 2-bit counts.
 *
 * The model keeps the counts of every block in core (loaded at open) and
 * writes them to shadowed bitmap blocks and a shadowed index block at
 * commit; Linux reads and shadows the bitmap blocks through the
 * transaction manager as the counts change. Counts above 2 (Linux's
 * overflow btree) are refused with -EINVAL.
 */
#ifndef COHSIM_KERNEL_MD_PD_DM_SPACE_MAP_COMMON_H
#define COHSIM_KERNEL_MD_PD_DM_SPACE_MAP_COMMON_H

#include "kernel/md/persistent-data/dm-block-manager.h"

#define SM_LL_MAX_BLOCKS 1024 /* blocks one space map counts, at most */
#define SM_MAX_BITMAPS 8
#define SM_ROOT_SIZE 32 /* struct disk_sm_root */

struct dm_transaction_manager;

struct ll_disk {
	struct dm_transaction_manager *tm;
	dm_block_t nr_blocks;
	dm_block_t nr_allocated;
	dm_block_t bitmap_root; /* the index block, 0 before the first commit */
	unsigned nr_bitmaps;
	dm_block_t bitmaps[SM_MAX_BITMAPS]; /* the index's entries */
	u8 counts[SM_LL_MAX_BLOCKS];
};

extern const struct dm_block_validator dm_sm_bitmap_validator;

unsigned sm_ll_entries_per_block(const struct ll_disk *ll);
int sm_ll_new_metadata(struct ll_disk *ll, struct dm_transaction_manager *tm);
int sm_ll_extend(struct ll_disk *ll, dm_block_t extra_blocks);
int sm_ll_open_metadata(struct ll_disk *ll, struct dm_transaction_manager *tm, const void *root_le,
                        size_t len);
u32 sm_ll_lookup(const struct ll_disk *ll, dm_block_t b);
int sm_ll_insert(struct ll_disk *ll, dm_block_t b, u32 ref_count);
int sm_ll_find_free_block(const struct ll_disk *ll, dm_block_t begin, dm_block_t end,
                          dm_block_t *result);
/* Shadows the index and every bitmap whose counts differ from old's, then
 * writes the counts; the shadows' allocations are counted first. */
int sm_ll_commit(struct ll_disk *ll, const struct ll_disk *old);
void sm_ll_copy_root(const struct ll_disk *ll, u8 root_le[SM_ROOT_SIZE]);

#endif
