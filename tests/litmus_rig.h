/*
 * litmus_rig.h - what the test_litmus*.c files share: the check of a table
 * of malformed inputs, a parse that must succeed, a litmus test run on its
 * machine with a check and its outcome (status, findings, printed report),
 * the finding kinds as bits (to compare with a `# expect:` header), and
 * explorer runs whose findings must replay. Static inline: each test file
 * takes what it uses.
 */
#ifndef COHSIM_TESTS_LITMUS_RIG_H
#define COHSIM_TESTS_LITMUS_RIG_H

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/check.h"
#include "cohsim/litmus.h"
#include "cohsim/sched.h"

/* ---- helpers ---- */

struct outcome {
	int status;          /* of parse, config or run */
	unsigned kinds;      /* bit per finding kind */
	size_t nfindings;    /* all findings */
	unsigned first_line; /* trigger line of the first finding */
	char *text;          /* every finding printed, for determinism checks */
};

static inline void run_litmus(coh_litmus *lt, const coh_arch *arch, struct outcome *o)
{
	coh_machine_config mcfg;
	coh_litmus_error err;
	coh_machine *m = NULL;
	coh_check *chk = NULL;
	coh_check_config ccfg;
	coh_check_config_init(&ccfg);
	o->status = coh_litmus_machine_config(lt, arch, &mcfg, &err);
	if (o->status)
		return;
	assert_int_equal(coh_machine_create(&mcfg, &m), 0);
	assert_int_equal(coh_check_create(m, &ccfg, &chk), 0);
	o->status = coh_litmus_run(lt, m, chk, &err);
	o->nfindings = coh_check_count(chk);
	size_t len = 0;
	FILE *f = open_memstream(&o->text, &len);
	assert_non_null(f);
	for (size_t i = 0; i < o->nfindings; i++) {
		const coh_finding *fd = coh_check_get(chk, i);
		o->kinds |= 1u << fd->kind;
		if (i == 0)
			o->first_line = fd->trigger.line;
		coh_finding_print(fd, f);
		coh_finding_print_json(fd, f);
	}
	fclose(f);
	coh_check_destroy(chk);
	coh_machine_destroy(m);
}

/* A malformed input and the error it must give. */
struct bad_case {
	const char *text;
	unsigned line;
	const char *what; /* a substring of the message */
};

/* Each case must be refused as COH_EINVAL, with no test, err.line the case's
 * line and a message "t.litmus:LINE: ..." holding its `what`. */
static inline void assert_bad_cases(const struct bad_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct bad_case *c = &cases[i];
		coh_litmus *lt = (coh_litmus *)0x1;
		coh_litmus_error err;
		int st = coh_litmus_parse_string("t.litmus", c->text, &lt, &err);
		char prefix[32];
		snprintf(prefix, sizeof(prefix), "t.litmus:%u: ", c->line);
		if (st != COH_EINVAL || lt != NULL || err.line != c->line ||
		    strncmp(err.message, prefix, strlen(prefix)) != 0 ||
		    !strstr(err.message, c->what))
			fail_msg("case %zu: status %d, got \"%s\", want \"%s...%s\"", i, st,
			         err.message, prefix, c->what);
	}
}

/* Parses text as t.litmus; the test fails with the error otherwise. */
static inline coh_litmus *parse_text(const char *text)
{
	coh_litmus *lt;
	coh_litmus_error err;
	if (coh_litmus_parse_string("t.litmus", text, &lt, &err))
		fail_msg("parse failed: %s\n--\n%s", err.message, text);
	return lt;
}

static inline unsigned kind_bit(enum coh_finding_kind k)
{
	return 1u << k;
}

/* ---- the explorer ---- */

static inline coh_explore_config explore_cfg(enum coh_strategy st)
{
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = st;
	c.progress = false;
	if (st == COH_STRATEGY_DFS)
		c.budget = 0;
	return c;
}

/* Explores lt under cfg; the test fails unless coh_explore returns 0. */
static inline coh_explore_result explore(const coh_litmus *lt, const coh_explore_config *cfg)
{
	coh_machine_config mcfg;
	coh_litmus_error err;
	assert_int_equal(coh_litmus_machine_config(lt, NULL, &mcfg, &err), 0);
	coh_litmus_program *p;
	assert_int_equal(coh_litmus_program_create(lt, &p), 0);
	coh_explore_result r;
	int st = coh_explore(cfg, &mcfg, coh_litmus_program_get(p), &r);
	if (st)
		fail_msg("coh_explore: %s (%s)", coh_strerror(st),
		         coh_litmus_program_error(p) ? coh_litmus_program_error(p) : "-");
	coh_litmus_program_free(p);
	return r;
}

static inline unsigned result_kinds(const coh_explore_result *r)
{
	unsigned k = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		k |= 1u << r->findings[i].kind;
	return k;
}

/* Replays every finding's schedule: the report must be byte-identical. */
static inline void assert_replays(const coh_litmus *lt, const coh_explore_result *r)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		coh_explore_config c = explore_cfg(COH_STRATEGY_REPLAY);
		c.schedule = r->findings[i].schedule;
		c.keep_going = true; /* a second finding of one schedule shows too */
		coh_explore_result rr = explore(lt, &c);
		bool same = false;
		for (size_t j = 0; j < rr.nfindings; j++)
			same |= !strcmp(rr.findings[j].report, r->findings[i].report) &&
			        !strcmp(rr.findings[j].json, r->findings[i].json) &&
			        !strcmp(rr.findings[j].schedule, r->findings[i].schedule);
		if (!same)
			fail_msg("replay of %s differs:\n%s\n--\n%s", r->findings[i].schedule,
			         r->findings[i].report, rr.nfindings ? rr.findings[0].report : "-");
		coh_explore_result_free(&rr);
	}
}

static inline int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

#endif
