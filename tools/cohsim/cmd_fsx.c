/*
 * cmd_fsx.c - `cohsim fsx`: random file operations on the kernel model,
 * checked against a good copy of each file (docs/fsx.md; the workload is
 * fsx.c).
 *
 * One execution per run: the operations and the schedule both come from
 * --seed (strategy pct by default, --strategy random), so the command line
 * itself replays a run exactly. Output: the findings as `cohsim run`
 * prints them (the oracles' and fsx's own mismatches, kind expect-failed),
 * each with the replay command; then, when something was found, the
 * operation log before it and the expected and actual bytes; then the
 * summary. --json puts the same in one object (member "fsx"). The rate
 * (operations/s) goes to stderr only.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "fsx.h"

#define FSX_DEFAULT_OPS 1000

struct fsx_args {
	const struct cli_opts *o;
	const struct fsx_config *cfg;
	const char *arch;
	const char *strategy;
};

static void replay_line(FILE *out, const void *arg, const char *schedule)
{
	const struct fsx_args *a = arg;
	(void)schedule; /* the seed replays the schedule: one execution per run */
	fprintf(out,
	        "cohsim fsx --arch %s --ops %" PRIu64 " --seed %" PRIu64 " --tasks %u --files %u",
	        a->arch, a->cfg->ops, a->cfg->seed, a->cfg->tasks, a->cfg->files);
	if (a->cfg->journal)
		fprintf(out, " --journal");
	if (strcmp(a->strategy, "pct"))
		fprintf(out, " --strategy %s", a->strategy);
	if (a->o->kernel_version)
		fprintf(out, " --kernel %u.%u.%u", a->o->kernel_version >> 16,
		        (a->o->kernel_version >> 8) & 0xff, a->o->kernel_version & 0xff);
	for (int i = 0; i < a->o->nfixes; i++)
		fprintf(out, " --fix %s", a->o->fixes[i].name);
}

static void hex(FILE *out, const uint8_t *p, unsigned n, unsigned mark)
{
	for (unsigned i = 0; i < n; i++)
		fprintf(out, i == mark ? " [%02x]" : " %02x", p[i]);
}

/* The log entries before (and of) operation upto, oldest first. */
static void log_range(const struct fsx_outcome *out, uint64_t upto, uint64_t *from, uint64_t *to)
{
	uint64_t n = out->nlogged, first = n > FSX_LOG ? n - FSX_LOG : 0, last = n;
	while (last > first && out->log[(last - 1) % FSX_LOG].no > upto)
		last--;
	*from = last > first + 24 ? last - 24 : first;
	*to = last;
}

static void print_text(FILE *out, const struct fsx_outcome *fo, const struct fsx_args *a,
                       bool found)
{
	fprintf(out, "fsx: %" PRIu64 " operations of %" PRIu64 " on %u file%s by %u task%s",
	        fo->ops_done, a->cfg->ops, a->cfg->files, a->cfg->files == 1 ? "" : "s",
	        a->cfg->tasks, a->cfg->tasks == 1 ? "" : "s");
	fprintf(out, "; %" PRIu64 " simulated accesses (%" PRIu64 " per operation)\n", fo->accesses,
	        fo->ops_done ? fo->accesses / fo->ops_done : 0);
	fprintf(out, "fsx: operations:");
	for (unsigned i = 0; fsx_op_name(i); i++)
		fprintf(out, " %s %" PRIu64, fsx_op_name(i), fo->op_counts[i]);
	fprintf(out, "\nfsx: final check after sync and drop: %s\n",
	        fo->final_checked ? "every file as expected" : "not reached");
	if (!found)
		return;
	const struct fsx_mismatch *m = &fo->mismatch;
	uint64_t at = m->found ? m->op : fo->finding_op ? fo->finding_op : fo->ops_done, from, to;
	if (m->found && m->offset >= 0) {
		fprintf(out,
		        "fsx: MISMATCH at operation #%" PRIu64 " (%s of f%u): %u byte%s differ, "
		        "the first at offset 0x%" PRIx64 "\n",
		        m->op, m->how, m->file, m->ndiffer, m->ndiffer == 1 ? "" : "s",
		        (uint64_t)m->offset);
		unsigned mark = (unsigned)(m->offset - m->show_from);
		fprintf(out, "  offset 0x%" PRIx64 ":\n  expected", (uint64_t)m->show_from);
		hex(out, m->want, m->show_len, mark);
		fprintf(out, "\n  actual  ");
		hex(out, m->got, m->show_len, mark);
		if (m->writer)
			fprintf(out,
			        "\n  the expected byte was written by operation #%" PRIu64 "\n",
			        m->writer);
		else
			fprintf(out, "\n  the expected byte was never written (zero)\n");
	} else if (m->found) {
		fprintf(out, "fsx: MISMATCH at operation #%" PRIu64 " (%s of f%u): %s\n", m->op,
		        m->how, m->file, m->result);
	} else {
		fprintf(out, "fsx: the first finding came during operation #%" PRIu64 "\n", at);
	}
	log_range(fo, at, &from, &to);
	fprintf(out, "fsx: the operations before it (of %u tasks, in the order they began):\n",
	        a->cfg->tasks);
	for (uint64_t i = from; i < to; i++) {
		const struct fsx_logged *e = &fo->log[i % FSX_LOG];
		fprintf(out, "  #%-6" PRIu64 " fsx%u %s\n", e->no, e->task, e->text);
	}
	fprintf(out, "fsx: replay: ");
	replay_line(out, a, NULL);
	fprintf(out, "\n\n");
}

static void json_bytes(FILE *out, const char *name, const uint8_t *p, unsigned n)
{
	fprintf(out, ",\"%s\":\"", name);
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%02x", p[i]);
	fputc('"', out);
}

/* The "fsx" member of the JSON result (malloc'd; NULL when out of memory). */
static char *print_json(const struct fsx_outcome *fo, const struct fsx_args *a, bool found)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return NULL;
	fprintf(out,
	        "\"fsx\":{\"ops\":%" PRIu64 ",\"ops_done\":%" PRIu64 ",\"tasks\":%u,\"files\":%u,"
	        "\"journal\":%s,\"accesses\":%" PRIu64 ",\"final_checked\":%s,\"op_counts\":{",
	        a->cfg->ops, fo->ops_done, a->cfg->tasks, a->cfg->files,
	        a->cfg->journal ? "true" : "false", fo->accesses,
	        fo->final_checked ? "true" : "false");
	for (unsigned i = 0; fsx_op_name(i); i++)
		fprintf(out, "%s\"%s\":%" PRIu64, i ? "," : "", fsx_op_name(i), fo->op_counts[i]);
	fputc('}', out);
	const struct fsx_mismatch *m = &fo->mismatch;
	if (m->found) {
		fprintf(out, ",\"mismatch\":{\"op\":%" PRIu64 ",\"file\":%u,\"how\":", m->op,
		        m->file);
		coh_json_string(out, m->how);
		if (m->offset >= 0) {
			fprintf(out,
			        ",\"offset\":%" PRId64 ",\"bytes_differ\":%u,\"writer\":%" PRIu64
			        ",\"shown_from\":%" PRId64,
			        m->offset, m->ndiffer, m->writer, m->show_from);
			json_bytes(out, "expected", m->want, m->show_len);
			json_bytes(out, "actual", m->got, m->show_len);
		} else {
			fprintf(out, ",\"result\":");
			coh_json_string(out, m->result);
		}
		fputc('}', out);
	}
	if (found) {
		uint64_t at = m->found         ? m->op
		              : fo->finding_op ? fo->finding_op
		                               : fo->ops_done,
		         from, to;
		log_range(fo, at, &from, &to);
		fprintf(out, ",\"finding_op\":%" PRIu64 ",\"log\":[", at);
		for (uint64_t i = from; i < to; i++) {
			const struct fsx_logged *e = &fo->log[i % FSX_LOG];
			fprintf(out,
			        "%s{\"op\":%" PRIu64 ",\"task\":%u,\"text\":", i > from ? "," : "",
			        e->no, e->task);
			coh_json_string(out, e->text);
			fputc('}', out);
		}
		fprintf(out, "],\"replay\":");
		char *line = NULL;
		size_t ll = 0;
		FILE *lf = open_memstream(&line, &ll);
		if (lf) {
			replay_line(lf, a, NULL);
			if (fclose(lf) == 0)
				coh_json_string(out, line);
		}
		free(line);
	}
	fputc('}', out);
	if (fclose(out)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int check_args(const struct cli_opts *o, struct fsx_config *cfg)
{
	if (o->nargs) {
		fprintf(stderr, "cohsim fsx: unexpected argument '%s' (see cohsim fsx --help)\n",
		        o->args[0]);
		return EXIT_USAGE;
	}
	cfg->ops = (o->given & OPT_OPS) ? o->ops : FSX_DEFAULT_OPS;
	cfg->seed = o->seed;
	cfg->tasks = (o->given & OPT_TASKS) ? o->tasks : 1;
	cfg->files = (o->given & OPT_FILES) ? o->files : cfg->tasks;
	cfg->journal = o->journal;
	if (cfg->files < cfg->tasks) {
		fprintf(
		    stderr,
		    "cohsim fsx: --files %u is fewer than --tasks %u: each task owns at least one "
		    "file (docs/fsx.md)\n",
		    cfg->files, cfg->tasks);
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_fsx(const struct cli_opts *o)
{
	struct fsx_config fcfg;
	int rc = check_args(o, &fcfg);
	if (rc)
		return rc;
	const coh_scenario *sc = fsx_scenario(&fcfg);
	struct coh_run_options ro;
	coh_run_options_init(&ro);
	ro.variant = "fixed";
	ro.arch = o->arch ? o->arch->name : sc->default_arch;
	ro.kernel_version = o->kernel_version;
	char fixnames[CLI_MAX_ARGS][64];
	for (int i = 0; i < o->nfixes; i++) {
		snprintf(fixnames[i], sizeof(fixnames[i]), "%.*s", (int)o->fixes[i].len,
		         o->fixes[i].name);
		ro.overrides[ro.noverrides].name = fixnames[i];
		ro.overrides[ro.noverrides].on = o->fixes[i].on;
		ro.noverrides++;
	}
	coh_explore_config cfg;
	/* pct by default: its priorities keep the disk's completions waiting
	 * for long stretches, so AIO requests stay in flight while the task
	 * goes on (with random the device mostly completes at once) */
	if ((rc = cli_explore_config(o, o->strategy, COH_STRATEGY_PCT, 0, 1, &cfg)) != 0)
		return rc;
	cfg.budget = 1;
	cfg.shrink = false; /* the run is its own replay */
	cfg.max_steps = 1ull << 40;
	coh_explore_result res;
	char err[256] = "";
	rc = coh_scenario_run(sc, &ro, &cfg, &res, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "cohsim fsx: %s\n", err[0] ? err : coh_strerror(rc));
		coh_explore_result_free(&res);
		return rc == COH_EINVAL ? EXIT_USAGE : EXIT_INTERNAL;
	}
	const struct fsx_outcome *fo = fsx_outcome();
	struct cli_result r;
	memset(&r, 0, sizeof(r));
	r.scenario = "fsx";
	r.arch = coh_arch_find(ro.arch)->name;
	r.strategy = coh_strategy_name(cfg.strategy);
	r.seed = cfg.seed;
	r.schedules = res.schedules;
	r.complete = res.complete;
	struct fsx_args a = {o, &fcfg, r.arch, r.strategy};
	bool found = res.nfindings != 0;
	char *text = NULL, *json = NULL;
	size_t tlen = 0;
	if (cli_result_add_findings(&r, &res, replay_line, &a))
		rc = EXIT_INTERNAL;
	if (!rc && o->json && !(json = print_json(fo, &a, found)))
		rc = EXIT_INTERNAL;
	r.extra_json = json;
	if (!rc && !o->json && !o->quiet) {
		FILE *t = open_memstream(&text, &tlen);
		if (!t)
			rc = EXIT_INTERNAL;
		else {
			print_text(t, fo, &a, found);
			if (fclose(t))
				rc = EXIT_INTERNAL;
		}
	}
	double s = res.elapsed_s;
	fprintf(stderr, "cohsim fsx: %" PRIu64 " operations in %.3f s: %.0f operations/s\n",
	        fo->ops_done, s, s > 0 ? (double)fo->ops_done / s : 0.0);
	coh_explore_result_free(&res);
	if (!rc && text && cli_flush_stdout(text, tlen))
		rc = EXIT_INTERNAL;
	if (!rc)
		rc = cli_result_emit(&r, o);
	else
		cli_result_free(&r);
	free(text);
	free(json);
	return rc;
}
