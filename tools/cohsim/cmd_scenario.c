/*
 * cmd_scenario.c - the built-in scenarios on the command line:
 *   cohsim list                      scenarios, variants, fix switches, default arch
 *   cohsim run SCENARIO [options]    explore one variant
 *   cohsim replay SCENARIO --schedule S [--variant V] [--arch A] [--fix ...]
 *
 * A run prints each finding (sanitizer-style report, the shrunk schedule,
 * and the ready command that replays it), then a summary line; --json gives
 * one JSON object instead. Without options a run uses the scenario's own
 * strategy, bound and budget. Standard output is deterministic; the time and
 * the explorer's progress go to stderr.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cohsim/blkdev.h"
#include "cohsim/scenario.h"

int cmd_list(const struct cli_opts *o)
{
	if (o->nargs) {
		fprintf(stderr, "cohsim list: unexpected argument '%s'\n", o->args[0]);
		return EXIT_USAGE;
	}
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return EXIT_INTERNAL;
	for (size_t i = 0; i < coh_scenario_count(); i++) {
		const coh_scenario *sc = coh_scenario_at(i);
		fprintf(out, "%s\n  %s\n  models:       %s\n  default arch: %s\n", sc->name,
		        sc->description, sc->models, sc->default_arch);
		fprintf(out, "  variants:    ");
		for (const struct coh_variant *v = sc->variants;
		     v < sc->variants + COH_MAX_VARIANTS && v->name; v++) {
			fprintf(out, " %s", v->name);
			if (v->fixes_on[0]) {
				fprintf(out, " (");
				for (const char *const *f = v->fixes_on; *f; f++)
					fprintf(out, "%s%s", f == v->fixes_on ? "" : ", ", *f);
				fprintf(out, ")");
			} else {
				fprintf(out, " (no fix)");
			}
		}
		fprintf(out, "\n  fix switches:\n");
		for (const struct coh_fix_switch *f = sc->fixes; f->name; f++)
			fprintf(out, "    %-22s %s\n", f->name, f->help);
		fprintf(out, "\n");
	}
	int rc = fclose(out) ? EXIT_INTERNAL : cli_flush_stdout(buf, len);
	free(buf);
	return rc;
}

/* The replay command line of a finding, as a user would type it. */
static void print_replay(FILE *out, const char *name, const char *variant, const char *arch,
                         const struct cli_opts *o, const char *schedule)
{
	fprintf(out, "Replay: cohsim replay %s --variant %s --arch %s", name, variant, arch);
	for (int i = 0; i < o->nfixes; i++)
		fprintf(out, " --fix %s", o->fixes[i].name);
	/* without it a replay reports only its execution's first finding,
	 * which need not be this one */
	if (o->keep_going)
		fprintf(out, " --keep-going");
	fprintf(out, " --schedule '%s'\n\n", schedule);
}

static char *render_text(const coh_explore_finding *f, const char *name, const char *variant,
                         const char *arch, const struct cli_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return NULL;
	fputs(f->report, out);
	fprintf(out, "(found after %" PRIu64 " schedule%s; shrunk from %u to %u deviations)\n",
	        f->found_at, f->found_at == 1 ? "" : "s", f->shrunk_from, f->deviations);
	print_replay(out, name, variant, arch, o, f->schedule);
	if (fclose(out)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int strategy_of(const char *s, const coh_scenario *sc)
{
	return s ? coh_strategy_parse(s) : (int)sc->strategy;
}

int cli_scenario_run(const char *name, const char *variant, const char *arch, const char *strategy,
                     const struct cli_opts *o, struct cli_result *r)
{
	memset(r, 0, sizeof(*r));
	const coh_scenario *sc = coh_scenario_find(name);
	if (!sc) {
		fprintf(stderr, "cohsim: unknown scenario '%s' (see `cohsim list`)\n", name);
		return EXIT_USAGE;
	}
	struct coh_run_options ro;
	coh_run_options_init(&ro);
	ro.variant = variant ? variant : "buggy";
	ro.arch = arch ? arch : sc->default_arch;
	char fixnames[CLI_MAX_ARGS][64];
	for (int i = 0; i < o->nfixes; i++) {
		if (o->fixes[i].len >= sizeof(fixnames[i])) {
			fprintf(stderr, "cohsim: --fix: name too long\n");
			return EXIT_USAGE;
		}
		memcpy(fixnames[i], o->fixes[i].name, o->fixes[i].len);
		fixnames[i][o->fixes[i].len] = 0;
		ro.overrides[ro.noverrides].name = fixnames[i];
		ro.overrides[ro.noverrides].on = o->fixes[i].on;
		ro.noverrides++;
	}

	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	int strat = strategy_of(strategy, sc);
	if (o->schedule)
		strat = COH_STRATEGY_REPLAY;
	if (strat < 0) {
		fprintf(stderr, "cohsim: unknown strategy '%s'\n", strategy);
		return EXIT_USAGE;
	}
	cfg.strategy = (enum coh_strategy)strat;
	cfg.schedule = o->schedule;
	cfg.seed = o->seed;
	if (o->given & OPT_BUDGET)
		cfg.budget = o->budget;
	else if (cfg.strategy == COH_STRATEGY_DFS)
		cfg.budget = 0; /* until complete */
	else if (sc->budget)
		cfg.budget = sc->budget;
	cfg.time_s = o->time_s;
	cfg.depth = o->depth;
	cfg.preemptions = (o->given & OPT_PREEMPTIONS) ? (int)o->preemptions : sc->preemptions;
	cfg.jobs = o->jobs;
	cfg.shard_index = o->shard_index;
	cfg.shard_count = o->shard_count;
	cfg.keep_going = o->keep_going;
	cfg.max_evictions = o->evictions;

	if (o->disk && coh_disk_attach_prefix(o->disk) != 0) {
		fprintf(stderr, "cohsim: --disk '%s': not a usable file name prefix\n", o->disk);
		return EXIT_USAGE;
	}
	coh_explore_result res;
	char err[256] = "";
	int rc = coh_scenario_run(sc, &ro, &cfg, &res, err, sizeof(err));
	if (o->disk) {
		coh_disk_close_all();
		coh_disk_detach_all();
	}
	if (rc == COH_EINVAL) {
		fprintf(stderr, "cohsim: %s\n", err[0] ? err : "invalid run options or schedule");
		coh_explore_result_free(&res);
		return EXIT_USAGE;
	}
	if (rc) {
		fprintf(stderr, "cohsim: %s: %s\n", name, err[0] ? err : coh_strerror(rc));
		coh_explore_result_free(&res);
		/* a backing file that cannot be used is bad input, not our failure */
		return rc == COH_EIO && o->disk ? EXIT_USAGE : EXIT_INTERNAL;
	}
	r->scenario = sc->name;
	r->variant = ro.variant;
	r->arch = coh_arch_find(ro.arch)->name;
	r->strategy = coh_strategy_name(cfg.strategy);
	r->seed = cfg.seed;
	r->eviction_bound = cfg.strategy == COH_STRATEGY_REPLAY ? 0 : cfg.max_evictions;
	r->schedules = res.schedules;
	r->complete = res.complete;
	r->elapsed_s = res.elapsed_s;
	cli_result_set_pct(r, &res);
	if (res.nfindings) {
		r->findings = calloc(res.nfindings, sizeof(*r->findings));
		if (!r->findings) {
			coh_explore_result_free(&res);
			return EXIT_INTERNAL;
		}
	}
	for (size_t i = 0; i < res.nfindings; i++) {
		struct cli_finding *f = &r->findings[r->nfindings];
		f->kind = res.findings[i].kind;
		f->text = render_text(&res.findings[i], sc->name, r->variant, r->arch, o);
		f->json = strdup(res.findings[i].json);
		r->nfindings++;
		if (!f->text || !f->json) {
			coh_explore_result_free(&res);
			cli_result_free(r);
			return EXIT_INTERNAL;
		}
	}
	coh_explore_result_free(&res);
	return 0;
}

static int run_and_print(const char *cmd, const struct cli_opts *o)
{
	if (o->nargs != 1) {
		fprintf(stderr, "cohsim %s: expected one scenario name (see `cohsim list`)\n", cmd);
		return EXIT_USAGE;
	}
	struct cli_result r;
	int rc = cli_scenario_run(o->args[0], o->variant, o->arch ? o->arch->name : NULL,
	                          (o->given & OPT_STRATEGY) ? o->strategy : NULL, o, &r);
	if (rc)
		return rc;
	fprintf(stderr, "cohsim %s: %.3f s\n", cmd, r.elapsed_s);
	return cli_result_emit(&r, o);
}

int cmd_run(const struct cli_opts *o)
{
	if (o->schedule) {
		fprintf(stderr, "cohsim run: --schedule belongs to `cohsim replay`\n");
		return EXIT_USAGE;
	}
	return run_and_print("run", o);
}

int cmd_replay(const struct cli_opts *o)
{
	if (!o->schedule) {
		fprintf(stderr, "cohsim replay: --schedule STRING is required\n");
		return EXIT_USAGE;
	}
	return run_and_print("replay", o);
}
