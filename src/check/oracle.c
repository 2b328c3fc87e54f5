/*
 * oracle.c - the coherence oracle: a shadow of what a coherent machine holds.
 *
 * For every physical byte the shadow keeps the latest value stored by a CPU
 * or written by the device, and the event that wrote it (0: never written,
 * undefined, never reported). It watches the machine through the observer
 * hooks of machine_impl.h:
 *   load       bytes a CPU got          != latest           -> stale-read
 *   dma_read   bytes the device got     != latest           -> stale-dma
 *   writeback  memory held the latest, the line writes older -> lost-write
 *   discard    the line held the only copy of the latest     -> lost-write
 *   fault      access through an unmapped VA                 -> bad-access
 * Findings are compared by value, so a stale copy that happens to hold the
 * latest bytes is not a finding. Shadow pages are allocated on first write
 * and hung on the machine's frame (a line's hooks find them through the
 * line's frame); a reset clears only the pages written since the last one.
 * Once the kernel has a slab, the load, store and DMA hooks also ask the
 * lifetime shadow (lifetime.c) about every access, oracle on or off.
 * coh__check_observe() installs the hooks; the checker object that owns
 * the shadow and the findings is check.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_impl.h"
#include "check/lifetime.h"

bool coh__frames_push(struct coh__frame ***list, size_t *n, size_t *cap, struct coh__frame *f)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct coh__frame **l = realloc(*list, nc * sizeof(*l));
		if (!l)
			return false;
		*list = l;
		*cap = nc;
	}
	(*list)[(*n)++] = f;
	return true;
}

static inline struct shadow_page *shadow_of(const struct coh__frame *fr)
{
	return fr ? fr->shadow[COH__SHADOW_ORACLE] : NULL;
}

/* The shadow page of pa (whose frame is fr, or NULL: look it up), made
 * and put in the live list for a write; NULL when out of host memory. */
static struct shadow_page *shadow_for_write(coh_check *c, struct coh__frame *fr, coh_addr_t pa)
{
	if (!fr && !(fr = coh__frame_make(c->m, pa)))
		return NULL;
	struct shadow_page *s = fr->shadow[COH__SHADOW_ORACLE];
	if (!s) {
		s = coh__shadow_new(c->m->page_size);
		if (!s)
			return NULL;
		if (!coh__frames_push(&c->shadowed, &c->nshadowed, &c->cap_shadowed, fr)) {
			coh__shadow_free(s);
			return NULL;
		}
		fr->shadow[COH__SHADOW_ORACLE] = s;
	}
	if (!s->live) {
		if (!coh__frames_push(&c->live, &c->nlive, &c->cap_live, fr))
			return NULL;
		s->live = true;
	}
	return s;
}

/* The latest version of byte pa (in frame fr, or NULL: look it up): its
 * writer event (0 = undefined) and value. */
static uint64_t latest_in(const coh_check *c, const struct coh__frame *fr, coh_addr_t pa,
                          uint8_t *val)
{
	const struct shadow_page *s = shadow_of(fr ? fr : coh__frame_get(c->m, pa));
	if (!s)
		return 0;
	size_t off = pa & (c->m->page_size - 1);
	*val = s->val[off];
	return coh__shadow_ver(s, off);
}

void coh__oracle_forget(coh_check *c, coh_addr_t pa, size_t len)
{
	size_t psz = c->m->page_size;
	for (coh_addr_t a = pa; a < pa + len; a += psz) {
		struct shadow_page *s = shadow_of(coh__frame_get(c->m, a));
		if (s)
			coh__shadow_clear(s, psz);
	}
}

static uint64_t latest(const coh_check *c, coh_addr_t pa, uint8_t *val)
{
	return latest_in(c, NULL, pa, val);
}

/* Was a finding of this kind already made for the operation under way? */
static bool already(const coh_check *c, enum coh_finding_kind kind)
{
	return c->nfindings && c->findings[c->nfindings - 1].kind == kind &&
	       c->findings[c->nfindings - 1].trigger.no == c->m->op_ev;
}

static void set_writer(coh_check *c, coh_finding *f, uint64_t ver)
{
	uint64_t key = ver + c->writes_base;
	const coh_event *w = &c->writes[key % COH__WRITES_CAP];
	if (w->no == key) {
		f->writer = *w;
		f->writer.no = ver;
	} else {
		f->writer.no = ver;
		f->writer_aged_out = true;
	}
}

static void set_line(const coh_check *c, coh_finding *f, const struct coh__cache *cache,
                     const struct coh__line *l)
{
	f->stale_is_line = true;
	f->stale_cpu = (int)cache->cpu;
	f->stale_set = (unsigned)((l - cache->lines) / cache->ways);
	f->stale_way = (unsigned)((l - cache->lines) % cache->ways);
	f->stale_line_va = l->va;
	f->stale_line_pa = l->pa;
	f->stale_since = l->fill_ev;
	/* the fill's source line, while the trace still holds it */
	if (!coh_machine_event(c->m, l->fill_ev, &f->stale_fill))
		f->stale_fill.no = 0;
}

/*
 * Compares bytes a copy gave (or wrote) at pa with the latest versions.
 * Returns the index of the first byte that differs from a defined latest
 * value, or -1; fills expected[] with the latest (or the byte itself where
 * undefined).
 */
static int compare(const coh_check *c, coh_addr_t pa, const uint8_t *bytes, unsigned len,
                   uint8_t *expected, uint64_t *ver_out)
{
	int first = -1;
	for (unsigned i = 0; i < len; i++) {
		uint8_t v;
		uint64_t ver = latest(c, pa + i, &v);
		expected[i] = ver ? v : bytes[i];
		if (ver && v != bytes[i] && first < 0) {
			first = (int)i;
			*ver_out = ver;
		}
	}
	return first;
}

static void fill_bytes(coh_finding *f, const uint8_t *expected, const uint8_t *seen, unsigned len)
{
	f->len = len < COH_FINDING_MAX_BYTES ? len : COH_FINDING_MAX_BYTES;
	memcpy(f->expected, expected, f->len);
	memcpy(f->seen, seen, f->len);
}

/* memcmp(a, b, len) == 0, inline for the sizes of a load */
static inline bool same_bytes(const uint8_t *a, const uint8_t *b, unsigned len)
{
	switch (len) {
	case 1:
		return a[0] == b[0];
	case 2:
		return memcmp(a, b, 2) == 0;
	case 4:
		return memcmp(a, b, 4) == 0;
	case 8:
		return memcmp(a, b, 8) == 0;
	default:
		return memcmp(a, b, len) == 0;
	}
}

/*
 * Fast check of bytes at pa that lie in one shadow page: true if none of
 * them can differ from a defined latest value (no shadow page, or every
 * shadow value equals its byte), so that compare() would return -1.
 */
static inline bool all_latest(const coh_check *c, const struct coh__frame *fr, coh_addr_t pa,
                              const uint8_t *bytes, unsigned len)
{
	size_t off = pa & (c->m->page_size - 1);
	if (off + len > c->m->page_size)
		return false; /* crosses a page: let compare() decide */
	const struct shadow_page *s = shadow_of(fr);
	return !s || same_bytes(s->val + off, bytes, len);
}

/* on_load with the lifetime shadow on, or past the fast check: compare
 * byte by byte, report. */
static __attribute__((noinline)) void load_slow(coh_check *c, unsigned cpu, coh_addr_t va,
                                                coh_addr_t pa, const uint8_t *seen, unsigned len,
                                                const struct coh__line *line,
                                                const struct coh__cache *cache)
{
	uint8_t exp[256];
	uint64_t ver = 0;
	if (c->life_on)
		coh__life_access(c, (int)cpu, va, true, pa, len, false);
	if (len > sizeof(exp))
		len = sizeof(exp);
	if (all_latest(c, line ? line->frame : coh__frame_get(c->m, pa), pa, seen, len))
		return;
	int bad = compare(c, pa, seen, len, exp, &ver);
	if (bad < 0 || already(c, COH_F_STALE_READ))
		return;
	coh_finding *f = coh__finding_new(c, COH_F_STALE_READ, (int)cpu);
	if (!f)
		return;
	f->has_addr = true;
	f->va = va;
	f->pa = pa;
	fill_bytes(f, exp, seen, len);
	/* the load's own trace entry gets its PA and value only when it ends */
	uint64_t v = 0;
	for (unsigned i = 0; i < len && i < 8; i++)
		v |= (uint64_t)seen[i] << (8 * i);
	f->trigger.pa = pa;
	f->trigger.value = v;
	if (f->ntail && f->tail[f->ntail - 1].no == f->trigger.no)
		f->tail[f->ntail - 1] = f->trigger;
	set_writer(c, f, ver);
	if (line) {
		set_line(c, f, cache, line);
		snprintf(f->message, sizeof(f->message),
		         "cpu%u loaded stale data at VA 0x%llx (PA 0x%llx) from its cache line "
		         "filled through VA 0x%llx",
		         cpu, (unsigned long long)va, (unsigned long long)pa,
		         (unsigned long long)line->va);
	} else {
		snprintf(f->message, sizeof(f->message),
		         "cpu%u loaded stale data at VA 0x%llx (PA 0x%llx) from memory (uncached)",
		         cpu, (unsigned long long)va, (unsigned long long)pa);
	}
	coh__explain(c, f);
}

static void on_load(void *ctx, unsigned cpu, coh_addr_t va, coh_addr_t pa, const uint8_t *seen,
                    unsigned len, const struct coh__line *line, const struct coh__cache *cache)
{
	coh_check *c = ctx;
	/* a line's frame is at hand: no table walk on a hit */
	if (!c->life_on && len <= 256 &&
	    all_latest(c, line ? line->frame : coh__frame_get(c->m, pa), pa, seen, len))
		return;
	load_slow(c, cpu, va, pa, seen, len, line, cache);
}

/* Keeps the writer event ev (at pa) for reports, once per event. The ring
 * is indexed by ev + writes_base: coh_check_reset moves the base past every
 * number used since, so that old entries can never match (no clearing). */
static inline void note_writer(coh_check *c, uint64_t ev, coh_addr_t pa)
{
	uint64_t key = ev + c->writes_base;
	coh_event *w = &c->writes[key % COH__WRITES_CAP];
	if (w->no == key)
		return;
	const coh_machine *m = c->m;
	const coh_event *e = &m->trace[ev % COH__TRACE_CAP];
	if (m->tracing && ev && ev <= m->ev && e->no == ev)
		*w = *e; /* coh_machine_event, inline */
	else
		memset(w, 0, sizeof(*w));
	w->no = key;
	w->pa = pa;
	if (ev > c->writes_hi)
		c->writes_hi = ev;
}

/* on_store with the lifetime shadow on, or past the fast path: byte
 * ranges page by page, shadow pages made as needed. */
static __attribute__((noinline)) void store_slow(coh_check *c, int cpu, coh_addr_t pa,
                                                 const uint8_t *bytes, unsigned len, uint64_t ev,
                                                 struct coh__frame *frame)
{
	if (c->life_on)
		coh__life_access(c, cpu, 0, false, pa, len, true);
	note_writer(c, ev, pa);
	for (unsigned i = 0; i < len;) {
		/* the frame given is pa's: only the first page can use it */
		struct shadow_page *s = shadow_for_write(c, i == 0 ? frame : NULL, pa + i);
		if (!s) /* out of host memory: this byte stays unchecked */
			return;
		size_t off = (pa + i) & (c->m->page_size - 1);
		unsigned n = len - i;
		if (n > c->m->page_size - off)
			n = (unsigned)(c->m->page_size - off);
		if (!coh__shadow_set(s, off, bytes + i, n, ev))
			return;
		i += n;
	}
}

static void on_store(void *ctx, int cpu, coh_addr_t pa, const uint8_t *bytes, unsigned len,
                     uint64_t ev, struct coh__frame *frame)
{
	coh_check *c = ctx;
	/* the common case: a store of whole granules within a live page */
	struct shadow_page *s = shadow_of(frame);
	size_t off = pa & (c->m->page_size - 1);
	if (!c->life_on && s && s->live && off + len <= c->m->page_size &&
	    coh__shadow_set_fast(s, off, bytes, len, ev)) {
		note_writer(c, ev, pa);
		return;
	}
	store_slow(c, cpu, pa, bytes, len, ev, frame);
}

/* Finds a dirty line anywhere that holds the latest value of pa. */
struct holder_search {
	coh_addr_t pa;
	uint8_t want;
	const struct coh__line *skip;
	const struct coh__cache *cache;
	const struct coh__line *found;
	bool dirty_only;
};

static void holder_visit(coh_machine *m, struct coh__cache *cache, struct coh__line *l, void *arg)
{
	struct holder_search *h = arg;
	(void)m;
	if (h->found || l == h->skip)
		return;
	if (h->dirty_only && !l->dirty)
		return;
	if (coh__line_data(cache, l)[h->pa - l->pa] == h->want) {
		h->found = l;
		h->cache = cache;
	}
}

static void on_dma_read(void *ctx, coh_addr_t pa, const uint8_t *seen, unsigned len)
{
	coh_check *c = ctx;
	if (c->life_on)
		coh__life_access(c, -1, 0, false, pa, len, false);
	for (unsigned done = 0; done < len;) {
		uint8_t exp[64];
		unsigned n = len - done < sizeof(exp) ? len - done : (unsigned)sizeof(exp);
		uint64_t ver = 0;
		/* the common case: every byte holds its latest value */
		if (all_latest(c, coh__frame_get(c->m, pa + done), pa + done, seen + done, n)) {
			done += n;
			continue;
		}
		int bad = compare(c, pa + done, seen + done, n, exp, &ver);
		if (bad < 0) {
			done += n;
			continue;
		}
		coh_addr_t bpa = pa + done + (unsigned)bad;
		coh_finding *f = coh__finding_new(c, COH_F_STALE_DMA, -1);
		if (!f)
			return;
		f->has_addr = true;
		f->pa = bpa;
		fill_bytes(f, exp + bad, seen + done + bad, n - (unsigned)bad);
		set_writer(c, f, ver);
		struct holder_search h = {.pa = bpa, .want = exp[bad], .dirty_only = true};
		coh__for_each_copy(c->m, bpa, -1, holder_visit, &h);
		if (h.found) {
			f->va = h.found->va + (bpa - h.found->pa);
			snprintf(f->message, sizeof(f->message),
			         "the device read stale memory at PA 0x%llx: the latest data is "
			         "still in a dirty line of cpu%u (VA 0x%llx) that was not cleaned",
			         (unsigned long long)bpa, h.cache->cpu, (unsigned long long)f->va);
			f->stale_since = h.found->fill_ev;
			if (!coh_machine_event(c->m, f->stale_since, &f->stale_fill))
				f->stale_fill.no = 0;
		} else {
			snprintf(f->message, sizeof(f->message),
			         "the device read stale memory at PA 0x%llx",
			         (unsigned long long)bpa);
		}
		coh__explain(c, f);
		return; /* one finding per DMA read */
	}
}

static void on_writeback(void *ctx, const struct coh__cache *cache, const struct coh__line *line,
                         coh_addr_t pa, const uint8_t *bytes, const uint8_t *old, unsigned len)
{
	coh_check *c = ctx;
	/* without a shadow page no byte has a version: nothing can be lost */
	const struct shadow_page *s = shadow_of(line->frame);
	if (!s)
		return;
	size_t off = pa & (c->m->page_size - 1);
	const uint8_t *latest_val = s->val + off;
	/* the common case: the segment holds the latest value of every byte
	 * (a segment lies within its page) */
	if (off + len <= c->m->page_size && memcmp(bytes, latest_val, len) == 0)
		return;
	for (unsigned i = 0; i < len; i++) {
		/* a byte that does not change memory, or that writes the latest
		 * value, cannot lose a write: skip the version lookup, 8 at a
		 * time where all 8 are such (most bytes of a dirty segment) */
		if ((i & 7) == 0 && len - i >= 8 &&
		    (same_bytes(bytes + i, old + i, 8) ||
		     same_bytes(bytes + i, latest_val + i, 8))) {
			i += 7;
			continue;
		}
		if (bytes[i] == old[i])
			continue;
		uint8_t v;
		uint64_t ver = latest_in(c, line->frame, pa + i, &v);
		if (!ver || old[i] != v || bytes[i] == v)
			continue;
		if (already(c, COH_F_LOST_WRITE))
			return;
		coh_finding *f = coh__finding_new(c, COH_F_LOST_WRITE, (int)cache->cpu);
		if (!f)
			return;
		uint8_t exp[256];
		uint64_t dummy;
		unsigned n = len - i < sizeof(exp) ? len - i : (unsigned)sizeof(exp);
		compare(c, pa + i, bytes + i, n, exp, &dummy);
		f->has_addr = true;
		f->pa = pa + i;
		f->va = line->va + (pa + i - line->pa);
		fill_bytes(f, exp, bytes + i, n);
		set_writer(c, f, ver);
		set_line(c, f, cache, line);
		snprintf(f->message, sizeof(f->message),
		         "cpu%u wrote back a dirty line (filled through VA 0x%llx) over newer data "
		         "at PA 0x%llx",
		         cache->cpu, (unsigned long long)line->va, (unsigned long long)(pa + i));
		coh__explain(c, f);
		return;
	}
}

static void on_discard(void *ctx, const struct coh__cache *cache, const struct coh__line *line,
                       coh_addr_t pa, const uint8_t *bytes, unsigned len)
{
	coh_check *c = ctx;
	for (unsigned i = 0; i < len; i++) {
		uint8_t v;
		uint64_t ver = latest_in(c, line->frame, pa + i, &v);
		if (!ver || bytes[i] != v || coh__frame_bytes(c->m, line->frame, pa + i)[0] == v)
			continue;
		struct holder_search h = {.pa = pa + i, .want = v, .skip = line};
		coh__for_each_copy(c->m, pa + i, -1, holder_visit, &h);
		if (h.found)
			continue;
		if (already(c, COH_F_LOST_WRITE))
			return;
		coh_finding *f = coh__finding_new(c, COH_F_LOST_WRITE, (int)cache->cpu);
		if (!f)
			return;
		f->has_addr = true;
		f->pa = pa + i;
		f->va = line->va + (pa + i - line->pa);
		unsigned n = len - i;
		fill_bytes(f, bytes + i, coh__mem_at(c->m, pa + i), n);
		set_writer(c, f, ver);
		set_line(c, f, cache, line);
		snprintf(
		    f->message, sizeof(f->message),
		    "cpu%u discarded a dirty line (filled through VA 0x%llx) that held the only "
		    "copy of the latest data at PA 0x%llx",
		    cache->cpu, (unsigned long long)line->va, (unsigned long long)(pa + i));
		coh__explain(c, f);
		return;
	}
}

static void on_fault(void *ctx, unsigned cpu, coh_addr_t va, bool write)
{
	coh_check *c = ctx;
	if (already(c, COH_F_BAD_ACCESS))
		return;
	coh_finding *f = coh__finding_new(c, COH_F_BAD_ACCESS, (int)cpu);
	if (!f)
		return;
	f->has_addr = true;
	f->va = va;
	snprintf(f->message, sizeof(f->message), "cpu%u %s unmapped VA 0x%llx", cpu,
	         write ? "wrote to" : "accessed", (unsigned long long)va);
}

void coh__check_observe(coh_check *c)
{
	struct coh__observer obs = {.ctx = c, .fault = on_fault};
	if (c->cfg.oracle) {
		obs.load = on_load;
		obs.store = on_store;
		obs.dma_read = on_dma_read;
		obs.writeback = on_writeback;
		obs.discard = on_discard;
	} else if (c->life_on) {
		coh__life_hooks(&obs);
	}
	coh__machine_set_observer(c->m, &obs);
}
