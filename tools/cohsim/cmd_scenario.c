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
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
		char ver[16];
		fprintf(out, "  kernel:       %s%s\n",
		        kernel_version_str(sc->kernel_version ? sc->kernel_version
		                                              : COH_KERNEL_VERSION_DEFAULT,
		                           ver, sizeof(ver)),
		        sc->needs_highmem ? " (needs highmem: ARM profiles with highmem only)"
		                          : "");
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
	fprintf(out, "cohsim replay %s --variant %s --arch %s", name, variant, arch);
	for (int i = 0; i < o->nfixes; i++)
		fprintf(out, " --fix %s", o->fixes[i].name);
	if (o->kernel_version) {
		char v[16];
		fprintf(out, " --kernel %s", kernel_version_str(o->kernel_version, v, sizeof(v)));
	}
	/* without it a replay reports only its execution's first finding,
	 * which need not be this one */
	if (o->keep_going)
		fprintf(out, " --keep-going");
	if (o->no_lockdep)
		fprintf(out, " --no-lockdep");
	fprintf(out, " --schedule '%s'", schedule);
}

/* The same as one malloc'd string (NULL when out of memory). */
static char *replay_string(const char *name, const char *variant, const char *arch,
                           const struct cli_opts *o, const char *schedule)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return NULL;
	print_replay(out, name, variant, arch, o, schedule);
	if (fclose(out)) {
		free(buf);
		return NULL;
	}
	return buf;
}

struct scenario_replay {
	const coh_scenario *sc;
	const struct coh_run_options *ro;
};

static int replay_scenario(void *arg, const coh_explore_config *cfg, coh_explore_result *res)
{
	const struct scenario_replay *a = arg;
	char err[256];
	return coh_scenario_run(a->sc, a->ro, cfg, res, err, sizeof(err));
}

/* --report/--trace: the execution of the first finding, or the default one. */
static int capture_timeline(const coh_scenario *sc, const struct coh_run_options *ro,
                            const struct cli_opts *o, const coh_explore_result *res,
                            struct cli_result *r)
{
	const char *sched = res->nfindings ? res->findings[0].schedule
	                    : o->schedule  ? o->schedule
	                                   : COH_SCHEDULE_VERSION ":";
	char *cmd = replay_string(sc->name, r->variant, r->arch, o, sched);
	if (!cmd)
		return EXIT_INTERNAL;
	struct scenario_replay a = {sc, ro};
	int rc = cli_timeline_capture(r, sched, cmd, res->nfindings != 0, replay_scenario, &a);
	free(cmd);
	return rc;
}

/* A finding's text: its report, how it was found, and the command that
 * replays it (replay writes it). NULL when out of memory. */
static char *render_text(const coh_explore_finding *f, cli_replay_line_fn replay, const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return NULL;
	fputs(f->report, out);
	/* only what tells something: not "after 1 schedule", not "from 0 to 0" */
	if (f->found_at > 1 && f->shrunk_from != f->deviations)
		fprintf(out,
		        "(found after %" PRIu64 " schedules; shrunk from %u to %u deviations)\n",
		        f->found_at, f->shrunk_from, f->deviations);
	else if (f->found_at > 1)
		fprintf(out, "(found after %" PRIu64 " schedules)\n", f->found_at);
	else if (f->shrunk_from != f->deviations)
		fprintf(out, "(shrunk from %u to %u deviations)\n", f->shrunk_from, f->deviations);
	fputs("Replay: ", out);
	replay(out, arg, f->schedule);
	fputs("\n\n", out);
	if (fclose(out)) {
		free(buf);
		return NULL;
	}
	return buf;
}

int cli_result_add_findings(struct cli_result *r, const coh_explore_result *res,
                            cli_replay_line_fn replay, const void *arg)
{
	if (res->nfindings) {
		r->findings = calloc(res->nfindings, sizeof(*r->findings));
		if (!r->findings)
			return COH_ENOMEM;
	}
	for (size_t i = 0; i < res->nfindings; i++) {
		struct cli_finding *f = &r->findings[r->nfindings];
		f->kind = res->findings[i].kind;
		f->text = render_text(&res->findings[i], replay, arg);
		f->json = cli_json_with_field(res->findings[i].json, "key", res->findings[i].key);
		f->json = cli_finding_json_extras(f->json, &res->findings[i], r);
		r->nfindings++;
		if (!f->text || !f->json)
			return COH_ENOMEM;
	}
	return 0;
}

struct replay_args {
	const char *name, *variant, *arch;
	const struct cli_opts *o;
};

static void scenario_replay_line(FILE *out, const void *arg, const char *schedule)
{
	const struct replay_args *a = arg;
	print_replay(out, a->name, a->variant, a->arch, a->o, schedule);
}

int cli_explore_config(const struct cli_opts *o, const char *strategy, enum coh_strategy def,
                       int def_preemptions, uint64_t def_budget, coh_explore_config *cfg)
{
	coh_explore_config_init(cfg);
	int strat = strategy ? coh_strategy_parse(strategy) : (int)def;
	if (o->schedule)
		strat = COH_STRATEGY_REPLAY;
	if (strat < 0) {
		fprintf(stderr, "cohsim: unknown strategy '%s'\n", strategy);
		return EXIT_USAGE;
	}
	cfg->strategy = (enum coh_strategy)strat;
	cfg->schedule = o->schedule;
	cfg->seed = o->seed;
	if (o->given & OPT_BUDGET)
		cfg->budget = o->budget;
	else if (cfg->strategy == COH_STRATEGY_DFS)
		cfg->budget = 0; /* until complete */
	else if (def_budget)
		cfg->budget = def_budget;
	cfg->time_s = o->time_s;
	cfg->depth = o->depth;
	cfg->preemptions = (o->given & OPT_PREEMPTIONS) ? o->preemptions : def_preemptions;
	cfg->iterative = o->iterative;
	cfg->preemptions_from = o->preemptions_from;
	cfg->jobs = o->jobs;
	cfg->shard_index = o->shard_index;
	cfg->shard_count = o->shard_count;
	cfg->keep_going = o->keep_going;
	if (o->speculation)
		cfg->speculation = o->speculation > 0; /* else the scenario's default */
	cfg->lockdep = !o->no_lockdep;
	cfg->por_bounded = o->por;
	if (o->max_steps)
		cfg->max_steps = o->max_steps;
	cfg->max_evictions = o->evictions;
	return 0;
}

/* --stats: the counters of one execution (cli_stats_schedule): this run's
 * if it was a replay, else a replay of the first finding's schedule (or of
 * "v1:"). Returns 0 or a COH_E* status. */
static int add_stats(const coh_scenario *sc, const struct coh_run_options *ro,
                     const coh_explore_config *cfg, const coh_explore_result *res,
                     struct cli_result *r, char *err, size_t errlen)
{
	if (cfg->strategy == COH_STRATEGY_REPLAY)
		return cli_result_set_stats(r, res, cfg->schedule);
	coh_explore_config one = *cfg;
	one.strategy = COH_STRATEGY_REPLAY;
	one.schedule = cli_stats_schedule(res);
	one.jobs = 1;
	one.progress = false;
	coh_explore_result ores;
	int rc = coh_scenario_run(sc, ro, &one, &ores, err, errlen);
	if (!rc)
		rc = cli_result_set_stats(r, &ores, one.schedule);
	coh_explore_result_free(&ores);
	return rc;
}

/* cli_scenario_run() while the --disk files, if any, are attached. */
static int run_attached(const char *name, const char *variant, const char *arch,
                        const char *strategy, const struct cli_opts *o, struct cli_result *r)
{
	const coh_scenario *sc = coh_scenario_find(name);
	if (!sc) {
		fprintf(stderr, "cohsim: unknown scenario '%s'; the scenarios:", name);
		for (size_t i = 0; i < coh_scenario_count(); i++)
			fprintf(stderr, " %s", coh_scenario_at(i)->name);
		fputc('\n', stderr);
		return EXIT_USAGE;
	}
	struct coh_run_options ro;
	coh_run_options_init(&ro);
	ro.variant = variant ? variant : "buggy";
	ro.arch = arch ? arch : sc->default_arch;
	ro.kernel_version = o->kernel_version;
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
	int rc0 = cli_explore_config(o, strategy, sc->strategy, sc->preemptions, sc->budget, &cfg);
	if (rc0)
		return rc0;

	coh_explore_result res;
	char err[256] = "";
	int rc = coh_scenario_run(sc, &ro, &cfg, &res, err, sizeof(err));
	if (!rc && o->stats)
		rc = add_stats(sc, &ro, &cfg, &res, r, err, sizeof(err));
	if (rc == COH_EINVAL) {
		fprintf(stderr, "cohsim: %s\n", err[0] ? err : "invalid run options or schedule");
		coh_explore_result_free(&res);
		cli_result_free(r);
		return EXIT_USAGE;
	}
	if (rc) {
		fprintf(stderr, "cohsim: %s: %s\n", name, err[0] ? err : coh_strerror(rc));
		if (rc == COH_ENOMEM)
			cli_memory_hint();
		coh_explore_result_free(&res);
		cli_result_free(r);
		/* a --disk file that cannot be used is COH_EINVAL (above); a host
		 * read error is ours to report: exit 3 */
		return EXIT_INTERNAL;
	}
	r->scenario = sc->name;
	r->variant = ro.variant;
	r->arch = coh_arch_find(ro.arch)->name;
	r->strategy = coh_strategy_name(cfg.strategy);
	r->seed = cfg.seed;
	r->shard_index = cfg.shard_index;
	r->shard_count = cfg.shard_count;
	r->eviction_bound = cfg.strategy == COH_STRATEGY_REPLAY ? 0 : cfg.max_evictions;
	r->schedules = res.schedules;
	r->complete = res.complete;
	r->elapsed_s = res.elapsed_s;
	cli_result_set_pct(r, &res);
	struct replay_args ra = {sc->name, r->variant, r->arch, o};
	if (cli_result_set_bounds(r, &res, &cfg, o->stats) ||
	    cli_result_add_findings(r, &res, scenario_replay_line, &ra)) {
		coh_explore_result_free(&res);
		cli_result_free(r);
		return EXIT_INTERNAL;
	}
	if (cli_wants_timeline(o) && (rc = capture_timeline(sc, &ro, o, &res, r)) != 0) {
		coh_explore_result_free(&res);
		cli_result_free(r);
		return rc;
	}
	coh_explore_result_free(&res);
	return 0;
}

/* --disk on a scenario that makes no disk does not apply: its default
 * execution, run once in this process, tells. 0, or an exit status. */
static int check_disks(const char *name, const char *variant, const char *arch,
                       const struct cli_opts *o)
{
	struct cli_opts one = *o;
	one.schedule = COH_SCHEDULE_VERSION ":";
	one.given &= ~(OPT_BUDGET | OPT_TIME | OPT_SHARD | OPT_JOBS | OPT_STATS);
	one.jobs = 1;
	one.shard_count = 1;
	one.shard_index = 0;
	one.stats = false;
	one.report = one.trace = NULL;
	one.quiet = true;
	struct cli_result r;
	memset(&r, 0, sizeof(r));
	unsigned long before = coh_disk_files_opened();
	int rc = run_attached(name, variant, arch, NULL, &one, &r);
	if (rc)
		return rc;
	cli_result_free(&r);
	if (coh_disk_files_opened() != before)
		return 0;
	fprintf(stderr, "cohsim: --disk does not apply: scenario '%s' makes no disk\n", name);
	return EXIT_USAGE;
}

/* --disk FILE: FILE.N seeds disk N and is only read. Before the run: its
 * folder must be one, and every FILE.N there a regular file we can read
 * (a missing one is a disk of zeroes). */
static int check_disk_prefix(const char *prefix)
{
	char dir[4096];
	size_t len = strlen(prefix);
	if (len >= sizeof(dir) - 8 || prefix[len - 1] == '/') {
		fprintf(stderr, "cohsim: --disk '%s': not a usable file name prefix\n", prefix);
		return EXIT_USAGE;
	}
	memcpy(dir, prefix, len + 1);
	char *slash = strrchr(dir, '/');
	if (!slash)
		strcpy(dir, ".");
	else
		slash[slash == dir] = 0; /* "/d" -> "/" */
	struct stat st;
	if (stat(dir, &st) != 0) {
		fprintf(stderr, "cohsim: --disk '%s': folder %s: %s\n", prefix, dir,
		        strerror(errno));
		return EXIT_USAGE;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "cohsim: --disk '%s': %s is not a folder\n", prefix, dir);
		return EXIT_USAGE;
	}
	for (unsigned i = 0; i < 8; i++) {
		char path[4200];
		snprintf(path, sizeof(path), "%s.%u", prefix, i);
		if (stat(path, &st) != 0 && errno == ENOENT)
			continue; /* a disk of zeroes */
		if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
			fprintf(stderr, "cohsim: --disk: %s is not a regular file\n", path);
			return EXIT_USAGE;
		}
		if (access(path, R_OK) != 0) {
			fprintf(stderr, "cohsim: --disk: cannot read %s: %s\n", path,
			        strerror(errno));
			return EXIT_USAGE;
		}
	}
	return 0;
}

int cli_scenario_run(const char *name, const char *variant, const char *arch, const char *strategy,
                     const struct cli_opts *o, struct cli_result *r)
{
	memset(r, 0, sizeof(*r));
	int bad = o->disk ? check_disk_prefix(o->disk) : 0;
	if (bad)
		return bad;
	if (o->disk && coh_disk_attach_prefix(o->disk) != 0) {
		fprintf(stderr, "cohsim: --disk '%s': not a usable file name prefix\n", o->disk);
		return EXIT_USAGE;
	}
	int rc = o->disk ? check_disks(name, variant, arch, o) : 0;
	if (!rc)
		rc = run_attached(name, variant, arch, strategy, o, r);
	if (o->disk) {
		coh_disk_close_all();
		coh_disk_detach_all();
	}
	return rc;
}

static int strategy_of(const char *s, const coh_scenario *sc)
{
	return s ? coh_strategy_parse(s) : (int)sc->strategy;
}

static int run_and_print(const char *cmd, const struct cli_opts *o)
{
	if (o->nargs != 1) {
		fprintf(stderr, "cohsim %s: expected one scenario name (see `cohsim list`)\n", cmd);
		return EXIT_USAGE;
	}
	/* an option for another strategy than the one that runs is an error */
	const coh_scenario *sc = coh_scenario_find(o->args[0]);
	int strat = !sc           ? -1
	            : o->schedule ? COH_STRATEGY_REPLAY
	                          : strategy_of((o->given & OPT_STRATEGY) ? o->strategy : NULL, sc);
	if (strat >= 0 && cli_check_strategy_options(cmd, o, (enum coh_strategy)strat))
		return EXIT_USAGE;
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
	/* the schedule string fixes the strategy and the step bound */
	if (o->given & (OPT_STRATEGY | OPT_MAX_STEPS)) {
		fprintf(stderr,
		        "cohsim replay: --schedule replays one schedule; --%s does not "
		        "apply\n",
		        (o->given & OPT_STRATEGY) ? "strategy" : "max-steps");
		return EXIT_USAGE;
	}
	return run_and_print("replay", o);
}
