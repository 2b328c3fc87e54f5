/*
 * dm-array.c - persistent arrays, after drivers/md/persistent-data/
 * dm-array.c (v3.9-v4.0), on a one-leaf btree (dm-btree.c's node format).
 *
 * Interface: dm-array.h.
 *
 * Disk format, as Linux's:
 *   root (validator "btree_node"): csum, flags (LEAF_NODE), blocknr,
 *     nr_entries, max_entries, value_size (8), padding; then max_entries
 *     __le64 keys (array block index) and max_entries __le64 values (the
 *     array blocks' locations);
 *   array block (validator "array"): csum, max_entries, nr_entries,
 *     value_size, blocknr; then the values.
 * Invariants: array block i holds entries i*max .. i*max+nr_entries-1;
 * every block but the last is full; the leaf's key i is i.
 *
 * Simplified: one leaf, no internal btree nodes (Linux splits the root
 * past 252 array blocks; the model returns -ENOSPC); no dm_array_del;
 * each block is read or written as a whole (one simulated copy) rather
 * than entry by entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_impl.h"
#include "kernel/md/persistent-data/dm-array.h"

#define LEAF_NODE 2u

/* node_prepare_for_write / node_check (dm-btree-spine.c, v3.9) */
static void node_prepare_for_write(const struct dm_block_validator *v, struct dm_block *b,
                                   size_t block_size)
{
	(void)v;
	dm_bm_prepare_csum(b, block_size, 8, BTREE_CSUM_XOR);
}

static int node_check(const struct dm_block_validator *v, struct dm_block *b, size_t block_size)
{
	int r = dm_bm_check_csum(b, block_size, 8, BTREE_CSUM_XOR, v->name);
	if (r)
		return r;
	KSITE();
	u32 nr = sim_read32(simptr_add(dm_block_data(b), 16));
	u32 max = sim_read32(simptr_add(dm_block_data(b), 20));
	/* "node_check failed: max_entries too large" / nr_entries > max_entries */
	return nr > max || NODE_HDR + 16ull * max > block_size ? -EILSEQ : 0;
}

const struct dm_block_validator dm_btree_node_validator = {
    .name = "btree_node", .prepare_for_write = node_prepare_for_write, .check = node_check};

/* array_block_prepare_for_write / array_block_check (v3.9) */
static void array_block_prepare_for_write(const struct dm_block_validator *v, struct dm_block *b,
                                          size_t block_size)
{
	(void)v;
	dm_bm_prepare_csum(b, block_size, 16, ARRAY_CSUM_XOR);
}

static int array_block_check(const struct dm_block_validator *v, struct dm_block *b,
                             size_t block_size)
{
	return dm_bm_check_csum(b, block_size, 16, ARRAY_CSUM_XOR, v->name);
}

const struct dm_block_validator dm_array_validator = {.name = "array",
                                                      .prepare_for_write =
                                                          array_block_prepare_for_write,
                                                      .check = array_block_check};

/* dm_array_info_init (v3.9) */
void dm_array_info_init(struct dm_array_info *info, struct dm_transaction_manager *tm,
                        const struct dm_btree_value_type *vt)
{
	info->tm = tm;
	info->value_type = *vt;
}

static unsigned block_size(struct dm_array_info *info)
{
	return dm_bm_block_size(dm_tm_get_bm(info->tm));
}

/* calc_max_entries (v3.9) */
u32 dm_array_max_entries(struct dm_array_info *info)
{
	return (block_size(info) - ABLOCK_HDR) / info->value_type.size;
}

/* dm-btree.c's calc_max_entries (v3.9): a multiple of 3 */
static u32 leaf_max_entries(struct dm_array_info *info)
{
	return (block_size(info) - NODE_HDR) / 16 / 3 * 3;
}

/* A block as host bytes (read whole), and back. */
struct hblock {
	struct dm_block *b;
	u8 *buf;
	bool changed;
};

static void hload(struct dm_array_info *info, struct hblock *h, struct dm_block *b)
{
	h->b = b;
	h->buf = malloc(block_size(info));
	BUG_ON(!h->buf);
	h->changed = false;
	KSITE();
	sim_memcpy_from(h->buf, dm_block_data(b), block_size(info));
}

/* Writes the bytes back if changed, unlocks. */
static void hput(struct dm_array_info *info, struct hblock *h)
{
	if (h->changed) {
		KSITE();
		sim_memcpy_to(dm_block_data(h->b), h->buf, block_size(info));
	}
	free(h->buf);
	dm_tm_unlock(info->tm, h->b);
}

#define LEAF_NR(h) ((u32)coh__get_le((h)->buf + 16, 4))
#define LEAF_VALUE(info, h, i)                                                                     \
	coh__get_le((h)->buf + NODE_HDR + 8 * (leaf_max_entries(info) + (i)), 8)

static void leaf_set(struct dm_array_info *info, struct hblock *h, u32 i, dm_block_t loc)
{
	coh__put_le(h->buf + NODE_HDR + 8 * i, i, 8);
	coh__put_le(h->buf + NODE_HDR + 8 * (leaf_max_entries(info) + i), loc, 8);
	h->changed = true;
}

/* dm_btree_empty (v3.9): an empty leaf */
int dm_array_empty(struct dm_array_info *info, dm_block_t *root)
{
	struct dm_block *b;
	int r = dm_tm_new_block(info->tm, &dm_btree_node_validator, &b);
	if (r)
		return r;
	struct hblock h;
	hload(info, &h, b);
	coh__put_le(h.buf + 4, LEAF_NODE, 4);
	coh__put_le(h.buf + 16, 0, 4);
	coh__put_le(h.buf + 20, leaf_max_entries(info), 4);
	coh__put_le(h.buf + 24, 8, 4);
	h.changed = true;
	*root = dm_block_location(b);
	hput(info, &h);
	return 0;
}

/* shadow_step on the root (dm-btree-spine.c, v3.9): a shared root's
 * array blocks each get a reference (block_inc). */
static int shadow_root(struct dm_array_info *info, dm_block_t root, struct hblock *h)
{
	struct dm_block *b;
	int inc;
	int r = dm_tm_shadow_block(info->tm, root, &dm_btree_node_validator, &b, &inc);
	if (r)
		return r;
	hload(info, h, b);
	if (inc)
		for (u32 i = 0; i < LEAF_NR(h); i++)
			dm_tm_inc(info->tm, LEAF_VALUE(info, h, i));
	h->changed = false; /* the shadow is a copy already */
	return 0;
}

/* inc_ablock_entries (v3.9) */
static void inc_ablock_entries(struct dm_array_info *info, const struct hblock *a)
{
	if (!info->value_type.inc)
		return;
	u32 nr = (u32)coh__get_le(a->buf + 8, 4);
	for (u32 e = 0; e < nr; e++)
		info->value_type.inc(info->value_type.context,
		                     a->buf + ABLOCK_HDR + (size_t)e * info->value_type.size);
}

/* shadow_ablock (v3.9): array block i of the (shadowed) root, shadowed;
 * the root is updated if it moved. */
static int shadow_ablock(struct dm_array_info *info, struct hblock *root, u32 i, struct hblock *a)
{
	if (i >= LEAF_NR(root))
		return -ENODATA;
	dm_block_t loc = LEAF_VALUE(info, root, i);
	struct dm_block *b;
	int inc;
	int r = dm_tm_shadow_block(info->tm, loc, &dm_array_validator, &b, &inc);
	if (r)
		return r;
	hload(info, a, b);
	if (inc)
		inc_ablock_entries(info, a);
	if (dm_block_location(b) != loc) /* __reinsert_ablock */
		leaf_set(info, root, i, dm_block_location(b));
	return 0;
}

/* fill_ablock (v3.9): entries up to new_nr take value */
static void fill_ablock(struct dm_array_info *info, struct hblock *a, const void *value, u32 new_nr)
{
	u32 nr = (u32)coh__get_le(a->buf + 8, 4), size = info->value_type.size;
	for (u32 e = nr; e < new_nr; e++) {
		if (info->value_type.inc)
			info->value_type.inc(info->value_type.context, value);
		memcpy(a->buf + ABLOCK_HDR + (size_t)e * size, value, size);
	}
	coh__put_le(a->buf + 8, new_nr, 4);
	a->changed = true;
}

/* trim_ablock (v3.9) */
static void trim_ablock(struct dm_array_info *info, struct hblock *a, u32 new_nr)
{
	u32 nr = (u32)coh__get_le(a->buf + 8, 4), size = info->value_type.size;
	for (u32 e = new_nr; e < nr; e++)
		if (info->value_type.dec)
			info->value_type.dec(info->value_type.context,
			                     a->buf + ABLOCK_HDR + (size_t)e * size);
	memset(a->buf + ABLOCK_HDR + (size_t)new_nr * size, 0, (size_t)(nr - new_nr) * size);
	coh__put_le(a->buf + 8, new_nr, 4);
	a->changed = true;
}

/* alloc_ablock + insert_new_ablock (v3.9) */
static int insert_new_ablock(struct dm_array_info *info, struct hblock *root, u32 nr,
                             const void *value)
{
	u32 i = LEAF_NR(root);
	if (i >= leaf_max_entries(info))
		return -ENOSPC; /* Linux splits the btree node */
	struct dm_block *b;
	int r = dm_tm_new_block(info->tm, &dm_array_validator, &b);
	if (r)
		return r;
	struct hblock a;
	hload(info, &a, b);
	coh__put_le(a.buf + 4, dm_array_max_entries(info), 4);
	coh__put_le(a.buf + 12, info->value_type.size, 4);
	fill_ablock(info, &a, value, nr);
	leaf_set(info, root, i, dm_block_location(b));
	coh__put_le(root->buf + 16, i + 1, 4);
	hput(info, &a);
	return 0;
}

static int grow(struct dm_array_info *info, struct hblock *root, u32 old_size, u32 new_size,
                const void *value)
{
	u32 max = dm_array_max_entries(info);
	int r = 0;
	if (old_size % max) { /* grow_extend_tail_block */
		struct hblock a;
		r = shadow_ablock(info, root, old_size / max, &a);
		if (r)
			return r;
		u32 end = new_size - old_size / max * max;
		fill_ablock(info, &a, value, end < max ? end : max);
		hput(info, &a);
		old_size = old_size / max * max + (end < max ? end : max);
	}
	while (!r && old_size < new_size) { /* grow_add_tail_block */
		u32 n = new_size - old_size < max ? new_size - old_size : max;
		r = insert_new_ablock(info, root, n, value);
		old_size += n;
	}
	return r;
}

/* shrink (v3.9): drop the array blocks past the end, trim the last. */
static int shrink(struct dm_array_info *info, struct hblock *root, u32 new_size)
{
	u32 max = dm_array_max_entries(info);
	u32 keep = (new_size + max - 1) / max;
	for (u32 i = keep; i < LEAF_NR(root); i++)
		dm_tm_dec(info->tm, LEAF_VALUE(info, root, i)); /* block_dec */
	coh__put_le(root->buf + 16, keep, 4);
	root->changed = true;
	if (new_size % max) {
		struct hblock a;
		int r = shadow_ablock(info, root, keep - 1, &a);
		if (r)
			return r;
		trim_ablock(info, &a, new_size % max);
		hput(info, &a);
	}
	return 0;
}

/* dm_array_resize (v3.9) */
int dm_array_resize(struct dm_array_info *info, dm_block_t root, u32 old_size, u32 new_size,
                    const void *value, dm_block_t *new_root)
{
	if (old_size == new_size) {
		*new_root = root;
		return 0;
	}
	struct hblock h;
	int r = shadow_root(info, root, &h);
	if (r)
		return r;
	r = new_size > old_size ? grow(info, &h, old_size, new_size, value)
	                        : shrink(info, &h, new_size);
	*new_root = dm_block_location(h.b);
	hput(info, &h);
	return r;
}

/* dm_array_get_value (v3.9) */
int dm_array_get_value(struct dm_array_info *info, dm_block_t root, u32 index, void *value)
{
	struct dm_block *b;
	int r = dm_tm_read_lock(info->tm, root, &dm_btree_node_validator, &b);
	if (r)
		return r;
	u32 max = dm_array_max_entries(info), i = index / max;
	simptr node = dm_block_data(b);
	KSITE();
	u32 nr = sim_read32(simptr_add(node, 16));
	dm_block_t loc =
	    i < nr ? sim_read64(simptr_add(node, NODE_HDR + 8l * (leaf_max_entries(info) + i))) : 0;
	dm_tm_unlock(info->tm, b);
	if (i >= nr)
		return -ENODATA;
	r = dm_tm_read_lock(info->tm, loc, &dm_array_validator, &b);
	if (r)
		return r;
	KSITE();
	if (index % max >= sim_read32(simptr_add(dm_block_data(b), 8)))
		r = -ENODATA;
	else
		sim_memcpy_from(
		    value,
		    simptr_add(dm_block_data(b),
		               ABLOCK_HDR + (long)(index % max) * info->value_type.size),
		    info->value_type.size);
	dm_tm_unlock(info->tm, b);
	return r;
}

/* dm_array_set_value -> array_set_value (v3.9) */
int dm_array_set_value(struct dm_array_info *info, dm_block_t root, u32 index, const void *value,
                       dm_block_t *new_root)
{
	struct hblock h, a;
	int r = shadow_root(info, root, &h);
	if (r)
		return r;
	u32 max = dm_array_max_entries(info);
	r = shadow_ablock(info, &h, index / max, &a);
	if (!r) {
		u32 e = index % max, size = info->value_type.size;
		u8 *old = a.buf + ABLOCK_HDR + (size_t)e * size;
		if (e >= (u32)coh__get_le(a.buf + 8, 4)) {
			r = -ENODATA;
		} else {
			if (info->value_type.inc)
				info->value_type.inc(info->value_type.context, value);
			if (info->value_type.dec)
				info->value_type.dec(info->value_type.context, old);
			/* one store of the value, not a copy of the block */
			KSITE();
			sim_memcpy_to(simptr_add(dm_block_data(a.b), ABLOCK_HDR + (long)e * size),
			              value, size);
		}
		hput(info, &a);
	}
	*new_root = dm_block_location(h.b);
	hput(info, &h);
	return r;
}

/* dm_array_walk -> walk_ablock (v3.9) */
int dm_array_walk(struct dm_array_info *info, dm_block_t root,
                  int (*fn)(void *context, u64 key, void *leaf), void *context)
{
	struct dm_block *b;
	int r = dm_tm_read_lock(info->tm, root, &dm_btree_node_validator, &b);
	if (r)
		return r;
	struct hblock h;
	hload(info, &h, b);
	u32 max = dm_array_max_entries(info);
	for (u32 i = 0; !r && i < LEAF_NR(&h); i++) {
		struct dm_block *ab;
		r = dm_tm_read_lock(info->tm, LEAF_VALUE(info, &h, i), &dm_array_validator, &ab);
		if (r)
			break;
		struct hblock a;
		hload(info, &a, ab);
		u32 nr = (u32)coh__get_le(a.buf + 8, 4);
		for (u32 e = 0; !r && e < nr; e++)
			r = fn(context, (u64)i * max + e,
			       a.buf + ABLOCK_HDR + (size_t)e * info->value_type.size);
		hput(info, &a);
	}
	hput(info, &h);
	return r;
}
