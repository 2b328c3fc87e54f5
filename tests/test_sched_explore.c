/*
 * test_sched_explore.c - the explorer as a whole: determinism of output,
 * --jobs, --shard covering the dfs space exactly, sleep-set savings,
 * schedule strings, keep-going dedup.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/sched.h"
#include "sched/sched_impl.h"

#define VA 0x100000u

struct prog {
	bool locked;
	unsigned ntasks;
	unsigned stride; /* bytes between the tasks' counters; 0 = one shared counter */
	coh_spinlock lock;
};

struct targ {
	struct prog *p;
	unsigned i;
};
static struct targ targs[4];

static void body(void *arg)
{
	struct targ *a = arg;
	struct prog *p = a->p;
	coh_sched *s = coh_sched_current();
	coh_machine *m = coh_sched_machine(s);
	unsigned cpu = coh_this_cpu();
	coh_addr_t va = VA + a->i * p->stride;
	uint64_t v;
	if (p->locked)
		coh_spin_lock(&p->lock);
	coh_load(m, cpu, va, 4, &v);
	coh_store(m, cpu, va, 4, v + 1);
	if (p->locked)
		coh_spin_unlock(&p->lock);
}

static int setup(void *ctx, coh_sched *s)
{
	struct prog *p = ctx;
	coh_machine *m = coh_sched_machine(s);
	coh_spin_lock_init(&p->lock, "lock");
	if (coh_map(m, COH_KERNEL_AS, VA, VA, coh_machine_page_size(m), COH_ATTR_WB))
		return -1;
	static const char *const names[] = {"t0", "t1", "t2", "t3"};
	for (unsigned i = 0; i < p->ntasks; i++) {
		targs[i] = (struct targ){p, i};
		if (!coh_task_create(s, names[i], i % coh_machine_ncpus(m), body, &targs[i]))
			return -1;
	}
	return 0;
}

static void finish(void *ctx, coh_sched *s)
{
	struct prog *p = ctx;
	coh_machine *m = coh_sched_machine(s);
	if (p->stride) {
		for (unsigned i = 0; i < p->ntasks; i++) {
			uint64_t v = 0;
			coh_load(m, 0, VA + i * p->stride, 4, &v);
			if (v != 1)
				coh_check_report(coh_sched_check(s), COH_F_EXPECT_FAILED, -1,
				                 "counter %u is %llu", i, (unsigned long long)v);
		}
		return;
	}
	uint64_t v = 0;
	coh_load(m, 0, VA, 4, &v);
	if (v != p->ntasks)
		coh_check_report(coh_sched_check(s), COH_F_EXPECT_FAILED, -1,
		                 "counter is %llu after %u increments", (unsigned long long)v,
		                 p->ntasks);
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
	c.budget = st == COH_STRATEGY_DFS ? 0 : 500;
	return c;
}

static char *run_to_string(const coh_explore_config *c, const coh_machine_config *m,
                           const coh_program *p, int *rc)
{
	coh_explore_result r;
	*rc = coh_explore(c, m, p, &r);
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	coh_explore_result_print(&r, f);
	fclose(f);
	coh_explore_result_free(&r);
	return buf;
}

static void same_seed_same_output(void **state)
{
	(void)state;
	struct prog p = {.ntasks = 3};
	coh_program prog = {"lu", &p, setup, finish};
	coh_machine_config m = mcfg(2);
	for (int st = COH_STRATEGY_RANDOM; st <= COH_STRATEGY_DFS; st++) {
		coh_explore_config c = ecfg((enum coh_strategy)st);
		c.seed = 42;
		c.keep_going = true;
		c.preemptions = 2;
		int rc1, rc2;
		char *a = run_to_string(&c, &m, &prog, &rc1);
		char *b = run_to_string(&c, &m, &prog, &rc2);
		assert_int_equal(rc1, 0);
		assert_int_equal(rc2, 0);
		assert_string_equal(a, b);
		assert_non_null(strstr(a, "counter is"));
		free(a);
		free(b);
	}
}

static void jobs_2_gives_the_output_of_jobs_1(void **state)
{
	(void)state;
	struct prog p = {.ntasks = 3};
	coh_program prog = {"lu", &p, setup, finish};
	coh_machine_config m = mcfg(2);
	for (int st = COH_STRATEGY_RANDOM; st <= COH_STRATEGY_PCT; st++) {
		for (int kg = 0; kg < 2; kg++) {
			coh_explore_config c = ecfg((enum coh_strategy)st);
			c.keep_going = kg;
			int rc1, rc2;
			char *a = run_to_string(&c, &m, &prog, &rc1);
			c.jobs = 2;
			char *b = run_to_string(&c, &m, &prog, &rc2);
			assert_int_equal(rc1, 0);
			assert_int_equal(rc2, 0);
			assert_string_equal(a, b);
			free(a);
			free(b);
		}
	}
}

/* ---- shards ---- */

struct seen {
	char **s;
	size_t n, cap;
};

static void collect(void *arg, const char *schedule, bool failed)
{
	struct seen *x = arg;
	(void)failed;
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 64;
		x->s = realloc(x->s, x->cap * sizeof(*x->s));
	}
	x->s[x->n++] = strdup(schedule);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void seen_free(struct seen *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->s[i]);
	free(x->s);
}

/* dfs units are the bound-0 executions and the subtrees under each costly
 * deviation from them: 4 shards split a bounded space into near-equal parts
 * that add up to the whole; they add up for unbounded dfs with sleep sets
 * too (whose shards must compute the unsharded run's sleep sets). */
static void dfs_shards_are_balanced_and_add_up(void **state)
{
	(void)state;
	struct prog p = {.locked = false, .ntasks = 3};
	coh_program prog = {"racy", &p, setup, finish};
	coh_machine_config m = mcfg(2);
	for (int bound = 2; bound >= -1; bound -= 3) {
		coh_explore_config c = ecfg(COH_STRATEGY_DFS);
		c.preemptions = bound;
		c.keep_going = true;
		coh_explore_result r;
		assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
		assert_true(r.complete);
		uint64_t total = r.schedules, pruned = r.pruned, sum = 0, spruned = 0, max = 0;
		coh_explore_result_free(&r);
		assert_true(total > 100);
		for (unsigned i = 0; i < 4; i++) {
			c.shard_index = i;
			c.shard_count = 4;
			assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
			assert_true(r.complete);
			sum += r.schedules;
			spruned += r.pruned;
			max = r.schedules > max ? r.schedules : max;
			coh_explore_result_free(&r);
		}
		assert_int_equal(sum, total);
		assert_int_equal(spruned, pruned);
		if (bound >= 0) /* unbounded, a deviation's subtree is not smaller */
			assert_true(max * 4 * 2 <= total * 3); /* at most 1.5 x total / 4 */
	}
}

static void shard_halves_cover_the_dfs_space_exactly(void **state)
{
	(void)state;
	struct prog p = {.locked = true, .ntasks = 3};
	coh_program prog = {"locked", &p, setup, finish};
	coh_machine_config m = mcfg(2);
	coh_explore_config c = ecfg(COH_STRATEGY_DFS);
	c.preemptions = 2;
	c.on_execution = collect;
	struct seen whole = {0}, halves = {0};
	coh_explore_result r;
	c.on_execution_arg = &whole;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_true(r.complete);
	uint64_t total = r.schedules;
	coh_explore_result_free(&r);
	assert_int_equal(whole.n, total);
	assert_true(total > 20);
	uint64_t sum = 0;
	for (unsigned i = 0; i < 2; i++) {
		c.shard_index = i;
		c.shard_count = 2;
		c.on_execution_arg = &halves;
		size_t before = halves.n;
		assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
		assert_true(r.complete);
		assert_true(r.schedules > 0 && r.schedules < total);
		assert_int_equal(halves.n - before, r.schedules);
		sum += r.schedules;
		coh_explore_result_free(&r);
	}
	assert_int_equal(sum, total);
	qsort(whole.s, whole.n, sizeof(char *), cmp);
	qsort(halves.s, halves.n, sizeof(char *), cmp);
	for (size_t i = 0; i < whole.n; i++) {
		assert_string_equal(whole.s[i], halves.s[i]);
		if (i)
			assert_true(strcmp(whole.s[i - 1], whole.s[i]) != 0); /* no duplicates */
	}
	seen_free(&whole);
	seen_free(&halves);
}

static void shard_parse(void **state)
{
	(void)state;
	unsigned i, n;
	assert_int_equal(coh_shard_parse("0/2", &i, &n), 0);
	assert_int_equal(i, 0);
	assert_int_equal(n, 2);
	assert_int_equal(coh_shard_parse("3/4", &i, &n), 0);
	assert_int_equal(coh_shard_parse("4/4", &i, &n), COH_EINVAL);
	assert_int_equal(coh_shard_parse("1/0", &i, &n), COH_EINVAL);
	assert_int_equal(coh_shard_parse("x/2", &i, &n), COH_EINVAL);
	assert_int_equal(coh_shard_parse("1/2x", &i, &n), COH_EINVAL);
}

/* ---- sleep sets ---- */

static void sleep_sets_prune_and_keep_every_outcome(void **state)
{
	(void)state;
	/* three tasks on three CPUs, each on its own cache line: every
	 * interleaving is equivalent */
	struct prog p = {.ntasks = 3, .stride = 256};
	coh_program prog = {"indep", &p, setup, finish};
	coh_machine_config m = mcfg(3);
	coh_explore_config c = ecfg(COH_STRATEGY_DFS);
	c.preemptions = -1;
	coh_explore_result with, without;
	assert_int_equal(coh_explore(&c, &m, &prog, &with), 0);
	c.por = false;
	assert_int_equal(coh_explore(&c, &m, &prog, &without), 0);
	assert_true(with.complete);
	assert_true(without.complete);
	assert_int_equal(with.nfindings, 0);
	assert_int_equal(without.nfindings, 0);
	assert_true(with.schedules * 4 < without.schedules);
	fprintf(stderr, "sleep sets: %llu schedules (+%llu cut) instead of %llu\n",
	        (unsigned long long)with.schedules, (unsigned long long)with.pruned,
	        (unsigned long long)without.schedules);
	coh_explore_result_free(&with);
	coh_explore_result_free(&without);

	/* a shared counter: the race is still found, and every distinct
	 * final value is still reached */
	struct prog q = {.ntasks = 3};
	coh_program prog2 = {"lu", &q, setup, finish};
	c.keep_going = true;
	c.por = true;
	assert_int_equal(coh_explore(&c, &m, &prog2, &with), 0);
	c.por = false;
	assert_int_equal(coh_explore(&c, &m, &prog2, &without), 0);
	assert_true(with.complete && without.complete);
	assert_int_equal(with.nfindings, without.nfindings);
	assert_true(with.schedules <= without.schedules);
	coh_explore_result_free(&with);
	coh_explore_result_free(&without);
}

/* ---- schedule strings ---- */

static void schedule_strings_round_trip_and_reject_garbage(void **state)
{
	(void)state;
	struct coh__recorded rec[] = {{0, 2, 0}, {0, 2, 0}, {0, 3, 1},
	                              {0, 3, 2}, {1, 4, 0}, {0, 2, 1}};
	struct coh__sched_flags fl = {.evictions = true, .faults = 3, .max_steps = 500};
	char *s = coh__schedule_encode(rec, 6, &fl);
	assert_string_equal(s, "v1ef3s500:2,0=2,1");
	struct coh__deviation *d;
	size_t n;
	struct coh__sched_flags out;
	assert_int_equal(coh__schedule_parse(s, &d, &n, &out), 0);
	assert_int_equal(n, 3);
	assert_int_equal(d[0].idx, 2);
	assert_int_equal(d[1].idx, 3);
	assert_int_equal(d[1].value, 2);
	assert_int_equal(d[2].idx, 5);
	assert_true(out.evictions);
	assert_true(out.speculation); /* 'e' implies the fills at I/O completions */
	assert_int_equal(out.faults, 3);
	assert_int_equal(out.max_steps, 500);
	assert_int_equal(out.max_evictions, 0);
	free(d);
	free(s);
	/* an eviction bound travels with the schedule */
	fl.max_evictions = 2;
	s = coh__schedule_encode(rec, 6, &fl);
	assert_string_equal(s, "v1e2f3s500:2,0=2,1");
	assert_int_equal(coh__schedule_parse(s, &d, &n, &out), 0);
	assert_int_equal(out.max_evictions, 2);
	free(d);
	free(s);
	/* speculative fills alone: 'p' */
	fl = (struct coh__sched_flags){.speculation = true, .max_steps = COH__DEFAULT_MAX_STEPS};
	s = coh__schedule_encode(rec, 6, &fl);
	assert_string_equal(s, "v1p:2,0=2,1");
	assert_int_equal(coh__schedule_parse(s, &d, &n, &out), 0);
	assert_true(out.speculation);
	assert_false(out.evictions);
	free(d);
	free(s);
	const char *bad[] = {"",       "v2:",   "v1",   "v1:x",     "v1:1,",
	                     "v1:1=0", "v1:,1", "v1f:", "v1:1=2=3", "v1e0:"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(coh__schedule_parse(bad[i], &d, &n, &out), COH_EINVAL);
	/* and through the API: a bad schedule is COH_EINVAL, not a crash */
	struct prog p = {.ntasks = 2};
	coh_program prog = {"lu", &p, setup, finish};
	coh_machine_config m = mcfg(2);
	coh_explore_config c = ecfg(COH_STRATEGY_REPLAY);
	c.schedule = "v1:zz";
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), COH_EINVAL);
	coh_explore_result_free(&r);
	/* the all-default run of a race is clean */
	c.schedule = "v1:";
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_int_equal(r.nfindings, 0);
	coh_explore_result_free(&r);
}

/* ---- evictions: the choices exist, are recorded and replay ---- */

static void random_with_evictions_replays(void **state)
{
	(void)state;
	struct prog p = {.ntasks = 2};
	coh_program prog = {"lu", &p, setup, finish};
	coh_machine_config m = mcfg(2);
	coh_explore_config c = ecfg(COH_STRATEGY_RANDOM);
	c.evictions = 1;
	c.evict_one_in = 2;
	c.shrink = false;
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
	assert_int_equal(r.nfindings, 1);
	assert_true(strncmp(r.findings[0].schedule, "v1e:", 4) == 0);
	coh_explore_config rc = ecfg(COH_STRATEGY_REPLAY);
	rc.schedule = r.findings[0].schedule;
	coh_explore_result rr;
	assert_int_equal(coh_explore(&rc, &m, &prog, &rr), 0);
	assert_int_equal(rr.nfindings, 1);
	assert_string_equal(rr.findings[0].report, r.findings[0].report);
	coh_explore_result_free(&rr);
	coh_explore_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(same_seed_same_output),
	    cmocka_unit_test(jobs_2_gives_the_output_of_jobs_1),
	    cmocka_unit_test(shard_halves_cover_the_dfs_space_exactly),
	    cmocka_unit_test(dfs_shards_are_balanced_and_add_up),
	    cmocka_unit_test(shard_parse),
	    cmocka_unit_test(sleep_sets_prune_and_keep_every_outcome),
	    cmocka_unit_test(schedule_strings_round_trip_and_reject_garbage),
	    cmocka_unit_test(random_with_evictions_replays),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
