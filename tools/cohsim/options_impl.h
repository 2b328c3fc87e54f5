/*
 * options_impl.h - the option table, shared by options.c (each option: its
 * name, bit, value, help and the function that reads its value) and
 * options_parse.c (the command line read against the table).
 */
#ifndef COHSIM_TOOL_OPTIONS_IMPL_H
#define COHSIM_TOOL_OPTIONS_IMPL_H

#include "cli.h"

struct option_def {
	const char *name;
	cli_optmask bit;
	const char *arg; /* NULL: a flag */
	const char *help;
	int (*set)(struct cli_opts *o, const char *v, const char **why);
};

/* Every option, in the order of `cohsim help` and the man page. */
extern const struct option_def cli_option_defs[];
extern const size_t cli_option_ndefs;

/* The values of options not given (seed 1, one job, one shard, ...). */
void cli_opts_defaults(struct cli_opts *o);

#endif
