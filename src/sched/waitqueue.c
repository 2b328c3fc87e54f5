/*
 * waitqueue.c - wait_queue_head_t with prepare_to_wait / schedule /
 * wake_up / finish_wait.
 *
 * The protocol is modelled step by step, so its classic bug is found: a
 * waiter that tests its condition before prepare_to_wait() can miss the
 * wake_up() that comes in between and sleep forever (a deadlock finding).
 * prepare_to_wait() queues the entry (FIFO) and sets the task state;
 * wake_up() sets every queued task RUNNING (there are no exclusive waiters,
 * so wake_up and wake_up_all do the same); schedule() sleeps only while the
 * state is not RUNNING.
 */
#include "sched/sched_impl.h"

void coh_init_waitqueue_head(coh_wait_queue_head *wq, const char *name)
{
	*wq = (coh_wait_queue_head){0};
	wq->name = name ? name : "waitqueue";
}

void coh__prepare_to_wait(coh_wait_queue_head *wq, coh_wait_entry *e, int state, const char *file,
                          unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (!s || !s->cur)
		return;
	coh__point(s, "prepare_to_wait", wq->name, file, line);
	coh__fp_obj(s, &wq->o, true);
	if (!e->queued) {
		e->task = s->cur;
		e->next = NULL;
		e->queued = true;
		coh_wait_entry **pp = &wq->head;
		while (*pp)
			pp = &(*pp)->next;
		*pp = e;
	}
	s->cur->state = state;
	s->cur->wait_name = wq->name ? wq->name : "waitqueue";
}

void coh__finish_wait(coh_wait_queue_head *wq, coh_wait_entry *e, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (!s || !s->cur)
		return;
	coh__point(s, "finish_wait", wq->name, file, line);
	coh__fp_obj(s, &wq->o, true);
	s->cur->state = COH_TASK_RUNNING;
	for (coh_wait_entry **pp = &wq->head; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	}
	e->queued = false;
}

void coh__wake_up(coh_wait_queue_head *wq, bool all, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	(void)all;
	if (!s)
		return;
	if (s->cur) {
		coh__point(s, "wake_up", wq->name, file, line);
		coh__fp_obj(s, &wq->o, true);
	}
	for (coh_wait_entry *e = wq->head; e; e = e->next) {
		e->task->state = COH_TASK_RUNNING;
		coh__wake(s, e->task);
	}
}
