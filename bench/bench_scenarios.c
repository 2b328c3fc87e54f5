/*
 * bench_scenarios.c - how fast each built-in scenario explores, and how soon
 * each strategy finds its bug.
 *
 * For every scenario and its default arch:
 *   - schedules per second: the fixed variant under dfs until complete
 *     (every execution runs to the end, no early stop);
 *   - schedules until the first finding of the buggy variant, random against
 *     pct, median over SEEDS seeds, with the ratio random/pct.
 * Timings are wall clock (CLOCK_MONOTONIC): a benchmark, never a test.
 * Usage: bench_scenarios [--quick]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cohsim/scenario.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

/* Runs sc once; returns schedules run and sets *found_at (0: not found). */
static uint64_t run(const coh_scenario *sc, const char *variant, enum coh_strategy strat,
                    uint64_t seed, uint64_t budget, uint64_t *found_at, double *secs)
{
	struct coh_run_options ro;
	coh_run_options_init(&ro);
	ro.variant = variant;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = strat;
	cfg.seed = seed;
	cfg.budget = budget;
	cfg.preemptions = sc->preemptions;
	cfg.shrink = false;
	cfg.progress = false;
	coh_explore_result res;
	char err[256];
	double t0 = now_s();
	int r = coh_scenario_run(sc, &ro, &cfg, &res, err, sizeof(err));
	*secs = now_s() - t0;
	if (r) {
		fprintf(stderr, "bench_scenarios: %s: %s\n", sc->name, err);
		exit(3);
	}
	*found_at = res.nfindings ? res.findings[0].found_at : 0;
	uint64_t n = res.schedules;
	coh_explore_result_free(&res);
	return n;
}

int main(int argc, char **argv)
{
	bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
	enum { SEEDS = 9 };
	unsigned nseeds = quick ? 3 : SEEDS;
	uint64_t budget = quick ? 2000 : 20000;

	printf("scenario schedules/s (fixed variant, dfs until complete, default arch)\n");
	printf("%-15s %-10s %10s %10s %12s\n", "scenario", "arch", "schedules", "seconds",
	       "schedules/s");
	for (size_t i = 0; i < coh_scenario_count(); i++) {
		const coh_scenario *sc = coh_scenario_at(i);
		uint64_t found;
		double secs;
		uint64_t n = run(sc, "fixed", COH_STRATEGY_DFS, 1, 0, &found, &secs);
		printf("%-15s %-10s %10llu %10.3f %12.0f\n", sc->name, sc->default_arch,
		       (unsigned long long)n, secs, secs > 0 ? (double)n / secs : 0.0);
	}

	printf("\nschedules until the first finding (buggy variant, median of %u seeds, budget "
	       "%llu)\n",
	       nseeds, (unsigned long long)budget);
	printf("%-15s %12s %12s %14s %10s\n", "scenario", "random", "pct", "random/pct", "found");
	for (size_t i = 0; i < coh_scenario_count(); i++) {
		const coh_scenario *sc = coh_scenario_at(i);
		uint64_t med[2];
		unsigned hits[2] = {0, 0};
		for (int k = 0; k < 2; k++) {
			uint64_t at[SEEDS] = {0};
			for (unsigned s = 0; s < nseeds; s++) {
				double secs;
				uint64_t found;
				run(sc, "buggy", k ? COH_STRATEGY_PCT : COH_STRATEGY_RANDOM, s + 1,
				    budget, &found, &secs);
				at[s] = found ? found : budget + 1; /* not found: past budget */
				hits[k] += found != 0;
			}
			qsort(at, nseeds, sizeof(at[0]), cmp_u64);
			med[k] = at[nseeds / 2];
		}
		char ratio[32];
		snprintf(ratio, sizeof(ratio), "%.2fx", (double)med[0] / (double)med[1]);
		printf("%-15s %12llu %12llu %14s %4u+%u/%u\n", sc->name, (unsigned long long)med[0],
		       (unsigned long long)med[1], ratio, hits[0], hits[1], 2 * nseeds);
	}
	printf("(a median past the budget means most seeds found nothing; random/pct > 1: pct "
	       "finds it sooner)\n");
	return 0;
}
