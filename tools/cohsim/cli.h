/*
 * cli.h - what the files of the cohsim command line share: the parsed
 * options, the subcommand table entry, and the run report (text or JSON).
 *
 * The tool includes only the public headers include/cohsim/ (and this file).
 *
 * Adding a subcommand: write `int cmd_NAME(const struct cli_opts *o)` in its
 * own cmd_NAME.c, declare it below, and add a row to `commands` in main.c
 * naming the options (OPT_*) it accepts. Option parsing and validation are
 * shared (options.c); a run that produces findings fills a cli_result and
 * prints it with cli_result_print(), which gives the text and --json forms
 * of DESIGN.md's contract.
 */
#ifndef COHSIM_CLI_H
#define COHSIM_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cohsim/arch.h"
#include "cohsim/check.h"
#include "cohsim/sched.h"

#define COHSIM_VERSION "0.1.0" /* keep equal to project(VERSION) in CMakeLists.txt */

/* Exit status (DESIGN.md). */
enum {
	EXIT_CLEAN = 0,
	EXIT_FINDINGS = 1,
	EXIT_USAGE = 2, /* bad usage or bad input */
	EXIT_INTERNAL = 3,
};

/* One bit per option; a command lists the ones it accepts. */
enum cli_opt_bit {
	OPT_VARIANT = 1u << 0,
	OPT_ARCH = 1u << 1,
	OPT_STRATEGY = 1u << 2,
	OPT_SEED = 1u << 3,
	OPT_BUDGET = 1u << 4,
	OPT_TIME = 1u << 5,
	OPT_DEPTH = 1u << 6,
	OPT_PREEMPTIONS = 1u << 7,
	OPT_JOBS = 1u << 8,
	OPT_SHARD = 1u << 9,
	OPT_KEEP_GOING = 1u << 10,
	OPT_JSON = 1u << 11,
	OPT_REPORT = 1u << 12,
	OPT_QUIET = 1u << 13,
	OPT_SCHEDULE = 1u << 14,
	OPT_FIX = 1u << 15,   /* repeatable: --fix NAME=on|off */
	OPT_DISK = 1u << 16,  /* --disk FILE: file-backed disks */
	OPT_STATS = 1u << 17, /* --stats: cache statistics per CPU */
	/* `trace` only */
	OPT_D1 = 1u << 18,         /* --d1 SIZE,WAYS,LINE[,lru|rr|random] */
	OPT_CPUS = 1u << 19,       /* --cpus N */
	OPT_FORMAT = 1u << 20,     /* --format lackey|din */
	OPT_MAP = 1u << 21,        /* repeatable: --map VA:PA:LEN[:wb|wt|uc] or --map FILE */
	OPT_ICACHE = 1u << 22,     /* --icache: instruction fetches are accesses too */
	OPT_COMPAT = 1u << 23,     /* --cachegrind-compat */
	OPT_KERNEL = 1u << 24,     /* --kernel 2.6.N: the release the kernel model follows */
	OPT_NO_LOCKDEP = 1u << 25, /* --no-lockdep */
	OPT_TRACE = 1u << 26,      /* --trace FILE.json: Chrome trace-event file */
	OPT_JUNIT = 1u << 27,      /* --junit FILE.xml */
	OPT_TAP = 1u << 28,        /* --tap: TAP on stdout */
	OPT_LOAD = 1u << 29,       /* repeatable: --load FILE.so, scenarios of one's own */
	OPT_MAX_STEPS = 1u << 30,  /* --max-steps N */
};
/* Options past bit 30 do not fit an enum constant (an int): they are
 * macros, and every set of OPT_* bits is a cli_optmask. */
typedef uint64_t cli_optmask;
#define OPT_EVICTIONS (1ull << 31)  /* --evictions N: bounded eviction/fill choices */
#define OPT_MAX_MEMORY (1ull << 32) /* --max-memory MIB: host address-space bound */
#define OPT_POR (1ull << 33)        /* --por: bound-aware sleep sets for bounded dfs */
#define CLI_DEFAULT_MAX_MEMORY_MIB 4096
#define OPT_OPS (1ull << 34)     /* fsx: --ops N */
#define OPT_TASKS (1ull << 35)   /* fsx: --tasks T */
#define OPT_FILES (1ull << 36)   /* fsx: --files F */
#define OPT_JOURNAL (1ull << 37) /* fsx: --journal */
/* The exploration options shared by run, replay and litmus. */
#define OPT_EXPLORE                                                                                \
	(OPT_ARCH | OPT_STRATEGY | OPT_SEED | OPT_BUDGET | OPT_TIME | OPT_DEPTH |                  \
	 OPT_PREEMPTIONS | OPT_JOBS | OPT_SHARD | OPT_KEEP_GOING | OPT_JSON | OPT_REPORT |         \
	 OPT_QUIET | OPT_NO_LOCKDEP | OPT_TRACE | OPT_JUNIT | OPT_TAP | OPT_MAX_STEPS |            \
	 OPT_EVICTIONS | OPT_MAX_MEMORY | OPT_POR)

#define CLI_MAX_ARGS 8          /* --fix options */
#define CLI_MAX_POSITIONAL 1024 /* files of `litmus` and `merge` */

struct cli_opts {
	cli_optmask given; /* OPT_* bits of the options present */
	const char *variant;
	const coh_arch *arch;
	const char *strategy; /* "random", "pct" or "dfs" */
	uint64_t seed;
	uint64_t budget;
	double time_s;
	unsigned depth;
	int preemptions;           /* -1: unbounded; iterative: the last bound (-1: none) */
	bool iterative;            /* --preemptions LO..HI: the bounds in turn */
	unsigned preemptions_from; /* ... from LO */
	unsigned evictions;        /* --evictions N: the bound, 0 = not given */
	unsigned jobs;
	uint64_t max_steps;      /* 0: the explorer's default */
	uint64_t max_memory_mib; /* 0: CLI_DEFAULT_MAX_MEMORY_MIB */
	unsigned shard_index, shard_count;
	bool keep_going, json, quiet, tap;
	bool no_lockdep;    /* --no-lockdep */
	bool por;           /* --por */
	const char *report; /* --report FILE.html */
	const char *trace;  /* --trace FILE.json */
	const char *junit;  /* --junit FILE.xml */
	const char *schedule;
	struct {
		const char *name; /* points into argv */
		size_t len;
		bool on;
	} fixes[CLI_MAX_ARGS];
	int nfixes;
	const char *disk;
	unsigned kernel_version; /* --kernel; 0: the scenario's */
	/* fsx (cmd_fsx.c) */
	uint64_t ops;
	unsigned tasks, files;
	bool journal;
	/* speculative fills at I/O completions: 0 the scenario's default, 1 on,
	 * -1 off (set by the demo rows) */
	int speculation;
	bool stats;
	/* trace */
	struct {
		unsigned size, ways, line;
		enum coh_repl repl;
	} d1;
	unsigned cpus;
	const char *format; /* "lackey", "din" or NULL: by content */
	const char *maps[CLI_MAX_ARGS];
	int nmaps;
	bool icache, compat;
	const char *loads[CLI_MAX_ARGS];
	int nloads;
	const char *args[CLI_MAX_POSITIONAL]; /* positional arguments after the command */
	int nargs;
};

/* Parses argv[0..argc) (the words after the command) into o, accepting only
 * the options in `allowed`. On error prints "cohsim CMD: ..." on stderr and
 * returns EXIT_USAGE; else 0. */
int cli_parse_options(const char *cmd, cli_optmask allowed, int argc, char **argv,
                      struct cli_opts *o);
/* The option lines of --help, for the options in `mask`. */
void cli_options_help(FILE *out, cli_optmask mask);

/* ---- run reports ---- */

struct cli_finding {
	enum coh_finding_kind kind;
	char *text; /* sanitizer-style report */
	char *json; /* one JSON object */
};

struct cli_result {
	const char *scenario; /* the scenario name or litmus file as given */
	const char *variant;  /* NULL: JSON null */
	const char *arch;
	const char *strategy;
	uint64_t seed;
	unsigned shard_index, shard_count; /* --shard I/N; count 0 or 1: none */
	uint64_t schedules;
	bool complete;
	double elapsed_s;        /* for stderr only: never in the report */
	unsigned eviction_bound; /* --evictions N, reported when given */
	bool por;                /* --por took effect: bounded dfs with sleep sets */
	uint64_t pruned;         /* executions the sleep sets cut */
	/* pct: the bound of one run, P(find a depth-d bug) >= 1/(n*k^(d-1)) */
	unsigned pct_n, pct_d;
	uint64_t pct_k;
	double pct_probability;
	struct cli_finding *findings;
	size_t nfindings;
	/* --stats: the counters of one execution, the one stats_schedule
	 * replays (cli_stats_schedule) */
	bool has_stats;
	coh_stats stats;
	char *stats_schedule;
	struct cli_timeline *timeline; /* --report/--trace: one execution (timeline.h) */
	/* dfs: the schedules by preemptions (bounds.c), with --stats and for
	 * every iterative run; the table itself only with --stats */
	bool has_bounds;
	coh_explore_bound *bounds;
	size_t nbounds;
	bool bounds_table;
	bool iterative; /* --preemptions LO..HI */
	unsigned iter_from;
	int iter_to; /* -1: LO.. */
	/* JSON members of the command's own ("name":value, no leading comma),
	 * printed before "findings"; NULL: none. Not freed by cli_result_free. */
	const char *extra_json;
};

/* Copies the pct bound of an exploration into r (nothing for other
 * strategies). */
void cli_result_set_pct(struct cli_result *r, const coh_explore_result *res);
/* Renders the checker's findings into r (text and JSON). 0 or COH_ENOMEM. */
int cli_result_add_check(struct cli_result *r, const coh_check *chk);
void cli_result_free(struct cli_result *r);
/* The findings' kinds, without repeats, in order of first appearance, joined
 * by ','; "clean" when there is none. */
void cli_result_kinds(const struct cli_result *r, char *buf, size_t size);
/* Writes the whole report: text (each finding, then a summary line; only the
 * summary with quiet) or one JSON object. */
void cli_result_print(FILE *out, const struct cli_result *r, bool json, bool quiet);
/* The end of a run command: the --report page if asked, then the report on
 * stdout in one piece; frees r. Returns the exit status (EXIT_FINDINGS when
 * r has findings). */
int cli_result_emit(struct cli_result *r, const struct cli_opts *o);
/* --report: writes r as one self-contained HTML page, whole or not at all.
 * 0, EXIT_USAGE (cannot create the file) or EXIT_INTERNAL. */
int cli_result_write_html(const char *path, const struct cli_result *r);
/* A JSON object's text with ,"name":"value" added at its end (malloc'd;
 * NULL when out of memory). */
char *cli_json_with_field(const char *json, const char *name, const char *value);
/* outfile.c: an output file named by option opt ("--report"). check: can
 * path be written (a regular file or nothing, in a writable folder)? 0 or
 * EXIT_USAGE, with a message. write: fn's content to a mkstemp file in
 * path's folder, renamed over path; 0, EXIT_USAGE or EXIT_INTERNAL. */
/* memlimit.c: --max-memory (RLIMIT_AS) before a command; the note after a
 * run that ran out of host memory. */
int cli_memory_limit(const struct cli_opts *o);
void cli_memory_hint(void);
int cli_outfile_check(const char *opt, const char *path);
int cli_outfile_write(const char *opt, const char *path, void (*fn)(FILE *, const void *),
                      const void *arg);
/* Writes a memstream buffer to stdout in one go; EXIT_INTERNAL if that fails. */
int cli_flush_stdout(const char *buf, size_t len);

/* ---- pictures of one execution (picture.c) ---- */

/* Does o ask for a picture (--report or --trace)? */
bool cli_wants_timeline(const struct cli_opts *o);
/* Runs one execution again, under cfg (a replay with a watcher). */
typedef int (*cli_replay_fn)(void *arg, const coh_explore_config *cfg, coh_explore_result *res);
/* Replays schedule through fn with a watcher and attaches the captured
 * timeline to r, with the command that replays it. 0, or EXIT_INTERNAL
 * with a message. */
int cli_timeline_capture(struct cli_result *r, const char *schedule, const char *replay,
                         bool of_finding, cli_replay_fn fn, void *arg);
/* Writes a file whole or not at all: write(out, arg) into a temporary file
 * beside path, then renamed over it. opt names the option in messages.
 * 0, EXIT_USAGE (cannot create it) or EXIT_INTERNAL. */
int cli_write_whole(const char *path, const char *opt, void (*write)(FILE *out, const void *arg),
                    const void *arg);

/* ---- litmus, shared by `litmus` and `demo` ---- */

/* Parses and runs one litmus file. On bad input prints "FILE:LINE: ..." on
 * stderr and returns EXIT_USAGE; EXIT_INTERNAL on a host failure; else 0
 * with r filled (the caller frees it). expect (may be NULL) receives a copy
 * of the `# expect:` header, or NULL. */
int cli_litmus_run_file(const char *path, const struct cli_opts *o, struct cli_result *r,
                        char **expect);

/* ---- statistics (stats.c) ---- */

/* --stats as text: a block per CPU, then the device's line. */
void cli_stats_print_text(FILE *out, const coh_stats *st);
/* --stats in JSON: "stats":[one object per CPU],"device_stats":{...}
 * (two members of the enclosing object, without a leading comma). */
void cli_stats_print_json(FILE *out, const coh_stats *st);

/* The execution whose statistics --stats shows after an exploration: the
 * first finding's schedule, or with no finding the execution in which
 * every choice is the default ("v1:"). */
const char *cli_stats_schedule(const coh_explore_result *res);
/* Sets r's statistics from a replay result (res of COH_STRATEGY_REPLAY
 * with schedule sched). 0 or COH_ENOMEM. */
int cli_result_set_stats(struct cli_result *r, const coh_explore_result *res, const char *sched);
/* ---- schedules by preemptions (bounds.c) ---- */

/* Copies res's rows into r when cfg is a dfs and either table (--stats)
 * or cfg->iterative. 0 or COH_ENOMEM. Call before adding findings. */
int cli_result_set_bounds(struct cli_result *r, const coh_explore_result *res,
                          const coh_explore_config *cfg, bool table);
/* Text: the table (with --stats), and for an iterative run the line of
 * its bounds. */
void cli_bounds_print_table(FILE *out, const struct cli_result *r);
void cli_bounds_print_summary(FILE *out, const struct cli_result *r);
/* JSON members ,"iterative":{...} and ,"bounds":[...], when r has them. */
void cli_bounds_print_json(FILE *out, const struct cli_result *r);
/* A finding's JSON (json is freed) with what r's rows and shards need:
 * "found_at_bound" when r has rows, and for a shard "unit" last ("B:U",
 * bound and unit, in an iterative run). NULL when out of memory. */
char *cli_finding_json_extras(char *json, const coh_explore_finding *f, const struct cli_result *r);

/* ---- CI output: JUnit XML and TAP (ci.c) ---- */

/* XML and HTML text or attribute value: the five entities, and a '?' for a
 * control character XML forbids. */
void cli_xml_escape(FILE *out, const char *s);

/* One test case: a run, or a row of a table. */
struct cli_row {
	char *suite;   /* "scenarios", "litmus", "run", ... */
	char *name;    /* the test case */
	bool ok;       /* as expected */
	bool error;    /* could not run (bad input): an error, not a failure */
	char *message; /* one line when not ok */
	char *detail;  /* the finding reports, or NULL */
};
struct cli_rows {
	struct cli_row *row;
	size_t n;
	bool nomem;
};
/* Adds a row (strings copied; message and detail may be NULL). */
void cli_rows_add(struct cli_rows *rs, const char *suite, const char *name, bool ok, bool error,
                  const char *message, const char *detail);
void cli_rows_free(struct cli_rows *rs);
/* TAP version 13, as kselftest prints it: a plan, a line per row, the
 * report of a failed row as "# " diagnostics. */
void cli_rows_tap(FILE *out, const struct cli_rows *rs);
/* --junit: a testsuite per suite, a testcase per row, the report as the
 * failure's text; written whole or not at all (cli_write_whole). */
int cli_rows_junit(const char *path, const struct cli_rows *rs);
/* The text reports of r's findings, one after the other (NULL when there
 * is none or no memory). */
char *cli_result_reports(const struct cli_result *r);
/* The row of a whole run (run, replay, one litmus file). */
void cli_rows_add_result(struct cli_rows *rs, const char *suite, const struct cli_result *r);

/* ---- litmus tables, shared by `litmus` (several files) and `demo` ---- */

struct cli_table_counts {
	size_t rows, failed, errors; /* errors: files that could not be run */
};
/* Runs the litmus files paths[0..n) and prints a table (title first): each
 * file against its `# expect:` header (none: clean is expected). labels
 * name the rows (NULL: the paths). Adds a row per file to rows (may be
 * NULL). Returns 0, or EXIT_INTERNAL on a host failure. */
int cli_litmus_table(FILE *out, const char *title, char *const *paths, char *const *labels,
                     size_t n, const struct cli_opts *o, struct cli_rows *rows,
                     struct cli_table_counts *counts);
/* The sorted *.litmus names in dir; NULL on a host failure. */
char **cli_list_litmus(const char *dir, size_t *count);
/* The set of finding kinds named by a list ("clean" is empty), as a mask;
 * -1 when a word is not a kind. */
long cli_kinds_mask(const char *s);
/* An option given for another strategy than the one that runs (--depth
 * but not pct, --preemptions but not dfs, --budget/--time/--shard/--depth/
 * --preemptions with a replay) is a usage error: the message goes to stderr
 * and EXIT_USAGE is returned; 0 when every option applies. */
int cli_check_strategy_options(const char *cmd, const struct cli_opts *o,
                               enum coh_strategy strategy);
/* True when an expectation names more than one kind: its run collects
 * every distinct finding (--keep-going), so that each kind can show. */
bool cli_expect_several(const char *expect);

/* ---- the subcommand table (main.c) and the manual made from it (man.c) ---- */

struct cli_command {
	const char *name;    /* one or two words */
	cli_optmask options; /* OPT_* accepted */
	const char *usage;
	const char *help;
	int (*run)(const struct cli_opts *o);
};
/* The i-th option of the parser's table: its name, OPT_* bit, argument
 * (NULL: a flag) and help; false past the end. */
bool cli_option_at(size_t i, const char **name, cli_optmask *bit, const char **arg,
                   const char **help);
/* cohsim(1) in roff, from the command and option tables. */
void cli_man(FILE *out, const struct cli_command *cmds, size_t n);

/* ---- subcommands ---- */

int cmd_arch_list(const struct cli_opts *o);
int cmd_litmus(const struct cli_opts *o);
int cmd_demo(const struct cli_opts *o);
int cmd_list(const struct cli_opts *o);
int cmd_run(const struct cli_opts *o);
int cmd_replay(const struct cli_opts *o);
int cmd_trace(const struct cli_opts *o);
int cmd_merge(const struct cli_opts *o);
int cmd_new(const struct cli_opts *o);

/* ---- built-in scenarios, shared by `run`, `replay` and `demo` ---- */

/* Runs one scenario variant on an arch (NULL: its default) with the
 * exploration options of o (strategy NULL: the scenario's default). Fills r;
 * returns 0, EXIT_USAGE (message printed) or EXIT_INTERNAL. */
int cli_scenario_run(const char *name, const char *variant, const char *arch, const char *strategy,
                     const struct cli_opts *o, struct cli_result *r);
/* The explorer's config from o's options; strategy NULL: def, and the
 * defaults for the preemption bound and the budget (0: the explorer's).
 * 0, or EXIT_USAGE (message printed) for an unknown strategy. */
int cli_explore_config(const struct cli_opts *o, const char *strategy, enum coh_strategy def,
                       int def_preemptions, uint64_t def_budget, coh_explore_config *cfg);
/* Writes the command line that replays schedule. */
typedef void (*cli_replay_line_fn)(FILE *out, const void *arg, const char *schedule);
/* Adds res's findings to r: each report with how it was found and its
 * replay line. 0 or COH_ENOMEM. */
int cli_result_add_findings(struct cli_result *r, const coh_explore_result *res,
                            cli_replay_line_fn replay, const void *arg);

/* ---- cohsim dm (cmd_dm.c, dm_run.c, dm_script.c) ---- */
int cmd_dm(const struct cli_opts *o);
/* ---- cohsim fsx (cmd_fsx.c, fsx*.c) ---- */
int cmd_fsx(const struct cli_opts *o);

#endif
