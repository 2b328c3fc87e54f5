/*
 * cohsim/device-mapper.h - device mapper (drivers/md/dm.c, dm-table.c,
 * dm-ioctl.c, v3.9-v4.0): mapped devices with a live and an inactive
 * table, targets, and the ioctl-level operations in the kernel's order.
 *
 *   dm_dev_create     a mapped device with no table
 *   dm_table_load     table_load: the new table is built (every target's
 *                     ctr runs) while the live one keeps serving I/O; it
 *                     becomes the inactive table (replacing an older one)
 *   dm_do_resume      do_resume: with an inactive table, suspend the live
 *                     one (presuspend, block new I/O, wait for in-flight
 *                     I/O, postsuspend), swap, resume the new one
 *                     (preresume, resume), then destroy the old (dtr)
 *   dm_dev_suspend    suspend; dm_table_status, dm_target_message, dm_dev_remove
 *   dm_submit_bio     I/O to the mapped device: waits while it is
 *                     suspended, maps through the live table
 *
 * Tables use the kernel's syntax, one target per line ("start len type
 * args..."; lines separated by newlines or ';'). Devices in a table are
 * named as the disks are ("/dev/" is optional). Built-in targets: linear,
 * cache (dm-cache-target.c). Every function must run in a task; all
 * objects belong to the execution (kernel_init drops them).
 */
/* linux.h first: it includes this header at its end, once its own types
 * are declared. */
#include "cohsim/linux.h"

#ifndef COHSIM_DEVICE_MAPPER_H
#define COHSIM_DEVICE_MAPPER_H

#ifdef __cplusplus
extern "C" {
#endif

struct dm_target;
struct dm_table;
struct mapped_device;

#define DM_MAPIO_SUBMITTED 0 /* the target took the bio (and ends it) */
#define DM_MAPIO_REMAPPED 1  /* dm submits the remapped bio */

typedef enum { STATUSTYPE_INFO, STATUSTYPE_TABLE } status_type_t;

struct target_type {
	const char *name;
	int (*ctr)(struct dm_target *ti, unsigned argc, char **argv);
	void (*dtr)(struct dm_target *ti);
	int (*map)(struct dm_target *ti, struct bio *bio);
	void (*presuspend)(struct dm_target *ti);
	void (*postsuspend)(struct dm_target *ti);
	int (*preresume)(struct dm_target *ti);
	void (*resume)(struct dm_target *ti);
	void (*status)(struct dm_target *ti, status_type_t type, char *result, unsigned maxlen);
	int (*message)(struct dm_target *ti, unsigned argc, char **argv);
};

struct dm_target {
	struct dm_table *table;
	struct target_type *type;
	sector_t begin, len;
	void *private;
	const char *error; /* set by a failing ctr */
};

/* dm_register_target: adds a target type for this execution. */
COH_API int dm_register_target(struct target_type *tt);
/* dm_get_device: a disk by name ("cd" or "/dev/cd"); -ENODEV. */
COH_API int dm_get_device(struct dm_target *ti, const char *path, struct block_device **result);
COH_API struct mapped_device *dm_table_get_md(struct dm_table *t);
/* Is the device suspended (dm_suspended)? */
COH_API bool dm_suspended(struct dm_target *ti);
/* Is the mapped device suspended (dm_suspended_md)? Its I/O waits. */
COH_API bool dm_suspended_md(struct mapped_device *md);

/* The ioctl level. Each returns 0 or a negative errno; err (may be NULL)
 * gets a one-line reason ("cache: Error creating metadata object"). */
COH_API int dm_dev_create(const char *name, struct mapped_device **out);
COH_API int dm_table_load(struct mapped_device *md, const char *table, char *err, size_t errlen);
COH_API int dm_do_resume(struct mapped_device *md);
COH_API int dm_dev_suspend(struct mapped_device *md);
COH_API int dm_table_status(struct mapped_device *md, bool inactive, status_type_t type,
                            char *result, size_t maxlen);
COH_API int dm_target_message(struct mapped_device *md, const char *message);
COH_API int dm_dev_remove(struct mapped_device *md);
/* rw and bio as for submit_bio(); bi_sector is on the mapped device. The
 * bio's bi_end_io runs when the I/O it was mapped to completes. */
COH_API int dm_submit_bio(struct mapped_device *md, unsigned long rw, struct bio *bio);
COH_API const char *dm_device_name(struct mapped_device *md);
/* Finds a mapped device by name (dm-ioctl's __find_device_hash_cell);
 * NULL if there is none. */
COH_API struct mapped_device *dm_find_device(const char *name);

/* After a power cut (cohsim/blkdev.h): forgets every mapped device, table,
 * target, dm-bufio client and cache metadata object without running a dtr
 * or writing anything, as a restart does; the disks keep what survived.
 * -EBUSY while a bio is in flight. */
COH_API int coh_dm_reboot(void);

#ifdef __cplusplus
}
#endif
#endif
