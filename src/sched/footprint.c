/*
 * footprint.c - what a segment of an execution touched, for sleep sets.
 *
 * Interface: coh__segment_begin()/coh__segment_end() bracket a segment (the
 * run of one candidate between two scheduling choices); sync objects add
 * themselves with coh__fp_obj(), lockdep's graph with coh__fp_lockdep(),
 * anything unnamed makes the footprint global with coh__fp_global(); a
 * segment that reports a finding is global; at the end the machine events of the
 * segment are added (memory by 64-byte chunk of PA). coh__fp_independent()
 * tells whether two segments commute.
 *
 * Invariant: a footprint that overflows COH__FP_OBJS objects, or holds an
 * event it cannot name, is global, which is never independent. Without
 * s->footprints (no sleep sets) nothing is collected: s->fp and
 * s->last_fp are meaningless then.
 */
#include "sched/sched_impl.h"

void coh__fp_reset(struct coh__fp *fp, int cpu)
{
	fp->global = false;
	fp->cpu = cpu;
	fp->mem = false;
	fp->nobj = 0;
}

static void fp_add(struct coh__fp *fp, uint64_t obj, bool write)
{
	for (unsigned i = 0; i < fp->nobj; i++) {
		if (fp->obj[i] == obj) {
			fp->wr[i] |= write;
			return;
		}
	}
	if (fp->nobj == COH__FP_OBJS) {
		fp->global = true;
		return;
	}
	fp->obj[fp->nobj] = obj;
	fp->wr[fp->nobj++] = write;
}

void coh__fp_obj(coh_sched *s, struct coh__syncobj *o, bool write)
{
	if (!s->footprints)
		return; /* (the object's id is only for footprints) */
	fp_add(&s->fp, (1ull << 56) | coh__obj_id(s, o), write);
}

void coh__fp_global(coh_sched *s)
{
	s->fp.global = true;
}

void coh__fp_lockdep(coh_sched *s, bool write)
{
	if (!s->footprints)
		return;
	fp_add(&s->fp, 3ull << 56, write);
}

bool coh__fp_independent(const struct coh__fp *a, const struct coh__fp *b)
{
	if (a->global || b->global)
		return false;
	if (a->cpu >= 0 && a->cpu == b->cpu)
		return false;
	for (unsigned i = 0; i < a->nobj; i++)
		for (unsigned j = 0; j < b->nobj; j++)
			if (a->obj[i] == b->obj[j] && (a->wr[i] || b->wr[j]))
				return false;
	return true;
}

/* Adds the machine events of the segment to its footprint: memory by
 * 64-byte chunk of physical address; maintenance and mapping changes are
 * global (they act on more than they name). */
static void fp_collect_events(coh_sched *s)
{
	uint64_t now = coh_machine_events(s->m);
	for (uint64_t no = s->seg_ev + 1; no <= now && !s->fp.global; no++) {
		coh_event e;
		if (!coh_machine_event(s->m, no, &e)) {
			s->fp.global = true;
			break;
		}
		bool wr;
		switch (e.kind) {
		case COH_EV_NOTE:
			continue;
		case COH_EV_LOAD:
		case COH_EV_FILL:
		case COH_EV_DMA_READ:
			wr = false;
			break;
		case COH_EV_STORE:
		case COH_EV_WRITEBACK:
		case COH_EV_DISCARD:
		case COH_EV_DMA_WRITE:
		case COH_EV_EVICT:
		case COH_EV_PREFETCH:
			wr = true;
			break;
		default:
			s->fp.global = true;
			continue;
		}
		s->fp.mem = true;
		uint64_t len = e.len ? e.len : 1;
		for (uint64_t c = e.pa >> 6; c <= (e.pa + len - 1) >> 6; c++)
			fp_add(&s->fp, (2ull << 56) | c, wr);
	}
	s->seg_ev = now;
}

/* Ends the current segment: its footprint becomes s->last_fp. */
void coh__segment_end(coh_sched *s)
{
	if (!s->footprints)
		return;
	fp_collect_events(s);
	/* another entity ran without a choice, or a finding was reported
	 * (which finding a schedule reports first, and one-per-execution
	 * rules such as lockdep's, depend on the order of such segments) */
	if (s->seg_switched || coh_check_count(s->chk) != s->seg_nfind)
		s->fp.global = true;
	s->last_fp = s->fp;
}

void coh__segment_begin(coh_sched *s, const struct coh__cand *c)
{
	coh__fp_reset(&s->fp, c->type == COH__C_IO ? -1 : (int)c->cpu);
	if (c->type == COH__C_IO)
		s->fp.global = true;
	s->seg_owner = c->task;
	s->seg_switched = false;
	s->seg_ev = coh_machine_events(s->m);
	s->seg_nfind = coh_check_count(s->chk);
}
