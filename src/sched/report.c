/*
 * report.c - turns a finding into the text and JSON the user sees.
 *
 * The report is the checker's own (what, where, which copy, trace tail)
 * plus two things from this layer: the per-task timeline of the last steps,
 * each with its source line (sched.c records them from the API macros), and
 * the canonical schedule string. Reports are always made from a replay of
 * the canonical schedule, by the same code as `replay`, so a replay
 * reproduces the identical bytes.
 */
#include <stdlib.h>
#include <string.h>

#include "sched/explore_impl.h"

void coh__found_free(struct coh__found *f)
{
	free(f->key);
	free(f->schedule);
	free(f->report);
	free(f->json);
	memset(f, 0, sizeof(*f));
}

static char *print_to_string(const coh_finding *f, bool json)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	if (!out)
		return NULL;
	if (json)
		coh_finding_print_json(f, out);
	else
		coh_finding_print(f, out);
	fclose(out);
	return buf;
}

int coh__report_finding(struct coh__explorer *ex, size_t i, struct coh__found *out)
{
	coh_sched *s = ex->s;
	coh_finding *f = (coh_finding *)coh_check_get(ex->chk, i);
	if (!f)
		return -1;
	memset(out, 0, sizeof(*out));
	out->kind = f->kind;
	out->key = coh__finding_key(ex, i);
	out->schedule = coh__schedule_encode(s->rec, s->nrec, &ex->fl);
	/* the window is around the operation that exposed it (for the sched
	 * layer's findings, the last one before the report) */
	/* a program without tasks (a litmus test without threads) has one
	 * execution: no timeline, no schedule in its text */
	char *timeline = s->ntasks ? coh__timeline(s, f->trigger.no) : NULL;
	if (s->ntasks)
		coh_finding_set_schedule(f, out->schedule);
	if (timeline) {
		/* after the finding's own detail (lockdep's two sides) */
		char *both = NULL;
		if (f->detail && asprintf(&both, "%s\n%s", f->detail, timeline) >= 0) {
			free(timeline);
			timeline = both;
		}
		coh_finding_set_detail(f, timeline);
	}
	free(timeline);
	out->report = print_to_string(f, false);
	out->json = print_to_string(f, true);
	for (size_t j = 0; j < s->nrec; j++)
		out->deviations += s->rec[j].value != 0;
	return out->key && out->schedule && out->report && out->json ? 0 : -1;
}

int coh__report_found(struct coh__explorer *ex, const char *key, const struct coh__deviation *devs,
                      size_t ndev, struct coh__found *out)
{
	/* the report's replay records call chains; the search did not */
	coh_machine_set_stacks(ex->m, true);
	int rc = coh__explorer_replay(ex, devs, ndev);
	coh_machine_set_stacks(ex->m, false);
	if (rc != 0)
		return -1;
	size_t n = coh_check_count(ex->chk);
	for (size_t i = 0; i < n; i++) {
		char *k = coh__finding_key(ex, i);
		bool match = !key || (k && strcmp(k, key) == 0);
		free(k);
		if (match)
			return coh__report_finding(ex, i, out);
	}
	return -1;
}
