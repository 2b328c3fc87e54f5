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
	bool needs_kmap_high_get; /* ARCH_NEEDS_KMAP_HIGH_GET: VIVT, non-coherent DMA */
} coh_arch;

/* The built-in profiles, in a fixed order. */
COH_API size_t coh_arch_count(void);
COH_API const coh_arch *coh_arch_at(size_t i);
/* NULL if no profile has that name. */
COH_API const coh_arch *coh_arch_find(const char *name);
/* Number of distinct cache colours of a page (1 for a non-aliasing cache). */
COH_API unsigned coh_arch_colours(const coh_arch *a);

#ifdef __cplusplus
}
#endif
#endif
