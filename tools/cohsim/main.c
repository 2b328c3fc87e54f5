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

struct command {
	const char *name; /* one or two words */
	unsigned options; /* OPT_* accepted */
	const char *usage;
	const char *help;
	int (*run)(const struct cli_opts *o);
};

static int cmd_help(const struct cli_opts *o);
static int cmd_version(const struct cli_opts *o);

static const struct command commands[] = {
    {"list", 0, "list", "the built-in scenarios: variants, fix switches, default arch", cmd_list},
    {"run", OPT_EXPLORE | OPT_VARIANT | OPT_FIX | OPT_DISK, "run SCENARIO [options]",
     "explore a scenario variant; stops at the first finding unless --keep-going", cmd_run},
    {"replay", OPT_EXPLORE | OPT_VARIANT | OPT_FIX | OPT_DISK | OPT_SCHEDULE,
     "replay SCENARIO --schedule S", "replay one schedule of a scenario exactly", cmd_replay},
    {"litmus", OPT_EXPLORE | OPT_SCHEDULE, "litmus FILE.litmus [options]",
     "run a litmus test (docs/litmus.md); --arch overrides the file's arch, --seed its seed",
     cmd_litmus},
    {"arch list", 0, "arch list", "the arch profiles with their cache geometry", cmd_arch_list},
    {"demo", 0, "demo", "run every bundled example and print a result table", cmd_demo},
    {"version", 0, "version", "print the version", cmd_version},
    {"help", 0, "help", "this help", cmd_help},
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

static int cmd_help(const struct cli_opts *o)
{
	(void)o;
	usage(stdout);
	return EXIT_CLEAN;
}

static int cmd_version(const struct cli_opts *o)
{
	(void)o;
	printf("cohsim %s\n", COHSIM_VERSION);
	return EXIT_CLEAN;
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
	for (size_t i = 0; i < NCOMMANDS; i++) {
		int words = match(commands[i].name, argc, argv);
		if (!words)
			continue;
		struct cli_opts o;
		int rc = cli_parse_options(commands[i].name, commands[i].options, argc - 1 - words,
		                           argv + 1 + words, &o);
		if (rc)
			return rc;
		/* a bad output path fails now, not after the run */
		if (o.report && (rc = cli_outfile_check("--report", o.report)) != 0)
			return rc;
		return finish(commands[i].run(&o));
	}
	fprintf(stderr, "cohsim: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
