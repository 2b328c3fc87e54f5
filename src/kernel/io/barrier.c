/*
 * barrier.c - mb(), rmb(), wmb(), dma_rmb(), dma_wmb() and smp_*() per
 * profile (include/cohsim/io.h).
 *
 * Interface: coh__barrier(), behind the macros. On ARMv6/v7 a barrier is a
 * machine operation (coh_barrier: an event at the caller's line, and the
 * running CPU's write buffer drains); dsb or dmb as the kernel has it.
 * Invariant: a barrier that is only a compiler barrier (smp_*() on one CPU,
 * everything on ARMv5, MIPS, SH, PA-RISC and x86, where no memory type is
 * buffered in the model) records nothing and is not a preemption point.
 */
#include "kernel/kernel_impl.h"

/* mb/rmb/wmb, arch/arm/include/asm/system.h (v2.6.35) with
 * CONFIG_ARM_DMA_MEM_BUFFERABLE; dma_rmb/dma_wmb, asm/barrier.h (v3.19) */
void coh__barrier(enum coh_barrier_op op, const char *file, unsigned line)
{
	coh_machine *m = coh__kernel.m;
	const coh_arch *a = coh_machine_arch(m);
	if (a->family != COH_ARCH_ARM || a->arm_arch < 6)
		return;
	enum coh_barrier_kind kind;
	switch (op) {
	case COH_MB:
	case COH_WMB:
		kind = COH_BARRIER_DSB; /* dsb(); outer_sync() */
		break;
	case COH_SMP_MB:
	case COH_SMP_RMB:
	case COH_SMP_WMB:
		if (coh_machine_ncpus(m) < 2)
			return; /* !CONFIG_SMP: barrier() */
		kind = COH_BARRIER_DMB;
		break;
	default: /* rmb, dma_rmb, dma_wmb */
		kind = COH_BARRIER_DMB;
		break;
	}
	coh_machine_set_site(m, file, line);
	coh_barrier(m, coh__cpu(), kind);
}
