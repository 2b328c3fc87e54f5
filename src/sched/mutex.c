/*
 * mutex.c - struct mutex: a sleeping lock.
 *
 * mutex_lock() might sleep, so calling it in atomic context is a
 * sleep-in-atomic finding even when the mutex is free (as with
 * CONFIG_DEBUG_ATOMIC_SLEEP). A waiter sleeps and gives its CPU up; unlock
 * wakes every waiter and the schedule decides who gets it. Unlock by a task
 * that is not the owner is a BUG finding. lockdep (lockdep.c) orders
 * mutexes with every other lock class.
 */
#include "sched/sched_impl.h"

void coh_mutex_init(coh_mutex *m, const char *name)
{
	*m = (coh_mutex){0};
	m->name = name ? name : "mutex";
}

bool coh_mutex_is_locked(const coh_mutex *m)
{
	return m->owner != NULL;
}

static const char *mname(const coh_mutex *m)
{
	return m->name ? m->name : "mutex";
}

void coh__mutex_lock(coh_mutex *m, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (!s || !s->cur)
		return;
	coh__check_sleep(s, "mutex_lock", file, line);
	coh__point(s, "mutex_lock", mname(m), file, line);
	coh__lockdep_acquire(s, mname(m), file, line, false); /* before it sleeps */
	coh__fp_obj(s, &m->o, true);
	while (m->owner)
		coh__block(s, false, "mutex", mname(m), m, m->owner, file, line);
	m->owner = s->cur;
	m->file = file;
	m->line = line;
}

int coh__mutex_trylock(coh_mutex *m, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (!s || !s->cur)
		return 1;
	coh__point(s, "mutex_trylock", mname(m), file, line);
	coh__fp_obj(s, &m->o, true);
	if (m->owner)
		return 0;
	coh__lockdep_acquire(s, mname(m), file, line, true);
	m->owner = s->cur;
	m->file = file;
	m->line = line;
	return 1;
}

void coh__mutex_unlock(coh_mutex *m, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (!s || !s->cur)
		return;
	coh__point(s, "mutex_unlock", mname(m), file, line);
	coh__fp_obj(s, &m->o, true);
	if (m->owner != s->cur) {
		coh__report(s, COH_F_BUG, file, line,
		            "mutex_unlock of '%s' not held by '%s' (owner %s)", mname(m),
		            s->cur->name, m->owner ? m->owner->name : "none");
		return;
	}
	m->owner = NULL;
	coh__lockdep_release(s, mname(m));
	coh__wake_obj(s, m);
}
