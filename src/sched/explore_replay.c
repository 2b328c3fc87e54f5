/*
 * explore_replay.c - the replay strategy: one execution of a user's
 * schedule string, with every finding it meets reported.
 *
 * Interface: coh__explore_replay() (explore_impl.h), called by
 * coh_explore() for COH_STRATEGY_REPLAY.
 *
 * Invariants: the schedule must be the run's (each deviation at a choice
 * the run made, with a value that choice offers), else COH_EINVAL with
 * res->error saying which; the run records stacks, as a report's replay
 * does, so it prints the same bytes as the search that found it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/explore_impl.h"

/* A user's schedule must be the run's: every deviation at a choice the run
 * made, with a value that choice offers. Else COH_EINVAL, saying which. */
static int replay_check(struct coh__explorer *ex, const struct coh__deviation *devs, size_t n,
                        coh_explore_result *res)
{
	const coh_sched *s = ex->s;
	for (size_t i = 0; i < n; i++) {
		if (devs[i].idx >= s->nrec) {
			snprintf(res->error, sizeof(res->error),
			         "the schedule deviates at choice %zu, but the run made only %zu "
			         "choices",
			         devs[i].idx, s->nrec);
			return COH_EINVAL;
		}
		if (devs[i].value >= s->rec[devs[i].idx].n) {
			snprintf(res->error, sizeof(res->error),
			         "the schedule takes option %u at choice %zu, which has only %u "
			         "options",
			         devs[i].value, devs[i].idx, (unsigned)s->rec[devs[i].idx].n);
			return COH_EINVAL;
		}
	}
	return 0;
}

int coh__explore_replay(const coh_explore_config *cfg, const coh_machine_config *mcfg,
                        const coh_program *prog, coh_explore_result *res)
{
	struct coh__deviation *devs;
	size_t ndev;
	struct coh__sched_flags fl;
	if (coh__schedule_parse(cfg->schedule, &devs, &ndev, &fl) != 0)
		return COH_EINVAL;
	coh_explore_config c = *cfg;
	c.evictions = fl.evictions;
	c.speculation = fl.speculation;
	c.max_evictions = fl.max_evictions;
	c.faults = fl.faults;
	c.max_steps = fl.max_steps;
	struct coh__explorer ex;
	int rc = coh__explorer_open(&ex, &c, mcfg, prog);
	if (rc == 0) {
		coh_machine_set_stacks(ex.m, true); /* this run is the report's */
		rc = coh__explorer_replay(&ex, devs, ndev);
	}
	if (rc == 0)
		rc = replay_check(&ex, devs, ndev, res);
	free(devs);
	if (rc != 0) {
		coh__explorer_close(&ex);
		return rc;
	}
	res->schedules = 1;
	res->max_steps_seen = ex.s->steps;
	coh_machine_stats(ex.m, &res->stats);
	size_t n = coh_check_count(ex.chk);
	char **keys = calloc(n ? n : 1, sizeof(*keys));
	res->findings = calloc(n ? n : 1, sizeof(*res->findings));
	if (!keys || !res->findings) {
		free(keys);
		coh__explorer_close(&ex);
		return COH_ENOMEM;
	}
	/* as in a search, an execution yields its first finding, or with
	 * keep_going every distinct one: the replay prints what the run did */
	if (!cfg->keep_going && n > 1)
		n = 1;
	for (size_t i = 0; i < n; i++) {
		keys[i] = coh__finding_key(&ex, i);
		bool dup = !keys[i];
		for (size_t j = 0; j < i && !dup; j++)
			dup = keys[j] && strcmp(keys[j], keys[i]) == 0;
		if (dup)
			continue;
		struct coh__found f;
		if (coh__report_finding(&ex, i, &f) != 0) {
			coh__found_free(&f);
			continue;
		}
		coh_explore_finding *o = &res->findings[res->nfindings++];
		o->kind = f.kind;
		o->key = f.key;
		o->schedule = f.schedule;
		o->report = f.report;
		o->json = f.json;
		o->deviations = o->shrunk_from = f.deviations;
		o->found_at = 1;
	}
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
	coh__explorer_close(&ex);
	return 0;
}
