/*
 * dm-bitset.h - persistent bitsets on dm-array
 * (drivers/md/persistent-data/dm-bitset.h, v3.9-v4.0).
 *
 * Bits are kept in an array of __le64 words. The word last used is cached
 * in core (current_index, current_bits): set/clear change the cache, and
 * dm_bitset_flush writes it back (and must run before a commit).
 */
#ifndef COHSIM_KERNEL_MD_PD_DM_BITSET_H
#define COHSIM_KERNEL_MD_PD_DM_BITSET_H

#include "kernel/md/persistent-data/dm-array.h"

struct dm_disk_bitset {
	struct dm_array_info array_info;
	u32 current_index;
	u64 current_bits;
	bool current_index_set;
	bool dirty;
};

void dm_disk_bitset_init(struct dm_transaction_manager *tm, struct dm_disk_bitset *info);
int dm_bitset_empty(struct dm_disk_bitset *info, dm_block_t *new_root);
int dm_bitset_resize(struct dm_disk_bitset *info, dm_block_t root, u32 old_nr_entries,
                     u32 new_nr_entries, bool default_value, dm_block_t *new_root);
int dm_bitset_flush(struct dm_disk_bitset *info, dm_block_t root, dm_block_t *new_root);
int dm_bitset_set_bit(struct dm_disk_bitset *info, dm_block_t root, u32 index,
                      dm_block_t *new_root);
int dm_bitset_clear_bit(struct dm_disk_bitset *info, dm_block_t root, u32 index,
                        dm_block_t *new_root);
int dm_bitset_test_bit(struct dm_disk_bitset *info, dm_block_t root, u32 index,
                       dm_block_t *new_root, bool *result);

#endif
