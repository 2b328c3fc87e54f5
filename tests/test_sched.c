/*
 * test_sched.c - tasks, contexts and sync primitives, and the findings of
 * the sched layer (deadlock, sleep in atomic, livelock, IRQ lock misuse),
 * each found by exploration and replayed to the identical report.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/sched.h"
#include "sched/ctx.h"

#define VA 0x100000u

/* ---- helpers ---- */

static coh_machine_config mcfg(unsigned ncpus)
{
	coh_machine_config c;
	coh_machine_config_init(&c, NULL);
	c.ncpus = ncpus;
	return c;
}

static int map_page(coh_sched *s)
{
	coh_machine *m = coh_sched_machine(s);
	return coh_map(m, COH_KERNEL_AS, VA, VA, coh_machine_page_size(m), COH_ATTR_WB);
}

static coh_explore_config ecfg(enum coh_strategy st)
{
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = st;
	c.progress = false;
	c.budget = st == COH_STRATEGY_DFS ? 0 : 2000;
	return c;
}

static bool replay_lockdep = true; /* as the run to replay had it */

/* Replays every finding's schedule and checks the report is byte-identical. */
static void assert_replays(const coh_explore_result *r, const coh_machine_config *m,
                           const coh_program *p)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		coh_explore_config c = ecfg(COH_STRATEGY_REPLAY);
		c.lockdep = replay_lockdep;
		c.schedule = r->findings[i].schedule;
		coh_explore_result rr;
		assert_int_equal(coh_explore(&c, m, p, &rr), 0);
		bool same = false;
		for (size_t j = 0; j < rr.nfindings; j++)
			same |= strcmp(rr.findings[j].report, r->findings[i].report) == 0 &&
			        strcmp(rr.findings[j].json, r->findings[i].json) == 0;
		if (!same) {
			fprintf(stderr, "original:\n%s\nreplay:\n%s\n", r->findings[i].report,
			        rr.nfindings ? rr.findings[0].report : "(none)");
		}
		assert_true(same);
		coh_explore_result_free(&rr);
	}
}

/* ---- the context switch itself ---- */

static struct coh__ctx host_ctx, a_ctx;
static int pingpong;

static void ctx_fn(void *arg)
{
	coh__ctx_entered(&a_ctx);
	int *n = arg;
	for (;;) {
		(*n)++;
		coh__ctx_switch(&a_ctx, &host_ctx, false);
	}
}

static void ctx_switch_round_trips_and_reuses_stack(void **state)
{
	(void)state;
	coh__ctx_init_host(&host_ctx);
	assert_int_equal(coh__ctx_stack_alloc(&a_ctx, 64 * 1024), 0);
	for (int run = 0; run < 3; run++) {
		pingpong = 0;
		coh__ctx_make(&a_ctx, ctx_fn, &pingpong);
		for (int i = 0; i < 100; i++)
			coh__ctx_switch(&host_ctx, &a_ctx, false);
		assert_int_equal(pingpong, 100);
	}
	coh__ctx_stack_free(&a_ctx);
}

/* ---- lost update ---- */

struct counter_prog {
	bool locked;
	bool irqsave;
	coh_spinlock lock;
	unsigned ntasks;
};

static void incr(void *arg)
{
	struct counter_prog *p = arg;
	coh_sched *s = coh_sched_current();
	coh_machine *m = coh_sched_machine(s);
	unsigned cpu = coh_this_cpu();
	unsigned long flags = 0;
	uint64_t v;
	if (p->locked && p->irqsave)
		coh_spin_lock_irqsave(&p->lock, flags);
	else if (p->locked)
		coh_spin_lock(&p->lock);
	coh_load(m, cpu, VA, 4, &v);
	coh_store(m, cpu, VA, 4, v + 1);
	if (p->locked && p->irqsave)
		coh_spin_unlock_irqrestore(&p->lock, flags);
	else if (p->locked)
		coh_spin_unlock(&p->lock);
}

static int counter_setup(void *ctx, coh_sched *s)
{
	struct counter_prog *p = ctx;
	coh_spin_lock_init(&p->lock, "counter_lock");
	if (map_page(s) != 0)
		return -1;
	static const char *const names[] = {"inc0", "inc1", "inc2", "inc3"};
	for (unsigned i = 0; i < (p->ntasks ? p->ntasks : 2); i++)
		if (!coh_task_create(s, names[i], i % coh_machine_ncpus(coh_sched_machine(s)), incr,
		                     p))
			return -1;
	return 0;
}

static void counter_finish(void *ctx, coh_sched *s)
{
	struct counter_prog *p = ctx;
	uint64_t v = 0;
	unsigned want = p->ntasks ? p->ntasks : 2;
	coh_load(coh_sched_machine(s), 0, VA, 4, &v);
	if (v != want)
		coh_check_report(coh_sched_check(s), COH_F_EXPECT_FAILED, -1,
		                 "counter is %llu after %u increments", (unsigned long long)v,
		                 want);
}

static void lost_update_found_by(enum coh_strategy st)
{
	struct counter_prog p = {0};
	coh_program prog = {"lost-update", &p, counter_setup, counter_finish};
	coh_machine_config m = mcfg(2);
	coh_explore_config c = ecfg(st);
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_EXPECT_FAILED);
	assert_non_null(strstr(r.findings[0].report, "counter is 1"));
	assert_non_null(strstr(r.findings[0].report, "Schedule: v1"));
	assert_false(r.complete);
	/* shrunk: one preemption between load and store is all it takes */
	assert_true(r.findings[0].deviations <= 2);
	assert_replays(&r, &m, &prog);
	coh_explore_result_free(&r);
}

static void lost_update_found_by_random(void **state)
{
	(void)state;
	lost_update_found_by(COH_STRATEGY_RANDOM);
}

static void lost_update_found_by_pct(void **state)
{
	(void)state;
	lost_update_found_by(COH_STRATEGY_PCT);
}

static void lost_update_found_by_dfs(void **state)
{
	(void)state;
	lost_update_found_by(COH_STRATEGY_DFS);
}

static void spinlock_counter_is_clean_dfs_bound_3_complete(void **state)
{
	(void)state;
	struct counter_prog p = {.locked = true};
	coh_program prog = {"locked-update", &p, counter_setup, counter_finish};
	coh_machine_config m = mcfg(2);
	coh_explore_config c = ecfg(COH_STRATEGY_DFS);
	c.preemptions = 3;
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_int_equal(r.nfindings, 0);
	assert_true(r.complete);
	assert_true(r.schedules > 2);
	coh_explore_result_free(&r);
}

static void pct_reports_its_bound(void **state)
{
	(void)state;
	struct counter_prog p = {.locked = true};
	coh_program prog = {"locked-update", &p, counter_setup, counter_finish};
	coh_machine_config m = mcfg(2);
	coh_explore_config c = ecfg(COH_STRATEGY_PCT);
	c.budget = 50;
	c.depth = 3;
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_int_equal(r.schedules, 50);
	assert_int_equal(r.pct_d, 3);
	assert_true(r.pct_n >= 2);
	assert_true(r.pct_k >= 4);
	assert_true(r.pct_probability > 0 && r.pct_probability <= 1.0 / r.pct_n);
	coh_explore_result_free(&r);
}

/* ---- ABBA ---- */

struct abba {
	coh_mutex a, b;
};

static void ab(void *arg)
{
	struct abba *x = arg;
	coh_mutex_lock(&x->a);
	coh_mutex_lock(&x->b);
	coh_mutex_unlock(&x->b);
	coh_mutex_unlock(&x->a);
}

static void ba(void *arg)
{
	struct abba *x = arg;
	coh_mutex_lock(&x->b);
	coh_mutex_lock(&x->a);
	coh_mutex_unlock(&x->a);
	coh_mutex_unlock(&x->b);
}

static int abba_setup(void *ctx, coh_sched *s)
{
	struct abba *x = ctx;
	coh_mutex_init(&x->a, "A");
	coh_mutex_init(&x->b, "B");
	return coh_task_create(s, "ab", 0, ab, x) && coh_task_create(s, "ba", 1, ba, x) ? 0 : -1;
}

static void abba_deadlock_found(void **state)
{
	(void)state;
	struct abba x;
	coh_program prog = {"abba", &x, abba_setup, NULL};
	coh_machine_config m = mcfg(2);
	for (int st = COH_STRATEGY_RANDOM; st <= COH_STRATEGY_DFS; st++) {
		coh_explore_config c = ecfg((enum coh_strategy)st);
		c.lockdep = false; /* the deadlock itself (test_lockdep: the order) */
		coh_explore_result r;
		assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
		assert_int_equal(r.nfindings, 1);
		assert_int_equal(r.findings[0].kind, COH_F_DEADLOCK);
		const char *rep = r.findings[0].report;
		assert_non_null(strstr(rep, "'ab' (cpu0) is sleeping on mutex 'B' at "));
		assert_non_null(strstr(rep, ", held by 'ba', which took it at "));
		assert_non_null(strstr(rep, "'ba' (cpu1) is sleeping on mutex 'A' at "));
		assert_non_null(strstr(rep, ", held by 'ab', which took it at "));
		assert_non_null(strstr(rep, "timeline"));
		assert_non_null(strstr(rep, "test_sched.c:"));
		replay_lockdep = false;
		assert_replays(&r, &m, &prog);
		replay_lockdep = true;
		coh_explore_result_free(&r);
	}
}

/* ---- sleeping in atomic context ---- */

struct sleepy {
	coh_spinlock l;
	coh_mutex m;
};

static void sleeper(void *arg)
{
	struct sleepy *x = arg;
	coh_spin_lock(&x->l);
	coh_mutex_lock(&x->m); /* might sleep, under a spinlock */
	coh_mutex_unlock(&x->m);
	coh_spin_unlock(&x->l);
}

static int sleepy_setup(void *ctx, coh_sched *s)
{
	struct sleepy *x = ctx;
	coh_spin_lock_init(&x->l, "l");
	coh_mutex_init(&x->m, "m");
	return coh_task_create(s, "sleeper", 0, sleeper, x) ? 0 : -1;
}

static void sleep_under_spinlock_found(void **state)
{
	(void)state;
	struct sleepy x;
	coh_program prog = {"sleepy", &x, sleepy_setup, NULL};
	coh_machine_config m = mcfg(1);
	coh_explore_config c = ecfg(COH_STRATEGY_DFS);
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_SLEEP_IN_ATOMIC);
	assert_non_null(strstr(r.findings[0].report, "mutex_lock called from invalid context"));
	assert_non_null(strstr(r.findings[0].key, "test_sched.c:"));
	assert_replays(&r, &m, &prog);
	coh_explore_result_free(&r);
}

/* ---- IRQ handler vs. the task it interrupted ---- */

struct irqlock {
	coh_spinlock lock;
	bool irqsave;
};

static void irq_handler(unsigned irq, void *arg)
{
	struct irqlock *x = arg;
	(void)irq;
	coh_spin_lock(&x->lock);
	coh_spin_unlock(&x->lock);
}

static void irq_task(void *arg)
{
	struct irqlock *x = arg;
	coh_sched *s = coh_sched_current();
	coh_irq_raise(s, 3, coh_this_cpu()); /* the device will interrupt us */
	unsigned long flags = 0;
	if (x->irqsave)
		coh_spin_lock_irqsave(&x->lock, flags);
	else
		coh_spin_lock(&x->lock);
	coh_store(coh_sched_machine(s), coh_this_cpu(), VA, 4, 1);
	if (x->irqsave)
		coh_spin_unlock_irqrestore(&x->lock, flags);
	else
		coh_spin_unlock(&x->lock);
}

static int irq_setup(void *ctx, coh_sched *s)
{
	struct irqlock *x = ctx;
	coh_spin_lock_init(&x->lock, "dev_lock");
	if (map_page(s) || coh_request_irq(s, 3, irq_handler, x, "dev_irq"))
		return -1;
	return coh_task_create(s, "driver", 0, irq_task, x) ? 0 : -1;
}

static void irq_takes_lock_without_irqsave_found(void **state)
{
	(void)state;
	struct irqlock x = {.irqsave = false};
	coh_program prog = {"irq-lock", &x, irq_setup, NULL};
	coh_machine_config m = mcfg(1);
	coh_explore_config c = ecfg(COH_STRATEGY_DFS);
	c.lockdep = false; /* the deadlock itself (test_lockdep.c has the rule) */
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_DEADLOCK);
	/* the waiter's line, the holder, and where the holder took the lock */
	const char *rep = r.findings[0].report;
	assert_non_null(strstr(rep, "'dev_irq' (cpu0) is spinning on spinlock 'dev_lock' at "));
	assert_non_null(strstr(rep, ", held by 'driver', which took it at tests/test_sched.c:"));
	replay_lockdep = false;
	assert_replays(&r, &m, &prog);
	replay_lockdep = true;
	coh_explore_result_free(&r);

	x.irqsave = true;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_int_equal(r.nfindings, 0);
	assert_true(r.complete);
	coh_explore_result_free(&r);
}

/* ---- wait queues, completions, I/O completions ---- */

struct wq_prog {
	coh_wait_queue_head wq;
	coh_atomic flag;
	bool buggy; /* tests the condition before prepare_to_wait */
};

static void waiter(void *arg)
{
	struct wq_prog *p = arg;
	if (p->buggy) {
		coh_wait_entry e = {0};
		if (!coh_atomic_read(&p->flag)) {
			coh_prepare_to_wait(&p->wq, &e, COH_TASK_UNINTERRUPTIBLE);
			coh_schedule();
			coh_finish_wait(&p->wq, &e);
		}
	} else {
		coh_wait_event(p->wq, coh_atomic_read(&p->flag));
	}
}

static void waker(void *arg)
{
	struct wq_prog *p = arg;
	coh_atomic_set(&p->flag, 1);
	coh_wake_up(&p->wq);
}

static int wq_setup(void *ctx, coh_sched *s)
{
	struct wq_prog *p = ctx;
	coh_init_waitqueue_head(&p->wq, "wq");
	coh_atomic_init(&p->flag, 0);
	return coh_task_create(s, "waiter", 0, waiter, p) &&
	               coh_task_create(s, "waker", 1, waker, p)
	           ? 0
	           : -1;
}

static void lost_wakeup_found_and_wait_event_clean(void **state)
{
	(void)state;
	struct wq_prog p = {.buggy = true};
	coh_program prog = {"wq", &p, wq_setup, NULL};
	coh_machine_config m = mcfg(2);
	coh_explore_config c = ecfg(COH_STRATEGY_DFS);
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_DEADLOCK);
	assert_non_null(strstr(r.findings[0].report, "sleeping on wait queue 'wq'"));
	assert_replays(&r, &m, &prog);
	coh_explore_result_free(&r);
	p.buggy = false;
	c.preemptions = -1;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_int_equal(r.nfindings, 0);
	assert_true(r.complete);
	coh_explore_result_free(&r);
}

struct io_prog {
	coh_completion done;
	int order[2];
	int n;
	int pending; /* completed by the device, not yet acknowledged */
};

static void io_irq(unsigned irq, void *arg)
{
	struct io_prog *p = arg;
	(void)irq;
	/* one interrupt may stand for several completions (the line is level) */
	while (p->pending) {
		p->pending--;
		coh_complete(&p->done);
	}
}

static void io_dev_a(void *arg)
{
	struct io_prog *p = arg;
	p->order[p->n++] = 1;
	p->pending++;
	coh_irq_raise(coh_sched_current(), 1, 0);
}

static void io_dev_b(void *arg)
{
	struct io_prog *p = arg;
	p->order[p->n++] = 2;
	p->pending++;
	coh_irq_raise(coh_sched_current(), 1, 0);
}

static void io_submitter(void *arg)
{
	struct io_prog *p = arg;
	coh_sched *s = coh_sched_current();
	coh_io_complete_later(s, io_dev_a, p, "bio-a");
	coh_io_complete_later(s, io_dev_b, p, "bio-b");
	coh_wait_for_completion(&p->done);
	coh_wait_for_completion(&p->done);
}

static int io_setup(void *ctx, coh_sched *s)
{
	struct io_prog *p = ctx;
	coh_init_completion(&p->done, "done");
	p->n = p->pending = 0;
	if (coh_request_irq(s, 1, io_irq, p, "blk_irq"))
		return -1;
	return coh_task_create(s, "submit", 0, io_submitter, p) ? 0 : -1;
}

static void io_finish(void *ctx, coh_sched *s)
{
	struct io_prog *p = ctx;
	if (p->n == 2 && p->order[0] == 2)
		coh_check_report(coh_sched_check(s), COH_F_EXPECT_FAILED, -1, "b completed first");
}

static void io_completion_order_is_a_choice(void **state)
{
	(void)state;
	struct io_prog p;
	coh_program prog = {"io", &p, io_setup, io_finish};
	coh_machine_config m = mcfg(1);
	coh_explore_config c = ecfg(COH_STRATEGY_DFS);
	c.preemptions = 0; /* completion order is free once the submitter sleeps */
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_int_equal(r.nfindings, 1);
	assert_non_null(strstr(r.findings[0].report, "b completed first"));
	coh_explore_result_free(&r);
	c.keep_going = true;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_true(r.complete);
	assert_true(r.schedules >= 2);
	coh_explore_result_free(&r);
}

/* ---- livelock ---- */

static coh_atomic never;

static void spinner(void *arg)
{
	(void)arg;
	while (!coh_atomic_read(&never))
		coh_cpu_relax();
}

static int spin_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	coh_atomic_init(&never, 0);
	return coh_task_create(s, "spinner", 0, spinner, NULL) ? 0 : -1;
}

static void step_bound_is_livelock(void **state)
{
	(void)state;
	coh_program prog = {"spin", NULL, spin_setup, NULL};
	coh_machine_config m = mcfg(1);
	coh_explore_config c = ecfg(COH_STRATEGY_DFS);
	c.max_steps = 500;
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_LIVELOCK);
	assert_replays(&r, &m, &prog);
	coh_explore_result_free(&r);
}

/* ---- contexts ---- */

static int ctx_seen[3];
static bool ctx_atomic_in_irq;

static void ctx_softirq(void *arg)
{
	(void)arg;
	ctx_seen[coh_task_context(coh_current())]++;
}

static void ctx_irq(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	ctx_seen[coh_task_context(coh_current())]++;
	ctx_atomic_in_irq = coh_in_atomic() && coh_in_interrupt() && coh_irqs_disabled();
	coh_softirq_raise(coh_sched_current(), 0, ctx_softirq, NULL, "tasklet");
}

static void ctx_task(void *arg)
{
	(void)arg;
	ctx_seen[coh_task_context(coh_current())]++;
	coh_irq_raise(coh_sched_current(), 0, 0);
	coh_local_irq_disable();
	assert_true(coh_in_atomic());
	coh_preempt_point();
	coh_local_irq_enable();
	coh_preempt_point();
}

static int ctx_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	if (coh_request_irq(s, 0, ctx_irq, NULL, "timer"))
		return -1;
	return coh_task_create(s, "proc", 0, ctx_task, NULL) ? 0 : -1;
}

static void contexts_process_hardirq_softirq(void **state)
{
	(void)state;
	coh_program prog = {"ctx", NULL, ctx_setup, NULL};
	coh_machine_config m = mcfg(1);
	coh_explore_config c = ecfg(COH_STRATEGY_DFS);
	memset(ctx_seen, 0, sizeof(ctx_seen));
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_int_equal(r.nfindings, 0);
	assert_true(r.complete);
	assert_int_equal(ctx_seen[COH_CTX_PROCESS], (int)r.schedules);
	assert_int_equal(ctx_seen[COH_CTX_HARDIRQ], (int)r.schedules);
	assert_int_equal(ctx_seen[COH_CTX_SOFTIRQ], (int)r.schedules);
	assert_true(ctx_atomic_in_irq);
	coh_explore_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ctx_switch_round_trips_and_reuses_stack),
	    cmocka_unit_test(lost_update_found_by_random),
	    cmocka_unit_test(lost_update_found_by_pct),
	    cmocka_unit_test(lost_update_found_by_dfs),
	    cmocka_unit_test(spinlock_counter_is_clean_dfs_bound_3_complete),
	    cmocka_unit_test(pct_reports_its_bound),
	    cmocka_unit_test(abba_deadlock_found),
	    cmocka_unit_test(sleep_under_spinlock_found),
	    cmocka_unit_test(irq_takes_lock_without_irqsave_found),
	    cmocka_unit_test(lost_wakeup_found_and_wait_event_clean),
	    cmocka_unit_test(io_completion_order_is_a_choice),
	    cmocka_unit_test(step_bound_is_livelock),
	    cmocka_unit_test(contexts_process_hardirq_softirq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
