/*
 * lifetime.c - the lifetime shadow of slab objects: use-after-free,
 * double-free and out-of-bounds, found the way generic KASAN finds them.
 *
 * Interface (lifetime.h): the slab allocator registers each slab
 * (coh__life_slab: every byte red zone), each allocation (the object's
 * bytes become accessible) and each free (they become freed); the oracle's
 * load, store and DMA hooks call coh__life_access() for every access once a
 * slab exists. A byte of slab memory is in one of three states:
 *   OK       a live object's byte (or not slab memory at all)
 *   REDZONE  past an object's end in its slot, or a slot never allocated
 *            -> out-of-bounds
 *   FREED    a freed object, or a slab page given back -> use-after-free
 * Freed bytes stay FREED until the slot is allocated again (the slab
 * allocator's quarantine delays that). Shadow pages (a byte per byte) are
 * allocated per slab frame; frames that were never slab memory cost one
 * NULL test per access.
 *
 * Each slot has a record (an open-addressing hash keyed by the slot's PA):
 * the object's size and its allocation and free sites (note events). Each
 * record reports one use-after-free and one out-of-bounds at most, as KASAN
 * reports a bug once; a new allocation in the slot starts afresh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/lifetime.h"

struct life_page {
	coh_addr_t slab_va, slab_pa; /* the slab's first byte */
	unsigned slot;               /* bytes per slot */
	const char *cache;
	uint8_t st[]; /* page_size bytes: enum coh__life_state */
};

struct life_obj {
	coh_addr_t pa; /* the slot's first byte; 0 = an empty hash entry */
	unsigned size; /* 0: never allocated */
	bool live;
	uint8_t reported; /* LIFE_REPORTED_* */
	coh_event alloc, free;
};

#define LIFE_REPORTED_UAF 1
#define LIFE_REPORTED_OOB 2

struct coh__life {
	/* frames that got a life page (on their COH__SHADOW_LIFE slot; NULL
	 * there: not slab memory), each listed at most once per page made */
	struct coh__frame **frames;
	size_t nframes, cap_frames;
	struct life_obj *objs;
	size_t cap, n; /* cap: a power of two, or 0 */
};

static struct coh__life *life_get(coh_check *c)
{
	if (!c->life)
		c->life = calloc(1, sizeof(*c->life));
	return c->life;
}

static struct life_page *page_of(const coh_check *c, coh_addr_t pa)
{
	if (!c->life)
		return NULL;
	const struct coh__frame *fr = coh__frame_get(c->m, pa);
	return fr ? fr->shadow[COH__SHADOW_LIFE] : NULL;
}

static size_t slot_hash(coh_addr_t pa, size_t cap)
{
	return (size_t)((pa * 0x9e3779b97f4a7c15ull) >> 17) & (cap - 1);
}

static int obj_grow(struct coh__life *L)
{
	size_t cap = L->cap ? L->cap * 2 : 256;
	struct life_obj *objs = calloc(cap, sizeof(*objs));
	if (!objs)
		return COH_ENOMEM;
	for (size_t i = 0; i < L->cap; i++) {
		if (!L->objs[i].pa)
			continue;
		size_t h = slot_hash(L->objs[i].pa, cap);
		while (objs[h].pa)
			h = (h + 1) & (cap - 1);
		objs[h] = L->objs[i];
	}
	free(L->objs);
	L->objs = objs;
	L->cap = cap;
	return COH_OK;
}

/* The record of the slot at pa; created (never allocated) if asked. */
static struct life_obj *obj_get(struct coh__life *L, coh_addr_t pa, bool create)
{
	if (L->cap) {
		for (size_t h = slot_hash(pa, L->cap);; h = (h + 1) & (L->cap - 1)) {
			if (L->objs[h].pa == pa)
				return &L->objs[h];
			if (!L->objs[h].pa)
				break;
		}
	}
	if (!create || ((L->n + 1) * 2 > L->cap && obj_grow(L)))
		return NULL;
	size_t h = slot_hash(pa, L->cap);
	while (L->objs[h].pa)
		h = (h + 1) & (L->cap - 1);
	memset(&L->objs[h], 0, sizeof(L->objs[h]));
	L->objs[h].pa = pa;
	L->n++;
	return &L->objs[h];
}

static void set_state(coh_check *c, coh_addr_t pa, size_t len, enum coh__life_state st)
{
	size_t psz = c->m->page_size;
	while (len) {
		size_t off = pa & (psz - 1);
		size_t n = len < psz - off ? len : psz - off;
		struct life_page *lp = page_of(c, pa);
		if (lp)
			memset(lp->st + off, st, n);
		pa += n;
		len -= n;
	}
}

void coh__life_site(coh_check *c, int cpu, const char *what, const char *file, unsigned line,
                    coh_event *out)
{
	coh_machine *m = c->m;
	coh_machine_set_site(m, file, line);
	memset(out, 0, sizeof(*out));
	out->no = coh_machine_note(m, cpu, what);
	out->kind = COH_EV_NOTE;
	out->cpu = cpu;
	out->actor = m->actor;
	out->file = file;
	out->line = line;
	out->note = what;
}

int coh__life_slab(coh_check *c, coh_addr_t va, coh_addr_t pa, size_t len, unsigned slot,
                   const char *cache)
{
	struct coh__life *L = life_get(c);
	if (!L)
		return COH_ENOMEM;
	size_t psz = c->m->page_size;
	for (size_t off = 0; off < len; off += psz) {
		struct coh__frame *fr = coh__frame_make(c->m, pa + off);
		if (!fr)
			return COH_EFAULT;
		struct life_page *lp = fr->shadow[COH__SHADOW_LIFE];
		if (!lp) {
			lp = malloc(sizeof(*lp) + psz);
			if (!lp || !coh__frames_push(&L->frames, &L->nframes, &L->cap_frames, fr)) {
				free(lp);
				return COH_ENOMEM;
			}
			fr->shadow[COH__SHADOW_LIFE] = lp;
		}
		lp->slab_va = va;
		lp->slab_pa = pa;
		lp->slot = slot;
		lp->cache = cache;
		memset(lp->st, COH__LIFE_REDZONE, psz);
	}
	/* a new slab's slots were never allocated: forget old records */
	for (size_t s = 0; s + slot <= len; s += slot) {
		struct life_obj *o = obj_get(L, pa + s, false);
		if (o) {
			o->size = 0;
			o->live = false;
			o->reported = 0;
			o->alloc.no = o->free.no = 0;
		}
	}
	if (!c->life_on) {
		c->life_on = true;
		coh__check_observe(c);
	}
	return COH_OK;
}

void coh__life_poison(coh_check *c, coh_addr_t pa, size_t len, enum coh__life_state st)
{
	set_state(c, pa, len, st);
}

void coh__life_forget(coh_check *c, coh_addr_t pa, size_t len)
{
	if (!c->life)
		return;
	for (size_t off = 0; off < len; off += c->m->page_size) {
		struct coh__frame *fr = coh__frame_get(c->m, pa + off);
		if (fr) {
			free(fr->shadow[COH__SHADOW_LIFE]);
			fr->shadow[COH__SHADOW_LIFE] = NULL;
		}
	}
}

void coh__life_alloc(coh_check *c, coh_addr_t pa, unsigned size, const coh_event *site)
{
	struct life_page *lp = page_of(c, pa);
	if (!lp)
		return;
	struct life_obj *o = obj_get(c->life, pa, true);
	if (o) {
		o->size = size;
		o->live = true;
		o->reported = 0;
		o->alloc = *site;
		o->free.no = 0;
	}
	set_state(c, pa, size, COH__LIFE_OK);
	set_state(c, pa + size, lp->slot - size, COH__LIFE_REDZONE);
}

int coh__life_free(coh_check *c, coh_addr_t pa, const coh_event *site)
{
	struct life_obj *o = page_of(c, pa) ? obj_get(c->life, pa, false) : NULL;
	if (!o || !o->live)
		return COH_EINVAL;
	o->live = false;
	o->free = *site;
	set_state(c, pa, o->size, COH__LIFE_FREED);
	return COH_OK;
}

bool coh__life_freed(const coh_check *c, coh_addr_t pa)
{
	const struct life_obj *o = page_of(c, pa) ? obj_get(c->life, pa, false) : NULL;
	return o && o->size && !o->live;
}

/* Fills the object part of a finding about the slot at slot_pa. */
static void fill_object(coh_check *c, coh_finding *f, const struct life_page *lp,
                        const struct life_obj *o, coh_addr_t slot_pa, coh_addr_t bad)
{
	(void)c;
	f->has_object = true;
	f->obj_pa = slot_pa;
	f->obj_va = lp->slab_va + (slot_pa - lp->slab_pa);
	f->obj_cache = lp->cache;
	f->obj_offset = (long long)(bad - slot_pa);
	if (o) {
		f->obj_size = o->size;
		if (o->size)
			f->alloc_site = o->alloc;
		if (!o->live)
			f->free_site = o->free;
	}
}

void coh__life_bad_free(coh_check *c, coh_addr_t pa, coh_addr_t va, const coh_event *site,
                        bool twice)
{
	struct life_page *lp = page_of(c, pa);
	coh_finding *f =
	    coh__finding_new(c, twice ? COH_F_DOUBLE_FREE : COH_F_API_MISUSE, site->cpu);
	if (!f)
		return;
	f->trigger = *site;
	f->has_addr = true;
	f->va = va;
	f->pa = pa;
	if (!lp) {
		snprintf(f->message, sizeof(f->message),
		         "%s of VA 0x%llx, which is not slab memory: kmalloc never returned it",
		         site->note, (unsigned long long)va);
		return;
	}
	coh_addr_t slot_pa = lp->slab_pa + (pa - lp->slab_pa) / lp->slot * lp->slot;
	const struct life_obj *o = obj_get(c->life, slot_pa, false);
	fill_object(c, f, lp, o, slot_pa, pa);
	if (twice)
		snprintf(f->message, sizeof(f->message),
		         "%s of the %u-byte object at VA 0x%llx (%s), which was already freed",
		         site->note, o ? o->size : 0, (unsigned long long)va, lp->cache);
	else
		snprintf(f->message, sizeof(f->message),
		         "%s of VA 0x%llx, which is not the start of a live object of %s",
		         site->note, (unsigned long long)va, lp->cache);
}

static void report_access(coh_check *c, const struct life_page *lp, int cpu, coh_addr_t bad_va,
                          bool va_known, coh_addr_t bad, unsigned len, bool write, uint8_t st)
{
	coh_addr_t slot_pa = lp->slab_pa + (bad - lp->slab_pa) / lp->slot * lp->slot;
	struct life_obj *o = obj_get(c->life, slot_pa, true);
	uint8_t bit = st == COH__LIFE_FREED ? LIFE_REPORTED_UAF : LIFE_REPORTED_OOB;
	if (!o || (o->reported & bit))
		return;
	o->reported |= bit;
	enum coh_finding_kind kind =
	    st == COH__LIFE_FREED ? COH_F_USE_AFTER_FREE : COH_F_OUT_OF_BOUNDS;
	coh_finding *f = coh__finding_new(c, kind, cpu);
	if (!f)
		return;
	fill_object(c, f, lp, o, slot_pa, bad);
	if (!va_known) {
		/* a store hook has no VA: the op's own VA where it is known
		 * (the same page offset), else the object's kernel address */
		size_t pmask = c->m->page_size - 1;
		if (cpu >= 0 && f->trigger.no)
			bad_va = f->trigger.va + ((bad - f->trigger.va) & pmask);
		else
			bad_va = f->obj_va + (bad - slot_pa);
	}
	f->has_addr = true;
	f->va = bad_va;
	f->pa = bad;
	if (va_known && f->trigger.no && bad_va >= f->trigger.va) {
		/* the load's own trace entry gets its PA only when it ends */
		f->trigger.pa = bad - (bad_va - f->trigger.va);
		if (f->ntail && f->tail[f->ntail - 1].no == f->trigger.no)
			f->tail[f->ntail - 1].pa = f->trigger.pa;
	}
	char who[64];
	if (cpu >= 0)
		snprintf(who, sizeof(who), "cpu%d %s %u bytes", cpu, write ? "wrote" : "read", len);
	else
		snprintf(who, sizeof(who), "the device %s %u bytes", write ? "wrote" : "read", len);
	unsigned long long ova = (unsigned long long)f->obj_va;
	if (kind == COH_F_USE_AFTER_FREE && f->obj_size)
		snprintf(f->message, sizeof(f->message),
		         "%s at VA 0x%llx (PA 0x%llx): use after free, %lld bytes into the freed "
		         "%u-byte object at VA 0x%llx (%s)",
		         who, (unsigned long long)bad_va, (unsigned long long)bad, f->obj_offset,
		         f->obj_size, ova, lp->cache);
	else if (kind == COH_F_USE_AFTER_FREE)
		snprintf(f->message, sizeof(f->message),
		         "%s at VA 0x%llx (PA 0x%llx): use after free of a slab page of %s", who,
		         (unsigned long long)bad_va, (unsigned long long)bad, lp->cache);
	else if (f->obj_size)
		snprintf(
		    f->message, sizeof(f->message),
		    "%s at VA 0x%llx (PA 0x%llx): out of bounds, %lld bytes to the right of the "
		    "%u-byte object at VA 0x%llx (%s)",
		    who, (unsigned long long)bad_va, (unsigned long long)bad,
		    f->obj_offset - (long long)f->obj_size, f->obj_size, ova, lp->cache);
	else
		snprintf(f->message, sizeof(f->message),
		         "%s at VA 0x%llx (PA 0x%llx): out of bounds, in a slot of %s at VA 0x%llx "
		         "that was never allocated",
		         who, (unsigned long long)bad_va, (unsigned long long)bad, lp->cache, ova);
}

void coh__life_access(coh_check *c, int cpu, coh_addr_t va, bool has_va, coh_addr_t pa,
                      unsigned len, bool write)
{
	size_t psz = c->m->page_size;
	for (unsigned i = 0; i < len;) {
		coh_addr_t p = pa + i;
		size_t off = p & (psz - 1);
		unsigned n = len - i < psz - off ? len - i : (unsigned)(psz - off);
		const struct life_page *lp = page_of(c, p);
		for (unsigned k = 0; lp && k < n; k++) {
			uint8_t st = lp->st[off + k];
			if (st != COH__LIFE_OK) {
				report_access(c, lp, cpu, va + i + k, has_va, p + k, len, write,
				              st);
				return;
			}
		}
		i += n;
	}
}

/* ---- hooks for a checker whose oracle is off ---- */

static void life_load(void *ctx, unsigned cpu, coh_addr_t va, coh_addr_t pa, const uint8_t *seen,
                      unsigned len, const struct coh__line *line, const struct coh__cache *cache)
{
	(void)seen;
	(void)line;
	(void)cache;
	coh__life_access(ctx, (int)cpu, va, true, pa, len, false);
}

static void life_store(void *ctx, int cpu, coh_addr_t pa, const uint8_t *bytes, unsigned len,
                       uint64_t ev, struct coh__frame *frame)
{
	(void)bytes;
	(void)frame;
	(void)ev;
	coh__life_access(ctx, cpu, 0, false, pa, len, true);
}

static void life_dma_read(void *ctx, coh_addr_t pa, const uint8_t *seen, unsigned len)
{
	(void)seen;
	coh__life_access(ctx, -1, 0, false, pa, len, false);
}

void coh__life_hooks(struct coh__observer *obs)
{
	obs->load = life_load;
	obs->store = life_store;
	obs->dma_read = life_dma_read;
}

void coh__life_reset(coh_check *c)
{
	struct coh__life *L = c->life;
	if (L) {
		for (size_t i = 0; i < L->nframes; i++) {
			free(L->frames[i]->shadow[COH__SHADOW_LIFE]);
			L->frames[i]->shadow[COH__SHADOW_LIFE] = NULL;
		}
		L->nframes = 0;
		if (L->cap)
			memset(L->objs, 0, L->cap * sizeof(*L->objs));
		L->n = 0;
	}
	if (c->life_on) {
		c->life_on = false;
		coh__check_observe(c);
	}
}

void coh__life_free_all(coh_check *c)
{
	c->life_on = false; /* the checker is going: leave the observer alone */
	coh__life_reset(c);
	if (c->life) {
		free(c->life->frames);
		free(c->life->objs);
		free(c->life);
		c->life = NULL;
	}
}
