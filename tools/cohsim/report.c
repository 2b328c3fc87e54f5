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
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "timeline.h"

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
	/* and dfs's reduction under the bound, reported with it */
	r->por = res->por_bounded;
	r->pruned = res->pruned;
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
	free(r->stats_schedule);
	r->stats_schedule = NULL;
	r->has_stats = false;
	cli_timeline_free(r->timeline);
	r->timeline = NULL;
	free(r->bounds);
	r->bounds = NULL;
	r->nbounds = 0;
	r->has_bounds = false;
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
	fprintf(out, ",\"seed\":%" PRIu64, r->seed);
	if (r->shard_count > 1)
		fprintf(out, ",\"shard\":\"%u/%u\"", r->shard_index, r->shard_count);
	fprintf(out, ",\"schedules\":%" PRIu64 ",\"complete\":%s", r->schedules,
	        r->complete ? "true" : "false");
	if (r->pct_n)
		fprintf(out,
		        ",\"pct_bound\":{\"n\":%u,\"k\":%" PRIu64 ",\"d\":%u,\"probability\":%.6g}",
		        r->pct_n, r->pct_k, r->pct_d, r->pct_probability);
	cli_bounds_print_json(out, r); /* the exploration's, before one execution's */
	if (r->has_stats) {
		fputs(",\"stats_schedule\":", out);
		coh_json_string(out, r->stats_schedule);
		fputc(',', out);
		cli_stats_print_json(out, &r->stats);
	}
	if (r->eviction_bound)
		fprintf(out, ",\"eviction_bound\":%u", r->eviction_bound);
	if (r->por)
		fprintf(out, ",\"por\":{\"cut\":%" PRIu64 "}", r->pruned);
	if (r->extra_json)
		fprintf(out, ",%s", r->extra_json);
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
	if (r->has_stats) {
		fprintf(out, "stats of the execution %s%s:\n", r->stats_schedule,
		        strcmp(r->stats_schedule, COH_SCHEDULE_VERSION ":") == 0
		            ? " (every choice the default)"
		            : "");
		cli_stats_print_text(out, &r->stats);
	}
	cli_bounds_print_table(out, r);
	char kinds[256];
	cli_result_kinds(r, kinds, sizeof(kinds));
	fprintf(out, "cohsim: %s", r->scenario);
	if (r->variant)
		fprintf(out, " (%s)", r->variant);
	fprintf(out, " on %s: ", r->arch);
	if (r->nfindings)
		fprintf(out, "%zu finding%s (%s)", r->nfindings, r->nfindings == 1 ? "" : "s",
		        kinds);
	else if (r->schedules == 0 && !r->complete)
		fprintf(out, "nothing explored");
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
	cli_bounds_print_summary(out, r);
	if (r->por)
		fprintf(out,
		        "partial-order reduction: bound-aware sleep sets (--por), %" PRIu64
		        " executions cut\n",
		        r->pruned);
}

const char *cli_stats_schedule(const coh_explore_result *res)
{
	return res->nfindings ? res->findings[0].schedule : COH_SCHEDULE_VERSION ":";
}

int cli_result_set_stats(struct cli_result *r, const coh_explore_result *res, const char *sched)
{
	free(r->stats_schedule);
	r->stats_schedule = strdup(sched);
	if (!r->stats_schedule)
		return COH_ENOMEM;
	r->stats = res->stats;
	r->has_stats = true;
	return 0;
}

char *cli_json_with_field(const char *json, const char *name, const char *value)
{
	const char *end = strrchr(json, '}');
	if (!end)
		return strdup(json);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fwrite(json, 1, (size_t)(end - json), f);
	fprintf(f, ",\"%s\":", name);
	coh_json_string(f, value ? value : "");
	fputs(end, f);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int cli_flush_stdout(const char *buf, size_t len)
{
	if ((len && fwrite(buf, 1, len, stdout) != len) || fflush(stdout) != 0) {
		fprintf(stderr, "cohsim: cannot write standard output: %s\n", strerror(errno));
		return EXIT_INTERNAL;
	}
	return 0;
}

static void write_trace(FILE *out, const void *arg)
{
	const struct cli_result *r = arg;
	cli_timeline_trace_json(out, r->timeline, r->scenario);
}

int cli_result_emit(struct cli_result *r, const struct cli_opts *o)
{
	int rc = 0;
	if (o->report)
		rc = cli_result_write_html(o->report, r);
	if (!rc && o->trace && r->timeline)
		rc = cli_write_whole(o->trace, "trace", write_trace, r);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = rc ? NULL : open_memstream(&buf, &len);
	if (!rc && !out)
		rc = EXIT_INTERNAL;
	struct cli_rows rows = {0};
	if (!rc && (o->junit || o->tap)) {
		cli_rows_add_result(&rows, r->variant ? "run" : "litmus", r);
		if (rows.nomem)
			rc = EXIT_INTERNAL;
		if (!rc && o->junit)
			rc = cli_rows_junit(o->junit, &rows);
	}
	if (!rc) {
		if (o->tap)
			cli_rows_tap(out, &rows);
		else
			cli_result_print(out, r, o->json, o->quiet);
		rc = fclose(out) ? EXIT_INTERNAL : cli_flush_stdout(buf, len);
	} else if (out) {
		fclose(out);
	}
	cli_rows_free(&rows);
	free(buf);
	if (!rc && !r->nfindings && r->schedules == 0 && !r->complete) {
		/* "no finding" would claim a search that did not happen */
		fprintf(stderr, "cohsim: no schedule was explored (--time too short, or a "
		                "shard beyond --budget?)\n");
		rc = EXIT_USAGE;
	}
	if (!rc)
		rc = r->nfindings ? EXIT_FINDINGS : EXIT_CLEAN;
	cli_result_free(r);
	return rc;
}
