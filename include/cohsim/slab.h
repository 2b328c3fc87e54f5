/*
 * cohsim/slab.h - kmalloc and slab caches (include/linux/slab.h), checked
 * like KASAN. Included by linux.h.
 *
 * Objects live on pages of the page allocator, in the kernel's linear map.
 * kmalloc objects are aligned to ARCH_KMALLOC_MINALIGN, which the kernel
 * config may set (kernel_config.kmalloc_minalign) and otherwise is the
 * profile's (coh_arch_kmalloc_minalign): 8 lets two small objects share a
 * cache line, as on ARM kernels before kmalloc was made cache aligned.
 *
 * The checker knows every object's lifetime: an access to a freed object is
 * a use-after-free finding, to a red zone (past the bytes asked for) or a
 * slot never allocated an out-of-bounds finding, a second free a
 * double-free finding; each names the allocation and free sites (the lines
 * of the kmalloc/kfree calls). Freed objects wait in a quarantine
 * (kernel_config.slab_quarantine) before they are reused.
 *
 * Ownership: an object lives from its allocation to its free; a
 * kmem_cache from kmem_cache_create() to kmem_cache_destroy() or the end of
 * the execution. Cache names must outlive the run (string literals).
 */
#ifndef COHSIM_SLAB_H
#define COHSIM_SLAB_H

#include "cohsim/linux.h"

#ifdef __cplusplus
extern "C" {
#endif

#define __GFP_ZERO 0x8000u
#define SLAB_HWCACHE_ALIGN 0x00002000ul /* align objects on a cache line */

/* kmalloc(0) returns ZERO_SIZE_PTR: not NULL, and any access faults. */
#define ZERO_SIZE_PTR simptr_at(16)
#define ZERO_OR_NULL_PTR(p) ((p).addr <= 16)

/* ARCH_KMALLOC_MINALIGN of the running kernel. */
#define ARCH_KMALLOC_MINALIGN arch_kmalloc_minalign()
COH_API unsigned arch_kmalloc_minalign(void);
/* The profile's ARCH_KMALLOC_MINALIGN, as its Linux of the era has it. */
COH_API unsigned coh_arch_kmalloc_minalign(const coh_arch *arch);

/* Objects: SIMPTR_NULL when memory runs out or an allocation failure is
 * injected. The macros pass the caller's line, which reports name. */
#define kmalloc(size, gfp) coh__kmalloc((size), (gfp), __FILE__, __LINE__)
#define kzalloc(size, gfp) coh__kmalloc((size), (gfp) | __GFP_ZERO, __FILE__, __LINE__)
#define kfree(p) coh__kfree((p), __FILE__, __LINE__)
#define kmem_cache_alloc(s, gfp) coh__kmem_cache_alloc((s), (gfp), __FILE__, __LINE__)
#define kmem_cache_zalloc(s, gfp) coh__kmem_cache_alloc((s), (gfp) | __GFP_ZERO, __FILE__, __LINE__)
#define kmem_cache_free(s, p) coh__kmem_cache_free((s), (p), __FILE__, __LINE__)

struct kmem_cache;

/* A cache of size-byte objects aligned to align (0: the minimum, 8), or to
 * the cache line with SLAB_HWCACHE_ALIGN; ctor (may be NULL) runs on every
 * object of each new slab. NULL on bad arguments or no host memory. */
COH_API struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
                                             unsigned long flags, void (*ctor)(simptr obj));
/* Frees the cache and its pages; with objects still allocated it reports
 * api-misuse and keeps them (as SLUB leaks the cache). NULL: nothing. */
COH_API void kmem_cache_destroy(struct kmem_cache *s);
/* The object size and the slot size (object, red zone and alignment). */
COH_API unsigned kmem_cache_size(const struct kmem_cache *s);
COH_API unsigned kmem_cache_slot_size(const struct kmem_cache *s);

/* The functions behind the macros (file/line: the caller's site). */
COH_API simptr coh__kmalloc(size_t size, gfp_t gfp, const char *file, unsigned line);
COH_API void coh__kfree(simptr p, const char *file, unsigned line);
COH_API simptr coh__kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp, const char *file,
                                     unsigned line);
COH_API void coh__kmem_cache_free(struct kmem_cache *s, simptr p, const char *file, unsigned line);

#ifdef __cplusplus
}
#endif
#endif
