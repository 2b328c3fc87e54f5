/*
 * task.c - task slots: a fixed pool of task structures, each with a stack
 * that is allocated once and reused by every later execution.
 *
 * Slot choice is deterministic: the lowest free slot; handler instances
 * (hardirq, softirq) may also take the slot of a finished handler, except
 * the one still running on its stack; when every slot is taken, any task
 * takes the lowest slot of a finished one. Ids count up from 0 per
 * execution.
 */
#include <stdlib.h>
#include <string.h>

#include "sched/sched_impl.h"

coh_task *coh__task_alloc(coh_sched *s, const char *name, unsigned cpu, enum coh_ctx ctxk,
                          coh_task_fn fn, void *arg)
{
	unsigned slot = COH__SLOTS;
	for (unsigned i = 0; i < COH__SLOTS && slot == COH__SLOTS; i++) {
		coh_task *t = s->slots[i];
		if (!t || t->st == COH__T_FREE)
			slot = i;
		else if (ctxk != COH_CTX_PROCESS && t->ctxk != COH_CTX_PROCESS &&
		         t->st == COH__T_DONE && t != s->cur)
			slot = i;
	}
	/* every slot taken: a long execution (cohsim fsx: a kernel thread per
	 * deferred dio completion) takes the lowest slot of a finished task */
	for (unsigned i = 0; i < COH__SLOTS && slot == COH__SLOTS; i++)
		if (s->slots[i]->st == COH__T_DONE && s->slots[i] != s->cur)
			slot = i;
	if (slot == COH__SLOTS)
		return NULL;
	coh_task *t = s->slots[slot];
	if (!t) {
		t = calloc(1, sizeof(*t));
		if (!t)
			return NULL;
		if (coh__ctx_stack_alloc(&t->ctx, s->stack_size) != 0) {
			free(t);
			return NULL;
		}
		s->slots[slot] = t;
	}
	struct coh__ctx ctx = t->ctx;
	memset(t, 0, sizeof(*t));
	t->ctx = ctx;
	t->slot = slot;
	t->id = s->ntasks++;
	t->name = name ? name : "task";
	t->cpu = cpu;
	t->ctxk = ctxk;
	t->fn = fn;
	t->arg = arg;
	coh__task_set_state(s, t, COH__T_RUNNABLE);
	t->state = COH_TASK_RUNNING;
	coh__task_start(s, t);
	return t;
}

void coh__tasks_free(coh_sched *s)
{
	for (unsigned i = 0; i < COH__SLOTS; i++) {
		if (!s->slots[i])
			continue;
		coh__ctx_stack_free(&s->slots[i]->ctx);
		free(s->slots[i]);
		s->slots[i] = NULL;
	}
}
