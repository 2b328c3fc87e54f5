/*
 * fsx.h - `cohsim fsx`'s workload (fsx.c) and its command (cmd_fsx.c).
 *
 * fsx.c runs random file operations (docs/fsx.md) as the tasks of a
 * scenario of its own, on simplefs on a simulated disk, and checks every
 * byte read against a good copy of each file kept on the host. Its state
 * is the run's, host-side and reset by each execution's setup; cmd_fsx.c
 * reads it after the run to print the operation log and the mismatch.
 */
#ifndef COHSIM_TOOL_FSX_H
#define COHSIM_TOOL_FSX_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cohsim/scenario.h"

#define FSX_MAX_FILES 8 /* simplefs: 8 files, three open files each */
#define FSX_MAX_TASKS 8
#define FSX_FILE_PAGES 8
#define FSX_FILE_MAX (FSX_FILE_PAGES * 4096) /* a file's extent: 32 KiB */
#define FSX_MAX_LEN 8192                     /* the longest read or write */
#define FSX_AIO_SLOTS 3                      /* AIO requests in flight per task */
#define FSX_LOG 64                           /* operations kept for the report */
#define FSX_SHOW 8                           /* bytes shown each side of a mismatch */

struct fsx_config {
	uint64_t ops, seed;
	unsigned tasks, files;
	bool journal; /* --journal: a page's release may fail (a journal holds its buffers) */
};

/* One operation as the log keeps it. */
struct fsx_logged {
	uint64_t no;
	unsigned task;
	char text[120];
};

/* The first mismatch between a read and the good copy. */
struct fsx_mismatch {
	bool found;
	uint64_t op;       /* the operation that read */
	unsigned file;     /* 0-based */
	const char *how;   /* "read", "mmap load", "direct read", ... */
	int64_t offset;    /* file offset of the first differing byte */
	unsigned ndiffer;  /* differing bytes in the operation */
	int64_t show_from; /* file offset of want[0] / got[0] */
	unsigned show_len; /* bytes in want/got */
	uint8_t want[2 * FSX_SHOW], got[2 * FSX_SHOW];
	uint64_t writer; /* the operation that wrote the expected byte (0: none) */
	char result[96]; /* set for a wrong return value instead of bytes */
};

/* What an execution did, for the report (reset by setup). */
struct fsx_outcome {
	uint64_t ops_done;   /* operations started, final checks not counted */
	uint64_t finding_op; /* the operation during which the first finding came (0: none) */
	bool final_checked;  /* the whole-file check after sync and drop ran */
	uint64_t accesses;   /* simulated loads and stores of the execution */
	uint64_t op_counts[16];
	struct fsx_mismatch mismatch;
	struct fsx_logged log[FSX_LOG]; /* a ring: entry no % FSX_LOG */
	uint64_t nlogged;               /* entries ever logged */
};

/* The scenario that runs cfg (copied). */
const coh_scenario *fsx_scenario(const struct fsx_config *cfg);
/* The last execution's outcome. */
const struct fsx_outcome *fsx_outcome(void);
/* The names of the operations, for the counts (NULL past the last). */
const char *fsx_op_name(unsigned i);

#endif
