/*
 * cacheflush.h - the arch cache maintenance shared inside src/kernel.
 *
 * Each arch family has its own code, as in Linux: arch/arm (arm.c),
 * arch/mips (mips.c), arch/sh (sh.c), arch/parisc (parisc.c); x86 has
 * nothing to do (a PIPT cache, coherent DMA). A family fills a
 * `struct coh__arch_ops`; a NULL operation is the generic no-op of
 * include/linux/highmem.h / asm-generic/cacheflush.h. cacheflush.c
 * dispatches the public functions (flush_kernel_vmap_range, ...) and the
 * DMA API's maintenance (dma/mapping.c) to the profile's family.
 *
 * The range operations work line by line through the machine, so every line
 * is its own preemption point, as a real maintenance loop can be preempted
 * or raced by another CPU between two cache operations. Each family's code
 * follows the release linux_version_code() names, where it changed.
 */
#ifndef COHSIM_KERNEL_ARCH_CACHEFLUSH_H
#define COHSIM_KERNEL_ARCH_CACHEFLUSH_H

#include "cohsim/fs.h"
#include "kernel/kernel_impl.h"

struct coh__arch_ops {
	const char *name; /* "arm", "mips", "sh", "parisc" */
	void (*flush_kernel_vmap_range)(coh_addr_t va, size_t size);
	void (*invalidate_kernel_vmap_range)(coh_addr_t va, size_t size);
	void (*flush_dcache_page)(struct page *page);
	void (*flush_kernel_dcache_page)(struct page *page);
	void (*flush_cache_kmaps)(void);
	void (*flush_cache_vmap)(coh_addr_t start, coh_addr_t end);
	void (*flush_cache_vunmap)(coh_addr_t start, coh_addr_t end);
	/* The DMA API's maintenance of [offset, offset+size) from page (which
	 * may run on into the following pages): before the device owns the
	 * buffer (map, sync_for_device) and after (unmap, sync_for_cpu). */
	void (*dma_page_cpu_to_dev)(struct page *page, size_t offset, size_t size,
	                            enum dma_data_direction dir);
	void (*dma_page_dev_to_cpu)(struct page *page, size_t offset, size_t size,
	                            enum dma_data_direction dir);
};

extern const struct coh__arch_ops coh__arm_ops;
extern const struct coh__arch_ops coh__mips_ops;
extern const struct coh__arch_ops coh__sh_ops;
extern const struct coh__arch_ops coh__parisc_ops;

/* ARM's (arm_user.c): flush_dcache_page's UP deferral of an unmapped
 * file's page (true: deferred), and flush_kernel_dcache_page. */
bool coh__arm_flush_dcache_page_defer(struct page *page);
void coh__arm_flush_kernel_dcache_page(struct page *page);
/* ARM from 2.6.37 (or `dcache-clean`): PG_arch_1 is PG_dcache_clean, set
 * by flush_dcache_page's flush (_done) and a whole-page DMA from the
 * device; __flush_dcache_page's kernel-alias half (arm.c). */
bool coh__arm_pg_dcache_clean(void);
void coh__arm_flush_dcache_page_done(struct page *page);
void coh__arm___flush_dcache_page(struct page *page);
/* PA-RISC's page-cache half of flush_dcache_page (parisc_user.c): the
 * deferral of an unmapped file's page (true: deferred, nothing else to
 * do), the walk of i_mmap, and flush_kernel_dcache_page. */
bool coh__parisc_flush_dcache_page_defer(struct page *page);
void coh__parisc_flush_dcache_page_user(struct page *page);
void coh__parisc_flush_kernel_dcache_page(struct page *page);

/* Does the L1 data cache alias (index from the VA: VIVT, aliasing VIPT,
 * PA-RISC)? Then maintenance must be done through the right VA. */
bool coh__cache_aliases(void);
/* The arch's cache types (arch/arm/include/asm/cachetype.h): VIVT = index
 * and tag from the VA; VIPT = index from the VA (aliasing) or the PA (the
 * model's PIPT profiles count as VIPT non-aliasing, as ARM's code does). */
bool coh__cache_is_vivt(void);
bool coh__cache_is_vipt_aliasing(void);
bool coh__cache_is_vipt_nonaliasing(void);

/* One machine cache operation per line of [va, va+size). */
enum coh__cop { COH__DC_CLEAN, COH__DC_INVAL, COH__DC_FLUSH };
void coh__cache_line(coh_addr_t va, enum coh__cop op);
void coh__cache_range(coh_addr_t va, size_t size, enum coh__cop op);
/* __cpuc_flush_dcache_area: clean+invalidate [va, va+size), line by line. */
void coh__cpuc_flush_dcache_area(coh_addr_t va, size_t size);
/* flush_cache_all(): the whole D-cache of the running CPU (ARM, MIPS:
 * local), or of every CPU (PA-RISC and SH: on_each_cpu). */
void coh__flush_cache_all_local(void);
void coh__flush_cache_all_cpus(void);

/* The DMA maintenance of arches that keep no highmem: fn on the kernel
 * address of each page of [offset, offset+size) from page, page by page.
 * A page with no kernel address (highmem forced on by the machine config)
 * is skipped, as its lines cannot be reached by address. */
typedef void (*coh__dma_area_fn)(coh_addr_t va, size_t size, enum dma_data_direction dir);
void coh__dma_lowmem_pages(struct page *page, size_t offset, size_t size,
                           enum dma_data_direction dir, coh__dma_area_fn fn);

/* Dispatch of vmalloc.c's flush_cache_vmap/vunmap and the DMA API's page
 * maintenance to the profile's family (no-ops on x86). */
void coh__flush_cache_vmap(coh_addr_t start, coh_addr_t end);
void coh__flush_cache_vunmap(coh_addr_t start, coh_addr_t end);
void coh__dma_page_cpu_to_dev(struct page *page, size_t offset, size_t size,
                              enum dma_data_direction dir);
void coh__dma_page_dev_to_cpu(struct page *page, size_t offset, size_t size,
                              enum dma_data_direction dir);

#endif
