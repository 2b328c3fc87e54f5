/*
 * dm-space-map-common.c - the reference counts of the metadata space map
 * and their disk format, after drivers/md/persistent-data/
 * dm-space-map-common.c (v3.9-v4.0; sm_ll_*, metadata_ll_*).
 *
 * Interface: dm-space-map-common.h.
 *
 * Disk format (as Linux's): the space map's root (struct disk_sm_root, in
 * the superblock) = nr_blocks, nr_allocated, bitmap_root (the index
 * block), ref_count_root (0: no overflow btree). The index block
 * (disk_metadata_index, validator "index") = csum, padding, blocknr, then
 * per bitmap an entry {blocknr, nr_free, none_free_before}. A bitmap block
 * (validator "sm_bitmap") = csum, not_used, blocknr, then 2 bits per block,
 * 32 per little-endian u64 word, high bit first.
 *
 * Invariants: counts[] holds the count of every block in core; the disk
 * holds them as of the last commit. A commit shadows the index and the
 * bitmaps whose counts changed, so the blocks of the last commit's space
 * map are never overwritten.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel_impl.h"
#include "kernel/md/persistent-data/dm-transaction-manager.h"

#define INDEX_CSUM_XOR 160478
#define BITMAP_CSUM_XOR 240779
#define HDR 16 /* disk_bitmap_header / disk_metadata_index header */
#define IE 16  /* struct disk_index_entry */

/* index_prepare_for_write / index_check (v3.9) */
static void index_prepare_for_write(const struct dm_block_validator *v, struct dm_block *b,
                                    size_t block_size)
{
	(void)v;
	dm_bm_prepare_csum(b, block_size, 8, INDEX_CSUM_XOR);
}

static int index_check(const struct dm_block_validator *v, struct dm_block *b, size_t block_size)
{
	return dm_bm_check_csum(b, block_size, 8, INDEX_CSUM_XOR, v->name);
}

static const struct dm_block_validator index_validator = {
    .name = "index", .prepare_for_write = index_prepare_for_write, .check = index_check};

/* bitmap_prepare_for_write / bitmap_check (v3.9) */
static void bitmap_prepare_for_write(const struct dm_block_validator *v, struct dm_block *b,
                                     size_t block_size)
{
	(void)v;
	dm_bm_prepare_csum(b, block_size, 8, BITMAP_CSUM_XOR);
}

static int bitmap_check(const struct dm_block_validator *v, struct dm_block *b, size_t block_size)
{
	return dm_bm_check_csum(b, block_size, 8, BITMAP_CSUM_XOR, v->name);
}

const struct dm_block_validator dm_sm_bitmap_validator = {
    .name = "sm_bitmap", .prepare_for_write = bitmap_prepare_for_write, .check = bitmap_check};

/* ll->entries_per_block (sm_ll_init, v3.9): 4 entries a byte after the header */
unsigned sm_ll_entries_per_block(const struct ll_disk *ll)
{
	return (dm_bm_block_size(dm_tm_get_bm(ll->tm)) - HDR) * 4;
}

/* sm_ll_new_metadata (v3.9) */
int sm_ll_new_metadata(struct ll_disk *ll, struct dm_transaction_manager *tm)
{
	memset(ll, 0, sizeof(*ll));
	ll->tm = tm;
	return 0;
}

/* sm_ll_extend (v3.9): more blocks, all free; their bitmaps are made at
 * the next commit. */
int sm_ll_extend(struct ll_disk *ll, dm_block_t extra_blocks)
{
	dm_block_t nr = ll->nr_blocks + extra_blocks;
	unsigned epb = sm_ll_entries_per_block(ll);
	if (nr > SM_LL_MAX_BLOCKS || (nr + epb - 1) / epb > SM_MAX_BITMAPS)
		return -ENOSPC; /* the model's bound; Linux: DM_SM_METADATA_MAX_BLOCKS */
	ll->nr_blocks = nr;
	return 0;
}

/* sm_ll_lookup (v3.9), from the counts in core */
u32 sm_ll_lookup(const struct ll_disk *ll, dm_block_t b)
{
	return b < ll->nr_blocks ? ll->counts[b] : 0;
}

/* sm_ll_insert (v3.9): counts above 2 would go to the overflow btree,
 * which the model does not have. */
int sm_ll_insert(struct ll_disk *ll, dm_block_t b, u32 ref_count)
{
	if (b >= ll->nr_blocks || ref_count > 2)
		return -EINVAL;
	if (!ll->counts[b] && ref_count)
		ll->nr_allocated++;
	else if (ll->counts[b] && !ref_count)
		ll->nr_allocated--;
	ll->counts[b] = (u8)ref_count;
	return 0;
}

/* sm_ll_find_free_block (v3.9): the first block in [begin, end) whose
 * count is 0; -ENOSPC if none. */
int sm_ll_find_free_block(const struct ll_disk *ll, dm_block_t begin, dm_block_t end,
                          dm_block_t *result)
{
	for (dm_block_t b = begin; b < end && b < ll->nr_blocks; b++)
		if (!ll->counts[b]) {
			*result = b;
			return 0;
		}
	return -ENOSPC;
}

static bool range_changed(const struct ll_disk *ll, const struct ll_disk *old, unsigned i)
{
	unsigned epb = sm_ll_entries_per_block(ll);
	dm_block_t lo = (dm_block_t)i * epb, hi = lo + epb;
	if (hi > ll->nr_blocks)
		hi = ll->nr_blocks;
	return i >= old->nr_bitmaps || memcmp(ll->counts + lo, old->counts + lo, hi - lo) != 0;
}

/* A new or shadowed block for the index or bitmap i (-1: the index); its
 * location is recorded, it stays write-locked. */
static int shadow_or_new(struct ll_disk *ll, long i, struct dm_block **b)
{
	const struct dm_block_validator *v = i < 0 ? &index_validator : &dm_sm_bitmap_validator;
	dm_block_t *loc = i < 0 ? &ll->bitmap_root : &ll->bitmaps[i];
	int inc, r;
	if (*loc)
		r = dm_tm_shadow_block(ll->tm, *loc, v, b, &inc);
	else
		r = dm_tm_new_block(ll->tm, v, b);
	if (!r)
		*loc = dm_block_location(*b);
	return r;
}

static void write_bitmap(const struct ll_disk *ll, unsigned i, struct dm_block *b, u8 *buf,
                         size_t bs)
{
	unsigned epb = sm_ll_entries_per_block(ll);
	memset(buf, 0, bs);
	for (unsigned e = 0; e < epb && (dm_block_t)i * epb + e < ll->nr_blocks; e++) {
		unsigned c = ll->counts[(dm_block_t)i * epb + e];
		u8 *w = buf + HDR + 8 * (e / 32); /* sm_set_bitmap: bit 2e' = high */
		unsigned bit = 2 * (e % 32);
		if (c & 2)
			w[bit / 8] |= (u8)(1u << (bit % 8));
		if (c & 1)
			w[(bit + 1) / 8] |= (u8)(1u << ((bit + 1) % 8));
	}
	KSITE();
	sim_memcpy_to(simptr_add(dm_block_data(b), HDR), buf + HDR, bs - HDR);
}

/* sm_ll_commit -> metadata_ll_commit (v3.9), with the bitmaps written here
 * (Linux wrote them as the counts changed). */
int sm_ll_commit(struct ll_disk *ll, const struct ll_disk *old)
{
	unsigned epb = sm_ll_entries_per_block(ll);
	unsigned n = (unsigned)((ll->nr_blocks + epb - 1) / epb);
	struct dm_block *index, *bm[SM_MAX_BITMAPS] = {0};
	int r = shadow_or_new(ll, -1, &index);
	if (r)
		return r;
	/* Shadowing changes counts: repeat until no bitmap is left to do. */
	for (bool again = true; !r && again;) {
		again = false;
		for (unsigned i = 0; !r && i < n; i++)
			if (!bm[i] && (range_changed(ll, old, i) || !ll->bitmaps[i])) {
				r = shadow_or_new(ll, i, &bm[i]);
				again = true;
			}
	}
	ll->nr_bitmaps = n;
	size_t bs = dm_bm_block_size(dm_tm_get_bm(ll->tm));
	u8 *buf = malloc(bs);
	BUG_ON(!buf);
	for (unsigned i = 0; i < n; i++)
		if (bm[i]) {
			if (!r)
				write_bitmap(ll, i, bm[i], buf, bs);
			dm_tm_unlock(ll->tm, bm[i]);
		}
	if (!r) {
		memset(buf, 0, bs);
		for (unsigned i = 0; i < n; i++) {
			u8 *ie = buf + HDR + IE * i;
			dm_block_t lo = (dm_block_t)i * epb, hi = lo + epb, nr_free = 0, nfb = hi;
			if (hi > ll->nr_blocks)
				hi = ll->nr_blocks;
			for (dm_block_t b = hi; b-- > lo;)
				if (!ll->counts[b]) {
					nr_free++;
					nfb = b;
				}
			coh__put_le(ie, ll->bitmaps[i], 8);
			coh__put_le(ie + 8, nr_free, 4);
			coh__put_le(ie + 12, nfb - lo, 4);
		}
		KSITE();
		sim_memcpy_to(simptr_add(dm_block_data(index), HDR), buf + HDR, bs - HDR);
	}
	free(buf);
	dm_tm_unlock(ll->tm, index);
	return r;
}

/* sm_ll_open_metadata (v3.9), and the counts read into core */
int sm_ll_open_metadata(struct ll_disk *ll, struct dm_transaction_manager *tm, const void *root_le,
                        size_t len)
{
	if (len < SM_ROOT_SIZE)
		return -ENOMEM; /* "sm_metadata root too small" */
	memset(ll, 0, sizeof(*ll));
	ll->tm = tm;
	const u8 *root = root_le;
	ll->nr_blocks = coh__get_le(root, 8);
	ll->nr_allocated = coh__get_le(root + 8, 8);
	ll->bitmap_root = coh__get_le(root + 16, 8);
	unsigned epb = sm_ll_entries_per_block(ll);
	ll->nr_bitmaps = (unsigned)((ll->nr_blocks + epb - 1) / epb);
	if (ll->nr_blocks > SM_LL_MAX_BLOCKS || ll->nr_bitmaps > SM_MAX_BITMAPS ||
	    !ll->bitmap_root || coh__get_le(root + 24, 8))
		return -EINVAL;
	size_t bs = dm_bm_block_size(dm_tm_get_bm(tm));
	u8 *buf = malloc(bs);
	BUG_ON(!buf);
	struct dm_block *b;
	int r = dm_tm_read_lock(tm, ll->bitmap_root, &index_validator, &b);
	if (!r) {
		KSITE();
		sim_memcpy_from(buf, dm_block_data(b), bs);
		dm_tm_unlock(tm, b);
		for (unsigned i = 0; i < ll->nr_bitmaps; i++)
			ll->bitmaps[i] = coh__get_le(buf + HDR + IE * i, 8);
	}
	dm_block_t allocated = 0;
	for (unsigned i = 0; !r && i < ll->nr_bitmaps; i++) {
		r = dm_tm_read_lock(tm, ll->bitmaps[i], &dm_sm_bitmap_validator, &b);
		if (r)
			break;
		KSITE();
		sim_memcpy_from(buf, dm_block_data(b), bs);
		dm_tm_unlock(tm, b);
		for (unsigned e = 0; e < epb && (dm_block_t)i * epb + e < ll->nr_blocks; e++) {
			const u8 *w = buf + HDR + 8 * (e / 32);
			unsigned bit = 2 * (e % 32);
			u8 c = (u8)(((w[bit / 8] >> (bit % 8)) & 1) << 1 |
			            ((w[(bit + 1) / 8] >> ((bit + 1) % 8)) & 1));
			if (c == 3)
				r = -EINVAL; /* an overflow count: no ref count btree */
			ll->counts[(dm_block_t)i * epb + e] = c;
			allocated += c != 0;
		}
	}
	free(buf);
	if (!r && allocated != ll->nr_allocated)
		r = -EINVAL;
	return r;
}

/* sm_ll_copy_root -> metadata_ll_save / sm_metadata_copy_root (v3.9) */
void sm_ll_copy_root(const struct ll_disk *ll, u8 root_le[SM_ROOT_SIZE])
{
	coh__put_le(root_le, ll->nr_blocks, 8);
	coh__put_le(root_le + 8, ll->nr_allocated, 8);
	coh__put_le(root_le + 16, ll->bitmap_root, 8);
	coh__put_le(root_le + 24, 0, 8);
}
