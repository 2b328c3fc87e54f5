/*
 * cohsim/arch.h - arch profiles: the cache geometry and DMA coherence of a
 * real machine. Profiles are static, immutable and never freed.
 */
#ifndef COHSIM_ARCH_H
#define COHSIM_ARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "cohsim/common.h"

#ifdef __cplusplus
extern "C" {
#endif

enum coh_addr_from { COH_FROM_VIRT, COH_FROM_PHYS };
enum coh_repl { COH_REPL_ROUND_ROBIN, COH_REPL_LRU, COH_REPL_RANDOM };
/* Whose kernel code runs on the profile: each family has its own cache
 * flushing (arch/<family>/include/asm/cacheflush.h) and DMA maintenance. */
enum coh_arch_family {
	COH_ARCH_ARM,
	COH_ARCH_MIPS,
	COH_ARCH_SH,
	COH_ARCH_PARISC,
	COH_ARCH_X86,
};

typedef struct coh_cache_geometry {
	unsigned size;            /* bytes */
	unsigned ways;            /* 1 = direct-mapped */
	unsigned line_size;       /* bytes, a power of two */
	enum coh_addr_from index; /* set index from VA or PA */
	enum coh_addr_from tag;   /* tag from VA or PA */
	/* If non-zero, VA bits [index bits .. hash_top_bit] are folded into the
	 * set index, and two mappings of a page share lines only when they are
	 * congruent modulo 2^(hash_top_bit+1) (PA-RISC). */
	unsigned hash_top_bit;
	bool write_through;      /* the cache never holds dirty data */
	bool write_allocate;     /* a store miss allocates a line */
	unsigned dirty_segments; /* dirty bits per line: 1, or 2 (half-line) */
	enum coh_repl repl;
} coh_cache_geometry;

typedef struct coh_arch {
	const char *name;
	const char *kind;       /* "VIVT", "VIPT aliasing", "PIPT", ... */
	const char *stands_for; /* the real hardware */
	unsigned page_size;
	coh_cache_geometry l1;
	bool dma_coherent;        /* DMA snoops the caches */
	bool maint_broadcast;     /* maintenance by VA reaches every CPU */
	bool speculative_fill;    /* the cache may fill lines speculatively */
	bool needs_kmap_high_get; /* ARCH_NEEDS_KMAP_HIGH_GET: every ARM of 2.6.31-39 */
	enum coh_arch_family family;
	/* ARM only: the architecture version whose cache code the kernel
	 * runs (5: cache-v4wb/proc-xscale/proc-arm926, 6: cache-v6, 7:
	 * cache-v7); 0 elsewhere. */
	unsigned arm_arch;
	/* CONFIG_HIGHMEM is possible: the kernel has a lowmem/highmem split,
	 * kmap and the pkmap area. False where the arch has none (PA-RISC,
	 * SH-4, x86-64), or refuses it with this cache (MIPS and ARMv6 with
	 * an aliasing D-cache). Without it all memory is lowmem. */
	bool highmem;
} coh_arch;

/* The built-in profiles, in a fixed order. */
COH_API size_t coh_arch_count(void);
COH_API const coh_arch *coh_arch_at(size_t i);
/* NULL if no profile has that name. */
COH_API const coh_arch *coh_arch_find(const char *name);
/* "ARM", "MIPS", "SH", "PA-RISC", "x86". */
COH_API const char *coh_arch_family_name(enum coh_arch_family f);
/* Number of distinct cache colours of a page (1 for a non-aliasing cache). */
COH_API unsigned coh_arch_colours(const coh_arch *a);

#ifdef __cplusplus
}
#endif
#endif
