/*
 * test_sched_por.c - partial-order reduction under a preemption bound
 * (coh_explore_config.por_bounded) is sound: on programs small enough for
 * an exhaustive unreduced search, the reduced search at the same bound
 * finds the same findings (kinds and locations) and reaches the same set of
 * final states, with IRQs, I/O completions, DMA, evictions and locks in
 * play; it also runs fewer schedules where there is something to prune.
 *
 * The programs are drawn at random (a fixed seed): 2-3 tasks on 2 CPUs
 * (so two share one), each a few operations from loads and stores of
 * shared and private variables, spinlock and mutex sections, atomics,
 * preemption points, an IRQ raised to the other CPU and an I/O completion
 * whose device writes a variable by DMA. A final state is every task's
 * hash of the values it loaded, the IRQ handler's and the variables' last
 * values.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/sched.h"

#define VA 0x100000u
#define NVAR 6 /* 0..2 shared, 3..5 private to task 0..2 */
#define MAXOP 6
#define MAXT 3

enum op { O_LOAD, O_STORE, O_LOCK, O_UNLOCK, O_MLOCK, O_MUNLOCK, O_ATOMIC, O_PREEMPT, O_IRQ, O_IO };

struct pop {
	enum op op;
	unsigned arg;
};

struct rprog {
	unsigned ntasks, ncpus;
	unsigned nop[MAXT];
	struct pop ops[MAXT][MAXOP];
	bool irq, io;
	/* per execution */
	coh_spinlock lock[2];
	coh_mutex mutex;
	coh_atomic atom;
	uint64_t hash[MAXT], irq_hash;
	/* final states seen */
	uint64_t *states;
	size_t nstates, cap;
};

struct rarg {
	struct rprog *p;
	unsigned i;
};
static struct rarg rargs[MAXT];

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ (v + 0x9e3779b97f4a7c15ull)) * 0x100000001b3ull;
}

static coh_addr_t var_va(unsigned v)
{
	return VA + v * 64;
}

static void io_done(void *arg)
{
	struct rprog *p = arg;
	coh_machine *m = coh_sched_machine(coh_sched_current());
	uint32_t v = 77;
	coh_dma_write(m, var_va(1), &v, 4);
	(void)p;
}

static void handler(unsigned irq, void *arg)
{
	struct rprog *p = arg;
	coh_machine *m = coh_sched_machine(coh_sched_current());
	uint64_t v = 0;
	(void)irq;
	coh_load(m, coh_this_cpu(), var_va(0), 4, &v);
	p->irq_hash = mix(p->irq_hash, v);
	coh_store(m, coh_this_cpu(), var_va(2), 4, 99);
}

static void rbody(void *arg)
{
	struct rarg *a = arg;
	struct rprog *p = a->p;
	coh_sched *s = coh_sched_current();
	coh_machine *m = coh_sched_machine(s);
	unsigned cpu = coh_this_cpu();
	for (unsigned k = 0; k < p->nop[a->i]; k++) {
		const struct pop *o = &p->ops[a->i][k];
		uint64_t v = 0;
		switch (o->op) {
		case O_LOAD:
			coh_load(m, cpu, var_va(o->arg), 4, &v);
			p->hash[a->i] = mix(p->hash[a->i], v);
			break;
		case O_STORE:
			coh_store(m, cpu, var_va(o->arg), 4, a->i * 16 + k + 1);
			break;
		case O_LOCK:
			coh_spin_lock(&p->lock[o->arg]);
			break;
		case O_UNLOCK:
			coh_spin_unlock(&p->lock[o->arg]);
			break;
		case O_MLOCK:
			coh_mutex_lock(&p->mutex);
			break;
		case O_MUNLOCK:
			coh_mutex_unlock(&p->mutex);
			break;
		case O_ATOMIC:
			p->hash[a->i] =
			    mix(p->hash[a->i], (uint64_t)coh_atomic_inc_return(&p->atom));
			break;
		case O_PREEMPT:
			coh_preempt_point();
			break;
		case O_IRQ:
			coh_irq_raise(s, 0, (cpu + 1) % p->ncpus);
			break;
		case O_IO:
			coh_io_complete_later(s, io_done, p, "dev");
			break;
		}
	}
}

static int rsetup(void *ctx, coh_sched *s)
{
	struct rprog *p = ctx;
	coh_machine *m = coh_sched_machine(s);
	coh_spin_lock_init(&p->lock[0], "A");
	coh_spin_lock_init(&p->lock[1], "B");
	coh_mutex_init(&p->mutex, "M");
	coh_atomic_init(&p->atom, 0);
	memset(p->hash, 0, sizeof(p->hash));
	p->irq_hash = 0;
	if (coh_map(m, COH_KERNEL_AS, VA, VA, coh_machine_page_size(m), COH_ATTR_WB))
		return -1;
	if (p->irq && coh_request_irq(s, 0, handler, p, "irq0") != 0)
		return -1;
	static const char *const names[] = {"t0", "t1", "t2"};
	for (unsigned i = 0; i < p->ntasks; i++) {
		rargs[i] = (struct rarg){p, i};
		if (!coh_task_create(s, names[i], i % p->ncpus, rbody, &rargs[i]))
			return -1;
	}
	return 0;
}

static void rfinish(void *ctx, coh_sched *s)
{
	struct rprog *p = ctx;
	coh_machine *m = coh_sched_machine(s);
	uint64_t h = p->irq_hash;
	for (unsigned i = 0; i < p->ntasks; i++)
		h = mix(h, p->hash[i]);
	for (unsigned v = 0; v < NVAR; v++) {
		uint64_t x = 0;
		coh_load(m, 0, var_va(v), 4, &x);
		h = mix(h, x);
	}
	for (size_t i = 0; i < p->nstates; i++)
		if (p->states[i] == h)
			return;
	if (p->nstates == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->states = realloc(p->states, p->cap * sizeof(*p->states));
		assert_non_null(p->states);
	}
	p->states[p->nstates++] = h;
}

static uint64_t rng_next(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static unsigned below(uint64_t *x, unsigned n)
{
	return (unsigned)(rng_next(x) % n);
}

/* A random program: sections are well nested and every lock taken is
 * released by the same task. */
static void draw(struct rprog *p, uint64_t *rng, bool extras)
{
	memset(p, 0, sizeof(*p));
	p->ntasks = 2 + below(rng, 2);
	p->ncpus = 2;
	for (unsigned t = 0; t < p->ntasks; t++) {
		unsigned n = 0, want = 2 + below(rng, 3);
		while (n < want && n < MAXOP) {
			unsigned kind = below(rng, extras ? 10 : 7);
			unsigned shared = below(rng, 3), var = below(rng, 4) == 0 ? 3 + t : shared;
			struct pop *o = &p->ops[t][n];
			if ((kind == 4 || kind == 5) && n + 3 <= MAXOP) { /* a locked section */
				bool mutex = kind == 5;
				unsigned l = below(rng, 2);
				o[0] = (struct pop){mutex ? O_MLOCK : O_LOCK, l};
				o[1] = (struct pop){below(rng, 2) ? O_LOAD : O_STORE, var};
				o[2] = (struct pop){mutex ? O_MUNLOCK : O_UNLOCK, l};
				n += 3;
				continue;
			}
			switch (kind) {
			case 0:
			case 1:
				*o = (struct pop){O_LOAD, var};
				break;
			case 2:
			case 3:
				*o = (struct pop){O_STORE, var};
				break;
			case 6:
				*o = (struct pop){below(rng, 2) ? O_ATOMIC : O_PREEMPT, 0};
				break;
			case 7:
			case 8:
				*o = (struct pop){O_IRQ, 0};
				p->irq = true;
				break;
			default:
				*o = (struct pop){O_IO, 0};
				p->io = true;
				break;
			}
			n++;
		}
		p->nop[t] = n;
	}
}

struct outcome {
	coh_explore_result r;
	uint64_t *states;
	size_t nstates;
};

static int u64cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int keycmp(const void *a, const void *b)
{
	return strcmp(((const coh_explore_finding *)a)->key, ((const coh_explore_finding *)b)->key);
}

static void run(struct rprog *p, int bound, bool reduce, unsigned max_evictions,
                struct outcome *out)
{
	coh_program prog = {"random", p, rsetup, rfinish};
	coh_machine_config m;
	coh_machine_config_init(&m, NULL);
	m.ncpus = p->ncpus;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_DFS;
	c.progress = false;
	c.budget = 0;
	c.keep_going = true;
	c.shrink = false; /* a shrunk schedule's replay would add its state */
	c.preemptions = bound;
	c.por_bounded = reduce;
	c.max_evictions = max_evictions;
	p->states = NULL;
	p->nstates = p->cap = 0;
	assert_int_equal(coh_explore(&c, &m, &prog, &out->r), 0);
	assert_true(out->r.complete);
	out->states = p->states;
	out->nstates = p->nstates;
	qsort(out->states, out->nstates, sizeof(*out->states), u64cmp);
	qsort(out->r.findings, out->r.nfindings, sizeof(*out->r.findings), keycmp);
}

static void outcome_free(struct outcome *o)
{
	free(o->states);
	coh_explore_result_free(&o->r);
}

/* Same findings and final states; returns the two schedule counts. */
static void same_outcome(struct rprog *p, int bound, unsigned max_evictions, uint64_t *full,
                         uint64_t *reduced, unsigned prog_no)
{
	struct outcome a, b;
	run(p, bound, false, max_evictions, &a);
	run(p, bound, true, max_evictions, &b);
	if (a.r.nfindings != b.r.nfindings || a.nstates != b.nstates ||
	    memcmp(a.states, b.states, a.nstates * sizeof(*a.states)) != 0) {
		fprintf(stderr,
		        "program %u, bound %d, evictions %u: unreduced %zu findings %zu states, "
		        "reduced %zu findings %zu states\n",
		        prog_no, bound, max_evictions, a.r.nfindings, a.nstates, b.r.nfindings,
		        b.nstates);
		for (size_t i = 0; i < a.r.nfindings; i++)
			fprintf(stderr, "  unreduced: %s\n", a.r.findings[i].key);
		for (size_t i = 0; i < b.r.nfindings; i++)
			fprintf(stderr, "  reduced:   %s\n", b.r.findings[i].key);
	}
	assert_int_equal(a.r.nfindings, b.r.nfindings);
	for (size_t i = 0; i < a.r.nfindings; i++)
		assert_string_equal(a.r.findings[i].key, b.r.findings[i].key);
	assert_int_equal(a.nstates, b.nstates);
	assert_memory_equal(a.states, b.states, a.nstates * sizeof(*a.states));
	assert_true(b.r.schedules <= a.r.schedules);
	assert_false(a.r.por_bounded);
	assert_true(b.r.por_bounded);
	*full += a.r.schedules;
	*reduced += b.r.schedules;
	outcome_free(&a);
	outcome_free(&b);
}

/* Random programs of loads, stores, locks, atomics and preemption points,
 * at bounds 0, 1 and 2. */
static void por_bounded_keeps_findings_and_states(void **state)
{
	(void)state;
	uint64_t rng = 16, full = 0, reduced = 0;
	for (unsigned i = 0; i < 100; i++) {
		struct rprog p;
		draw(&p, &rng, false);
		for (int bound = 0; bound <= 2; bound++)
			same_outcome(&p, bound, 0, &full, &reduced, i);
	}
	fprintf(stderr, "random programs: %llu schedules unreduced, %llu reduced\n",
	        (unsigned long long)full, (unsigned long long)reduced);
	assert_true(reduced * 3 < full * 2); /* it prunes something */
}

/* The same with IRQs, I/O completions (DMA) and, half of the time, one
 * eviction per execution: non-scheduling choices stay fully explored. */
static void por_bounded_with_irqs_io_and_evictions(void **state)
{
	(void)state;
	uint64_t rng = 1216, full = 0, reduced = 0;
	for (unsigned i = 0; i < 16; i++) {
		struct rprog p;
		draw(&p, &rng, true);
		for (int bound = 0; bound <= 2; bound++)
			same_outcome(&p, bound, i % 2, &full, &reduced, i);
	}
	fprintf(stderr, "with IRQs/IO/evictions: %llu schedules unreduced, %llu reduced\n",
	        (unsigned long long)full, (unsigned long long)reduced);
	assert_true(reduced < full);
}

/* Three independent tasks on their own lines (and CPUs): at bound 2 every
 * preemption is before an independent access, so nearly all are cut. */
static void por_bounded_prunes_independent_work(void **state)
{
	(void)state;
	struct rprog p;
	memset(&p, 0, sizeof(p));
	p.ntasks = 2;
	p.ncpus = 2;
	for (unsigned t = 0; t < 2; t++) {
		p.nop[t] = 5;
		for (unsigned k = 0; k < 5; k++)
			p.ops[t][k] = (struct pop){k % 2 ? O_LOAD : O_STORE, 3 + t};
	}
	uint64_t full = 0, reduced = 0;
	same_outcome(&p, 2, 0, &full, &reduced, 0);
	fprintf(stderr, "independent: %llu schedules unreduced, %llu reduced\n",
	        (unsigned long long)full, (unsigned long long)reduced);
	assert_true(reduced * 2 < full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(por_bounded_keeps_findings_and_states),
	    cmocka_unit_test(por_bounded_with_irqs_io_and_evictions),
	    cmocka_unit_test(por_bounded_prunes_independent_work),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
