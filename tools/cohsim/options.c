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
#include "cohsim/linux.h"

struct option_def {
	const char *name;
	cli_optmask bit;
	const char *arg; /* NULL: a flag */
	const char *help;
	int (*set)(struct cli_opts *o, const char *v, const char **why);
};

/* Numbers are read one way everywhere, as in a litmus file: decimal
 * (leading zeros do not make octal), or 0x followed by hex digits; no sign,
 * no spaces, at most 64 bits. */
static bool parse_u64(const char *s, uint64_t *out)
{
	unsigned base = 10;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	uint64_t v = 0;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
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
		static char names[512]; /* the message names the profiles */
		int n = snprintf(names, sizeof(names), "unknown arch; the profiles:");
		for (size_t i = 0; i < coh_arch_count() && n >= 0 && (size_t)n < sizeof(names); i++)
			n += snprintf(names + n, sizeof(names) - (size_t)n, " %s",
			              coh_arch_at(i)->name);
		*why = names;
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
	if (!*v || errno || *end || !isfinite(t) || t <= 0 || *v < '0' || *v > '9') {
		*why = "not a positive number of seconds";
		return -1;
	}
	/* below a millisecond nothing would be explored at all */
	if (t < 0.001) {
		*why = "too short: at least 0.001 seconds";
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
	*why = "not a PCT depth between 1 and 8";
	return set_small(&o->depth, v, 1, 8);
}

/* P (0 to 1000), -1 (unbounded), or iterative bounding: LO..HI, LO.. (no
 * last bound) or a list of consecutive bounds LO,LO+1,...,HI. */
static int set_preemptions(struct cli_opts *o, const char *v, const char **why)
{
	*why = "expected a bound P (0 to 1000), -1 (unbounded), or bounds in turn: LO..HI, "
	       "LO.. or LO,LO+1,...,HI";
	unsigned p;
	o->iterative = false;
	if (strcmp(v, "-1") == 0) {
		o->preemptions = -1;
		return 0;
	}
	char buf[64];
	if (strlen(v) >= sizeof(buf))
		return -1;
	strcpy(buf, v);
	char *dots = strstr(buf, "..");
	if (dots) {
		*dots = 0;
		if (set_small(&p, buf, 0, 1000))
			return -1;
		o->iterative = true;
		o->preemptions_from = p;
		o->preemptions = -1;
		if (!dots[2])
			return 0; /* LO..: until a finding, the budget or the end */
		if (set_small(&p, dots + 2, 0, 1000))
			return -1;
		if (p < o->preemptions_from) {
			*why = "LO..HI needs LO <= HI";
			return -1;
		}
		o->preemptions = (int)p;
		return 0;
	}
	if (strchr(buf, ',')) {
		unsigned n = 0;
		for (char *save = NULL, *t = strtok_r(buf, ",", &save); t;
		     t = strtok_r(NULL, ",", &save), n++) {
			if (set_small(&p, t, 0, 1000))
				return -1;
			if (n == 0) {
				o->preemptions_from = p;
			} else if (p != (unsigned)o->preemptions + 1) {
				*why = "the bounds of a list come in turn, each one more than the "
				       "last (LO,LO+1,...,HI; or LO..HI)";
				return -1;
			}
			o->preemptions = (int)p;
		}
		if (v[strlen(v) - 1] == ',' || v[0] == ',' || strstr(v, ",,"))
			return -1;
		o->iterative = true;
		return 0;
	}
	if (set_small(&p, buf, 0, 1000))
		return -1;
	o->preemptions = (int)p;
	return 0;
}

static int set_jobs(struct cli_opts *o, const char *v, const char **why)
{
	*why = "not a number of jobs between 1 and 64";
	return set_small(&o->jobs, v, 1, 64);
}

static int set_max_steps(struct cli_opts *o, const char *v, const char **why)
{
	if (!parse_u64(v, &o->max_steps) || o->max_steps < 1000 || o->max_steps > (1ull << 40)) {
		*why = "not a step bound between 1000 and 2^40";
		return -1;
	}
	return 0;
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

static int set_no_lockdep(struct cli_opts *o, const char *v, const char **why)
{
	(void)v, (void)why;
	o->no_lockdep = true;
	return 0;
}

static int set_por(struct cli_opts *o, const char *v, const char **why)
{
	(void)v, (void)why;
	o->por = true;
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

static int set_trace(struct cli_opts *o, const char *v, const char **why)
{
	if (!*v) {
		*why = "empty file name";
		return -1;
	}
	o->trace = v;
	return 0;
}

static int set_junit(struct cli_opts *o, const char *v, const char **why)
{
	if (!*v) {
		*why = "empty file name";
		return -1;
	}
	o->junit = v;
	return 0;
}

static int set_tap(struct cli_opts *o, const char *v, const char **why)
{
	(void)v, (void)why;
	o->tap = true;
	return 0;
}

static int set_load(struct cli_opts *o, const char *v, const char **why)
{
	if (!*v) {
		*why = "empty file name";
		return -1;
	}
	if (o->nloads == CLI_MAX_ARGS) {
		*why = "too many --load options";
		return -1;
	}
	o->loads[o->nloads++] = v;
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

static int set_kernel(struct cli_opts *o, const char *v, const char **why)
{
	int r = kernel_version_parse(v, &o->kernel_version);
	if (r == COH_ERANGE)
		*why = "that release is not modelled (2.6.31 to 2.6.39)";
	else if (r)
		*why = "expected a release such as 2.6.35";
	return r ? -1 : 0;
}

static int set_stats(struct cli_opts *o, const char *v, const char **why)
{
	(void)v, (void)why;
	o->stats = true;
	return 0;
}

static bool pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* SIZE,WAYS,LINE[,lru|rr|random], as cachegrind's --D1 (plus the policy) */
static int set_d1(struct cli_opts *o, const char *v, const char **why)
{
	*why = "expected SIZE,WAYS,LINE[,lru|rr|random]: powers of two, SIZE >= WAYS*LINE, "
	       "8 <= LINE <= 4096";
	char buf[64];
	if (strlen(v) >= sizeof(buf))
		return -1;
	strcpy(buf, v);
	char *f[5] = {0};
	int n = 0;
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && n < 5;
	     t = strtok_r(NULL, ",", &save))
		f[n++] = t;
	if (n < 3 || n > 4)
		return -1;
	uint64_t size, ways, line;
	if (!parse_u64(f[0], &size) || !parse_u64(f[1], &ways) || !parse_u64(f[2], &line))
		return -1;
	if (!pow2(size) || !pow2(ways) || !pow2(line) || line < 8 || line > 4096 ||
	    size > (1u << 30) || size < ways * line)
		return -1;
	o->d1.repl = COH_REPL_LRU;
	if (n == 4) {
		if (!strcmp(f[3], "rr"))
			o->d1.repl = COH_REPL_ROUND_ROBIN;
		else if (!strcmp(f[3], "random"))
			o->d1.repl = COH_REPL_RANDOM;
		else if (strcmp(f[3], "lru") != 0)
			return -1;
	}
	o->d1.size = (unsigned)size;
	o->d1.ways = (unsigned)ways;
	o->d1.line = (unsigned)line;
	return 0;
}

static int set_cpus(struct cli_opts *o, const char *v, const char **why)
{
	*why = "not a number of CPUs between 1 and 8";
	return set_small(&o->cpus, v, 1, COH_MAX_CPUS);
}

static int set_format(struct cli_opts *o, const char *v, const char **why)
{
	if (strcmp(v, "lackey") != 0 && strcmp(v, "din") != 0) {
		*why = "unknown trace format (lackey or din)";
		return -1;
	}
	o->format = v;
	return 0;
}

static int set_map(struct cli_opts *o, const char *v, const char **why)
{
	if (!*v) {
		*why = "expected VA:PA:LEN[:wb|wt|uc] or a map file";
		return -1;
	}
	if (o->nmaps == CLI_MAX_ARGS) {
		*why = "too many --map options (use a map file)";
		return -1;
	}
	o->maps[o->nmaps++] = v;
	return 0;
}

static int set_max_memory(struct cli_opts *o, const char *v, const char **why)
{
	if (!parse_u64(v, &o->max_memory_mib) || o->max_memory_mib < 64 ||
	    o->max_memory_mib > (1ull << 30)) {
		*why = "MiB of host memory: from 64 to 2^30";
		return -1;
	}
	return 0;
}

static int set_ops(struct cli_opts *o, const char *v, const char **why)
{
	if (!parse_u64(v, &o->ops) || o->ops == 0 || o->ops > 100000000) {
		*why = "not a number of operations between 1 and 100000000";
		return -1;
	}
	return 0;
}

static int set_tasks(struct cli_opts *o, const char *v, const char **why)
{
	*why = "not a number of tasks between 1 and 8";
	return set_small(&o->tasks, v, 1, 8);
}

static int set_files(struct cli_opts *o, const char *v, const char **why)
{
	*why = "not a number of files between 1 and 8";
	return set_small(&o->files, v, 1, 8);
}

static int set_journal(struct cli_opts *o, const char *v, const char **why)
{
	(void)v, (void)why;
	o->journal = true;
	return 0;
}

static int set_icache(struct cli_opts *o, const char *v, const char **why)
{
	(void)v, (void)why;
	o->icache = true;
	return 0;
}

static int set_compat(struct cli_opts *o, const char *v, const char **why)
{
	(void)v, (void)why;
	o->compat = true;
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
    {"preemptions", OPT_PREEMPTIONS, "P|-1|LO..HI",
     "DFS preemption bound; -1 unbounded (with sleep sets); LO..HI, LO.. or LO,LO+1,... "
     "explores the bounds in turn, shallowest finding first (docs/sched.md)",
     set_preemptions},
    {"max-steps", OPT_MAX_STEPS, "N",
     "steps per execution before a livelock is reported (default 100000)", set_max_steps},
    {"max-memory", OPT_MAX_MEMORY, "MIB", "host memory a run may use, in MiB (default 4096)",
     set_max_memory},
    {"evictions", OPT_EVICTIONS, "N", "explore up to N evictions/speculative fills per run",
     set_evictions},
    {"jobs", OPT_JOBS, "N", "worker processes", set_jobs},
    {"shard", OPT_SHARD, "I/N", "explore shard I of N", set_shard},
    {"keep-going", OPT_KEEP_GOING, NULL, "collect every distinct finding", set_keep_going},
    {"no-lockdep", OPT_NO_LOCKDEP, NULL, "no lock-class checks (to see the deadlock itself)",
     set_no_lockdep},
    {"por", OPT_POR, NULL, "dfs: partial-order reduction under the preemption bound too", set_por},
    {"json", OPT_JSON, NULL, "one JSON object on stdout", set_json},
    {"report", OPT_REPORT, "FILE.html", "write an HTML report", set_report},
    {"trace", OPT_TRACE, "FILE.json",
     "write the execution of the first finding as a Chrome trace (Perfetto)", set_trace},
    {"junit", OPT_JUNIT, "FILE.xml", "write JUnit XML: a test case per row or run", set_junit},
    {"tap", OPT_TAP, NULL, "print TAP (as kselftest does) instead of the report", set_tap},
    {"quiet", OPT_QUIET, NULL, "print only the summary line", set_quiet},
    {"schedule", OPT_SCHEDULE, "STRING", "the schedule to replay", set_schedule},
    {"fix", OPT_FIX, "NAME=on|off", "turn a fix switch on or off (repeatable)", set_fix},
    {"load", OPT_LOAD, "FILE.so", "load scenarios of your own from a shared object (repeatable)",
     set_load},
    {"disk", OPT_DISK, "FILE", "back the scenario's disks with host files FILE.N", set_disk},
    {"kernel", OPT_KERNEL, "2.6.N", "the Linux release the kernel model follows", set_kernel},
    {"stats", OPT_STATS, NULL,
     "cache statistics per CPU (docs/trace.md); under dfs also the schedules by "
     "preemptions (docs/sched.md)",
     set_stats},
    {"d1", OPT_D1, "SIZE,WAYS,LINE[,R]", "trace: a PIPT L1 of this geometry, R lru|rr|random",
     set_d1},
    {"cpus", OPT_CPUS, "N", "trace: CPUs of the machine (default 1)", set_cpus},
    {"format", OPT_FORMAT, "F", "trace: lackey or din (default: by content)", set_format},
    {"map", OPT_MAP, "VA:PA:LEN|FILE", "trace: map VA to PA (repeatable; aliases)", set_map},
    {"icache", OPT_ICACHE, NULL, "trace: instruction fetches are loads too", set_icache},
    {"ops", OPT_OPS, "N", "fsx: operations to run (default 1000)", set_ops},
    {"tasks", OPT_TASKS, "T", "fsx: concurrent tasks, each owning its files (default 1)",
     set_tasks},
    {"files", OPT_FILES, "F", "fsx: files, at least T (default T)", set_files},
    {"journal", OPT_JOURNAL, NULL, "fsx: a page's release may fail, as under a journal",
     set_journal},
    {"cachegrind-compat", OPT_COMPAT, NULL, "trace: count as cachegrind does (docs/trace.md)",
     set_compat},
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
	o->cpus = 1;
}

int cli_parse_options(const char *cmd, cli_optmask allowed, int argc, char **argv,
                      struct cli_opts *o)
{
	defaults(o);
	bool only_args = false;
	for (int i = 0; i < argc; i++) {
		const char *w = argv[i];
		if (only_args || w[0] != '-' || w[1] == 0) {
			if (o->nargs == CLI_MAX_POSITIONAL) {
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
		if ((o->given & d->bit) && d->bit != OPT_FIX && d->bit != OPT_MAP &&
		    d->bit != OPT_LOAD) {
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
	if (o->tap && o->json) {
		fprintf(stderr, "cohsim %s: --tap and --json both print on stdout; choose one\n",
		        cmd);
		return EXIT_USAGE;
	}
	return 0;
}

int cli_check_strategy_options(const char *cmd, const struct cli_opts *o,
                               enum coh_strategy strategy)
{
	static const struct {
		cli_optmask bit;
		const char *name;
		const char *why;
	} only[] = {
	    {OPT_DEPTH, "depth", "pct's depth"},
	    {OPT_PREEMPTIONS, "preemptions", "dfs's preemption bound"},
	    {OPT_POR, "por", "dfs's partial-order reduction"},
	    {OPT_BUDGET, "budget", "a bound on the schedules explored"},
	    {OPT_TIME, "time", "a bound on the time explored"},
	    {OPT_SHARD, "shard", "a part of the space explored"},
	};
	for (size_t i = 0; i < sizeof(only) / sizeof(only[0]); i++) {
		if (!(o->given & only[i].bit))
			continue;
		bool applies = strategy == COH_STRATEGY_REPLAY ? false
		               : only[i].bit == OPT_DEPTH      ? strategy == COH_STRATEGY_PCT
		               : only[i].bit == OPT_PREEMPTIONS || only[i].bit == OPT_POR
		                   ? strategy == COH_STRATEGY_DFS
		                   : true;
		if (applies)
			continue;
		if (strategy == COH_STRATEGY_REPLAY)
			fprintf(stderr,
			        "cohsim %s: --%s is %s; it does not apply to the replay of one "
			        "schedule\n",
			        cmd, only[i].name, only[i].why);
		else
			fprintf(
			    stderr,
			    "cohsim %s: --%s is %s; it does not apply to strategy %s (--strategy "
			    "%s)\n",
			    cmd, only[i].name, only[i].why, coh_strategy_name(strategy),
			    only[i].bit == OPT_DEPTH ? "pct" : "dfs");
		return EXIT_USAGE;
	}
	return 0;
}

bool cli_option_at(size_t i, const char **name, cli_optmask *bit, const char **arg,
                   const char **help)
{
	if (i >= NOPTIONS)
		return false;
	*name = options[i].name;
	*bit = options[i].bit;
	*arg = options[i].arg;
	*help = options[i].help;
	return true;
}

void cli_options_help(FILE *out, cli_optmask mask)
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
