/*
 * test_sched.c - tasks, contexts and the context switch, the strategies
 * finding a lost update (random, pct, dfs), I/O completion order as a
 * choice. The findings of the sched layer are test_sched_bugs.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/sched.h"
#include "sched/ctx.h"
#include "sched_rig.h"

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

/* ---- I/O completions ---- */

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
	    cmocka_unit_test(io_completion_order_is_a_choice),
	    cmocka_unit_test(contexts_process_hardirq_softirq),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
