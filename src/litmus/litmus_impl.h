/*
 * litmus_impl.h - the parsed litmus test, shared by parse.c and run.c.
 * Not installed: tools and tests use include/cohsim/litmus.h.
 */
#ifndef COHSIM_LITMUS_IMPL_H
#define COHSIM_LITMUS_IMPL_H

#include "cohsim/litmus.h"

#define COH__LITMUS_MAX_THREADS 32
#define COH__LITMUS_MAX_SYNC 32 /* names of signal/wait */

struct coh__op_list {
	coh_litmus_op *ops;
	size_t n, cap;
};

struct coh_litmus {
	char *name;
	const coh_arch *arch;
	unsigned ncpus;
	size_t mem_size; /* 0: not given (no ram banks either: any PA below 2^40) */
	struct coh_ram_bank ram[COH_MAX_RAM_BANKS]; /* `ram` lines, in file order */
	unsigned nram;
	unsigned page_size; /* 0: the arch's */
	uint64_t seed;
	char *expect;
	struct coh__op_list setup;
	coh_litmus_thread threads[COH__LITMUS_MAX_THREADS];
	struct coh__op_list thread_ops[COH__LITMUS_MAX_THREADS];
	char *thread_names[COH__LITMUS_MAX_THREADS];
	size_t nthreads;
	char *sync_names[COH__LITMUS_MAX_SYNC];
	size_t nsync;
};

/* coh_litmus_exec() with a buffer for DMA ops of at least their length
 * (NULL: allocate one per op). A task may be abandoned at any preemption
 * point (the explorer cuts executions short), so code run by tasks must not
 * hold heap memory across a machine operation: program.c gives each thread
 * its own scratch buffer instead. */
int coh__litmus_exec(const coh_litmus *lt, coh_machine *m, coh_check *chk, const coh_litmus_op *op,
                     coh_litmus_error *err, uint8_t *scratch);

/* Formats "NAME:LINE: msg" (or "NAME: msg" for line 0) into err. */
void coh__litmus_error(coh_litmus_error *err, const char *name, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* sync.c: signal and wait. The index of name (interned; COH_ERANGE past
 * COH__LITMUS_MAX_SYNC names); the check of the whole test; the next thread
 * of the sequential run (pc: each thread's next op, done: signals not yet
 * taken per name), or -1 when every unfinished thread waits. */
int coh__litmus_sync_name(coh_litmus *lt, const char *name, unsigned *index);
int coh__litmus_sync_check(const coh_litmus *lt, coh_litmus_error *err);
int coh__litmus_sync_next(const coh_litmus *lt, const size_t *pc, const unsigned *done);

#endif
