/*
 * watch.c - hands one execution to the explorer's watcher (coh_watcher in
 * cohsim/sched.h): begin, every step and machine event with who did it, end.
 *
 * Interface: coh__sched_run() calls coh__watch_begin() before setup and
 * coh__watch_end() after finish; log_point() calls coh__watch_step(). While
 * s->watch is set the scheduler is the machine's trace listener, and this
 * file names the context of each event: the device while an I/O completion
 * runs, else the running task or handler, else nobody (the host stack).
 * Nothing here changes what runs: watching never alters a schedule.
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

static void on_event(void *arg, const coh_event *ev)
{
	coh_sched *s = arg;
	if (!s->watch || !s->watch->event)
		return;
	coh_watch_who w;
	if (s->in_device) {
		w.name = s->dev_name ? s->dev_name : "device";
		w.cpu = -1;
		w.ctx = COH_CTX_PROCESS;
		w.task_id = UINT32_MAX;
	} else if (s->cur) {
		who_of(s->cur, &w);
	} else {
		s->watch->event(s->watch->arg, ev, NULL);
		return;
	}
	s->watch->event(s->watch->arg, ev, &w);
}

void coh__watch_begin(coh_sched *s)
{
	coh_machine_set_listener(s->m, on_event, s);
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
	coh_machine_set_listener(s->m, NULL, NULL);
	if (s->watch->end)
		s->watch->end(s->watch->arg, s);
}
