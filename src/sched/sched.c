/*
 * sched.c - the run loop: CPUs, contexts, preemption points, dispatch.
 *
 * Interface: coh__sched_run() runs one execution of a program. Running code
 * reaches coh__point() at every preemption point; coh__dispatch() builds the
 * list of candidates that could run next (candidate 0 is "keep running"),
 * asks the strategy through coh__choose_pt(), and switches. Blocking
 * primitives call coh__block(); the waker calls coh__wake()/coh__wake_obj().
 *
 * Rules per CPU (its context stack is hardirq > softirq > process):
 * - a running hardirq handler excludes everything else on its CPU;
 * - a softirq, or a process task in atomic context (lock held, preempt or
 *   bh disabled, IRQs off) excludes the other process tasks of its CPU, even
 *   while it spins on a lock;
 * - a pending IRQ can be delivered where the top context has IRQs on; a
 *   softirq where, in addition, bottom halves are enabled.
 * Candidates are ordered by (CPU, kind, id), never by address; the running
 * context goes first unless it just called cpu_relax().
 *
 * Around it: the hooks in the machine and the clock (sched_hooks.c), the
 * findings of this layer (sched_report.c).
 */
#include <stdlib.h>
#include <string.h>

#include "machine/machine_impl.h"
#include "sched/sched_impl.h"

coh_sched *coh__cur_sched;

static void dispatch(coh_sched *s);
static bool implies_barrier(const char *op);

/* ---- candidates ---- */

static unsigned softirq_first(const coh_sched *s, unsigned cpu)
{
	for (unsigned i = 0; i < s->nsoftirq; i++)
		if (s->softirq[i].cpu == cpu)
			return i;
	return UINT32_MAX;
}

static unsigned candidates(coh_sched *s, struct coh__cand *c)
{
	unsigned n = 0;
	coh_task *self = s->cur;
	for (unsigned cpu = 0; cpu < s->ncpus; cpu++) {
		struct coh__cpu *cp = &s->cpu[cpu];
		if (cp->hardirq) {
			if (cp->hardirq->st == COH__T_RUNNABLE)
				c[n++] = (struct coh__cand){
				    COH__C_TASK, cp->hardirq->id, cp->hardirq, cpu, 0, 0};
			continue;
		}
		coh_task *top = cp->softirq;
		if (!top && cp->curr && coh__task_atomic(cp->curr))
			top = cp->curr;
		if (top) {
			if (top->st == COH__T_RUNNABLE)
				c[n++] = (struct coh__cand){COH__C_TASK, top->id, top, cpu, 0, 0};
		} else {
			/* the CPU's runnable process tasks, in slot order */
			for (uint64_t m = cp->runnable; m; m &= m - 1) {
				coh_task *t = s->slots[__builtin_ctzll(m)];
				c[n++] = (struct coh__cand){COH__C_TASK, t->id, t, cpu, 0, 0};
			}
		}
		bool irqs_on = top ? !top->irqs_off : true;
		if (!irqs_on)
			continue;
		for (uint32_t m = cp->irq_pending; m; m &= m - 1) {
			unsigned irq = (unsigned)__builtin_ctz(m);
			c[n++] = (struct coh__cand){
			    COH__C_IRQ, 2048 + cpu * COH_MAX_IRQS + irq, NULL, cpu, irq, 0};
		}
		bool bh_on = !cp->softirq && !(top && top->bh > 0);
		unsigned si = softirq_first(s, cpu);
		if (bh_on && si != UINT32_MAX)
			c[n++] = (struct coh__cand){COH__C_SOFTIRQ, 2304 + cpu, NULL, cpu, 0, si};
	}
	for (unsigned i = 0; i < s->nio; i++)
		c[n++] = (struct coh__cand){COH__C_IO, 2560 + (s->io[i].seq & 1023), NULL, 0, 0, i};
	/* the running context first (the default), or last after cpu_relax() */
	for (unsigned i = 0; self && i < n; i++) {
		if (c[i].task != self)
			continue;
		if (self->yielded && n > 1) {
			struct coh__cand me = c[i];
			memmove(&c[i], &c[i + 1], (n - i - 1) * sizeof(*c));
			c[n - 1] = me;
		} else if (i > 0) { /* (copying c[0] onto itself stalled on its fresh stores) */
			struct coh__cand me = c[i];
			memmove(&c[1], &c[0], i * sizeof(*c));
			c[0] = me;
		}
		break;
	}
	if (self)
		self->yielded = false;
	if (n > s->run_max_entities)
		s->run_max_entities = n;
	return n;
}

static bool all_done(const coh_sched *s)
{
	for (unsigned i = 0; i < COH__SLOTS; i++) {
		const coh_task *t = s->slots[i];
		if (t && (t->st == COH__T_RUNNABLE || t->st == COH__T_BLOCKED))
			return false;
	}
	return s->nio == 0 && s->nsoftirq == 0;
}

/* ---- switching ---- */

static void resume_actor(coh_sched *s)
{
	coh_machine_set_actor(s->m, s->cur ? s->cur->name : NULL);
}

static void switch_to(coh_sched *s, coh_task *to)
{
	coh_task *self = s->cur;
	struct coh__ctx *from = self ? &self->ctx : &s->host;
	bool exiting = self && self->st == COH__T_DONE;
	coh_frame *frames = coh__frame_top; /* our call chain, on our stack */
	s->cur = to;
	if (to)
		coh_machine_set_actor(s->m, to->name);
	coh__ctx_switch(from, to ? &to->ctx : &s->host, exiting);
	/* resumed: whoever switched here set s->cur to us */
	coh__frame_top = frames;
	resume_actor(s);
}

void coh__end_run(coh_sched *s, enum coh__run_status st)
{
	if (s->watch)
		coh__watch_events(s, s->cur, NULL);
	coh__segment_end(s);
	s->status = st;
	s->running = false;
	if (s->cur)
		switch_to(s, NULL); /* never resumed: the host resets everything */
}

static void irq_main(void *arg)
{
	coh_task *t = arg;
	coh_sched *s = coh__cur_sched;
	s->irq[t->irq].handler(t->irq, s->irq[t->irq].arg);
}

static void run_device(coh_sched *s, unsigned i)
{
	struct coh__pending p = s->io[i];
	memmove(&s->io[i], &s->io[i + 1], (s->nio - i - 1) * sizeof(s->io[0]));
	s->nio--;
	coh_task *saved = s->cur;
	coh__maybe_speculate(s);
	coh_frame *frames = coh__frame_top;
	coh__frame_top = NULL; /* the device is not the task it interrupts */
	s->m->stk_origin = p.origin;
	coh__glog(s, "device", p.name, NULL, 0);
	s->glog[(s->nglog - 1) % COH__GLOG].task = "device";
	s->glog[(s->nglog - 1) % COH__GLOG].cpu = UINT32_MAX; /* no CPU */
	s->in_device = true;
	coh_machine_set_actor(s->m, "device");
	const char *sfile = s->m->site_file;
	unsigned sline = s->m->site_line;
	coh_machine_set_site(s->m, NULL, 0); /* the device's, not the last task's line */
	p.fn(p.arg);
	if (s->watch)
		coh__watch_events(s, NULL, p.name ? p.name : "device");
	coh_machine_set_site(s->m, sfile, sline);
	s->in_device = false;
	s->m->stk_origin = NULL;
	s->cur = saved;
	coh__frame_top = frames;
	resume_actor(s);
}

/* The CPU of next starts running it: if it is not the process task that
 * CPU ran last, the switch hook runs now, as next, without preemption
 * points (the kernel's context_switch(): switch_mm before next runs). */
static void context_switch(coh_sched *s, coh_task *next)
{
	struct coh__cpu *cp = &s->cpu[next->cpu];
	coh_task *prev = cp->last_proc;
	if (prev == next)
		return;
	cp->last_proc = next;
	if (!s->switch_hook)
		return;
	coh_task *saved = s->cur;
	bool hooked = s->in_hook;
	s->cur = next;
	s->in_hook = true;
	coh_machine_set_actor(s->m, next->name);
	s->switch_hook(next->cpu, prev, next, s->switch_ctx);
	s->in_hook = hooked;
	s->cur = saved;
	resume_actor(s);
}

static void dispatch(coh_sched *s)
{
	coh_task *self = s->cur;
	struct coh__cand c[COH__SLOTS + COH_MAX_CPUS * (COH_MAX_IRQS + 1) + COH__MAX_PENDING];
	for (;;) {
		/* what ran since the last point was the running context's */
		if (s->watch)
			coh__watch_events(s, s->cur, NULL);
		if (s->abort_req) {
			coh__end_run(s, COH__RUN_ABORT);
			return;
		}
		unsigned n = candidates(s, c);
		if (n == 0) {
			if (all_done(s)) {
				coh__end_run(s, COH__RUN_OK);
			} else {
				coh__report_deadlock(s);
				coh__end_run(s, COH__RUN_DEADLOCK);
			}
			return;
		}
		unsigned v = 0;
		if (n > 1) {
			coh__segment_end(s);
			struct coh__choice_pt pt = {COH_CHOICE_SCHED, n,
			                            !(self && c[0].task == self), c};
			v = coh__choose_pt(s, &pt);
			if (s->abort_req)
				continue;
			coh__segment_begin(s, &c[v]);
		} else if (c[0].task != s->seg_owner) {
			s->seg_switched = true;
		}
		struct coh__cand *pick = &c[v];
		coh_task *t;
		switch (pick->type) {
		case COH__C_IO:
			run_device(s, pick->pidx);
			continue;
		case COH__C_IRQ:
			s->cpu[pick->cpu].irq_pending &= ~(1u << pick->irq);
			t = coh__task_alloc(s, s->irq[pick->irq].name, pick->cpu, COH_CTX_HARDIRQ,
			                    irq_main, NULL);
			if (!t) {
				coh__report(s, COH_F_BUG, NULL, 0, "too many IRQ deliveries");
				coh__end_run(s, COH__RUN_LIVELOCK);
				return;
			}
			t->irq = pick->irq;
			t->arg = t;
			t->irqs_off = true;
			s->cpu[pick->cpu].hardirq = t;
			if (n == 1)
				s->seg_switched = true;
			break;
		case COH__C_SOFTIRQ: {
			struct coh__pending p = s->softirq[pick->pidx];
			memmove(&s->softirq[pick->pidx], &s->softirq[pick->pidx + 1],
			        (s->nsoftirq - pick->pidx - 1) * sizeof(p));
			s->nsoftirq--;
			t = coh__task_alloc(s, p.name, pick->cpu, COH_CTX_SOFTIRQ, p.fn, p.arg);
			if (!t) {
				coh__report(s, COH_F_BUG, NULL, 0, "too many softirqs");
				coh__end_run(s, COH__RUN_LIVELOCK);
				return;
			}
			t->bh = 1;
			s->cpu[pick->cpu].softirq = t;
			if (n == 1)
				s->seg_switched = true;
			break;
		}
		default:
			t = pick->task;
			if (t->ctxk == COH_CTX_PROCESS) {
				s->cpu[t->cpu].curr = t;
				context_switch(s, t);
			}
			break;
		}
		if (n > 1)
			s->seg_owner = t;
		if (t == self)
			return;
		switch_to(s, t);
		return;
	}
}

/* The first frame of every context (see coh__task_alloc). */
static void task_main(void *arg)
{
	coh_task *t = arg;
	coh__ctx_entered(&t->ctx);
	coh_sched *s = coh__cur_sched;
	resume_actor(s);
	coh__frame_top = NULL;               /* a new call chain */
	coh_machine_set_site(s->m, NULL, 0); /* not the site of whoever ran last */
	t->fn(t->arg);
	if (t->ctxk == COH_CTX_PROCESS && (t->locks || t->preempt || t->bh || t->irqs_off)) {
		coh__report(
		    s, COH_F_BUG, NULL, 0,
		    "task '%s' exited in atomic context: spinlocks_held=%u preempt_count=%d "
		    "bh=%d irqs_disabled=%d",
		    t->name, t->locks, t->preempt, t->bh, t->irqs_off);
	}
	if (t->ctxk == COH_CTX_PROCESS)
		coh__task_hook(s, t, true);
	coh_wbuf_drain(s->m, t->cpu); /* a task's stores do not outlive it */
	coh__task_set_state(s, t, COH__T_DONE);
	if (s->watch) {
		coh__watch_events(s, t, NULL);
		coh__watch_step(s, t, "exit", NULL, NULL, 0);
	}
	struct coh__cpu *cp = &s->cpu[t->cpu];
	if (cp->hardirq == t)
		cp->hardirq = NULL;
	else if (cp->softirq == t)
		cp->softirq = NULL;
	else if (cp->curr == t)
		cp->curr = NULL;
	dispatch(s);
	abort(); /* a finished context is never resumed */
}

void coh__task_start(coh_sched *s, coh_task *t)
{
	(void)s;
	coh__ctx_make(&t->ctx, task_main, t);
}

/* ---- preemption points ---- */

void coh__glog(coh_sched *s, const char *op, const char *obj, const char *file, unsigned line)
{
	struct coh__gstep *g = &s->glog[s->nglog++ % COH__GLOG];
	const coh_task *t = s->cur;
	g->step = ++s->nlogged;
	g->ev = s->m->ev;
	g->task = t ? t->name : NULL;
	g->cpu = t ? t->cpu : 0;
	g->ctxk = t ? (uint8_t)t->ctxk : 0;
	g->op = op;
	g->obj = obj;
	g->file = file;
	g->line = line;
}

static void log_point(coh_sched *s, coh_task *t, const char *op, const char *obj, const char *file,
                      unsigned line)
{
	coh__glog(s, op, obj, file, line);
	struct coh__step_log *l = &t->log[t->nlog++ % COH__LOG];
	l->step = s->nlogged;
	l->ev = s->m->ev;
	l->cpu = t->cpu;
	l->op = op;
	l->obj = obj;
	l->file = file;
	l->line = line;
	if (s->watch)
		coh__watch_step(s, t, op, obj, file, line);
}

void coh__point(coh_sched *s, const char *op, const char *obj, const char *file, unsigned line)
{
	if (!s || !s->running || !s->cur || s->in_device || s->in_hook)
		return;
	coh_task *self = s->cur;
	if ((s->m->wbuf[self->cpu].n || s->m->rord[self->cpu].prev_ev) && implies_barrier(op))
		coh_wbuf_drain(s->m, self->cpu);
	s->steps++;
	if ((s->steps & 255) == 0 && coh__past_deadline(s)) {
		s->time_up = true;
		coh__end_run(s, COH__RUN_TIMEOUT);
		return;
	}
	if (s->max_steps && s->steps > s->max_steps) {
		coh__report(s, COH_F_LIVELOCK, file, line,
		            "no progress: the step bound %llu was reached in task '%s'",
		            (unsigned long long)s->max_steps, self->name);
		coh__end_run(s, COH__RUN_LIVELOCK);
		return;
	}
	const char *sfile = s->m->site_file;
	unsigned sline = s->m->site_line;
	dispatch(s);
	log_point(s, self, op, obj, file, line);
	/* back to our own site; not a step of the innermost frame */
	s->m->site_file = sfile;
	s->m->site_line = sline;
}

void coh__block(coh_sched *s, bool spinning, const char *kind, const char *name, const void *obj,
                coh_task *holder, const char *file, unsigned line)
{
	coh_task *t = s->cur;
	coh__task_set_state(s, t, COH__T_BLOCKED);
	t->spinning = spinning;
	t->wait_kind = kind;
	t->wait_name = name;
	t->wait_obj = obj;
	t->wait_holder = holder;
	t->wait_file = file;
	t->wait_line = line;
	if (!spinning && t->ctxk == COH_CTX_PROCESS && s->cpu[t->cpu].curr == t)
		s->cpu[t->cpu].curr = NULL;
	dispatch(s);
	t->wait_obj = NULL;
	t->wait_holder = NULL;
}

void coh__wake(coh_sched *s, coh_task *t)
{
	if (t->st == COH__T_BLOCKED) {
		coh__task_set_state(s, t, COH__T_RUNNABLE);
		t->spinning = false;
	}
}

void coh__wake_obj(coh_sched *s, const void *obj)
{
	/* the blocked slots in slot order; waking one changes no other */
	for (uint64_t m = s->blocked; m; m &= m - 1) {
		coh_task *t = s->slots[__builtin_ctzll(m)];
		if (t->wait_obj == obj)
			coh__wake(s, t);
	}
}

/* Does the sync operation op imply a barrier that drains the running
 * CPU's write buffer? Locks, atomics that return a value, completions and
 * wait queues do (ARM's spin_lock/unlock and atomic_*_return have smp_mb,
 * a dmb, 2.6.3x); plain preemption points, atomic_read/atomic_set and the
 * IRQ/preempt/bh masks do not. */
static bool implies_barrier(const char *op)
{
	static const char *const plain[] = {
	    "mem",
	    "preempt_point",
	    "cpu_relax",
	    "might_sleep",
	    "preempt_enable",
	    "local_irq_enable",
	    "local_irq_restore",
	    "local_bh_enable",
	    "atomic_read",
	    "atomic_set",
	};
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(op, plain[i]) == 0)
			return false;
	return true;
}

/* ---- one execution ---- */

int coh__sched_run(coh_sched *s, const coh_program *prog, const struct coh__strategy *strat,
                   uint64_t max_steps, bool evictions, unsigned faults)
{
	for (unsigned i = 0; i < COH__SLOTS; i++)
		if (s->slots[i])
			s->slots[i]->st = COH__T_FREE;
	s->blocked = 0;
	memset(s->cpu, 0, sizeof(s->cpu));
	memset(s->irq, 0, sizeof(s->irq));
	memset(s->report_site, 0, sizeof(s->report_site));
	s->nsoftirq = s->nio = s->io_seq = s->softirq_seq = 0;
	s->ntasks = 0;
	s->epoch++;
	s->next_obj = 0;
	s->steps = 0;
	s->time_up = false;
	s->nlogged = 0;
	s->nglog = 0;
	s->max_steps = max_steps;
	s->status = COH__RUN_OK;
	s->strat = *strat;
	s->nrec = 0;
	s->evictions = evictions;
	s->nevicted = 0;
	s->faults = faults;
	s->abort_req = false;
	s->slept_reported = false;
	coh__lockdep_reset(&s->ld);
	s->cur = NULL;
	s->in_hook = s->in_device = false;
	s->switch_hook = NULL;
	s->switch_ctx = NULL;
	s->task_hook = NULL;
	s->task_ctx = NULL;
	s->run_max_entities = 0;
	s->seg_owner = NULL;
	s->seg_switched = false;
	coh__fp_reset(&s->fp, -1);
	coh__fp_reset(&s->last_fp, -1);
	coh__cur_sched = s;
	coh_machine_set_actor(s->m, NULL);
	coh_machine_set_site(s->m, NULL, 0);
	if (s->watch)
		coh__watch_begin(s);
	int rc = prog->setup ? prog->setup(prog->ctx, s) : 0;
	if (rc != 0) {
		if (s->watch)
			coh__watch_end(s);
		return rc;
	}
	s->seg_ev = coh_machine_events(s->m);
	s->seg_nfind = coh_check_count(s->chk);
	s->running = true;
	dispatch(s); /* returns when the execution has ended */
	s->running = false;
	s->cur = NULL;
	coh_machine_set_actor(s->m, NULL);
	double deadline = s->deadline; /* the final check is short: never cut */
	s->deadline = 0;
	if (s->status == COH__RUN_OK && prog->finish)
		prog->finish(prog->ctx, s);
	s->deadline = deadline;
	if (s->watch)
		coh__watch_end(s);
	return 0;
}
