/*
 * fsx_impl.h - what the two halves of `cohsim fsx` share: fsx.c (the
 * workload and its scenario) and fsx_good.c (the operation log and the good
 * copy each result is checked against). Not a public interface.
 */
#ifndef COHSIM_TOOL_FSX_IMPL_H
#define COHSIM_TOOL_FSX_IMPL_H

#include <stdarg.h>
#include <string.h>

#include "cohsim/aio.h"
#include "cohsim/scenario.h"
#include "fsx.h"

enum fsx_kind {
	OP_READ,
	OP_WRITE,
	OP_MAPREAD,
	OP_MAPWRITE,
	OP_MSYNC,
	OP_TRUNCATE,
	OP_FSYNC,
	OP_DROP,
	OP_DREAD,
	OP_DWRITE,
	OP_AREAD,
	OP_AWRITE,
	OP_REAP,
	OP_SWRITE, /* never drawn: the buffered writes that were O_SYNC */
	OP_NKINDS
};

extern const char *const fsx_kind_name[OP_NKINDS];
/* how often each is drawn, out of 100 */
extern const unsigned fsx_kind_weight[OP_NKINDS];

struct good {
	uint8_t data[FSX_FILE_MAX];
	uint32_t writer[FSX_FILE_MAX]; /* the operation that wrote each byte (0: none) */
	int64_t size;
};

struct slot {
	bool busy, write;
	unsigned file;
	int64_t off;
	size_t len;
	unsigned long buf;
	long long res; /* the result it must have */
	bool eio_ok;   /* --journal writes: -EIO/-EBUSY (nothing written) is right too */
	uint64_t no;
	struct iocb cb;
	uint8_t data[FSX_MAX_LEN]; /* a write's bytes, or a read's expected bytes */
	uint8_t alt[FSX_MAX_LEN], has_alt[FSX_MAX_LEN];
};

struct task {
	unsigned id;
	struct mm_struct *mm;
	uint64_t rng;
	aio_context_t ctx;
	unsigned files[FSX_MAX_FILES], nfiles;
	struct slot slots[FSX_AIO_SLOTS];
	uint8_t want[FSX_FILE_MAX], got[FSX_FILE_MAX], alt[FSX_FILE_MAX], has_alt[FSX_FILE_MAX];
	uint8_t data[FSX_MAX_LEN];
	struct io_event ev[FSX_AIO_SLOTS];
};

/* The state of one fsx run (reset by setup). */
struct fsx_state {
	struct fsx_config cfg;
	struct super_block *sb;
	struct file *bfile[FSX_MAX_FILES], *dfile[FSX_MAX_FILES], *sfile[FSX_MAX_FILES];
	struct good good[FSX_MAX_FILES];
	struct task tasks[FSX_MAX_TASKS];
	uint64_t next_op;
	unsigned finished, prefaulted;
	coh_completion ready; /* every task has faulted its buffers in */
	bool stop;
	struct fsx_outcome out;
};
extern struct fsx_state fsx_st;

/* fsx_good.c: the log of operations (a ring of FSX_LOG entries) */
struct fsx_logged *fsx_log_op(uint64_t no, unsigned task);
void fsx_log_add(struct fsx_logged *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* fsx_good.c: the good copy. What [off, off + n) of file f may read as
 * now (want[], and alt[] where an AIO write of t in flight may have put
 * other bytes); a write applied to it; a comparison and a result check that
 * report the run's first mismatch (true if they agree). */
void fsx_expect(struct task *t, unsigned f, int64_t off, size_t n, uint8_t *want, uint8_t *alt,
                uint8_t *has_alt);
void fsx_apply_write(unsigned f, int64_t off, const uint8_t *p, size_t n, uint64_t no);
bool fsx_compare(uint64_t no, unsigned f, const char *how, int64_t off, size_t n,
                 const uint8_t *got, const uint8_t *want, const uint8_t *alt,
                 const uint8_t *has_alt);
bool fsx_check_result(uint64_t no, unsigned f, const char *how, long long got, long long want,
                      bool eio_ok);

#endif
