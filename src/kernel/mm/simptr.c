/*
 * simptr.c - accessors for simulated kernel memory.
 *
 * Each accessor is one access through the running CPU's cache (and so a
 * preemption point). A fault is reported by the oracle as a bad access;
 * the read then yields 0.
 *
 * DMA-API debug: each access first asks dma/mapping.c whether the device
 * owns the bytes (coh__dma_debug_cpu_access: nothing to do, and no
 * translation, while no DMA mapping is live).
 */
#include "kernel/kernel_impl.h"

static u64 rd(simptr p, unsigned size)
{
	uint64_t v = 0;
	coh__dma_debug_cpu_access(p.addr, size, false);
	coh_load(coh__kernel.m, coh__cpu(), p.addr, size, &v);
	return v;
}

static void wr(simptr p, unsigned size, u64 v)
{
	coh__dma_debug_cpu_access(p.addr, size, true);
	coh_store(coh__kernel.m, coh__cpu(), p.addr, size, v);
}

u8 sim_read8(simptr p)
{
	return (u8)rd(p, 1);
}

u16 sim_read16(simptr p)
{
	return (u16)rd(p, 2);
}

u32 sim_read32(simptr p)
{
	return (u32)rd(p, 4);
}

u64 sim_read64(simptr p)
{
	return rd(p, 8);
}

void sim_write8(simptr p, u8 v)
{
	wr(p, 1, v);
}

void sim_write16(simptr p, u16 v)
{
	wr(p, 2, v);
}

void sim_write32(simptr p, u32 v)
{
	wr(p, 4, v);
}

void sim_write64(simptr p, u64 v)
{
	wr(p, 8, v);
}

void sim_memcpy_from(void *dst, simptr src, size_t n)
{
	coh__dma_debug_cpu_access(src.addr, n, false);
	coh_read(coh__kernel.m, coh__cpu(), src.addr, dst, n);
}

void sim_memcpy_to(simptr dst, const void *src, size_t n)
{
	coh__dma_debug_cpu_access(dst.addr, n, true);
	coh_write(coh__kernel.m, coh__cpu(), dst.addr, src, n);
}

void sim_memset(simptr dst, int c, size_t n)
{
	u8 buf[64];
	coh__dma_debug_cpu_access(dst.addr, n, true);
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (u8)c;
	while (n) {
		size_t chunk = n < sizeof(buf) ? n : sizeof(buf);
		coh_write(coh__kernel.m, coh__cpu(), dst.addr, buf, chunk);
		dst.addr += chunk;
		n -= chunk;
	}
}
