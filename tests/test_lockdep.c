/*
 * test_lockdep.c - lock classes: the IRQ-safe/unsafe rule and the lock
 * order, each found on a schedule that does not deadlock (lockdep off, the
 * same program explores clean and complete), with both sides' call chains
 * in the text and in the JSON (lock_sides); the order of mutexes and
 * rw_semaphores as well as spinlocks; a trylock adds no order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/sched.h"

static coh_machine_config mcfg(void)
{
	coh_machine_config c;
	coh_machine_config_init(&c, NULL);
	c.ncpus = 1;
	return c;
}

static coh_explore_result explore(coh_program *prog, bool lockdep)
{
	coh_machine_config m = mcfg();
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_DFS;
	c.budget = 0;
	c.progress = false;
	c.lockdep = lockdep;
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &m, prog, &r), 0);
	return r;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing \"%s\" in:\n%s", needle, hay);
}

/* ---- IRQ-safe and IRQ-unsafe: the task takes the lock with IRQs on and
 * lets it go before it raises the IRQ whose handler takes it ---- */

struct irq_rig {
	coh_spinlock lock;
};

static void handler_takes_lock(unsigned irq, void *arg)
{
	COH_FRAME();
	struct irq_rig *x = arg;
	(void)irq;
	coh_spin_lock(&x->lock);
	coh_spin_unlock(&x->lock);
}

static void task_takes_lock_irqs_on(void *arg)
{
	COH_FRAME();
	struct irq_rig *x = arg;
	coh_spin_lock(&x->lock);
	coh_spin_unlock(&x->lock);
	coh_irq_raise(coh_sched_current(), 2, 0);
}

static int irq_setup(void *ctx, coh_sched *s)
{
	struct irq_rig *x = ctx;
	coh_spin_lock_init(&x->lock, "rx_lock");
	if (coh_request_irq(s, 2, handler_takes_lock, x, "rx_irq"))
		return -1;
	return coh_task_create(s, "driver", 0, task_takes_lock_irqs_on, x) ? 0 : -1;
}

static void irq_safe_and_unsafe_use_is_an_inversion_without_deadlock(void **state)
{
	(void)state;
	struct irq_rig x;
	coh_program prog = {"irq-unsafe", &x, irq_setup, NULL};
	/* no schedule of this program deadlocks */
	coh_explore_result r = explore(&prog, false);
	assert_int_equal(r.nfindings, 0);
	assert_true(r.complete);
	coh_explore_result_free(&r);
	/* lockdep sees the rule broken on the first schedule */
	r = explore(&prog, true);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_LOCK_INVERSION);
	assert_int_equal(r.findings[0].found_at, 1);
	const char *t = r.findings[0].report;
	assert_contains(t, "BUG: cohsim: lock-inversion");
	assert_contains(t, "'rx_lock' is taken in hardirq context (task rx_irq");
	assert_contains(t, "{IN-HARDIRQ} -> {HARDIRQ-ON} usage");
	/* both sides, each with its chain */
	assert_contains(t, "{IN-HARDIRQ} taken in hardirq: task rx_irq (hardirq context) on cpu0");
	assert_contains(t, "    handler_takes_lock  ");
	assert_contains(t, "{HARDIRQ-ON} taken with hardirqs on: task driver (process context)");
	assert_contains(t, "    task_takes_lock_irqs_on  ");
	assert_contains(r.findings[0].json, "\"kind\":\"lock-inversion\"");
	coh_explore_result_free(&r);
}

/* ---- ABBA: one task nests A then B; the other, after it, B then A ---- */

struct abba_rig {
	coh_spinlock a, b;
	coh_completion first_done;
	bool same_order; /* the second task too takes A then B */
};

static void take_a_then_b(void *arg)
{
	COH_FRAME();
	struct abba_rig *x = arg;
	coh_spin_lock(&x->a);
	coh_spin_lock(&x->b);
	coh_spin_unlock(&x->b);
	coh_spin_unlock(&x->a);
	coh_complete(&x->first_done);
}

static void take_b_then_a(void *arg)
{
	COH_FRAME();
	struct abba_rig *x = arg;
	coh_wait_for_completion(&x->first_done);
	coh_spinlock *outer = x->same_order ? &x->a : &x->b;
	coh_spinlock *inner = x->same_order ? &x->b : &x->a;
	coh_spin_lock(outer);
	coh_spin_lock(inner);
	coh_spin_unlock(inner);
	coh_spin_unlock(outer);
}

static int abba_setup(void *ctx, coh_sched *s)
{
	struct abba_rig *x = ctx;
	coh_spin_lock_init(&x->a, "lock_a");
	coh_spin_lock_init(&x->b, "lock_b");
	coh_init_completion(&x->first_done, "first_done");
	if (!coh_task_create(s, "ab", 0, take_a_then_b, x))
		return -1;
	return coh_task_create(s, "ba", 0, take_b_then_a, x) ? 0 : -1;
}

static void abba_order_is_an_inversion_without_deadlock(void **state)
{
	(void)state;
	struct abba_rig x = {.same_order = false};
	coh_program prog = {"abba", &x, abba_setup, NULL};
	coh_explore_result r = explore(&prog, false);
	assert_int_equal(r.nfindings, 0);
	assert_true(r.complete);
	coh_explore_result_free(&r);
	r = explore(&prog, true);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_LOCK_INVERSION);
	assert_int_equal(r.findings[0].found_at, 1);
	const char *t = r.findings[0].report;
	assert_contains(t, "possible circular locking dependency: task ba takes 'lock_a' while "
	                   "holding 'lock_b'");
	assert_contains(t, "'lock_a' -> 'lock_b' was first taken by: task ab (process context)");
	assert_contains(t, "    take_a_then_b  ");
	assert_contains(t, "now: task ba (process context)");
	assert_contains(t, "    take_b_then_a  ");
	coh_explore_result_free(&r);
}

/* Nesting in one order only is clean. */
static void one_order_is_clean(void **state)
{
	(void)state;
	struct abba_rig x = {.same_order = true};
	coh_program prog = {"abab", &x, abba_setup, NULL};
	coh_explore_result r = explore(&prog, true);
	assert_int_equal(r.nfindings, 0);
	assert_true(r.complete);
	coh_explore_result_free(&r);
}

/* ---- sleeping locks: mutexes and rw_semaphores are ordered too ---- */

enum sleeping_mode {
	MUTEX_ABBA,    /* ab: A then B; ba, after it: B then A */
	MUTEX_SAME,    /* both A then B */
	RWSEM_ABBA,    /* ab: read A, write B; ba: read B, read A */
	MUTEX_TRYLOCK, /* ba: B, then trylock A */
};

struct sleeping_rig {
	coh_mutex a, b;
	coh_rwsem ra, rb;
	coh_completion first_done;
	enum sleeping_mode mode;
};

static void sleeping_a_then_b(void *arg)
{
	COH_FRAME();
	struct sleeping_rig *x = arg;
	if (x->mode == RWSEM_ABBA) {
		coh_down_read(&x->ra);
		coh_down_write(&x->rb);
		coh_up_write(&x->rb);
		coh_up_read(&x->ra);
	} else {
		coh_mutex_lock(&x->a);
		coh_mutex_lock(&x->b);
		coh_mutex_unlock(&x->b);
		coh_mutex_unlock(&x->a);
	}
	coh_complete(&x->first_done);
}

static void sleeping_b_then_a(void *arg)
{
	COH_FRAME();
	struct sleeping_rig *x = arg;
	coh_wait_for_completion(&x->first_done);
	switch (x->mode) {
	case RWSEM_ABBA:
		coh_down_read(&x->rb);
		coh_down_read(&x->ra);
		coh_up_read(&x->ra);
		coh_up_read(&x->rb);
		break;
	case MUTEX_SAME:
		coh_mutex_lock(&x->a);
		coh_mutex_lock(&x->b);
		coh_mutex_unlock(&x->b);
		coh_mutex_unlock(&x->a);
		break;
	case MUTEX_TRYLOCK:
		coh_mutex_lock(&x->b);
		if (coh_mutex_trylock(&x->a))
			coh_mutex_unlock(&x->a);
		coh_mutex_unlock(&x->b);
		break;
	case MUTEX_ABBA:
		coh_mutex_lock(&x->b);
		coh_mutex_lock(&x->a);
		coh_mutex_unlock(&x->a);
		coh_mutex_unlock(&x->b);
		break;
	}
}

static int sleeping_setup(void *ctx, coh_sched *s)
{
	struct sleeping_rig *x = ctx;
	coh_mutex_init(&x->a, "mutex_a");
	coh_mutex_init(&x->b, "mutex_b");
	coh_init_rwsem(&x->ra, "sem_a");
	coh_init_rwsem(&x->rb, "sem_b");
	coh_init_completion(&x->first_done, "first_done");
	if (!coh_task_create(s, "ab", 0, sleeping_a_then_b, x))
		return -1;
	return coh_task_create(s, "ba", 0, sleeping_b_then_a, x) ? 0 : -1;
}

static void mutex_abba_is_an_inversion_with_both_sides_in_json(void **state)
{
	(void)state;
	struct sleeping_rig x = {.mode = MUTEX_ABBA};
	coh_program prog = {"mutex-abba", &x, sleeping_setup, NULL};
	coh_explore_result r = explore(&prog, false);
	assert_int_equal(r.nfindings, 0); /* the completion orders them: no deadlock */
	assert_true(r.complete);
	coh_explore_result_free(&r);
	r = explore(&prog, true);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_LOCK_INVERSION);
	assert_int_equal(r.findings[0].found_at, 1);
	const char *t = r.findings[0].report;
	assert_contains(t, "possible circular locking dependency: task ba takes 'mutex_a' while "
	                   "holding 'mutex_b'");
	assert_contains(t, "'mutex_a' -> 'mutex_b' was first taken by: task ab (process context)");
	assert_contains(t, "    sleeping_a_then_b  ");
	assert_contains(t, "    sleeping_b_then_a  ");
	/* the JSON has both sides, each with its lock, the one held, and the chain */
	const char *j = r.findings[0].json;
	assert_contains(j, "\"lock_sides\":[{\"what\":\"now\",\"lock\":\"mutex_a\","
	                   "\"held\":\"mutex_b\",\"task\":\"ba\",\"context\":\"process\","
	                   "\"cpu\":0,\"file\":");
	assert_contains(j, "\"stack\":[{\"func\":\"sleeping_b_then_a\"");
	assert_contains(j, "{\"what\":\"'mutex_a' -> 'mutex_b' was first taken by\","
	                   "\"lock\":\"mutex_b\",\"held\":\"mutex_a\",\"task\":\"ab\"");
	assert_contains(j, "\"stack\":[{\"func\":\"sleeping_a_then_b\"");
	coh_explore_result_free(&r);
}

static void rwsem_abba_is_an_inversion(void **state)
{
	(void)state;
	struct sleeping_rig x = {.mode = RWSEM_ABBA};
	coh_program prog = {"rwsem-abba", &x, sleeping_setup, NULL};
	coh_explore_result r = explore(&prog, true);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_LOCK_INVERSION);
	assert_contains(r.findings[0].report, "task ba takes 'sem_a' while holding 'sem_b'");
	coh_explore_result_free(&r);
}

/* One order of mutexes, and a trylock against the order, are clean. */
static void mutex_one_order_or_a_trylock_is_clean(void **state)
{
	(void)state;
	static const enum sleeping_mode modes[] = {MUTEX_SAME, MUTEX_TRYLOCK};
	for (size_t i = 0; i < 2; i++) {
		struct sleeping_rig x = {.mode = modes[i]};
		coh_program prog = {"mutex-clean", &x, sleeping_setup, NULL};
		coh_explore_result r = explore(&prog, true);
		if (r.nfindings)
			fail_msg("mode %d: %s", (int)modes[i], r.findings[0].report);
		assert_true(r.complete);
		coh_explore_result_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(irq_safe_and_unsafe_use_is_an_inversion_without_deadlock),
	    cmocka_unit_test(abba_order_is_an_inversion_without_deadlock),
	    cmocka_unit_test(one_order_is_clean),
	    cmocka_unit_test(mutex_abba_is_an_inversion_with_both_sides_in_json),
	    cmocka_unit_test(rwsem_abba_is_an_inversion),
	    cmocka_unit_test(mutex_one_order_or_a_trylock_is_clean),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
