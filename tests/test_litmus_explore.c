/*
 * test_litmus_explore.c - litmus threads run through the explorer
 * (coh_litmus_program): a race is found by dfs, random and pct; a clean
 * threaded test is `complete` under dfs; every found schedule replays to the
 * byte-identical report; the same seed gives the same result; dfs shards 0/2
 * and 1/2 together run exactly the schedules of the whole; an op the machine
 * rejects in one interleaving is a `bug` finding; the all-default schedule is
 * the sequential run; a test without threads is one execution.
 */
#include "litmus_rig.h"

/* ---- threads through the explorer ---- */

/* Thread a's store can be overwritten by b's before a reads it back. */
static const char lost_update[] =
    "arch cortex-a9\ncpus 2\nmap 0xc0000000 0x100000 0x1000\nstore 0xc0000000 u32 0\n"
    "thread a cpu0\nstore 0xc0000000 u32 1\nload 0xc0000000 u32 expect 1\nend\n"
    "thread b cpu1\nstore 0xc0000000 u32 2\nend\n";

/* The device reads a buffer cleaned before it started while the driver
 * fills the next one: clean in every interleaving. Three threads. */
static const char double_buffer[] =
    "arch arm926\nmap 0xc0000000 0x100000 0x1000\nload 0xc0000000 u32\n"
    "load 0xc0000040 u32\nstore 0xc0000000 u32 0x12345678\nclean 0xc0000000 32\n"
    "thread driver cpu0\nstore 0xc0000040 u32 0x9abcdef0\nclean 0xc0000040 32\nend\n"
    "thread dev cpu0\ndma-read 0x100000 32\nend\n"
    "thread dev2 cpu0\ndma-read 0x100000 16\nend\n";

static void race_is_found_by_dfs_random_and_pct(void **state)
{
	(void)state;
	coh_litmus *lt = parse_text(lost_update);
	/* file order (the all-default schedule) is clean: it takes a preemption */
	struct outcome seq = {0};
	run_litmus(lt, NULL, &seq);
	assert_int_equal(seq.nfindings, 0);
	free(seq.text);
	const enum coh_strategy strategies[] = {COH_STRATEGY_DFS, COH_STRATEGY_RANDOM,
	                                        COH_STRATEGY_PCT};
	for (size_t i = 0; i < 3; i++) {
		coh_explore_config c = explore_cfg(strategies[i]);
		coh_explore_result r = explore(lt, &c);
		if (result_kinds(&r) != kind_bit(COH_F_EXPECT_FAILED))
			fail_msg("%s: kinds 0x%x", coh_strategy_name(strategies[i]),
			         result_kinds(&r));
		assert_int_equal(r.nfindings, 1);
		assert_false(r.complete);
		assert_true(r.schedules >= 2);
		const char *rep = r.findings[0].report;
		assert_non_null(strstr(rep, "(line 7)")); /* a's load */
		assert_non_null(strstr(rep, "cpu1/b"));   /* thread names are actors */
		assert_non_null(strstr(rep, "task 'a'")); /* the timeline */
		assert_non_null(strstr(r.findings[0].json, "\"line\":7"));
		assert_replays(lt, &r);
		coh_explore_result_free(&r);
	}
	coh_litmus_free(lt);
}

static void clean_threads_are_complete_under_dfs(void **state)
{
	(void)state;
	coh_litmus *lt = parse_text(double_buffer);
	uint64_t prev = 0;
	const int bounds[] = {0, 1, 3, -1};
	for (size_t i = 0; i < 4; i++) {
		coh_explore_config c = explore_cfg(COH_STRATEGY_DFS);
		c.preemptions = bounds[i];
		coh_explore_result r = explore(lt, &c);
		assert_int_equal(r.nfindings, 0);
		assert_true(r.complete);
		assert_true(r.schedules >= prev); /* a larger bound explores more */
		prev = r.schedules;
		coh_explore_result_free(&r);
	}
	assert_true(prev > 3);
	coh_litmus_free(lt);
}

static void same_seed_gives_the_same_result(void **state)
{
	(void)state;
	coh_litmus *lt = parse_text(lost_update);
	const enum coh_strategy strategies[] = {COH_STRATEGY_RANDOM, COH_STRATEGY_PCT};
	for (size_t i = 0; i < 2; i++) {
		coh_explore_config c = explore_cfg(strategies[i]);
		c.seed = 7;
		c.budget = 300;
		c.keep_going = true;
		coh_explore_result a = explore(lt, &c), b = explore(lt, &c);
		assert_int_equal(a.schedules, 300);
		assert_int_equal(a.schedules, b.schedules);
		assert_int_equal(a.nfindings, b.nfindings);
		assert_true(a.nfindings > 0);
		for (size_t k = 0; k < a.nfindings; k++) {
			assert_string_equal(a.findings[k].schedule, b.findings[k].schedule);
			assert_string_equal(a.findings[k].report, b.findings[k].report);
		}
		assert_replays(lt, &a);
		coh_explore_result_free(&a);
		coh_explore_result_free(&b);
	}
	coh_litmus_free(lt);
}

struct sched_list {
	char **s;
	size_t n, cap;
};

static void collect(void *arg, const char *schedule, bool failed)
{
	(void)failed;
	struct sched_list *l = arg;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->s = realloc(l->s, l->cap * sizeof(*l->s));
		assert_non_null(l->s);
	}
	l->s[l->n] = strdup(schedule);
	assert_non_null(l->s[l->n]);
	l->n++;
}

static void dfs_shards_cover_exactly_the_whole(void **state)
{
	(void)state;
	coh_litmus *lt = parse_text(double_buffer);
	struct sched_list whole = {0}, parts = {0};
	coh_explore_config c = explore_cfg(COH_STRATEGY_DFS);
	c.on_execution = collect;
	c.on_execution_arg = &whole;
	coh_explore_result r = explore(lt, &c);
	assert_true(r.complete);
	assert_int_equal(r.schedules, whole.n);
	uint64_t sum = 0;
	for (unsigned i = 0; i < 2; i++) {
		c.shard_index = i;
		c.shard_count = 2;
		c.on_execution_arg = &parts;
		coh_explore_result h = explore(lt, &c);
		assert_true(h.complete);
		assert_true(h.schedules > 0);
		sum += h.schedules;
		coh_explore_result_free(&h);
	}
	assert_int_equal(sum, r.schedules);
	/* the same schedules, none twice */
	assert_int_equal(parts.n, whole.n);
	qsort(whole.s, whole.n, sizeof(char *), cmp_str);
	qsort(parts.s, parts.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < whole.n; i++) {
		assert_string_equal(whole.s[i], parts.s[i]);
		if (i)
			assert_true(strcmp(whole.s[i - 1], whole.s[i]) != 0);
	}
	for (size_t i = 0; i < whole.n; i++) {
		free(whole.s[i]);
		free(parts.s[i]);
	}
	free(whole.s);
	free(parts.s);
	coh_explore_result_free(&r);
	coh_litmus_free(lt);
}

static void rejected_op_in_an_interleaving_is_a_bug(void **state)
{
	(void)state;
	/* in file order a unmaps before b maps: fine; b first overlaps */
	coh_litmus *lt = parse_text("arch x86\nmap 0x10000 0x4000 0x1000\n"
	                            "thread a cpu0\nunmap 0x10000 0x1000\nend\n"
	                            "thread b cpu0\nmap 0x10000 0x8000 0x1000\nend\n");
	coh_explore_config c = explore_cfg(COH_STRATEGY_DFS);
	coh_explore_result r = explore(lt, &c);
	assert_int_equal(result_kinds(&r), kind_bit(COH_F_BUG));
	assert_non_null(strstr(r.findings[0].report, "t.litmus:7: map failed"));
	assert_replays(lt, &r);
	coh_explore_result_free(&r);
	coh_litmus_free(lt);
}

static void default_schedule_is_the_sequential_run(void **state)
{
	(void)state;
	const char *texts[] = {
	    lost_update,
	    double_buffer,
	    "arch xscale\nmap 0x10000 0x4000 0x1000\nmap 0x20000 0x4000 0x1000\n"
	    "thread k cpu0\nload 0x20000 u32\nstore 0x10000 u32 0xcafe\nend\n"
	    "thread u cpu0\nload 0x20000 u32 expect 0xcafe\nend\n",
	};
	for (size_t i = 0; i < 3; i++) {
		coh_litmus *lt = parse_text(texts[i]);
		struct outcome seq = {0};
		run_litmus(lt, NULL, &seq);
		coh_explore_config c = explore_cfg(COH_STRATEGY_REPLAY);
		c.schedule = COH_SCHEDULE_VERSION ":";
		coh_explore_result r = explore(lt, &c);
		assert_int_equal(result_kinds(&r), seq.kinds);
		assert_int_equal(r.schedules, 1);
		free(seq.text);
		coh_explore_result_free(&r);
		coh_litmus_free(lt);
	}
}

static void no_threads_is_one_execution(void **state)
{
	(void)state;
	coh_litmus *lt = parse_text("arch xscale\nmap 0x10000 0x4000 0x1000\n"
	                            "map 0x20000 0x4000 0x1000\nload 0x20000 u32\n"
	                            "store 0x10000 u32 0xcafe\nload 0x20000 u32\n");
	coh_explore_config c = explore_cfg(COH_STRATEGY_DFS);
	c.keep_going = true;
	coh_explore_result r = explore(lt, &c);
	assert_int_equal(r.schedules, 1);
	assert_true(r.complete);
	assert_int_equal(result_kinds(&r), kind_bit(COH_F_STALE_READ));
	assert_replays(lt, &r);
	coh_explore_result_free(&r);
	coh_litmus_free(lt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(race_is_found_by_dfs_random_and_pct),
	    cmocka_unit_test(clean_threads_are_complete_under_dfs),
	    cmocka_unit_test(same_seed_gives_the_same_result),
	    cmocka_unit_test(dfs_shards_cover_exactly_the_whole),
	    cmocka_unit_test(rejected_op_in_an_interleaving_is_a_bug),
	    cmocka_unit_test(default_schedule_is_the_sequential_run),
	    cmocka_unit_test(no_threads_is_one_execution),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
