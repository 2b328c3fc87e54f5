/*
 * parse_impl.h - the litmus reader's state, shared by parse.c (lines and
 * files) and directives.c (the keyword table and what each keyword does).
 * Not installed.
 */
#ifndef COHSIM_LITMUS_PARSE_IMPL_H
#define COHSIM_LITMUS_PARSE_IMPL_H

#include "litmus/litmus_impl.h"
#include "litmus/vaset.h"

#define MAX_TOKENS 8

struct parser {
	coh_litmus *lt;
	coh_litmus_error *err;
	unsigned line;
	char *tok[MAX_TOKENS];
	unsigned ntok;
	unsigned arch_line;
	bool seen_op;
	unsigned cfg_line[5]; /* cpus, mem-size, page-size, seed, the first ram: where given */
	unsigned ram_line[COH_MAX_RAM_BANKS]; /* where each ram bank was given */
	int thread;                           /* the thread being read, or -1 */
	struct coh__vaset maps;               /* live mappings */
};

enum cfg_directive { CFG_CPUS, CFG_MEM, CFG_PAGE, CFG_SEED, CFG_RAM };

struct keyword;
typedef int (*handler_fn)(struct parser *p, const struct keyword *k, int cpu, char **arg,
                          unsigned nargs);

enum kw_class {
	KW_ARCH,   /* arch NAME */
	KW_CONFIG, /* machine directives, before the first op */
	KW_THREAD, /* thread / end */
	KW_CPU_OP, /* an operation of a CPU: takes a cpuN: prefix */
	KW_SYS_OP, /* map, unmap, DMA: no CPU */
	KW_SYNC,   /* signal, wait: inside a thread only (sync.c) */
};

struct keyword {
	const char *name;
	enum kw_class cls;
	int code; /* coh_litmus_opcode or cfg_directive */
	unsigned min_args, max_args;
	const char *usage;
	handler_fn fn;
};

/* Formats "NAME:LINE: what" for the line being read into p->err; returns
 * COH_EINVAL (parse.c). */
int coh__litmus_fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* directives.c: the keyword named name (NULL: none), and "cpuN" read as a
 * CPU of the test (an error naming the valid range otherwise). */
const struct keyword *coh__litmus_keyword(const char *name);
int coh__litmus_cpu_number(struct parser *p, const char *tok, unsigned *cpu);

/* litmus.c: an empty test named name with the defaults (one CPU, seed 1). */
coh_litmus *coh__litmus_new(const char *name);

#endif
