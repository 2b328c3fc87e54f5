/*
 * explorer.c - the explorer: one machine, checker and scheduler opened
 * together, run execution by execution (explore.c's workers, shrink.c,
 * report.c, explore_replay.c).
 *
 * Interface (explore_impl.h): coh__explorer_open/close/run/replay(),
 * coh__finding_key(), coh__last_deviations().
 *
 * Invariants: every run starts from a reset machine and checker, so an
 * execution depends only on the program, the strategy and the resolved
 * flags (ex->fl, fixed at open); a finding's key names its kind and site
 * and is what deduplication and shrinking compare.
 */
#include <stdlib.h>
#include <string.h>

#include "sched/explore_impl.h"

int coh__explorer_open(struct coh__explorer *ex, const coh_explore_config *cfg,
                       const coh_machine_config *mcfg, const coh_program *prog)
{
	memset(ex, 0, sizeof(*ex));
	ex->cfg = *cfg;
	ex->prog = prog;
	int rc = coh_machine_create(mcfg, &ex->m);
	if (rc != 0)
		return rc;
	coh_check_config ccfg;
	coh_check_config_init(&ccfg);
	ccfg.oracle = mcfg->oracle;
	rc = coh_check_create(ex->m, &ccfg, &ex->chk);
	if (rc != 0) {
		coh_machine_destroy(ex->m);
		return rc;
	}
	ex->s = calloc(1, sizeof(*ex->s));
	if (!ex->s) {
		coh_check_destroy(ex->chk);
		coh_machine_destroy(ex->m);
		return COH_ENOMEM;
	}
	size_t stack = cfg->stack_size;
	if (!stack) {
#ifdef COHSIM_SANITIZE
		stack = 256 * 1024;
#else
		stack = 64 * 1024;
#endif
	}
	coh__sched_init(ex->s, ex->m, ex->chk, stack);
	ex->s->lockdep = cfg->lockdep;
	ex->s->watch = cfg->watch;
	ex->fl.evictions = cfg->evictions < 0
	                       ? cfg->strategy != COH_STRATEGY_DFS || cfg->max_evictions > 0
	                       : cfg->evictions != 0;
	ex->fl.max_evictions = ex->fl.evictions ? cfg->max_evictions : 0;
	ex->s->max_evictions = ex->fl.max_evictions;
	ex->fl.speculation = ex->fl.evictions || cfg->speculation > 0;
	ex->fl.faults = cfg->faults & ((1u << COH_FAULT_COUNT) - 1);
	ex->fl.max_steps = cfg->max_steps;
	return 0;
}

void coh__explorer_close(struct coh__explorer *ex)
{
	if (ex->s) {
		coh__sched_fini(ex->s);
		free(ex->s);
	}
	if (ex->chk)
		coh_check_destroy(ex->chk);
	if (ex->m)
		coh_machine_destroy(ex->m);
	memset(ex, 0, sizeof(*ex));
}

int coh__explorer_run(struct coh__explorer *ex, const struct coh__strategy *strat)
{
	coh_machine_reset(ex->m);
	coh_check_reset(ex->chk);
	ex->runs++;
	ex->s->speculation = ex->fl.speculation;
	return coh__sched_run(ex->s, ex->prog, strat, ex->fl.max_steps, ex->fl.evictions,
	                      ex->fl.faults);
}

int coh__explorer_replay(struct coh__explorer *ex, const struct coh__deviation *devs, size_t n)
{
	struct coh__replay r = {devs, n, 0};
	struct coh__strategy st;
	coh__replay_strategy(&r, &st);
	return coh__explorer_run(ex, &st);
}

char *coh__finding_key(struct coh__explorer *ex, size_t i)
{
	const coh_finding *f = coh_check_get(ex->chk, i);
	if (!f)
		return NULL;
	char *key = NULL;
	const char *kind = coh_finding_kind_name(f->kind);
	int rc;
	if (i < 64 && ex->s->report_site[i][0])
		rc = asprintf(&key, "%s@%s", kind, ex->s->report_site[i]);
	else if (f->trigger.file)
		rc = asprintf(&key, "%s@%s:%u", kind, f->trigger.file, f->trigger.line);
	else if (f->has_addr)
		rc = asprintf(&key, "%s@pa:0x%llx", kind, (unsigned long long)f->pa);
	else
		rc = asprintf(&key, "%s@-", kind);
	return rc < 0 ? NULL : key;
}

struct coh__deviation *coh__last_deviations(struct coh__explorer *ex, size_t *n)
{
	coh_sched *s = ex->s;
	size_t cnt = 0;
	for (size_t i = 0; i < s->nrec; i++)
		cnt += s->rec[i].value != 0;
	*n = cnt;
	if (!cnt)
		return NULL;
	struct coh__deviation *d = malloc(cnt * sizeof(*d));
	if (!d) {
		*n = 0;
		return NULL;
	}
	cnt = 0;
	for (size_t i = 0; i < s->nrec; i++)
		if (s->rec[i].value)
			d[cnt++] = (struct coh__deviation){i, s->rec[i].value};
	return d;
}
