/*
 * dm_cache_power_cut.c - crash consistency of a dm-cache metadata commit:
 * a power cut at every device write and flush of one commit.
 *
 * Devices: md (metadata, 16 blocks of 4 KiB), cd (cache, 4 blocks), od
 * (origin, 32 blocks); the table "0 256 cache md cd od 8 1 writeback
 * default 0" on cache0. One task, as an administrator and a power switch:
 * create the device, write a block (a promotion) and FLUSH it (commit 1:
 * acknowledged), write a second block and flush its data on the cache
 * device, arm the power cut, FLUSH again (commit 2: the explorer may cut
 * the power before any write or flush of it, and chooses which unflushed
 * writes survive), cut the power if it is still on, restart, and create
 * the device again: the metadata it opens must be commit 1 or commit 2
 * (the ledger of dm-cache-recovery.c reports anything else as a
 * lost-durable-write).
 *
 * The switch "dm-cache-superblock-last" is a synthetic check, not a
 * historical patch: on (Linux's order, dm_bm_flush_and_unlock) a commit
 * writes its blocks and flushes before it writes the superblock; off, the
 * superblock goes out with them under one flush, and a cut that keeps the
 * superblock but loses blocks it points at loses commit 1 (the mapping
 * root fails its checksum when the metadata is opened again).
 */
#include <errno.h>

#include "cohsim/scenario.h"
#include "scenarios/dm_scn.h"

#define TABLE "0 256 cache md cd od 8 1 writeback default 0"
#define BLOCK_SECTORS 8

struct power_cut {
	struct gendisk *cd;
	int err;
};

/* dmsetup create (dm_scn.c) */
static struct mapped_device *create(void)
{
	struct mapped_device *md;
	char err[96];
	return dm_scn_create("cache0", TABLE, &md, err, sizeof(err)) ? NULL : md;
}

static void admin_task(void *arg)
{
	struct power_cut *st = arg;
	struct mapped_device *md = create();
	if (!md || dm_scn_write(md, 0 * BLOCK_SECTORS, 0x11) ||
	    dm_scn_io(md, NULL, WRITE | REQ_FLUSH, NULL, 0, 0) ||
	    dm_scn_write(md, 1 * BLOCK_SECTORS, 0x22) ||
	    dm_scn_io(NULL, disk_bdev(st->cd), WRITE | REQ_FLUSH, NULL, 0, 0)) {
		st->err = -EIO;
		return;
	}
	coh_power_cut_arm(true);
	(void)dm_scn_io(md, NULL, WRITE | REQ_FLUSH, NULL, 0, 0); /* commit 2; may fail */
	coh_power_cut();
	if (coh_dm_reboot()) {
		st->err = -EBUSY;
		return;
	}
	coh_power_restore();
	md = create(); /* opens the metadata: the ledger checks it */
	if (md)
		dm_dev_remove(md);
}

static int setup(coh_sched *s, void *state)
{
	struct power_cut *st = state;
	struct gendisk *md, *od;
	int r = dm_scn_add_cache_disks(32 * BLOCK_SECTORS, &md, &st->cd, &od);
	if (r)
		return r;
	return coh_task_create(s, "admin", 0, admin_task, st) ? COH_OK : COH_EINVAL;
}

#define ROW(v, a, e, complete)                                                                     \
	{                                                                                          \
		v, a, e, COH_STRATEGY_DFS, 0, 0, complete, false                                   \
	}

const coh_scenario coh_scenario_dm_cache_power_cut = {
    .name = "dm-cache-power-cut",
    .description = "a power cut at every device write and flush of a dm-cache metadata commit; "
                   "the restarted device must open the last acknowledged commit or the one in "
                   "flight",
    .models = "crash consistency of dm-cache-metadata's commit (v3.9-v4.0); the switch is a "
              "synthetic check, no historical commit",
    .default_arch = "cortex-a9",
    .ncpus = 1,
    .fixes = {{DM_CACHE_SUPERBLOCK_LAST_FIX,
               "a commit writes its blocks and flushes before the superblock (synthetic)"}},
    .variants = {{"buggy", {NULL}}, {"fixed", {DM_CACHE_SUPERBLOCK_LAST_FIX, NULL}}},
    .state_size = sizeof(struct power_cut),
    .setup = setup,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 0,
    .budget = 0,
    .demo =
        {
            ROW("buggy", "cortex-a9", "lost-durable-write", false),
            ROW("buggy", "xscale", "lost-durable-write", false),
            ROW("fixed", "cortex-a9", "clean", true),
            ROW("fixed", "x86", "clean", true),
        },
};
