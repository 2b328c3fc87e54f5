/*
 * cache.c - one L1 data cache per CPU, holding real data.
 *
 * Lookup: the set index comes from the VA or the PA (folding VA bits up to
 * hash_top_bit in for PA-RISC); a line matches by VA (virtual tag) or by PA
 * (physical tag, and for a hashed index also by the VA colour bits, so that
 * aliases share a line only when congruent modulo 2^(hash_top_bit+1)).
 *
 * Coherence: within one cache nothing keeps aliases coherent; that is the
 * point. Among CPUs the caches are kept coherent by PA, as an MPCore snoop
 * control unit does: a load miss makes other CPUs write back their dirty
 * copies, a store makes them write back and drop theirs.
 *
 * Write-back granularity is the dirty segment (a line or half a line): a
 * write-back writes every byte of a dirty segment, including bytes the CPU
 * never stored, which is how real write-backs clobber DMA data.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "machine/machine_impl.h"

#ifdef __SSE2__
#define TAG_GROUP 16 /* tag bytes compared at once */

/* Bit i set for each of the 16 tag bytes at t equal to b. */
static inline unsigned tag_eq(const uint8_t *t, uint8_t b)
{
	__m128i x = _mm_loadu_si128((const __m128i *)(const void *)t);
	return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8((char)b)));
}
#else
#define TAG_GROUP 8

/* Bit i set for each of the 8 tag bytes at t equal to b. */
static inline unsigned tag_eq(const uint8_t *t, uint8_t b)
{
	unsigned mask = 0;
	for (unsigned i = 0; i < 8; i++)
		mask |= (unsigned)(t[i] == b) << i;
	return mask;
}
#endif

static unsigned log2u(unsigned x)
{
	unsigned r = 0;
	while ((1u << r) < x)
		r++;
	return r;
}

/* A set of at most this many ways is scanned without the tag filter. */
#define FILTER_MIN_WAYS 4

/* Every line invalid: tag bytes 0, the padding 0x7f. */
static void reset_tags(struct coh__cache *c)
{
	for (unsigned set = 0; set < c->nsets; set++) {
		uint8_t *t = c->tags + (size_t)set * c->tag_stride;
		memset(t, 0, c->ways);
		memset(t + c->ways, 0x7f, c->tag_stride - c->ways);
	}
}

int coh__cache_init(coh_machine *m, struct coh__cache *c, unsigned cpu)
{
	const coh_cache_geometry *g = &m->arch->l1;
	memset(c, 0, sizeof(*c));
	c->cpu = cpu;
	c->ways = g->ways;
	c->line_size = g->line_size;
	c->line_shift = log2u(g->line_size);
	c->nsets = g->size / (g->ways * g->line_size);
	c->set_mask = c->nsets - 1;
	c->seg_size = g->line_size / (g->dirty_segments ? g->dirty_segments : 1);
	unsigned low_sets = m->page_size / g->line_size;
	if (g->index == COH_FROM_PHYS || c->nsets <= low_sets)
		c->ncand = 1;
	else
		c->ncand = c->nsets / low_sets;
	if (g->hash_top_bit)
		c->colour_mask = ((2ull << g->hash_top_bit) - 1) & ~(coh_addr_t)(m->page_size - 1);
	c->index_va = g->index == COH_FROM_VIRT;
	c->tag_va = g->tag == COH_FROM_VIRT;
	c->fold = g->hash_top_bit && c->ncand > 1;
	if (c->fold) {
		unsigned set_bits = log2u(c->nsets);
		c->fold_low_bits = m->page_shift - c->line_shift;
		c->fold_cand_bits = set_bits - c->fold_low_bits;
		c->fold_cand_mask = (1u << c->fold_cand_bits) - 1;
		c->fold_first = c->line_shift + set_bits;
		if (g->hash_top_bit + 1 > c->fold_first)
			c->fold_extra_mask = (1ull << (g->hash_top_bit + 1 - c->fold_first)) - 1;
	}
	c->lmask = ~(coh_addr_t)(c->line_size - 1);
	size_t nlines = (size_t)c->nsets * c->ways;
	c->lines = calloc(nlines, sizeof(*c->lines));
	c->data = calloc(nlines, c->line_size);
	c->rr = calloc(c->nsets, sizeof(*c->rr));
	c->mru = calloc(c->nsets, sizeof(*c->mru));
	c->used = calloc(c->nsets, sizeof(*c->used));
	c->set_used = calloc(c->nsets, 1);
	c->nonempty = &m->nonempty;
	if (c->ways > FILTER_MIN_WAYS) {
		c->tag_stride = (c->ways + TAG_GROUP - 1) & ~(unsigned)(TAG_GROUP - 1);
		c->tags = malloc((size_t)c->nsets * c->tag_stride);
		if (!c->tags)
			return COH_ENOMEM;
		reset_tags(c);
	}
	if (!c->lines || !c->data || !c->rr || !c->mru || !c->used || !c->set_used)
		return COH_ENOMEM;
	return COH_OK;
}

void coh__cache_free(struct coh__cache *c)
{
	free(c->lines);
	free(c->data);
	free(c->rr);
	free(c->mru);
	free(c->tags);
	free(c->used);
	free(c->set_used);
	c->used = NULL;
	c->set_used = NULL;
	c->tags = NULL;
	c->lines = NULL;
	c->data = NULL;
	c->rr = NULL;
	c->mru = NULL;
}

/* Empties the sets that held a line since the last reset: the others are
 * as init left them. */
void coh__cache_reset(struct coh__cache *c)
{
	for (unsigned i = 0; i < c->nused; i++) {
		unsigned set = c->used[i];
		memset(coh__line_at(c, set, 0), 0, c->ways * sizeof(*c->lines));
		c->rr[set] = 0;
		c->mru[set] = 0;
		if (c->tags)
			memset(c->tags + (size_t)set * c->tag_stride, 0, c->ways);
		c->set_used[set] = 0;
	}
	c->nused = 0;
	c->nvalid = 0;
	*c->nonempty &= ~(1u << c->cpu);
	c->stamp = 0;
	memset(&c->st, 0, sizeof(c->st));
}

unsigned coh__cache_set(const coh_machine *m, const struct coh__cache *c, coh_addr_t va,
                        coh_addr_t pa)
{
	(void)m;
	unsigned set = (unsigned)((c->index_va ? va : pa) >> c->line_shift) & c->set_mask;
	if (c->fold) {
		/* fold VA[top:set bits] into the set bits above the page offset
		 * (the shifts and masks worked out by coh__cache_init) */
		uint64_t extra = (va >> c->fold_first) & c->fold_extra_mask;
		unsigned fold = 0;
		for (; extra; extra >>= c->fold_cand_bits)
			fold ^= (unsigned)(extra & c->fold_cand_mask);
		set ^= fold << c->fold_low_bits;
	}
	return set;
}

/*
 * A line matches by VA (virtual tag) or by PA and the VA colour bits
 * (physical tag). At most one line of a set matches: a line is filled only
 * when no line of its set matches. So the way of the set's last hit or fill
 * (mru) is tried first, and a hit there is the hit the scan would find.
 */
static inline bool line_matches(const struct coh__cache *c, const struct coh__line *l,
                                coh_addr_t va, coh_addr_t pa)
{
	if (c->tag_va)
		return l->valid && l->va == (va & c->lmask);
	return l->valid && l->pa == (pa & c->lmask) && ((l->va ^ va) & c->colour_mask) == 0;
}

#define NO_WAY UINT_MAX

/* lookup() of a set of few ways: every way compared in full. */
static inline int scan(const struct coh__cache *c, const struct coh__line *l, unsigned set,
                       coh_addr_t va, coh_addr_t pa, unsigned *free_way)
{
	if (c->tag_va) {
		coh_addr_t lva = va & c->lmask;
		for (unsigned w = 0; w < c->ways; w++) {
			if (!l[w].valid) {
				if (*free_way == NO_WAY)
					*free_way = w;
			} else if (l[w].va == lva) {
				c->mru[set] = w;
				return (int)w;
			}
		}
		return -1;
	}
	coh_addr_t lpa = pa & c->lmask;
	for (unsigned w = 0; w < c->ways; w++) {
		if (!l[w].valid) {
			if (*free_way == NO_WAY)
				*free_way = w;
		} else if (l[w].pa == lpa && ((l[w].va ^ va) & c->colour_mask) == 0) {
			c->mru[set] = w;
			return (int)w;
		}
	}
	return -1;
}

/*
 * The hot path of every access: the way holding (va, pa) in set, or -1; on
 * a miss, *free_way is the first invalid way of the set (NO_WAY if none).
 *
 * After the MRU way, a set of up to FILTER_MIN_WAYS ways is scanned
 * (scan()); in a larger one the set's tag bytes are compared TAG_GROUP at a time
 * with the tag byte of (va, pa); only the ways whose byte matches (the
 * line, and 1 in 128 others) are compared in full. A zero tag byte is an
 * invalid way; the padding (0x7f) matches neither.
 */
static inline __attribute__((always_inline)) int
lookup(const struct coh__cache *c, unsigned set, coh_addr_t va, coh_addr_t pa, unsigned *free_way)
{
	const struct coh__line *l = coh__line_at(c, set, 0);
	unsigned hint = c->mru[set];
	*free_way = NO_WAY;
	if (line_matches(c, &l[hint], va, pa))
		return (int)hint;
	if (!c->tags)
		return scan(c, l, set, va, pa, free_way);
	uint8_t want = coh__tag_byte((c->tag_va ? va : pa) & c->lmask);
	const uint8_t *t = c->tags + (size_t)set * c->tag_stride;
	for (unsigned g = 0; g < c->tag_stride; g += TAG_GROUP) {
		for (unsigned hit = tag_eq(t + g, want); hit; hit &= hit - 1) {
			unsigned w = g + (unsigned)__builtin_ctz(hit);
			if (line_matches(c, &l[w], va, pa)) {
				c->mru[set] = w;
				return (int)w;
			}
		}
		if (*free_way == NO_WAY) {
			unsigned z = tag_eq(t + g, 0);
			if (z)
				*free_way = g + (unsigned)__builtin_ctz(z);
		}
	}
	return -1;
}

int coh__cache_find(const coh_machine *m, const struct coh__cache *c, unsigned set, coh_addr_t va,
                    coh_addr_t pa)
{
	unsigned free_way;
	(void)m;
	return lookup(c, set, va, pa, &free_way);
}

void coh__line_writeback_dirty(coh_machine *m, struct coh__cache *c, struct coh__line *l)
{
	uint8_t *data = coh__line_data(c, l);
	for (unsigned s = 0; l->dirty; s++) {
		if (!(l->dirty & (1u << s)))
			continue;
		l->dirty &= (uint8_t) ~(1u << s);
		unsigned off = s * c->seg_size;
		coh_addr_t pa = l->pa + off;
		coh__event(m, COH_EV_WRITEBACK, (int)c->cpu, l->va + off, pa, c->seg_size, 0);
		c->st.writebacks++;
		if (m->obs.writeback) {
			c->st.oracle_checks++;
			m->obs.writeback(m->obs.ctx, c, l, pa, data + off,
			                 coh__frame_bytes(m, l->frame, pa), c->seg_size);
		}
		coh__mem_write_in(m, l->frame, pa, data + off, c->seg_size);
	}
}

void coh__line_discard(coh_machine *m, struct coh__cache *c, struct coh__line *l)
{
	uint8_t *data = coh__line_data(c, l);
	for (unsigned s = 0; l->dirty; s++) {
		if (!(l->dirty & (1u << s)))
			continue;
		l->dirty &= (uint8_t) ~(1u << s);
		unsigned off = s * c->seg_size;
		coh__event(m, COH_EV_DISCARD, (int)c->cpu, l->va + off, l->pa + off, c->seg_size,
		           0);
		/* the line stays valid while the oracle looks, so that it is not
		 * counted among the other copies */
		if (m->obs.discard) {
			c->st.oracle_checks++;
			m->obs.discard(m->obs.ctx, c, l, l->pa + off, data + off, c->seg_size);
		}
	}
	coh__line_invalidate(c, l);
}

/* memcpy of a line (a power of two), 16 bytes at a time inline */
static inline void copy_line(uint8_t *dst, const uint8_t *src, unsigned len)
{
	if (len < 16) {
		memcpy(dst, src, len);
		return;
	}
	for (unsigned i = 0; i < len; i += 16)
		memcpy(dst + i, src + i, 16);
}

/* free_way: the first invalid way of the set, from lookup(); NO_WAY if none */
static inline unsigned pick_victim(coh_machine *m, struct coh__cache *c, unsigned set,
                                   unsigned free_way)
{
	if (free_way != NO_WAY)
		return free_way;
	switch (m->arch->l1.repl) {
	case COH_REPL_LRU: {
		unsigned best = 0;
		for (unsigned w = 1; w < c->ways; w++)
			if (coh__line_at(c, set, w)->lru < coh__line_at(c, set, best)->lru)
				best = w;
		return best;
	}
	case COH_REPL_RANDOM:
		return (unsigned)(coh__rand(m) % c->ways);
	case COH_REPL_ROUND_ROBIN:
	default: {
		unsigned w = c->rr[set];
		c->rr[set] = (w + 1) % c->ways;
		return w;
	}
	}
}

/* Allocates and fills the line for (va, pa) in its set; returns it. Inline
 * in each miss path. */
static inline __attribute__((always_inline)) struct coh__line *
fill(coh_machine *m, struct coh__cache *c, unsigned set, coh_addr_t va, coh_addr_t pa,
     unsigned free_way)
{
	coh_addr_t lmask = c->lmask;
	unsigned way = pick_victim(m, c, set, free_way);
	struct coh__line *l = coh__line_at(c, set, way);
	c->mru[set] = way;
	c->st.fills++;
	if (l->valid) {
		c->st.evictions++;
		coh__line_writeback(m, c, l);
	} else {
		if (c->nvalid++ == 0)
			m->nonempty |= 1u << c->cpu;
		if (!c->set_used[set]) {
			c->set_used[set] = 1;
			c->used[c->nused++] = set;
		}
	}
	l->va = va & lmask;
	l->pa = pa & lmask;
	l->frame = coh__frame_find(m, l->pa);
	l->dirty = 0;
	l->valid = 1;
	if (c->tags)
		c->tags[(size_t)set * c->tag_stride + way] =
		    coh__tag_byte(c->tag_va ? l->va : l->pa);
	l->lru = ++c->stamp;
	copy_line(coh__line_data(c, l), coh__frame_bytes(m, l->frame, l->pa), c->line_size);
	l->fill_ev = coh__event(m, COH_EV_FILL, (int)c->cpu, l->va, l->pa, c->line_size, 0);
	return l;
}

static void snoop_clean(coh_machine *m, struct coh__cache *c, struct coh__line *l, void *arg)
{
	(void)arg;
	coh__line_writeback(m, c, l);
}

static void snoop_drop(coh_machine *m, struct coh__cache *c, struct coh__line *l, void *arg)
{
	(void)arg;
	coh__line_writeback(m, c, l);
	coh__line_invalidate(c, l);
}

void coh__for_each_copy(coh_machine *m, coh_addr_t pa, int skip_cpu,
                        void (*fn)(coh_machine *m, struct coh__cache *c, struct coh__line *l,
                                   void *arg),
                        void *arg)
{
	for (unsigned cpu = 0; cpu < m->ncpus; cpu++) {
		struct coh__cache *c = &m->cache[cpu];
		if ((int)cpu == skip_cpu || !c->nvalid)
			continue;
		coh_addr_t lpa = pa & ~(coh_addr_t)(c->line_size - 1);
		unsigned low_sets = c->nsets / c->ncand;
		unsigned base = (unsigned)(lpa >> c->line_shift) & (low_sets - 1);
		if (m->arch->l1.index == COH_FROM_PHYS)
			base = coh__cache_set(m, c, lpa, lpa);
		for (unsigned k = 0; k < c->ncand; k++) {
			unsigned set = base | (k * low_sets);
			for (unsigned w = 0; w < c->ways; w++) {
				struct coh__line *l = coh__line_at(c, set, w);
				if (l->valid && l->pa == lpa)
					fn(m, c, l, arg);
			}
		}
	}
}

void coh__cache_read(coh_machine *m, unsigned cpu, coh_addr_t va, coh_addr_t pa, enum coh_attr attr,
                     uint8_t *buf, unsigned len)
{
	struct coh__cache *c = &m->cache[cpu];
	if (attr >= COH_ATTR_UNCACHED) {
		c->st.uncached_reads++;
		memcpy(buf, coh__mem_at(m, pa), len); /* len: within one line */
		if (attr == COH_ATTR_BUFFERABLE) {    /* maybe satisfied early (rorder.c); */
			coh__rord_load(m, cpu, pa, buf, len);
			coh__wbuf_forward(m, cpu, pa, buf, len); /* its own stores win */
		}
		if (m->obs.load) {
			c->st.oracle_checks++;
			m->obs.load(m->obs.ctx, cpu, va, pa, buf, len, NULL, c);
		}
		return;
	}
	unsigned set = coh__cache_set_of(m, c, va, pa);
	unsigned free_way;
	int way = lookup(c, set, va, pa, &free_way);
	struct coh__line *l;
	if (way >= 0) {
		l = coh__line_at(c, set, (unsigned)way);
		l->lru = ++c->stamp;
		c->st.read_hits++;
	} else {
		c->st.read_misses++;
		if (m->ncpus > 1)
			coh__for_each_copy(m, pa, (int)cpu, snoop_clean, NULL);
		l = fill(m, c, set, va, pa, free_way);
	}
	coh__copy(buf, coh__line_data(c, l) + (pa & (c->line_size - 1)), len);
	if (m->obs.load) {
		c->st.oracle_checks++;
		m->obs.load(m->obs.ctx, cpu, va, pa, buf, len, l, c);
	}
}

void coh__cache_write(coh_machine *m, unsigned cpu, coh_addr_t va, coh_addr_t pa,
                      enum coh_attr attr, const uint8_t *buf, unsigned len)
{
	struct coh__cache *c = &m->cache[cpu];
	const coh_cache_geometry *g = &m->arch->l1;
	if (attr >= COH_ATTR_UNCACHED) {
		c->st.uncached_writes++;
		if (m->obs.store)
			m->obs.store(m->obs.ctx, (int)cpu, pa, buf, len, m->op_ev, NULL);
		if (attr == COH_ATTR_BUFFERABLE)
			coh__wbuf_store(m, cpu, pa, buf, len);
		else
			coh__mem_write(m, pa, buf, len);
		return;
	}
	if (m->ncpus > 1)
		coh__for_each_copy(m, pa, (int)cpu, snoop_drop, NULL);
	bool through = attr == COH_ATTR_WT || g->write_through;
	unsigned set = coh__cache_set_of(m, c, va, pa);
	unsigned free_way;
	int way = lookup(c, set, va, pa, &free_way);
	struct coh__line *l = NULL;
	if (way >= 0) {
		l = coh__line_at(c, set, (unsigned)way);
		c->st.write_hits++;
	} else {
		c->st.write_misses++;
		if (g->write_allocate && !through)
			l = fill(m, c, set, va, pa, free_way);
	}
	/* The new value exists only from here on: the write-backs this store
	 * caused (other CPUs' snooped copies, the fill's victim) carry older
	 * data and must not be judged against it. */
	if (m->obs.store)
		m->obs.store(m->obs.ctx, (int)cpu, pa, buf, len, m->op_ev, l ? l->frame : NULL);
	if (!l) {
		coh__mem_write(m, pa, buf, len);
		return;
	}
	unsigned off = (unsigned)(pa & (c->line_size - 1));
	coh__copy(coh__line_data(c, l) + off, buf, len);
	l->lru = ++c->stamp;
	if (through) {
		coh__mem_write_in(m, l->frame, pa, buf, len);
		return;
	}
	for (unsigned s = off / c->seg_size; s <= (off + len - 1) / c->seg_size; s++)
		l->dirty |= (uint8_t)(1u << s);
}

int coh__cache_locate(coh_machine *m, const struct coh__cache *c, coh_addr_t va, bool report,
                      struct coh__line **out)
{
	const coh_cache_geometry *g = &m->arch->l1;
	coh_addr_t pa = 0;
	*out = NULL;
	if (g->tag == COH_FROM_PHYS || g->index == COH_FROM_PHYS) {
		enum coh_attr attr;
		if (coh__mmu_lookup(m, c->cpu, va, &pa, &attr)) {
			if (report && m->obs.fault)
				m->obs.fault(m->obs.ctx, c->cpu, va, false);
			return COH_EFAULT;
		}
	}
	unsigned set = coh__cache_set_of(m, c, va, pa);
	int way = coh__cache_find(m, c, set, va, pa);
	if (way >= 0)
		*out = coh__line_at(c, set, (unsigned)way);
	return COH_OK;
}

int coh__cache_maint_line(coh_machine *m, struct coh__cache *c, coh_addr_t va, enum coh__maint op)
{
	struct coh__line *l;
	int r = coh__cache_locate(m, c, va, true, &l);
	if (r || !l)
		return r;
	if (op == COH__CLEAN || op == COH__FLUSH)
		coh__line_writeback(m, c, l);
	if (op == COH__INVAL || op == COH__FLUSH)
		coh__line_discard(m, c, l);
	return COH_OK;
}

void coh__cache_prefetch(coh_machine *m, unsigned cpu, coh_addr_t va, coh_addr_t pa)
{
	struct coh__cache *c = &m->cache[cpu];
	unsigned set = coh__cache_set_of(m, c, va, pa);
	unsigned free_way;
	if (lookup(c, set, va, pa, &free_way) >= 0)
		return;
	if (m->ncpus > 1)
		coh__for_each_copy(m, pa, (int)cpu, snoop_clean, NULL);
	fill(m, c, set, va, pa, free_way);
}
