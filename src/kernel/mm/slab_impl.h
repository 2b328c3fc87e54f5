/*
 * slab_impl.h - the slab allocator's structures, shared by slab.c (caches,
 * slabs, kmalloc and kfree) and quarantine.c (KASAN's quarantine of freed
 * slots). Not installed.
 */
#ifndef COHSIM_KERNEL_MM_SLAB_IMPL_H
#define COHSIM_KERNEL_MM_SLAB_IMPL_H

#include "kernel/kernel_impl.h"

enum slot_state { SLOT_NEVER, SLOT_LIVE, SLOT_FREED };

struct slab {
	struct kmem_cache *cache;
	struct page *page;
	unsigned order;
	unsigned idx;  /* in its cache's slabs[] */
	unsigned size; /* bytes per slot (kmalloc_large: the whole span) */
	unsigned nslots;
	coh_addr_t va, pa;
	unsigned nfree;
	unsigned *freelist; /* slot numbers; freelist[nfree - 1] goes next */
	uint8_t *state;     /* enum slot_state per slot */
};

struct kmem_cache {
	const char *name;
	unsigned object_size; /* bytes asked for */
	unsigned size;        /* slot: object + red zone, aligned */
	unsigned align;
	unsigned long flags;
	void (*ctor)(simptr obj);
	unsigned order;   /* pages per slab: 2^order */
	unsigned objects; /* slots per slab */
	struct slab **slabs;
	unsigned nslabs, cap;
	unsigned partial;     /* no slab below this index has a free slot */
	unsigned long active; /* live objects */
	struct kmem_cache *next;
};

/* slab.c: puts slot back on sb's free stack (it stays FREED until it is
 * allocated again). */
void coh__slab_slot_release(struct slab *sb, unsigned slot);

/* quarantine.c (mm/kasan/quarantine.c, 4.x): quarantine_put() takes a slot
 * just freed and lets the oldest go while the quarantine holds more than its
 * bytes; quarantine_remove_cache() lets go of every slot of s at once;
 * coh__quarantine_init() empties it (keeping its host buffer) with a bound of
 * qmax bytes, at kernel_init(). */
void quarantine_put(struct slab *sb, unsigned slot);
void quarantine_remove_cache(const struct kmem_cache *s);
void coh__quarantine_init(unsigned long long qmax);

#endif
