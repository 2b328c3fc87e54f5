/*
 * trace.h - reading address traces for `cohsim trace` (docs/trace.md).
 *
 * A reader streams one file (or stdin for "-") line by line, in bounded
 * memory, and hands out one access at a time. Two formats:
 *   lackey  valgrind --tool=lackey --trace-mem=yes: "I  ADDR,SIZE",
 *           " L ADDR,SIZE", " S ADDR,SIZE", " M ADDR,SIZE"; valgrind's own
 *           "==PID==" and "--PID--" lines are skipped;
 *   din     Dinero's traditional format: "LABEL ADDR [ignored]", label 0
 *           read, 1 write, 2 instruction fetch, 3 other (a read), 4 flush;
 *           every access is 4 bytes at ADDR rounded down to 4, as Dinero IV
 *           reads din.
 * In both, addresses are hex without 0x (0x is accepted), blank lines and
 * lines starting with '#' are skipped, and a line "cpu N" sends the accesses
 * after it to CPU N (a cohsim extension; N < --cpus).
 * The format is the one forced, or else the first line that is neither
 * blank nor a comment decides: a digit then a blank is din, else lackey.
 */
#ifndef COHSIM_TRACE_H
#define COHSIM_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum trace_format { TRACE_AUTO, TRACE_LACKEY, TRACE_DIN };

enum trace_kind {
	TRACE_LOAD,
	TRACE_STORE,
	TRACE_MODIFY, /* lackey M: a load and a store of the same bytes */
	TRACE_IFETCH,
	TRACE_FLUSH, /* din label 4: flush the whole cache */
	TRACE_CPU,   /* "cpu N": the CPU of the accesses that follow */
};

struct trace_access {
	enum trace_kind kind;
	uint64_t addr;
	unsigned size; /* 1..65535 bytes; 0 for FLUSH and CPU */
	unsigned cpu;  /* TRACE_CPU only */
};

struct trace_reader {
	FILE *f;
	const char *path; /* as given; "-" is stdin */
	enum trace_format format;
	uint64_t lineno;
	uint64_t bytes; /* read so far, for the progress line */
	char *line;
	size_t cap;
};

/* Opens path ("-": stdin). On failure prints "cohsim trace: PATH: why" and
 * returns -1. */
int trace_open(struct trace_reader *r, const char *path, enum trace_format format);
/* The next access: 1, 0 at the end, -1 on a bad line (the message
 * "PATH:LINE: problem" is printed on stderr). */
int trace_next(struct trace_reader *r, struct trace_access *a);
void trace_close(struct trace_reader *r);
const char *trace_format_name(enum trace_format f);

#endif
