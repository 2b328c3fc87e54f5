/*
 * options.c - the options every subcommand shares, parsed and validated in
 * one place.
 *
 * Interface: cli_parse_options() takes the words after the subcommand and
 * the set of options the subcommand accepts. "--name VALUE" and
 * "--name=VALUE" are both accepted; "--" ends the options. Every bad value
 * is reported as "cohsim CMD: --name: what is wrong" and EXIT_USAGE, before
 * anything runs.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

struct option_def {
	const char *name;
	unsigned bit;
	const char *arg; /* NULL: a flag */
	const char *help;
	int (*set)(struct cli_opts *o, const char *v, const char **why);
};

static bool parse_u64(const char *s, uint64_t *out)
{
	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static int set_variant(struct cli_opts *o, const char *v, const char **why)
{
	if (!*v) {
		*why = "empty variant";
		return -1;
	}
	o->variant = v;
	return 0;
}

static int set_arch(struct cli_opts *o, const char *v, const char **why)
{
	o->arch = coh_arch_find(v);
	if (!o->arch) {
		*why = "unknown arch (see `cohsim arch list`)";
		return -1;
	}
	return 0;
}

static int set_strategy(struct cli_opts *o, const char *v, const char **why)
{
	static const char *const names[] = {"random", "pct", "dfs"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(v, names[i]) == 0) {
			o->strategy = names[i];
			return 0;
		}
	}
	*why = "unknown strategy (random, pct or dfs)";
	return -1;
}

static int set_seed(struct cli_opts *o, const char *v, const char **why)
{
	if (!parse_u64(v, &o->seed)) {
		*why = "not a number (decimal or 0x-hex, 64 bits)";
		return -1;
	}
	return 0;
}

static int set_budget(struct cli_opts *o, const char *v, const char **why)
{
	if (!parse_u64(v, &o->budget) || o->budget == 0) {
		*why = "not a positive number of schedules";
		return -1;
	}
	return 0;
}

static int set_time(struct cli_opts *o, const char *v, const char **why)
{
	char *end;
	errno = 0;
	double t = strtod(v, &end);
	if (!*v || errno || *end || !isfinite(t) || t <= 0) {
		*why = "not a positive number of seconds";
		return -1;
	}
	o->time_s = t;
	return 0;
}

static int set_small(unsigned *dst, const char *v, uint64_t lo, uint64_t hi)
{
	uint64_t n;
	if (!parse_u64(v, &n) || n < lo || n > hi)
		return -1;
	*dst = (unsigned)n;
	return 0;
}

static int set_evictions(struct cli_opts *o, const char *v, const char **why)
{
	*why = "not an eviction bound between 1 and 1000";
	return set_small(&o->evictions, v, 1, 1000);
}

static int set_depth(struct cli_opts *o, const char *v, const char **why)
{
	*why = "not a depth between 1 and 64";
	return set_small(&o->depth, v, 1, 64);
}

static int set_preemptions(struct cli_opts *o, const char *v, const char **why)
{
	*why = "not a preemption bound between 0 and 1000";
	return set_small(&o->preemptions, v, 0, 1000);
}

static int set_jobs(struct cli_opts *o, const char *v, const char **why)
{
	*why = "not a number of jobs between 1 and 1024";
	return set_small(&o->jobs, v, 1, 1024);
}

static int set_shard(struct cli_opts *o, const char *v, const char **why)
{
	*why = "not I/N with 0 <= I < N";
	const char *slash = strchr(v, '/');
	if (!slash || slash == v)
		return -1;
	char idx[32];
	size_t n = (size_t)(slash - v);
	if (n >= sizeof(idx))
		return -1;
	memcpy(idx, v, n);
	idx[n] = 0;
	uint64_t i, count;
	if (!parse_u64(idx, &i) || !parse_u64(slash + 1, &count) || count == 0 || count > 1000000 ||
	    i >= count)
		return -1;
	o->shard_index = (unsigned)i;
	o->shard_count = (unsigned)count;
	return 0;
}

static int set_keep_going(struct cli_opts *o, const char *v, const char **why)
{
	(void)v, (void)why;
	o->keep_going = true;
	return 0;
}

static int set_json(struct cli_opts *o, const char *v, const char **why)
{
	(void)v, (void)why;
	o->json = true;
	return 0;
}

static int set_quiet(struct cli_opts *o, const char *v, const char **why)
{
	(void)v, (void)why;
	o->quiet = true;
	return 0;
}

static int set_report(struct cli_opts *o, const char *v, const char **why)
{
	if (!*v) {
		*why = "empty file name";
		return -1;
	}
	o->report = v;
	return 0;
}

static int set_schedule(struct cli_opts *o, const char *v, const char **why)
{
	if (!*v) {
		*why = "empty schedule";
		return -1;
	}
	o->schedule = v;
	return 0;
}

static int set_fix(struct cli_opts *o, const char *v, const char **why)
{
	const char *eq = strchr(v, '=');
	if (!eq || eq == v || (strcmp(eq + 1, "on") != 0 && strcmp(eq + 1, "off") != 0)) {
		*why = "expected NAME=on or NAME=off";
		return -1;
	}
	if (o->nfixes == CLI_MAX_ARGS) {
		*why = "too many --fix options";
		return -1;
	}
	o->fixes[o->nfixes].name = v;
	o->fixes[o->nfixes].len = (size_t)(eq - v);
	o->fixes[o->nfixes].on = strcmp(eq + 1, "on") == 0;
	o->nfixes++;
	return 0;
}

static int set_disk(struct cli_opts *o, const char *v, const char **why)
{
	if (!*v) {
		*why = "empty file name";
		return -1;
	}
	o->disk = v;
	return 0;
}

static const struct option_def options[] = {
    {"variant", OPT_VARIANT, "V", "scenario variant: buggy or fixed", set_variant},
    {"arch", OPT_ARCH, "A", "arch profile (see `cohsim arch list`)", set_arch},
    {"strategy", OPT_STRATEGY, "S", "random, pct or dfs", set_strategy},
    {"seed", OPT_SEED, "N", "seed of the run (default 1)", set_seed},
    {"budget", OPT_BUDGET, "N", "at most N schedules", set_budget},
    {"time", OPT_TIME, "SECONDS", "stop exploring after SECONDS", set_time},
    {"depth", OPT_DEPTH, "D", "PCT depth", set_depth},
    {"preemptions", OPT_PREEMPTIONS, "P", "DFS preemption bound", set_preemptions},
    {"evictions", OPT_EVICTIONS, "N", "explore up to N evictions/speculative fills per run",
     set_evictions},
    {"jobs", OPT_JOBS, "N", "worker processes", set_jobs},
    {"shard", OPT_SHARD, "I/N", "explore shard I of N", set_shard},
    {"keep-going", OPT_KEEP_GOING, NULL, "collect every distinct finding", set_keep_going},
    {"json", OPT_JSON, NULL, "one JSON object on stdout", set_json},
    {"report", OPT_REPORT, "FILE.html", "write an HTML report", set_report},
    {"quiet", OPT_QUIET, NULL, "print only the summary line", set_quiet},
    {"schedule", OPT_SCHEDULE, "STRING", "the schedule to replay", set_schedule},
    {"fix", OPT_FIX, "NAME=on|off", "turn a fix switch on or off (repeatable)", set_fix},
    {"disk", OPT_DISK, "FILE", "back the scenario's disks with host files FILE.N", set_disk},
};
#define NOPTIONS (sizeof(options) / sizeof(options[0]))

static void defaults(struct cli_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->jobs = 1;
	o->shard_count = 1;
	o->depth = 2;
	o->preemptions = 3;
}

int cli_parse_options(const char *cmd, unsigned allowed, int argc, char **argv, struct cli_opts *o)
{
	defaults(o);
	bool only_args = false;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (only_args || w[0] != '-' || w[1] == 0) {
			if (o->nargs == CLI_MAX_ARGS) {
				fprintf(stderr, "cohsim %s: too many arguments\n", cmd);
				return EXIT_USAGE;
			}
			o->args[o->nargs++] = w;
			continue;
		}
		if (strcmp(w, "--") == 0) {
			only_args = true;
			continue;
		}
		if (w[1] != '-') {
			fprintf(stderr, "cohsim %s: unknown option '%s' (options start with --)\n",
			        cmd, w);
			return EXIT_USAGE;
		}
		const char *name = w + 2, *eq = strchr(name, '=');
		size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
		const struct option_def *d = NULL;
		for (size_t k = 0; k < NOPTIONS; k++)
			if (strlen(options[k].name) == nlen &&
			    !strncmp(options[k].name, name, nlen))
				d = &options[k];
		if (!d) {
			fprintf(stderr, "cohsim %s: unknown option '--%.*s'\n", cmd, (int)nlen,
			        name);
			return EXIT_USAGE;
		}
		if (!(allowed & d->bit)) {
			fprintf(stderr, "cohsim %s: option --%s does not apply here\n", cmd,
			        d->name);
			return EXIT_USAGE;
		}
		const char *val = NULL;
		if (d->arg) {
			if (eq)
				val = eq + 1;
			else if (i + 1 < argc)
				val = argv[++i];
			else {
				fprintf(stderr, "cohsim %s: --%s needs a value (%s)\n", cmd,
				        d->name, d->arg);
				return EXIT_USAGE;
			}
		} else if (eq) {
			fprintf(stderr, "cohsim %s: --%s takes no value\n", cmd, d->name);
			return EXIT_USAGE;
		}
		if ((o->given & d->bit) && d->bit != OPT_FIX) {
			fprintf(stderr, "cohsim %s: --%s given twice\n", cmd, d->name);
			return EXIT_USAGE;
		}
		const char *why = "bad value";
		if (d->set(o, val, &why)) {
			fprintf(stderr, "cohsim %s: --%s '%s': %s\n", cmd, d->name, val ? val : "",
			        why);
			return EXIT_USAGE;
		}
		o->given |= d->bit;
	}
	return 0;
}

void cli_options_help(FILE *out, unsigned mask)
{
	for (size_t k = 0; k < NOPTIONS; k++) {
		if (!(mask & options[k].bit))
			continue;
		char left[40];
		snprintf(left, sizeof(left), "--%s%s%s", options[k].name, options[k].arg ? " " : "",
		         options[k].arg ? options[k].arg : "");
		fprintf(out, "  %-24s %s\n", left, options[k].help);
	}
}
