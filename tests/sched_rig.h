/*
 * sched_rig.h - what the sched layer's tests share (test_sched.c,
 * test_sched_bugs.c): a machine of n CPUs, one kernel page mapped at
 * VA, an explore config per strategy, and the check that every finding's
 * schedule replays to the byte-identical report.
 *
 * Static inline: each test file takes what it uses.
 */
#ifndef COHSIM_TESTS_SCHED_RIG_H
#define COHSIM_TESTS_SCHED_RIG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/sched.h"

#define VA 0x100000u

/* ---- helpers ---- */

static inline coh_machine_config mcfg(unsigned ncpus)
{
	coh_machine_config c;
	coh_machine_config_init(&c, NULL);
	c.ncpus = ncpus;
	return c;
}

static inline int map_page(coh_sched *s)
{
	coh_machine *m = coh_sched_machine(s);
	return coh_map(m, COH_KERNEL_AS, VA, VA, coh_machine_page_size(m), COH_ATTR_WB);
}

static inline coh_explore_config ecfg(enum coh_strategy st)
{
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = st;
	c.progress = false;
	c.budget = st == COH_STRATEGY_DFS ? 0 : 2000;
	return c;
}

static bool replay_lockdep = true; /* as the run to replay had it */

/* Replays every finding's schedule and checks the report is byte-identical. */
static inline void assert_replays(const coh_explore_result *r, const coh_machine_config *m,
                                  const coh_program *p)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		coh_explore_config c = ecfg(COH_STRATEGY_REPLAY);
		c.lockdep = replay_lockdep;
		c.schedule = r->findings[i].schedule;
		coh_explore_result rr;
		assert_int_equal(coh_explore(&c, m, p, &rr), 0);
		bool same = false;
		for (size_t j = 0; j < rr.nfindings; j++)
			same |= strcmp(rr.findings[j].report, r->findings[i].report) == 0 &&
			        strcmp(rr.findings[j].json, r->findings[i].json) == 0;
		if (!same) {
			fprintf(stderr, "original:\n%s\nreplay:\n%s\n", r->findings[i].report,
			        rr.nfindings ? rr.findings[0].report : "(none)");
		}
		assert_true(same);
		coh_explore_result_free(&rr);
	}
}

#endif
