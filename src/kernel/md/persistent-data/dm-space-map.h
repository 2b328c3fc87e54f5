/*
 * dm-space-map.h - the metadata space map (drivers/md/persistent-data/
 * dm-space-map.h and dm-space-map-metadata.h, v3.9-v4.0): a reference
 * count per metadata block.
 *
 * A new block is one free both now and at the last commit (searched from
 * a cursor that only moves forward within a transaction), so a block the
 * last committed superblock reaches is never handed out before the next
 * commit.
 */
#ifndef COHSIM_KERNEL_MD_PD_DM_SPACE_MAP_H
#define COHSIM_KERNEL_MD_PD_DM_SPACE_MAP_H

#include "kernel/md/persistent-data/dm-space-map-common.h"

struct dm_space_map;

struct dm_space_map *dm_sm_metadata_init(void);
int dm_sm_metadata_create(struct dm_space_map *sm, struct dm_transaction_manager *tm,
                          dm_block_t nr_blocks, dm_block_t superblock);
int dm_sm_metadata_open(struct dm_space_map *sm, struct dm_transaction_manager *tm,
                        const void *root_le, size_t len);
void dm_sm_destroy(struct dm_space_map *sm);
void coh__dm_sm_reset(void);

int dm_sm_get_nr_blocks(struct dm_space_map *sm, dm_block_t *count);
int dm_sm_get_nr_free(struct dm_space_map *sm, dm_block_t *count);
int dm_sm_get_count(struct dm_space_map *sm, dm_block_t b, u32 *result);
int dm_sm_count_is_more_than_one(struct dm_space_map *sm, dm_block_t b, int *result);
int dm_sm_inc_block(struct dm_space_map *sm, dm_block_t b);
int dm_sm_dec_block(struct dm_space_map *sm, dm_block_t b);
int dm_sm_new_block(struct dm_space_map *sm, dm_block_t *b);
int dm_sm_commit(struct dm_space_map *sm);
int dm_sm_root_size(struct dm_space_map *sm, size_t *result);
int dm_sm_copy_root(struct dm_space_map *sm, void *copy_to_here_le, size_t len);
/* For tests: the count at the last commit. */
u32 dm_sm_committed_count(struct dm_space_map *sm, dm_block_t b);

#endif
