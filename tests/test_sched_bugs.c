/*
 * test_sched_bugs.c - the findings of the sched layer (deadlock, sleep
 * in atomic, IRQ lock misuse, a lost wakeup, livelock), each found by
 * exploration and replayed to the identical report; the reports name this
 * file's lines. Keep the name short: the deadlock's message
 * (coh_finding.message, 256 bytes) names the file four times, and the ABBA
 * test asserts the text before the last one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/sched.h"
#include "sched_rig.h"

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
		assert_non_null(strstr(rep, "test_sched_bugs.c:"));
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
	assert_non_null(strstr(r.findings[0].key, "test_sched_bugs.c:"));
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
	assert_non_null(
	    strstr(rep, ", held by 'driver', which took it at tests/test_sched_bugs.c:"));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(abba_deadlock_found),
	    cmocka_unit_test(sleep_under_spinlock_found),
	    cmocka_unit_test(irq_takes_lock_without_irqsave_found),
	    cmocka_unit_test(lost_wakeup_found_and_wait_event_clean),
	    cmocka_unit_test(step_bound_is_livelock),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
