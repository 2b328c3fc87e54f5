/*
 * kernel_impl.h - the kernel model's shared insides (src/kernel only).
 *
 * The kernel of one execution lives in `coh__kernel`, rebuilt by
 * kernel_init() at the start of each execution. Each subsystem keeps its own
 * state in its own file and has an init function that kernel_init() calls,
 * in the order a booting kernel would: pages, highmem, vmalloc, DMA, block,
 * dm-io.
 */
#ifndef COHSIM_KERNEL_IMPL_H
#define COHSIM_KERNEL_IMPL_H

#include "cohsim/linux.h"
#include "machine/machine_impl.h"

struct coh__kernel {
	coh_sched *s;
	coh_machine *m;
	coh_check *chk;
	struct kernel_config cfg;
	unsigned page_shift;
	struct page *pages; /* one per frame */
	unsigned long npages;
	unsigned long highmem_pfn; /* first highmem frame */
};

extern struct coh__kernel coh__kernel;

/* The CPU the running context is on. */
static inline unsigned coh__cpu(void)
{
	return coh_this_cpu();
}

/* Subsystem init, called by kernel_init() (each file defines its own). */
int coh__page_alloc_init(void);

#endif
