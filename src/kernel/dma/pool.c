/*
 * pool.c - DMA pools (mm/dmapool.c): small coherent blocks carved from
 * coherent pages, for descriptors and the like.
 *
 * Interface: dma_pool_create/_alloc/_zalloc/_free/_destroy (dma-mapping.h).
 * A pool takes one coherent page (dma_alloc_coherent) at a time, up to
 * POOL_PAGES, and cuts it into blocks of the rounded size; no block
 * crosses the pool's boundary. Allocation takes the lowest free block of
 * the lowest page (deterministic). The pools live in a table of the
 * execution (MAX_POOLS), reset by kernel_init().
 * Invariants: a block's bit in its page's `busy` map is set exactly while
 * it is allocated; freeing a block whose bit is clear, or an address not
 * on a block boundary of the pool, is an api-misuse finding (dmapool's
 * "dma_pool_free ..., dma %pad already free" / "bad vaddr").
 */
#include <string.h>

#include "kernel/kernel_impl.h"

#define MAX_POOLS 8
#define POOL_PAGES 8
#define POOL_BLOCKS 512 /* per page: a 4 KiB page of 8-byte blocks */

struct dma_pool {
	bool used;
	char name[32];
	struct device *dev;
	size_t size;     /* block size, rounded up to the alignment */
	size_t boundary; /* no block crosses a multiple of it */
	unsigned npages;
	struct dma_page {
		simptr vaddr;
		dma_addr_t dma;
		unsigned nblocks;
		unsigned long offs[POOL_BLOCKS]; /* block i's offset in the page */
		uint64_t busy[POOL_BLOCKS / 64];
	} pages[POOL_PAGES];
};

static struct dma_pool pools[MAX_POOLS];

/* Every pool free again. dma_pool_create() clears a slot when it takes
 * it, so the slots' 270 KB are not cleared on every execution. */
int coh__dma_pool_init(void)
{
	for (unsigned i = 0; i < MAX_POOLS; i++)
		pools[i].used = false;
	return COH_OK;
}

static void pool_misuse(struct dma_pool *pool, dma_addr_t dma, const char *what)
{
	uint64_t no = coh_machine_note(coh__kernel.m, (int)coh__cpu(), "dma_pool");
	coh_finding *f = coh_check_report(coh__kernel.chk, COH_F_API_MISUSE, (int)coh__cpu(),
	                                  "DMA-API: dma_pool %s: %s [dma=0x%08llx]", pool->name,
	                                  what, (unsigned long long)dma);
	if (f) {
		if (!coh_machine_event(coh__kernel.m, no, &f->trigger))
			f->trigger.no = no;
		f->pa = dma;
		f->has_addr = true;
	}
}

/* dma_pool_create, mm/dmapool.c (v6.6) */
struct dma_pool *dma_pool_create(const char *name, struct device *dev, size_t size, size_t align,
                                 size_t boundary)
{
	size_t ps = coh_machine_page_size(coh__kernel.m);
	if (align == 0)
		align = 1;
	if ((align & (align - 1)) || size == 0 || size > ps)
		return NULL;
	if (size < 8)
		size = 8;
	size = (size + align - 1) & ~(align - 1);
	if (boundary == 0 || boundary > ps)
		boundary = ps;
	if ((boundary & (boundary - 1)) || boundary < size)
		return NULL;
	for (unsigned i = 0; i < MAX_POOLS; i++) {
		struct dma_pool *p = &pools[i];
		if (p->used)
			continue;
		memset(p, 0, sizeof(*p));
		p->used = true;
		snprintf(p->name, sizeof(p->name), "%s", name ? name : "pool");
		p->dev = dev;
		p->size = size;
		p->boundary = boundary;
		return p;
	}
	return NULL;
}

/* pool_alloc_page + pool_initialise_page, mm/dmapool.c (v6.6) */
static struct dma_page *pool_alloc_page(struct dma_pool *pool)
{
	if (pool->npages == POOL_PAGES)
		return NULL;
	struct dma_page *pg = &pool->pages[pool->npages];
	size_t ps = coh_machine_page_size(coh__kernel.m);
	pg->vaddr = dma_alloc_coherent(pool->dev, ps, &pg->dma, GFP_KERNEL);
	if (simptr_is_null(pg->vaddr))
		return NULL;
	pg->nblocks = 0;
	memset(pg->busy, 0, sizeof(pg->busy));
	for (size_t off = 0; off + pool->size <= ps && pg->nblocks < POOL_BLOCKS;) {
		size_t next = (off / pool->boundary + 1) * pool->boundary;
		if (off + pool->size > next) { /* would cross: start at the boundary */
			off = next;
			continue;
		}
		pg->offs[pg->nblocks++] = off;
		off += pool->size;
	}
	pool->npages++;
	return pg;
}

/* dma_pool_alloc, mm/dmapool.c (v6.6) */
simptr dma_pool_alloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle)
{
	(void)gfp;
	*handle = DMA_MAPPING_ERROR;
	for (unsigned p = 0; p <= pool->npages && p < POOL_PAGES; p++) {
		struct dma_page *pg = p < pool->npages ? &pool->pages[p] : pool_alloc_page(pool);
		if (!pg)
			return SIMPTR_NULL;
		for (unsigned i = 0; i < pg->nblocks; i++) {
			if (pg->busy[i / 64] >> (i % 64) & 1)
				continue;
			pg->busy[i / 64] |= 1ull << (i % 64);
			*handle = pg->dma + pg->offs[i];
			return simptr_add(pg->vaddr, (long)pg->offs[i]);
		}
	}
	return SIMPTR_NULL;
}

/* dma_pool_zalloc, include/linux/dmapool.h (v6.6) */
simptr dma_pool_zalloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle)
{
	simptr v = dma_pool_alloc(pool, gfp, handle);
	if (!simptr_is_null(v))
		sim_memset(v, 0, pool->size);
	return v;
}

/* dma_pool_free, mm/dmapool.c (v6.6) */
void dma_pool_free(struct dma_pool *pool, simptr vaddr, dma_addr_t dma)
{
	size_t ps = coh_machine_page_size(coh__kernel.m);
	for (unsigned p = 0; p < pool->npages; p++) {
		struct dma_page *pg = &pool->pages[p];
		if (vaddr.addr < pg->vaddr.addr || vaddr.addr >= pg->vaddr.addr + ps)
			continue;
		unsigned long off = (unsigned long)(vaddr.addr - pg->vaddr.addr);
		for (unsigned i = 0; i < pg->nblocks; i++) {
			if (pg->offs[i] != off)
				continue;
			KSITE();
			if (pg->dma + off != dma)
				pool_misuse(pool, dma, "free with a dma address not the block's");
			else if (!(pg->busy[i / 64] >> (i % 64) & 1))
				pool_misuse(pool, dma, "block already free");
			pg->busy[i / 64] &= ~(1ull << (i % 64));
			return;
		}
	}
	KSITE();
	pool_misuse(pool, dma, "bad vaddr: not a block of this pool");
}

/* dma_pool_destroy, mm/dmapool.c (v6.6) */
void dma_pool_destroy(struct dma_pool *pool)
{
	if (!pool)
		return;
	size_t ps = coh_machine_page_size(coh__kernel.m);
	for (unsigned p = 0; p < pool->npages; p++) {
		struct dma_page *pg = &pool->pages[p];
		bool busy = false;
		for (unsigned w = 0; w < POOL_BLOCKS / 64; w++)
			busy |= pg->busy[w] != 0;
		if (busy) {
			KSITE();
			pool_misuse(pool, pg->dma, "destroyed with blocks still allocated");
		}
		dma_free_coherent(pool->dev, ps, pg->vaddr, pg->dma);
	}
	pool->used = false;
}
