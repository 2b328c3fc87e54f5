/*
 * bench_sched.c - the scheduler's figures, each as a ratio to a baseline
 * measured in the same run:
 *   1. a context switch (ns): the assembly switch vs swapcontext() vs a
 *      pthread condition-variable hand-off;
 *   2. schedules per second on the lost-update program (random, dfs);
 *   3. schedules until the first finding, pct vs random, on a race of
 *      depth 2 that needs one task to run whole inside a one-step window of
 *      the other;
 *   4. --jobs 2 vs --jobs 1 on the same random exploration;
 *   5. dfs sleep sets: schedules with and without, unbounded.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>

#include "cohsim/sched.h"
#include "sched/ctx.h"

#define VA 0x100000u

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- 1. context switch ---- */

static struct coh__ctx host, fib;
static volatile long counter;

static void fib_fn(void *arg)
{
	(void)arg;
	coh__ctx_entered(&fib);
	for (;;) {
		counter++;
		coh__ctx_switch(&fib, &host, false);
	}
}

static ucontext_t uc_host, uc_fib;

static void uc_fn(void)
{
	for (;;) {
		counter++;
		swapcontext(&uc_fib, &uc_host);
	}
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int turn;
static long rounds;

static void *pt_fn(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mu);
	for (long i = 0; i < rounds; i++) {
		while (turn != 1)
			pthread_cond_wait(&cv, &mu);
		turn = 0;
		pthread_cond_signal(&cv);
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

static void bench_switch(void)
{
	const long n = 5000000;
	coh__ctx_init_host(&host);
	coh__ctx_stack_alloc(&fib, 64 * 1024);
	coh__ctx_make(&fib, fib_fn, NULL);
	double t = now();
	for (long i = 0; i < n; i++)
		coh__ctx_switch(&host, &fib, false);
	double ns_asm = (now() - t) * 1e9 / (2.0 * n);

	static char stack[64 * 1024];
	getcontext(&uc_fib);
	uc_fib.uc_stack.ss_sp = stack;
	uc_fib.uc_stack.ss_size = sizeof(stack);
	makecontext(&uc_fib, uc_fn, 0);
	const long nu = 1000000;
	t = now();
	for (long i = 0; i < nu; i++)
		swapcontext(&uc_host, &uc_fib);
	double ns_uc = (now() - t) * 1e9 / (2.0 * nu);

	rounds = 100000;
	pthread_t th;
	pthread_create(&th, NULL, pt_fn, NULL);
	t = now();
	pthread_mutex_lock(&mu);
	for (long i = 0; i < rounds; i++) {
		turn = 1;
		pthread_cond_signal(&cv);
		while (turn != 0)
			pthread_cond_wait(&cv, &mu);
	}
	pthread_mutex_unlock(&mu);
	double ns_pt = (now() - t) * 1e9 / (2.0 * rounds);
	pthread_join(th, NULL);
	coh__ctx_stack_free(&fib);
	printf("context switch (%s): %.1f ns; swapcontext %.1f ns (%.1fx slower); "
	       "pthread condvar hand-off %.0f ns (%.0fx slower)\n",
	       coh__ctx_impl(), ns_asm, ns_uc, ns_uc / ns_asm, ns_pt, ns_pt / ns_asm);
}

/* ---- programs ---- */

struct prog {
	unsigned ntasks;
	bool locked;
	unsigned stride;
	coh_spinlock lock;
	unsigned idx[4];
};

static void incr(void *arg)
{
	unsigned *i = arg;
	struct prog *p = (struct prog *)((char *)(i - *i) - offsetof(struct prog, idx));
	coh_machine *m = coh_sched_machine(coh_sched_current());
	unsigned cpu = coh_this_cpu();
	coh_addr_t va = VA + *i * p->stride;
	uint64_t v;
	if (p->locked)
		coh_spin_lock(&p->lock);
	coh_load(m, cpu, va, 4, &v);
	coh_store(m, cpu, va, 4, v + 1);
	if (p->locked)
		coh_spin_unlock(&p->lock);
}

static int incr_setup(void *ctx, coh_sched *s)
{
	struct prog *p = ctx;
	coh_machine *m = coh_sched_machine(s);
	coh_spin_lock_init(&p->lock, "lock");
	coh_map(m, COH_KERNEL_AS, VA, VA, coh_machine_page_size(m), COH_ATTR_WB);
	static const char *const names[] = {"t0", "t1", "t2", "t3"};
	for (unsigned i = 0; i < p->ntasks; i++) {
		p->idx[i] = i;
		coh_task_create(s, names[i], i % coh_machine_ncpus(m), incr, &p->idx[i]);
	}
	return 0;
}

static void incr_finish(void *ctx, coh_sched *s)
{
	struct prog *p = ctx;
	uint64_t v = 0;
	coh_load(coh_sched_machine(s), 0, VA, 4, &v);
	if (!p->stride && v != p->ntasks)
		coh_check_report(coh_sched_check(s), COH_F_EXPECT_FAILED, -1, "lost update: %llu",
		                 (unsigned long long)v);
}

/* the window race: t1 opens and closes a one-step window at its start;
 * t2 does WORK accesses and then looks through the window */
#define WORK 30
static bool window_seen;

static void opener(void *arg)
{
	(void)arg;
	coh_machine *m = coh_sched_machine(coh_sched_current());
	unsigned cpu = coh_this_cpu();
	coh_store(m, cpu, VA, 4, 1);
	coh_store(m, cpu, VA, 4, 0);
	uint64_t v;
	for (int i = 0; i < WORK; i++)
		coh_load(m, cpu, VA + 128, 4, &v);
}

static void looker(void *arg)
{
	(void)arg;
	coh_machine *m = coh_sched_machine(coh_sched_current());
	unsigned cpu = coh_this_cpu();
	uint64_t v;
	for (int i = 0; i < WORK; i++)
		coh_load(m, cpu, VA + 256, 4, &v);
	coh_load(m, cpu, VA, 4, &v);
	window_seen = v == 1;
}

static int window_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	coh_machine *m = coh_sched_machine(s);
	window_seen = false;
	coh_map(m, COH_KERNEL_AS, VA, VA, coh_machine_page_size(m), COH_ATTR_WB);
	coh_task_create(s, "opener", 0, opener, NULL);
	coh_task_create(s, "looker", 1, looker, NULL);
	return 0;
}

static void window_finish(void *ctx, coh_sched *s)
{
	(void)ctx;
	if (window_seen)
		coh_check_report(coh_sched_check(s), COH_F_EXPECT_FAILED, -1, "saw the window");
}

static coh_machine_config mcfg(unsigned ncpus)
{
	coh_machine_config c;
	coh_machine_config_init(&c, NULL);
	c.ncpus = ncpus;
	return c;
}

static coh_explore_config ecfg(enum coh_strategy st)
{
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = st;
	c.progress = false;
	c.evictions = 0;
	return c;
}

/* ---- 2. schedules per second ---- */

static void bench_rate(void)
{
	struct prog p = {.ntasks = 2};
	coh_program prog = {"lost-update", &p, incr_setup, incr_finish};
	coh_machine_config m = mcfg(2);
	coh_explore_config c = ecfg(COH_STRATEGY_RANDOM);
	c.budget = 100000;
	c.keep_going = true;
	coh_explore_result r;
	double t = now();
	coh_explore(&c, &m, &prog, &r);
	double el = now() - t;
	printf("lost-update, random: %llu schedules in %.2f s = %.0f schedules/s (%.1f us each)\n",
	       (unsigned long long)r.schedules, el, r.schedules / el, el * 1e6 / r.schedules);
	coh_explore_result_free(&r);
	p.ntasks = 3;
	p.locked = true;
	c = ecfg(COH_STRATEGY_DFS);
	c.budget = 0;
	c.preemptions = 3;
	t = now();
	coh_explore(&c, &m, &prog, &r);
	el = now() - t;
	printf("3 tasks under a spinlock, dfs bound 3: %llu schedules%s in %.2f s = %.0f "
	       "schedules/s\n",
	       (unsigned long long)r.schedules, r.complete ? " (complete)" : "", el,
	       r.schedules / el);
	coh_explore_result_free(&r);
}

/* ---- 3. pct vs random ---- */

static void bench_pct(void)
{
	coh_program prog = {"window", NULL, window_setup, window_finish};
	coh_machine_config m = mcfg(2);
	const unsigned seeds = 5;
	const uint64_t cap = 200000;
	double sum[2] = {0, 0};
	unsigned found[2] = {0, 0};
	for (int which = 0; which < 2; which++) {
		for (unsigned sd = 1; sd <= seeds; sd++) {
			coh_explore_config c = ecfg(which ? COH_STRATEGY_PCT : COH_STRATEGY_RANDOM);
			c.seed = sd;
			c.budget = cap;
			c.depth = 2;
			c.shrink = false;
			coh_explore_result r;
			coh_explore(&c, &m, &prog, &r);
			if (r.nfindings) {
				found[which]++;
				sum[which] += (double)r.findings[0].found_at;
			} else {
				sum[which] += (double)cap;
			}
			if (which && sd == 1)
				printf("pct bound for this program: n=%u k=%llu d=%u, p >= %.2g "
				       "per run\n",
				       r.pct_n, (unsigned long long)r.pct_k, r.pct_d,
				       r.pct_probability);
			coh_explore_result_free(&r);
		}
	}
	double avg_r = sum[0] / seeds, avg_p = sum[1] / seeds;
	printf("depth-2 window race, schedules to first finding (mean of %u seeds, cap %llu): "
	       "random %.0f (%u/%u found), pct %.0f (%u/%u found): pct needs %.1fx fewer\n",
	       seeds, (unsigned long long)cap, avg_r, found[0], seeds, avg_p, found[1], seeds,
	       avg_r / avg_p);
}

/* ---- 4. jobs ---- */

static void bench_jobs(void)
{
	struct prog p = {.ntasks = 3, .locked = true};
	coh_program prog = {"locked", &p, incr_setup, incr_finish};
	coh_machine_config m = mcfg(2);
	coh_explore_config c = ecfg(COH_STRATEGY_RANDOM);
	c.budget = 100000;
	double el[2];
	for (unsigned j = 1; j <= 2; j++) {
		c.jobs = j;
		coh_explore_result r;
		double t = now();
		coh_explore(&c, &m, &prog, &r);
		el[j - 1] = now() - t;
		coh_explore_result_free(&r);
	}
	printf("random, 100000 schedules: --jobs 1 %.2f s, --jobs 2 %.2f s: speed-up %.2fx\n",
	       el[0], el[1], el[0] / el[1]);
}

/* ---- 5. sleep sets ---- */

static void bench_por(void)
{
	struct prog p = {.ntasks = 3, .stride = 256};
	coh_program prog = {"independent", &p, incr_setup, incr_finish};
	coh_machine_config m = mcfg(3);
	coh_explore_config c = ecfg(COH_STRATEGY_DFS);
	c.preemptions = -1;
	c.budget = 0;
	coh_explore_result a, b;
	double t = now();
	coh_explore(&c, &m, &prog, &a);
	double ta = now() - t;
	c.por = false;
	t = now();
	coh_explore(&c, &m, &prog, &b);
	double tb = now() - t;
	printf("dfs unbounded, 3 independent tasks on 3 CPUs: sleep sets %llu schedules "
	       "(+%llu cut) in %.3f s, without %llu in %.3f s: %.0fx fewer schedules\n",
	       (unsigned long long)a.schedules, (unsigned long long)a.pruned, ta,
	       (unsigned long long)b.schedules, tb, (double)b.schedules / (double)a.schedules);
	coh_explore_result_free(&a);
	coh_explore_result_free(&b);
	struct prog q = {.ntasks = 3};
	prog = (coh_program){"lost-update", &q, incr_setup, incr_finish};
	c.keep_going = true;
	c.por = true;
	coh_explore(&c, &m, &prog, &a);
	c.por = false;
	coh_explore(&c, &m, &prog, &b);
	printf("dfs unbounded, 3-task lost update (keep going): sleep sets %llu schedules, "
	       "without %llu: %.1fx fewer\n",
	       (unsigned long long)a.schedules, (unsigned long long)b.schedules,
	       (double)b.schedules / (double)a.schedules);
	coh_explore_result_free(&a);
	coh_explore_result_free(&b);
}

int main(void)
{
	bench_switch();
	bench_rate();
	bench_pct();
	bench_jobs();
	bench_por();
	return 0;
}
