/*
 * kernel_run.h - helpers that the kernel-model tests share (included by
 * tests/test_*.c; each function is static inline, so a test that does not
 * use one pays nothing):
 *   kernel_run_once  one execution of a program on an arch, the default
 *                    schedule, 1 MiB of memory: the first finding's kind
 *                    or "clean" (its report on stderr when env is set);
 *   scenario_kind    a built-in scenario's variant under dfs without
 *                    preemptions: the first finding's kind or "clean".
 * The returned string lives until the next call.
 */
#ifndef COHSIM_TESTS_KERNEL_RUN_H
#define COHSIM_TESTS_KERNEL_RUN_H

#include <stdio.h>
#include <stdlib.h>

#include "cohsim/scenario.h"

static inline const char *kernel_run_once(const char *arch, const char *name,
                                          int (*setup)(void *ctx, coh_sched *s), const char *env)
{
	static char kind[32];
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find(arch));
	mc.mem_size = 1u << 20;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_REPLAY;
	cfg.schedule = "v1:";
	cfg.progress = false;
	coh_program prog = {.name = name, .setup = setup};
	coh_explore_result res;
	assert_int_equal(coh_explore(&cfg, &mc, &prog, &res), 0);
	snprintf(kind, sizeof(kind), "%s",
	         res.nfindings ? coh_finding_kind_name(res.findings[0].kind) : "clean");
	if (res.nfindings && env && getenv(env))
		fprintf(stderr, "%s: %s\n", arch, res.findings[0].report);
	coh_explore_result_free(&res);
	return kind;
}

static inline const char *scenario_kind(const char *name, const char *variant, const char *arch)
{
	struct coh_run_options ro;
	coh_run_options_init(&ro);
	ro.variant = variant;
	ro.arch = arch;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_DFS;
	cfg.preemptions = 0;
	cfg.progress = false;
	coh_explore_result res;
	char err[256] = "";
	assert_int_equal(
	    coh_scenario_run(coh_scenario_find(name), &ro, &cfg, &res, err, sizeof(err)), 0);
	const char *kind = res.nfindings ? coh_finding_kind_name(res.findings[0].kind) : "clean";
	coh_explore_result_free(&res);
	return kind;
}

#endif
