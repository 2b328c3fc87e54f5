/*
 * dm_cache_block_size.c - dm-cache metadata opened with another data block
 * size than it was written with: the check "Verify the data block size
 * hasn't changed" that __open_metadata has in later dm-cache, and that
 * dm-era got in 2021 ("dm era: Verify the data block size hasn't changed",
 * Nikos Tsironis; hash not confirmed). The v3.9-era dm-cache open lacks it:
 * the superblock's block size silently replaces the one the table asked
 * for. Seed 5's patch (9b1cc9f251af) refuses the change as a side effect:
 * its same_params compares the table's size with the object's, which
 * read_superblock_fields took from the disk; so the buggy variant is the
 * code before both (v3.9-v3.19), and the fixed one has the check alone.
 *
 * Devices: md (metadata, 16 blocks of 4 KiB), cd (cache, 4 blocks of 8
 * sectors), od (origin, 32 blocks). One task, lvm: create cache0 with 8
 * sectors a block, write origin block 1 (sectors 8-15) with 0x11 (a
 * promotion into cache block 0), remove the device (postsuspend commits,
 * clean shutdown), then create it again with 16 sectors a block (an
 * lvconvert that changes the chunk size of a cached volume).
 *
 * Without the check the second table opens the metadata and its
 * preresume loads cblock 0 -> oblock 1, which now means origin sectors
 * 16-31 kept in cache sectors 0-15: the checker
 * (md/dm-cache-provenance.c) finds cache sector 0 holding bytes written
 * for origin sector 8: a stale-read (a read of sector 16 through the cache
 * returns sector 8's bytes). With dm-cache-check-block-size the open fails
 * with -EINVAL and the create is refused: clean (so it is with
 * dm-cache-shared-metadata alone). Nothing here checks data.
 */
#include <errno.h>

#include "scenarios/dm_scn.h"

#define TABLE8 "0 256 cache md cd od 8 1 writeback default 0"
#define TABLE16 "0 256 cache md cd od 16 1 writeback default 0"
#define BLOCK_SECTORS 8

struct block_size {
	int err, second;
};

static void lvm_task(void *arg)
{
	struct block_size *st = arg;
	struct mapped_device *md;
	char err[96];
	if (dm_scn_create("cache0", TABLE8, &md, err, sizeof(err)) ||
	    dm_scn_write(md, 1 * BLOCK_SECTORS, 0x11)) {
		st->err = -EIO;
		return;
	}
	dm_dev_remove(md);
	st->second = dm_scn_create("cache0", TABLE16, &md, err, sizeof(err));
	if (!st->second)
		dm_dev_remove(md);
}

static int setup(coh_sched *s, void *state)
{
	struct block_size *st = state;
	struct gendisk *md, *cd, *od;
	int r = dm_scn_add_cache_disks(32 * BLOCK_SECTORS, &md, &cd, &od);
	if (r)
		return r;
	return coh_task_create(s, "lvm", 0, lvm_task, st) ? COH_OK : COH_EINVAL;
}

#define ROW(v, a, e, complete)                                                                     \
	{                                                                                          \
		v, a, e, COH_STRATEGY_DFS, 0, 0, complete, false                                   \
	}

const coh_scenario coh_scenario_dm_cache_block_size = {
    .name = "dm-cache-block-size",
    .description = "a dm-cache device re-created with another block size: its metadata must "
                   "be refused, not read back with the new size",
    .models = "__open_metadata's 'Verify the data block size hasn't changed' (later dm-cache; "
              "dm era got it in 2021, hash not confirmed), missing from v3.9-era dm-cache",
    .default_arch = "cortex-a9",
    .ncpus = 1,
    .fixes = {{DM_CACHE_CHECK_BLOCK_SIZE_FIX,
               "opening metadata written with another data block size fails (-EINVAL)"},
              {DM_CACHE_SHARED_METADATA_FIX, "one metadata object per metadata device (seed 5)"}},
    .variants = {{"buggy", {NULL}}, {"fixed", {DM_CACHE_CHECK_BLOCK_SIZE_FIX, NULL}}},
    .state_size = sizeof(struct block_size),
    .setup = setup,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 0,
    .budget = 0,
    .demo =
        {
            ROW("buggy", "cortex-a9", "stale-read", false),
            ROW("buggy", "mips-r4k", "stale-read", false),
            ROW("fixed", "cortex-a9", "clean", true),
            ROW("fixed", "x86", "clean", true),
        },
};
