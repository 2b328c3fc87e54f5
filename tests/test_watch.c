/*
 * test_watch.c - the explorer's watcher (coh_watcher): every in-process
 * execution is seen from begin to end, each machine event once, complete,
 * in order and with who did it, sync steps and exits named after the events
 * before them, the findings readable at the end, and nothing seen across
 * --jobs worker processes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/sched.h"

#define VA 0x100000u

static coh_spinlock lock;

static void body(void *arg)
{
	(void)arg;
	coh_sched *s = coh_sched_current();
	coh_machine *m = coh_sched_machine(s);
	uint64_t v;
	coh_spin_lock(&lock);
	coh_load(m, coh_this_cpu(), VA, 4, &v);
	coh_store(m, coh_this_cpu(), VA, 4, v + 1);
	coh_spin_unlock(&lock);
}

static int setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	coh_machine *m = coh_sched_machine(s);
	coh_spin_lock_init(&lock, "lock");
	if (coh_map(m, COH_KERNEL_AS, VA, VA, coh_machine_page_size(m), COH_ATTR_WB))
		return -1;
	if (!coh_task_create(s, "a", 0, body, NULL) || !coh_task_create(s, "b", 0, body, NULL))
		return -1;
	return 0;
}

static void finish(void *ctx, coh_sched *s)
{
	(void)ctx;
	coh_check_report(coh_sched_check(s), COH_F_EXPECT_FAILED, -1, "always");
}

struct seen {
	unsigned begins, ends, steps, exits, locks, findings;
	unsigned events, host_events, by_a, by_b, loads_complete;
	uint64_t last_no;
	const char *last_by; /* who made the last event */
	bool in_order;       /* the default schedule: no switch before an exit */
};

static void w_begin(void *arg)
{
	struct seen *w = arg;
	w->begins++;
	w->last_no = 0;
	w->last_by = NULL;
}

static void w_step(void *arg, const coh_watch_who *who, const char *op, const char *obj,
                   const char *file, unsigned line)
{
	struct seen *w = arg;
	assert_non_null(who);
	assert_int_equal(who->cpu, 0);
	assert_int_equal(who->ctx, COH_CTX_PROCESS);
	w->steps++;
	if (strcmp(op, "exit") == 0) {
		/* a task's exit comes after its own last events */
		if (w->in_order) {
			assert_non_null(w->last_by);
			assert_string_equal(w->last_by, who->name);
		}
		w->exits++;
	}
	if (strcmp(op, "spin_lock") == 0) {
		assert_string_equal(obj, "lock");
		assert_non_null(strstr(file, "test_watch.c"));
		assert_true(line > 0);
		w->locks++;
	}
}

static void w_event(void *arg, const coh_event *ev, const coh_watch_who *who)
{
	struct seen *w = arg;
	assert_int_equal(ev->no, w->last_no + 1); /* once each, in order */
	w->last_no = ev->no;
	w->events++;
	w->last_by = who ? who->name : NULL;
	if (ev->kind == COH_EV_LOAD && ev->pa == VA)
		w->loads_complete++; /* its PA filled in by the time we see it */
	if (!who)
		w->host_events++;
	else if (strcmp(who->name, "a") == 0)
		w->by_a++;
	else if (strcmp(who->name, "b") == 0)
		w->by_b++;
}

static void w_end(void *arg, coh_sched *s)
{
	struct seen *w = arg;
	w->ends++;
	w->findings += (unsigned)coh_check_count(coh_sched_check(s));
}

static void run(struct seen *w, enum coh_strategy st, unsigned jobs, const char *schedule)
{
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("xscale"));
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = st;
	cfg.schedule = schedule;
	cfg.jobs = jobs;
	cfg.progress = false;
	cfg.keep_going = true;
	coh_watcher wt = {w, w_begin, w_step, w_event, w_end};
	cfg.watch = &wt;
	coh_program prog = {"watch", NULL, setup, finish};
	coh_explore_result res;
	assert_int_equal(coh_explore(&cfg, &mc, &prog, &res), 0);
	coh_explore_result_free(&res);
}

static void watch_replay_sees_one_execution_with_its_contexts(void **state)
{
	(void)state;
	struct seen w = {.in_order = true};
	run(&w, COH_STRATEGY_REPLAY, 1, "v1:");
	assert_true(w.begins >= 1);
	assert_int_equal(w.begins, w.ends);
	/* the last execution: each task locks once and exits */
	assert_int_equal(w.locks, 2 * w.begins);
	assert_int_equal(w.exits, 2 * w.begins);
	assert_true(w.by_a > 0 && w.by_b > 0);
	assert_true(w.host_events > 0); /* the map in setup */
	assert_true(w.loads_complete >= 2);
	assert_true(w.findings >= 1);
}

static void watch_sees_every_execution_in_process(void **state)
{
	(void)state;
	struct seen w = {0};
	run(&w, COH_STRATEGY_DFS, 1, NULL);
	assert_true(w.begins > 1);
	assert_int_equal(w.begins, w.ends);
}

static void watch_is_not_called_from_worker_processes(void **state)
{
	(void)state;
	struct seen w = {0};
	run(&w, COH_STRATEGY_DFS, 2, NULL);
	assert_int_equal(w.begins, 0);
	assert_int_equal(w.events, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(watch_replay_sees_one_execution_with_its_contexts),
	    cmocka_unit_test(watch_sees_every_execution_in_process),
	    cmocka_unit_test(watch_is_not_called_from_worker_processes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
