/*
 * fuzz_options.c - libFuzzer harness: the command line's option parser,
 * cli_parse_options() (tools/cohsim/options.c, compiled into the harness).
 *
 * The input is split into argv words at NUL bytes and newlines (at most
 * MAX_WORDS words). The words go through cli_parse_options() once for each
 * command's option mask (the rows of `commands` in tools/cohsim/main.c, and
 * every option at once). A success must leave consistent options: each
 * value the command did not accept is at its default, a given --arch is a
 * known profile, --strategy one of the three names, the shard in range,
 * every positional argument and --fix name one of the words, and counts
 * within their arrays. A failure returns EXIT_USAGE (its message goes to
 * stderr: run with -close_fd_mask=2).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_WORDS 24

static const struct {
	const char *name;
	cli_optmask mask;
} commands[] = {
    {"list", 0},
    {"run", OPT_EXPLORE | OPT_VARIANT | OPT_FIX | OPT_DISK},
    {"replay", OPT_EXPLORE | OPT_VARIANT | OPT_FIX | OPT_DISK | OPT_SCHEDULE},
    {"litmus", OPT_EXPLORE | OPT_SCHEDULE},
    {"every", ~(cli_optmask)0},
};

static bool is_word(char *const *argv, int argc, const char *p)
{
	for (int i = 0; i < argc; i++) {
		size_t n = strlen(argv[i]);
		if (p >= argv[i] && p <= argv[i] + n)
			return true;
	}
	return false;
}

static void check(const struct cli_opts *o, cli_optmask mask, char *const *argv, int argc)
{
	if (o->given & ~mask)
		abort();
	if (!(mask & OPT_VARIANT) && o->variant)
		abort();
	if (o->given & OPT_ARCH) {
		if (!o->arch || !coh_arch_find(o->arch->name))
			abort();
	} else if (o->arch) {
		abort();
	}
	if (o->strategy && strcmp(o->strategy, "random") && strcmp(o->strategy, "pct") &&
	    strcmp(o->strategy, "dfs"))
		abort();
	if ((o->given & OPT_BUDGET) && o->budget == 0)
		abort();
	if ((o->given & OPT_TIME) && !(o->time_s > 0))
		abort();
	if (o->depth < 1 || o->depth > 64 || o->preemptions < -1 || o->preemptions > 1000 ||
	    o->jobs < 1 || o->jobs > 1024)
		abort();
	if (o->shard_count == 0 || o->shard_index >= o->shard_count)
		abort();
	if (o->nargs < 0 || o->nargs > CLI_MAX_ARGS || o->nfixes < 0 || o->nfixes > CLI_MAX_ARGS)
		abort();
	for (int i = 0; i < o->nargs; i++)
		if (!is_word(argv, argc, o->args[i]))
			abort();
	for (int i = 0; i < o->nfixes; i++)
		if (!is_word(argv, argc, o->fixes[i].name) || o->fixes[i].len == 0 ||
		    o->fixes[i].len >= strlen(o->fixes[i].name) ||
		    o->fixes[i].name[o->fixes[i].len] != '=')
			abort();
	const char *strs[] = {o->report, o->schedule, o->disk};
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++)
		if (strs[i] && (!*strs[i] || !is_word(argv, argc, strs[i])))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	char *argv[MAX_WORDS + 1];
	int argc = 0;
	char *p = buf, *end = buf + size;
	while (argc < MAX_WORDS && p <= end && size) {
		char *w = p;
		while (p < end && *p && *p != '\n')
			p++;
		*p = 0; /* at end this is the terminator itself */
		argv[argc++] = w;
		p++;
	}
	argv[argc] = NULL;
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++) {
		struct cli_opts o;
		int rc = cli_parse_options(commands[c].name, commands[c].mask, argc, argv, &o);
		if (rc == 0)
			check(&o, commands[c].mask, argv, argc);
		else if (rc != EXIT_USAGE)
			abort();
	}
	free(buf);
	return 0;
}
