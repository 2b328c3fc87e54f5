/*
 * cmd_dm.c - `cohsim dm SCRIPT`: a dmsetup-like script (docs/dm.md) run on
 * the kernel model as a scenario of its own.
 *
 * The script is parsed and checked whole first (dm_script.c; bad input is
 * "FILE:LINE: problem", exit 2). Then it runs as one task, "dmsetup", on
 * disks the script declares, under the explorer like any scenario: the
 * default is one execution whose choices (I/O completion order, which
 * unflushed writes survive a power cut, where an armed cut falls) come
 * from --seed; --strategy dfs explores them all. The variants: "fixed"
 * (the default: Linux as it is, every fix switch on) and "buggy"; --fix
 * NAME=on|off on top.
 *
 * Output: the transcript of one execution (the first finding's, else the
 * first explored), a line per script line, then the findings and the
 * summary as `cohsim run` prints them; --json prints the result only,
 * --tap the TAP lines only. --report/--trace/--junit write the same files
 * as `cohsim run` does (the timeline is the transcript's execution).
 * Findings come from the oracles (block copies, the dm-cache commit
 * ledger) and from the script's own record of what each sector must read
 * back (dm_durable.c). The scenario that runs the script is dm_run.c.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cohsim/blkdev.h"
#include "cohsim/scenario.h"
#include "dm_run.h"

static const struct dm_script *script;

/* ---- the command ---- */

struct dm_replay {
	const struct cli_opts *o;
	const char *variant, *arch;
};

static void dm_replay_line(FILE *out, const void *arg, const char *schedule)
{
	const struct dm_replay *a = arg;
	fprintf(out, "cohsim dm %s --variant %s --arch %s", script->path, a->variant, a->arch);
	for (int i = 0; i < a->o->nfixes; i++)
		fprintf(out, " --fix %s", a->o->fixes[i].name);
	if (a->o->keep_going)
		fprintf(out, " --keep-going");
	fprintf(out, " --schedule '%s'", schedule);
}

static void first_execution(void *arg, const char *schedule, bool failed)
{
	char **first = arg;
	(void)failed;
	if (!*first)
		*first = strdup(schedule);
}

/* One execution again, its transcript into a malloc'd string (NULL: none). */
static char *transcript_of(const struct coh_run_options *ro, const coh_explore_config *cfg,
                           const char *schedule)
{
	coh_explore_config one = *cfg;
	one.strategy = COH_STRATEGY_REPLAY;
	one.schedule = schedule;
	one.jobs = 1;
	one.progress = false;
	one.on_execution = NULL;
	one.keep_going = true;
	char *buf = NULL, err[256];
	size_t len = 0;
	FILE *transcript = open_memstream(&buf, &len);
	if (!transcript)
		return NULL;
	dm_run_set_transcript(transcript);
	coh_explore_result res;
	int rc = coh_scenario_run(&dm_scenario, ro, &one, &res, err, sizeof(err));
	coh_explore_result_free(&res);
	int c = fclose(transcript);
	dm_run_set_transcript(NULL);
	if (rc || c) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int replay_dm(void *arg, const coh_explore_config *cfg, coh_explore_result *res)
{
	char err[256];
	return coh_scenario_run(&dm_scenario, arg, cfg, res, err, sizeof(err));
}

/* --report/--trace: the timeline of the execution the transcript shows. */
static int capture_timeline(struct cli_result *r, const struct dm_replay *ra,
                            const struct coh_run_options *ro, const char *sched, bool of_finding)
{
	char *cmd = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&cmd, &len);
	if (!out)
		return EXIT_INTERNAL;
	dm_replay_line(out, ra, sched);
	if (fclose(out)) {
		free(cmd);
		return EXIT_INTERNAL;
	}
	int rc = cli_timeline_capture(r, sched, cmd, of_finding, replay_dm, (void *)ro);
	free(cmd);
	return rc;
}

static int run_script(const struct cli_opts *o, struct cli_result *r, char **text)
{
	struct coh_run_options ro;
	coh_run_options_init(&ro);
	ro.variant = o->variant ? o->variant : "fixed";
	ro.arch = o->arch ? o->arch->name : dm_scenario.default_arch;
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
	int rc = cli_explore_config(o, (o->given & OPT_STRATEGY) ? o->strategy : NULL,
	                            dm_scenario.strategy, 0, dm_scenario.budget, &cfg);
	if (rc)
		return rc;
	char *first = NULL;
	if (cfg.jobs <= 1 && cfg.strategy != COH_STRATEGY_REPLAY) {
		cfg.on_execution = first_execution;
		cfg.on_execution_arg = &first;
	}
	coh_explore_result res;
	char err[256] = "";
	rc = coh_scenario_run(&dm_scenario, &ro, &cfg, &res, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "cohsim dm: %s\n", err[0] ? err : coh_strerror(rc));
		coh_explore_result_free(&res);
		free(first);
		return rc == COH_EINVAL || (rc == COH_EIO && o->disk) ? EXIT_USAGE : EXIT_INTERNAL;
	}
	r->scenario = script->path;
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
	struct dm_replay ra = {o, r->variant, r->arch};
	rc = cli_result_set_bounds(r, &res, &cfg, false) ||
	             cli_result_add_findings(r, &res, dm_replay_line, &ra)
	         ? EXIT_INTERNAL
	         : 0;
	const char *sched = res.nfindings ? res.findings[0].schedule
	                    : o->schedule ? o->schedule
	                    : first       ? first
	                                  : COH_SCHEDULE_VERSION ":";
	if (!rc && cli_wants_timeline(o))
		rc = capture_timeline(r, &ra, &ro, sched, res.nfindings != 0);
	if (!rc && !o->json && !o->quiet && !o->tap && !(*text = transcript_of(&ro, &cfg, sched)))
		rc = EXIT_INTERNAL;
	coh_explore_result_free(&res);
	free(first);
	return rc;
}

int cmd_dm(const struct cli_opts *o)
{
	if (o->nargs != 1) {
		fprintf(stderr, "cohsim dm: expected one script file (docs/dm.md)\n");
		return EXIT_USAGE;
	}
	struct dm_script s;
	int rc = dm_script_parse(o->args[0], &s);
	if (rc)
		return rc == 2 ? EXIT_USAGE : EXIT_INTERNAL;
	if (dm_run_open(&s)) {
		dm_script_free(&s);
		return EXIT_INTERNAL;
	}
	script = &s;
	struct cli_result r;
	memset(&r, 0, sizeof(r));
	char *text = NULL;
	if (o->disk && coh_disk_attach_prefix(o->disk) != 0) {
		fprintf(stderr, "cohsim dm: --disk '%s': not a usable file name prefix\n", o->disk);
		rc = EXIT_USAGE;
	} else {
		rc = run_script(o, &r, &text);
	}
	if (o->disk) {
		coh_disk_close_all();
		coh_disk_detach_all();
	}
	if (!rc) {
		fprintf(stderr, "cohsim dm: %.3f s\n", r.elapsed_s);
		if (text && cli_flush_stdout(text, strlen(text)))
			rc = EXIT_INTERNAL;
		else
			rc = cli_result_emit(&r, o);
	} else {
		cli_result_free(&r);
	}
	free(text);
	dm_run_close();
	dm_script_free(&s);
	script = NULL;
	return rc;
}
