/*
 * sched_hooks.c - the scheduler's hooks in the machine, and its clock.
 *
 * Interface: coh__sched_init()/coh__sched_fini() (sched_impl.h) set and
 * clear the machine's hooks: every memory access is a preemption point
 * (and where evictions are on, a chance of one), a store entering a write
 * buffer and an early load are choices of the explorer, and the machine
 * polls the deadline inside long operations. coh__past_deadline() and
 * coh_sched_time_is_up() (include/cohsim/sched.h) read the clock.
 *
 * Invariants: no preemption point and no choice in setup code (no running
 * task), in device code or in the switch hook (s->in_device, s->in_hook):
 * there a buffered store drains at once and no load is early; the deadline
 * never cuts device code or the switch hook. The clock is read only when a
 * deadline is set (--time), so without one a run never depends on it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "machine/machine_impl.h"
#include "sched/sched_impl.h"

static void access_hook(void *ctx, coh_machine *m, int cpu);
static bool poll_time(void *ctx);
static unsigned wbuf_hook(void *ctx, coh_machine *m, unsigned cpu, unsigned nopt);
static unsigned rord_hook(void *ctx, coh_machine *m, unsigned cpu, unsigned nopt);

int coh__sched_init(coh_sched *s, coh_machine *m, coh_check *chk, size_t stack_size)
{
	memset(s, 0, sizeof(*s));
	s->m = m;
	s->chk = chk;
	s->ncpus = coh_machine_ncpus(m);
	s->stack_size = stack_size;
	s->lockdep = true;
	coh__ctx_init_host(&s->host);
	coh__machine_set_hook(m, access_hook, s);
	coh__machine_set_poll(m, poll_time, s);
	coh__machine_set_wbuf_hook(m, wbuf_hook, s);
	coh__machine_set_rord_hook(m, rord_hook, s);
	return 0;
}

void coh__sched_fini(coh_sched *s)
{
	coh__machine_set_hook(s->m, NULL, NULL);
	coh__machine_set_poll(s->m, NULL, NULL);
	coh__machine_set_wbuf_hook(s->m, NULL, NULL);
	coh__machine_set_rord_hook(s->m, NULL, NULL);
	coh__tasks_free(s);
	free(s->rec);
	if (coh__cur_sched == s)
		coh__cur_sched = NULL;
}

/* ---- the clock ---- */

bool coh__past_deadline(const coh_sched *s)
{
	if (!(s->deadline > 0))
		return false;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9 >= s->deadline;
}

bool coh_sched_time_is_up(coh_sched *s)
{
	if (s && coh__past_deadline(s))
		s->time_up = true;
	return s && s->time_up;
}

/* The machine's poll inside a long operation: past the deadline, a task's
 * execution ends here (the operation is abandoned with the task, as at a
 * preemption point); setup code gets COH_ETIMEDOUT from the operation. The
 * device's work and the switch hook are short: they are never cut. */
static bool poll_time(void *ctx)
{
	coh_sched *s = ctx;
	if (s->in_device || s->in_hook || !coh__past_deadline(s))
		return false;
	s->time_up = true;
	if (s->running && s->cur)
		coh__end_run(s, COH__RUN_TIMEOUT); /* does not return */
	return true;
}

/* ---- the machine's hooks ---- */

static void access_hook(void *ctx, coh_machine *m, int cpu)
{
	coh_sched *s = ctx;
	(void)m;
	if ((s->evictions || s->speculation) && s->running && !s->in_hook)
		coh__note_recent_access(s);
	if (!s->running || !s->cur || s->in_hook || s->in_device)
		return;
	coh__point(s, "mem", NULL, s->m->site_file, s->m->site_line);
	if (s->evictions && s->running && cpu >= 0)
		coh__maybe_evict(s, (unsigned)cpu);
}

/* A store entered cpu's write buffer: drain it now (0), leave the store
 * late (1) or let it overtake the older late stores (2, when nopt is 3), a
 * choice of the explorer (wbuf.c). Device code never stores through a
 * CPU; setup code (no running task) drains at once. */
static unsigned wbuf_hook(void *ctx, coh_machine *m, unsigned cpu, unsigned nopt)
{
	coh_sched *s = ctx;
	(void)m;
	(void)cpu;
	if (!s->running || !s->cur || s->in_hook || s->in_device)
		return 0;
	struct coh__choice_pt pt = {COH_CHOICE_WBUF, nopt, false, NULL};
	return coh__choose_pt(s, &pt);
}

/* A load of bufferable memory may be satisfied early (rorder.c): 0 no, 1
 * yes, a choice of the explorer. Not in setup or device code. */
static unsigned rord_hook(void *ctx, coh_machine *m, unsigned cpu, unsigned nopt)
{
	coh_sched *s = ctx;
	(void)m;
	(void)cpu;
	if (!s->running || !s->cur || s->in_hook || s->in_device)
		return 0;
	struct coh__choice_pt pt = {COH_CHOICE_RLOAD, nopt, false, NULL};
	return coh__choose_pt(s, &pt);
}
