/*
 * evict.c - the machine's own nondeterminism, as explorer choices:
 * spontaneous evictions and write-backs of lines, and speculative fills.
 *
 * Interface (sched_impl.h): coh__maybe_evict() at each memory access of a
 * task, coh__maybe_speculate() before each I/O completion runs, and
 * coh__note_recent_access() before every machine operation, which keeps each
 * CPU's ring of recently touched lines. All of them act only when the run
 * explores evictions (coh_explore_config.evictions), and every choice is a
 * COH_CHOICE_EVICT in the schedule, so a replay redoes it exactly.
 */
#include <string.h>

#include "machine/machine_impl.h"
#include "sched/sched_impl.h"

/* The k-th (0-based) eviction candidate of a cache: its valid lines, dirty
 * ones first, each group in (set, way) order. NULL past the last. */
static struct coh__line *evict_candidate(struct coh__cache *c, unsigned k)
{
	unsigned nl = c->nsets * c->ways;
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < nl; i++) {
			struct coh__line *l = &c->lines[i];
			if (l->valid && ((l->dirty != 0) == (pass == 0)) && k-- == 0)
				return l;
		}
	return NULL;
}

/* min(max, valid lines of c): from the tag filter when the cache has one
 * (a valid line's byte has bit 7 set, an invalid one is 0, padding 0x7f),
 * eight ways at a time; else from the lines. */
static unsigned valid_lines_upto(const struct coh__cache *c, unsigned max)
{
	unsigned n = 0;
	if (c->tags) {
		size_t len = (size_t)c->nsets * c->tag_stride, i = 0;
		for (; i + 8 <= len && n < max; i += 8) {
			uint64_t w;
			memcpy(&w, c->tags + i, 8);
			/* bit 7 of each byte, summed by a multiply */
			w = (w >> 7) & 0x0101010101010101ull;
			n += (unsigned)((w * 0x0101010101010101ull) >> 56);
		}
		for (; i < len && n < max; i++)
			n += c->tags[i] >> 7;
		return n < max ? n : max;
	}
	for (unsigned i = 0, nl = c->nsets * c->ways; i < nl && n < max; i++)
		n += c->lines[i].valid != 0;
	return n;
}

/* At a memory access of cpu: maybe evict one of its lines (dirty ones
 * first, at most 12 candidates, in (set, way) order) or speculatively fill
 * the line of a recent access. The candidates are min(12, valid lines):
 * counting them stops at the 12th valid line, and the line itself is looked
 * up only when an eviction is taken (most accesses take none). */
void coh__maybe_evict(coh_sched *s, unsigned cpu)
{
	struct coh__cache *c = &s->m->cache[cpu];
	if (s->max_evictions && s->nevicted >= s->max_evictions)
		return; /* the bound is reached: no choice offered */
	unsigned n = valid_lines_upto(c, 12);
	coh_addr_t pre[3];
	unsigned npre = 0;
	if (s->m->arch && s->m->arch->speculative_fill) {
		coh_event ev[8];
		size_t ne = coh_machine_trace_tail(s->m, ev, 8);
		for (size_t i = ne; i-- > 0 && npre < 3;) {
			if ((ev[i].kind != COH_EV_LOAD && ev[i].kind != COH_EV_STORE) ||
			    ev[i].cpu != (int)cpu)
				continue;
			bool dup = false;
			for (unsigned j = 0; j < npre; j++)
				dup |= pre[j] == ev[i].va;
			if (!dup && coh_cache_present(s->m, cpu, ev[i].va, NULL) == 0)
				pre[npre++] = ev[i].va;
		}
	}
	unsigned total = 1 + n + npre;
	if (total < 2)
		return;
	struct coh__choice_pt pt = {COH_CHOICE_EVICT, total, false, NULL};
	unsigned v = coh__choose_pt(s, &pt);
	if (v == 0)
		return;
	s->nevicted++;
	s->in_hook = true;
	if (v <= n)
		coh_cache_evict(s->m, cpu, evict_candidate(c, v - 1)->va);
	else
		coh_cache_prefetch(s->m, cpu, pre[v - 1 - n]);
	s->in_hook = false;
}

/* Before each machine operation: if the one before it was a CPU's load or
 * store, remember its line as that CPU's recent access. */
void coh__note_recent_access(coh_sched *s)
{
	/* the last operation, past the fills, write-backs and discards it
	 * caused: the last of the last 8 events that is none of those (read
	 * in place: copying events out was a tenth of a dm-io-vmap run) */
	const coh_machine *m = s->m;
	if (!m->tracing)
		return;
	uint64_t have = m->ev < COH__TRACE_CAP ? m->ev : COH__TRACE_CAP;
	const coh_event *e = NULL;
	/* cppcheck-suppress knownConditionTrueFalse ; m->ev is the machine's count */
	for (uint64_t k = 0; k < have && k < 8; k++) {
		const coh_event *t = &m->trace[(m->ev - k) % COH__TRACE_CAP];
		if (t->kind == COH_EV_FILL || t->kind == COH_EV_WRITEBACK ||
		    t->kind == COH_EV_DISCARD)
			continue;
		e = t;
		break;
	}
	if (!e || (e->kind != COH_EV_LOAD && e->kind != COH_EV_STORE) || e->cpu < 0 ||
	    e->cpu >= COH_MAX_CPUS)
		return;
	struct coh__cpu *c = &s->cpu[e->cpu];
	coh_addr_t line = e->va & ~(coh_addr_t)(coh_cache_line_size(s->m) - 1);
	for (unsigned k = 0; k < COH__RECENT_LINES && k < c->nrecent; k++)
		if (c->recent[k] == line)
			return;
	c->recent[c->nrecent++ % COH__RECENT_LINES] = line;
}

/* While a device works (before an I/O completion runs), a CPU that fills
 * speculatively may fetch again one of the lines it touched last, if that
 * line is no longer in its cache: the refill that makes a missing
 * invalidate after DMA visible on ARMv6/v7. A choice like an eviction. */
void coh__maybe_speculate(coh_sched *s)
{
	if (!s->speculation || !s->m->arch || !s->m->arch->speculative_fill)
		return;
	for (unsigned cpu = 0; cpu < coh_machine_ncpus(s->m); cpu++) {
		struct coh__cpu *c = &s->cpu[cpu];
		coh_addr_t cand[COH__RECENT_LINES];
		unsigned n = 0;
		for (unsigned k = 0; k < COH__RECENT_LINES && k < c->nrecent;
		     k++) { /* newest first */
			coh_addr_t va = c->recent[(c->nrecent - 1 - k) % COH__RECENT_LINES];
			if (coh_cache_present(s->m, cpu, va, NULL) == 0)
				cand[n++] = va;
		}
		if (n == 0)
			continue;
		struct coh__choice_pt pt = {COH_CHOICE_EVICT, 1 + n, false, NULL};
		unsigned v = coh__choose_pt(s, &pt);
		if (v == 0)
			continue;
		s->in_hook = true;
		coh_cache_prefetch(s->m, cpu, cand[v - 1]);
		s->in_hook = false;
	}
}
