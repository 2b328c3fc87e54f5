/*
 * context.c - the public face of the scheduler for running code: tasks
 * (create, name, CPU, context), the execution's scheduler, and the kernel's
 * context rules as calls: preemption points, might_sleep, schedule,
 * preempt_disable/enable, local IRQ and bottom-half masking, in_atomic.
 *
 * Interface: cohsim/sched.h. Everything here acts on the running execution
 * (coh__cur_sched) and its current context; the run loop is sched.c.
 */
#include <stdlib.h>
#include <string.h>

#include "machine/machine_impl.h"
#include "sched/sched_impl.h"

coh_task *coh_task_create(coh_sched *s, const char *name, unsigned cpu, coh_task_fn fn, void *arg)
{
	if (!s || cpu >= s->ncpus || !fn)
		return NULL;
	unsigned nproc = 0;
	for (unsigned i = 0; i < COH__SLOTS; i++)
		if (s->slots[i] && s->slots[i]->st != COH__T_FREE &&
		    s->slots[i]->st != COH__T_DONE && s->slots[i]->ctxk == COH_CTX_PROCESS)
			nproc++;
	if (nproc >= COH_MAX_TASKS)
		return NULL;
	coh_task *t = coh__task_alloc(s, name, cpu, COH_CTX_PROCESS, fn, arg);
	if (t && s->running)
		coh__fp_global(s);
	if (t)
		coh__task_hook(s, t, false);
	return t;
}

void coh__task_hook(coh_sched *s, coh_task *t, bool exiting)
{
	if (!s->task_hook)
		return;
	bool hooked = s->in_hook;
	s->in_hook = true;
	s->task_hook(t, exiting, s->task_ctx);
	s->in_hook = hooked;
}

void coh_task_set_data(coh_task *t, void *data)
{
	t->data = data;
}

void *coh_task_data(const coh_task *t)
{
	return t->data;
}

void coh_sched_set_switch_hook(coh_sched *s, coh_switch_hook fn, void *ctx)
{
	s->switch_hook = fn;
	s->switch_ctx = fn ? ctx : NULL;
}

void coh_sched_set_task_hook(coh_sched *s, coh_task_hook fn, void *ctx)
{
	s->task_hook = fn;
	s->task_ctx = fn ? ctx : NULL;
}

coh_machine *coh_sched_machine(coh_sched *s)
{
	return s->m;
}

coh_check *coh_sched_check(coh_sched *s)
{
	return s->chk;
}

void coh_sched_abort(coh_sched *s)
{
	if (s)
		s->abort_req = true;
}

coh_sched *coh_sched_current(void)
{
	return coh__cur_sched;
}

coh_task *coh_current(void)
{
	return coh__cur_sched ? coh__cur_sched->cur : NULL;
}

const char *coh_task_name(const coh_task *t)
{
	return t->name;
}

unsigned coh_task_cpu(const coh_task *t)
{
	return t->cpu;
}

enum coh_ctx coh_task_context(const coh_task *t)
{
	return t->ctxk;
}

unsigned coh_this_cpu(void)
{
	coh_task *t = coh_current();
	return t ? t->cpu : 0;
}

uint64_t coh_sched_steps(const coh_sched *s)
{
	return s->steps;
}

void coh__preempt_point(const char *file, unsigned line)
{
	coh__point(coh__cur_sched, "preempt_point", NULL, file, line);
}

void coh__cpu_relax(const char *file, unsigned line)
{
	coh_task *t = coh_current();
	if (t)
		t->yielded = true;
	coh__point(coh__cur_sched, "cpu_relax", NULL, file, line);
}

void coh__might_sleep(const char *file, unsigned line)
{
	coh__check_sleep(coh__cur_sched, "might_sleep", file, line);
	coh__point(coh__cur_sched, "might_sleep", NULL, file, line);
}

void coh__schedule(const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	coh_task *t = coh_current();
	if (!t)
		return;
	coh__check_sleep(s, "schedule()", file, line);
	coh__point(s, "schedule", NULL, file, line);
	while (s->running && t->state != COH_TASK_RUNNING)
		coh__block(s, false, "wait queue", t->wait_name, &t->state, NULL, file, line);
}

void coh_preempt_disable(void)
{
	coh_task *t = coh_current();
	if (t)
		t->preempt++;
}

void coh_preempt_enable(void)
{
	coh_task *t = coh_current();
	if (!t)
		return;
	if (t->preempt > 0)
		t->preempt--;
	if (t->preempt == 0)
		coh__point(coh__cur_sched, "preempt_enable", NULL, NULL, 0);
}

void coh_local_irq_disable(void)
{
	coh_task *t = coh_current();
	if (t)
		t->irqs_off = true;
}

void coh_local_irq_enable(void)
{
	coh_task *t = coh_current();
	if (!t)
		return;
	t->irqs_off = false;
	coh__point(coh__cur_sched, "local_irq_enable", NULL, NULL, 0);
}

unsigned long coh_local_irq_save(void)
{
	coh_task *t = coh_current();
	if (!t)
		return 0;
	unsigned long flags = t->irqs_off ? 1 : 0;
	t->irqs_off = true;
	return flags;
}

void coh_local_irq_restore(unsigned long flags)
{
	coh_task *t = coh_current();
	if (!t)
		return;
	bool was_off = t->irqs_off;
	t->irqs_off = flags != 0;
	if (was_off && !t->irqs_off)
		coh__point(coh__cur_sched, "local_irq_restore", NULL, NULL, 0);
}

bool coh_irqs_disabled(void)
{
	coh_task *t = coh_current();
	return t && t->irqs_off;
}

void coh_local_bh_disable(void)
{
	coh_task *t = coh_current();
	if (t)
		t->bh++;
}

void coh_local_bh_enable(void)
{
	coh_task *t = coh_current();
	if (!t)
		return;
	if (t->bh > 0)
		t->bh--;
	if (t->bh == 0)
		coh__point(coh__cur_sched, "local_bh_enable", NULL, NULL, 0);
}

bool coh_in_atomic(void)
{
	coh_task *t = coh_current();
	return t && coh__task_atomic(t);
}

bool coh_in_interrupt(void)
{
	coh_task *t = coh_current();
	return t && t->ctxk != COH_CTX_PROCESS;
}

int coh_request_irq(coh_sched *s, unsigned irq, coh_irq_handler handler, void *arg,
                    const char *name)
{
	if (!s || irq >= COH_MAX_IRQS || !handler)
		return COH_EINVAL;
	if (s->irq[irq].handler)
		return COH_EBUSY;
	s->irq[irq] = (struct coh__irq){handler, arg, name ? name : "irq"};
	return 0;
}

void coh_irq_raise(coh_sched *s, unsigned irq, unsigned cpu)
{
	if (!s || irq >= COH_MAX_IRQS || cpu >= s->ncpus || !s->irq[irq].handler)
		return;
	s->cpu[cpu].irq_pending |= 1u << irq;
	coh__fp_global(s);
}

/* More pending work than the model holds: never drop it silently. The
 * execution ends with a `bug` finding naming the limit. */
static void pending_overflow(coh_sched *s, const char *what, const char *name)
{
	coh__report(s, COH_F_BUG, __FILE__, __LINE__,
	            "more than %d pending %s (adding '%s'): the model's limit COH__MAX_PENDING",
	            COH__MAX_PENDING, what, name ? name : "?");
	s->abort_req = true;
}

void coh_softirq_raise(coh_sched *s, unsigned cpu, coh_task_fn fn, void *arg, const char *name)
{
	if (!s || cpu >= s->ncpus || !fn)
		return;
	if (s->nsoftirq == COH__MAX_PENDING) {
		pending_overflow(s, "softirqs", name);
		return;
	}
	s->softirq[s->nsoftirq++] =
	    (struct coh__pending){fn, arg, name ? name : "softirq", cpu, s->softirq_seq++, NULL};
	coh__fp_global(s);
}

void coh_io_complete_later(coh_sched *s, coh_task_fn fn, void *arg, const char *name)
{
	if (!s || !fn)
		return;
	if (s->nio == COH__MAX_PENDING) {
		pending_overflow(s, "I/O completions", name);
		return;
	}
	s->io[s->nio++] =
	    (struct coh__pending){fn, arg,         name ? name : "io",
	                          0,  s->io_seq++, s->m->stacks ? coh__stack_capture(s->m) : NULL};
	coh__fp_global(s);
}

/* ---- a device's reaction to a register access ---- */

void coh_device_call(coh_sched *s, coh_task_fn fn, void *arg)
{
	if (!s || s->in_device) {
		fn(arg);
		return;
	}
	coh_frame *frames = coh__frame_top;
	const char *sfile = s->m->site_file, *actor = s->m->actor;
	unsigned sline = s->m->site_line;
	coh__frame_top = NULL;
	s->in_device = true;
	coh_machine_set_actor(s->m, "device");
	coh_machine_set_site(s->m, NULL, 0);
	fn(arg);
	s->in_device = false;
	coh__frame_top = frames;
	coh_machine_set_actor(s->m, actor);
	s->m->site_file = sfile;
	s->m->site_line = sline;
}
