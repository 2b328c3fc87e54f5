/*
 * dm-cache-target.c - the `cache` target, after drivers/md/dm-cache-target.c
 * (v3.9-v4.0), reduced to what seed 5 needs.
 *
 * Table line: "start len cache <metadata dev> <cache dev> <origin dev>
 * <block size> <#features> [writeback] <policy> <#policy args> [policy args]"
 * - the kernel's syntax; writethrough is refused (not modelled: Linux
 * writes a clone to the origin as well); the policy is a simple one
 * whatever its name (see below) and its arguments are accepted and ignored.
 *
 * Interface: cache_ctr opens the metadata (dm_cache_metadata_open, which
 * formats an empty device), cache_dtr closes it. cache_preresume resizes
 * the metadata to the cache device and loads the mappings into core (once
 * per table). cache_postsuspend commits with the clean-shutdown flag
 * (sync_metadata). cache_status (INFO) commits unless suspended. A FLUSH
 * bio commits (Linux defers it to the worker, and commits every second as
 * well; the model commits when the FLUSH is mapped).
 *
 * The policy: a write covering a whole unmapped block promotes it into a
 * free cache block (or one freed by demoting the least recently used clean
 * block): the mapping is inserted, the block is dirty in core, and the
 * write goes to the cache device. A mapped block's I/O goes to the cache
 * device, anything else to the origin. Dirty bits reach the
 * metadata at the next commit (write_dirty_bitset). Dirty blocks are not
 * written back to the origin (no migration worker yet).
 *
 * Locking: cache->lock (a mutex) protects the in-core mapping.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cohsim/device-mapper.h"
#include "cohsim/dm-cache.h"
#include "kernel/kernel_impl.h"

#define CACHE_POOL 8
#define CACHE_MAX_BLOCK_SECTORS 128 /* the model's limit (Linux: 2^21) */
#define CACHE_IOS 64                /* writes to cache blocks in flight */

struct cache {
	bool used;
	struct dm_target *ti;
	struct block_device *metadata_dev, *cache_dev, *origin_dev;
	sector_t sectors_per_block;
	dm_cblock_t cache_size;
	struct dm_cache_metadata *cmd;
	coh_mutex lock;
	bool loaded_mappings;
	bool valid[DM_CACHE_MAX_CBLOCKS];
	bool dirty[DM_CACHE_MAX_CBLOCKS];
	bool dirty_changed[DM_CACHE_MAX_CBLOCKS];
	dm_oblock_t oblock[DM_CACHE_MAX_CBLOCKS];
	unsigned long last_used[DM_CACHE_MAX_CBLOCKS];
	unsigned long clock;
	unsigned promotions, demotions, commits;
};

static struct cache caches[CACHE_POOL];

/* A write remapped to a cache block, until it completes: the checker's
 * record of what the block holds (dm-cache-provenance.c) is made then.
 * Not Linux's: its per-bio data serves the migrations. */
static struct cache_io {
	bool used;
	struct cache *cache;
	sector_t sector, origin;
	unsigned nsect;
	bio_end_io_t *end_io;
	void *private;
} cache_ios[CACHE_IOS];

/* cache_ctr allocates from the pool, which kernel_init() resets. */
static struct cache *cache_alloc(void)
{
	for (unsigned i = 0; i < CACHE_POOL; i++)
		if (!caches[coh__pool_note(&coh__pools.caches, i)].used) {
			memset(&caches[i], 0, sizeof(caches[i]));
			caches[i].used = true;
			return &caches[i];
		}
	return NULL;
}

int coh__dm_cache_target_init(void)
{
	coh__pool_reset(caches, sizeof(caches[0]), &coh__pools.caches);
	coh__pool_reset(cache_ios, sizeof(cache_ios[0]), &coh__pools.cache_ios);
	return COH_OK;
}

static int parse_u64(const char *s, u64 *out)
{
	char *end;
	if (!*s || s[0] == '-')
		return -EINVAL;
	*out = strtoull(s, &end, 10);
	return *end ? -EINVAL : 0;
}

/* parse_cache_args + cache_create (v3.9) */
static int cache_ctr(struct dm_target *ti, unsigned argc, char **argv)
{
	if (argc < 7) {
		ti->error = "Insufficient args";
		return -EINVAL;
	}
	struct cache *cache = cache_alloc();
	if (!cache) {
		ti->error = "Error allocating cache";
		return -ENOMEM;
	}
	cache->ti = ti;
	coh_mutex_init(&cache->lock, "cache->lock");
	int r = -EINVAL;
	u64 bs, nf;
	if (dm_get_device(ti, argv[0], &cache->metadata_dev)) {
		ti->error = "Error opening metadata device";
	} else if (dm_get_device(ti, argv[1], &cache->cache_dev)) {
		ti->error = "Error opening cache device";
	} else if (dm_get_device(ti, argv[2], &cache->origin_dev)) {
		ti->error = "Error opening origin device";
	} else if (parse_u64(argv[3], &bs) || bs < 8 || (bs & 7) || bs > CACHE_MAX_BLOCK_SECTORS) {
		ti->error = "Invalid data block size";
	} else if (parse_u64(argv[4], &nf) || nf > 1 || (nf && strcmp(argv[5], "writeback"))) {
		/* writethrough is left out: the model has no clone to the origin */
		ti->error = "Invalid feature arguments";
	} else {
		cache->sectors_per_block = bs;
		sector_t cs = get_capacity(cache->cache_dev->bd_disk) / bs;
		cache->cache_size =
		    (dm_cblock_t)(cs < DM_CACHE_MAX_CBLOCKS ? cs : DM_CACHE_MAX_CBLOCKS);
		r = dm_cache_metadata_open(cache->metadata_dev, bs, true, 0, &cache->cmd);
		if (r)
			ti->error = "Error creating metadata object";
	}
	if (r) {
		cache->used = false;
		return r;
	}
	ti->private = cache;
	return 0;
}

/* cache_dtr -> destroy (v3.9) */
static void cache_dtr(struct dm_target *ti)
{
	struct cache *cache = ti->private;
	dm_cache_metadata_close(cache->cmd);
	cache->used = false;
}

static int issue_flush(struct block_device *bdev);

/* write_dirty_bitset + dm_cache_commit (sync_metadata, v3.9); with the
 * switch, the cache device is flushed first, as dm-thin's commit() flushes
 * the data device since 694cfe7f31db (2019). */
static int sync_metadata(struct cache *cache, bool clean_shutdown)
{
	int r = coh_fix(DM_CACHE_FLUSH_BEFORE_COMMIT_FIX) ? issue_flush(cache->cache_dev) : 0;
	coh_mutex_lock(&cache->lock);
	for (dm_cblock_t c = 0; c < cache->cache_size && !r; c++)
		if (cache->dirty_changed[c]) {
			r = dm_cache_set_dirty(cache->cmd, c, cache->dirty[c]);
			cache->dirty_changed[c] = false;
		}
	coh_mutex_unlock(&cache->lock);
	if (!r)
		r = dm_cache_commit(cache->cmd, clean_shutdown);
	cache->commits++;
	return r;
}

/* policy: a free cblock, or the LRU clean one demoted; -1 if none. */
static int alloc_cblock(struct cache *cache)
{
	int lru = -1;
	for (dm_cblock_t c = 0; c < cache->cache_size; c++) {
		if (!cache->valid[c])
			return (int)c;
		if (!cache->dirty[c] && (lru < 0 || cache->last_used[c] < cache->last_used[lru]))
			lru = (int)c;
	}
	if (lru >= 0 && dm_cache_remove_mapping(cache->cmd, (dm_cblock_t)lru) == 0) {
		cache->valid[lru] = false;
		cache->demotions++;
		return lru;
	}
	return -1;
}

static void set_dirty(struct cache *cache, dm_cblock_t c, bool dirty)
{
	if (cache->dirty[c] != dirty) {
		cache->dirty[c] = dirty;
		cache->dirty_changed[c] = true;
	}
}

static void remap_to_cache(struct cache *cache, struct bio *bio, dm_cblock_t c, sector_t off)
{
	bio->bi_bdev = cache->cache_dev;
	bio->bi_sector = (sector_t)c * cache->sectors_per_block + off;
}

struct flush_wait {
	coh_completion done;
	int error;
};

static void flush_endio(struct bio *bio, int error)
{
	struct flush_wait *w = bio->bi_private;
	w->error = error;
	bio_put(bio);
	coh_complete(&w->done);
}

/* An empty WRITE_FLUSH to bdev, waited for (one of the num_flush_bios
 * clones dm sends, remapped by process_flush_bio). */
static int issue_flush(struct block_device *bdev)
{
	struct flush_wait w;
	memset(&w, 0, sizeof(w));
	coh_init_completion(&w.done, "cache flush");
	struct bio *bio = bio_alloc(GFP_NOIO, 0);
	if (!bio)
		return -ENOMEM;
	bio->bi_bdev = bdev;
	bio->bi_end_io = flush_endio;
	bio->bi_private = &w;
	submit_bio(WRITE_FLUSH_FUA & ~REQ_FUA, bio);
	coh_wait_for_completion(&w.done);
	return w.error;
}

/* The end of a write to a cache block (no Linux counterpart: the checker's). */
static void cache_write_endio(struct bio *bio, int error)
{
	struct cache_io *io = bio->bi_private;
	if (!error)
		coh__dm_cache_prov_written(io->cache->cache_dev, io->sector, io->origin, io->nsect);
	bio->bi_end_io = io->end_io;
	bio->bi_private = io->private;
	io->used = false;
	if (bio->bi_end_io)
		bio->bi_end_io(bio, error);
}

static void track_write(struct cache *cache, struct bio *bio, sector_t origin)
{
	struct cache_io *io = NULL;
	for (unsigned i = 0; i < CACHE_IOS && !io; i++)
		if (!cache_ios[i].used)
			io = &cache_ios[coh__pool_note(&coh__pools.cache_ios, i)];
	if (!io) {
		BUG(); /* the model's bound */
		return;
	}
	*io = (struct cache_io){
	    true,           cache,          bio->bi_sector, origin, bio->bi_size >> SECTOR_SHIFT,
	    bio->bi_end_io, bio->bi_private};
	bio->bi_end_io = cache_write_endio;
	bio->bi_private = io;
}

/* cache_map -> process_bio (v3.9), synchronously */
static int cache_map(struct dm_target *ti, struct bio *bio)
{
	struct cache *cache = ti->private;
	if ((bio->bi_rw & REQ_FLUSH) && bio->bi_size == 0) {
		/* commit, then the flush goes on to the origin and the cache
		 * device (process_flush_bio, issued after the commit) */
		int r = sync_metadata(cache, false);
		int ro = issue_flush(cache->origin_dev), rc = issue_flush(cache->cache_dev);
		bio_endio(bio, r ? r : ro ? ro : rc);
		return DM_MAPIO_SUBMITTED;
	}
	sector_t s = bio->bi_sector - ti->begin;
	dm_oblock_t ob = s / cache->sectors_per_block;
	sector_t off = s % cache->sectors_per_block;
	bool write = bio_data_dir(bio) == WRITE;
	bool whole = off == 0 && bio->bi_size == cache->sectors_per_block << SECTOR_SHIFT;
	coh_mutex_lock(&cache->lock);
	int hit = -1;
	for (dm_cblock_t c = 0; c < cache->cache_size; c++)
		if (cache->valid[c] && cache->oblock[c] == ob)
			hit = (int)c;
	if (hit < 0 && write && whole) {
		hit = alloc_cblock(cache);
		if (hit >= 0 && dm_cache_insert_mapping(cache->cmd, (dm_cblock_t)hit, ob) == 0) {
			cache->valid[hit] = true;
			cache->oblock[hit] = ob;
			cache->dirty[hit] = false;
			cache->promotions++;
		} else {
			hit = -1;
		}
	}
	if (hit >= 0) {
		cache->last_used[hit] = ++cache->clock;
		if (write)
			set_dirty(cache, (dm_cblock_t)hit, true);
		remap_to_cache(cache, bio, (dm_cblock_t)hit, off);
		if (write)
			track_write(cache, bio, s);
	} else {
		bio->bi_bdev = cache->origin_dev;
		bio->bi_sector = s;
	}
	coh_mutex_unlock(&cache->lock);
	return DM_MAPIO_REMAPPED;
}

/* cache_postsuspend (v3.9) */
static void cache_postsuspend(struct dm_target *ti)
{
	(void)sync_metadata(ti->private, true);
}

static int load_mapping(void *context, dm_oblock_t oblock, dm_cblock_t cblock, bool dirty)
{
	struct cache *cache = context;
	if (cblock >= cache->cache_size)
		return -EINVAL;
	cache->valid[cblock] = true;
	cache->oblock[cblock] = oblock;
	cache->dirty[cblock] = dirty;
	/* the checker: the block must hold what was written for oblock */
	coh__dm_cache_prov_check(cache->cache_dev, cache->origin_dev, cblock, oblock,
	                         cache->sectors_per_block);
	return 0;
}

/* cache_preresume (v3.9): resize, then load the mappings once. */
static int cache_preresume(struct dm_target *ti)
{
	struct cache *cache = ti->private;
	int r = 0;
	if (dm_cache_size(cache->cmd) != cache->cache_size)
		r = dm_cache_resize(cache->cmd, cache->cache_size);
	if (!r && !cache->loaded_mappings) {
		r = dm_cache_load_mappings(cache->cmd, load_mapping, cache);
		cache->loaded_mappings = !r;
	}
	return r;
}

/* cache_status (v3.9): INFO commits first unless suspended. */
static void cache_status(struct dm_target *ti, status_type_t type, char *result, unsigned maxlen)
{
	struct cache *cache = ti->private;
	if (type == STATUSTYPE_TABLE) {
		snprintf(result, maxlen, "%s %s %s %llu 1 writeback default 0",
		         disk_name(cache->metadata_dev->bd_disk),
		         disk_name(cache->cache_dev->bd_disk),
		         disk_name(cache->origin_dev->bd_disk),
		         (unsigned long long)cache->sectors_per_block);
		return;
	}
	if (!dm_suspended(ti))
		(void)sync_metadata(cache, false);
	unsigned used = 0, dirty = 0;
	for (dm_cblock_t c = 0; c < cache->cache_size; c++) {
		used += cache->valid[c];
		dirty += cache->valid[c] && cache->dirty[c];
	}
	snprintf(result, maxlen, "%u/%u promotions %u demotions %u dirty %u", used,
	         cache->cache_size, cache->promotions, cache->demotions, dirty);
}

/* cache_message (v3.9): "<key> <value>" config values. */
static int cache_message(struct dm_target *ti, unsigned argc, char **argv)
{
	(void)ti;
	u64 v;
	if (argc != 2 || parse_u64(argv[1], &v))
		return -EINVAL;
	if (strcmp(argv[0], "migration_threshold") == 0 ||
	    strcmp(argv[0], "sequential_threshold") == 0)
		return 0;
	return -EINVAL;
}

struct target_type coh__cache_target = {
    .name = "cache",
    .ctr = cache_ctr,
    .dtr = cache_dtr,
    .map = cache_map,
    .postsuspend = cache_postsuspend,
    .preresume = cache_preresume,
    .status = cache_status,
    .message = cache_message,
};
