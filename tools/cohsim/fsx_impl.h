/*
 * fsx_impl.h - what the parts of `cohsim fsx`'s workload share: fsx.c (the
 * operations), fsx_aio.c (AIO requests in flight), fsx_mmap.c (the mmap
 * operations), fsx_run.c (the tasks and the scenario) and fsx_good.c (the
 * operation log and the good copy each result is checked against). Not a
 * public interface.
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

#define PAGE 4096
/* Each task's buffers, in 156 KiB of anonymous memory (an mm has at most
 * COH_MM_PTES pages mapped: the file is mapped only for an mmap operation,
 * as fsx does). A direct read's buffer is never one the CPU wrote: mapping
 * it for the device invalidates its lines, and the oracle counts a dirty
 * line dropped there as a lost write (docs/fsx.md), so those pages are
 * faulted in once, before any operation (prefault()). */
#define UBUF 0x40000000ul
#define UBUF_LEN 0x27000ul
#define UREAD UBUF               /* buffered reads land here (32 KiB + 64) */
#define UWRITE (UBUF + 0x9000ul) /* the source of buffered and direct writes */
#define UDREAD (UBUF + 0xc000ul) /* direct reads land here (32 KiB + 4 KiB) */
#define USLOT(i, w) (UBUF + ((w) ? 0x15000ul : 0x1e000ul) + (unsigned long)(i)*0x3000ul)
#define UMAP 0x50000000ul /* the window an mmap operation maps */

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

/* fsx.c: one operation (number no) of task t, drawn by its generator; and
 * what the operations share: the task's generator (a number below n), the
 * bytes operation no writes, the task's own stores of p[0..n) at uaddr, a
 * direct transfer's range and buffer (one in eight misaligned) and what of
 * it is misaligned (NULL: nothing), a checked read(2) of [off, off + len)
 * into buf. */
void fsx_one_op(struct task *t, uint64_t no);
unsigned fsx_below(struct task *t, uint64_t n);
void fsx_fill(uint8_t *p, size_t n, uint64_t no);
void fsx_put_bytes(unsigned long uaddr, const uint8_t *p, size_t n);
void fsx_pick_direct(struct task *t, int64_t *off, size_t *len, unsigned long *buf,
                     unsigned long base);
const char *fsx_misaligned(int64_t off, size_t len, unsigned long buf);
void fsx_read_range(struct task *t, uint64_t no, unsigned f, bool direct, int64_t off, size_t len,
                    unsigned long buf, struct fsx_logged *e);

static inline int64_t fsx_min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

/* fsx_aio.c: may file f be written at [off, off + len) (or resized) or
 * read there with t's AIO requests in flight; t's busy slots; reaping at
 * least min events (each checked), or all; an aread or awrite submitted. */
bool fsx_may_write(const struct task *t, unsigned f, int64_t off, size_t len, bool resize);
bool fsx_may_read(const struct task *t, unsigned f, int64_t off, size_t len);
unsigned fsx_busy_slots(const struct task *t);
void fsx_reap(struct task *t, uint64_t no, long min);
void fsx_reap_all(struct task *t, uint64_t no);
void fsx_do_aio(struct task *t, uint64_t no, unsigned f, bool write, struct fsx_logged *e);

/* fsx_mmap.c: the mmap operations. */
void fsx_do_mapread(struct task *t, uint64_t no, unsigned f, struct fsx_logged *e);
void fsx_do_mapwrite(struct task *t, uint64_t no, unsigned f, struct fsx_logged *e);

#endif
