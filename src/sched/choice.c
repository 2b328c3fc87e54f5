/*
 * choice.c - the one choice interface, and the recording of choices.
 *
 * Every nondeterministic decision of an execution comes here: who runs at a
 * preemption point (sched.c), spontaneous evictions and speculative fills
 * (sched_hooks.c, at memory accesses), injected faults and free program choices
 * (coh_inject_fault, coh_choose). A point with fewer than two options is not
 * a choice and is not recorded. Each recorded choice is (kind, n, value);
 * value 0 is the default (keep running, no eviction, no fault), so a
 * schedule is written down as its deviations from the defaults
 * (schedule.c).
 */
#include <stdlib.h>

#include "sched/sched_impl.h"

unsigned coh__choose_pt(coh_sched *s, const struct coh__choice_pt *pt)
{
	if (pt->n <= 1 || !s->strat.choose)
		return 0;
	size_t idx = s->nrec;
	unsigned v = s->strat.choose(s->strat.st, s, pt, idx);
	if (v >= pt->n)
		v = 0; /* a replayed value out of range: the canonical string drops it */
	if (s->nrec == s->caprec) {
		size_t cap = s->caprec ? s->caprec * 2 : 256;
		struct coh__recorded *r = realloc(s->rec, cap * sizeof(*r));
		if (!r)
			abort(); /* out of host memory mid-execution: nothing sane to do */
		s->rec = r;
		s->caprec = cap;
	}
	s->rec[s->nrec++] = (struct coh__recorded){(uint8_t)pt->kind, pt->n, v};
	if (v) { /* the timeline marks what the explorer chose */
		static const char *const what[COH_CHOICE_KIND_COUNT] = {
		    [COH_CHOICE_SCHED] = "preempted: the explorer runs another context here",
		    [COH_CHOICE_EVICT] = "the explorer evicts or fills a cache line here",
		    [COH_CHOICE_FAULT] = "the explorer injects a fault here",
		    [COH_CHOICE_DATA] = "the explorer takes another data choice here",
		    [COH_CHOICE_WBUF] = "the explorer leaves a store in the write buffer here",
		    [COH_CHOICE_RLOAD] = "the explorer satisfies this load early, before the "
		                         "CPU's previous one"};
		const char *w = (unsigned)pt->kind < COH_CHOICE_KIND_COUNT ? what[pt->kind] : "?";
		if (pt->kind == COH_CHOICE_WBUF && v == 2)
			w = "the explorer drains a store ahead of older ones in the write buffer "
			    "here";
		coh__glog(s, "deviation", w, NULL, 0);
	}
	return v;
}

unsigned coh_choose(coh_sched *s, enum coh_choice_kind kind, unsigned n)
{
	if (!s || kind >= COH_CHOICE_KIND_COUNT)
		return 0;
	struct coh__choice_pt pt = {kind, n, kind == COH_CHOICE_DATA, NULL};
	return coh__choose_pt(s, &pt);
}

bool coh_inject_fault(coh_sched *s, enum coh_fault kind)
{
	if (!s || (unsigned)kind >= COH_FAULT_COUNT || !(s->faults & (1u << kind)))
		return false;
	return coh_choose(s, COH_CHOICE_FAULT, 2) == 1;
}

/* ---- replay ---- */

static unsigned replay_choose(void *st, coh_sched *s, const struct coh__choice_pt *pt, size_t idx)
{
	struct coh__replay *r = st;
	(void)s;
	(void)pt;
	while (r->next < r->ndev && r->devs[r->next].idx < idx)
		r->next++;
	if (r->next < r->ndev && r->devs[r->next].idx == idx)
		return r->devs[r->next].value;
	return 0;
}

void coh__replay_strategy(struct coh__replay *r, struct coh__strategy *out)
{
	r->next = 0;
	out->st = r;
	out->choose = replay_choose;
}
