/*
 * dm-cache-metadata-ops.c - dm-cache's metadata operations, after
 * drivers/md/dm-cache-metadata.c (v3.9-v4.0): insert, remove and dirty a
 * mapping, resize, load the mappings, the discard bitset, commit, and the
 * accessors. The object, its superblock and its transactions are in
 * dm-cache-metadata.c.
 *
 * Interface: cohsim/dm-cache.h. Invariants: every operation takes
 * cmd->root_lock (write for a change, read for a load), as in Linux; a
 * change marks cmd->changed and keeps core[], the checker's host mirror
 * of the mapping, equal to the array.
 */
#include <errno.h>
#include <string.h>

#include "kernel/kernel_impl.h"
#include "kernel/md/dm-cache-metadata.h"

/* ---- the operations, under root_lock ---- */

/* pack_value / unpack_value (v3.9): __le64 oblock << 16 | flags */
static u64 pack_value(dm_oblock_t oblock, u64 flags)
{
	u8 b[8];
	u64 le;
	coh__put_le(b, oblock << 16 | flags, 8);
	memcpy(&le, b, 8);
	return le;
}

static u64 unpack_value(u64 le)
{
	u8 b[8];
	memcpy(b, &le, 8);
	return coh__get_le(b, 8);
}

static int set_mapping(struct dm_cache_metadata *cmd, dm_cblock_t cblock, u64 v)
{
	u64 value = pack_value(v >> 16, v & 0xffff);
	int r = dm_array_set_value(&cmd->info, cmd->root, cblock, &value, &cmd->root);
	if (!r) {
		cmd->core[cblock] = v;
		cmd->changed = true;
	}
	return r;
}

/* __insert (v3.9) */
static int __insert(struct dm_cache_metadata *cmd, dm_cblock_t cblock, dm_oblock_t oblock)
{
	return cblock < cmd->cache_blocks ? set_mapping(cmd, cblock, oblock << 16 | M_VALID)
	                                  : -EINVAL;
}

/* dm_cache_insert_mapping (v3.9) */
int dm_cache_insert_mapping(struct dm_cache_metadata *cmd, dm_cblock_t cblock, dm_oblock_t oblock)
{
	coh_down_write(&cmd->root_lock);
	int r = __insert(cmd, cblock, oblock);
	coh_up_write(&cmd->root_lock);
	return r;
}

/* dm_cache_remove_mapping -> __remove (v3.9) */
int dm_cache_remove_mapping(struct dm_cache_metadata *cmd, dm_cblock_t cblock)
{
	coh_down_write(&cmd->root_lock);
	int r = cblock < cmd->cache_blocks ? set_mapping(cmd, cblock, 0) : -EINVAL;
	coh_up_write(&cmd->root_lock);
	return r;
}

/* __dirty (v3.9): read the mapping, write it only if the flag changes */
static int __dirty(struct dm_cache_metadata *cmd, dm_cblock_t cblock, bool dirty)
{
	if (cblock >= cmd->cache_blocks)
		return -EINVAL;
	u64 value;
	int r = dm_array_get_value(&cmd->info, cmd->root, cblock, &value);
	if (r)
		return r;
	u64 v = unpack_value(value);
	if (!(v & M_DIRTY) == !dirty)
		return 0; /* nothing to be done */
	return set_mapping(cmd, cblock, (v & ~M_DIRTY) | (dirty ? M_DIRTY : 0));
}

/* dm_cache_set_dirty (v3.9) */
int dm_cache_set_dirty(struct dm_cache_metadata *cmd, dm_cblock_t cblock, bool dirty)
{
	coh_down_write(&cmd->root_lock);
	int r = __dirty(cmd, cblock, dirty);
	coh_up_write(&cmd->root_lock);
	return r;
}

/* blocks_are_unmapped_or_clean (v3.9) */
static int blocks_are_unmapped_or_clean(struct dm_cache_metadata *cmd, dm_cblock_t begin,
                                        dm_cblock_t end, bool *result)
{
	*result = true;
	for (dm_cblock_t c = begin; c < end && *result; c++) {
		u64 value;
		int r = dm_array_get_value(&cmd->info, cmd->root, c, &value);
		if (r)
			return r;
		u64 v = unpack_value(value);
		*result = !((v & M_VALID) && (v & M_DIRTY));
	}
	return 0;
}

/* dm_cache_resize (v3.9): new entries are unmapped; shrinking over a dirty
 * block fails. */
int dm_cache_resize(struct dm_cache_metadata *cmd, dm_cblock_t new_cache_size)
{
	if (new_cache_size > DM_CACHE_MAX_CBLOCKS)
		return -EINVAL;
	coh_down_write(&cmd->root_lock);
	int r = 0;
	if (new_cache_size < cmd->cache_blocks) {
		bool clean;
		r = blocks_are_unmapped_or_clean(cmd, new_cache_size, cmd->cache_blocks, &clean);
		if (!r && !clean)
			r = -EINVAL; /* "unable to shrink cache due to dirty blocks" */
	}
	u64 null_mapping = pack_value(0, 0);
	if (!r)
		r = dm_array_resize(&cmd->info, cmd->root, cmd->cache_blocks, new_cache_size,
		                    &null_mapping, &cmd->root);
	if (!r) {
		for (dm_cblock_t i = new_cache_size; i < DM_CACHE_MAX_CBLOCKS; i++)
			cmd->core[i] = 0;
		cmd->cache_blocks = new_cache_size;
	}
	cmd->changed = true;
	coh_up_write(&cmd->root_lock);
	return r;
}

dm_cblock_t dm_cache_size(struct dm_cache_metadata *cmd)
{
	coh_down_read(&cmd->root_lock);
	dm_cblock_t n = cmd->cache_blocks;
	coh_up_read(&cmd->root_lock);
	return n;
}

struct thunk {
	load_mapping_fn fn;
	void *context;
	bool respect_dirty_flags;
};

/* __load_mapping (v3.9) */
static int __load_mapping(void *context, u64 cblock, void *leaf)
{
	struct thunk *thunk = context;
	u64 value;
	memcpy(&value, leaf, sizeof(value));
	u64 v = unpack_value(value);
	if (!(v & M_VALID))
		return 0;
	return thunk->fn(thunk->context, v >> 16, (dm_cblock_t)cblock,
	                 thunk->respect_dirty_flags ? (v & M_DIRTY) != 0 : true);
}

/* dm_cache_load_mappings -> __load_mappings (v3.9) */
int dm_cache_load_mappings(struct dm_cache_metadata *cmd, load_mapping_fn fn, void *context)
{
	coh_down_read(&cmd->root_lock);
	struct thunk thunk = {fn, context, cmd->clean_when_opened};
	int r = dm_array_walk(&cmd->info, cmd->root, __load_mapping, &thunk);
	coh_up_read(&cmd->root_lock);
	return r;
}

/* dm_cache_discard_bitset_resize (v3.9) */
int dm_cache_discard_bitset_resize(struct dm_cache_metadata *cmd, sector_t discard_block_size,
                                   dm_dblock_t new_nr_entries)
{
	if (new_nr_entries > 0xffffffffull)
		return -EINVAL;
	coh_down_write(&cmd->root_lock);
	int r = dm_bitset_resize(&cmd->discard_info, cmd->discard_root, (u32)cmd->discard_nr_blocks,
	                         (u32)new_nr_entries, false, &cmd->discard_root);
	if (!r) {
		cmd->discard_block_size = discard_block_size;
		cmd->discard_nr_blocks = new_nr_entries;
	}
	cmd->changed = true;
	coh_up_write(&cmd->root_lock);
	return r;
}

/* dm_cache_set_discard -> __discard (v3.9) */
int dm_cache_set_discard(struct dm_cache_metadata *cmd, dm_dblock_t dblock, bool discard)
{
	coh_down_write(&cmd->root_lock);
	int r = -EINVAL;
	if (dblock < cmd->discard_nr_blocks)
		r = discard ? dm_bitset_set_bit(&cmd->discard_info, cmd->discard_root, (u32)dblock,
		                                &cmd->discard_root)
		            : dm_bitset_clear_bit(&cmd->discard_info, cmd->discard_root,
		                                  (u32)dblock, &cmd->discard_root);
	cmd->changed = true;
	coh_up_write(&cmd->root_lock);
	return r;
}

/* dm_cache_load_discards -> __load_discards (v3.9) */
int dm_cache_load_discards(struct dm_cache_metadata *cmd, load_discard_fn fn, void *context)
{
	coh_down_read(&cmd->root_lock);
	int r = 0;
	for (dm_dblock_t b = 0; !r && b < cmd->discard_nr_blocks; b++) {
		bool discard;
		r = dm_bitset_test_bit(&cmd->discard_info, cmd->discard_root, (u32)b,
		                       &cmd->discard_root, &discard);
		if (!r)
			r = fn(context, cmd->discard_block_size, b, discard);
	}
	coh_up_read(&cmd->root_lock);
	return r;
}

/* dm_cache_commit (v3.9) */
int dm_cache_commit(struct dm_cache_metadata *cmd, bool clean_shutdown)
{
	coh_down_write(&cmd->root_lock);
	int r = __commit_transaction(cmd, clean_shutdown);
	if (!r)
		r = __begin_transaction(cmd);
	coh_up_write(&cmd->root_lock);
	return r;
}

u64 dm_cache_metadata_root(struct dm_cache_metadata *cmd)
{
	return cmd->root;
}

unsigned dm_cache_metadata_refcount(struct dm_cache_metadata *cmd)
{
	return (unsigned)cmd->ref_count;
}

bool dm_cache_metadata_clean_when_opened(struct dm_cache_metadata *cmd)
{
	return cmd->clean_when_opened;
}

struct dm_bufio_client *dm_cache_metadata_bufio(struct dm_cache_metadata *cmd)
{
	return dm_bm_bufio(cmd->bm);
}
