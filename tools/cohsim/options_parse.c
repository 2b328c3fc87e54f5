/*
 * options_parse.c - a subcommand's words read against the option table.
 *
 * Interface: cli_parse_options() takes the words after the subcommand and
 * the set of options the subcommand accepts; cli_check_strategy_options()
 * refuses options the chosen strategy does not use; cli_option_at() and
 * cli_options_help() list the table (man page, completion, help).
 *
 * Invariants: "--name VALUE" and "--name=VALUE" are both accepted; "--" ends
 * the options; an option is given once unless it is repeatable (--fix, --map,
 * --load). Every bad word is reported as "cohsim CMD: ..." and EXIT_USAGE
 * before anything runs.
 */
#include <stdio.h>
#include <string.h>

#include "options_impl.h"

int cli_parse_options(const char *cmd, cli_optmask allowed, int argc, char **argv,
                      struct cli_opts *o)
{
	cli_opts_defaults(o);
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
		for (size_t k = 0; k < cli_option_ndefs; k++)
			if (strlen(cli_option_defs[k].name) == nlen &&
			    !strncmp(cli_option_defs[k].name, name, nlen))
				d = &cli_option_defs[k];
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
	if (i >= cli_option_ndefs)
		return false;
	*name = cli_option_defs[i].name;
	*bit = cli_option_defs[i].bit;
	*arg = cli_option_defs[i].arg;
	*help = cli_option_defs[i].help;
	return true;
}

void cli_options_help(FILE *out, cli_optmask mask)
{
	for (size_t k = 0; k < cli_option_ndefs; k++) {
		if (!(mask & cli_option_defs[k].bit))
			continue;
		char left[40];
		snprintf(left, sizeof(left), "--%s%s%s", cli_option_defs[k].name,
		         cli_option_defs[k].arg ? " " : "",
		         cli_option_defs[k].arg ? cli_option_defs[k].arg : "");
		fprintf(out, "  %-24s %s\n", left, cli_option_defs[k].help);
	}
}
