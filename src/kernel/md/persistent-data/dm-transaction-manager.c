/*
 * dm-transaction-manager.c - persistent-data's transaction manager, after
 * drivers/md/persistent-data/dm-transaction-manager.c (v3.9-v4.0).
 *
 * Interface: dm-transaction-manager.h.
 *
 * Invariants:
 * - the shadow set holds every block made or shadowed in this
 *   transaction (Linux: a hash table; here a bitmap of block numbers); it
 *   is wiped at dm_tm_commit;
 * - dm_tm_shadow_block copies a block unless it is in the set and has one
 *   reference; a copy takes a new block from the space map and drops a
 *   reference to the original, whose contents stay as the last commit
 *   wrote them. *inc_children says the original was shared (count > 1),
 *   so the caller must take a reference for each block it points at.
 * - no clones (Linux's non-blocking tm for lookups): the model's readers
 *   hold the metadata's root_lock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_impl.h"
#include "kernel/md/persistent-data/dm-transaction-manager.h"

struct dm_transaction_manager {
	bool used;
	bool pre_commit_flush;
	struct dm_block_manager *bm;
	struct dm_space_map *sm;
	u64 shadows[SM_LL_MAX_BLOCKS / 64];
};

#define TM_POOL 8
static struct dm_transaction_manager tms[TM_POOL];

void coh__dm_tm_reset(void)
{
	coh__pool_reset(tms, sizeof(tms[0]), &coh__pools.tms);
}

/* is_shadow (v3.9) */
bool dm_tm_is_shadow(struct dm_transaction_manager *tm, dm_block_t b)
{
	return b < SM_LL_MAX_BLOCKS && (tm->shadows[b / 64] >> (b % 64) & 1);
}

/* insert_shadow (v3.9) */
static void insert_shadow(struct dm_transaction_manager *tm, dm_block_t b)
{
	if (b < SM_LL_MAX_BLOCKS)
		tm->shadows[b / 64] |= 1ull << (b % 64);
}

/* wipe_shadow_table (v3.9) */
static void wipe_shadow_table(struct dm_transaction_manager *tm)
{
	memset(tm->shadows, 0, sizeof(tm->shadows));
}

/* dm_tm_create (v3.9) */
static struct dm_transaction_manager *dm_tm_create(struct dm_block_manager *bm,
                                                   struct dm_space_map *sm)
{
	for (unsigned i = 0; i < TM_POOL; i++)
		if (!tms[coh__pool_note(&coh__pools.tms, i)].used) {
			memset(&tms[i], 0, sizeof(tms[i]));
			tms[i].used = true;
			tms[i].bm = bm;
			tms[i].sm = sm;
			tms[i].pre_commit_flush = true;
			return &tms[i];
		}
	return NULL;
}

/* dm_tm_destroy (v3.9) */
void dm_tm_destroy(struct dm_transaction_manager *tm)
{
	tm->used = false;
}

/* dm_tm_create_internal (v3.9): create (a new space map on an empty
 * device, its index and bitmaps written at once) or open. */
static int dm_tm_create_internal(struct dm_block_manager *bm, dm_block_t sb_location,
                                 struct dm_transaction_manager **tm, struct dm_space_map **sm,
                                 int create, const void *sm_root, size_t sm_len)
{
	*sm = dm_sm_metadata_init();
	if (!*sm)
		return -ENOMEM;
	*tm = dm_tm_create(bm, *sm);
	if (!*tm) {
		dm_sm_destroy(*sm);
		return -ENOMEM;
	}
	int r;
	if (create) {
		dm_block_t n = dm_bm_nr_blocks(bm);
		r = dm_sm_metadata_create(*sm, *tm, n < SM_LL_MAX_BLOCKS ? n : SM_LL_MAX_BLOCKS,
		                          sb_location);
	} else {
		r = dm_sm_metadata_open(*sm, *tm, sm_root, sm_len);
	}
	if (r) {
		dm_tm_destroy(*tm);
		dm_sm_destroy(*sm);
	}
	return r;
}

/* dm_tm_create_with_sm (v3.9) */
int dm_tm_create_with_sm(struct dm_block_manager *bm, dm_block_t sb_location,
                         struct dm_transaction_manager **tm, struct dm_space_map **sm)
{
	return dm_tm_create_internal(bm, sb_location, tm, sm, 1, NULL, 0);
}

/* dm_tm_open_with_sm (v3.9) */
int dm_tm_open_with_sm(struct dm_block_manager *bm, dm_block_t sb_location, const void *sm_root,
                       size_t root_len, struct dm_transaction_manager **tm,
                       struct dm_space_map **sm)
{
	return dm_tm_create_internal(bm, sb_location, tm, sm, 0, sm_root, root_len);
}

/* dm_tm_pre_commit (v4.0): the space map commits, every dirty block but
 * the superblock (not locked, so not dirty) is written and flushed. */
int dm_tm_pre_commit(struct dm_transaction_manager *tm)
{
	int r = dm_sm_commit(tm->sm);
	if (r < 0)
		return r;
	return tm->pre_commit_flush ? dm_bm_flush(tm->bm) : 0;
}

/* dm_tm_commit (v4.0): the superblock, written last. */
int dm_tm_commit(struct dm_transaction_manager *tm, struct dm_block *root)
{
	wipe_shadow_table(tm);
	dm_bm_unlock(root);
	return dm_bm_flush(tm->bm);
}

/* dm_tm_new_block (v3.9): a new block, zeroed, write-locked, in the set. */
int dm_tm_new_block(struct dm_transaction_manager *tm, const struct dm_block_validator *v,
                    struct dm_block **result)
{
	dm_block_t new_block;
	int r = dm_sm_new_block(tm->sm, &new_block);
	if (r < 0)
		return r;
	r = dm_bm_write_lock_zero(tm->bm, new_block, v, result);
	if (r < 0) {
		dm_sm_dec_block(tm->sm, new_block);
		return r;
	}
	insert_shadow(tm, new_block);
	return 0;
}

/* __shadow_block (v3.9) */
static int __shadow_block(struct dm_transaction_manager *tm, dm_block_t orig,
                          const struct dm_block_validator *v, struct dm_block **result)
{
	dm_block_t new;
	struct dm_block *orig_block;
	int r = dm_sm_new_block(tm->sm, &new);
	if (r < 0)
		return r;
	r = dm_sm_dec_block(tm->sm, orig);
	if (r < 0)
		return r;
	r = dm_bm_read_lock(tm->bm, orig, v, &orig_block);
	if (r < 0)
		return r;
	/* Linux reads the original before it zeroes the new block */
	r = dm_bm_write_lock_zero(tm->bm, new, v, result);
	if (r) {
		dm_bm_unlock(orig_block);
		return r;
	}
	unsigned bs = dm_bm_block_size(tm->bm);
	u8 *buf = malloc(bs);
	BUG_ON(!buf);
	KSITE();
	sim_memcpy_from(buf, dm_block_data(orig_block), bs);
	sim_memcpy_to(dm_block_data(*result), buf, bs);
	free(buf);
	dm_bm_unlock(orig_block);
	return 0;
}

/* dm_tm_shadow_block (v3.9) */
int dm_tm_shadow_block(struct dm_transaction_manager *tm, dm_block_t orig,
                       const struct dm_block_validator *v, struct dm_block **result,
                       int *inc_children)
{
	int r = dm_sm_count_is_more_than_one(tm->sm, orig, inc_children);
	if (r < 0)
		return r;
	if (dm_tm_is_shadow(tm, orig) && !*inc_children)
		return dm_bm_write_lock(tm->bm, orig, v, result);
	r = __shadow_block(tm, orig, v, result);
	if (r < 0)
		return r;
	insert_shadow(tm, dm_block_location(*result));
	return 0;
}

/* dm_tm_read_lock (v3.9) */
int dm_tm_read_lock(struct dm_transaction_manager *tm, dm_block_t b,
                    const struct dm_block_validator *v, struct dm_block **result)
{
	return dm_bm_read_lock(tm->bm, b, v, result);
}

/* dm_tm_unlock (v3.9) */
int dm_tm_unlock(struct dm_transaction_manager *tm, struct dm_block *b)
{
	(void)tm;
	return dm_bm_unlock(b);
}

/* dm_tm_inc (v3.9) */
void dm_tm_inc(struct dm_transaction_manager *tm, dm_block_t b)
{
	dm_sm_inc_block(tm->sm, b);
}

/* dm_tm_dec (v3.9) */
void dm_tm_dec(struct dm_transaction_manager *tm, dm_block_t b)
{
	dm_sm_dec_block(tm->sm, b);
}

struct dm_block_manager *dm_tm_get_bm(struct dm_transaction_manager *tm)
{
	return tm->bm;
}

struct dm_space_map *dm_tm_get_sm(struct dm_transaction_manager *tm)
{
	return tm->sm;
}

void dm_tm_set_pre_commit_flush(struct dm_transaction_manager *tm, bool flush)
{
	tm->pre_commit_flush = flush;
}
