/*
 * run_once.h - one execution of a test's program on the default schedule
 * ("v1:": every choice the default), for the unit tests that build a kernel
 * and a few tasks and want what the check says of that one run.
 *
 * Static inline: each test file takes what it uses.
 */
#ifndef COHSIM_TESTS_RUN_ONCE_H
#define COHSIM_TESTS_RUN_ONCE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "cohsim/sched.h"

/* Runs prog once on a machine of arch with mem_size bytes of memory (the
 * rest of the machine as coh_machine_config_init sets it); res receives the
 * findings, the caller frees it. The test fails unless coh_explore returns 0. */
static inline void run_once(const char *arch, size_t mem_size, const coh_program *prog,
                            coh_explore_result *res)
{
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find(arch));
	mc.mem_size = mem_size;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_REPLAY;
	cfg.schedule = "v1:";
	cfg.progress = false;
	assert_int_equal(coh_explore(&cfg, &mc, prog, res), 0);
}

#endif
