/*
 * ctx.h - execution contexts on their own stacks, and the switch between
 * them. Internal to src/sched.
 *
 * Interface: coh__ctx_stack_alloc() once per task slot (the stack is reused
 * for every execution), coh__ctx_make() to (re)start it at fn(arg),
 * coh__ctx_switch() to save the running context and resume another. fn must
 * never return: it ends by switching away for good (exiting = true).
 *
 * Implementation: a few lines of assembly on x86-64 and aarch64 (callee-saved
 * registers and the stack pointer), swapcontext() elsewhere or when built
 * with -DCOHSIM_UCONTEXT. Under ASan, switches are announced with
 * __sanitizer_{start,finish}_switch_fiber and reused stacks are unpoisoned.
 */
#ifndef COHSIM_SCHED_CTX_H
#define COHSIM_SCHED_CTX_H

#include <stdbool.h>
#include <stddef.h>

#if !defined(COHSIM_UCONTEXT) && !defined(__x86_64__) && !defined(__aarch64__)
#define COHSIM_UCONTEXT 1
#endif
#ifdef COHSIM_UCONTEXT
#include <ucontext.h>
#endif

struct coh__ctx {
	void *sp; /* saved stack pointer (assembly switch) */
#ifdef COHSIM_UCONTEXT
	ucontext_t uc;
#endif
	void *stack; /* lowest usable byte; NULL for the host thread's own stack */
	size_t size;
	void *map; /* the mapping, guard page included */
	size_t map_size;
	void (*fn)(void *);
	void *arg;
	void *asan_fake; /* ASan fake stack of this context while switched out */
	unsigned vg_id;  /* valgrind's id of the stack (when built with its header) */
};

/* Makes c stand for the running host stack. */
void coh__ctx_init_host(struct coh__ctx *c);
int coh__ctx_stack_alloc(struct coh__ctx *c, size_t size);
void coh__ctx_stack_free(struct coh__ctx *c);
/* Arms c to run fn(arg) from the top of its stack at the next switch to it. */
void coh__ctx_make(struct coh__ctx *c, void (*fn)(void *), void *arg);
/* Saves the running context in from and resumes to. exiting: from will never
 * be resumed (lets ASan drop its fake stack). */
void coh__ctx_switch(struct coh__ctx *from, struct coh__ctx *to, bool exiting);
/* Call first thing in a context's fn (ASan bookkeeping). */
void coh__ctx_entered(struct coh__ctx *self);
/* The name of the switch in use: "asm-x86_64", "asm-aarch64", "ucontext". */
const char *coh__ctx_impl(void);

#endif
