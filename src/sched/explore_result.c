/*
 * explore_result.c - the workers' results merged into a coh_explore_result,
 * which is then printed and freed.
 *
 * Interface: coh__explore_merge() (explore_impl.h), called by
 * coh__explore_pass(); coh_explore_result_free() and
 * coh_explore_result_print() (include/cohsim).
 *
 * Invariants: the merge depends only on the workers' results, never on
 * which worker finished first: findings are ordered by (unit, position,
 * key); without keep_going the first finding's unit bounds every count
 * (schedules, found_at, res->bounds), so the result is the same for any
 * mix of shards and jobs.
 */
#include <stdlib.h>
#include <string.h>

#include "sched/explore_impl.h"

/* Schedules worker w ran in units < limit (or <= limit when inclusive). */
static uint64_t sched_below(const struct coh__wres *w, uint64_t limit, bool inclusive)
{
	uint64_t n = 0;
	if (w->stride) {
		for (uint64_t m = 0; m < w->count; m++) {
			uint64_t u = w->base + m * w->stride;
			if (u < limit || (inclusive && u == limit))
				n++;
		}
		return n;
	}
	for (size_t i = 0; i < w->nunits; i++)
		if (w->units[i].unit < limit || (inclusive && w->units[i].unit == limit))
			n += w->units[i].nsched;
	return n;
}

static int found_cmp(const void *a, const void *b)
{
	const struct coh__found *x = *(struct coh__found *const *)a;
	const struct coh__found *y = *(struct coh__found *const *)b;
	if (x->unit != y->unit)
		return x->unit < y->unit ? -1 : 1;
	if (x->pos != y->pos)
		return x->pos < y->pos ? -1 : 1;
	return strcmp(x->key, y->key);
}

/* dfs: res->bounds from the workers' units up to stop (the unit of the
 * first finding; its owner stopped at it) and res's findings. */
static int by_bound(const struct coh__wres *w, unsigned nw, uint64_t stop, coh_explore_result *res)
{
	size_t n = 0;
	for (unsigned i = 0; i < nw; i++)
		for (size_t j = 0; j < w[i].nunits; j++)
			if (w[i].units[j].unit <= stop && w[i].units[j].nsched &&
			    w[i].units[j].cost >= n)
				n = (size_t)w[i].units[j].cost + 1;
	for (size_t k = 0; k < res->nfindings; k++)
		if (res->findings[k].preemptions >= n)
			n = (size_t)res->findings[k].preemptions + 1;
	if (!n)
		return 0;
	res->bounds = calloc(n, sizeof(*res->bounds));
	if (!res->bounds)
		return -1;
	res->nbounds = n;
	for (size_t b = 0; b < n; b++) {
		res->bounds[b].bound = (unsigned)b;
		res->bounds[b].complete = res->complete;
	}
	for (unsigned i = 0; i < nw; i++)
		for (size_t j = 0; j < w[i].nunits; j++)
			if (w[i].units[j].unit <= stop && w[i].units[j].nsched)
				res->bounds[w[i].units[j].cost].schedules += w[i].units[j].nsched;
	for (size_t k = 0; k < res->nfindings; k++)
		res->bounds[res->findings[k].preemptions].findings++;
	return 0;
}

int coh__explore_merge(const coh_explore_config *cfg, struct coh__wres *w, unsigned nw,
                       coh_explore_result *res)
{
	size_t total = 0;
	for (unsigned i = 0; i < nw; i++)
		total += w[i].nfound;
	struct coh__found **all = calloc(total ? total : 1, sizeof(*all));
	if (!all)
		return COH_ENOMEM;
	size_t k = 0;
	for (unsigned i = 0; i < nw; i++)
		for (size_t j = 0; j < w[i].nfound; j++)
			all[k++] = &w[i].found[j];
	qsort(all, total, sizeof(*all), found_cmp);
	uint64_t stop = UINT64_MAX;
	if (!cfg->keep_going && total)
		stop = all[0]->unit;
	bool all_exhausted = true;
	for (unsigned i = 0; i < nw; i++) {
		res->schedules += stop == UINT64_MAX ? sched_below(&w[i], UINT64_MAX, true)
		                                     : sched_below(&w[i], stop, true);
		res->pruned += w[i].pruned;
		res->stopped_by_time |= w[i].by_time;
		all_exhausted &= w[i].exhausted;
		if (w[i].max_steps > res->max_steps_seen)
			res->max_steps_seen = w[i].max_steps;
		if (w[i].pct_n > res->pct_n)
			res->pct_n = w[i].pct_n;
		if (w[i].pct_k > res->pct_k)
			res->pct_k = w[i].pct_k;
	}
	/* a stop at the first finding counts that unit's schedules up to it */
	if (stop != UINT64_MAX && cfg->strategy == COH_STRATEGY_DFS) {
		res->schedules = 0;
		for (unsigned i = 0; i < nw; i++)
			res->schedules += sched_below(&w[i], stop, false);
		res->schedules += all[0]->pos;
	}
	res->complete = cfg->strategy == COH_STRATEGY_DFS && all_exhausted && stop == UINT64_MAX &&
	                !res->stopped_by_time;
	res->por_bounded = cfg->strategy == COH_STRATEGY_DFS && cfg->preemptions >= 0 && cfg->por &&
	                   cfg->por_bounded;
	res->findings = calloc(total ? total : 1, sizeof(*res->findings));
	if (!res->findings) {
		free(all);
		return COH_ENOMEM;
	}
	for (size_t i = 0; i < total; i++) {
		struct coh__found *f = all[i];
		bool dup = false;
		for (size_t j = 0; j < res->nfindings; j++)
			dup |= strcmp(res->findings[j].key, f->key) == 0;
		if (dup || (stop != UINT64_MAX && res->nfindings == 1))
			continue;
		coh_explore_finding *o = &res->findings[res->nfindings++];
		o->kind = f->kind;
		o->key = f->key;
		o->schedule = f->schedule;
		o->report = f->report;
		o->json = f->json;
		f->key = f->schedule = f->report = f->json = NULL;
		o->shrunk_from = f->shrunk_from;
		o->deviations = f->deviations;
		o->found_at = f->pos;
		o->unit = f->unit;
		o->preemptions = f->cost;
		for (unsigned j = 0; j < nw; j++)
			o->found_at += sched_below(&w[j], f->unit, false);
	}
	free(all);
	if (cfg->strategy == COH_STRATEGY_DFS && by_bound(w, nw, stop, res) != 0)
		return COH_ENOMEM;
	if (cfg->strategy == COH_STRATEGY_PCT) {
		res->pct_d = cfg->depth < 1 ? 1 : cfg->depth;
		if (res->pct_n && res->pct_k) {
			double denom = res->pct_n;
			for (unsigned i = 1; i < res->pct_d; i++)
				denom *= (double)res->pct_k;
			res->pct_probability = 1.0 / denom;
		}
	}
	return 0;
}

void coh_explore_result_free(coh_explore_result *res)
{
	for (size_t i = 0; i < res->nfindings; i++) {
		free(res->findings[i].key);
		free(res->findings[i].schedule);
		free(res->findings[i].report);
		free(res->findings[i].json);
	}
	free(res->findings);
	free(res->bounds);
	memset(res, 0, sizeof(*res));
	res->bound_reached = -1;
}

void coh_explore_result_print(const coh_explore_result *res, FILE *out)
{
	for (size_t i = 0; i < res->nfindings; i++) {
		const coh_explore_finding *f = &res->findings[i];
		fputs(f->report, out);
		fprintf(out, "(found after %llu schedules; shrunk from %u to %u deviations)\n\n",
		        (unsigned long long)f->found_at, f->shrunk_from, f->deviations);
	}
	fprintf(out, "schedules: %llu", (unsigned long long)res->schedules);
	if (res->pruned)
		fprintf(out, " (+%llu cut by sleep sets)", (unsigned long long)res->pruned);
	if (res->complete)
		fputs(", complete", out);
	if (res->pct_n)
		fprintf(out, ", pct bound: n=%u k=%llu d=%u p>=%.3g", res->pct_n,
		        (unsigned long long)res->pct_k, res->pct_d, res->pct_probability);
	fprintf(out, ", findings: %zu\n", res->nfindings);
	if (res->bound_reached < 0)
		return;
	fprintf(out, "iterative bounding, reached bound %d:", res->bound_reached);
	for (size_t b = 0; b < res->nbounds; b++)
		fprintf(out, "%s %zu %s (%llu)", b ? "," : "", b,
		        res->bounds[b].complete ? "complete" : "not complete",
		        (unsigned long long)res->bounds[b].schedules);
	fputc('\n', out);
}
