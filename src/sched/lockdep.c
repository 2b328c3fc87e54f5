/*
 * lockdep.c - lock classes and their rules, as the kernel's lockdep keeps
 * them (kernel/locking/lockdep.c, v2.6.31 and later).
 *
 * Interface: coh__lockdep_acquire() before a lock is taken (before a
 * spinlock spins, before a mutex or rwsem sleeps; after a successful
 * trylock, which adds no order edge), coh__lockdep_release() when it is
 * released. Spinlocks, mutexes and rw_semaphores (either side) are classes
 * alike. A class is a lock's name (its init call's argument), so every
 * instance of a lock field is one class, as lockdep's static key makes it
 * (two kinds of lock with one name are one class here). Per class it keeps
 * the first use of each kind:
 *   in-hardirq   taken in hardirq context;
 *   hardirq-on   taken with hardirqs enabled (process or softirq context);
 *   in-softirq   taken in softirq context;
 *   softirq-on   taken in process context with softirqs enabled;
 * and the lock order: A -> B when B is taken while A is held. It reports a
 * `lock-inversion` the first time a rule is broken, whether or not this
 * schedule deadlocks: in-hardirq with hardirq-on (an IRQ on the CPU that
 * holds the lock spins forever), in-softirq with softirq-on, or a new
 * A -> B when B -> ... -> A is already known (ABBA). One report per
 * execution, as lockdep turns itself off after its first splat.
 * The finding's two sides (coh_finding.lock_sides) are the acquisition
 * that broke the rule and the first one it conflicts with, each with its
 * chain; a read of an rwsem orders like a write (lockdep's non-recursive
 * readers: every cycle through them can deadlock behind a queued writer).
 * Invariants: the state lives in the sched and is reset per execution;
 * classes and edges are kept in first-seen order (deterministic).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine_impl.h"
#include "sched/sched_impl.h"

static const char *const usage_name[COH__LD_USAGES] = {
    [COH__LD_IN_HARDIRQ] = "IN-HARDIRQ",
    [COH__LD_HARDIRQ_ON] = "HARDIRQ-ON",
    [COH__LD_IN_SOFTIRQ] = "IN-SOFTIRQ",
    [COH__LD_SOFTIRQ_ON] = "SOFTIRQ-ON",
};

static const char *const ctx_name[] = {"process", "softirq", "hardirq"};

void coh__lockdep_reset(struct coh__lockdep *ld)
{
	for (unsigned i = 0; i < ld->nclass; i++)
		memset(ld->edge_seen[i], 0, ld->nclass);
	ld->nclass = 0;
	ld->reported = false;
}

static int class_of(struct coh__lockdep *ld, const char *name)
{
	for (unsigned i = 0; i < ld->nclass; i++)
		if (ld->cls[i].name == name || strcmp(ld->cls[i].name, name) == 0)
			return (int)i;
	if (ld->nclass == COH__LD_CLASSES)
		return -1; /* lockdep would say MAX_LOCKDEP_KEYS too low: stop tracking */
	struct coh__ld_class *c = &ld->cls[ld->nclass];
	memset(c, 0, sizeof(*c));
	c->name = name;
	ld->gen++;
	return (int)ld->nclass++;
}

static void record(coh_sched *s, struct coh__ld_use *u, const char *file, unsigned line)
{
	coh_task *t = s->cur;
	s->ld.gen++;
	u->seen = true;
	u->task = t->name;
	u->ctx = t->ctxk;
	u->cpu = t->cpu;
	u->file = file;
	u->line = line;
	u->stack = s->m->stacks ? coh__stack_capture(s->m) : NULL;
}

/* One side of the finding: use u, an acquisition of lock holding held. */
static void side(coh_lock_side *l, const char *what, const struct coh__ld_use *u, const char *lock,
                 const char *held)
{
	snprintf(l->what, sizeof(l->what), "%s", what);
	l->lock = lock;
	l->held = held;
	l->task = u->task;
	l->context = ctx_name[u->ctx];
	l->cpu = u->cpu;
	l->file = u->file;
	l->line = u->line;
	l->stack = u->stack;
}

/* Reports with both sides (text and JSON print them, finding.c). */
static void splat(coh_sched *s, const char *file, unsigned line, const char *msg,
                  const char *a_what, const struct coh__ld_use *a, const char *a_lock,
                  const char *a_held, const char *b_what, const struct coh__ld_use *b,
                  const char *b_lock, const char *b_held)
{
	s->ld.reported = true;
	coh_finding *f = coh__report(s, COH_F_LOCK_INVERSION, file, line, "%s", msg);
	if (!f)
		return;
	side(&f->lock_sides[0], a_what, a, a_lock, a_held);
	side(&f->lock_sides[1], b_what, b, b_lock, b_held);
	f->nlock_sides = 2;
}

static bool reaches(const struct coh__lockdep *ld, unsigned from, unsigned to, uint64_t *visited)
{
	if (from == to)
		return true;
	if (*visited & (1ull << from))
		return false;
	*visited |= 1ull << from;
	for (unsigned k = 0; k < ld->nclass; k++)
		if (ld->edge_seen[from][k] && reaches(ld, k, to, visited))
			return true;
	return false;
}

static void check_usage(coh_sched *s, struct coh__ld_class *c, enum coh__ld_usage have,
                        enum coh__ld_usage bad, const char *file, unsigned line)
{
	if (!c->use[bad].seen || s->ld.reported)
		return;
	bool hard = have == COH__LD_IN_HARDIRQ || have == COH__LD_HARDIRQ_ON;
	const struct coh__ld_use *in =
	    have == COH__LD_IN_HARDIRQ || have == COH__LD_IN_SOFTIRQ ? &c->use[have] : &c->use[bad];
	const struct coh__ld_use *on = in == &c->use[have] ? &c->use[bad] : &c->use[have];
	char msg[256];
	snprintf(msg, sizeof(msg),
	         "inconsistent lock state: '%s' is taken in %s context (task %s at %s:%u) and "
	         "with %ss enabled (task %s at %s:%u): {%s} -> {%s} usage",
	         c->name, hard ? "hardirq" : "softirq", in->task, in->file ? in->file : "?",
	         in->line, hard ? "hardirq" : "softirq", on->task, on->file ? on->file : "?",
	         on->line, usage_name[have], usage_name[bad]);
	splat(s, file, line, msg,
	      hard ? "{IN-HARDIRQ} taken in hardirq" : "{IN-SOFTIRQ} taken in softirq", in, c->name,
	      NULL,
	      hard ? "{HARDIRQ-ON} taken with hardirqs on" : "{SOFTIRQ-ON} taken with softirqs on",
	      on, c->name, NULL);
}

static void use(coh_sched *s, struct coh__ld_class *c, enum coh__ld_usage u, const char *file,
                unsigned line)
{
	static const enum coh__ld_usage opposite[COH__LD_USAGES] = {
	    [COH__LD_IN_HARDIRQ] = COH__LD_HARDIRQ_ON,
	    [COH__LD_HARDIRQ_ON] = COH__LD_IN_HARDIRQ,
	    [COH__LD_IN_SOFTIRQ] = COH__LD_SOFTIRQ_ON,
	    [COH__LD_SOFTIRQ_ON] = COH__LD_IN_SOFTIRQ,
	};
	if (c->use[u].seen)
		return;
	record(s, &c->use[u], file, line);
	check_usage(s, c, u, opposite[u], file, line);
}

static void acquire(coh_sched *s, const char *name, const char *file, unsigned line, bool trylock)
{
	struct coh__lockdep *ld = &s->ld;
	coh_task *t = s->cur;
	if (ld->reported || !t)
		return;
	int ci = class_of(ld, name);
	if (ci < 0)
		return;
	struct coh__ld_class *c = &ld->cls[ci];
	coh__frame_at(file, line); /* the chain ends at the lock call */
	/* usage; a hardirq runs with hardirqs off */
	if (t->ctxk == COH_CTX_HARDIRQ)
		use(s, c, COH__LD_IN_HARDIRQ, file, line);
	else if (!t->irqs_off)
		use(s, c, COH__LD_HARDIRQ_ON, file, line);
	if (t->ctxk == COH_CTX_SOFTIRQ)
		use(s, c, COH__LD_IN_SOFTIRQ, file, line);
	else if (t->ctxk == COH_CTX_PROCESS && !t->bh)
		use(s, c, COH__LD_SOFTIRQ_ON, file, line);
	/* order: every held class -> this one; a trylock cannot wait, so
	 * lockdep adds no edge to it (validate_chain skips it) */
	for (unsigned h = 0; h < t->nheld && !ld->reported && !trylock; h++) {
		unsigned a = t->held[h].cls;
		if (a == (unsigned)ci || ld->edge_seen[a][ci])
			continue;
		uint64_t visited = 0;
		if (reaches(ld, (unsigned)ci, a, &visited)) {
			struct coh__ld_use now;
			record(s, &now, file, line);
			char msg[256];
			snprintf(msg, sizeof(msg),
			         "possible circular locking dependency: task %s takes '%s' while "
			         "holding '%s' (%s:%u), but '%s' -> '%s' is already known",
			         t->name, c->name, ld->cls[a].name, t->held[h].file,
			         t->held[h].line, c->name, ld->cls[a].name);
			/* the first known edge out of this class on the way back */
			const struct coh__ld_use *prev = &now;
			unsigned via = a;
			for (unsigned k = 0; k < ld->nclass; k++) {
				uint64_t v2 = 0;
				if (ld->edge_seen[ci][k] && reaches(ld, k, a, &v2)) {
					prev = &ld->edge[ci][k];
					via = k;
					break;
				}
			}
			char what[160];
			snprintf(what, sizeof(what), "'%s' -> '%s' was first taken by", c->name,
			         ld->cls[via].name);
			splat(s, file, line, msg, "now", &now, c->name, ld->cls[a].name, what, prev,
			      ld->cls[via].name, c->name);
			return;
		}
		ld->edge_seen[a][ci] = true;
		record(s, &ld->edge[a][ci], file, line);
	}
	if (t->nheld < COH__LD_HELD) {
		t->held[t->nheld].cls = (unsigned)ci;
		t->held[t->nheld].file = file;
		t->held[t->nheld].line = line;
		t->nheld++;
	}
}

/* The graph is one object shared by every lock operation: for partial-order
 * reduction an acquisition reads it, and writes it when it adds a class, a
 * usage or an edge, or reports (footprint.c). */
void coh__lockdep_acquire(coh_sched *s, const char *name, const char *file, unsigned line,
                          bool trylock)
{
	if (!s->lockdep)
		return;
	uint64_t gen = s->ld.gen;
	acquire(s, name, file, line, trylock);
	coh__fp_lockdep(s, s->ld.gen != gen);
}

void coh__lockdep_release(coh_sched *s, const char *name)
{
	coh_task *t = s->cur;
	if (!s->lockdep || !t)
		return;
	for (unsigned h = t->nheld; h-- > 0;) {
		const struct coh__ld_class *c = &s->ld.cls[t->held[h].cls];
		if (c->name == name || strcmp(c->name, name) == 0) {
			memmove(&t->held[h], &t->held[h + 1],
			        (t->nheld - h - 1) * sizeof(t->held[0]));
			t->nheld--;
			return;
		}
	}
}
