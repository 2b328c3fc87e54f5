/*
 * main.c - the cohsim command line: find the subcommand, parse its options,
 * run it. Uses only the public headers.
 *
 * The contract (DESIGN.md): exit 0 no finding, 1 findings, 2 bad usage or
 * bad input, 3 internal error; stdout is deterministic, timings go to
 * stderr. Subcommands are rows of `commands`; a row names the words that
 * select it ("arch list" is two), the options it accepts and its help.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cohsim/scenario.h"

#define command cli_command

static int cmd_help(const struct cli_opts *o);
static int cmd_version(const struct cli_opts *o);

static const struct command commands[] = {
    {"list", OPT_LOAD, "list [--load FILE.so]",
     "the built-in scenarios: variants, fix switches, default arch", cmd_list},
    {"run", OPT_EXPLORE | OPT_VARIANT | OPT_FIX | OPT_DISK | OPT_KERNEL | OPT_STATS | OPT_LOAD,
     "run SCENARIO [options]",
     "explore a scenario variant; stops at the first finding unless --keep-going", cmd_run},
    {"replay",
     OPT_EXPLORE | OPT_VARIANT | OPT_FIX | OPT_DISK | OPT_KERNEL | OPT_SCHEDULE | OPT_STATS |
         OPT_LOAD,
     "replay SCENARIO --schedule S", "replay one schedule of a scenario exactly", cmd_replay},
    {"dm", OPT_EXPLORE | OPT_VARIANT | OPT_FIX | OPT_DISK | OPT_KERNEL | OPT_SCHEDULE,
     "dm SCRIPT [options]",
     "run a dmsetup-like script on the device-mapper model, power cuts included "
     "(docs/dm.md); variant fixed (default) or buggy",
     cmd_dm},
    {"fsx",
     OPT_ARCH | OPT_STRATEGY | OPT_SEED | OPT_FIX | OPT_KERNEL | OPT_JSON | OPT_QUIET |
         OPT_MAX_MEMORY | OPT_NO_LOCKDEP | OPT_OPS | OPT_TASKS | OPT_FILES | OPT_JOURNAL,
     "fsx [options]",
     "random file operations (buffered, mmap, direct, AIO, truncate, fsync, cache drops) "
     "checked against a good copy of each file (docs/fsx.md)",
     cmd_fsx},
    {"litmus", OPT_EXPLORE | OPT_SCHEDULE | OPT_STATS, "litmus FILE.litmus|DIR... [options]",
     "run a litmus test (docs/litmus.md), or several as a table; --arch overrides the file's "
     "arch, --seed its seed",
     cmd_litmus},
    {"trace",
     OPT_ARCH | OPT_MAX_MEMORY | OPT_D1 | OPT_CPUS | OPT_STATS | OPT_JSON | OPT_QUIET | OPT_FORMAT |
         OPT_MAP | OPT_ICACHE | OPT_COMPAT,
     "trace FILE [options]",
     "replay a lackey or din address trace through the caches, oracle on (docs/trace.md)",
     cmd_trace},
    {"new", 0, "new NAME",
     "write a starter scenario project NAME/ (buggy and fixed variants, Makefile, CMake)", cmd_new},
    {"merge", 0, "merge RESULT.json...",
     "merge the --json results of --shard I/N runs into one result", cmd_merge},
    {"arch list", 0, "arch list", "the arch profiles with their cache geometry", cmd_arch_list},
    {"demo", OPT_JUNIT | OPT_TAP | OPT_LOAD, "demo [--junit FILE.xml] [--tap]",
     "run every bundled example and print a result table", cmd_demo},
    {"version", 0, "version", "print the version", cmd_version},
    {"help", 0, "help [COMMAND]", "this help, or a command's (also: cohsim COMMAND --help)",
     cmd_help},
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: cohsim COMMAND [options]\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  cohsim %-34s %s\n", commands[i].usage, commands[i].help);
	fprintf(out, "\noptions (each command accepts those that apply to it):\n");
	cli_options_help(out, ~0u);
	fprintf(out, "\nexit status: 0 no finding, 1 findings, 2 bad usage or input, "
	             "3 internal error\n");
}

/* `cohsim help COMMAND`: its usage, what it does, the options it takes. */
static int command_help(FILE *out, const struct command *c)
{
	fprintf(out, "usage: cohsim %s\n\n%s\n", c->usage, c->help);
	if (c->options) {
		fprintf(out, "\noptions:\n");
		cli_options_help(out, c->options);
	}
	fprintf(out, "\nexit status: 0 no finding, 1 findings, 2 bad usage or input, "
	             "3 internal error\n");
	return EXIT_CLEAN;
}

static const struct command *find_command(int nwords, const char *const *words)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		char joined[64] = "";
		for (int w = 0; w < nwords; w++)
			snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined), "%s%s",
			         w ? " " : "", words[w]);
		if (strcmp(commands[i].name, joined) == 0)
			return &commands[i];
	}
	if (nwords == 1 && !strcmp(words[0], "arch")) { /* `cohsim arch`: the profiles */
		static const char *const arch_list[] = {"arch", "list"};
		return find_command(2, arch_list);
	}
	return NULL;
}

static int cmd_help(const struct cli_opts *o)
{
	if (!o || o->nargs == 0) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	const struct command *c = find_command(o->nargs, o->args);
	if (!c) {
		fprintf(stderr, "cohsim help: unknown command '%s' (see `cohsim help`)\n",
		        o->args[0]);
		return EXIT_USAGE;
	}
	return command_help(stdout, c);
}

static int cmd_version(const struct cli_opts *o)
{
	(void)o;
	printf("cohsim %s\n", COHSIM_VERSION);
	return EXIT_CLEAN;
}

/* --load: the user's scenarios, before the command runs. */
static int load_scenarios(const struct cli_opts *o)
{
	for (int i = 0; i < o->nloads; i++) {
		char path[4096], err[512];
		/* dlopen searches the library path for a bare name: a file here is meant */
		bool here = !strchr(o->loads[i], '/') && access(o->loads[i], F_OK) == 0;
		snprintf(path, sizeof(path), "%s%s", here ? "./" : "", o->loads[i]);
		if (coh_scenario_load(path, err, sizeof(err)) != 0) {
			fprintf(stderr, "cohsim: --load %s\n", err);
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* How many words of argv (from argv[1]) a command name matches; 0 if none. */
static int match(const char *name, int argc, char **argv)
{
	int words = 0;
	const char *p = name;
	while (*p) {
		size_t n = strcspn(p, " ");
		if (1 + words >= argc || strlen(argv[1 + words]) != n ||
		    strncmp(argv[1 + words], p, n) != 0)
			return 0;
		words++;
		p += n;
		p += strspn(p, " ");
	}
	return words;
}

/* A closed standard descriptor is reopened read-only on /dev/null: files
 * the run opens never take its number (a worker's results would otherwise
 * receive error messages), and writes to it still fail as they would. */
static void hold_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		int n = open("/dev/null", O_RDONLY);
		if (n >= 0 && n != fd) {
			dup2(n, fd);
			close(n);
		}
	}
}

/* Every command's output must reach stdout: a write error is exit 3 with a
 * message, whatever the command. */
static int finish(int rc)
{
	if (rc == EXIT_INTERNAL)
		return rc;
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "cohsim: cannot write standard output: %s\n",
		        errno ? strerror(errno) : "write error");
		return EXIT_INTERNAL;
	}
	return rc;
}

int main(int argc, char **argv)
{
	hold_std_fds();
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return finish(cmd_help(NULL));
	if (!strcmp(argv[1], "--version"))
		return finish(cmd_version(NULL));
	if (argc == 2 && !strcmp(argv[1], "arch")) { /* `cohsim arch` lists the profiles */
		struct cli_opts o;
		int rc = cli_parse_options("arch", 0, 0, argv + 2, &o);
		static const char *const arch_list[] = {"arch", "list"};
		return rc ? rc : finish(find_command(2, arch_list)->run(&o));
	}
	if (argc == 3 && !strcmp(argv[1], "help") && !strcmp(argv[2], "--man")) {
		cli_man(stdout, commands, NCOMMANDS); /* cohsim(1), for the build */
		return finish(fflush(stdout) ? EXIT_INTERNAL : EXIT_CLEAN);
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		int words = match(commands[i].name, argc, argv);
		if (!words)
			continue;
		for (int k = 1 + words; k < argc; k++)
			if (!strcmp(argv[k], "--help") || !strcmp(argv[k], "-h"))
				return command_help(stdout, &commands[i]);
		struct cli_opts o;
		int rc = cli_parse_options(commands[i].name, commands[i].options, argc - 1 - words,
		                           argv + 1 + words, &o);
		if (rc)
			return rc;
		if ((rc = load_scenarios(&o)) != 0)
			return rc;
		/* a bad output path fails now, not after the run */
		if (o.report && (rc = cli_outfile_check("--report", o.report)) != 0)
			return rc;
		if ((commands[i].options & OPT_MAX_MEMORY) && (rc = cli_memory_limit(&o)) != 0)
			return rc;
		return finish(commands[i].run(&o));
	}
	fprintf(stderr, "cohsim: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
