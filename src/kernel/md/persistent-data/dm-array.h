/*
 * dm-array.h - persistent arrays of fixed-size values
 * (drivers/md/persistent-data/dm-array.h, v3.9-v4.0).
 *
 * An array is a list of array blocks (each: a header and up to
 * max_entries values) reached from a root block. In Linux the root is a
 * btree keyed by array block index; the model's "btree" is one leaf node
 * (btree_node format, up to 252 array blocks). Every change shadows the
 * root and the array block it touches, so the root moves every
 * transaction; set_value and resize return the new root.
 *
 * Values are value_type.size bytes, stored as given (little-endian on
 * disk: callers pass __le64 and the like).
 */
#ifndef COHSIM_KERNEL_MD_PD_DM_ARRAY_H
#define COHSIM_KERNEL_MD_PD_DM_ARRAY_H

#include "kernel/md/persistent-data/dm-transaction-manager.h"

#define ARRAY_CSUM_XOR 595846735
#define BTREE_CSUM_XOR 121107
#define NODE_HDR 32   /* struct node_header; keys, then values follow */
#define ABLOCK_HDR 24 /* struct array_block; values follow */

struct dm_btree_value_type {
	void *context;
	u32 size;
	/* may be NULL: a value that holds a reference (Linux: block_inc) */
	void (*inc)(void *context, const void *value);
	void (*dec)(void *context, const void *value);
};

struct dm_array_info {
	struct dm_transaction_manager *tm;
	struct dm_btree_value_type value_type;
};

extern const struct dm_block_validator dm_array_validator;
extern const struct dm_block_validator dm_btree_node_validator;

void dm_array_info_init(struct dm_array_info *info, struct dm_transaction_manager *tm,
                        const struct dm_btree_value_type *vt);
int dm_array_empty(struct dm_array_info *info, dm_block_t *root);
int dm_array_resize(struct dm_array_info *info, dm_block_t root, u32 old_size, u32 new_size,
                    const void *value, dm_block_t *new_root);
int dm_array_get_value(struct dm_array_info *info, dm_block_t root, u32 index, void *value);
int dm_array_set_value(struct dm_array_info *info, dm_block_t root, u32 index, const void *value,
                       dm_block_t *new_root);
int dm_array_walk(struct dm_array_info *info, dm_block_t root,
                  int (*fn)(void *context, u64 key, void *leaf), void *context);
/* Values per array block (calc_max_entries). */
u32 dm_array_max_entries(struct dm_array_info *info);

#endif
