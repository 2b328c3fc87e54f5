/*
 * cohsim/linux.h - the kernel model under the kernel's own names.
 *
 * Scenario code includes this and reads like kernel code: kmap(),
 * dma_map_page(), flush_kernel_vmap_range(), dm_io(), spin_lock_irqsave().
 * Porting a kernel function means turning each dereference of simulated
 * memory into an accessor call: simulated pointers have their own type
 * (simptr), so a host dereference does not compile.
 *
 * The kernel state belongs to one execution: kernel_init() is called from a
 * program's setup() and sets up the linear map, struct pages and every
 * subsystem; the next execution's kernel_init() starts again from scratch.
 * All functions here must run inside an execution (coh_explore); most of
 * them inside a task, as in Linux.
 *
 * Virtual memory layout (32-bit ARM-like, 4 KiB pages):
 *   0x00000000 - 0xBEFFFFFF   user space
 *   PKMAP_BASE  = 0xBFE00000  LAST_PKMAP pages of kmap() slots
 *   PAGE_OFFSET = 0xC0000000  lowmem, linearly mapped: VA = PAGE_OFFSET + PA
 *   VMALLOC_START = 0xE0000000 vmalloc/vmap area, a guard page between areas
 */
#ifndef COHSIM_LINUX_H
#define COHSIM_LINUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cohsim/sched.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef uint64_t phys_addr_t;
typedef uint64_t dma_addr_t;
typedef uint64_t sector_t;
typedef unsigned gfp_t;

#define PAGE_OFFSET 0xC0000000ull
#define PKMAP_BASE 0xBFE00000ull
#define VMALLOC_START 0xE0000000ull
#define VMALLOC_END 0xF0000000ull
#define SECTOR_SHIFT 9
#define SECTOR_SIZE 512

/* ---- simulated pointers ---- */

/* A kernel virtual address in the simulated machine. Not a host pointer. */
typedef struct simptr {
	coh_addr_t addr;
} simptr;

#define SIMPTR_NULL ((simptr){0})
static inline simptr simptr_at(coh_addr_t a)
{
	return (simptr){a};
}
static inline simptr simptr_add(simptr p, long off)
{
	return (simptr){p.addr + (coh_addr_t)off};
}
static inline bool simptr_is_null(simptr p)
{
	return p.addr == 0;
}

/* Accessors: each is a memory access through the running CPU's cache, and
 * so a preemption point. A bad address is a bad-access finding. */
#define sim_read8(p) ((u8)coh__sim_read((p), 1, __FILE__, __LINE__))
#define sim_read16(p) ((u16)coh__sim_read((p), 2, __FILE__, __LINE__))
#define sim_read32(p) ((u32)coh__sim_read((p), 4, __FILE__, __LINE__))
#define sim_read64(p) ((u64)coh__sim_read((p), 8, __FILE__, __LINE__))
#define sim_write8(p, v) coh__sim_write((p), 1, (u8)(v), __FILE__, __LINE__)
#define sim_write16(p, v) coh__sim_write((p), 2, (u16)(v), __FILE__, __LINE__)
#define sim_write32(p, v) coh__sim_write((p), 4, (u32)(v), __FILE__, __LINE__)
#define sim_write64(p, v) coh__sim_write((p), 8, (u64)(v), __FILE__, __LINE__)
/* machine -> host */
#define sim_memcpy_from(dst, src, n) coh__sim_memcpy_from((dst), (src), (n), __FILE__, __LINE__)
/* host -> machine */
#define sim_memcpy_to(dst, src, n) coh__sim_memcpy_to((dst), (src), (n), __FILE__, __LINE__)
#define sim_memset(dst, c, n) coh__sim_memset((dst), (c), (n), __FILE__, __LINE__)
/* The functions behind the macros (file/line: the caller's site). */
COH_API u64 coh__sim_read(simptr p, unsigned size, const char *file, unsigned line);
COH_API void coh__sim_write(simptr p, unsigned size, u64 v, const char *file, unsigned line);
COH_API void coh__sim_memcpy_from(void *dst, simptr src, size_t n, const char *file, unsigned line);
COH_API void coh__sim_memcpy_to(simptr dst, const void *src, size_t n, const char *file,
                                unsigned line);
COH_API void coh__sim_memset(simptr dst, int c, size_t n, const char *file, unsigned line);

/* ---- the kernel of one execution ---- */

/* The kernel release the model follows, as LINUX_VERSION_CODE. The arch
 * code changed between releases (ARM's DMA unmap, flush_cache_kmaps, the
 * highmem fallbacks): each model function follows the release it is given.
 * Modelled: 2.6.31 (seed 2) to 2.6.39; the default is 2.6.35 (seed 1). */
#define KERNEL_VERSION(a, b, c) (((a) << 16) + ((b) << 8) + (c))
#define COH_KERNEL_VERSION_MIN KERNEL_VERSION(2, 6, 31)
#define COH_KERNEL_VERSION_MAX KERNEL_VERSION(2, 6, 39)
#define COH_KERNEL_VERSION_DEFAULT KERNEL_VERSION(2, 6, 35)

struct kernel_config {
	unsigned last_pkmap; /* LAST_PKMAP: kmap slots (default 4: the ring wraps) */
	/* Names of the fix switches that are on, NULL-terminated (or NULL). */
	const char *const *fixes;
	/* Every switch the program declares, on or off, NULL-terminated (or
	 * NULL). A fix older than every modelled release (coh_fix_old)
	 * is off only when declared and not on; undeclared, it is in. */
	const char *const *declared;
	unsigned version; /* KERNEL_VERSION(); 0: COH_KERNEL_VERSION_DEFAULT */
	/* ARCH_KMALLOC_MINALIGN, a power of two from 8 to the page size; 0:
	 * the profile's (coh_arch_kmalloc_minalign, slab.h). */
	unsigned kmalloc_minalign;
	/* Bytes of freed slab objects held back from reuse (KASAN's
	 * quarantine): -1 (the default) = 1/32 of memory, as KASAN; 0 = none. */
	long long slab_quarantine;
};

COH_API void kernel_config_init(struct kernel_config *cfg);
/* From a program's setup(): builds the kernel on the fresh machine. */
COH_API int kernel_init(coh_sched *s, const struct kernel_config *cfg);
/* Is the named fix switch on in this execution? */
COH_API bool coh_fix(const char *name);
/* A fix that every modelled release has (merged before 2.6.31): on unless
 * the program declares the switch and leaves it off (a scenario of the
 * kernel before the fix). */
COH_API bool coh_fix_old(const char *name);
/* LINUX_VERSION_CODE of the running execution's kernel. */
COH_API unsigned linux_version_code(void);
/* "2.6.35" -> KERNEL_VERSION(2, 6, 35). COH_EINVAL if it is not a version,
 * COH_ERANGE if it is outside the modelled releases. */
COH_API int kernel_version_parse(const char *s, unsigned *out);
/* "2.6.35" into buf (at least 16 bytes); returns buf. */
COH_API const char *kernel_version_str(unsigned version, char *buf, size_t len);
/* The machine / checker / scheduler of the running execution. */
COH_API coh_machine *kernel_machine(void);
COH_API coh_check *kernel_check(void);

/* BUG_ON(cond): a `bug` finding naming the site, then the task stops. */
#define BUG_ON(cond)                                                                               \
	do {                                                                                       \
		if (cond)                                                                          \
			coh__bug(#cond, __FILE__, __LINE__);                                       \
	} while (0)
#define BUG() coh__bug(NULL, __FILE__, __LINE__)
COH_API void coh__bug(const char *what, const char *file, unsigned line);

/* ---- pages ---- */

#define GFP_KERNEL 0x0u
#define __GFP_HIGHMEM 0x2u
#define GFP_HIGHUSER (GFP_KERNEL | __GFP_HIGHMEM)

struct address_space;

struct page {
	unsigned long pfn;
	int _refcount;
	bool highmem;
	bool allocated;
	unsigned long private; /* for the subsystem that owns the page */
	/* rmap (cohsim/mm.h): an anon_vma + PAGE_MAPPING_ANON for an
	 * anonymous page, else the page cache's (NULL: none) */
	struct address_space *mapping;
	unsigned long index; /* anonymous: the linear page index of its first VMA */
	int _mapcount;       /* user PTEs mapping it, minus one (-1: none) */
	unsigned long flags; /* PG_arch_1 (PG_dcache_dirty) */
};

/* Lowest free page of the zone: deterministic. NULL when none is left or an
 * allocation failure is injected. */
COH_API struct page *alloc_page(gfp_t gfp);
COH_API void __free_page(struct page *page);
/* 2^order contiguous frames, naturally aligned (as the buddy allocator
 * gives them), the lowest such run of the zone. */
COH_API struct page *alloc_pages(gfp_t gfp, unsigned order);
COH_API void __free_pages(struct page *page, unsigned order);
COH_API struct page *pfn_to_page(unsigned long pfn);
COH_API unsigned long page_to_pfn(const struct page *page);
COH_API phys_addr_t page_to_phys(const struct page *page);
COH_API bool PageHighMem(const struct page *page);
/* Lowmem: the linear-map address. Highmem: the current kmap address (through
 * the page_address hash), or SIMPTR_NULL. */
COH_API simptr page_address(const struct page *page);
COH_API struct page *virt_to_page(simptr p); /* lowmem only */
COH_API phys_addr_t virt_to_phys(simptr p);  /* lowmem only */
COH_API simptr phys_to_virt(phys_addr_t pa); /* lowmem only */

/* ---- highmem (mm/highmem.c) ---- */

COH_API simptr kmap(struct page *page);
COH_API void kunmap(struct page *page);
COH_API simptr kmap_high(struct page *page);
COH_API void kunmap_high(struct page *page);
/* Pins an existing kmap of page: its address, or SIMPTR_NULL if it has none.
 * A non-null return needs a matching kunmap_high(). Any context. */
COH_API simptr kmap_high_get(struct page *page);
COH_API void kmap_flush_unused(void);
COH_API unsigned kmap_pkmap_count(unsigned nr); /* pkmap_count[nr], for tests */
COH_API unsigned kmap_last_pkmap(void);         /* LAST_PKMAP */
#define PKMAP_ADDR(nr) (PKMAP_BASE + ((coh_addr_t)(nr) << 12))
#define PKMAP_NR(virt) ((unsigned)(((virt)-PKMAP_BASE) >> 12))

/* ---- vmalloc (mm/vmalloc.c) ---- */

COH_API simptr vmalloc(unsigned long size);
COH_API void vfree(simptr addr);
COH_API simptr vmap(struct page **pages, unsigned count);
COH_API void vunmap(simptr addr);
COH_API struct page *vmalloc_to_page(simptr addr);
COH_API bool is_vmalloc_addr(simptr addr);

/* ---- arch cache maintenance (per arch profile) ---- */

/* Write back the dirty lines of a vmap range before I/O (no-op where the
 * cache does not alias). */
COH_API void flush_kernel_vmap_range(simptr addr, int size);
/* Discard the lines of a vmap range after a device wrote to it. */
COH_API void invalidate_kernel_vmap_range(simptr addr, int size);
COH_API void flush_dcache_page(struct page *page);
COH_API void flush_cache_kmaps(void);

/* ---- the DMA API (kernel/dma, arch/arm/mm/dma-mapping.c) ---- */

enum dma_data_direction {
	DMA_BIDIRECTIONAL = 0,
	DMA_TO_DEVICE = 1,
	DMA_FROM_DEVICE = 2,
	DMA_NONE = 3,
};

struct device {
	const char *name;
	/* the device's DMA mask (dma_set_mask); 0: none set, all of memory
	 * is reachable */
	u64 dma_mask;
};

COH_API dma_addr_t dma_map_page(struct device *dev, struct page *page, size_t offset, size_t size,
                                enum dma_data_direction dir);
COH_API void dma_unmap_page(struct device *dev, dma_addr_t addr, size_t size,
                            enum dma_data_direction dir);
COH_API dma_addr_t dma_map_single(struct device *dev, simptr ptr, size_t size,
                                  enum dma_data_direction dir);
COH_API void dma_unmap_single(struct device *dev, dma_addr_t addr, size_t size,
                              enum dma_data_direction dir);
COH_API void dma_sync_single_for_cpu(struct device *dev, dma_addr_t addr, size_t size,
                                     enum dma_data_direction dir);
COH_API void dma_sync_single_for_device(struct device *dev, dma_addr_t addr, size_t size,
                                        enum dma_data_direction dir);

/* ---- locking under the kernel's names ---- */

typedef coh_spinlock spinlock_t;
typedef coh_wait_queue_head wait_queue_head_t;
typedef coh_atomic atomic_t;
#define spin_lock_init(l) coh_spin_lock_init(l, #l)
#define spin_lock(l) coh_spin_lock(l)
#define spin_unlock(l) coh_spin_unlock(l)
#define spin_lock_irq(l) coh_spin_lock_irq(l)
#define spin_unlock_irq(l) coh_spin_unlock_irq(l)
#define spin_lock_irqsave(l, f) coh_spin_lock_irqsave(l, f)
#define spin_unlock_irqrestore(l, f) coh_spin_unlock_irqrestore(l, f)
#define spin_lock_bh(l) coh_spin_lock_bh(l)
#define spin_unlock_bh(l) coh_spin_unlock_bh(l)
#define init_waitqueue_head(wq) coh_init_waitqueue_head(wq, #wq)
#define wake_up(wq) coh_wake_up(wq)
#define atomic_set(a, v) coh_atomic_set(a, v)
#define atomic_read(a) coh_atomic_read(a)
#define atomic_inc(a) coh_atomic_inc(a)
#define atomic_dec_and_test(a) coh_atomic_dec_and_test(a)
#define schedule() coh_schedule()
#define cond_resched() coh_preempt_point()

#ifdef __cplusplus
}
#endif

/* The rest of the DMA API; block I/O and dm-io; slabs; user memory, under
 * the kernel's names. */
#include "cohsim/dma-mapping.h"
#include "cohsim/kstack.h"
#include "cohsim/io.h"
#include "cohsim/simnet.h"
#include "cohsim/simblk.h"
#include "cohsim/blkdev.h"
#include "cohsim/dm-io.h"
#include "cohsim/slab.h"
#include "cohsim/mm.h"
#include "cohsim/dm-bufio.h"
#include "cohsim/device-mapper.h"
#include "cohsim/dm-cache.h"

#endif
