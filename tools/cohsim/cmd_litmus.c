/*
 * cmd_litmus.c - `cohsim litmus FILE`: parse a litmus test and explore the
 * interleavings of its threads with the scheduler (cohsim/sched.h).
 *
 * The test becomes a coh_program (coh_litmus_program_create): the setup
 * ops run first, each thread is a task on its CPU, every machine operation
 * is a preemption point. The default strategy is dfs, exhaustive within the
 * preemption bound (`complete` when it is); --strategy random|pct, --seed,
 * --budget, --time, --depth, --preemptions, --jobs, --shard, --keep-going
 * are the explorer's. `--schedule S` replays one schedule (strategy
 * "replay"). A test without threads has one execution: it runs once,
 * whatever the strategy (schedules 1, complete).
 *
 * One seed: --seed, or else the file's `seed`, seeds both the machine
 * (random replacement) and the strategy.
 *
 * Every finding is the explorer's report (made from a replay of its
 * canonical schedule) followed by a ready command that replays it:
 *     replay: cohsim litmus FILE [--arch A] [--seed N] --schedule 'v1:...'
 * Running that command prints the identical finding (report and replay
 * line). In JSON the command is the finding's "replay" field. When and how
 * a finding was found (schedules before it, shrinking), the PCT bound and
 * the time go to stderr, so stdout is deterministic.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "cohsim/litmus.h"
#include "cohsim/sched.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int exit_for(int st)
{
	return st == COH_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
}

/* Writes s for a POSIX shell: as is when it is made of safe characters,
 * else in single quotes. */
static void shell_word(FILE *out, const char *s)
{
	bool safe = *s != 0;
	for (const char *c = s; *c && safe; c++)
		safe =
		    strchr(
		        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+=:,@%",
		        *c) != NULL;
	if (safe) {
		fputs(s, out);
		return;
	}
	fputc('\'', out);
	for (const char *c = s; *c; c++) {
		if (*c == '\'')
			fputs("'\\''", out);
		else
			fputc(*c, out);
	}
	fputc('\'', out);
}

/* "cohsim litmus FILE [--arch A] [--seed N] --schedule 'S'" (malloc'd). */
static char *replay_command(const char *path, const struct cli_opts *o, const char *schedule)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	fputs("cohsim litmus ", f);
	shell_word(f, path);
	if (o->given & OPT_ARCH)
		fprintf(f, " --arch %s", o->arch->name);
	if (o->given & OPT_SEED)
		fprintf(f, " --seed %" PRIu64, o->seed);
	if (o->no_lockdep)
		fputs(" --no-lockdep", f);
	if (o->keep_going) /* a second finding of one schedule needs it */
		fputs(" --keep-going", f);
	fputs(" --schedule '", f);
	for (const char *c = schedule; *c; c++) /* schedules have no quotes; be safe */
		if (*c != '\'')
			fputc(*c, f);
	fputc('\'', f);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Adds the explorer's findings to r, each with its replay command. */
static int add_findings(struct cli_result *r, const coh_explore_result *res, const char *path,
                        const struct cli_opts *o, bool threads)
{
	if (!res->nfindings)
		return 0;
	r->findings = calloc(res->nfindings, sizeof(*r->findings));
	if (!r->findings)
		return COH_ENOMEM;
	for (size_t i = 0; i < res->nfindings; i++) {
		const coh_explore_finding *ef = &res->findings[i];
		struct cli_finding *cf = &r->findings[i];
		/* without threads there is one execution: nothing to replay */
		char *cmd = threads ? replay_command(path, o, ef->schedule) : NULL;
		cf->kind = ef->kind;
		if (!threads) {
			cf->text = strdup(ef->report);
			cf->json = strdup(ef->json);
		} else if (cmd) {
			size_t n = strlen(ef->report);
			bool nl = n && ef->report[n - 1] == '\n';
			if (asprintf(&cf->text, "%s%sreplay: %s\n\n", ef->report, nl ? "" : "\n",
			             cmd) < 0)
				cf->text = NULL;
			char *keyed = cli_json_with_field(ef->json, "key", ef->key);
			cf->json = keyed ? cli_json_with_field(keyed, "replay", cmd) : NULL;
			free(keyed);
			cf->json = cli_finding_json_extras(cf->json, ef, r);
		}
		free(cmd);
		r->nfindings = i + 1;
		if (!cf->text || !cf->json)
			return COH_ENOMEM;
	}
	return 0;
}

/* The explorer's configuration from the command line; a usage error is
 * printed and returned as EXIT_USAGE. */
static int explore_config(const struct cli_opts *o, const coh_litmus *lt, uint64_t seed,
                          coh_explore_config *cfg, const char **strategy)
{
	coh_explore_config_init(cfg);
	cfg->seed = seed;
	cfg->progress = !o->quiet;
	cfg->keep_going = o->keep_going;
	cfg->lockdep = !o->no_lockdep;
	cfg->por_bounded = o->por;
	cfg->jobs = o->jobs;
	cfg->shard_index = o->shard_index;
	cfg->shard_count = o->shard_count;
	if (o->max_steps)
		cfg->max_steps = o->max_steps;
	if (o->given & OPT_SCHEDULE) {
		if (o->given & (OPT_STRATEGY | OPT_MAX_STEPS)) {
			fprintf(stderr,
			        "cohsim litmus: --schedule replays one schedule; --%s "
			        "does not apply\n",
			        (o->given & OPT_STRATEGY) ? "strategy" : "max-steps");
			return EXIT_USAGE;
		}
		cfg->strategy = COH_STRATEGY_REPLAY;
		cfg->schedule = o->schedule;
		*strategy = "replay";
		return cli_check_strategy_options("litmus", o, COH_STRATEGY_REPLAY);
	}
	int st = coh_strategy_parse(o->strategy ? o->strategy : "dfs");
	cfg->strategy = st < 0 ? COH_STRATEGY_DFS : (enum coh_strategy)st;
	/* without threads there is one execution: no strategy option matters */
	if (coh_litmus_thread_count(lt) && cli_check_strategy_options("litmus", o, cfg->strategy))
		return EXIT_USAGE;
	*strategy = coh_strategy_name(cfg->strategy);
	cfg->budget = (o->given & OPT_BUDGET)             ? o->budget
	              : cfg->strategy == COH_STRATEGY_DFS ? 0
	                                                  : cfg->budget;
	if (o->given & OPT_TIME)
		cfg->time_s = o->time_s;
	cfg->depth = o->depth;
	cfg->preemptions = o->preemptions;
	cfg->iterative = o->iterative;
	cfg->preemptions_from = o->preemptions_from;
	cfg->max_evictions = o->evictions;
	/* no threads: one execution, whatever the strategy */
	if (coh_litmus_thread_count(lt) == 0) {
		cfg->strategy = COH_STRATEGY_DFS;
		cfg->budget = 0;
		cfg->iterative = false;
	}
	return 0;
}

struct litmus_replay {
	const coh_machine_config *mcfg;
	const coh_program *prog;
};

static int replay_litmus(void *arg, const coh_explore_config *cfg, coh_explore_result *res)
{
	const struct litmus_replay *a = arg;
	return coh_explore(cfg, a->mcfg, a->prog, res);
}

/* --report/--trace: the execution of the first finding, or the default one. */
static int capture_timeline(const char *path, const struct cli_opts *o,
                            const coh_machine_config *mcfg, const coh_program *prog,
                            const coh_explore_result *res, struct cli_result *r)
{
	const char *sched = res->nfindings ? res->findings[0].schedule
	                    : o->schedule  ? o->schedule
	                                   : COH_SCHEDULE_VERSION ":";
	char *cmd = replay_command(path, o, sched);
	if (!cmd)
		return EXIT_INTERNAL;
	struct litmus_replay a = {mcfg, prog};
	int rc = cli_timeline_capture(r, sched, cmd, res->nfindings != 0, replay_litmus, &a);
	free(cmd);
	return rc;
}

/* Timings and how each finding was found, on stderr. */
static void print_stats(const char *path, const coh_explore_result *res,
                        const coh_explore_config *cfg)
{
	for (size_t i = 0; i < res->nfindings; i++) {
		const coh_explore_finding *f = &res->findings[i];
		if (f->found_at <= 1 && f->shrunk_from == f->deviations)
			continue; /* found at once, nothing shrunk: nothing to tell */
		fprintf(stderr, "cohsim: %s: finding %zu (%s) found after %" PRIu64 " schedule%s",
		        path, i + 1, coh_finding_kind_name(f->kind), f->found_at,
		        f->found_at == 1 ? "" : "s");
		if (f->shrunk_from != f->deviations)
			fprintf(stderr, "; shrunk from %u to %u deviations", f->shrunk_from,
			        f->deviations);
		fputc('\n', stderr);
	}
	if (res->pruned)
		fprintf(stderr, "cohsim: %s: %" PRIu64 " executions cut by sleep sets\n", path,
		        res->pruned);
	if (cfg->strategy == COH_STRATEGY_PCT && res->pct_n)
		fprintf(stderr,
		        "cohsim: %s: pct bound per run: P >= 1/(n*k^(d-1)) = %.3g (n=%u, k=%" PRIu64
		        ", d=%u)\n",
		        path, res->pct_probability, res->pct_n, res->pct_k, res->pct_d);
	if (res->stopped_by_time)
		fprintf(stderr, "cohsim: %s: stopped by --time\n", path);
	fprintf(stderr, "cohsim: %s: %" PRIu64 " schedules in %.6f s\n", path, res->schedules,
	        res->elapsed_s);
}

/* --stats: the counters of one execution (cli_stats_schedule), replayed
 * unless the run was that replay. */
static int add_stats(struct cli_result *r, const coh_explore_config *cfg,
                     const coh_machine_config *mcfg, coh_litmus_program *prog,
                     const coh_explore_result *res)
{
	if (cfg->strategy == COH_STRATEGY_REPLAY)
		return cli_result_set_stats(r, res, cfg->schedule) ? EXIT_INTERNAL : 0;
	coh_explore_config one = *cfg;
	one.strategy = COH_STRATEGY_REPLAY;
	one.schedule = cli_stats_schedule(res);
	one.jobs = 1;
	one.progress = false;
	coh_explore_result ores;
	int st = coh_explore(&one, mcfg, coh_litmus_program_get(prog), &ores);
	int rc = st || cli_result_set_stats(r, &ores, one.schedule) ? EXIT_INTERNAL : 0;
	coh_explore_result_free(&ores);
	return rc;
}

int cli_litmus_run_file(const char *path, const struct cli_opts *o, struct cli_result *r,
                        char **expect)
{
	double t0 = now_s();
	coh_litmus *lt;
	coh_litmus_error err;
	memset(r, 0, sizeof(*r));
	if (expect)
		*expect = NULL;
	int st = coh_litmus_parse_file(path, &lt, &err);
	if (st) {
		fprintf(stderr, "%s\n", err.message);
		return exit_for(st);
	}
	if (expect && coh_litmus_expect(lt) && !(*expect = strdup(coh_litmus_expect(lt)))) {
		coh_litmus_free(lt);
		return EXIT_INTERNAL;
	}
	/* a table row expecting several kinds needs every distinct finding */
	struct cli_opts several;
	if (expect && cli_expect_several(*expect)) {
		several = *o;
		several.keep_going = true;
		o = &several;
	}

	int rc = 0;
	coh_machine_config mcfg;
	coh_explore_config cfg;
	const char *strategy = NULL;
	coh_litmus_program *prog = NULL;
	coh_explore_result res;
	memset(&res, 0, sizeof(res));
	st = coh_litmus_machine_config(lt, o->arch, &mcfg, &err);
	if (st) {
		fprintf(stderr, "%s\n", err.message);
		rc = exit_for(st);
		goto out;
	}
	if (o->given & OPT_SEED)
		mcfg.seed = o->seed;
	rc = explore_config(o, lt, mcfg.seed, &cfg, &strategy);
	if (rc)
		goto out;
	if (cfg.time_s > 0) { /* --time counts from the start: reading the file too */
		double left = cfg.time_s - (now_s() - t0);
		cfg.time_s = left > 1e-9 ? left : 1e-9;
	}
	if (coh_litmus_program_create(lt, &prog)) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	st = coh_explore(&cfg, &mcfg, coh_litmus_program_get(prog), &res);
	if (st) {
		if (coh_litmus_program_error(prog))
			fprintf(stderr, "%s\n", coh_litmus_program_error(prog));
		else if (cfg.strategy == COH_STRATEGY_REPLAY && st == COH_EINVAL && res.error[0])
			fprintf(stderr, "cohsim litmus: --schedule '%s': %s\n", o->schedule,
			        res.error);
		else if (cfg.strategy == COH_STRATEGY_REPLAY && st == COH_EINVAL)
			fprintf(stderr,
			        "cohsim litmus: --schedule '%s': not a schedule string (%s...)\n",
			        o->schedule, COH_SCHEDULE_VERSION);
		else
			fprintf(stderr, "cohsim litmus: %s: the explorer failed: %s\n", path,
			        res.error[0] ? res.error : coh_strerror(st));
		if (st == COH_ENOMEM)
			cli_memory_hint();
		rc = st == COH_ENOMEM || st == COH_EWORKER ? EXIT_INTERNAL : EXIT_USAGE;
		goto out;
	}
	r->scenario = path;
	r->shard_index = cfg.shard_index;
	r->shard_count = cfg.shard_count;
	r->arch = mcfg.arch->name;
	r->strategy = strategy;
	r->seed = mcfg.seed;
	r->eviction_bound = cfg.strategy == COH_STRATEGY_REPLAY ? 0 : cfg.max_evictions;
	r->schedules = res.schedules;
	/* without threads the one execution is the whole space */
	r->complete = coh_litmus_thread_count(lt) == 0      ? !res.stopped_by_time
	              : cfg.strategy == COH_STRATEGY_REPLAY ? false
	                                                    : res.complete;
	cli_result_set_pct(r, &res);
	if (cli_result_set_bounds(r, &res, &cfg, o->stats && coh_litmus_thread_count(lt) > 0) ||
	    add_findings(r, &res, path, o, coh_litmus_thread_count(lt) > 0))
		rc = EXIT_INTERNAL;
	if (!rc && o->stats)
		rc = add_stats(r, &cfg, &mcfg, prog, &res);
	if (!rc && cli_wants_timeline(o))
		rc = capture_timeline(path, o, &mcfg, coh_litmus_program_get(prog), &res, r);
	if (!rc && !o->quiet)
		print_stats(path, &res, &cfg);
out:
	coh_explore_result_free(&res);
	coh_litmus_program_free(prog);
	coh_litmus_free(lt);
	r->elapsed_s = now_s() - t0;
	if (rc) {
		cli_result_free(r);
		if (expect) {
			free(*expect);
			*expect = NULL;
		}
	}
	return rc;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The files to run: each FILE as given, each DIR's *.litmus in sorted
 * order. NULL (message printed) when a directory cannot be read. */
static char **batch_paths(const struct cli_opts *o, size_t *count)
{
	char **paths = NULL;
	size_t n = 0;
	for (int i = 0; i < o->nargs; i++) {
		size_t k = 1;
		char **names = NULL;
		if (is_dir(o->args[i]) && !(names = cli_list_litmus(o->args[i], &k))) {
			fprintf(stderr, "cohsim litmus: cannot read the directory %s\n",
			        o->args[i]);
			goto fail;
		}
		if (names && k == 0) { /* a CI job pointed at the wrong place */
			fprintf(stderr, "cohsim litmus: %s: no .litmus file in it\n", o->args[i]);
			free(names);
			goto fail;
		}
		char **more = realloc(paths, (n + k + 1) * sizeof(*paths));
		if (!more) {
			for (size_t j = 0; names && j < k; j++)
				free(names[j]);
			free(names);
			goto fail;
		}
		paths = more;
		bool ok = true;
		for (size_t j = 0; j < k; j++) {
			int rc = names ? asprintf(&paths[n], "%s/%s", o->args[i], names[j])
			               : asprintf(&paths[n], "%s", o->args[i]);
			if (rc >= 0)
				n++;
			else
				ok = false;
			if (names)
				free(names[j]);
		}
		free(names);
		if (!ok)
			goto fail;
	}
	*count = n;
	return paths ? paths : calloc(1, sizeof(*paths));
fail:
	for (size_t j = 0; j < n; j++)
		free(paths[j]);
	free(paths);
	return NULL;
}

/* `cohsim litmus FILE|DIR...`: the result table of every file. */
static int litmus_batch(const struct cli_opts *o)
{
	static const struct {
		cli_optmask bit;
		const char *name;
	} single[] = {{OPT_SCHEDULE, "--schedule"},
	              {OPT_JSON, "--json"},
	              {OPT_REPORT, "--report"},
	              {OPT_TRACE, "--trace"}};
	for (size_t i = 0; i < sizeof(single) / sizeof(single[0]); i++)
		if (o->given & single[i].bit) {
			fprintf(stderr,
			        "cohsim litmus: %s applies to one litmus file, not to several or a "
			        "directory\n",
			        single[i].name);
			return EXIT_USAGE;
		}
	size_t n = 0;
	char **paths = batch_paths(o, &n);
	if (!paths)
		return EXIT_USAGE;
	struct cli_opts quiet = *o;
	quiet.quiet = true;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct cli_rows rows = {0};
	struct cli_table_counts c = {0};
	int rc = out ? 0 : EXIT_INTERNAL;
	if (!rc)
		rc = cli_litmus_table(out, "litmus tests", paths, NULL, n, &quiet, &rows, &c);
	if (out && fclose(out) && !rc)
		rc = EXIT_INTERNAL;
	if (!rc && rows.nomem)
		rc = EXIT_INTERNAL;
	if (!rc && o->junit)
		rc = cli_rows_junit(o->junit, &rows);
	if (!rc && o->tap) {
		free(buf);
		buf = NULL;
		out = open_memstream(&buf, &len);
		if (!out) {
			rc = EXIT_INTERNAL;
		} else {
			cli_rows_tap(out, &rows);
			rc = fclose(out) ? EXIT_INTERNAL : 0;
		}
	}
	if (!rc)
		rc = cli_flush_stdout(buf, len);
	free(buf);
	cli_rows_free(&rows);
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	if (rc)
		return rc;
	return c.errors ? EXIT_USAGE : c.failed ? EXIT_FINDINGS : EXIT_CLEAN;
}

int cmd_litmus(const struct cli_opts *o)
{
	if (o->nargs == 0) {
		fprintf(stderr, "cohsim litmus: missing FILE (usage: cohsim litmus FILE|DIR... "
		                "[options])\n");
		return EXIT_USAGE;
	}
	if (o->nargs > 1 || is_dir(o->args[0]))
		return litmus_batch(o);
	struct cli_result r;
	int rc = cli_litmus_run_file(o->args[0], o, &r, NULL);
	if (rc)
		return rc;
	return cli_result_emit(&r, o);
}
