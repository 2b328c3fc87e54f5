/*
 * report.c - the result of a run, as text or as one JSON object
 * (DESIGN.md: scenario, variant, arch, strategy, seed, schedules, complete,
 * findings). The elapsed time is never in it: the commands print it on
 * stderr, so that stdout, JSON included, is byte-identical between runs.
 *
 * Findings are rendered to strings when they are collected, so that a
 * result outlives the checker that made them and results of other sources
 * (the explorer's pre-rendered reports) print the same way. Callers print
 * into a memstream and write it out whole with cli_flush_stdout(), so that
 * an error never leaves half a report on stdout.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static char *render(const coh_finding *f, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	if (json)
		coh_finding_print_json(f, m);
	else
		coh_finding_print(f, m);
	if (fclose(m)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int cli_result_add_check(struct cli_result *r, const coh_check *chk)
{
	size_t n = coh_check_count(chk);
	if (!n)
		return 0;
	struct cli_finding *f = realloc(r->findings, (r->nfindings + n) * sizeof(*f));
	if (!f)
		return COH_ENOMEM;
	r->findings = f;
	for (size_t i = 0; i < n; i++) {
		const coh_finding *cf = coh_check_get(chk, i);
		struct cli_finding *out = &r->findings[r->nfindings];
		out->kind = cf->kind;
		out->text = render(cf, false);
		out->json = render(cf, true);
		if (!out->text || !out->json) {
			free(out->text);
			free(out->json);
			return COH_ENOMEM;
		}
		r->nfindings++;
	}
	return 0;
}

void cli_result_set_pct(struct cli_result *r, const coh_explore_result *res)
{
	if (!res->pct_n)
		return;
	r->pct_n = res->pct_n;
	r->pct_k = res->pct_k;
	r->pct_d = res->pct_d;
	r->pct_probability = res->pct_probability;
}

void cli_result_free(struct cli_result *r)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		free(r->findings[i].text);
		free(r->findings[i].json);
	}
	free(r->findings);
	r->findings = NULL;
	r->nfindings = 0;
}

void cli_result_kinds(const struct cli_result *r, char *buf, size_t size)
{
	bool seen[COH_F_KIND_COUNT] = {false};
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < r->nfindings; i++) {
		unsigned k = (unsigned)r->findings[i].kind;
		if (k >= COH_F_KIND_COUNT || seen[k])
			continue;
		seen[k] = true;
		int n = snprintf(buf + used, size - used, "%s%s", used ? "," : "",
		                 coh_finding_kind_name(r->findings[i].kind));
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
	if (!used)
		snprintf(buf, size, "clean");
}

static void print_json(FILE *out, const struct cli_result *r)
{
	fprintf(out, "{\"scenario\":");
	coh_json_string(out, r->scenario);
	fprintf(out, ",\"variant\":");
	if (r->variant)
		coh_json_string(out, r->variant);
	else
		fprintf(out, "null");
	fprintf(out, ",\"arch\":");
	coh_json_string(out, r->arch);
	fprintf(out, ",\"strategy\":");
	coh_json_string(out, r->strategy);
	fprintf(out, ",\"seed\":%" PRIu64 ",\"schedules\":%" PRIu64 ",\"complete\":%s", r->seed,
	        r->schedules, r->complete ? "true" : "false");
	if (r->pct_n)
		fprintf(out,
		        ",\"pct_bound\":{\"n\":%u,\"k\":%" PRIu64 ",\"d\":%u,\"probability\":%.6g}",
		        r->pct_n, r->pct_k, r->pct_d, r->pct_probability);
	if (r->eviction_bound)
		fprintf(out, ",\"eviction_bound\":%u", r->eviction_bound);
	fprintf(out, ",\"findings\":[");
	for (size_t i = 0; i < r->nfindings; i++)
		fprintf(out, "%s\n  %s", i ? "," : "", r->findings[i].json);
	fprintf(out, "%s]}\n", r->nfindings ? "\n" : "");
}

void cli_result_print(FILE *out, const struct cli_result *r, bool json, bool quiet)
{
	if (json) {
		print_json(out, r);
		return;
	}
	if (!quiet)
		for (size_t i = 0; i < r->nfindings; i++)
			fputs(r->findings[i].text, out);
	char kinds[256];
	cli_result_kinds(r, kinds, sizeof(kinds));
	fprintf(out, "cohsim: %s", r->scenario);
	if (r->variant)
		fprintf(out, " (%s)", r->variant);
	fprintf(out, " on %s: ", r->arch);
	if (r->nfindings)
		fprintf(out, "%zu finding%s (%s)", r->nfindings, r->nfindings == 1 ? "" : "s",
		        kinds);
	else
		fprintf(out, "no finding");
	fprintf(out, "; %" PRIu64 " schedule%s, %s, strategy %s, seed %" PRIu64 "\n", r->schedules,
	        r->schedules == 1 ? "" : "s", r->complete ? "complete" : "not complete",
	        r->strategy, r->seed);
	if (r->pct_n)
		fprintf(out,
		        "pct bound per run: P(find a depth-%u bug) >= 1/(n*k^(d-1)) = %.3g "
		        "(n=%u, k=%" PRIu64 ", d=%u)\n",
		        r->pct_d, r->pct_probability, r->pct_n, r->pct_k, r->pct_d);
	if (r->eviction_bound)
		fprintf(out,
		        "eviction bound: at most %u spontaneous evictions or speculative fills "
		        "per execution\n",
		        r->eviction_bound);
}

int cli_flush_stdout(const char *buf, size_t len)
{
	if (len && fwrite(buf, 1, len, stdout) != len)
		return EXIT_INTERNAL;
	return fflush(stdout) ? EXIT_INTERNAL : 0;
}

int cli_result_emit(struct cli_result *r, const struct cli_opts *o)
{
	int rc = 0;
	if (o->report)
		rc = cli_result_write_html(o->report, r);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = rc ? NULL : open_memstream(&buf, &len);
	if (!rc && !out)
		rc = EXIT_INTERNAL;
	if (!rc) {
		cli_result_print(out, r, o->json, o->quiet);
		rc = fclose(out) ? EXIT_INTERNAL : cli_flush_stdout(buf, len);
	}
	free(buf);
	if (!rc)
		rc = r->nfindings ? EXIT_FINDINGS : EXIT_CLEAN;
	cli_result_free(r);
	return rc;
}
