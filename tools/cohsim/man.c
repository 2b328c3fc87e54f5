/*
 * man.c - cohsim(1), made from the tables the parser itself uses: every
 * subcommand of main.c's table with its usage, help and options, and every
 * option of options.c's table with the commands that accept it. The prose
 * around them (exit status, output, sharding recipes) is below. The build
 * writes the page with `cohsim help --man`; cohsim-litmus(5) comes from
 * docs/litmus.md (scripts/md2man.py). No date: the same build gives the
 * same bytes.
 */
#include <string.h>

#include "cli.h"

/* roff text: backslashes and hyphens escaped, no control word at a line
 * start. */
static void roff(FILE *out, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", out);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

static const char *const description =
    "cohsim is a deterministic simulator and checker for cache-coherence bugs in kernel-style "
    "I/O code. It runs small C programs (scenarios) and litmus tests on a simulated machine "
    "whose per-CPU data caches are virtually or physically indexed, with real geometries and "
    "non-coherent DMA. An oracle knows the latest value of every physical byte and reports "
    "each stale read, stale DMA and lost write, with the schedule that replays it exactly.";

static const char *const tail =
    ".SH EXIT STATUS\n"
    ".TP\n.B 0\nno finding (demo, litmus tables: every row as expected)\n"
    ".TP\n.B 1\nat least one finding (tables: a row not as expected)\n"
    ".TP\n.B 2\nbad usage or bad input; the message names the file, line and problem\n"
    ".TP\n.B 3\ninternal error\n"
    ".SH OUTPUT\n"
    "Standard output is deterministic: the same inputs and seed give the same bytes. "
    "Timings, rates and progress go to standard error. Files written by "
    "\\fB\\-\\-report\\fR, \\fB\\-\\-trace\\fR and \\fB\\-\\-junit\\fR are written whole "
    "or not at all.\n"
    ".SH ENVIRONMENT\n"
    ".TP\n.B COHSIM_EXAMPLES\n"
    "the litmus examples that \\fBdemo\\fR runs (default: beside the binary, or "
    "\\fIshare/cohsim/examples/litmus\\fR of its prefix)\n"
    ".SH EXAMPLES\n"
    "Find a bug, look at it, replay it:\n"
    ".PP\n.nf\n.RS 4\n"
    "cohsim run kmap\\-high\\-get \\-\\-report r.html \\-\\-trace t.json\n"
    "cohsim replay kmap\\-high\\-get \\-\\-variant buggy \\-\\-arch xscale "
    "\\-\\-schedule 'v1:133'\n"
    ".RE\n.fi\n"
    ".PP\nThe shallowest bug first, bound by bound, with the schedules each bound "
    "added:\n"
    ".PP\n.nf\n.RS 4\n"
    "cohsim run kmap\\-high\\-get \\-\\-strategy dfs \\-\\-preemptions 0..3 \\-\\-stats\n"
    ".RE\n.fi\n"
    ".PP\nA scenario of your own:\n"
    ".PP\n.nf\n.RS 4\n"
    "cohsim new my\\-drv && make \\-C my\\-drv\n"
    "cohsim run \\-\\-load ./my\\-drv/my\\-drv.so my\\-drv\n"
    ".RE\n.fi\n"
    ".PP\nShards on a Slurm array, merged:\n"
    ".PP\n.nf\n.RS 4\n"
    "#SBATCH \\-\\-array=0\\-15\n"
    "cohsim run S \\-\\-strategy dfs \\-\\-keep\\-going \\-\\-json "
    "\\-\\-shard $SLURM_ARRAY_TASK_ID/16 > r$SLURM_ARRAY_TASK_ID.json\n"
    "cohsim merge r*.json\n"
    ".RE\n.fi\n"
    ".PP\nOn a Kubernetes indexed Job, the index is \\fBJOB_COMPLETION_INDEX\\fR: "
    "\\fB\\-\\-shard $JOB_COMPLETION_INDEX/N\\fR with completions N.\n"
    ".SH SEE ALSO\n"
    ".BR cohsim\\-litmus (5)\n";

void cli_man(FILE *out, const struct cli_command *cmds, size_t n)
{
	fprintf(out, ".TH COHSIM 1 \"\" \"cohsim %s\" \"User Commands\"\n", COHSIM_VERSION);
	fputs(".SH NAME\ncohsim \\- find cache\\-coherence bugs in kernel I/O code by "
	      "simulation\n.SH SYNOPSIS\n",
	      out);
	for (size_t i = 0; i < n; i++) {
		fputs(".B cohsim\n", out);
		roff(out, cmds[i].usage);
		fputs("\n.br\n", out);
	}
	fputs(".SH DESCRIPTION\n", out);
	roff(out, description);
	fputs("\n.SH COMMANDS\n", out);
	for (size_t i = 0; i < n; i++) {
		fputs(".TP\n.B cohsim ", out);
		roff(out, cmds[i].usage);
		fputc('\n', out);
		roff(out, cmds[i].help);
		fputc('\n', out);
		const char *name, *arg, *help;
		cli_optmask bit;
		bool first = true;
		for (size_t k = 0; cli_option_at(k, &name, &bit, &arg, &help); k++) {
			if (!(cmds[i].options & bit))
				continue;
			fprintf(out, "%s\\fB\\-\\-", first ? ".br\nOptions: " : ", ");
			roff(out, name);
			fputs("\\fR", out);
			first = false;
		}
		if (!first)
			fputc('\n', out);
	}
	fputs(".SH OPTIONS\n", out);
	const char *name, *arg, *help;
	cli_optmask bit;
	for (size_t k = 0; cli_option_at(k, &name, &bit, &arg, &help); k++) {
		fputs(".TP\n.BI \\-\\-", out);
		roff(out, name);
		if (arg) {
			fputs(" \" ", out);
			roff(out, arg);
			fputc('"', out);
		}
		fputc('\n', out);
		roff(out, help);
		fputs(".\n.br\nAccepted by:", out);
		bool first = true;
		for (size_t i = 0; i < n; i++)
			if (cmds[i].options & bit) {
				fprintf(out, "%s\\fB", first ? " " : ", ");
				roff(out, cmds[i].name);
				fputs("\\fR", out);
				first = false;
			}
		fputs(".\n", out);
	}
	fputs(tail, out);
}
