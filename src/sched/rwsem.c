/*
 * rwsem.c - struct rw_semaphore: many readers or one writer, sleeping.
 *
 * Writers are preferred as in Linux: a reader does not pass a waiting
 * writer, so a task that takes the read side twice while a writer queues
 * between the two deadlocks, as it does on a real kernel. lockdep
 * (lockdep.c) orders both sides with every other lock class.
 */
#include "sched/sched_impl.h"

void coh_init_rwsem(coh_rwsem *r, const char *name)
{
	*r = (coh_rwsem){0};
	r->name = name ? name : "rwsem";
}

static coh_sched *enter(coh_rwsem *r, const char *op, bool sleeps, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (!s || !s->cur)
		return NULL;
	if (sleeps)
		coh__check_sleep(s, op, file, line);
	coh__point(s, op, r->name, file, line);
	coh__fp_obj(s, &r->o, true);
	return s;
}

static void down_read(coh_rwsem *r, bool lockdep, const char *file, unsigned line)
{
	coh_sched *s = enter(r, "down_read", true, file, line);
	if (!s)
		return;
	if (lockdep)
		coh__lockdep_acquire(s, r->name, file, line, false); /* before it sleeps */
	while (r->writer || r->writers_waiting)
		coh__block(s, false, "rwsem (read)", r->name, r, r->writer, file, line);
	r->readers++;
}

static void up_read(coh_rwsem *r, bool lockdep, const char *file, unsigned line)
{
	coh_sched *s = enter(r, "up_read", false, file, line);
	if (!s)
		return;
	if (r->readers <= 0) {
		coh__report(s, COH_F_BUG, file, line, "up_read of '%s' without readers", r->name);
		return;
	}
	if (lockdep)
		coh__lockdep_release(s, r->name);
	if (--r->readers == 0)
		coh__wake_obj(s, r);
}

void coh__down_read(coh_rwsem *r, const char *file, unsigned line)
{
	down_read(r, true, file, line);
}

void coh__up_read(coh_rwsem *r, const char *file, unsigned line)
{
	up_read(r, true, file, line);
}

/* down_read_non_owner / up_read_non_owner (kernel/rwsem.c, 2.6.18+): the
 * same semaphore, without lockdep's acquire and release, since the context
 * that releases it is not the one that took it. */
void coh__down_read_non_owner(coh_rwsem *r, const char *file, unsigned line)
{
	down_read(r, false, file, line);
}

void coh__up_read_non_owner(coh_rwsem *r, const char *file, unsigned line)
{
	up_read(r, false, file, line);
}

void coh__down_write(coh_rwsem *r, const char *file, unsigned line)
{
	coh_sched *s = enter(r, "down_write", true, file, line);
	if (!s)
		return;
	coh__lockdep_acquire(s, r->name, file, line, false); /* before it sleeps */
	r->writers_waiting++;
	while (r->writer || r->readers)
		coh__block(s, false, "rwsem (write)", r->name, r, r->writer, file, line);
	r->writers_waiting--;
	r->writer = s->cur;
}

void coh__up_write(coh_rwsem *r, const char *file, unsigned line)
{
	coh_sched *s = enter(r, "up_write", false, file, line);
	if (!s)
		return;
	if (r->writer != s->cur) {
		coh__report(s, COH_F_BUG, file, line, "up_write of '%s' not held by '%s'", r->name,
		            s->cur->name);
		return;
	}
	r->writer = NULL;
	coh__lockdep_release(s, r->name);
	coh__wake_obj(s, r);
}

void coh__downgrade_write(coh_rwsem *r, const char *file, unsigned line)
{
	coh_sched *s = enter(r, "downgrade_write", false, file, line);
	if (!s)
		return;
	if (r->writer != s->cur) {
		coh__report(s, COH_F_BUG, file, line, "downgrade_write of '%s' not held by '%s'",
		            r->name, s->cur->name);
		return;
	}
	r->writer = NULL;
	r->readers = 1;
	coh__wake_obj(s, r);
}
