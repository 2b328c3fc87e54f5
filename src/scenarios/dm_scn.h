/*
 * dm_scn.h - helpers the dm-cache scenarios share: a synchronous bio
 * (submit_bio_wait, Linux v3.10) through a mapped device or to a disk, a
 * block of one byte written through a mapped device, dmsetup create, and
 * a disk.
 */
#ifndef COHSIM_SCENARIOS_DM_SCN_H
#define COHSIM_SCENARIOS_DM_SCN_H

#include "cohsim/scenario.h"

/* rw to md (if not NULL) or bdev; page (may be NULL: a flush) carries
 * bytes from sector. Waits; returns the bio's error. */
int dm_scn_io(struct mapped_device *md, struct block_device *bdev, unsigned long rw,
              struct page *page, unsigned bytes, sector_t sector);
#define DM_SCN_BYTES 4096 /* a page of the default profile: 8 sectors */
/* DM_SCN_BYTES of `fill` written at sector through md. */
int dm_scn_write(struct mapped_device *md, sector_t sector, int fill);
/* dev_create + table_load + do_resume; the device is removed if either
 * fails. err gets table_load's reason. */
int dm_scn_create(const char *name, const char *table, struct mapped_device **out, char *err,
                  size_t errlen);
/* The three disks of a dm-cache scenario: "md" (metadata, 16 blocks of 8
 * sectors, IRQ 1, a burst disk), "cd" (cache, 4 blocks, IRQ 2) and "od"
 * (origin, od_capacity sectors, IRQ 3). */
#define DM_SCN_MD_SECTORS (16 * 8)
#define DM_SCN_CD_SECTORS (4 * 8)
int dm_scn_add_cache_disks(sector_t od_capacity, struct gendisk **md, struct gendisk **cd,
                           struct gendisk **od);

#endif
