/*
 * quarantine.c - KASAN's quarantine of freed slab slots (mm/kasan/
 * quarantine.c, Linux 4.x, without its per-CPU batches).
 *
 * Interface (slab_impl.h): quarantine_put() from slab_free(),
 * quarantine_remove_cache() from kmem_cache_destroy(), coh__quarantine_init()
 * from coh__slab_init().
 *
 * Invariants: a FIFO ring of freed slots, oldest at qhead; qbytes is the sum
 * of their slot sizes and stays at most qmax after every put (the oldest go
 * back to their slabs first, through coh__slab_slot_release()). Without host
 * memory to grow the ring a slot is released at once. The ring's host buffer
 * is kept from one execution to the next.
 */
#include <stdlib.h>

#include "kernel/mm/slab_impl.h"

struct qentry {
	struct slab *slab;
	unsigned slot;
};

static struct {
	struct qentry *q; /* a ring of freed slots, oldest at qhead */
	size_t qhead, qlen, qcap;
	unsigned long long qbytes, qmax;
} gq; /* Linux: global_quarantine */

/* quarantine_reduce (mm/kasan/quarantine.c, 4.x): the oldest out while over
 * the bound. */
static void quarantine_reduce(void)
{
	while (gq.qlen && gq.qbytes > gq.qmax) {
		struct qentry *e = &gq.q[gq.qhead];
		gq.qbytes -= e->slab->size;
		coh__slab_slot_release(e->slab, e->slot);
		gq.qhead = (gq.qhead + 1) % gq.qcap;
		gq.qlen--;
	}
}

/* quarantine_put (mm/kasan/quarantine.c, 4.x), then the reduce that Linux
 * runs from the next allocation. */
void quarantine_put(struct slab *sb, unsigned slot)
{
	struct qentry e = {sb, slot};
	if (gq.qlen == gq.qcap) {
		size_t cap = gq.qcap ? gq.qcap * 2 : 64;
		struct qentry *q = malloc(cap * sizeof(*q));
		if (!q) { /* no host memory: reuse at once */
			coh__slab_slot_release(e.slab, e.slot);
			return;
		}
		for (size_t i = 0; i < gq.qlen; i++)
			q[i] = gq.q[(gq.qhead + i) % gq.qcap];
		free(gq.q);
		gq.q = q;
		gq.qcap = cap;
		gq.qhead = 0;
	}
	gq.q[(gq.qhead + gq.qlen) % gq.qcap] = e;
	gq.qlen++;
	gq.qbytes += sb->size;
	quarantine_reduce();
}

/* quarantine_remove_cache (mm/kasan/quarantine.c, 4.x): releases every slot of s, keeping the order
 * of the others. */
void quarantine_remove_cache(const struct kmem_cache *s)
{
	size_t kept = 0;
	for (size_t i = 0; i < gq.qlen; i++) {
		struct qentry e = gq.q[(gq.qhead + i) % gq.qcap];
		if (e.slab->cache == s) {
			gq.qbytes -= e.slab->size;
			coh__slab_slot_release(e.slab, e.slot);
		} else {
			gq.q[(gq.qhead + kept++) % gq.qcap] = e;
		}
	}
	gq.qlen = kept;
}

void coh__quarantine_init(unsigned long long qmax)
{
	gq.qhead = 0;
	gq.qlen = 0;
	gq.qbytes = 0;
	gq.qmax = qmax;
}
