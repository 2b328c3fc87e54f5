/*
 * test_sched_iter.c - iterative bounding (coh_explore_config.iterative)
 * and the schedules by preemptions (coh_explore_result.bounds): the
 * shallowest finding first, rows that add up to a plain dfs at the last
 * bound, the same output for any --jobs, shards that add up, the stop
 * when no execution needs more preemptions, the budget across bounds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/sched.h"

#define VA 0x100000u

/* ntasks tasks, task i on CPU i % ncpus, each adds one to a shared
 * counter (racy unless locked); finish wants ntasks. */
struct prog {
	bool locked;
	unsigned ntasks;
	coh_spinlock lock;
};

static struct prog *cur;

static void body(void *arg)
{
	(void)arg;
	coh_machine *m = coh_sched_machine(coh_sched_current());
	unsigned cpu = coh_this_cpu();
	uint64_t v;
	if (cur->locked)
		coh_spin_lock(&cur->lock);
	coh_load(m, cpu, VA, 4, &v);
	coh_store(m, cpu, VA, 4, v + 1);
	if (cur->locked)
		coh_spin_unlock(&cur->lock);
}

static int setup(void *ctx, coh_sched *s)
{
	struct prog *p = ctx;
	coh_machine *m = coh_sched_machine(s);
	cur = p;
	coh_spin_lock_init(&p->lock, "lock");
	if (coh_map(m, COH_KERNEL_AS, VA, VA, coh_machine_page_size(m), COH_ATTR_WB))
		return -1;
	static const char *const names[] = {"t0", "t1", "t2", "t3"};
	for (unsigned i = 0; i < p->ntasks; i++)
		if (!coh_task_create(s, names[i], i % coh_machine_ncpus(m), body, NULL))
			return -1;
	return 0;
}

static void finish(void *ctx, coh_sched *s)
{
	struct prog *p = ctx;
	uint64_t v = 0;
	coh_load(coh_sched_machine(s), 0, VA, 4, &v);
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

static coh_explore_config dfs(int bound)
{
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_DFS;
	c.progress = false;
	c.budget = 0;
	c.preemptions = bound;
	return c;
}

static coh_explore_config iterative(unsigned from, int to)
{
	coh_explore_config c = dfs(to);
	c.iterative = true;
	c.preemptions_from = from;
	return c;
}

/* The whole result as text: the summary, every finding and every row. */
static char *text(const coh_explore_result *r)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	coh_explore_result_print(r, f);
	fprintf(f, "reached %d\n", r->bound_reached);
	for (size_t i = 0; i < r->nfindings; i++)
		fprintf(f, "finding %s at %llu, %u preemptions\n", r->findings[i].key,
		        (unsigned long long)r->findings[i].found_at, r->findings[i].preemptions);
	for (size_t b = 0; b < r->nbounds; b++)
		fprintf(f, "bound %u: %llu schedules, %llu findings, %s\n", r->bounds[b].bound,
		        (unsigned long long)r->bounds[b].schedules,
		        (unsigned long long)r->bounds[b].findings,
		        r->bounds[b].complete ? "complete" : "not complete");
	fclose(f);
	return buf;
}

static uint64_t row_sum(const coh_explore_result *r)
{
	uint64_t n = 0;
	for (size_t b = 0; b < r->nbounds; b++)
		n += r->bounds[b].schedules;
	return n;
}

/* ---- the shallowest finding first ---- */

static void iterative_finds_the_shallowest_finding_first(void **state)
{
	(void)state;
	struct prog p = {.ntasks = 3};
	coh_program prog = {"lu", &p, setup, finish};
	coh_machine_config m = mcfg(2);
	coh_explore_result plain, it, below;
	coh_explore_config c = dfs(3);
	assert_int_equal(coh_explore(&c, &m, &prog, &plain), 0);
	c = iterative(0, 3);
	assert_int_equal(coh_explore(&c, &m, &prog, &it), 0);
	assert_int_equal(plain.nfindings, 1);
	assert_int_equal(it.nfindings, 1);
	int b = it.bound_reached;
	assert_true(b >= 1); /* a lost update needs a preemption */
	assert_int_equal(it.findings[0].preemptions, (unsigned)b);
	assert_int_equal(it.nbounds, (size_t)b + 1);
	for (int i = 0; i < b; i++) { /* the lower bounds: complete, clean */
		assert_true(it.bounds[i].complete);
		assert_int_equal(it.bounds[i].findings, 0);
	}
	assert_false(it.bounds[b].complete);
	assert_int_equal(it.bounds[b].findings, 1);
	assert_false(it.complete);
	assert_int_equal(row_sum(&it), it.schedules);
	assert_int_equal(it.findings[0].found_at, it.schedules);
	char *t = text(&it);
	assert_non_null(strstr(t, "iterative bounding, reached bound 1: 0 complete ("));
	assert_non_null(strstr(t, ", 1 not complete ("));
	free(t);
	/* and nothing below b fails: a plain dfs at b - 1 is complete, clean */
	c = dfs(b - 1);
	assert_int_equal(coh_explore(&c, &m, &prog, &below), 0);
	assert_true(below.complete);
	assert_int_equal(below.nfindings, 0);
	assert_int_equal(it.schedules - it.bounds[b].schedules, below.schedules);
	coh_explore_result_free(&plain);
	coh_explore_result_free(&it);
	coh_explore_result_free(&below);
}

/* Two bugs: A needs one preemption early in t0, B two late in t0 (t1
 * sees y at 1, then at 2). dfs deviates at the deepest choices first, so a
 * plain dfs meets B first; iterative bounding meets A first. */
static int gx, gy;

static void t0_body(void *arg)
{
	(void)arg;
	gx = 1;
	coh_preempt_point();
	gx = 0;
	coh_preempt_point();
	gy = 1;
	coh_preempt_point();
	gy = 2;
}

static void t1_body(void *arg)
{
	(void)arg;
	coh_check *chk = coh_sched_check(coh_sched_current());
	int a = gx, b1 = gy;
	coh_preempt_point();
	int b2 = gy;
	if (a == 1)
		coh_check_report(chk, COH_F_EXPECT_FAILED, -1, "A: x seen at 1");
	if (b1 == 1 && b2 == 2)
		coh_check_report(chk, COH_F_EXPECT_FAILED, -1, "B: y seen at 1, then 2");
}

static int two_bugs_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	gx = gy = 0;
	if (!coh_task_create(s, "t0", 0, t0_body, NULL) ||
	    !coh_task_create(s, "t1", 1, t1_body, NULL))
		return -1;
	return 0;
}

static void plain_dfs_meets_the_deeper_bug_first(void **state)
{
	(void)state;
	coh_program prog = {"two-bugs", NULL, two_bugs_setup, NULL};
	coh_machine_config m = mcfg(2);
	coh_explore_result plain, it;
	coh_explore_config c = dfs(3);
	assert_int_equal(coh_explore(&c, &m, &prog, &plain), 0);
	c = iterative(0, 3);
	assert_int_equal(coh_explore(&c, &m, &prog, &it), 0);
	assert_int_equal(plain.nfindings, 1);
	assert_int_equal(it.nfindings, 1);
	assert_int_equal(plain.findings[0].preemptions, 2);
	assert_non_null(strstr(plain.findings[0].report, "B: y seen"));
	assert_int_equal(it.bound_reached, 1);
	assert_int_equal(it.findings[0].preemptions, 1);
	assert_non_null(strstr(it.findings[0].report, "A: x seen"));
	coh_explore_result_free(&plain);
	coh_explore_result_free(&it);
}

/* ---- rows that add up ---- */

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

/* keep_going to the last bound: the same schedules as a plain dfs at that
 * bound, each once, the same rows and the same findings */
static void iterative_adds_up_to_a_plain_run(void **state)
{
	(void)state;
	struct prog p = {.ntasks = 3};
	coh_program prog = {"lu", &p, setup, finish};
	coh_machine_config m = mcfg(2);
	struct seen a = {0}, b = {0};
	coh_explore_config c = dfs(2);
	c.keep_going = true;
	c.on_execution = collect;
	c.on_execution_arg = &a;
	coh_explore_result plain, it;
	assert_int_equal(coh_explore(&c, &m, &prog, &plain), 0);
	c = iterative(0, 2);
	c.keep_going = true;
	c.on_execution = collect;
	c.on_execution_arg = &b;
	assert_int_equal(coh_explore(&c, &m, &prog, &it), 0);
	assert_true(plain.complete);
	assert_true(it.complete);
	assert_int_equal(it.bound_reached, 2);
	assert_int_equal(it.schedules, plain.schedules);
	assert_int_equal(row_sum(&plain), plain.schedules);
	assert_int_equal(plain.nbounds, 3);
	assert_int_equal(it.nbounds, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(it.bounds[i].schedules, plain.bounds[i].schedules);
		assert_true(it.bounds[i].schedules > 0);
		assert_true(it.bounds[i].complete && plain.bounds[i].complete);
	}
	assert_int_equal(it.nfindings, plain.nfindings);
	for (size_t i = 0; i < it.nfindings; i++)
		assert_string_equal(it.findings[i].key, plain.findings[i].key);
	assert_int_equal(a.n, plain.schedules);
	assert_int_equal(b.n, it.schedules);
	qsort(a.s, a.n, sizeof(char *), cmp);
	qsort(b.s, b.n, sizeof(char *), cmp);
	for (size_t i = 0; i < a.n; i++) {
		assert_string_equal(a.s[i], b.s[i]);
		if (i)
			assert_true(strcmp(b.s[i - 1], b.s[i]) != 0); /* each once */
	}
	seen_free(&a);
	seen_free(&b);
	coh_explore_result_free(&plain);
	coh_explore_result_free(&it);
}

/* ---- --jobs and --shard ---- */

static void iterative_is_the_same_for_any_jobs_and_shards_add_up(void **state)
{
	(void)state;
	struct prog p = {.ntasks = 3};
	coh_program prog = {"lu", &p, setup, finish};
	coh_machine_config m = mcfg(2);
	for (int kg = 0; kg < 2; kg++) {
		coh_explore_config c = iterative(0, 2);
		c.keep_going = kg;
		coh_explore_result r1, r2;
		assert_int_equal(coh_explore(&c, &m, &prog, &r1), 0);
		c.jobs = 2;
		assert_int_equal(coh_explore(&c, &m, &prog, &r2), 0);
		char *t1 = text(&r1), *t2 = text(&r2);
		assert_string_equal(t1, t2);
		free(t1);
		free(t2);
		if (kg) { /* shards add up, row by row */
			uint64_t rows[3] = {0};
			c.jobs = 1;
			/* more shards than units of the bound-0 tree: some own none */
			c.shard_count = 8;
			for (unsigned s = 0; s < 8; s++) {
				coh_explore_result r;
				c.shard_index = s;
				assert_int_equal(coh_explore(&c, &m, &prog, &r), 0);
				assert_true(r.complete);
				for (size_t b = 0; b < r.nbounds && b < 3; b++)
					rows[b] += r.bounds[b].schedules;
				coh_explore_result_free(&r);
			}
			for (size_t b = 0; b < 3; b++)
				assert_int_equal(rows[b], r1.bounds[b].schedules);
		}
		coh_explore_result_free(&r1);
		coh_explore_result_free(&r2);
	}
}

/* ---- the end of the space, the budget, bad configs ---- */

/* with no last bound it stops at the first bound no execution needs,
 * complete: the executions of an unbounded dfs without sleep sets */
static void iterative_stops_where_no_execution_needs_more(void **state)
{
	(void)state;
	struct prog p = {.ntasks = 2, .locked = true};
	coh_program prog = {"locked", &p, setup, finish};
	coh_machine_config m = mcfg(2);
	coh_explore_config c = dfs(-1);
	c.por = false;
	coh_explore_result all, it;
	assert_int_equal(coh_explore(&c, &m, &prog, &all), 0);
	c = iterative(0, -1);
	assert_int_equal(coh_explore(&c, &m, &prog, &it), 0);
	assert_true(all.complete);
	assert_true(it.complete);
	assert_int_equal(it.nfindings, 0);
	assert_int_equal(it.schedules, all.schedules);
	int b = it.bound_reached;
	assert_true(b >= 2);
	assert_int_equal(it.bounds[b].schedules, 0); /* nothing needs b preemptions */
	assert_true(it.bounds[b - 1].schedules > 0);
	assert_int_equal(all.nbounds, (size_t)b); /* the most an execution needs: b - 1 */
	for (int i = 0; i < b; i++)
		assert_int_equal(it.bounds[i].schedules, all.bounds[i].schedules);
	coh_explore_result_free(&all);
	coh_explore_result_free(&it);
}

static void iterative_budget_covers_every_bound(void **state)
{
	(void)state;
	struct prog p = {.ntasks = 3};
	coh_program prog = {"lu", &p, setup, finish};
	coh_machine_config m = mcfg(2);
	coh_explore_config c = iterative(0, 3);
	c.keep_going = true;
	coh_explore_result full, cut;
	assert_int_equal(coh_explore(&c, &m, &prog, &full), 0);
	assert_true(full.nbounds >= 3);
	uint64_t budget = full.bounds[0].schedules + full.bounds[1].schedules + 3;
	c.budget = budget;
	assert_int_equal(coh_explore(&c, &m, &prog, &cut), 0);
	assert_int_equal(cut.schedules, budget);
	assert_false(cut.complete);
	assert_int_equal(cut.bound_reached, 2);
	assert_true(cut.bounds[0].complete && cut.bounds[1].complete);
	assert_false(cut.bounds[2].complete);
	assert_int_equal(cut.bounds[2].schedules, 3);
	coh_explore_result_free(&cut);
	/* iterative bounding is dfs's; a first bound above the last is wrong */
	c = iterative(0, 3);
	c.strategy = COH_STRATEGY_RANDOM;
	assert_int_equal(coh_explore(&c, &m, &prog, &cut), COH_EINVAL);
	coh_explore_result_free(&cut);
	c = iterative(3, 2);
	assert_int_equal(coh_explore(&c, &m, &prog, &cut), COH_EINVAL);
	coh_explore_result_free(&cut);
	/* starting above 0: the first bound counts every execution up to it */
	c = iterative(1, 2);
	c.keep_going = true;
	assert_int_equal(coh_explore(&c, &m, &prog, &cut), 0);
	assert_true(cut.complete);
	assert_int_equal(cut.nbounds, 3);
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(cut.bounds[i].schedules, full.bounds[i].schedules);
	coh_explore_result_free(&cut);
	coh_explore_result_free(&full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(iterative_finds_the_shallowest_finding_first),
	    cmocka_unit_test(plain_dfs_meets_the_deeper_bug_first),
	    cmocka_unit_test(iterative_adds_up_to_a_plain_run),
	    cmocka_unit_test(iterative_is_the_same_for_any_jobs_and_shards_add_up),
	    cmocka_unit_test(iterative_stops_where_no_execution_needs_more),
	    cmocka_unit_test(iterative_budget_covers_every_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
