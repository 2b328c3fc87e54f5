/*
 * dm.c - device mapper's core, tables and ioctl-level operations, after
 * drivers/md/dm.c, dm-table.c and dm-ioctl.c (v3.9-v4.0).
 *
 * Interface: cohsim/device-mapper.h.
 *
 * A mapped device has a live table (md->map) and an inactive one
 * (md->new_map, hc->new_map in dm-ioctl.c). table_load builds the new
 * table, running every target's ctr, while the live table serves I/O.
 * do_resume swaps them: dm_suspend(old) -> dm_swap_table -> dm_resume(new)
 * -> dm_table_destroy(old). Suspend: presuspend, block new I/O
 * (DMF_BLOCK_IO_FOR_SUSPEND), wait until no I/O is in flight, postsuspend.
 *
 * I/O: dm_submit_bio waits while the device is suspended, counts the bio
 * in flight, and asks the target covering its sector to map it. A remapped
 * bio is submitted by dm with its bi_end_io wrapped (clone_endio), which
 * drops the in-flight count and wakes a waiting suspend. (Linux maps a
 * clone; the model remaps the caller's bio in place.)
 *
 * Locking: md->suspend_lock (a mutex) serialises table load, resume,
 * suspend and remove, as md->suspend_lock and _hash_lock do in Linux.
 * Mapped devices, tables and the end_io records come from pools reset by
 * kernel_init().
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cohsim/device-mapper.h"
#include "kernel/arch/cacheflush.h"
#include "kernel/block/block.h"
#include "kernel/kernel_impl.h"

#define DM_DEVICES 4
#define DM_TABLES 8
#define DM_TARGETS 4 /* per table */
#define DM_TYPES 8
#define DM_IOS 32
#define DM_TABLE_TEXT 256
#define DM_ARGS 24

struct dm_table {
	bool used;
	struct mapped_device *md;
	unsigned num_targets;
	struct dm_target targets[DM_TARGETS];
	char text[DM_TABLE_TEXT]; /* the argv strings point in here */
	char *argv[DM_TARGETS][DM_ARGS];
};

struct mapped_device {
	bool used;
	char name[32];
	coh_mutex suspend_lock;
	struct dm_table *map;     /* live */
	struct dm_table *new_map; /* inactive */
	bool suspended;
	int in_flight;
	wait_queue_head_t wait; /* in_flight drops, or the device resumes */
};

struct dm_io {
	bool used;
	struct mapped_device *md;
	bio_end_io_t *orig_end_io;
	void *orig_private;
};

static struct mapped_device devices[DM_DEVICES];
static struct dm_table tables[DM_TABLES];
static struct dm_io ios[DM_IOS];
static struct target_type *types[DM_TYPES];
static unsigned ntypes;

extern struct target_type coh__linear_target;
extern struct target_type coh__cache_target;

int coh__dm_init(void)
{
	coh__pool_reset(devices, sizeof(devices[0]), &coh__pools.dm_devices);
	coh__pool_reset(tables, sizeof(tables[0]), &coh__pools.dm_tables);
	coh__pool_reset(ios, sizeof(ios[0]), &coh__pools.dm_ios);
	ntypes = 0;
	types[ntypes++] = &coh__linear_target;
	types[ntypes++] = &coh__cache_target;
	return coh__dm_cache_target_init();
}

int dm_register_target(struct target_type *tt)
{
	if (!tt || !tt->name || !tt->ctr || ntypes == DM_TYPES)
		return -EINVAL;
	for (unsigned i = 0; i < ntypes; i++)
		if (strcmp(types[i]->name, tt->name) == 0)
			return -EEXIST;
	types[ntypes++] = tt;
	return 0;
}

static struct target_type *get_target_type(const char *name)
{
	for (unsigned i = 0; i < ntypes; i++)
		if (strcmp(types[i]->name, name) == 0)
			return types[i];
	return NULL;
}

int dm_get_device(struct dm_target *ti, const char *path, struct block_device **result)
{
	(void)ti;
	if (strncmp(path, "/dev/", 5) == 0)
		path += 5;
	struct gendisk *d = coh__disk_find(path);
	if (!d)
		return -ENODEV;
	*result = disk_bdev(d);
	return 0;
}

struct mapped_device *dm_table_get_md(struct dm_table *t)
{
	return t->md;
}

bool dm_suspended(struct dm_target *ti)
{
	return ti->table->md->suspended;
}

/* dm_suspended_md (dm.c, v3.9) */
bool dm_suspended_md(struct mapped_device *md)
{
	return md->suspended;
}

const char *dm_device_name(struct mapped_device *md)
{
	return md->name;
}

/* __find_device_hash_cell (dm-ioctl.c, v3.9), by name */
struct mapped_device *dm_find_device(const char *name)
{
	for (unsigned i = 0; i < DM_DEVICES; i++)
		if (devices[i].used && strcmp(devices[i].name, name) == 0)
			return &devices[i];
	return NULL;
}

/* A restart after a power cut (no Linux function: the machine's memory is
 * gone). The ledger of commits and the disks stay. The CPU caches lose
 * their lines too: the model writes them back (memory is garbage to the
 * restarted kernel either way), so that a page reused after the restart
 * does not count as a discard of data the cut already lost. */
int coh_dm_reboot(void)
{
	if (coh__bio_busy())
		return -EBUSY;
	coh__flush_cache_all_cpus();
	coh__dm_bufio_reboot();
	coh__dm_cache_metadata_reboot();
	return coh__dm_init();
}

/* dm_create + dm_hash_insert (dm-ioctl.c dev_create) */
int dm_dev_create(const char *name, struct mapped_device **out)
{
	*out = NULL;
	if (!name || !*name || strlen(name) >= sizeof(devices[0].name))
		return -EINVAL;
	struct mapped_device *md = NULL;
	for (unsigned i = 0; i < DM_DEVICES; i++) {
		if (devices[i].used && strcmp(devices[i].name, name) == 0)
			return -EBUSY;
		if (!devices[i].used && !md)
			md = &devices[coh__pool_note(&coh__pools.dm_devices, i)];
	}
	if (!md)
		return -ENOMEM;
	memset(md, 0, sizeof(*md));
	md->used = true;
	snprintf(md->name, sizeof(md->name), "%s", name);
	coh_mutex_init(&md->suspend_lock, "mapped_device->suspend_lock");
	init_waitqueue_head(&md->wait);
	md->suspended = true; /* a new device is suspended until its first resume */
	*out = md;
	return 0;
}

/* dm_table_destroy (dm-table.c): every target's dtr. */
static void dm_table_destroy(struct dm_table *t)
{
	if (!t)
		return;
	for (unsigned i = t->num_targets; i-- > 0;)
		if (t->targets[i].type->dtr)
			t->targets[i].type->dtr(&t->targets[i]);
	t->used = false;
}

static struct dm_table *table_alloc(struct mapped_device *md)
{
	for (unsigned i = 0; i < DM_TABLES; i++)
		if (!tables[coh__pool_note(&coh__pools.dm_tables, i)].used) {
			memset(&tables[i], 0, sizeof(tables[i]));
			tables[i].used = true;
			tables[i].md = md;
			return &tables[i];
		}
	return NULL;
}

static int parse_sector(const char *s, sector_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *end || s[0] == '-')
		return -EINVAL;
	*out = v;
	return 0;
}

/* dm_table_add_target (dm-table.c): one line, split into argv; runs ctr. */
static int dm_table_add_target(struct dm_table *t, char *line, char *err, size_t errlen)
{
	if (t->num_targets == DM_TARGETS) {
		snprintf(err, errlen, "too many targets");
		return -EINVAL;
	}
	char **argv = t->argv[t->num_targets];
	unsigned argc = 0;
	for (char *save = NULL, *tok = strtok_r(line, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (argc == DM_ARGS) {
			snprintf(err, errlen, "too many arguments");
			return -EINVAL;
		}
		argv[argc++] = tok;
	}
	if (argc == 0)
		return 0; /* an empty line */
	struct dm_target *ti = &t->targets[t->num_targets];
	if (argc < 3 || parse_sector(argv[0], &ti->begin) || parse_sector(argv[1], &ti->len) ||
	    ti->len == 0) {
		snprintf(err, errlen, "bad target line: expected 'start length type args...'");
		return -EINVAL;
	}
	sector_t next = t->num_targets ? t->targets[t->num_targets - 1].begin +
	                                     t->targets[t->num_targets - 1].len
	                               : 0;
	if (ti->begin != next) {
		snprintf(err, errlen, "target starts at %llu, expected %llu (gap or overlap)",
		         (unsigned long long)ti->begin, (unsigned long long)next);
		return -EINVAL;
	}
	ti->type = get_target_type(argv[2]);
	if (!ti->type) {
		snprintf(err, errlen, "unknown target type '%s'", argv[2]);
		return -EINVAL;
	}
	ti->table = t;
	int r = ti->type->ctr(ti, argc - 3, argv + 3);
	if (r) {
		snprintf(err, errlen, "%s: %s", ti->type->name,
		         ti->error ? ti->error : "ctr failed");
		return r;
	}
	t->num_targets++;
	return 0;
}

/* table_load -> populate_table (dm-ioctl.c, v3.9) */
int dm_table_load(struct mapped_device *md, const char *text, char *err, size_t errlen)
{
	char dummy[8];
	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = 0;
	if (!text || strlen(text) >= DM_TABLE_TEXT) {
		snprintf(err, errlen, "table too long");
		return -EINVAL;
	}
	struct dm_table *t = table_alloc(md);
	if (!t) {
		snprintf(err, errlen, "out of tables");
		return -ENOMEM;
	}
	snprintf(t->text, sizeof(t->text), "%s", text);
	int r = 0;
	for (char *save = NULL, *line = strtok_r(t->text, "\n;", &save); line && !r;
	     line = strtok_r(NULL, "\n;", &save))
		r = dm_table_add_target(t, line, err, errlen);
	if (!r && t->num_targets == 0) {
		snprintf(err, errlen, "empty table");
		r = -EINVAL;
	}
	if (r) {
		dm_table_destroy(t);
		return r;
	}
	coh_mutex_lock(&md->suspend_lock);
	struct dm_table *old = md->new_map;
	md->new_map = t;
	coh_mutex_unlock(&md->suspend_lock);
	dm_table_destroy(old); /* an inactive table loaded before */
	return 0;
}

/* dm_suspend (dm.c, v3.9), with md->suspend_lock held */
static void __dm_suspend(struct mapped_device *md)
{
	struct dm_table *map = md->map;
	if (md->suspended)
		return;
	for (unsigned i = 0; map && i < map->num_targets; i++)
		if (map->targets[i].type->presuspend)
			map->targets[i].type->presuspend(&map->targets[i]);
	md->suspended = true;                         /* DMF_BLOCK_IO_FOR_SUSPEND */
	coh_wait_event(md->wait, md->in_flight == 0); /* dm_wait_for_completion */
	for (unsigned i = 0; map && i < map->num_targets; i++)
		if (map->targets[i].type->postsuspend)
			map->targets[i].type->postsuspend(&map->targets[i]);
}

/* dm_resume (dm.c, v3.9): preresume every target (a failure leaves the
 * device suspended), then resume them, then let I/O in. */
static int __dm_resume(struct mapped_device *md)
{
	struct dm_table *map = md->map;
	if (!md->suspended || !map)
		return 0;
	for (unsigned i = 0; i < map->num_targets; i++)
		if (map->targets[i].type->preresume) {
			int r = map->targets[i].type->preresume(&map->targets[i]);
			if (r)
				return r;
		}
	for (unsigned i = 0; i < map->num_targets; i++)
		if (map->targets[i].type->resume)
			map->targets[i].type->resume(&map->targets[i]);
	md->suspended = false;
	coh_wake_up_all(&md->wait);
	return 0;
}

int dm_dev_suspend(struct mapped_device *md)
{
	coh_mutex_lock(&md->suspend_lock);
	__dm_suspend(md);
	coh_mutex_unlock(&md->suspend_lock);
	return 0;
}

/* do_resume (dm-ioctl.c, v3.9) */
int dm_do_resume(struct mapped_device *md)
{
	coh_mutex_lock(&md->suspend_lock);
	struct dm_table *new_map = md->new_map, *old_map = NULL;
	md->new_map = NULL;
	if (new_map) {
		__dm_suspend(md);
		old_map = md->map; /* dm_swap_table */
		md->map = new_map;
	}
	int r = __dm_resume(md);
	coh_mutex_unlock(&md->suspend_lock);
	dm_table_destroy(old_map);
	return r;
}

int dm_table_status(struct mapped_device *md, bool inactive, status_type_t type, char *result,
                    size_t maxlen)
{
	coh_mutex_lock(&md->suspend_lock);
	struct dm_table *t = inactive ? md->new_map : md->map;
	size_t used = 0;
	result[0] = 0;
	for (unsigned i = 0; t && i < t->num_targets && used + 1 < maxlen; i++) {
		struct dm_target *ti = &t->targets[i];
		int n = snprintf(result + used, maxlen - used, "%s%llu %llu %s ", used ? "\n" : "",
		                 (unsigned long long)ti->begin, (unsigned long long)ti->len,
		                 ti->type->name);
		used = n > 0 && (size_t)n < maxlen - used ? used + (size_t)n : maxlen - 1;
		if (ti->type->status)
			ti->type->status(ti, type, result + used, (unsigned)(maxlen - used));
		used = strlen(result);
	}
	coh_mutex_unlock(&md->suspend_lock);
	return t ? 0 : -ENXIO;
}

/* target_message (dm-ioctl.c): "SECTOR ARGS..." to the target there. */
int dm_target_message(struct mapped_device *md, const char *message)
{
	char buf[DM_TABLE_TEXT];
	char *argv[DM_ARGS];
	unsigned argc = 0;
	snprintf(buf, sizeof(buf), "%s", message);
	for (char *save = NULL, *tok = strtok_r(buf, " \t", &save); tok && argc < DM_ARGS;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	sector_t sector;
	if (argc < 2 || parse_sector(argv[0], &sector))
		return -EINVAL;
	coh_mutex_lock(&md->suspend_lock);
	struct dm_table *t = md->map;
	int r = -ENXIO;
	for (unsigned i = 0; t && i < t->num_targets; i++) {
		struct dm_target *ti = &t->targets[i];
		if (sector >= ti->begin && sector - ti->begin < ti->len)
			r = ti->type->message ? ti->type->message(ti, argc - 1, argv + 1) : -EINVAL;
	}
	coh_mutex_unlock(&md->suspend_lock);
	return r;
}

/* dev_remove (dm-ioctl.c): suspends, destroys both tables. */
int dm_dev_remove(struct mapped_device *md)
{
	coh_mutex_lock(&md->suspend_lock);
	__dm_suspend(md);
	struct dm_table *map = md->map, *new_map = md->new_map;
	md->map = md->new_map = NULL;
	coh_mutex_unlock(&md->suspend_lock);
	dm_table_destroy(new_map);
	dm_table_destroy(map);
	md->used = false;
	return 0;
}

/* clone_endio (dm.c): the mapped I/O is done. */
static void clone_endio(struct bio *bio, int error)
{
	struct dm_io *io = bio->bi_private;
	struct mapped_device *md = io->md;
	bio->bi_end_io = io->orig_end_io;
	bio->bi_private = io->orig_private;
	io->used = false;
	md->in_flight--;
	coh_wake_up_all(&md->wait);
	if (bio->bi_end_io)
		bio->bi_end_io(bio, error);
}

/* dm_request -> __split_and_process_bio -> __map_bio (dm.c, v3.9) */
int dm_submit_bio(struct mapped_device *md, unsigned long rw, struct bio *bio)
{
	coh_wait_event(md->wait, !md->suspended); /* deferred while suspended */
	struct dm_table *map = md->map;
	struct dm_target *ti = NULL;
	for (unsigned i = 0; map && i < map->num_targets; i++)
		if (bio->bi_sector >= map->targets[i].begin &&
		    bio->bi_sector - map->targets[i].begin < map->targets[i].len)
			ti = &map->targets[i];
	if (!ti || !ti->type->map) {
		bio_endio(bio, -EIO);
		return -EIO;
	}
	struct dm_io *io = NULL;
	for (unsigned i = 0; i < DM_IOS && !io; i++)
		if (!ios[i].used)
			io = &ios[coh__pool_note(&coh__pools.dm_ios, i)];
	if (!io) {
		BUG(); /* a mempool in Linux */
		return -ENOMEM;
	}
	*io = (struct dm_io){true, md, bio->bi_end_io, bio->bi_private};
	md->in_flight++;
	bio->bi_rw |= rw;
	bio->bi_end_io = clone_endio;
	bio->bi_private = io;
	int r = ti->type->map(ti, bio);
	if (r == DM_MAPIO_REMAPPED)
		submit_bio(0, bio);
	return 0;
}

/* ---- the linear target (dm-linear.c) ---- */

struct linear_c {
	struct block_device *dev;
	sector_t start;
};

static struct linear_c linear_pool[DM_TABLES * DM_TARGETS];

static int linear_ctr(struct dm_target *ti, unsigned argc, char **argv)
{
	if (argc != 2) {
		ti->error = "Invalid argument count";
		return -EINVAL;
	}
	struct linear_c *lc =
	    &linear_pool[(ti->table - tables) * DM_TARGETS + (unsigned)(ti - ti->table->targets)];
	if (parse_sector(argv[1], &lc->start)) {
		ti->error = "Invalid device sector";
		return -EINVAL;
	}
	if (dm_get_device(ti, argv[0], &lc->dev)) {
		ti->error = "Device lookup failed";
		return -ENODEV;
	}
	ti->private = lc;
	return 0;
}

static int linear_map(struct dm_target *ti, struct bio *bio)
{
	struct linear_c *lc = ti->private;
	bio->bi_bdev = lc->dev;
	bio->bi_sector = lc->start + (bio->bi_sector - ti->begin);
	return DM_MAPIO_REMAPPED;
}

static void linear_status(struct dm_target *ti, status_type_t type, char *result, unsigned maxlen)
{
	struct linear_c *lc = ti->private;
	if (type == STATUSTYPE_TABLE)
		snprintf(result, maxlen, "%s %llu", disk_name(lc->dev->bd_disk),
		         (unsigned long long)lc->start);
	else if (maxlen)
		result[0] = 0;
}

struct target_type coh__linear_target = {
    .name = "linear",
    .ctr = linear_ctr,
    .map = linear_map,
    .status = linear_status,
};
