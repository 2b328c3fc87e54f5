/*
 * check.c - the checker object: its configuration, its life (create,
 * reset between executions, destroy) and its list of findings.
 *
 * Interface: coh_check_config_init(), coh_check_create(),
 * coh_check_reset(), coh_check_destroy(), coh_check_count(),
 * coh_check_get(), coh_check_machine(), coh_check_report()
 * (include/cohsim); coh__finding_new() (check_impl.h) for the oracles and
 * the higher layers' findings.
 *
 * Invariants: at most cfg.max_findings findings per execution (the rest
 * are counted in `dropped`); a new finding takes its trigger and trace tail
 * from the machine's trace at the operation under way; a reset frees the
 * findings and clears only what the execution wrote (live shadow pages,
 * block copies, the lifetime shadow), and moves the writers ring's keys
 * past every key used before, so nothing of one execution is seen by the
 * next.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_impl.h"
#include "check/lifetime.h"

coh_finding *coh__finding_new(coh_check *c, enum coh_finding_kind kind, int cpu)
{
	if (c->nfindings >= c->cfg.max_findings) {
		c->dropped++;
		return NULL;
	}
	if (c->nfindings == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		coh_finding *f = realloc(c->findings, cap * sizeof(*f));
		if (!f)
			return NULL;
		c->findings = f;
		c->cap = cap;
	}
	coh_finding *f = &c->findings[c->nfindings++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->cpu = cpu;
	f->stale_cpu = -1;
	if (!coh_machine_event(c->m, c->m->op_ev, &f->trigger))
		f->trigger.no = c->m->op_ev;
	f->ntail = (unsigned)coh_machine_trace_tail(c->m, f->tail, COH_FINDING_TRACE);
	return f;
}

void coh_check_config_init(coh_check_config *cfg)
{
	cfg->oracle = true;
	cfg->max_findings = 64;
}

int coh_check_create(coh_machine *m, const coh_check_config *cfg, coh_check **out)
{
	*out = NULL;
	coh_check *c = calloc(1, sizeof(*c));
	if (!c)
		return COH_ENOMEM;
	if (cfg)
		c->cfg = *cfg;
	else
		coh_check_config_init(&c->cfg);
	if (!c->cfg.max_findings)
		c->cfg.max_findings = 64;
	c->m = m;
	c->writes = calloc(COH__WRITES_CAP, sizeof(*c->writes));
	if (!c->writes) {
		coh_check_destroy(c);
		return COH_ENOMEM;
	}
	coh__check_observe(c);
	*out = c;
	return COH_OK;
}

static void free_findings(coh_check *c)
{
	for (size_t i = 0; i < c->nfindings; i++) {
		free(c->findings[i].schedule);
		free(c->findings[i].detail);
	}
	c->nfindings = 0;
	c->dropped = 0;
}

void coh_check_destroy(coh_check *c)
{
	if (!c)
		return;
	if (c->m)
		coh__machine_set_observer(c->m, NULL);
	free_findings(c);
	coh__blk_free(c);
	free(c->findings);
	for (size_t i = 0; i < c->nshadowed; i++) {
		coh__shadow_free(c->shadowed[i]->shadow[COH__SHADOW_ORACLE]);
		c->shadowed[i]->shadow[COH__SHADOW_ORACLE] = NULL;
	}
	free(c->shadowed);
	free(c->live);
	free(c->writes);
	coh__life_free_all(c);
	free(c);
}

void coh_check_reset(coh_check *c)
{
	free_findings(c);
	coh__blk_free(c);
	/* only what this execution wrote: the live shadow pages; the ring of
	 * writers is not cleared, its keys move on */
	for (size_t i = 0; i < c->nlive; i++) {
		struct shadow_page *s = c->live[i]->shadow[COH__SHADOW_ORACLE];
		coh__shadow_clear(s, c->m->page_size);
		s->live = false;
	}
	c->nlive = 0;
	c->writes_base += c->writes_hi + 1; /* past every key in the ring */
	c->writes_hi = 0;
	coh__life_reset(c);
}

size_t coh_check_count(const coh_check *c)
{
	return c->nfindings;
}

const coh_finding *coh_check_get(const coh_check *c, size_t i)
{
	return i < c->nfindings ? &c->findings[i] : NULL;
}

coh_machine *coh_check_machine(const coh_check *c)
{
	return c->m;
}

coh_finding *coh_check_report(coh_check *c, enum coh_finding_kind kind, int cpu, const char *fmt,
                              ...)
{
	coh_finding *f = coh__finding_new(c, kind, cpu);
	if (!f)
		return NULL;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->message, sizeof(f->message), fmt, ap);
	va_end(ap);
	return f;
}
