/*
 * cohsim/callsite.h - call lines for the call chains of reports.
 *
 * Each kernel-model entry point a scenario calls is wrapped here in a macro
 * that first tells the caller's frame (COH_FRAME(), cohsim/machine.h) the
 * line of the call, so that a report's chain names the line that called
 * dma_map_page, not the last line before it that touched memory. The macro
 * is an expression of the function's own type and evaluates each argument
 * once; taking the function's address (&kmap, kmap without parentheses) is
 * not affected. Included by cohsim/scenario.h; the kernel model does not
 * include it (its definitions would not compile through the macros).
 */
#ifndef COHSIM_CALLSITE_H
#define COHSIM_CALLSITE_H

#include "cohsim/linux.h"

#define COH__CALLED(fn, ...) (coh__frame_at(__FILE__, __LINE__), fn(__VA_ARGS__))

#define page_address(...) COH__CALLED(page_address, __VA_ARGS__)
#define kmap(...) COH__CALLED(kmap, __VA_ARGS__)
#define kunmap(...) COH__CALLED(kunmap, __VA_ARGS__)
#define kmap_high(...) COH__CALLED(kmap_high, __VA_ARGS__)
#define kunmap_high(...) COH__CALLED(kunmap_high, __VA_ARGS__)
#define kmap_high_get(...) COH__CALLED(kmap_high_get, __VA_ARGS__)
#define vmalloc(...) COH__CALLED(vmalloc, __VA_ARGS__)
#define vfree(...) COH__CALLED(vfree, __VA_ARGS__)
#define vmap(...) COH__CALLED(vmap, __VA_ARGS__)
#define vunmap(...) COH__CALLED(vunmap, __VA_ARGS__)
#define flush_kernel_vmap_range(...) COH__CALLED(flush_kernel_vmap_range, __VA_ARGS__)
#define invalidate_kernel_vmap_range(...) COH__CALLED(invalidate_kernel_vmap_range, __VA_ARGS__)
#define flush_dcache_page(...) COH__CALLED(flush_dcache_page, __VA_ARGS__)
#define dma_map_page(...) COH__CALLED(dma_map_page, __VA_ARGS__)
#define dma_unmap_page(...) COH__CALLED(dma_unmap_page, __VA_ARGS__)
#define dma_map_single(...) COH__CALLED(dma_map_single, __VA_ARGS__)
#define dma_unmap_single(...) COH__CALLED(dma_unmap_single, __VA_ARGS__)
#define dma_sync_single_for_cpu(...) COH__CALLED(dma_sync_single_for_cpu, __VA_ARGS__)
#define dma_sync_single_for_device(...) COH__CALLED(dma_sync_single_for_device, __VA_ARGS__)
#define dma_map_sg(...) COH__CALLED(dma_map_sg, __VA_ARGS__)
#define dma_unmap_sg(...) COH__CALLED(dma_unmap_sg, __VA_ARGS__)
#define dm_io(...) COH__CALLED(dm_io, __VA_ARGS__)
#define submit_bio(...) COH__CALLED(submit_bio, __VA_ARGS__)
#define bio_endio(...) COH__CALLED(bio_endio, __VA_ARGS__)
#define zero_fill_bio(...) COH__CALLED(zero_fill_bio, __VA_ARGS__)

#endif
