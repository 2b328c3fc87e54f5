/*
 * spinlock.c - spinlock_t with the kernel's variants.
 *
 * spin_lock disables preemption and spins: a task waiting for a spinlock
 * keeps its CPU (no other task of that CPU runs) but IRQs can still be
 * delivered to it unless it used _irq/_irqsave. That is what makes the
 * classic "IRQ handler takes a lock its interrupted task holds" deadlock
 * visible: the handler spins on top of the holder, which can never run.
 * _bh disables softirqs on the CPU. Unlocking a lock the caller does not
 * hold is a BUG finding.
 */
#include "sched/sched_impl.h"

void coh_spin_lock_init(coh_spinlock *l, const char *name)
{
	*l = (coh_spinlock){0};
	l->name = name ? name : "spinlock";
}

bool coh_spin_is_locked(const coh_spinlock *l)
{
	return l->owner != NULL;
}

static const char *lname(const coh_spinlock *l)
{
	return l->name ? l->name : "spinlock";
}

static void acquire(coh_sched *s, coh_spinlock *l, const char *file, unsigned line, bool trylock)
{
	coh_task *t = s->cur;
	coh__lockdep_acquire(s, lname(l), file, line, trylock); /* before it spins */
	t->preempt++;
	coh__fp_obj(s, &l->o, true);
	while (l->owner)
		coh__block(s, true, "spinlock", lname(l), l, l->owner, file, line);
	l->owner = t;
	l->file = file;
	l->line = line;
	t->locks++;
}

static void release(coh_sched *s, coh_spinlock *l, const char *file, unsigned line)
{
	coh_task *t = s->cur;
	coh__fp_obj(s, &l->o, true);
	if (l->owner != t) {
		coh__report(s, COH_F_BUG, file, line,
		            "spin_unlock of '%s' not held by '%s' (owner %s)", lname(l), t->name,
		            l->owner ? l->owner->name : "none");
		return;
	}
	l->owner = NULL;
	t->locks--;
	coh__lockdep_release(s, lname(l));
	if (t->preempt > 0)
		t->preempt--;
	coh__wake_obj(s, l);
}

/* On the host stack (setup/finish) locks are plain flags. */
static bool host(coh_sched *s)
{
	return !s || !s->cur;
}

void coh__spin_lock(coh_spinlock *l, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (host(s))
		return;
	coh__point(s, "spin_lock", lname(l), file, line);
	acquire(s, l, file, line, false);
}

int coh__spin_trylock(coh_spinlock *l, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (host(s))
		return 1;
	coh__point(s, "spin_trylock", lname(l), file, line);
	coh__fp_obj(s, &l->o, true);
	if (l->owner)
		return 0;
	acquire(s, l, file, line, true);
	return 1;
}

void coh__spin_unlock(coh_spinlock *l, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (host(s))
		return;
	coh__point(s, "spin_unlock", lname(l), file, line);
	release(s, l, file, line);
}

void coh__spin_lock_irq(coh_spinlock *l, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (host(s))
		return;
	coh__point(s, "spin_lock_irq", lname(l), file, line);
	s->cur->irqs_off = true;
	acquire(s, l, file, line, false);
}

void coh__spin_unlock_irq(coh_spinlock *l, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (host(s))
		return;
	coh__point(s, "spin_unlock_irq", lname(l), file, line);
	release(s, l, file, line);
	s->cur->irqs_off = false;
}

unsigned long coh__spin_lock_irqsave(coh_spinlock *l, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (host(s))
		return 0;
	coh__point(s, "spin_lock_irqsave", lname(l), file, line);
	unsigned long flags = s->cur->irqs_off ? 1 : 0;
	s->cur->irqs_off = true;
	acquire(s, l, file, line, false);
	return flags;
}

void coh__spin_unlock_irqrestore(coh_spinlock *l, unsigned long flags, const char *file,
                                 unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (host(s))
		return;
	coh__point(s, "spin_unlock_irqrestore", lname(l), file, line);
	release(s, l, file, line);
	s->cur->irqs_off = flags != 0;
}

void coh__spin_lock_bh(coh_spinlock *l, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (host(s))
		return;
	coh__point(s, "spin_lock_bh", lname(l), file, line);
	s->cur->bh++;
	acquire(s, l, file, line, false);
}

void coh__spin_unlock_bh(coh_spinlock *l, const char *file, unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (host(s))
		return;
	coh__point(s, "spin_unlock_bh", lname(l), file, line);
	release(s, l, file, line);
	if (s->cur->bh > 0)
		s->cur->bh--;
}
