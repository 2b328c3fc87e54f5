/*
 * dm_script.h - the script language of `cohsim dm` (docs/dm.md): a
 * dmsetup-like list of lines, parsed and checked whole before anything
 * runs.
 *
 * dm_script_parse() reads a file; a bad line is reported on stderr as
 * "FILE:LINE: problem" and the parse fails (the command exits 2). The
 * checks are static: verbs and their argument counts, numbers and their
 * ranges, tables in the kernel's syntax (contiguous targets, known target
 * types, declared disks, ranges within them), devices that exist at that
 * point of the script, I/O within the device. The script owns its ops
 * and strings; dm_script_free() releases them.
 */
#ifndef COHSIM_DM_SCRIPT_H
#define COHSIM_DM_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>

#define DM_SCRIPT_NAME 32
#define DM_SCRIPT_DISKS 8
#define DM_SCRIPT_DEVS 8     /* mapped-device names in one script */
#define DM_SCRIPT_MAX_IO 128 /* sectors per I/O line */
#define DM_SCRIPT_MAX_SECTORS (1u << 16)

enum dm_verb {
	DM_DISK,
	DM_CREATE,
	DM_RELOAD,
	DM_RESUME,
	DM_SUSPEND,
	DM_STATUS,
	DM_MESSAGE,
	DM_REMOVE,
	DM_WRITE,
	DM_READ,
	DM_VERIFY,
	DM_FLUSH,
	DM_ARM_CRASH,
	DM_CRASH,
	DM_TORN,
};

struct dm_op {
	enum dm_verb verb;
	unsigned line;
	char name[DM_SCRIPT_NAME]; /* mapped device or disk (without /dev/) */
	bool raw;                  /* an I/O line on a disk ("/dev/NAME") */
	unsigned dev;              /* I/O: its tracker (dm_script.trackers) */
	char *text;                /* table or message */
	uint64_t sector, count;
	unsigned pattern;
	bool fua;
};

struct dm_tracked {
	char name[DM_SCRIPT_NAME + 5]; /* "c" or "/dev/od" */
	uint64_t sectors;              /* the most the script ever gives it */
};

struct dm_script {
	const char *path;
	struct dm_op *ops;
	size_t nops;
	struct {
		char name[DM_SCRIPT_NAME];
		uint64_t sectors;
		bool in_table; /* under a cache target: its reads are not checked */
	} disks[DM_SCRIPT_DISKS];
	unsigned ndisks;
	struct dm_tracked trackers[DM_SCRIPT_DEVS + DM_SCRIPT_DISKS];
	unsigned ntrackers;
};

/* 0, or 2 (bad input, message printed) or 3 (out of memory). */
int dm_script_parse(const char *path, struct dm_script *s);
void dm_script_free(struct dm_script *s);
const char *dm_verb_name(enum dm_verb v);

#endif
