/*
 * explore_iter.c - iterative bounding: dfs at bound lo, then lo + 1, ...
 * (coh_explore_config.iterative), so that the shallowest finding comes
 * first.
 *
 * Interface: coh__explore_iterative(), called by coh_explore().
 *
 * Each bound b is one whole pass of the explorer (coh__explore_pass, with
 * its workers, shards and deterministic stop), at preemption bound b. A
 * pass at b > lo runs again the executions with fewer preemptions (a
 * stateless search cannot reach the others without them) but counts and
 * reports only those with exactly b (min_cost): the others were counted at
 * their own bound. So the rows add up, and a run complete at bound P has
 * the schedules, by preemptions, of a plain dfs at P.
 *
 * It stops after the bound with a finding (unless keep_going), at the
 * budget or the time limit (both cover all bounds together), at the last
 * bound, or after a complete bound b >= 1 in which no execution had
 * exactly b preemptions: then none has more (drop the last costly choice
 * of one that had, and the rest defaults: that one has one preemption
 * less), the whole space has been explored, and the result is complete
 * whatever the last bound. For b >= 1 this holds per unit, so per shard
 * too: the units of every bound >= 1 are the same (docs/sched.md), and
 * dropping a choice other than the first costly one stays in the unit. At
 * bound 0 a shard may own none of the few units and see no execution at
 * all, so bound 0 never ends the search.
 *
 * Invariants: res->bounds[b] for b = 0 .. bound_reached; a finding is
 * reported once, at the first bound that found it (dedup by key); its
 * found_at counts the schedules of the lower bounds before it.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sched/explore_impl.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool have_key(const coh_explore_result *res, const char *key)
{
	for (size_t i = 0; i < res->nfindings; i++)
		if (strcmp(res->findings[i].key, key) == 0)
			return true;
	return false;
}

/* Moves r's findings not seen at a lower bound into res; each counts in
 * the row of its execution's preemptions. Returns how many, or -1. */
static long take_findings(coh_explore_result *res, coh_explore_result *r)
{
	long added = 0;
	if (!r->nfindings)
		return 0;
	coh_explore_finding *f =
	    realloc(res->findings, (res->nfindings + r->nfindings) * sizeof(*f));
	if (!f)
		return -1;
	res->findings = f;
	for (size_t i = 0; i < r->nfindings; i++) {
		coh_explore_finding *x = &r->findings[i];
		if (have_key(res, x->key))
			continue;
		coh_explore_finding *o = &res->findings[res->nfindings++];
		*o = *x;
		o->found_at += res->schedules; /* the lower bounds ran first */
		memset(x, 0, sizeof(*x));      /* res owns its strings now */
		res->bounds[o->preemptions].findings++;
		added++;
	}
	return added;
}

/* Grows res->bounds to rows 0..b. */
static int rows_upto(coh_explore_result *res, unsigned b)
{
	if (res->nbounds > b)
		return 0;
	coh_explore_bound *rows = realloc(res->bounds, ((size_t)b + 1) * sizeof(*rows));
	if (!rows)
		return -1;
	for (size_t i = res->nbounds; i <= b; i++)
		rows[i] = (coh_explore_bound){(unsigned)i, 0, 0, false};
	res->bounds = rows;
	res->nbounds = (size_t)b + 1;
	return 0;
}

int coh__explore_iterative(const coh_explore_config *cfg, const coh_machine_config *mcfg,
                           const coh_program *prog, coh_explore_result *res)
{
	unsigned lo = cfg->preemptions_from;
	if (cfg->strategy != COH_STRATEGY_DFS || lo > 1000000 ||
	    (cfg->preemptions >= 0 && lo > (unsigned)cfg->preemptions))
		return COH_EINVAL;
	double t0 = now_s();
	int rc = 0;
	for (unsigned b = lo;; b++) {
		coh_explore_config one = *cfg;
		one.iterative = false;
		one.preemptions = (int)b;
		if (cfg->budget) {
			if (res->schedules >= cfg->budget)
				break; /* not complete: bound b is not explored */
			one.budget = cfg->budget - res->schedules;
		}
		if (cfg->time_s > 0) {
			double left = cfg->time_s - (now_s() - t0);
			if (left <= 0) {
				res->stopped_by_time = true;
				break;
			}
			one.time_s = left;
		}
		coh_explore_result r;
		memset(&r, 0, sizeof(r));
		rc = coh__explore_pass(&one, mcfg, prog, b == lo ? -1 : (int)b, &r);
		if (rc == 0 && rows_upto(res, b) != 0)
			rc = COH_ENOMEM;
		if (rc != 0) {
			memcpy(res->error, r.error, sizeof(res->error));
			coh_explore_result_free(&r);
			break;
		}
		res->bound_reached = (int)b;
		/* the first bound's rows come from its histogram; later ones
		 * counted only executions with exactly b preemptions */
		for (size_t i = 0; i < r.nbounds && i <= b; i++)
			res->bounds[i].schedules += r.bounds[i].schedules;
		for (size_t i = b == lo ? 0 : b; i <= b; i++)
			res->bounds[i].complete = r.complete;
		long added = take_findings(res, &r);
		res->schedules += r.schedules;
		res->pruned += r.pruned;
		res->stopped_by_time |= r.stopped_by_time;
		if (r.max_steps_seen > res->max_steps_seen)
			res->max_steps_seen = r.max_steps_seen;
		bool found = r.nfindings != 0, complete = r.complete;
		coh_explore_result_free(&r);
		if (added < 0) {
			rc = COH_ENOMEM;
			break;
		}
		if ((found && !cfg->keep_going) || !complete)
			break;
		if ((b > 0 && res->bounds[b].schedules == 0) ||
		    (cfg->preemptions >= 0 && b == (unsigned)cfg->preemptions)) {
			res->complete = true;
			break;
		}
	}
	res->elapsed_s = now_s() - t0;
	return rc;
}
