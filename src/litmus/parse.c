/*
 * parse.c - the litmus reader: text to an immutable coh_litmus.
 *
 * Interface: coh_litmus_parse_file / coh_litmus_parse_string. The grammar is
 * in docs/litmus.md; the keywords and their handlers are in directives.c, the
 * test object and its accessors in litmus.c.
 *
 * Design: one pass, line by line. Each line loses its comment, is split on
 * white space into at most MAX_TOKENS tokens, and is dispatched on its
 * keyword through the `keywords` table, which also states how many operands
 * the keyword takes. Everything that can be checked without running is
 * checked while reading (ranges, alignment, overlapping maps, CPUs, sizes,
 * values), so that a test that parses only fails at run time when threads
 * race on map/unmap. The first error wins: "FILE:LINE: what is wrong",
 * COH_EINVAL.
 *
 * Invariants: `arch` is the first directive; machine directives (cpus,
 * mem-size, page-size, seed, ram) come before the first operation; operations
 * after the first `thread` are inside a thread.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "litmus/parse_impl.h"

#define MAX_FILE_SIZE (16u << 20)

int coh__litmus_fail(struct parser *p, const char *fmt, ...)
{
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	coh__litmus_error(p->err, p->lt->name, p->line, "%s", what);
	return COH_EINVAL;
}

/* ---- lines ---- */

/* Records a `# expect: ...` comment (the first one) as the test's expectation. */
static int header_comment(struct parser *p, const char *c)
{
	while (*c == '#' || *c == ' ' || *c == '\t')
		c++;
	if (p->lt->expect || strncmp(c, "expect:", 7) != 0)
		return COH_OK;
	c += 7;
	while (*c == ' ' || *c == '\t')
		c++;
	size_t n = strlen(c);
	while (n && (c[n - 1] == ' ' || c[n - 1] == '\t' || c[n - 1] == '\r'))
		n--;
	p->lt->expect = strndup(c, n);
	return p->lt->expect ? COH_OK : COH_ENOMEM;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Splits s (modified in place) into p->tok on white space. */
static int tokenize(struct parser *p, char *s)
{
	p->ntok = 0;
	for (;;) {
		while (is_space(*s))
			s++;
		if (!*s)
			return COH_OK;
		if (p->ntok == MAX_TOKENS)
			return coh__litmus_fail(p,
			                        "too many operands (a line holds one operation)");
		p->tok[p->ntok++] = s;
		while (*s && !is_space(*s))
			s++;
		if (*s)
			*s++ = 0;
	}
}

static int parse_line(struct parser *p, char *s)
{
	for (const char *c = s; *c; c++)
		if ((unsigned char)*c < 0x20 && !is_space(*c))
			return coh__litmus_fail(p, "control character 0x%02x", (unsigned char)*c);
	char *hash = strchr(s, '#');
	if (hash) {
		int st = header_comment(p, hash);
		if (st)
			return st;
		*hash = 0;
	}
	int st = tokenize(p, s);
	if (st || p->ntok == 0)
		return st;

	/* "cpuN: op ..." or "cpuN:op ...": the prefix ends at the first colon */
	char *words[MAX_TOKENS + 1];
	unsigned ntok = 0;
	const char *prefix = NULL;
	char *colon = strchr(p->tok[0], ':');
	if (colon) {
		*colon = 0;
		prefix = p->tok[0];
		if (colon[1])
			words[ntok++] = colon + 1;
	} else {
		words[ntok++] = p->tok[0];
	}
	for (unsigned i = 1; i < p->ntok; i++)
		words[ntok++] = p->tok[i];
	if (ntok == 0)
		return coh__litmus_fail(p, "'%s:' without an operation", prefix);
	char **tok = words;
	const struct keyword *k = coh__litmus_keyword(tok[0]);
	if (!k)
		return coh__litmus_fail(p, "unknown operation '%s'", tok[0]);
	if (!p->arch_line && k->cls != KW_ARCH)
		return coh__litmus_fail(p, "'arch NAME' must be the first directive (got '%s')",
		                        tok[0]);
	if (prefix && k->cls != KW_CPU_OP)
		return coh__litmus_fail(p, "'%s' takes no 'cpuN:' prefix", k->name);
	unsigned nargs = ntok - 1;
	if (nargs < k->min_args)
		return coh__litmus_fail(p, "missing operand (usage: %s)", k->usage);
	if (nargs > k->max_args)
		return coh__litmus_fail(p, "extra operand '%s' (usage: %s)", tok[k->max_args + 1],
		                        k->usage);

	int cpu = -1;
	switch (k->cls) {
	case KW_ARCH:
		if (p->arch_line)
			return coh__litmus_fail(p, "arch given twice (first at line %u)",
			                        p->arch_line);
		break;
	case KW_CONFIG:
		if (p->cfg_line[k->code] && k->code != CFG_RAM)
			return coh__litmus_fail(p, "%s given twice (first at line %u)", k->name,
			                        p->cfg_line[k->code]);
		if (p->seen_op || p->lt->nthreads)
			return coh__litmus_fail(p, "'%s' must come before the first operation",
			                        k->name);
		if (!p->cfg_line[k->code])
			p->cfg_line[k->code] = p->line;
		break;
	case KW_THREAD:
		break;
	case KW_SYNC:
		if (p->thread < 0)
			return coh__litmus_fail(
			    p,
			    "'%s' outside a thread: signal and wait are how threads wait "
			    "for each other (the setup runs before them)",
			    k->name);
		cpu = (int)p->lt->threads[p->thread].cpu;
		break;
	case KW_CPU_OP:
	case KW_SYS_OP:
		if (p->thread < 0 && p->lt->nthreads)
			return coh__litmus_fail(
			    p,
			    "'%s' after the threads: operations after the first thread "
			    "belong inside 'thread ... end'",
			    k->name);
		if (k->cls == KW_SYS_OP)
			break;
		if (p->thread >= 0) {
			if (prefix)
				return coh__litmus_fail(
				    p, "'%s:' inside thread '%s': its operations run on cpu%u",
				    prefix, p->lt->threads[p->thread].name,
				    p->lt->threads[p->thread].cpu);
			cpu = (int)p->lt->threads[p->thread].cpu;
		} else if (prefix) {
			unsigned c;
			if ((st = coh__litmus_cpu_number(p, prefix, &c)))
				return st;
			cpu = (int)c;
		} else {
			cpu = 0;
		}
		break;
	}
	return k->fn(p, k, cpu, tok + 1, nargs);
}

static int parse_buffer(const char *name, char *text, size_t len, coh_litmus **out,
                        coh_litmus_error *err)
{
	coh_litmus_error scratch;
	if (!err)
		err = &scratch;
	memset(err, 0, sizeof(*err));
	*out = NULL;
	struct parser p = {.err = err, .thread = -1};
	p.lt = coh__litmus_new(name ? name : "-");
	if (!p.lt) {
		coh__litmus_error(err, name ? name : "-", 0, "out of memory");
		return COH_ENOMEM;
	}
	int st = COH_OK;
	char *s = text, *end = text + len;
	while (!st && s < end) {
		char *nl = memchr(s, '\n', (size_t)(end - s));
		char *eol = nl ? nl : end;
		p.line++;
		if (memchr(s, 0, (size_t)(eol - s))) {
			st = coh__litmus_fail(&p, "NUL byte (not a text file?)");
			break;
		}
		*eol = 0;
		st = parse_line(&p, s);
		s = eol + 1;
	}
	if (!st && p.thread >= 0) {
		p.line = p.lt->threads[p.thread].line;
		st = coh__litmus_fail(&p, "thread '%s' has no 'end'", p.lt->threads[p.thread].name);
	}
	if (!st && !p.arch_line) {
		p.line = p.line ? p.line : 1;
		st = coh__litmus_fail(&p, "no 'arch NAME' directive (it must come first)");
	}
	if (!st)
		st = coh__litmus_sync_check(p.lt, err);
	if (st == COH_ENOMEM)
		coh__litmus_error(err, p.lt->name, p.line, "out of memory");
	coh__vaset_free(&p.maps);
	if (st) {
		coh_litmus_free(p.lt);
		return st;
	}
	for (size_t i = 0; i < p.lt->nthreads; i++) {
		p.lt->threads[i].ops = p.lt->thread_ops[i].ops;
		p.lt->threads[i].nops = p.lt->thread_ops[i].n;
	}
	*out = p.lt;
	return COH_OK;
}

int coh_litmus_parse_string(const char *name, const char *text, coh_litmus **out,
                            coh_litmus_error *err)
{
	size_t len = strlen(text);
	char *copy = malloc(len + 1);
	if (!copy) {
		*out = NULL;
		coh__litmus_error(err, name ? name : "-", 0, "out of memory");
		return COH_ENOMEM;
	}
	memcpy(copy, text, len + 1);
	int st = parse_buffer(name, copy, len, out, err);
	free(copy);
	return st;
}

int coh_litmus_parse_file(const char *path, coh_litmus **out, coh_litmus_error *err)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		coh__litmus_error(err, path, 0, "cannot open: %s", strerror(errno));
		return COH_EFAULT;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int st = COH_OK;
	for (;;) {
		if (len == cap) {
			if (cap >= MAX_FILE_SIZE) {
				coh__litmus_error(err, path, 0, "file is larger than %u bytes",
				                  MAX_FILE_SIZE);
				st = COH_EINVAL;
				break;
			}
			cap = cap ? cap * 2 : 4096;
			char *b = realloc(buf, cap + 1);
			if (!b) {
				coh__litmus_error(err, path, 0, "out of memory");
				st = COH_ENOMEM;
				break;
			}
			buf = b;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0) {
			if (ferror(f)) {
				coh__litmus_error(err, path, 0, "cannot read: %s", strerror(errno));
				st = COH_EFAULT;
			}
			break;
		}
	}
	fclose(f);
	if (!st)
		st = parse_buffer(path, buf ? buf : (char *)"", len, out, err);
	free(buf);
	return st;
}
