/*
 * test_sched_switch.c - the context-switch hook and the per-task pointer:
 * the hook runs exactly when a CPU starts a process task other than the
 * one it ran last, as that task, before it runs; returns from an IRQ are
 * no switch; its machine operations are no preemption points.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/sched.h"

#define VA 0x100000u

struct rec {
	unsigned calls;
	unsigned bad; /* calls that broke a rule */
	coh_task *last[COH_MAX_CPUS];
	const char *order[64];
	bool load_in_hook;
	bool irq;
	unsigned irq_runs;
};

static struct rec rec;
static coh_task *running_task[COH_MAX_CPUS]; /* set by each task as it runs */

/* cppcheck-suppress constParameter ; the coh_switch_hook signature */
static void hook(unsigned cpu, coh_task *prev, coh_task *next, void *ctx)
{
	struct rec *r = ctx;
	if (prev != r->last[cpu] || prev == next || coh_current() != next ||
	    coh_this_cpu() != cpu || coh_task_cpu(next) != cpu ||
	    coh_task_context(next) != COH_CTX_PROCESS)
		r->bad++;
	if (r->calls < 64)
		r->order[r->calls] = coh_task_name(next);
	r->calls++;
	r->last[cpu] = next;
	if (r->load_in_hook) {
		uint64_t v;
		coh_load(coh_sched_machine(coh_sched_current()), cpu, VA, 4, &v);
	}
}

/* cppcheck-suppress constParameter ; the coh_task_fn signature */
static void worker(void *arg)
{
	coh_machine *m = coh_sched_machine(coh_sched_current());
	unsigned cpu = coh_this_cpu();
	for (int i = 0; i < 2; i++) {
		/* the hook ran for us before we got the CPU back from another task */
		if (running_task[cpu] != coh_current() && rec.last[cpu] != coh_current())
			rec.bad++;
		running_task[cpu] = coh_current();
		uint64_t v;
		coh_load(m, cpu, VA, 4, &v);
		if (coh_task_data(coh_current()) != arg)
			rec.bad++;
	}
}

static void handler(unsigned irq, void *arg)
{
	(void)irq;
	(void)arg;
	uint64_t v;
	rec.irq_runs++;
	coh_load(coh_sched_machine(coh_sched_current()), coh_this_cpu(), VA, 4, &v);
}

static void irq_worker(void *arg)
{
	coh_sched *s = coh_sched_current();
	coh_irq_raise(s, 0, coh_this_cpu());
	worker(arg);
}

static int names[3];

static int setup(void *ctx, coh_sched *s)
{
	struct rec *r = ctx;
	bool load = r->load_in_hook, irq = r->irq;
	memset(r, 0, sizeof(*r));
	memset(running_task, 0, sizeof(running_task));
	r->load_in_hook = load;
	r->irq = irq;
	coh_machine *m = coh_sched_machine(s);
	coh_map(m, COH_KERNEL_AS, VA, VA, coh_machine_page_size(m), COH_ATTR_WB);
	coh_sched_set_switch_hook(s, hook, r);
	if (irq) {
		coh_request_irq(s, 0, handler, NULL, "irq0");
		coh_task *t = coh_task_create(s, "a", 0, irq_worker, &names[0]);
		if (!t || coh_task_data(t) != NULL)
			return COH_EINVAL;
		coh_task_set_data(t, &names[0]);
		return 0;
	}
	const char *tn[3] = {"a", "b", "c"};
	for (unsigned i = 0; i < 3; i++) {
		coh_task *t = coh_task_create(s, tn[i], i == 2 ? 1 : 0, worker, &names[i]);
		if (!t || coh_task_data(t) != NULL)
			return COH_EINVAL;
		coh_task_set_data(t, &names[i]);
	}
	return 0;
}

static uint64_t explore(bool load_in_hook, bool irq, unsigned *max_calls)
{
	coh_machine_config mc;
	coh_machine_config_init(&mc, NULL);
	mc.ncpus = 2;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_DFS;
	c.budget = 0;
	c.preemptions = -1;
	c.progress = false;
	c.por = false;
	rec.load_in_hook = load_in_hook;
	rec.irq = irq;
	coh_program p = {.name = "switch", .ctx = &rec, .setup = setup, .finish = NULL};
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &mc, &p, &r), 0);
	assert_int_equal(r.nfindings, 0);
	assert_true(r.complete);
	uint64_t n = r.schedules;
	coh_explore_result_free(&r);
	if (max_calls)
		*max_calls = rec.calls;
	assert_int_equal(rec.bad, 0);
	return n;
}

/* Every execution: the hook sees each switch with the right prev, as next. */
static void hook_runs_at_each_switch_as_next(void **state)
{
	(void)state;
	unsigned calls;
	uint64_t n = explore(false, false, &calls);
	assert_true(n > 10);
	/* the last execution at least started a, b (cpu0) and c (cpu1) */
	assert_true(calls >= 3);
}

/* Its machine operations are no preemption points: the same schedules. */
static void hook_operations_are_not_preemption_points(void **state)
{
	(void)state;
	uint64_t plain = explore(false, false, NULL);
	uint64_t loads = explore(true, false, NULL);
	assert_int_equal(plain, loads);
}

/* A return from an IRQ handler to the task it interrupted is no switch. */
static void irq_return_is_no_switch(void **state)
{
	(void)state;
	unsigned calls;
	explore(false, true, &calls);
	assert_int_equal(rec.irq_runs, 1);
	assert_int_equal(calls, 1); /* only a's first start */
	assert_string_equal(rec.order[0], "a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(hook_runs_at_each_switch_as_next),
	    cmocka_unit_test(hook_operations_are_not_preemption_points),
	    cmocka_unit_test(irq_return_is_no_switch),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
