/*
 * sync.c - `signal NAME` and `wait NAME`: threads of a litmus test that
 * wait for each other, as a driver waits for the DMA to complete.
 *
 * Interface: coh__litmus_sync_name() interns a name while parsing (the op
 * keeps its index); coh__litmus_sync_check() checks the whole test once it
 * is read; coh__litmus_sync_next() picks the next thread of the sequential
 * run (coh_litmus_run). Under the explorer (program.c) each name is one
 * kernel completion: signal is complete(), wait is wait_for_completion().
 *
 * Invariants: a name is counted, as a completion counts: each wait takes
 * one signal. The check refuses what can never work whatever the schedule
 * (FILE:LINE, like every parse error): a signal or wait outside a thread, a
 * name that is signalled but never waited for (a typo of the other side),
 * more waits than signals, and a wait that only its own thread's later
 * signal could satisfy. Threads that wait for each other in a cycle are
 * left to the explorer: a `deadlock` finding, with the schedule.
 */
#include <stdlib.h>
#include <string.h>

#include "litmus/litmus_impl.h"

int coh__litmus_sync_name(coh_litmus *lt, const char *name, unsigned *index)
{
	for (size_t i = 0; i < lt->nsync; i++) {
		if (strcmp(lt->sync_names[i], name) == 0) {
			*index = (unsigned)i;
			return COH_OK;
		}
	}
	if (lt->nsync == COH__LITMUS_MAX_SYNC)
		return COH_ERANGE;
	if (!(lt->sync_names[lt->nsync] = strdup(name)))
		return COH_ENOMEM;
	*index = (unsigned)lt->nsync++;
	return COH_OK;
}

struct count {
	unsigned signals, waits;
	unsigned first_signal, last_wait; /* lines */
};

/* The first wait of thread t that no signal can reach: no other thread
 * signals its name and its own thread has signalled it no more often than
 * it waited so far. Returns its line, 0 if none. */
static unsigned self_wait(const coh_litmus *lt, size_t t, const struct count *cnt)
{
	unsigned own_signals[COH__LITMUS_MAX_SYNC] = {0}, own_waits[COH__LITMUS_MAX_SYNC] = {0};
	unsigned all_own_signals[COH__LITMUS_MAX_SYNC] = {0};
	const struct coh__op_list *l = &lt->thread_ops[t];
	for (size_t i = 0; i < l->n; i++)
		if (l->ops[i].code == COH_LOP_SIGNAL)
			all_own_signals[l->ops[i].sync]++;
	for (size_t i = 0; i < l->n; i++) {
		const coh_litmus_op *op = &l->ops[i];
		if (op->code == COH_LOP_SIGNAL)
			own_signals[op->sync]++;
		if (op->code != COH_LOP_WAIT)
			continue;
		unsigned others = cnt[op->sync].signals - all_own_signals[op->sync];
		if (++own_waits[op->sync] > own_signals[op->sync] + others)
			return op->line;
	}
	return 0;
}

int coh__litmus_sync_check(const coh_litmus *lt, coh_litmus_error *err)
{
	if (!lt->nsync)
		return COH_OK;
	struct count cnt[COH__LITMUS_MAX_SYNC];
	memset(cnt, 0, sizeof(cnt));
	for (size_t t = 0; t < lt->nthreads; t++) {
		const struct coh__op_list *l = &lt->thread_ops[t];
		for (size_t i = 0; i < l->n; i++) {
			const coh_litmus_op *op = &l->ops[i];
			struct count *c = &cnt[op->sync];
			if (op->code == COH_LOP_SIGNAL && !c->signals++)
				c->first_signal = op->line;
			else if (op->code == COH_LOP_WAIT && ++c->waits)
				c->last_wait = op->line > c->last_wait ? op->line : c->last_wait;
		}
	}
	for (size_t i = 0; i < lt->nsync; i++) {
		const struct count *c = &cnt[i];
		const char *name = lt->sync_names[i];
		if (!c->waits) {
			coh__litmus_error(err, lt->name, c->first_signal,
			                  "'%s' is signalled but no thread waits for it (a typo?)",
			                  name);
			return COH_EINVAL;
		}
		if (!c->signals) {
			coh__litmus_error(err, lt->name, c->last_wait,
			                  "wait for '%s', which no thread signals: it would never "
			                  "return",
			                  name);
			return COH_EINVAL;
		}
		if (c->waits > c->signals) {
			coh__litmus_error(err, lt->name, c->last_wait,
			                  "'%s' is waited for %u times but signalled %u: a wait "
			                  "would never return (each wait takes one signal)",
			                  name, c->waits, c->signals);
			return COH_EINVAL;
		}
	}
	for (size_t t = 0; t < lt->nthreads; t++) {
		unsigned line = self_wait(lt, t, cnt);
		if (line) {
			coh__litmus_error(err, lt->name, line,
			                  "thread '%s' waits here for a signal only it sends, "
			                  "later: it would never return",
			                  lt->threads[t].name);
			return COH_EINVAL;
		}
	}
	return COH_OK;
}

int coh__litmus_sync_next(const coh_litmus *lt, const size_t *pc, const unsigned *done)
{
	for (size_t t = 0; t < lt->nthreads; t++) {
		const struct coh__op_list *l = &lt->thread_ops[t];
		if (pc[t] == l->n)
			continue;
		const coh_litmus_op *op = &l->ops[pc[t]];
		if (op->code != COH_LOP_WAIT || done[op->sync])
			return (int)t;
	}
	return -1;
}
