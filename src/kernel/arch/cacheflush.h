/*
 * cacheflush.h - the arch cache maintenance shared inside src/kernel
 * (arch/cacheflush.c).
 *
 * The range operations work line by line through the machine, so every line
 * is its own preemption point, as a real maintenance loop can be preempted
 * or raced by another CPU between two cache operations.
 */
#ifndef COHSIM_KERNEL_ARCH_CACHEFLUSH_H
#define COHSIM_KERNEL_ARCH_CACHEFLUSH_H

#include "kernel/kernel_impl.h"

/* Does the L1 data cache alias (index from the VA: VIVT, aliasing VIPT,
 * PA-RISC)? Then maintenance must be done through the right VA. */
bool coh__cache_aliases(void);

/* The ARM dma cache ops (arch/arm/mm/cache-v4wb.S style), on the range
 * [va, va+size) of the running CPU. Nothing on dma_coherent profiles.
 * dmac_map_area: FROM_DEVICE invalidates (cleaning partial edge lines first),
 * TO_DEVICE cleans, BIDIRECTIONAL flushes. dmac_unmap_area: FROM_DEVICE and
 * BIDIRECTIONAL invalidate on CPUs that fill speculatively (cleaning partial
 * edge lines first, as on the map), else nothing. */
void coh__dmac_map_area(coh_addr_t va, size_t size, enum dma_data_direction dir);
void coh__dmac_unmap_area(coh_addr_t va, size_t size, enum dma_data_direction dir);

/* __cpuc_flush_dcache_area: clean+invalidate [va, va+size), line by line. */
void coh__cpuc_flush_dcache_area(coh_addr_t va, size_t size);

/* flush_cache_vunmap(): before a vmap area goes away, write back and drop
 * its lines (aliasing caches only). One machine op for the whole range. */
void coh__flush_cache_vunmap(coh_addr_t start, coh_addr_t end);

#endif
