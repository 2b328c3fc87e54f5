/*
 * cohsim/litmus.h - litmus tests: small text programs that drive the machine
 * directly, one operation per line (the grammar is in docs/litmus.md).
 *
 * A parsed test (coh_litmus) is immutable: a machine configuration, a list
 * of *setup* operations that run first, in order, and zero or more *threads*
 * (`thread NAME cpuN ... end`), each a list of operations on one CPU. The
 * runner executes one operation at a time against a machine and a checker,
 * so a scheduler can interleave threads by calling coh_litmus_exec() from
 * its tasks; coh_litmus_run() is the sequential run: setup, then each thread
 * to completion, in file order.
 *
 * Errors: parsing never crashes and never stops at the first problem it
 * cannot handle silently; it reports the first error as "FILE:LINE: what is
 * wrong" in a coh_litmus_error and returns COH_EINVAL (COH_ENOMEM when the
 * host runs out of memory, COH_EFAULT when the file cannot be read).
 *
 * Ownership: coh_litmus_parse_*() allocates the test; free it with
 * coh_litmus_free(). Pointers returned by the accessors (ops, threads,
 * names) live as long as the test, and the machine may keep them (actor
 * names) for as long as the test lives.
 */
#ifndef COHSIM_LITMUS_H
#define COHSIM_LITMUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cohsim/check.h"
#include "cohsim/common.h"
#include "cohsim/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

enum coh_litmus_opcode {
	COH_LOP_MAP,
	COH_LOP_UNMAP,
	COH_LOP_STORE,
	COH_LOP_LOAD,
	COH_LOP_CLEAN,
	COH_LOP_INVAL,
	COH_LOP_FLUSH,
	COH_LOP_FLUSH_ALL,
	COH_LOP_EVICT,
	COH_LOP_PREFETCH,
	COH_LOP_DMA_READ,
	COH_LOP_DMA_WRITE,
	COH_LOP_SIGNAL, /* thread synchronisation: complete() */
	COH_LOP_WAIT,   /* wait_for_completion() */
	COH_LOP_COUNT
};

/* "map", "store", "dma-read", ... (the keyword of the grammar). */
COH_API const char *coh_litmus_opcode_name(enum coh_litmus_opcode op);

typedef struct coh_litmus_op {
	enum coh_litmus_opcode code;
	unsigned line;      /* 1-based line in the file */
	int cpu;            /* the issuing CPU; -1 for map/unmap/DMA */
	coh_addr_t va;      /* map, unmap, store, load, maintenance */
	coh_addr_t pa;      /* map, dma-read, dma-write */
	uint64_t len;       /* map, unmap, clean/inval/flush, dma-* */
	unsigned size;      /* load/store: 1, 2, 4 or 8 bytes */
	uint64_t value;     /* store; load's expected value; dma-write's byte */
	bool expect;        /* load: has `expect VALUE` */
	enum coh_attr attr; /* map */
	unsigned sync;      /* signal/wait: the name's index (coh_litmus_sync_name) */
} coh_litmus_op;

typedef struct coh_litmus_thread {
	const char *name;
	unsigned cpu;
	unsigned line; /* of the `thread` line */
	const coh_litmus_op *ops;
	size_t nops;
} coh_litmus_thread;

typedef struct coh_litmus coh_litmus;

typedef struct coh_litmus_error {
	unsigned line;     /* 0: not about one line (file not found, ...) */
	char message[512]; /* "FILE:LINE: what is wrong", no newline */
} coh_litmus_error;

/* Parses the file at path. name (may be NULL: path) is the file name used
 * in messages and reports; it is copied. */
COH_API int coh_litmus_parse_file(const char *path, coh_litmus **out, coh_litmus_error *err);
/* Parses text (NUL-terminated); name stands for the file in messages. */
COH_API int coh_litmus_parse_string(const char *name, const char *text, coh_litmus **out,
                                    coh_litmus_error *err);
COH_API void coh_litmus_free(coh_litmus *lt);

COH_API const char *coh_litmus_name(const coh_litmus *lt);
COH_API const coh_arch *coh_litmus_arch(const coh_litmus *lt);
/* The `# expect: ...` header comment, trimmed ("stale-read", "clean",
 * "stale-dma lost-write"), or NULL when the file has none. */
COH_API const char *coh_litmus_expect(const coh_litmus *lt);
/* The machine the test asks for: arch, cpus, mem-size, page-size, seed.
 * arch (may be NULL) overrides the file's `arch` (e.g. --arch on the
 * command line); returns COH_EINVAL and fills err when the test does not
 * fit that arch (a mapping not aligned to its page size). */
COH_API int coh_litmus_machine_config(const coh_litmus *lt, const coh_arch *arch,
                                      coh_machine_config *cfg, coh_litmus_error *err);
COH_API const coh_litmus_op *coh_litmus_setup(const coh_litmus *lt, size_t *nops);
COH_API size_t coh_litmus_thread_count(const coh_litmus *lt);
COH_API const coh_litmus_thread *coh_litmus_thread_at(const coh_litmus *lt, size_t i);
/* The names of `signal NAME` / `wait NAME`, indexed by coh_litmus_op.sync,
 * in first-use order. */
COH_API size_t coh_litmus_sync_count(const coh_litmus *lt);
COH_API const char *coh_litmus_sync_name(const coh_litmus *lt, size_t i);

/*
 * Executes one operation: sets the machine's site to the op's line (file
 * NULL), does it, and reports an `expect-failed` finding when a load's value
 * differs from its `expect`. Findings of the oracle (including bad-access
 * for an unmapped VA) are not errors: it returns 0 and the run goes on.
 * Returns a negative COH_E* status only when the machine rejects the
 * operation outright (e.g. a map that overlaps one made by another thread),
 * and then fills err (may be NULL) with "FILE:LINE: ...". `signal` and
 * `wait` are not machine operations: here they do nothing (the program and
 * coh_litmus_run() schedule them).
 */
COH_API int coh_litmus_exec(const coh_litmus *lt, coh_machine *m, coh_check *chk,
                            const coh_litmus_op *op, coh_litmus_error *err);
/* The sequential run: every setup op, then each thread in file order, each
 * thread's ops with the machine's actor set to the thread's name. A thread
 * that waits for a name not signalled yet pauses there, and the first
 * thread in file order that can go on runs next. Stops at the first error;
 * COH_EINVAL with "FILE:LINE: ..." when every unfinished thread waits. */
COH_API int coh_litmus_run(const coh_litmus *lt, coh_machine *m, coh_check *chk,
                           coh_litmus_error *err);

/*
 * The test as a program for the explorer (cohsim/sched.h), so that its
 * threads interleave: setup() runs the setup ops in order on the host stack
 * (not preemption points) and creates one task per thread on its CPU, named
 * after the thread (the actor of its events); each task runs its ops with
 * coh_litmus_exec(). Every machine operation is a preemption point (the
 * machine's access hook); map and unmap, which the machine does not hook,
 * get an explicit one, so that they interleave too. A DMA op in a thread is
 * the device working concurrently with the CPUs. `signal NAME` is the
 * kernel's complete() and `wait NAME` its wait_for_completion() on one
 * completion per name, so a thread can wait for another's work (a driver
 * that reads after the DMA completes); a wait is a point where the thread
 * may sleep, and threads that wait for each other are a `deadlock`.
 *
 * An op the machine rejects in some interleaving (a map that overlaps one
 * made by another thread there) is a `bug` finding of that execution, with
 * its schedule; its thread stops. An error of the setup ops stops the
 * explorer: coh_explore() returns its status and coh_litmus_program_error()
 * says "FILE:LINE: ..." (only in process: not from --jobs workers).
 *
 * The program keeps a pointer to lt, which must outlive it.
 */
typedef struct coh_litmus_program coh_litmus_program;
struct coh_program;
COH_API int coh_litmus_program_create(const coh_litmus *lt, coh_litmus_program **out);
COH_API void coh_litmus_program_free(coh_litmus_program *p);
/* What to pass to coh_explore(); lives as long as p. */
COH_API const struct coh_program *coh_litmus_program_get(const coh_litmus_program *p);
/* The message of the last setup error, or NULL. */
COH_API const char *coh_litmus_program_error(const coh_litmus_program *p);

#ifdef __cplusplus
}
#endif
#endif
