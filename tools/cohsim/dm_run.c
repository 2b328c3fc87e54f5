/*
 * dm_run.c - a `cohsim dm` script (docs/dm.md) as a scenario of its own:
 * one task, "dmsetup", runs the script's lines on the disks it declares;
 * each line's outcome is checked and, during the transcript's replay,
 * printed.
 *
 * Interface (dm_run.h): dm_scenario, run under the explorer like any
 * scenario; dm_run_open()/dm_run_close() around the runs of one script;
 * dm_run_set_transcript() for the replay whose transcript is printed.
 * cmd_dm.c is the command around it.
 *
 * Invariants: setup resets the record (dm_durable.c) and the tables of
 * the mapped devices, so each execution starts alike; a read is checked
 * against the record of what each sector must read back (a finding when it
 * does not), never against another execution; the transcript is written
 * only when set, a line per script line, and never changes a run.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cohsim/blkdev.h"
#include "cohsim/device-mapper.h"
#include "cohsim/dm-cache.h"
#include "cohsim/scenario.h"
#include "dm_durable.h"
#include "dm_run.h"

#define CHUNK 8 /* sectors per bio: one 4 KiB page */

static const struct dm_script *script;
static struct dm_durable durable;
static FILE *transcript; /* during the transcript's replay only */

struct dm_run {
	struct gendisk *disks[DM_SCRIPT_DISKS];
};

/* The live and inactive table of each mapped device as this execution
 * made them (host side, no simulated access), so that the record can
 * follow a linear table's remapping to its disks. Reset per execution. */
static struct dm_tables {
	char name[DM_SCRIPT_NAME];
	const char *live, *inactive; /* the script's table texts */
} tables[DM_SCRIPT_DEVS];

static struct dm_tables *tables_of(const char *name, bool create)
{
	for (unsigned i = 0; i < DM_SCRIPT_DEVS; i++)
		if (tables[i].name[0] && !strcmp(tables[i].name, name))
			return &tables[i];
	for (unsigned i = 0; create && i < DM_SCRIPT_DEVS; i++)
		if (!tables[i].name[0]) {
			snprintf(tables[i].name, sizeof(tables[i].name), "%s", name);
			return &tables[i];
		}
	return NULL;
}

/* After an ioctl-level line: what dm.c did with the tables. */
static void tables_update(const struct dm_op *op, int r)
{
	struct dm_tables *t = tables_of(op->name, op->verb == DM_CREATE);
	if (!t)
		return;
	if (op->verb == DM_CREATE && !r)
		t->live = op->text;
	else if (op->verb == DM_RELOAD && !r)
		t->inactive = op->text;
	else if (op->verb == DM_RESUME && t->inactive) {
		t->live = t->inactive; /* do_resume swaps before it resumes */
		t->inactive = NULL;
	} else if (op->verb == DM_REMOVE || (op->verb == DM_CREATE && r))
		memset(t, 0, sizeof(*t));
}

/* Where sector s of a mapped device lands when its live table is all
 * linear: the disk's tracker and sector; false otherwise (a cache target:
 * the record stays the mapped device's). */
static bool linear_target(const struct dm_op *op, uint64_t s, unsigned *dev, uint64_t *ds)
{
	const struct dm_tables *t = op->raw ? NULL : tables_of(op->name, false);
	if (!t || !t->live)
		return false;
	bool found = false;
	for (const char *x = t->live; *x;) {
		unsigned long long start, len, off;
		char type[16], disk[DM_SCRIPT_NAME + 6];
		if (sscanf(x, "%llu %llu %15s %37s %llu", &start, &len, type, disk, &off) < 3)
			return false;
		if (strcmp(type, "linear"))
			return false;
		if (s >= start && s - start < len) {
			char tname[DM_SCRIPT_NAME + 48];
			snprintf(tname, sizeof(tname), "/dev/%s",
			         strncmp(disk, "/dev/", 5) ? disk : disk + 5);
			for (unsigned i = 0; i < script->ntrackers; i++)
				if (!strcmp(script->trackers[i].name, tname)) {
					*dev = i;
					*ds = off + (s - start);
					found = true;
				}
		}
		while (*x && *x != ';' && *x != '\n')
			x++;
		while (*x == ';' || *x == '\n')
			x++;
	}
	return found;
}

static void say(const struct dm_op *op, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct dm_op *op, const char *fmt, ...)
{
	if (!transcript)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(transcript, "%u: %s", op->line, dm_verb_name(op->verb));
	vfprintf(transcript, fmt, ap);
	fputc('\n', transcript);
	va_end(ap);
}

struct sync_bio {
	coh_completion done;
	int error;
};

static void sync_end_io(struct bio *bio, int error)
{
	struct sync_bio *w = bio->bi_private;
	w->error = error;
	bio_put(bio);
	coh_complete(&w->done);
}

/* submit_bio_wait, to a mapped device or a disk; page NULL: an empty flush. */
static int io_sync(struct dm_run *st, const struct dm_op *op, unsigned long rw, struct page *page,
                   sector_t sector, unsigned sectors)
{
	struct sync_bio w;
	memset(&w, 0, sizeof(w));
	coh_init_completion(&w.done, "submit_bio_wait");
	struct bio *bio = bio_alloc(GFP_NOIO, 1);
	if (!bio)
		return -ENOMEM;
	bio->bi_sector = sector;
	bio->bi_end_io = sync_end_io;
	bio->bi_private = &w;
	if (page)
		bio_add_page(bio, page, sectors << SECTOR_SHIFT, 0);
	if (op->raw) {
		for (unsigned i = 0; i < script->ndisks; i++)
			if (!strcmp(script->disks[i].name, op->name))
				bio->bi_bdev = disk_bdev(st->disks[i]);
		submit_bio(rw, bio);
	} else {
		struct mapped_device *md = dm_find_device(op->name);
		if (!md) {
			bio_put(bio);
			return -ENXIO;
		}
		dm_submit_bio(md, rw, bio);
	}
	coh_wait_for_completion(&w.done);
	return w.error;
}

static void report(enum coh_finding_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void report(enum coh_finding_kind kind, const char *fmt, ...)
{
	char msg[224];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	coh_check_report(coh_sched_check(coh_sched_current()), kind, (int)coh_this_cpu(), "%s",
	                 msg);
}

/* The pattern of one sector of the page (-1: mixed bytes). */
static int sector_pattern(struct page *page, unsigned i)
{
	u8 buf[512];
	sim_memcpy_from(buf, simptr_add(page_address(page), 512l * i), sizeof(buf));
	for (unsigned k = 1; k < sizeof(buf); k++)
		if (buf[k] != buf[0])
			return -1;
	return buf[0];
}

/* A disk some cache table maps: writes through the mapped device reach it
 * behind its own record, so its reads are not checked. (Under a linear
 * table the record follows the remapping: linear_target.) */
static bool unchecked(const struct dm_op *op)
{
	for (unsigned i = 0; op->raw && i < script->ndisks; i++)
		if (!strcmp(script->disks[i].name, op->name))
			return script->disks[i].in_table;
	return false;
}

/* Checks each sector read against the record; one finding per line. */
static void check_read(const struct dm_op *op, struct page *page, sector_t s, unsigned n,
                       const char **reported, int *first)
{
	for (unsigned i = 0; i < n; i++) {
		int seen = sector_pattern(page, i);
		if (*first == -2)
			*first = seen;
		else if (*first != seen)
			*first = -1;
		if (unchecked(op))
			continue;
		const struct dm_sector *was;
		unsigned dev = op->dev;
		uint64_t at = s + i;
		(void)linear_target(op, s + i, &dev, &at); /* a linear table's disk */
		enum dm_verdict v = dm_durable_read(&durable, dev, at, seen, &was);
		if (v == DM_READ_OK || *reported)
			continue;
		*reported = v == DM_READ_LOST_DURABLE ? "lost-durable-write" : "stale-read";
		char got[8];
		snprintf(got, sizeof(got), seen < 0 ? "mixed" : "0x%02x", seen);
		if (v == DM_READ_LOST_DURABLE)
			report(COH_F_LOST_DURABLE_WRITE,
			       "%s:%u: read of %s sector %llu after a power cut returned %s, older "
			       "than "
			       "0x%02x (line %u), which was durable",
			       script->path, op->line, script->trackers[dev].name,
			       (unsigned long long)at, got, was->durable, was->durable_line);
		else
			report(
			    COH_F_STALE_READ,
			    "%s:%u: read of %s sector %llu returned %s; the latest write there is "
			    "0x%02x (line %u)%s",
			    script->path, op->line, script->trackers[dev].name,
			    (unsigned long long)at, got, was->latest, was->latest_line,
			    was->unsure ? ", and no write since the durable one had these bytes"
			                : "");
	}
}

/* I/O to a mapped device that is not there fails (-ENXIO); to one that is
 * suspended it would wait for a resume that no later line of this one-task
 * script can make, so it is refused. Either way nothing reaches a disk. */
static bool io_refused(const struct dm_op *op)
{
	if (op->raw)
		return false;
	struct mapped_device *md = dm_find_device(op->name);
	const char *why = !md                   ? "no such device"
	                  : dm_suspended_md(md) ? "the device is suspended (the I/O would wait "
	                                          "for a resume)"
	                                        : NULL;
	if (why && op->verb == DM_FLUSH)
		say(op, " %s: error: %s", op->name, why);
	else if (why)
		say(op, " %s %llu+%llu: error: %s", op->name, (unsigned long long)op->sector,
		    (unsigned long long)op->count, why);
	return why != NULL;
}

static void run_io(struct dm_run *st, const struct dm_op *op)
{
	if (io_refused(op))
		return;
	if (op->verb == DM_FLUSH) {
		int r = io_sync(st, op, WRITE | REQ_FLUSH, NULL, 0, 0);
		unsigned dev;
		uint64_t at;
		if (!r && linear_target(op, 0, &dev, &at))
			dm_durable_flush(&durable, dev); /* dm.c sends it to the first target */
		if (!r)
			dm_durable_flush(&durable, op->dev);
		say(op, " %s%s: %s", op->raw ? "/dev/" : "", op->name, r ? "error" : "ok");
		return;
	}
	struct page *page = alloc_page(GFP_KERNEL);
	if (!page) {
		say(op, ": out of memory");
		return;
	}
	bool write = op->verb == DM_WRITE;
	const char *reported = NULL;
	int err = 0, first = -2;
	for (uint64_t s = op->sector; s < op->sector + op->count;) {
		unsigned n = (unsigned)(CHUNK - s % CHUNK);
		if (n > op->sector + op->count - s)
			n = (unsigned)(op->sector + op->count - s);
		int r;
		if (write) {
			sim_memset(page_address(page), (int)op->pattern, n << SECTOR_SHIFT);
			r = io_sync(st, op, WRITE | (op->fua ? REQ_FUA : 0), page, s, n);
			dm_durable_write(&durable, op->dev, s, n, (uint8_t)op->pattern, op->line,
			                 !r, op->fua);
			for (unsigned i = 0; i < n; i++) {
				unsigned dev;
				uint64_t at;
				if (linear_target(op, s + i, &dev, &at))
					dm_durable_write(&durable, dev, at, 1, (uint8_t)op->pattern,
					                 op->line, !r, op->fua);
			}
		} else {
			r = io_sync(st, op, READ, page, s, n);
			if (!r)
				check_read(op, page, s, n, &reported, &first);
		}
		err = err ? err : r;
		s += n;
	}
	__free_page(page);
	char what[32] = "";
	if (!write && !err)
		snprintf(what, sizeof(what), first < 0 ? " (mixed)" : " (0x%02x)", first);
	char pat[16] = "";
	if (op->verb != DM_READ)
		snprintf(pat, sizeof(pat), " 0x%02x%s", op->pattern, op->fua ? " fua" : "");
	if (op->verb == DM_VERIFY && !err && !reported && first != (int)op->pattern) {
		reported = "expect-failed";
		report(COH_F_EXPECT_FAILED, "%s:%u: verify %s %llu+%llu: expected 0x%02x, read %s",
		       script->path, op->line, script->trackers[op->dev].name,
		       (unsigned long long)op->sector, (unsigned long long)op->count, op->pattern,
		       first < 0 ? "mixed bytes" : "another pattern");
	}
	say(op, " %s%s %llu+%llu%s: %s%s%s%s", op->raw ? "/dev/" : "", op->name,
	    (unsigned long long)op->sector, (unsigned long long)op->count, pat,
	    err ? "error" : "ok", what, reported ? " -> " : "", reported ? reported : "");
}

static void say_result(const struct dm_op *op, int r, const char *err)
{
	if (!r)
		say(op, " %s: ok", op->name);
	else
		say(op, " %s: error %d%s%s", op->name, r, *err ? ": " : "", err);
}

static void run_ioctl(const struct dm_op *op)
{
	char err[128] = "", buf[256];
	struct mapped_device *md = dm_find_device(op->name);
	int r = -ENXIO;
	switch (op->verb) {
	case DM_CREATE: /* dmsetup create: dev_create, table_load, do_resume */
		r = dm_dev_create(op->name, &md);
		if (!r && (r = dm_table_load(md, op->text, err, sizeof(err))) != 0)
			dm_dev_remove(md);
		else if (!r && (r = dm_do_resume(md)) != 0) {
			/* libdevmapper's revert: a device whose resume failed is
			 * removed, not left suspended */
			snprintf(err, sizeof(err), "resume failed; the device was removed");
			dm_dev_remove(md);
		}
		break;
	case DM_RELOAD:
		if (md)
			r = dm_table_load(md, op->text, err, sizeof(err));
		break;
	case DM_RESUME:
		if (md)
			r = dm_do_resume(md);
		break;
	case DM_SUSPEND:
		if (md)
			r = dm_dev_suspend(md);
		break;
	case DM_STATUS:
		if (md && !(r = dm_table_status(md, false, STATUSTYPE_INFO, buf, sizeof(buf)))) {
			for (char *c = buf; *c; c++)
				if (*c == '\n')
					*c = ';';
			say(op, " %s: %s", op->name, buf);
			return;
		}
		break;
	case DM_MESSAGE:
		if (md)
			r = dm_target_message(md, op->text);
		break;
	case DM_REMOVE:
		if (md)
			r = dm_dev_remove(md);
		break;
	default:
		return;
	}
	tables_update(op, r);
	say_result(op, r, err);
}

static void run_crash(struct dm_run *st, const struct dm_op *op)
{
	unsigned volatile_writes = 0;
	for (unsigned i = 0; i < script->ndisks; i++)
		volatile_writes += disk_unflushed_writes(st->disks[i]);
	bool was_cut = coh_power_is_cut();
	coh_power_cut();
	dm_durable_crash(&durable);
	memset(tables, 0, sizeof(tables));
	int r = coh_dm_reboot();
	coh_power_restore();
	if (was_cut)
		say(op, ": the power was cut at a device write or flush; restarted%s",
		    r ? " (with I/O in flight!)" : "");
	else
		say(op, ": power cut with %u write%s not durable; restarted%s", volatile_writes,
		    volatile_writes == 1 ? "" : "s", r ? " (with I/O in flight!)" : "");
}

static void dmsetup_task(void *arg)
{
	struct dm_run *st = arg;
	for (size_t i = 0; i < script->nops; i++) {
		const struct dm_op *op = &script->ops[i];
		switch (op->verb) {
		case DM_WRITE:
		case DM_READ:
		case DM_VERIFY:
		case DM_FLUSH:
			run_io(st, op);
			break;
		case DM_ARM_CRASH:
			coh_power_cut_arm(true);
			say(op, ": the explorer may cut the power at any device write or flush");
			break;
		case DM_CRASH:
			run_crash(st, op);
			break;
		case DM_TORN:
			coh_power_cut_torn(true);
			say(op,
			    ": a power cut may keep any prefix of an unflushed write's sectors");
			break;
		default:
			run_ioctl(op);
		}
	}
}

static int setup(coh_sched *s, void *state)
{
	struct dm_run *st = state;
	dm_durable_reset(&durable);
	memset(tables, 0, sizeof(tables));
	for (unsigned i = 0; i < script->ndisks; i++) {
		struct disk_config dc;
		disk_config_init(&dc, script->disks[i].name);
		dc.capacity = script->disks[i].sectors;
		dc.irq = i + 1;
		dc.burst = true; /* a task's back-to-back bios in one burst (docs/dm.md) */
		if (!(st->disks[i] = alloc_disk_sim(&dc)))
			return disk_last_error();
	}
	return coh_task_create(s, "dmsetup", 0, dmsetup_task, st) ? COH_OK : COH_EINVAL;
}

coh_scenario dm_scenario = {
    .name = "dm",
    .description = "a cohsim dm script",
    .models = "device mapper, dm-bufio, dm-cache (v3.9-v4.0)",
    .default_arch = "cortex-a9",
    .ncpus = 1,
    .mem_size = 2u << 20,
    .fixes = {{DM_CACHE_SHARED_METADATA_FIX, "one metadata object per metadata device"},
              {DM_CACHE_SUPERBLOCK_LAST_FIX, "a commit flushes its blocks before the "
                                             "superblock (synthetic)"},
              {DM_CACHE_FLUSH_BEFORE_COMMIT_FIX, "a commit flushes the cache device first"},
              {DM_CACHE_CHECK_BLOCK_SIZE_FIX, "metadata of another block size is refused"}},
    .variants = {{"fixed",
                  {DM_CACHE_SHARED_METADATA_FIX, DM_CACHE_SUPERBLOCK_LAST_FIX,
                   DM_CACHE_FLUSH_BEFORE_COMMIT_FIX, DM_CACHE_CHECK_BLOCK_SIZE_FIX, NULL}},
                 {"buggy", {NULL}}},
    .state_size = sizeof(struct dm_run),
    .setup = setup,
    .strategy = COH_STRATEGY_RANDOM,
    .budget = 1,
};

int dm_run_open(const struct dm_script *s)
{
	if (dm_durable_init(&durable, s)) {
		dm_durable_free(&durable);
		return -1;
	}
	script = s;
	return 0;
}

void dm_run_close(void)
{
	dm_durable_free(&durable);
	script = NULL;
}

void dm_run_set_transcript(FILE *f)
{
	transcript = f;
}
