/*
 * dm-bitset.c - persistent bitsets, after drivers/md/persistent-data/
 * dm-bitset.c (v3.9-v4.0): an array of __le64 words through dm-array.
 *
 * Interface: dm-bitset.h.
 *
 * Invariant: when dirty, current_bits is newer than word current_index
 * of the array; read_bits flushes it before it loads another word, and
 * dm_bitset_flush writes it (a shadow of its array block and of the root).
 */
#include <errno.h>
#include <string.h>

#include "kernel/kernel_impl.h"
#include "kernel/md/persistent-data/dm-bitset.h"

#define BITS_PER_ARRAY_ENTRY 64

static const struct dm_btree_value_type bitset_bvt = {.size = sizeof(u64)};

/* dm_disk_bitset_init (v3.9) */
void dm_disk_bitset_init(struct dm_transaction_manager *tm, struct dm_disk_bitset *info)
{
	dm_array_info_init(&info->array_info, tm, &bitset_bvt);
	info->current_index_set = false;
	info->dirty = false;
}

/* dm_bitset_empty (v3.9) */
int dm_bitset_empty(struct dm_disk_bitset *info, dm_block_t *root)
{
	return dm_array_empty(&info->array_info, root);
}

static u32 dm_div_up(u32 v, u32 n)
{
	return (v + n - 1) / n;
}

static u64 to_le64(u64 v)
{
	u8 b[8];
	for (int k = 0; k < 8; k++)
		b[k] = (u8)(v >> (8 * k));
	u64 le;
	memcpy(&le, b, 8);
	return le;
}

static u64 from_le64(u64 le)
{
	u8 b[8];
	memcpy(b, &le, 8);
	u64 v = 0;
	for (int k = 7; k >= 0; k--)
		v = v << 8 | b[k];
	return v;
}

/* dm_bitset_flush (v3.9) */
int dm_bitset_flush(struct dm_disk_bitset *info, dm_block_t root, dm_block_t *new_root)
{
	if (!info->current_index_set || !info->dirty) {
		*new_root = root;
		return 0;
	}
	u64 value = to_le64(info->current_bits);
	int r = dm_array_set_value(&info->array_info, root, info->current_index, &value, new_root);
	if (r)
		return r;
	info->current_index_set = false;
	info->dirty = false;
	return 0;
}

/* dm_bitset_resize (v3.9): whole words of default_value are added or
 * dropped; the bits of the old last word past old_nr_entries are left as
 * they were, as in Linux. */
int dm_bitset_resize(struct dm_disk_bitset *info, dm_block_t root, u32 old_nr_entries,
                     u32 new_nr_entries, bool default_value, dm_block_t *new_root)
{
	u32 old_blocks = dm_div_up(old_nr_entries, BITS_PER_ARRAY_ENTRY);
	u32 new_blocks = dm_div_up(new_nr_entries, BITS_PER_ARRAY_ENTRY);
	u64 value = default_value ? ~0ull : 0;
	return dm_array_resize(&info->array_info, root, old_blocks, new_blocks, &value, new_root);
}

/* read_bits (v3.9): word index in the cache */
static int read_bits(struct dm_disk_bitset *info, dm_block_t root, u32 array_index)
{
	u64 value;
	int r = dm_array_get_value(&info->array_info, root, array_index, &value);
	if (r)
		return r;
	info->current_bits = from_le64(value);
	info->current_index_set = true;
	info->current_index = array_index;
	info->dirty = false;
	return 0;
}

/* get_array_entry (v3.9) */
static int get_array_entry(struct dm_disk_bitset *info, dm_block_t root, u32 index,
                           dm_block_t *new_root)
{
	u32 array_index = index / BITS_PER_ARRAY_ENTRY;
	*new_root = root;
	if (info->current_index_set) {
		if (info->current_index == array_index)
			return 0;
		int r = dm_bitset_flush(info, root, new_root);
		if (r)
			return r;
	}
	return read_bits(info, *new_root, array_index);
}

/* dm_bitset_set_bit (v3.9) */
int dm_bitset_set_bit(struct dm_disk_bitset *info, dm_block_t root, u32 index, dm_block_t *new_root)
{
	int r = get_array_entry(info, root, index, new_root);
	if (r)
		return r;
	info->current_bits |= 1ull << (index % BITS_PER_ARRAY_ENTRY);
	info->dirty = true;
	return 0;
}

/* dm_bitset_clear_bit (v3.9) */
int dm_bitset_clear_bit(struct dm_disk_bitset *info, dm_block_t root, u32 index,
                        dm_block_t *new_root)
{
	int r = get_array_entry(info, root, index, new_root);
	if (r)
		return r;
	info->current_bits &= ~(1ull << (index % BITS_PER_ARRAY_ENTRY));
	info->dirty = true;
	return 0;
}

/* dm_bitset_test_bit (v3.9) */
int dm_bitset_test_bit(struct dm_disk_bitset *info, dm_block_t root, u32 index,
                       dm_block_t *new_root, bool *result)
{
	int r = get_array_entry(info, root, index, new_root);
	if (r)
		return r;
	*result = (info->current_bits >> (index % BITS_PER_ARRAY_ENTRY)) & 1;
	return 0;
}
