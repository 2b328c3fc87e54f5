/*
 * dm_cache_shared_metadata.c - seed 5, "dm cache: share cache-metadata
 * object across inactive and active DM tables" (9b1cc9f251af): an
 * LVM-style reload of a dm-cache device under I/O.
 *
 * Devices: md (metadata, 16 blocks of 4 KiB), cd (cache, 4 blocks), od
 * (origin, 16 blocks); the table "0 128 cache md cd od 8 1 writeback
 * default 0" on the mapped device cache0. Two tasks:
 *   lvm  dev_create, table_load, do_resume (the first table is live); then,
 *        once the first write was committed, `dmsetup reload` (table_load:
 *        the new table's cache_ctr opens the metadata while the old table
 *        is live), and once the second write was committed, `dmsetup
 *        resume` (do_resume: the old table's postsuspend commits, the new
 *        table's preresume loads the mappings, the old table's dtr closes
 *        its metadata); then `dmsetup status`, which commits through the
 *        new table, and remove.
 *   io   writes a whole block of the origin (a promotion into the cache)
 *        and a FLUSH (a commit), twice: before the reload and between the
 *        reload and the resume.
 *
 * Without the fix the new table's metadata object has a bufio client of
 * its own: opening it reads and rewrites the superblock, and from then on
 * the two clients hold diverging copies. The old table's next commit reads
 * its cached superblock, older than the one the new table wrote; the new
 * table's preresume and first commit read the superblock it cached at
 * open, older than the old table's last commits. With the fix both tables
 * share one object and one client. Nothing here checks data: every
 * finding is the block-copy oracle's (or the sched layer's).
 */
#include <errno.h>

#include "cohsim/scenario.h"
#include "scenarios/dm_scn.h"

#define TABLE "0 128 cache md cd od 8 1 writeback default 0"
#define BLOCK_SECTORS 8

struct reload {
	struct mapped_device *md;
	coh_completion live, committed1, loaded, committed2;
	int err;
};

/* A whole origin block of `fill`, then a FLUSH (which commits). */
static void write_and_commit(struct reload *st, dm_oblock_t ob, int fill)
{
	int r = dm_scn_write(st->md, ob * BLOCK_SECTORS, fill);
	if (!r)
		r = dm_scn_io(st->md, NULL, WRITE | REQ_FLUSH, NULL, 0, 0);
	if (r)
		st->err = r;
}

static void io_task(void *arg)
{
	struct reload *st = arg;
	coh_wait_for_completion(&st->live);
	write_and_commit(st, 1, 0x11);
	coh_complete(&st->committed1);
	coh_wait_for_completion(&st->loaded);
	write_and_commit(st, 2, 0x22);
	coh_complete(&st->committed2);
}

static void lvm_task(void *arg)
{
	struct reload *st = arg;
	char err[96], status[128];
	if (dm_scn_create("cache0", TABLE, &st->md, err, sizeof(err))) {
		st->err = -EINVAL;
		return;
	}
	coh_complete(&st->live);
	coh_wait_for_completion(&st->committed1);
	int r = dm_table_load(st->md, TABLE, err, sizeof(err)); /* dmsetup reload */
	coh_complete(&st->loaded);
	coh_wait_for_completion(&st->committed2);
	if (!r)
		dm_do_resume(st->md); /* dmsetup resume */
	dm_table_status(st->md, false, STATUSTYPE_INFO, status, sizeof(status));
	dm_dev_remove(st->md);
}

static int setup(coh_sched *s, void *state)
{
	struct reload *st = state;
	struct gendisk *disk;
	int r = dm_scn_add_cache_disks(16 * BLOCK_SECTORS, &disk, &disk, &disk);
	if (r)
		return r;
	coh_init_completion(&st->live, "live");
	coh_init_completion(&st->committed1, "committed1");
	coh_init_completion(&st->loaded, "loaded");
	coh_init_completion(&st->committed2, "committed2");
	if (!coh_task_create(s, "lvm", 0, lvm_task, st) ||
	    !coh_task_create(s, "io", 0, io_task, st))
		return COH_EINVAL;
	return COH_OK;
}

#define ROW(v, a, e, p, complete)                                                                  \
	{                                                                                          \
		v, a, e, COH_STRATEGY_DFS, p, 0, complete, false                                   \
	}

const coh_scenario coh_scenario_dm_cache_shared_metadata = {
    .name = "dm-cache-shared-metadata",
    .description = "an LVM-style reload of a dm-cache device under I/O: the new table opens the "
                   "metadata while the old one still commits",
    .models = "dm cache: share cache-metadata object across inactive and active DM "
              "tables (9b1cc9f251af, 2015, v4.0)",
    .default_arch = "cortex-a9",
    .ncpus = 1,
    .fixes = {{DM_CACHE_SHARED_METADATA_FIX,
               "one reference-counted metadata object (one bufio client) per metadata device"}},
    .variants = {{"buggy", {NULL}}, {"fixed", {DM_CACHE_SHARED_METADATA_FIX, NULL}}},
    .state_size = sizeof(struct reload),
    .setup = setup,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 0,
    .budget = 0,
    .demo =
        {
            ROW("buggy", "cortex-a9", "stale-read", 0, false),
            ROW("buggy", "xscale", "stale-read", 0, false),
            ROW("fixed", "cortex-a9", "clean", 0, true),
            ROW("fixed", "xscale", "clean", 0, true),
            ROW("fixed", "x86", "clean", 0, true),
        },
};
