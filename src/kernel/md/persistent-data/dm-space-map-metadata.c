/*
 * dm-space-map-metadata.c - the metadata space map, after
 * drivers/md/persistent-data/dm-space-map-metadata.c (v3.9-v4.0).
 *
 * Interface: dm-space-map.h.
 *
 * Two sets of counts: ll (now) and old_ll (at the last commit). A new
 * block is the first one from the cursor `begin` that is free in old_ll
 * and now; the cursor only moves forward until the commit, so a block
 * freed in this transaction (still counted by the last commit) is never
 * reused before the next commit. Commit writes ll (sm_ll_commit) and makes
 * it old_ll.
 *
 * Linux's sm_metadata also buffers the changes the space map makes while
 * it updates its own bitmaps (recursion, uncommitted ops); the model's
 * counts live in core until the commit, so none is needed.
 */
#include <errno.h>
#include <string.h>

#include "kernel/kernel_impl.h"
#include "kernel/md/persistent-data/dm-transaction-manager.h"

struct dm_space_map {
	bool used;
	struct ll_disk ll, old_ll;
	dm_block_t begin;
	unsigned allocated_this_transaction;
};

#define SM_POOL 8
static struct dm_space_map sms[SM_POOL];

void coh__dm_sm_reset(void)
{
	coh__pool_reset(sms, sizeof(sms[0]), &coh__pools.sms);
}

/* dm_sm_metadata_init (v3.9). NULL when the pool is empty. */
struct dm_space_map *dm_sm_metadata_init(void)
{
	for (unsigned i = 0; i < SM_POOL; i++)
		if (!sms[coh__pool_note(&coh__pools.sms, i)].used) {
			memset(&sms[i], 0, sizeof(sms[i]));
			sms[i].used = true;
			return &sms[i];
		}
	return NULL;
}

/* sm_metadata_destroy (v3.9) */
void dm_sm_destroy(struct dm_space_map *sm)
{
	sm->used = false;
}

/* sm_metadata_get_nr_blocks (v3.9) */
int dm_sm_get_nr_blocks(struct dm_space_map *sm, dm_block_t *count)
{
	*count = sm->ll.nr_blocks;
	return 0;
}

/* sm_metadata_get_nr_free (v3.9) */
int dm_sm_get_nr_free(struct dm_space_map *sm, dm_block_t *count)
{
	*count = sm->old_ll.nr_blocks - sm->old_ll.nr_allocated - sm->allocated_this_transaction;
	return 0;
}

/* sm_metadata_get_count (v3.9) */
int dm_sm_get_count(struct dm_space_map *sm, dm_block_t b, u32 *result)
{
	if (b >= sm->ll.nr_blocks)
		return -EINVAL;
	*result = sm_ll_lookup(&sm->ll, b);
	return 0;
}

/* sm_metadata_count_is_more_than_one (v3.9) */
int dm_sm_count_is_more_than_one(struct dm_space_map *sm, dm_block_t b, int *result)
{
	u32 c;
	int r = dm_sm_get_count(sm, b, &c);
	if (!r)
		*result = c > 1;
	return r;
}

/* sm_metadata_inc_block (v3.9) */
int dm_sm_inc_block(struct dm_space_map *sm, dm_block_t b)
{
	return sm_ll_insert(&sm->ll, b, sm_ll_lookup(&sm->ll, b) + 1);
}

/* sm_metadata_dec_block (v3.9) */
int dm_sm_dec_block(struct dm_space_map *sm, dm_block_t b)
{
	u32 c = sm_ll_lookup(&sm->ll, b);
	if (!c)
		return -EINVAL; /* Linux: DMERR "unable to decrement a reference count below 0" */
	return sm_ll_insert(&sm->ll, b, c - 1);
}

/* sm_metadata_new_block -> sm_metadata_new_block_ (v3.9) */
int dm_sm_new_block(struct dm_space_map *sm, dm_block_t *b)
{
	dm_block_t nb = sm->begin;
	int r;
	do { /* free at the last commit, and not taken since */
		r = sm_ll_find_free_block(&sm->old_ll, nb, sm->old_ll.nr_blocks, &nb);
	} while (!r && sm_ll_lookup(&sm->ll, nb) && ++nb);
	if (r)
		return r;
	sm->begin = nb + 1;
	r = sm_ll_insert(&sm->ll, nb, 1);
	if (!r) {
		sm->allocated_this_transaction++;
		*b = nb;
	}
	return r;
}

/* sm_metadata_commit (v3.9) */
int dm_sm_commit(struct dm_space_map *sm)
{
	int r = sm_ll_commit(&sm->ll, &sm->old_ll);
	if (r)
		return r;
	memcpy(&sm->old_ll, &sm->ll, sizeof(sm->old_ll));
	sm->begin = 0;
	sm->allocated_this_transaction = 0;
	return 0;
}

/* sm_metadata_root_size (v3.9) */
int dm_sm_root_size(struct dm_space_map *sm, size_t *result)
{
	(void)sm;
	*result = SM_ROOT_SIZE;
	return 0;
}

/* sm_metadata_copy_root (v3.9) */
int dm_sm_copy_root(struct dm_space_map *sm, void *copy_to_here_le, size_t len)
{
	if (len < SM_ROOT_SIZE)
		return -ENOSPC;
	sm_ll_copy_root(&sm->ll, copy_to_here_le);
	return 0;
}

u32 dm_sm_committed_count(struct dm_space_map *sm, dm_block_t b)
{
	return sm_ll_lookup(&sm->old_ll, b);
}

/* dm_sm_metadata_create (v3.9): every block free but the superblock, then
 * a commit that makes the index and bitmaps. */
int dm_sm_metadata_create(struct dm_space_map *sm, struct dm_transaction_manager *tm,
                          dm_block_t nr_blocks, dm_block_t superblock)
{
	int r = sm_ll_new_metadata(&sm->ll, tm);
	if (!r)
		r = sm_ll_extend(&sm->ll, nr_blocks);
	if (!r)
		r = sm_ll_insert(&sm->ll, superblock, 1);
	if (r)
		return r;
	memcpy(&sm->old_ll, &sm->ll, sizeof(sm->old_ll));
	sm->begin = 0;
	return dm_sm_commit(sm);
}

/* dm_sm_metadata_open (v3.9) */
int dm_sm_metadata_open(struct dm_space_map *sm, struct dm_transaction_manager *tm,
                        const void *root_le, size_t len)
{
	int r = sm_ll_open_metadata(&sm->ll, tm, root_le, len);
	if (r)
		return r;
	memcpy(&sm->old_ll, &sm->ll, sizeof(sm->old_ll));
	sm->begin = 0;
	sm->allocated_this_transaction = 0;
	return 0;
}
