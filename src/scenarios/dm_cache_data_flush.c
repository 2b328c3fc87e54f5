/*
 * dm_cache_data_flush.c - a dm-cache commit that makes a mapping durable
 * before the data it maps: the rule of "dm thin: Flush data device before
 * committing metadata" (694cfe7f31db, 2019), in dm-cache's terms.
 *
 * Devices: md (metadata, 16 blocks of 4 KiB), cd (cache, 4 blocks), od
 * (origin, 32 blocks, block 0 already holding 0xaa: a file system's data).
 * One task, an administrator and a power switch: create cache0 ("0 256
 * cache md cd od 8 1 writeback default 0"), write block 0 with 0x11 (a
 * promotion: the data goes to cache block 0, acknowledged but not yet
 * durable), arm the power cut, FLUSH (a commit: the explorer may cut the
 * power before any device write or flush of it, and chooses which
 * unflushed writes survive), cut the power if it is still on, restart and
 * create cache0 again. Its preresume loads the mappings; the checker
 * (md/dm-cache-provenance.c) asks of every mapped cache block whether it
 * holds bytes written there for the origin block it maps.
 *
 * v3.9-v4.0 dm-cache commits first and sends the FLUSH on to the cache
 * device after (do_worker: commit_if_needed, then
 * process_deferred_flush_bios). A cut between the two keeps the mapping
 * cblock 0 -> oblock 0 (dirty) and loses the data it points at: a read of
 * block 0 returns cache block 0's older bytes (here zeroes) instead of
 * 0x11 or the origin's 0xaa: a stale-read. With the switch
 * dm-cache-flush-before-commit every commit flushes the cache device first
 * (as dm-thin's commit() does since that fix): clean. We found no
 * dm-cache commit for this; the switch carries the dm-thin rule.
 * Nothing here checks data: every finding is the checker's.
 */
#include <errno.h>
#include <string.h>

#include "scenarios/dm_scn.h"

#define TABLE "0 256 cache md cd od 8 1 writeback default 0"
#define BLOCK_SECTORS 8

struct data_flush {
	int err;
};

static void admin_task(void *arg)
{
	struct data_flush *st = arg;
	struct mapped_device *md;
	char err[96];
	if (dm_scn_create("cache0", TABLE, &md, err, sizeof(err)) || dm_scn_write(md, 0, 0x11)) {
		st->err = -EIO;
		return;
	}
	coh_power_cut_arm(true);
	(void)dm_scn_io(md, NULL, WRITE | REQ_FLUSH, NULL, 0, 0); /* the commit; may fail */
	coh_power_cut();
	if (coh_dm_reboot()) {
		st->err = -EBUSY;
		return;
	}
	coh_power_restore();
	if (dm_scn_create("cache0", TABLE, &md, err, sizeof(err)) == 0) /* loads the mappings */
		dm_dev_remove(md);
}

static int setup(coh_sched *s, void *state)
{
	struct data_flush *st = state;
	struct gendisk *md, *cd, *od;
	int r = dm_scn_add_cache_disks(32 * BLOCK_SECTORS, &md, &cd, &od);
	if (r)
		return r;
	unsigned char block[BLOCK_SECTORS << SECTOR_SHIFT];
	memset(block, 0xaa, sizeof(block));
	r = disk_backend_write(od, 0, block, sizeof(block)); /* the origin's data */
	if (r)
		return r;
	return coh_task_create(s, "admin", 0, admin_task, st) ? COH_OK : COH_EINVAL;
}

#define ROW(v, a, e, complete)                                                                     \
	{                                                                                          \
		v, a, e, COH_STRATEGY_DFS, 0, 0, complete, false                                   \
	}

const coh_scenario coh_scenario_dm_cache_data_flush = {
    .name = "dm-cache-data-flush",
    .description = "a power cut during a dm-cache commit: the restarted cache must not map a "
                   "block to data the cut lost",
    .models = "dm thin: Flush data device before committing metadata (694cfe7f31db, 2019), "
              "its rule applied to v3.9-v4.0 dm-cache, which commits before it flushes the "
              "cache device (no dm-cache commit found)",
    .default_arch = "cortex-a9",
    .ncpus = 1,
    .fixes = {{DM_CACHE_FLUSH_BEFORE_COMMIT_FIX,
               "every commit flushes the cache device first (the dm-thin fix's rule)"},
              {DM_CACHE_SHARED_METADATA_FIX, "one metadata object per metadata device (seed 5)"},
              {DM_CACHE_SUPERBLOCK_LAST_FIX, "the superblock after the blocks it points at"}},
    .variants = {{"buggy", {DM_CACHE_SHARED_METADATA_FIX, DM_CACHE_SUPERBLOCK_LAST_FIX, NULL}},
                 {"fixed",
                  {DM_CACHE_SHARED_METADATA_FIX, DM_CACHE_SUPERBLOCK_LAST_FIX,
                   DM_CACHE_FLUSH_BEFORE_COMMIT_FIX, NULL}}},
    .state_size = sizeof(struct data_flush),
    .setup = setup,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 0,
    .budget = 0,
    .demo =
        {
            ROW("buggy", "cortex-a9", "stale-read", false),
            ROW("buggy", "xscale", "stale-read", false),
            ROW("fixed", "cortex-a9", "clean", true),
            ROW("fixed", "x86", "clean", true),
        },
};
