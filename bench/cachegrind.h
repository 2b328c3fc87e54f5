/*
 * cachegrind.h - bench_cache's cachegrind child (cachegrind.c): the same
 * native loop run under `valgrind --tool=cachegrind --cache-sim=yes` with a
 * D1 of the simulated L1's geometry.
 */
#ifndef COHSIM_BENCH_CACHEGRIND_H
#define COHSIM_BENCH_CACHEGRIND_H

#include <stdbool.h>
#include <stdint.h>

#include "cohsim/machine.h"

struct cg_result {
	bool ok;
	double loop_s; /* the child's own timing of its loop */
	double wall_s; /* the whole child, valgrind start-up included (the caller's) */
	double drefs;  /* data references (Dr + Dw) per access, start-up included */
};

/* Is prog an executable on PATH? */
bool cg_on_path(const char *prog);

/* Runs this program's `--native-only PATTERN N` under cachegrind with D1 = g
 * (I1 and LL get its line size, as cachegrind wants one line size for all
 * three): ok, the child's loop time it printed, and the data references
 * per access from cachegrind's output file (removed after). wall_s is left
 * for the caller to time. */
struct cg_result cg_run(const coh_cache_geometry *g, const char *pattern, uint64_t n);

#endif
