/*
 * test_example_scenario.c - the example of docs/scenarios.md behaves as the
 * page says: buggy gives stale-dma on xscale, fixed is clean and complete,
 * and on arm926 (no allocation on a store miss) buggy is clean too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../examples/scenario/my_scenario.c"

static const char *run(const char *variant, const char *arch, bool *complete)
{
	struct coh_run_options ro;
	coh_run_options_init(&ro);
	ro.variant = variant;
	ro.arch = arch;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_DFS;
	cfg.preemptions = 2;
	cfg.budget = 0;
	cfg.progress = false;
	coh_explore_result res;
	char err[256] = "";
	assert_int_equal(coh_scenario_run(&coh_scenario_my, &ro, &cfg, &res, err, sizeof(err)), 0);
	const char *kind = res.nfindings ? coh_finding_kind_name(res.findings[0].kind) : "clean";
	*complete = res.complete;
	coh_explore_result_free(&res);
	return kind;
}

static void example_buggy_finds_stale_dma_on_xscale(void **state)
{
	(void)state;
	bool complete;
	assert_string_equal(run("buggy", "xscale", &complete), "stale-dma");
}

static void example_fixed_is_clean_and_complete(void **state)
{
	(void)state;
	bool complete;
	assert_string_equal(run("fixed", "xscale", &complete), "clean");
	assert_true(complete);
}

static void example_buggy_is_clean_on_arm926_without_write_allocate(void **state)
{
	(void)state;
	bool complete;
	assert_string_equal(run("buggy", "arm926", &complete), "clean");
	assert_true(complete);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(example_buggy_finds_stale_dma_on_xscale),
	    cmocka_unit_test(example_fixed_is_clean_and_complete),
	    cmocka_unit_test(example_buggy_is_clean_on_arm926_without_write_allocate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
