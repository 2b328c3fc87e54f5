/*
 * slab.c - kmalloc and the slab caches (mm/slub.c, Linux 2.6.3x-3.x), with
 * generic KASAN's red zones and quarantine (mm/kasan/, Linux 4.x).
 *
 * Interface: kmalloc/kzalloc/kfree, kmem_cache_create/_alloc/_free/
 * _destroy (cohsim/slab.h); coh__slab_init() from kernel_init().
 *
 * A cache hands out slots of `size` bytes: the object, then a red zone
 * (KASAN's optimal_redzone), rounded up to the cache's alignment. A slab is
 * 2^order lowmem pages from alloc_pages(); its slots are handed out from a
 * free stack (lowest address first in a new slab, then the most recently
 * released: SLUB's LIFO freelist), from the oldest slab that has one.
 * kmalloc caches are SLUB's kmalloc-8 .. kmalloc-(2*PAGE_SIZE), those below
 * KMALLOC_MIN_SIZE = max(8, ARCH_KMALLOC_MINALIGN) left out, aligned to
 * ARCH_KMALLOC_MINALIGN; bigger requests take whole pages (kmalloc_large).
 *
 * Invariants: a slot is NEVER (not allocated since its slab was made), LIVE
 * or FREED. A freed slot waits in the quarantine (quarantine.c), a FIFO of at most
 * slab_quarantine bytes, before it goes back on its slab's free stack; it
 * stays FREED (a second free is a double free) until it is allocated again.
 * The lifetime checker (src/check/lifetime.c) is told of every slab,
 * allocation and free, and reports the bad accesses; this file reports the
 * bad frees through it. Slab metadata lives on the host: SLUB's free
 * pointer inside a free object is not written to simulated memory, and
 * empty slabs are kept until the cache is destroyed.
 */
#include <stdlib.h>
#include <string.h>

#include "check/lifetime.h"
#include "kernel/mm/slab_impl.h"

#define KMALLOC_CLASSES 16

static struct {
	struct kmem_cache *caches; /* every cache, newest first */
	struct kmem_cache *kmalloc[KMALLOC_CLASSES];
	unsigned nkmalloc;
	struct kmem_cache large; /* the owner of kmalloc_large slabs */
	struct slab **slab_of;   /* per pfn */
	unsigned long nslab_of;
	unsigned long slab_hi; /* slab_of[pfn] is NULL from here on (all executions) */
	unsigned minalign;
} sl;

static const char *const kmalloc_names[] = {
    "kmalloc-8",     "kmalloc-16",    "kmalloc-32",   "kmalloc-64",    "kmalloc-96",
    "kmalloc-128",   "kmalloc-192",   "kmalloc-256",  "kmalloc-512",   "kmalloc-1024",
    "kmalloc-2048",  "kmalloc-4096",  "kmalloc-8192", "kmalloc-16384", "kmalloc-32768",
    "kmalloc-65536", "kmalloc-131072"};

static unsigned psize(void)
{
	return 1u << coh__kernel.page_shift;
}

/* ARCH_KMALLOC_MINALIGN (ARCH_DMA_MINALIGN from 2.6.36) of each profile's
 * Linux, 2.6.3x: ARM's asm/cache.h makes kmalloc cache-line aligned
 * (L1_CACHE_BYTES, 32 on these cores), non-coherent MIPS takes 128
 * (asm/mach-generic/kmalloc.h), SH L1_CACHE_BYTES (asm/page.h), PA-RISC
 * L1_CACHE_BYTES of PA 2.0 (64, asm/cache.h); x86 keeps SLUB's default,
 * __alignof__(unsigned long long). Older ARM EABI kernels had 8 ([ARM]
 * 3101/1, 2.6.16): set kernel_config.kmalloc_minalign to 8 for them. */
unsigned coh_arch_kmalloc_minalign(const coh_arch *a)
{
	static const struct {
		const char *arch;
		unsigned minalign;
	} table[] = {
	    {"xscale", 32},    {"arm926", 32}, {"armv6", 32},  {"cortex-a9", 32},
	    {"mips-r4k", 128}, {"sh4", 32},    {"parisc", 64}, {"x86", 8},
	};
	if (!a)
		return 8;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(a->name, table[i].arch) == 0)
			return table[i].minalign;
	return a->dma_coherent || a->l1.line_size < 8 ? 8 : a->l1.line_size;
}

unsigned arch_kmalloc_minalign(void)
{
	return sl.minalign;
}

/* optimal_redzone (mm/kasan/kasan.c, 4.x): the red zone after an object. */
static unsigned optimal_redzone(unsigned object_size)
{
	return object_size <= 64 - 16            ? 16
	       : object_size <= 128 - 32         ? 32
	       : object_size <= 512 - 64         ? 64
	       : object_size <= 4096 - 128       ? 128
	       : object_size <= (1 << 14) - 256  ? 256
	       : object_size <= (1 << 15) - 512  ? 512
	       : object_size <= (1 << 16) - 1024 ? 1024
	                                         : 2048;
}

/* calculate_alignment (mm/slub.c, 3.x) */
static unsigned calculate_alignment(unsigned long flags, unsigned align, unsigned size)
{
	if (flags & SLAB_HWCACHE_ALIGN) {
		unsigned ralign = coh_cache_line_size(coh__kernel.m);
		while (size <= ralign / 2)
			ralign /= 2;
		if (align < ralign)
			align = ralign;
	}
	if (align < 8) /* ARCH_SLAB_MINALIGN: __alignof__(unsigned long long) */
		align = 8;
	return align;
}

/* The slab order (mm/slub.c calculate_order, simplified): the smallest of
 * 0..3 that wastes at most 1/8 of the slab, else the smallest that fits. */
static unsigned slab_order(unsigned size)
{
	for (unsigned order = 0; order <= 3; order++) {
		unsigned long slab = (unsigned long)psize() << order;
		if (slab >= size && (slab % size) * 8 <= slab)
			return order;
	}
	unsigned order = 0;
	while (((unsigned long)psize() << order) < size)
		order++;
	return order;
}

static bool is_pow2(unsigned long x)
{
	return x && (x & (x - 1)) == 0;
}

/* kmem_cache_create (mm/slub.c, 3.x) with KASAN's red zone */
struct kmem_cache *kmem_cache_create(const char *name, size_t size, size_t align,
                                     unsigned long flags, void (*ctor)(simptr obj))
{
	if (!name || !size || size > 2ul * psize() || (align && !is_pow2(align)) || align > psize())
		return NULL;
	struct kmem_cache *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->name = name;
	s->object_size = (unsigned)size;
	s->flags = flags;
	s->ctor = ctor;
	s->align = calculate_alignment(flags, (unsigned)align, (unsigned)size);
	unsigned slot = s->object_size + optimal_redzone(s->object_size);
	s->size = (slot + s->align - 1) & ~(s->align - 1);
	s->order = slab_order(s->size);
	s->objects = (unsigned)(((unsigned long)psize() << s->order) / s->size);
	s->next = sl.caches;
	sl.caches = s;
	return s;
}

unsigned kmem_cache_size(const struct kmem_cache *s)
{
	return s->object_size;
}

unsigned kmem_cache_slot_size(const struct kmem_cache *s)
{
	return s->size;
}

static void slab_map(struct slab *sb, struct slab *to)
{
	for (unsigned long i = 0; i < 1ul << sb->order; i++)
		sl.slab_of[sb->page->pfn + i] = to;
	if (to && sb->page->pfn + (1ul << sb->order) > sl.slab_hi)
		sl.slab_hi = sb->page->pfn + (1ul << sb->order);
}

static void slab_release(struct slab *sb)
{
	slab_map(sb, NULL);
	__free_pages(sb->page, sb->order);
	free(sb->freelist);
	free(sb->state);
	free(sb);
}

/* A slab of nslots slots of size bytes on 2^order new pages, registered
 * with the lifetime checker (every byte red zone). */
static struct slab *slab_new(struct kmem_cache *s, unsigned order, unsigned size, unsigned nslots)
{
	struct page *pg = alloc_pages(GFP_KERNEL, order);
	if (!pg)
		return NULL;
	struct slab *sb = calloc(1, sizeof(*sb));
	if (sb) {
		sb->freelist = malloc(nslots * sizeof(*sb->freelist));
		sb->state = calloc(nslots, 1);
	}
	if (!sb || !sb->freelist || !sb->state) {
		if (sb) {
			free(sb->freelist);
			free(sb->state);
			free(sb);
		}
		__free_pages(pg, order);
		return NULL;
	}
	sb->cache = s;
	sb->page = pg;
	sb->order = order;
	sb->size = size;
	sb->nslots = nslots;
	sb->pa = page_to_phys(pg);
	sb->va = PAGE_OFFSET + sb->pa;
	for (unsigned i = 0; i < nslots; i++)
		sb->freelist[i] = nslots - 1 - i;
	sb->nfree = nslots;
	slab_map(sb, sb);
	if (coh__kernel.chk)
		coh__life_slab(coh__kernel.chk, sb->va, sb->pa, (size_t)psize() << order, size,
		               s->name);
	return sb;
}

/* new_slab (mm/slub.c, 3.x): a slab for s, each object through the ctor
 * (setup_object, with KASAN's unpoison/poison around it). */
static struct slab *new_slab(struct kmem_cache *s)
{
	if (s->nslabs == s->cap) {
		unsigned cap = s->cap ? s->cap * 2 : 4;
		struct slab **v = realloc(s->slabs, cap * sizeof(*v));
		if (!v)
			return NULL;
		s->slabs = v;
		s->cap = cap;
	}
	struct slab *sb = slab_new(s, s->order, s->size, s->objects);
	if (!sb)
		return NULL;
	sb->idx = s->nslabs;
	s->slabs[s->nslabs++] = sb;
	for (unsigned i = 0; s->ctor && i < s->objects; i++) {
		coh_addr_t off = (coh_addr_t)i * s->size;
		if (coh__kernel.chk)
			coh__life_poison(coh__kernel.chk, sb->pa + off, s->object_size,
			                 COH__LIFE_OK);
		s->ctor(simptr_at(sb->va + off));
		if (coh__kernel.chk)
			coh__life_poison(coh__kernel.chk, sb->pa + off, s->object_size,
			                 COH__LIFE_REDZONE);
	}
	return sb;
}

/* The allocation of slot `slot` of sb for size bytes: the site, the
 * checker's unpoisoning, the zeroing. */
static simptr slot_alloc(struct slab *sb, unsigned slot, unsigned size, gfp_t gfp, const char *what,
                         const char *file, unsigned line)
{
	sb->state[slot] = SLOT_LIVE;
	sb->cache->active++;
	coh_addr_t off = (coh_addr_t)slot * sb->size;
	if (coh__kernel.chk) {
		coh_event site;
		coh__life_site(coh__kernel.chk, (int)coh__cpu(), what, file, line, &site);
		coh__life_alloc(coh__kernel.chk, sb->pa + off, size, &site);
	}
	simptr p = simptr_at(sb->va + off);
	if (gfp & __GFP_ZERO)
		coh__sim_memset(p, 0, size, file, line);
	return p;
}

/* slab_alloc (mm/slub.c, 3.x): a free slot of the oldest slab that has
 * one, else of a new slab. */
static simptr slab_alloc(struct kmem_cache *s, unsigned size, gfp_t gfp, const char *what,
                         const char *file, unsigned line)
{
	struct slab *sb = NULL;
	while (s->partial < s->nslabs && !s->slabs[s->partial]->nfree)
		s->partial++;
	if (s->partial < s->nslabs)
		sb = s->slabs[s->partial];
	if (!sb && !(sb = new_slab(s)))
		return SIMPTR_NULL;
	unsigned slot = sb->freelist[--sb->nfree];
	return slot_alloc(sb, slot, size, gfp, what, file, line);
}

/* kmalloc_large (include/linux/slub_def.h, 3.x): whole pages. */
static simptr kmalloc_large(size_t size, gfp_t gfp, const char *what, const char *file,
                            unsigned line)
{
	unsigned order = 0;
	while (((size_t)psize() << order) < size)
		order++;
	if (order > 10)
		return SIMPTR_NULL;
	struct slab *sb = slab_new(&sl.large, order, psize() << order, 1);
	if (!sb)
		return SIMPTR_NULL;
	sb->nfree = 0;
	return slot_alloc(sb, 0, (unsigned)size, gfp, what, file, line);
}

/* kmalloc_index (include/linux/slub_def.h, 3.x): the smallest class that
 * holds size. */
static struct kmem_cache *kmalloc_slab(size_t size)
{
	for (unsigned i = 0; i < sl.nkmalloc; i++)
		if (sl.kmalloc[i]->object_size >= size)
			return sl.kmalloc[i];
	return NULL;
}

/* __kmalloc (mm/slub.c, 3.x) */
simptr coh__kmalloc(size_t size, gfp_t gfp, const char *file, unsigned line)
{
	const char *what = gfp & __GFP_ZERO ? "kzalloc" : "kmalloc";
	if (!size)
		return ZERO_SIZE_PTR;
	struct kmem_cache *s = kmalloc_slab(size);
	if (!s)
		return kmalloc_large(size, gfp, what, file, line);
	return slab_alloc(s, (unsigned)size, gfp, what, file, line);
}

simptr coh__kmem_cache_alloc(struct kmem_cache *s, gfp_t gfp, const char *file, unsigned line)
{
	return slab_alloc(s, s->object_size, gfp, "kmem_cache_alloc", file, line);
}

/* Puts a slot the quarantine lets go of back on its slab's free stack
 * (qlink_free -> ___cache_free, mm/kasan/quarantine.c, 4.x). */
void coh__slab_slot_release(struct slab *sb, unsigned slot)
{
	sb->freelist[sb->nfree++] = slot;
	if (sb->idx < sb->cache->partial)
		sb->cache->partial = sb->idx;
}

/* ---- free ---- */

/* slab_free (mm/slub.c, 3.x) with KASAN's checks: s is the cache the caller
 * named (NULL for kfree). */
static void slab_free(struct kmem_cache *s, simptr p, const char *what, const char *file,
                      unsigned line)
{
	struct coh__kernel *k = &coh__kernel;
	if (ZERO_OR_NULL_PTR(p))
		return;
	coh_event site;
	if (k->chk)
		coh__life_site(k->chk, (int)coh__cpu(), what, file, line, &site);
	coh_addr_t lowmem = coh_machine_highmem_start(k->m);
	coh_addr_t pa = p.addr - PAGE_OFFSET;
	struct slab *sb = NULL;
	if (p.addr >= PAGE_OFFSET && pa < lowmem)
		sb = sl.slab_of[pa >> k->page_shift];
	if (!sb) {
		/* not slab memory, or a kmalloc_large already freed */
		if (k->chk)
			coh__life_bad_free(k->chk, pa, p.addr, &site, coh__life_freed(k->chk, pa));
		return;
	}
	if (s && sb->cache != s) {
		if (k->chk)
			coh_check_report(k->chk, COH_F_API_MISUSE, (int)coh__cpu(),
			                 "%s(%s) of VA 0x%llx, an object of cache %s", what,
			                 s->name, (unsigned long long)p.addr, sb->cache->name);
		return;
	}
	coh_addr_t off = pa - sb->pa;
	unsigned slot = (unsigned)(off / sb->size);
	/* the slot's start, and a slot (not the slab's leftover bytes) */
	bool start = off % sb->size == 0 && slot < sb->nslots;
	if (!start || sb->state[slot] != SLOT_LIVE) {
		if (k->chk)
			coh__life_bad_free(k->chk, pa, p.addr, &site,
			                   start && sb->state[slot] == SLOT_FREED);
		return;
	}
	sb->state[slot] = SLOT_FREED;
	sb->cache->active--;
	if (k->chk)
		coh__life_free(k->chk, pa, &site);
	if (sb->cache == &sl.large) {
		/* kfree of whole pages: back to the page allocator at once,
		 * poisoned until it hands them out again (KASAN_FREE_PAGE) */
		if (k->chk)
			coh__life_poison(k->chk, sb->pa, sb->size, COH__LIFE_FREED);
		slab_release(sb);
		return;
	}
	quarantine_put(sb, slot);
}

void coh__kfree(simptr p, const char *file, unsigned line)
{
	slab_free(NULL, p, "kfree", file, line);
}

void coh__kmem_cache_free(struct kmem_cache *s, simptr p, const char *file, unsigned line)
{
	slab_free(s, p, "kmem_cache_free", file, line);
}

/* ---- caches ---- */

static void cache_free(struct kmem_cache *s)
{
	free(s->slabs);
	free(s);
}

/* kmem_cache_destroy (mm/slub.c, 3.x, with kasan_cache_destroy's
 * quarantine_remove_cache) */
void kmem_cache_destroy(struct kmem_cache *s)
{
	if (!s)
		return;
	quarantine_remove_cache(s);
	if (s->active) {
		if (coh__kernel.chk)
			coh_check_report(coh__kernel.chk, COH_F_API_MISUSE, (int)coh__cpu(),
			                 "kmem_cache_destroy(%s): the cache still has %lu objects",
			                 s->name, s->active);
		return;
	}
	for (unsigned i = 0; i < s->nslabs; i++) {
		struct slab *sb = s->slabs[i];
		if (coh__kernel.chk)
			coh__life_poison(coh__kernel.chk, sb->pa, (size_t)psize() << sb->order,
			                 COH__LIFE_FREED);
		slab_release(sb);
	}
	for (struct kmem_cache **pp = &sl.caches; *pp; pp = &(*pp)->next) {
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	}
	cache_free(s);
}

/* create_kmalloc_caches (mm/slub.c, 3.x): kmalloc-8 .. kmalloc-2*PAGE_SIZE,
 * with 96 and 192 only where KMALLOC_MIN_SIZE allows them. */
static int create_kmalloc_caches(void)
{
	unsigned min = sl.minalign > 8 ? sl.minalign : 8; /* KMALLOC_MIN_SIZE */
	static const unsigned sizes[] = {8,    16,   32,   64,   96,    128,   192,   256,   512,
	                                 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072};
	for (unsigned i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned size = sizes[i];
		if (size < min || size > 2 * psize() || (size == 96 && min > 32) ||
		    (size == 192 && min > 64))
			continue;
		struct kmem_cache *s =
		    kmem_cache_create(kmalloc_names[i], size, sl.minalign, 0, NULL);
		if (!s || sl.nkmalloc == KMALLOC_CLASSES)
			return COH_ENOMEM;
		sl.kmalloc[sl.nkmalloc++] = s;
	}
	return COH_OK;
}

int coh__slab_init(void)
{
	struct coh__kernel *k = &coh__kernel;
	/* the last execution's host state (its pages went with the machine):
	 * kmalloc_large slabs first, while the caches' slabs are still there */
	for (unsigned long pfn = 0; pfn < sl.slab_hi; pfn++) {
		struct slab *sb = sl.slab_of[pfn];
		if (sb && sb->cache == &sl.large) {
			/* not slab_map(): the struct pages may be new ones */
			for (unsigned long i = pfn; i < sl.slab_hi && sl.slab_of[i] == sb; i++)
				sl.slab_of[i] = NULL;
			free(sb->freelist);
			free(sb->state);
			free(sb);
		}
	}
	for (struct kmem_cache *s = sl.caches, *next; s; s = next) {
		next = s->next;
		for (unsigned i = 0; i < s->nslabs; i++) {
			free(s->slabs[i]->freelist);
			free(s->slabs[i]->state);
			free(s->slabs[i]);
		}
		cache_free(s);
	}
	struct slab **slab_of = sl.slab_of;
	unsigned long nslab_of = sl.nslab_of;
	unsigned long slab_hi = sl.slab_hi;
	memset(&sl, 0, sizeof(sl));
	long long qmax = k->cfg.slab_quarantine;
	coh__quarantine_init(qmax < 0 ? coh_machine_mem_size(k->m) / 32 : (unsigned long long)qmax);
	if (nslab_of != k->npages) {
		free(slab_of);
		slab_of = calloc(k->npages, sizeof(*slab_of));
		nslab_of = slab_of ? k->npages : 0;
		slab_hi = 0;
		if (!slab_of)
			return COH_ENOMEM;
	} else if (slab_of) {
		/* only the pfns slabs ever used: the rest is still NULL */
		memset(slab_of, 0, slab_hi * sizeof(*slab_of));
	}
	sl.slab_hi = slab_hi;
	sl.slab_of = slab_of;
	sl.nslab_of = nslab_of;
	sl.large.name = "kmalloc_large";
	unsigned minalign = k->cfg.kmalloc_minalign;
	if (!minalign)
		minalign = coh_arch_kmalloc_minalign(coh_machine_arch(k->m));
	if (!is_pow2(minalign) || minalign < 8 || minalign > psize())
		return COH_EINVAL;
	sl.minalign = minalign;
	return create_kmalloc_caches();
}
