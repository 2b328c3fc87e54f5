/*
 * simptr.c - accessors for simulated kernel memory.
 *
 * Each accessor is one access through the running CPU's cache (and so a
 * preemption point), tagged with the caller's source line (the sim_* macros
 * of linux.h pass __FILE__/__LINE__), so that reports and timelines name
 * the scenario or kernel line of every memory step. A fault is reported by
 * the oracle as a bad access; the read then yields 0.
 *
 * DMA-API debug: after each access (so that a finding's trigger is the
 * access itself, at the caller's line, and the ownership is the one at the
 * moment of the access, after any preemption) dma/mapping.c checks whether
 * the device owns the bytes (coh__dma_debug_cpu_access: nothing to do, and
 * no translation, while no DMA mapping is live).
 */
#include "kernel/kernel_impl.h"

static void site(const char *file, unsigned line)
{
	coh_machine_set_site(coh__kernel.m, file, line);
}

u64 coh__sim_read(simptr p, unsigned size, const char *file, unsigned line)
{
	uint64_t v = 0;
	site(file, line);
	coh_load(coh__kernel.m, coh__cpu(), p.addr, size, &v);
	coh__dma_debug_cpu_access(p.addr, size, false);
	return v;
}

void coh__sim_write(simptr p, unsigned size, u64 v, const char *file, unsigned line)
{
	site(file, line);
	coh_store(coh__kernel.m, coh__cpu(), p.addr, size, v);
	coh__dma_debug_cpu_access(p.addr, size, true);
}

void coh__sim_memcpy_from(void *dst, simptr src, size_t n, const char *file, unsigned line)
{
	site(file, line);
	coh_read(coh__kernel.m, coh__cpu(), src.addr, dst, n);
	coh__dma_debug_cpu_access(src.addr, n, false);
}

void coh__sim_memcpy_to(simptr dst, const void *src, size_t n, const char *file, unsigned line)
{
	site(file, line);
	coh_write(coh__kernel.m, coh__cpu(), dst.addr, src, n);
	coh__dma_debug_cpu_access(dst.addr, n, true);
}

void coh__sim_memset(simptr dst, int c, size_t n, const char *file, unsigned line)
{
	u8 buf[64];
	site(file, line);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)c;
	while (n) {
		size_t chunk = n < sizeof(buf) ? n : sizeof(buf);
		coh_write(coh__kernel.m, coh__cpu(), dst.addr, buf, chunk);
		coh__dma_debug_cpu_access(dst.addr, chunk, true);
		dst.addr += chunk;
		n -= chunk;
	}
}
