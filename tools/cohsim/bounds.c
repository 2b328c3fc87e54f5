/*
 * bounds.c - how the schedules a dfs explored grow with the preemption
 * bound (coh_explore_result.bounds), for `--stats` under dfs and for every
 * iterative run (`--preemptions LO..HI`), as text and JSON.
 *
 * Text: with --stats, a table of bound b -> schedules with exactly b
 * preemptions, cumulative schedules, growth over b - 1, findings first
 * found at b, whether every execution with b preemptions ran, and a bar
 * on a log scale (integer arithmetic only, so the bytes never depend on
 * the host's libm). An iterative run always prints one line naming each
 * bound and whether it was complete.
 *
 * JSON: "iterative":{"from","to" (null: none),"reached"} for an iterative
 * run, and "bounds":[{"bound","schedules","cumulative","findings",
 * "complete"}]; each finding gets "found_at_bound" (the preemptions of the
 * execution that first found it). `cohsim merge` adds the rows up.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_result_set_bounds(struct cli_result *r, const coh_explore_result *res,
                          const coh_explore_config *cfg, bool table)
{
	if (cfg->strategy != COH_STRATEGY_DFS || !(table || cfg->iterative))
		return 0;
	r->bounds_table = table;
	r->iterative = cfg->iterative;
	r->iter_from = cfg->preemptions_from;
	r->iter_to = cfg->preemptions < 0 ? -1 : cfg->preemptions;
	r->has_bounds = true;
	if (!res->nbounds)
		return 0;
	r->bounds = malloc(res->nbounds * sizeof(*r->bounds));
	if (!r->bounds)
		return COH_ENOMEM;
	memcpy(r->bounds, res->bounds, res->nbounds * sizeof(*r->bounds));
	r->nbounds = res->nbounds;
	return 0;
}

/* About 16 * log2(n + 1), from the integer's bits: deterministic. */
static unsigned log_q16(uint64_t n)
{
	if (n == UINT64_MAX)
		return 64 * 16;
	n++;
	unsigned e = 63 - (unsigned)__builtin_clzll(n);
	uint64_t frac = e >= 4 ? (n >> (e - 4)) & 15 : (n << (4 - e)) & 15;
	return e * 16 + (unsigned)frac;
}

#define BAR_WIDTH 30

void cli_bounds_print_table(FILE *out, const struct cli_result *r)
{
	if (!r->has_bounds || !r->bounds_table)
		return;
	uint64_t max = 0;
	for (size_t b = 0; b < r->nbounds; b++)
		if (r->bounds[b].schedules > max)
			max = r->bounds[b].schedules;
	fprintf(out, "schedules by preemptions (");
	if (r->iterative && r->iter_to >= 0)
		fprintf(out, "bounds %u..%d in turn", r->iter_from, r->iter_to);
	else if (r->iterative)
		fprintf(out, "bounds %u.. in turn", r->iter_from);
	else if (r->iter_to >= 0)
		fprintf(out, "bound %d", r->iter_to);
	else
		fprintf(out, "unbounded");
	fprintf(out, "; bars: log scale):\n");
	fprintf(out, "  %5s %12s %12s %8s %8s %8s\n", "bound", "schedules", "cumulative", "growth",
	        "findings", "complete");
	uint64_t cum = 0;
	for (size_t b = 0; b < r->nbounds; b++) {
		const coh_explore_bound *x = &r->bounds[b];
		cum += x->schedules;
		char growth[32] = "-";
		if (b > 0 && r->bounds[b - 1].schedules) {
			uint64_t q = x->schedules * 10 / r->bounds[b - 1].schedules;
			snprintf(growth, sizeof(growth), "x%" PRIu64 ".%" PRIu64, q / 10, q % 10);
		}
		unsigned bar = 0;
		if (x->schedules) {
			bar = BAR_WIDTH * log_q16(x->schedules) / log_q16(max);
			bar = bar ? bar : 1;
		}
		fprintf(out, "  %5u %12" PRIu64 " %12" PRIu64 " %8s %8" PRIu64 " %8s  ", x->bound,
		        x->schedules, cum, growth, x->findings, x->complete ? "yes" : "no");
		for (unsigned i = 0; i < bar; i++)
			fputc('#', out);
		fputc('\n', out);
	}
}

void cli_bounds_print_summary(FILE *out, const struct cli_result *r)
{
	if (!r->has_bounds || !r->iterative)
		return;
	fprintf(out, "iterative bounding %u..", r->iter_from);
	if (r->iter_to >= 0)
		fprintf(out, "%d", r->iter_to);
	fputc(':', out);
	for (size_t b = 0; b < r->nbounds; b++) {
		const coh_explore_bound *x = &r->bounds[b];
		fprintf(out, "%s bound %u %s (%" PRIu64 " schedule%s", b ? ";" : "", x->bound,
		        x->complete ? "complete" : "not complete", x->schedules,
		        x->schedules == 1 ? "" : "s");
		if (x->findings)
			fprintf(out, ", %" PRIu64 " finding%s", x->findings,
			        x->findings == 1 ? "" : "s");
		fputc(')', out);
	}
	if (!r->nbounds)
		fputs(" nothing explored", out);
	fputc('\n', out);
}

void cli_bounds_print_json(FILE *out, const struct cli_result *r)
{
	if (!r->has_bounds)
		return;
	if (r->iterative) {
		fprintf(out, ",\"iterative\":{\"from\":%u,\"to\":", r->iter_from);
		if (r->iter_to >= 0)
			fprintf(out, "%d", r->iter_to);
		else
			fputs("null", out);
		fprintf(out, ",\"reached\":");
		if (r->nbounds)
			fprintf(out, "%zu}", r->nbounds - 1);
		else
			fputs("null}", out);
	}
	fputs(",\"bounds\":[", out);
	uint64_t cum = 0;
	for (size_t b = 0; b < r->nbounds; b++) {
		const coh_explore_bound *x = &r->bounds[b];
		cum += x->schedules;
		fprintf(out,
		        "%s{\"bound\":%u,\"schedules\":%" PRIu64 ",\"cumulative\":%" PRIu64
		        ",\"findings\":%" PRIu64 ",\"complete\":%s}",
		        b ? "," : "", x->bound, x->schedules, cum, x->findings,
		        x->complete ? "true" : "false");
	}
	fputc(']', out);
}

/* json (freed) with ,"name":raw added before its last '}'. */
static char *with_raw(char *json, const char *name, const char *raw, bool quoted)
{
	if (!json)
		return NULL;
	const char *end = strrchr(json, '}');
	char *out = NULL;
	if (!end || asprintf(&out, "%.*s,\"%s\":%s%s%s%s", (int)(end - json), json, name,
	                     quoted ? "\"" : "", raw, quoted ? "\"" : "", end) < 0)
		out = NULL;
	free(json);
	return out;
}

char *cli_finding_json_extras(char *json, const coh_explore_finding *f, const struct cli_result *r)
{
	char v[48];
	if (r->has_bounds) {
		snprintf(v, sizeof(v), "%u", f->preemptions);
		json = with_raw(json, "found_at_bound", v, false);
	}
	if (r->shard_count > 1) { /* for `cohsim merge`: last member */
		if (r->iterative)
			snprintf(v, sizeof(v), "%u:%" PRIu64,
			         f->preemptions > r->iter_from ? f->preemptions : r->iter_from,
			         f->unit);
		else
			snprintf(v, sizeof(v), "%" PRIu64, f->unit);
		json = with_raw(json, "unit", v, true);
	}
	return json;
}
