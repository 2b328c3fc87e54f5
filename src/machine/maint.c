/*
 * maint.c - cache maintenance by VA range (clean, invalidate, flush), of
 * the whole cache, and the explorer's spontaneous evictions and
 * speculative fills. Maintenance acts on the CPU's cache, or on every
 * CPU's where the arch broadcasts it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine_impl.h"

/* maint() on a VIVT cache for a range of more lines than the cache holds:
 * the same per-line operation, in the same ascending VA order, but only at
 * the VAs that have a line (a VIVT lookup needs no translation, so the
 * range loop would step through every line of the range: 2^59 of them for
 * `flush 0 0xffffffffffffffff`). */
static int maint_cached_lines(coh_machine *m, struct coh__cache *c, coh_addr_t first,
                              coh_addr_t last, enum coh__maint op)
{
	size_t n = (size_t)c->nsets * c->ways;
	coh_addr_t from = first;
	for (;;) {
		const struct coh__line *next = NULL;
		for (size_t i = 0; i < n; i++) {
			const struct coh__line *l = &c->lines[i];
			if (l->valid && l->va >= from && l->va <= last &&
			    (!next || l->va < next->va))
				next = l;
		}
		if (!next)
			return COH_OK;
		coh_addr_t a = next->va;
		int r = coh__cache_maint_line(m, c, a, op);
		if (r || a == last)
			return r;
		from = a + c->line_size;
	}
}

/* What coh__cache_maint_line reports for each line of [first, last] of an
 * empty physically tagged or indexed cache c: a fault at the first line
 * whose VA is unmapped (COH_EFAULT), else COH_OK. Pages share a mapping, so
 * one translation per page. */
static int first_unmapped(coh_machine *m, const struct coh__cache *c, coh_addr_t first,
                          coh_addr_t last)
{
	for (coh_addr_t a = first;;) {
		coh_addr_t pa;
		enum coh_attr attr;
		if (coh__mmu_lookup(m, c->cpu, a, &pa, &attr)) {
			struct coh__line *l;
			return coh__cache_locate(m, c, a, true, &l); /* reports it */
		}
		coh_addr_t next = (a | (m->page_size - 1)) + 1;
		/* cppcheck-suppress knownConditionTrueFalse ; 0: wrapped past the last page */
		if (next == 0 || next > last) /* past the range, or the end of the VA space */
			return COH_OK;
		a = next;
	}
}

static int maint(coh_machine *m, unsigned cpu, coh_addr_t va, size_t len, enum coh__maint op,
                 enum coh_event_kind kind, enum coh_op_kind stat)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	if (len == 0)
		return COH_OK;
	if (va + len - 1 < va) /* wraps: would loop over the whole VA space */
		return COH_EINVAL;
	coh__begin_op(m, kind, (int)cpu, va, 0, len, 0);
	m->cache[cpu].st.ops[stat]++;
	coh__note_op_result(m, cpu, va, 0); /* its PA, for the trace, if mapped */
	unsigned line = m->arch->l1.line_size;
	coh_addr_t first = va & ~(coh_addr_t)(line - 1);
	coh_addr_t last = (va + len - 1) & ~(coh_addr_t)(line - 1);
	unsigned lo = cpu, hi = cpu;
	if (m->arch->maint_broadcast) {
		lo = 0;
		hi = m->ncpus - 1;
	}
	const coh_cache_geometry *g = &m->arch->l1;
	bool vivt = g->tag != COH_FROM_PHYS && g->index != COH_FROM_PHYS;
	bool long_range =
	    (last - first) / line >= (coh_addr_t)m->cache[cpu].nsets * m->cache[cpu].ways;
	for (unsigned c = lo; c <= hi; c++) {
		if (!m->cache[c].nvalid && (last - first) / line < COH__POLL_LINES) {
			/* no line to act on: only the faults a physically tagged
			 * lookup would report, at the first line of the first
			 * unmapped page (fewer lines than a poll interval, so no
			 * poll is skipped) */
			int r = vivt ? COH_OK : first_unmapped(m, &m->cache[c], first, last);
			if (r)
				return r;
			continue;
		}
		if (vivt && long_range) {
			int r = maint_cached_lines(m, &m->cache[c], first, last, op);
			if (r)
				return r;
			continue;
		}
		unsigned n = 0;
		for (coh_addr_t a = first;; a += line) {
			int r = coh__cache_maint_line(m, &m->cache[c], a, op);
			if (r)
				return r;
			if (a == last)
				break;
			if (++n % COH__POLL_LINES == 0 && m->poll && m->poll(m->poll_ctx))
				return COH_ETIMEDOUT;
		}
	}
	return COH_OK;
}

int coh_cache_clean(coh_machine *m, unsigned cpu, coh_addr_t va, size_t len)
{
	return maint(m, cpu, va, len, COH__CLEAN, COH_EV_CLEAN, COH_OP_CLEAN);
}

int coh_cache_inval(coh_machine *m, unsigned cpu, coh_addr_t va, size_t len)
{
	return maint(m, cpu, va, len, COH__INVAL, COH_EV_INVAL, COH_OP_INVAL);
}

int coh_cache_flush(coh_machine *m, unsigned cpu, coh_addr_t va, size_t len)
{
	return maint(m, cpu, va, len, COH__FLUSH, COH_EV_FLUSH, COH_OP_FLUSH);
}

int coh_cache_evict(coh_machine *m, unsigned cpu, coh_addr_t va)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	coh__begin_op(m, COH_EV_EVICT, (int)cpu, va, 0, 1, 0);
	m->cache[cpu].st.ops[COH_OP_EVICT]++;
	struct coh__line *l;
	/* a spontaneous eviction never faults: an unmapped VA just has no line */
	coh__cache_locate(m, &m->cache[cpu], va, false, &l);
	if (l) {
		coh__line_writeback(m, &m->cache[cpu], l);
		coh__line_invalidate(&m->cache[cpu], l);
	}
	return COH_OK;
}

int coh_cache_flush_all(coh_machine *m, unsigned cpu)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	coh__begin_op(m, COH_EV_FLUSH_ALL, (int)cpu, 0, 0, m->arch->l1.size, 0);
	m->cache[cpu].st.ops[COH_OP_FLUSH_ALL]++;
	struct coh__cache *c = &m->cache[cpu];
	/* in (set, way) order, as a scan of every line would; a set never used
	 * since reset holds no line, and the scan ends with the last valid one */
	for (unsigned set = 0; set < c->nsets && c->nvalid; set++) {
		if (!c->set_used[set])
			continue;
		struct coh__line *l = coh__line_at(c, set, 0);
		for (unsigned w = 0; w < c->ways; w++) {
			if (l[w].valid) {
				coh__line_writeback(m, c, &l[w]);
				coh__line_invalidate(c, &l[w]);
			}
		}
	}
	return COH_OK;
}

int coh_cache_prefetch(coh_machine *m, unsigned cpu, coh_addr_t va)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	coh__begin_op(m, COH_EV_PREFETCH, (int)cpu, va, 0, 1, 0);
	m->cache[cpu].st.ops[COH_OP_PREFETCH]++;
	coh_addr_t pa;
	enum coh_attr attr;
	/* speculation never faults and never touches uncached memory */
	if (coh__mmu_lookup(m, cpu, va, &pa, &attr))
		return COH_OK;
	coh__note_op_known(m, 0, pa, true); /* the event names the PA it speculated on */
	if (attr >= COH_ATTR_UNCACHED)
		return COH_OK;
	coh__cache_prefetch(m, cpu, va, pa);
	return COH_OK;
}

int coh_cache_present(coh_machine *m, unsigned cpu, coh_addr_t va, bool *dirty)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	struct coh__line *l;
	if (coh__cache_locate(m, &m->cache[cpu], va, false, &l))
		return -1;
	if (dirty)
		*dirty = l && l->dirty;
	return l != NULL;
}
