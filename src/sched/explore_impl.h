/*
 * explore_impl.h - the explorer's insides, shared by explore.c (the worker
 * loops, --jobs), explorer.c, explore_result.c (merging), explore_replay.c,
 * explore_iter.c, explore_jobs.c, explore_wire.c, shrink.c and report.c.
 * Never installed.
 */
#ifndef COHSIM_SCHED_EXPLORE_IMPL_H
#define COHSIM_SCHED_EXPLORE_IMPL_H

#include "sched/strategy.h"

struct coh__explorer {
	coh_explore_config cfg;
	const coh_program *prog;
	coh_machine *m;
	coh_check *chk;
	coh_sched *s;
	struct coh__sched_flags fl; /* resolved from cfg and strategy */
	uint64_t runs;              /* executions of any kind, shrinking included */
};

/* One finding of one execution, ready to print. */
struct coh__found {
	uint64_t unit, pos; /* where it was found: unit, schedules into the unit */
	enum coh_finding_kind kind;
	char *key, *schedule, *report, *json;
	unsigned shrunk_from, deviations;
	unsigned cost; /* dfs: the preemptions of the execution that found it */
};

/* One worker's results (explore.c), passed to the parent by explore_wire.c. */
/* dfs: the executions of one unit with one cost (preemptions); a unit
 * with executions of several costs has a record per cost, contiguous. */
struct coh__unitrec {
	uint64_t unit, nsched, npruned;
	unsigned cost;
};

struct coh__wres {
	uint64_t base, stride, count; /* random/pct: the units run */
	struct coh__unitrec *units;   /* dfs */
	size_t nunits, capunits;
	struct coh__found *found;
	size_t nfound, capfound;
	bool exhausted, by_time, mismatch;
	uint64_t max_steps, pct_k, pruned;
	unsigned pct_n;
};

/* explore_wire.c: w and the worker's status rc as bytes (malloc'd into
 * *buf), and back. decode checks every count and length against the bytes
 * it has and returns -1 on anything short, long or corrupt, leaving w
 * empty; else 0. */
int coh__wres_encode(const struct coh__wres *w, int rc, char **buf, size_t *len);
int coh__wres_decode(const char *buf, size_t len, struct coh__wres *w, int *rc);
void coh__wres_free(struct coh__wres *w);

/* explore_jobs.c: runs fn(j, &w[j], arg) for j < n in n worker processes
 * and collects their results; tick(arg) every 20 ms while they run.
 * Returns 0, the first worker's nonzero status, or COH_EWORKER with err
 * naming the worker that died or could not report (the others are then
 * killed). */
#define COH__MAX_JOBS 64
typedef int (*coh__job_fn)(unsigned j, struct coh__wres *out, void *arg);
int coh__jobs_run(unsigned n, struct coh__wres *w, coh__job_fn fn, void *arg,
                  void (*tick)(void *arg), char *err, size_t errlen);

/* explore.c: one exploration under cfg (workers, then merge) into res, which
 * the caller has zeroed. min_cost >= 0 (dfs): executions with fewer
 * preemptions run but are neither counted nor reported (iterative
 * bounding: they were, at a lower bound). */
int coh__explore_pass(const coh_explore_config *cfg, const coh_machine_config *mcfg,
                      const coh_program *prog, int min_cost, coh_explore_result *res);
/* explore_result.c: merges the nw workers' results w into res (findings
 * ordered and deduplicated, counts cut at the first finding's unit unless
 * keep_going); moves the findings' strings out of w. */
int coh__explore_merge(const coh_explore_config *cfg, struct coh__wres *w, unsigned nw,
                       coh_explore_result *res);
/* explore_replay.c: the replay strategy (cfg->schedule, one execution). */
int coh__explore_replay(const coh_explore_config *cfg, const coh_machine_config *mcfg,
                        const coh_program *prog, coh_explore_result *res);
/* explore_iter.c: iterative bounding (cfg->iterative), round by round. */
int coh__explore_iterative(const coh_explore_config *cfg, const coh_machine_config *mcfg,
                           const coh_program *prog, coh_explore_result *res);

/* explorer.c: one machine, checker and scheduler (struct coh__explorer). */
int coh__explorer_open(struct coh__explorer *ex, const coh_explore_config *cfg,
                       const coh_machine_config *mcfg, const coh_program *prog);
void coh__explorer_close(struct coh__explorer *ex);
/* Runs one execution with strat. Returns the program's setup status. */
int coh__explorer_run(struct coh__explorer *ex, const struct coh__strategy *strat);
/* Runs the deviations as a replay (flags from ex). */
int coh__explorer_replay(struct coh__explorer *ex, const struct coh__deviation *devs, size_t n);
/* The dedup key of finding i of the last execution (malloc'd). */
char *coh__finding_key(struct coh__explorer *ex, size_t i);
/* Deviations of the last execution (malloc'd; NULL when none). */
struct coh__deviation *coh__last_deviations(struct coh__explorer *ex, size_t *n);

/* shrink.c: reduces devs (in place, realloc'd) to a minimal set that still
 * gives a finding with key; returns the number of executions it spent. */
uint64_t coh__shrink(struct coh__explorer *ex, const char *key, struct coh__deviation **devs,
                     size_t *ndev);

/* report.c: replays devs and fills out with the report of the first finding
 * whose key is key (any finding if key is NULL). Returns 0, or -1 when the
 * replay has no such finding. */
int coh__report_found(struct coh__explorer *ex, const char *key, const struct coh__deviation *devs,
                      size_t ndev, struct coh__found *out);
/* Fills out from finding i of the last execution (which must have run the
 * canonical schedule). */
int coh__report_finding(struct coh__explorer *ex, size_t i, struct coh__found *out);
void coh__found_free(struct coh__found *f);

#endif
