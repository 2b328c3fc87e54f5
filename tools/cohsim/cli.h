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
	OPT_FIX = 1u << 15,       /* repeatable: --fix NAME=on|off */
	OPT_DISK = 1u << 16,      /* --disk FILE: file-backed disks */
	OPT_EVICTIONS = 1u << 17, /* --evictions N: bounded eviction/fill choices */
};
/* The exploration options shared by run, replay and litmus. */
#define OPT_EXPLORE                                                                                \
	(OPT_ARCH | OPT_STRATEGY | OPT_SEED | OPT_BUDGET | OPT_TIME | OPT_DEPTH |                  \
	 OPT_PREEMPTIONS | OPT_JOBS | OPT_SHARD | OPT_KEEP_GOING | OPT_JSON | OPT_REPORT |         \
	 OPT_QUIET | OPT_EVICTIONS)

#define CLI_MAX_ARGS 8

struct cli_opts {
	unsigned given; /* OPT_* bits of the options present */
	const char *variant;
	const coh_arch *arch;
	const char *strategy; /* "random", "pct" or "dfs" */
	uint64_t seed;
	uint64_t budget;
	double time_s;
	unsigned depth;
	unsigned preemptions;
	unsigned evictions; /* --evictions N: the bound, 0 = not given */
	unsigned jobs;
	unsigned shard_index, shard_count;
	bool keep_going, json, quiet;
	const char *report; /* --report FILE.html */
	const char *schedule;
	struct {
		const char *name; /* points into argv */
		size_t len;
		bool on;
	} fixes[CLI_MAX_ARGS];
	int nfixes;
	const char *disk;
	const char *args[CLI_MAX_ARGS]; /* positional arguments after the command */
	int nargs;
};

/* Parses argv[0..argc) (the words after the command) into o, accepting only
 * the options in `allowed`. On error prints "cohsim CMD: ..." on stderr and
 * returns EXIT_USAGE; else 0. */
int cli_parse_options(const char *cmd, unsigned allowed, int argc, char **argv, struct cli_opts *o);
/* The option lines of --help, for the options in `mask`. */
void cli_options_help(FILE *out, unsigned mask);

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
	uint64_t schedules;
	bool complete;
	double elapsed_s;        /* for stderr only: never in the report */
	unsigned eviction_bound; /* --evictions N, reported when given */
	/* pct: the bound of one run, P(find a depth-d bug) >= 1/(n*k^(d-1)) */
	unsigned pct_n, pct_d;
	uint64_t pct_k;
	double pct_probability;
	struct cli_finding *findings;
	size_t nfindings;
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
/* Writes a memstream buffer to stdout in one go; EXIT_INTERNAL if that fails. */
int cli_flush_stdout(const char *buf, size_t len);

/* ---- litmus, shared by `litmus` and `demo` ---- */

/* Parses and runs one litmus file. On bad input prints "FILE:LINE: ..." on
 * stderr and returns EXIT_USAGE; EXIT_INTERNAL on a host failure; else 0
 * with r filled (the caller frees it). expect (may be NULL) receives a copy
 * of the `# expect:` header, or NULL. */
int cli_litmus_run_file(const char *path, const struct cli_opts *o, struct cli_result *r,
                        char **expect);

/* ---- subcommands ---- */

int cmd_arch_list(const struct cli_opts *o);
int cmd_litmus(const struct cli_opts *o);
int cmd_demo(const struct cli_opts *o);
int cmd_list(const struct cli_opts *o);
int cmd_run(const struct cli_opts *o);
int cmd_replay(const struct cli_opts *o);

/* ---- built-in scenarios, shared by `run`, `replay` and `demo` ---- */

/* Runs one scenario variant on an arch (NULL: its default) with the
 * exploration options of o (strategy NULL: the scenario's default). Fills r;
 * returns 0, EXIT_USAGE (message printed) or EXIT_INTERNAL. */
int cli_scenario_run(const char *name, const char *variant, const char *arch, const char *strategy,
                     const struct cli_opts *o, struct cli_result *r);

#endif
