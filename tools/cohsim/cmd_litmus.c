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

/* The explorer's JSON object of a finding with "replay":CMD added. */
static char *json_with_replay(const char *json, const char *cmd)
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
	fputs(",\"replay\":", f);
	coh_json_string(f, cmd);
	fputs(end, f);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Adds the explorer's findings to r, each with its replay command. */
static int add_findings(struct cli_result *r, const coh_explore_result *res, const char *path,
                        const struct cli_opts *o)
{
	if (!res->nfindings)
		return 0;
	r->findings = calloc(res->nfindings, sizeof(*r->findings));
	if (!r->findings)
		return COH_ENOMEM;
	for (size_t i = 0; i < res->nfindings; i++) {
		const coh_explore_finding *ef = &res->findings[i];
		struct cli_finding *cf = &r->findings[i];
		char *cmd = replay_command(path, o, ef->schedule);
		cf->kind = ef->kind;
		if (cmd) {
			size_t n = strlen(ef->report);
			bool nl = n && ef->report[n - 1] == '\n';
			if (asprintf(&cf->text, "%s%sreplay: %s\n\n", ef->report, nl ? "" : "\n",
			             cmd) < 0)
				cf->text = NULL;
			cf->json = json_with_replay(ef->json, cmd);
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
	cfg->jobs = o->jobs;
	cfg->shard_index = o->shard_index;
	cfg->shard_count = o->shard_count;
	if (o->given & OPT_SCHEDULE) {
		if (o->given & OPT_STRATEGY) {
			fprintf(stderr,
			        "cohsim litmus: --schedule replays one schedule; --strategy "
			        "does not apply\n");
			return EXIT_USAGE;
		}
		cfg->strategy = COH_STRATEGY_REPLAY;
		cfg->schedule = o->schedule;
		*strategy = "replay";
		return 0;
	}
	int st = coh_strategy_parse(o->strategy ? o->strategy : "dfs");
	cfg->strategy = st < 0 ? COH_STRATEGY_DFS : (enum coh_strategy)st;
	*strategy = coh_strategy_name(cfg->strategy);
	cfg->budget = (o->given & OPT_BUDGET)             ? o->budget
	              : cfg->strategy == COH_STRATEGY_DFS ? 0
	                                                  : cfg->budget;
	if (o->given & OPT_TIME)
		cfg->time_s = o->time_s;
	cfg->depth = o->depth;
	cfg->preemptions = (int)o->preemptions;
	cfg->max_evictions = o->evictions;
	/* no threads: one execution, whatever the strategy */
	if (coh_litmus_thread_count(lt) == 0) {
		cfg->strategy = COH_STRATEGY_DFS;
		cfg->budget = 0;
	}
	return 0;
}

/* Timings and how each finding was found, on stderr. */
static void print_stats(const char *path, const coh_explore_result *res,
                        const coh_explore_config *cfg)
{
	for (size_t i = 0; i < res->nfindings; i++)
		fprintf(stderr,
		        "cohsim: %s: finding %zu (%s) found after %" PRIu64
		        " schedules; shrunk from %u to %u deviations\n",
		        path, i + 1, coh_finding_kind_name(res->findings[i].kind),
		        res->findings[i].found_at, res->findings[i].shrunk_from,
		        res->findings[i].deviations);
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
	if (coh_litmus_program_create(lt, &prog)) {
		rc = EXIT_INTERNAL;
		goto out;
	}
	st = coh_explore(&cfg, &mcfg, coh_litmus_program_get(prog), &res);
	if (st) {
		if (coh_litmus_program_error(prog))
			fprintf(stderr, "%s\n", coh_litmus_program_error(prog));
		else if (cfg.strategy == COH_STRATEGY_REPLAY && st == COH_EINVAL)
			fprintf(stderr,
			        "cohsim litmus: --schedule '%s': not a schedule string (%s...)\n",
			        o->schedule, COH_SCHEDULE_VERSION);
		else
			fprintf(stderr, "cohsim litmus: %s: the explorer failed: %s\n", path,
			        coh_strerror(st));
		rc = st == COH_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
		goto out;
	}
	r->scenario = path;
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
	if (add_findings(r, &res, path, o))
		rc = EXIT_INTERNAL;
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

int cmd_litmus(const struct cli_opts *o)
{
	if (o->nargs != 1) {
		fprintf(stderr, "cohsim litmus: %s (usage: cohsim litmus FILE [options])\n",
		        o->nargs ? "one FILE only" : "missing FILE");
		return EXIT_USAGE;
	}
	struct cli_result r;
	int rc = cli_litmus_run_file(o->args[0], o, &r, NULL);
	if (rc)
		return rc;
	return cli_result_emit(&r, o);
}
