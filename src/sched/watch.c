/*
 * watch.c - hands one execution to the explorer's watcher (coh_watcher in
 * cohsim/sched.h): begin, every step and machine event with who did it, end.
 *
 * Interface: coh__sched_run() calls coh__watch_begin() before setup and
 * coh__watch_end() after finish; log_point() calls coh__watch_step();
 * dispatch() (before it lets anyone else run), end_run() and run_device()
 * call coh__watch_events() to hand over the machine events made since the
 * last call, as the context that made them.
 *
 * Invariants: events are read back from the machine's trace, never pushed
 * from its hot path, so watching costs the machine nothing. Every public
 * machine operation is a preemption point, so between two calls there is
 * one operation (with its fills and write-backs), complete by then (a
 * load's PA and value are filled in after its fills). An operation that
 * makes more events than the trace holds (COH__TRACE_CAP) loses the oldest:
 * the watcher sees a gap in the event numbers. Watching never changes what
 * runs.
 */
#include <stdint.h>

#include "sched/sched_impl.h"

static void who_of(const coh_task *t, coh_watch_who *w)
{
	w->name = t->name;
	w->cpu = (int)t->cpu;
	w->ctx = t->ctxk;
	w->task_id = t->id;
}

void coh__watch_events(coh_sched *s, const coh_task *who, const char *dev)
{
	uint64_t now = coh_machine_events(s->m);
	if (!s->watch->event) {
		s->watch_ev = now;
		return;
	}
	coh_watch_who w;
	const coh_watch_who *wp = &w;
	if (dev) {
		w = (coh_watch_who){dev, -1, COH_CTX_PROCESS, UINT32_MAX};
	} else if (who) {
		who_of(who, &w);
	} else {
		wp = NULL;
	}
	for (uint64_t no = s->watch_ev + 1; no <= now; no++) {
		coh_event ev;
		if (coh_machine_event(s->m, no, &ev))
			s->watch->event(s->watch->arg, &ev, wp);
	}
	s->watch_ev = now;
}

void coh__watch_begin(coh_sched *s)
{
	s->watch_ev = coh_machine_events(s->m);
	if (s->watch->begin)
		s->watch->begin(s->watch->arg);
}

void coh__watch_step(coh_sched *s, const coh_task *t, const char *op, const char *obj,
                     const char *file, unsigned line)
{
	if (!s->watch->step)
		return;
	coh_watch_who w;
	who_of(t, &w);
	s->watch->step(s->watch->arg, &w, op, obj, file, line);
}

void coh__watch_end(coh_sched *s)
{
	coh__watch_events(s, NULL, NULL); /* finish() ran on the host */
	if (s->watch->end)
		s->watch->end(s->watch->arg, s);
}
