/*
 * ctx.c - stacks and the portable half of the context switch (see ctx.h).
 *
 * Stacks are mmap'ed with a PROT_NONE guard page below them, so an overflow
 * faults instead of corrupting a neighbour. A fresh assembly context is a
 * stack whose top holds the frame coh__ctx_swap pops: zeroed callee-saved
 * registers, fn and arg in two of them, and coh__ctx_boot as return address.
 * When valgrind's header is there, each stack is registered with it
 * (VALGRIND_STACK_REGISTER, a no-op outside valgrind), so that memcheck
 * follows the switches instead of reporting every access as an error.
 */
#include "sched/ctx.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef COHSIM_SANITIZE
#include <pthread.h>
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#ifdef COHSIM_VALGRIND /* CMake found valgrind/valgrind.h */
#include <valgrind/valgrind.h>
#endif

#ifndef COHSIM_UCONTEXT
void coh__ctx_swap(void **save_sp, void *new_sp);
void coh__ctx_boot(void);
#endif

#ifdef COHSIM_SANITIZE
static void *host_stack_bottom;
static size_t host_stack_size;
#endif

void coh__ctx_init_host(struct coh__ctx *c)
{
	memset(c, 0, sizeof(*c));
#ifdef COHSIM_SANITIZE
	if (!host_stack_bottom) {
		pthread_attr_t attr;
		if (pthread_getattr_np(pthread_self(), &attr) == 0) {
			pthread_attr_getstack(&attr, &host_stack_bottom, &host_stack_size);
			pthread_attr_destroy(&attr);
		}
	}
#endif
}

int coh__ctx_stack_alloc(struct coh__ctx *c, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size = (size + page - 1) & ~(page - 1);
	void *map =
	    mmap(NULL, size + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return -1;
	mprotect(map, page, PROT_NONE); /* the guard: best effort */
	c->map = map;
	c->map_size = size + page;
	c->stack = (char *)map + page;
	c->size = size;
#ifdef COHSIM_VALGRIND
	c->vg_id = VALGRIND_STACK_REGISTER(c->stack, (char *)c->stack + size);
#endif
	return 0;
}

void coh__ctx_stack_free(struct coh__ctx *c)
{
#ifdef COHSIM_VALGRIND
	if (c->map)
		VALGRIND_STACK_DEREGISTER(c->vg_id);
#endif
	if (c->map)
		munmap(c->map, c->map_size);
	c->map = c->stack = NULL;
	c->size = 0;
}

#ifdef COHSIM_UCONTEXT
static void uc_boot(unsigned hi, unsigned lo)
{
	struct coh__ctx *c = (struct coh__ctx *)(((uintptr_t)hi << 32) | (uintptr_t)lo);
	c->fn(c->arg);
	__builtin_trap();
}
#endif

void coh__ctx_make(struct coh__ctx *c, void (*fn)(void *), void *arg)
{
	c->fn = fn;
	c->arg = arg;
	c->asan_fake = NULL;
#ifdef COHSIM_SANITIZE
	/* Frames abandoned on this stack in an earlier execution left their
	 * redzones poisoned. */
	ASAN_UNPOISON_MEMORY_REGION(c->stack, c->size);
#endif
#ifdef COHSIM_UCONTEXT
	getcontext(&c->uc);
	c->uc.uc_stack.ss_sp = c->stack;
	c->uc.uc_stack.ss_size = c->size;
	c->uc.uc_link = NULL;
	uintptr_t p = (uintptr_t)c;
	makecontext(&c->uc, (void (*)(void))uc_boot, 2, (unsigned)(p >> 32), (unsigned)p);
#else
	uintptr_t top = ((uintptr_t)c->stack + c->size) & ~(uintptr_t)15;
	uint64_t *f;
#if defined(__x86_64__)
	/* [ctl words][r15][r14][r13][r12][rbx][rbp][ret] then top (aligned) */
	f = (uint64_t *)(top - 64);
	memset(f, 0, 64);
	f[0] = 0x1F80u | ((uint64_t)0x037Fu << 32); /* MXCSR, x87 control word */
	f[3] = (uint64_t)(uintptr_t)arg;            /* r13 */
	f[4] = (uint64_t)(uintptr_t)fn;             /* r12 */
	f[7] = (uint64_t)(uintptr_t)coh__ctx_boot;  /* return address */
#else
	/* x19..x30, d8..d15 as coh__ctx_swap saves them, 176 bytes */
	f = (uint64_t *)(top - 176);
	memset(f, 0, 176);
	f[0] = (uint64_t)(uintptr_t)fn;             /* x19 */
	f[1] = (uint64_t)(uintptr_t)arg;            /* x20 */
	f[11] = (uint64_t)(uintptr_t)coh__ctx_boot; /* x30 */
#endif
	c->sp = f;
#endif
}

void coh__ctx_entered(struct coh__ctx *self)
{
	(void)self;
#ifdef COHSIM_SANITIZE
	__sanitizer_finish_switch_fiber(NULL, NULL, NULL);
#endif
}

void coh__ctx_switch(struct coh__ctx *from, struct coh__ctx *to, bool exiting)
{
#ifdef COHSIM_SANITIZE
	const void *bottom = to->stack ? to->stack : host_stack_bottom;
	size_t size = to->stack ? to->size : host_stack_size;
	__sanitizer_start_switch_fiber(exiting ? NULL : &from->asan_fake, bottom, size);
#else
	(void)exiting;
#endif
#ifdef COHSIM_UCONTEXT
	swapcontext(&from->uc, &to->uc);
#else
	coh__ctx_swap(&from->sp, to->sp);
#endif
#ifdef COHSIM_SANITIZE
	__sanitizer_finish_switch_fiber(from->asan_fake, NULL, NULL);
#endif
}

const char *coh__ctx_impl(void)
{
#if defined(COHSIM_UCONTEXT)
	return "ucontext";
#elif defined(__x86_64__)
	return "asm-x86_64";
#else
	return "asm-aarch64";
#endif
}
