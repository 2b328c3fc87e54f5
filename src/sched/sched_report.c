/*
 * sched_report.c - the findings of the sched layer: any finding reported at
 * a site (coh__report), sleep in atomic context, deadlock.
 *
 * Interface (sched_impl.h): coh__report(), coh__check_sleep(),
 * coh__report_deadlock() (the run loop's, when no context can run), and
 * coh__task_state_name().
 *
 * Invariants: a finding's site (file:line, or "-") is kept in
 * s->report_site for the first 64 findings of an execution, the explorer's
 * dedup key; sleep-in-atomic is reported once per execution; a deadlock
 * names every task not done, in slot order, and is reported with no
 * running task (it is no task's).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sched/sched_impl.h"

coh_finding *coh__report(coh_sched *s, enum coh_finding_kind kind, const char *file, unsigned line,
                         const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (file)
		coh_machine_set_site(s->m, file, line);
	int cpu = s->cur ? (int)s->cur->cpu : -1;
	size_t idx = coh_check_count(s->chk);
	coh_finding *f = coh_check_report(s->chk, kind, cpu, "%s", msg);
	if (f && idx < 64) {
		if (file)
			snprintf(s->report_site[idx], sizeof(s->report_site[idx]), "%s:%u", file,
			         line);
		else
			snprintf(s->report_site[idx], sizeof(s->report_site[idx]), "-");
	}
	return f;
}

void coh__check_sleep(coh_sched *s, const char *what, const char *file, unsigned line)
{
	coh_task *t = s ? s->cur : NULL;
	if (!t || !coh__task_atomic(t) || s->slept_reported)
		return;
	s->slept_reported = true;
	static const char *const ctxname[] = {"process", "softirq", "hardirq"};
	coh__report(s, COH_F_SLEEP_IN_ATOMIC, file, line,
	            "sleeping function %s called from invalid context: task '%s' cpu%u %s, "
	            "preempt_count=%d bh=%d irqs_disabled=%d spinlocks_held=%u",
	            what, t->name, t->cpu, ctxname[t->ctxk], t->preempt, t->bh, t->irqs_off,
	            t->locks);
}

const char *coh__task_state_name(const coh_task *t)
{
	switch (t->st) {
	case COH__T_RUNNABLE:
		return "runnable";
	case COH__T_BLOCKED:
		return t->spinning ? "spinning" : "sleeping";
	case COH__T_DONE:
		return "done";
	default:
		return "free";
	}
}

void coh__report_deadlock(coh_sched *s)
{
	char msg[1024];
	size_t len = 0;
	const char *file = NULL;
	unsigned line = 0;
	len += (size_t)snprintf(msg + len, sizeof(msg) - len, "every task is blocked:");
	const char *sep = " ";
	for (unsigned i = 0; i < COH__SLOTS && len < sizeof(msg); i++) {
		coh_task *t = s->slots[i];
		if (!t || t->st == COH__T_FREE || t->st == COH__T_DONE)
			continue;
		if (t->st == COH__T_BLOCKED) {
			if (!file) {
				file = t->wait_file;
				line = t->wait_line;
			}
			len += (size_t)snprintf(msg + len, sizeof(msg) - len,
			                        "%s'%s' (cpu%u) is %s on %s '%s' at %s:%u", sep,
			                        t->name, t->cpu, coh__task_state_name(t),
			                        t->wait_kind, t->wait_name ? t->wait_name : "?",
			                        t->wait_file ? t->wait_file : "?", t->wait_line);
			/* where the holder took it: spinlocks and mutexes remember */
			const char *hfile = NULL;
			unsigned hline = 0;
			if (t->wait_obj && strcmp(t->wait_kind, "spinlock") == 0) {
				hfile = ((const coh_spinlock *)t->wait_obj)->file;
				hline = ((const coh_spinlock *)t->wait_obj)->line;
			} else if (t->wait_obj && strcmp(t->wait_kind, "mutex") == 0) {
				hfile = ((const coh_mutex *)t->wait_obj)->file;
				hline = ((const coh_mutex *)t->wait_obj)->line;
			}
			if (t->wait_holder && len < sizeof(msg))
				len += (size_t)snprintf(msg + len, sizeof(msg) - len,
				                        ", held by '%s'", t->wait_holder->name);
			if (t->wait_holder && hfile && len < sizeof(msg))
				len += (size_t)snprintf(msg + len, sizeof(msg) - len,
				                        ", which took it at %s:%u", hfile, hline);
		} else if (len < sizeof(msg)) {
			len += (size_t)snprintf(msg + len, sizeof(msg) - len,
			                        "%s'%s' (cpu%u) is runnable but its CPU is held",
			                        sep, t->name, t->cpu);
		}
		sep = "; ";
	}
	if (len < sizeof(msg))
		snprintf(msg + len, sizeof(msg) - len, ".");
	coh_task *saved = s->cur;
	s->cur = NULL;
	coh__report(s, COH_F_DEADLOCK, file, line, "%s", msg);
	s->cur = saved;
}
