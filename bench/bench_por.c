/*
 * bench_por.c - schedules of dfs with and without bound-aware sleep sets
 * (coh_explore_config.por_bounded, `--por`) on the issue-16 "classic
 * 9-thread wrong-lock program (mutexes only)".
 *
 * Nine tasks on CPUS CPUs: each stores three times to a line of its own,
 * then increments a shared counter under mutex A, except the last, which
 * takes mutex B (the wrong lock). finish() reports `expect-failed` when the
 * counter is not 9. Counts, not times: the output is deterministic.
 *
 *   bench_por [CPUS [BUDGET]]     (defaults 8 and 400000)
 *
 * Prints, for bound 0 and bound 1, without and with --por: schedules,
 * executions cut, whether the run completed and the finding, if any.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cohsim/sched.h"

#define VA 0x100000u
#define NT 9

static coh_mutex mutex_a, mutex_b;
static unsigned ids[NT];

static void body(void *arg)
{
	unsigned i = *(unsigned *)arg;
	coh_machine *m = coh_sched_machine(coh_sched_current());
	unsigned cpu = coh_this_cpu();
	uint64_t v;
	for (unsigned k = 0; k < 3; k++)
		coh_store(m, cpu, VA + 256 + i * 64, 4, k);
	coh_mutex *l = i == NT - 1 ? &mutex_b : &mutex_a;
	coh_mutex_lock(l);
	coh_load(m, cpu, VA, 4, &v);
	coh_store(m, cpu, VA, 4, v + 1);
	coh_mutex_unlock(l);
}

static int setup(void *ctx, coh_sched *s)
{
	unsigned ncpus = *(unsigned *)ctx;
	coh_machine *m = coh_sched_machine(s);
	static const char *const names[NT] = {"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8"};
	coh_mutex_init(&mutex_a, "A");
	coh_mutex_init(&mutex_b, "B");
	if (coh_map(m, COH_KERNEL_AS, VA, VA, coh_machine_page_size(m), COH_ATTR_WB))
		return -1;
	for (unsigned i = 0; i < NT; i++) {
		ids[i] = i;
		if (!coh_task_create(s, names[i], i % ncpus, body, &ids[i]))
			return -1;
	}
	return 0;
}

static void finish(void *ctx, coh_sched *s)
{
	(void)ctx;
	uint64_t v = 0;
	coh_load(coh_sched_machine(s), 0, VA, 4, &v);
	if (v != NT)
		coh_check_report(coh_sched_check(s), COH_F_EXPECT_FAILED, -1,
		                 "counter is %llu after %u increments", (unsigned long long)v, NT);
}

int main(int argc, char **argv)
{
	unsigned ncpus = argc > 1 ? (unsigned)atoi(argv[1]) : 8;
	uint64_t budget = argc > 2 ? strtoull(argv[2], NULL, 10) : 400000;
	if (ncpus < 1 || ncpus > COH_MAX_CPUS) {
		fprintf(stderr, "bench_por: CPUS must be 1..%d\n", COH_MAX_CPUS);
		return 2;
	}
	coh_program prog = {"wrong-lock-9", &ncpus, setup, finish};
	coh_machine_config m;
	coh_machine_config_init(&m, NULL);
	m.ncpus = ncpus;
	printf("wrong-lock, 9 tasks on %u CPUs, budget %llu\n", ncpus, (unsigned long long)budget);
	for (int bound = 0; bound <= 1; bound++) {
		for (int por = 0; por <= 1; por++) {
			coh_explore_config c;
			coh_explore_config_init(&c);
			c.strategy = COH_STRATEGY_DFS;
			c.progress = false;
			c.budget = budget;
			c.preemptions = bound;
			c.por_bounded = por;
			coh_explore_result r;
			int rc = coh_explore(&c, &m, &prog, &r);
			if (rc != 0) {
				fprintf(stderr, "bench_por: coh_explore: %d\n", rc);
				return 1;
			}
			printf("bound %d %-8s schedules %8llu  cut %6llu  %s  %s\n", bound,
			       por ? "--por" : "", (unsigned long long)r.schedules,
			       (unsigned long long)r.pruned,
			       r.complete ? "complete" : "not complete",
			       r.nfindings ? r.findings[0].key : "no finding");
			coh_explore_result_free(&r);
		}
	}
	return 0;
}
