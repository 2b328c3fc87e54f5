/*
 * trace_read.c - the address-trace reader of `cohsim trace` (trace.h).
 *
 * Interface: trace_open, then trace_next until it returns 0 (end) or -1
 * (a bad line, already reported as "PATH:LINE: problem"), then trace_close.
 * Invariant: memory use is one line buffer, whatever the trace's length; a
 * line longer than MAX_LINE is an error rather than a bigger buffer.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#define MAX_LINE 4096
#define MAX_SIZE 65535u

const char *trace_format_name(enum trace_format f)
{
	return f == TRACE_DIN ? "din" : f == TRACE_LACKEY ? "lackey" : "auto";
}

int trace_open(struct trace_reader *r, const char *path, enum trace_format format)
{
	memset(r, 0, sizeof(*r));
	r->path = path;
	r->format = format;
	if (strcmp(path, "-") == 0) {
		r->f = stdin;
		return 0;
	}
	r->f = fopen(path, "r");
	if (!r->f) {
		fprintf(stderr, "cohsim trace: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

void trace_close(struct trace_reader *r)
{
	if (r->f && r->f != stdin)
		fclose(r->f);
	free(r->line);
	r->f = NULL;
	r->line = NULL;
}

static int bad(const struct trace_reader *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int bad(const struct trace_reader *r, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%llu: ", strcmp(r->path, "-") ? r->path : "<stdin>",
	        (unsigned long long)r->lineno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* 1 + the value of each hex digit, 0 for any other byte: the reader's hot
 * loop (a lackey trace is mostly addresses). */
static const uint8_t hex1[256] = {
    ['0'] = 1,  ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9,  ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* A hex number at *p (0x allowed), at most 16 digits; advances *p. */
static bool parse_hex(const char **p, uint64_t *out)
{
	const char *s = *p;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && hex1[(unsigned char)s[2]])
		s += 2;
	const char *start = s;
	uint64_t v = 0;
	for (unsigned d; (d = hex1[(unsigned char)*s]) != 0; s++)
		v = v << 4 | (d - 1);
	if (s - start > 16)
		return false;
	if (s == start)
		return false;
	*p = s;
	*out = v;
	return true;
}

static bool parse_dec(const char **p, uint64_t max, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	if (*s < '0' || *s > '9')
		return false;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	*p = s;
	*out = v;
	return true;
}

static const char *skip_blank(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static bool at_end(const char *p)
{
	p = skip_blank(p);
	return *p == 0 || *p == '\n' || *p == '\r';
}

/* " L ADDR,SIZE" and friends */
static int parse_lackey(const struct trace_reader *r, const char *p, struct trace_access *a)
{
	p = skip_blank(p);
	switch (*p) {
	case 'I':
		a->kind = TRACE_IFETCH;
		break;
	case 'L':
		a->kind = TRACE_LOAD;
		break;
	case 'S':
		a->kind = TRACE_STORE;
		break;
	case 'M':
		a->kind = TRACE_MODIFY;
		break;
	default:
		return bad(r, "not a lackey access (I, L, S or M ADDR,SIZE)");
	}
	p = skip_blank(p + 1);
	if (!parse_hex(&p, &a->addr))
		return bad(r, "expected a hex address");
	if (*p != ',')
		return bad(r, "expected ',SIZE' after the address");
	p++;
	uint64_t size;
	if (!parse_dec(&p, MAX_SIZE, &size) || size == 0)
		return bad(r, "expected a size between 1 and %u", MAX_SIZE);
	if (!at_end(p))
		return bad(r, "unexpected text after the size");
	if (a->addr + size - 1 < a->addr)
		return bad(r, "the access wraps around the address space");
	a->size = (unsigned)size;
	return 1;
}

/* "LABEL ADDR [anything]" */
static int parse_din(const struct trace_reader *r, const char *p, struct trace_access *a)
{
	p = skip_blank(p);
	if (*p < '0' || *p > '4' || (p[1] != ' ' && p[1] != '\t'))
		return bad(r, "not a din record (LABEL 0-4, then a hex address)");
	static const enum trace_kind kinds[] = {TRACE_LOAD, TRACE_STORE, TRACE_IFETCH, TRACE_LOAD,
	                                        TRACE_FLUSH};
	a->kind = kinds[*p - '0'];
	p = skip_blank(p + 1);
	if (!parse_hex(&p, &a->addr))
		return bad(r, "expected a hex address");
	if (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
		return bad(r, "expected a hex address");
	a->addr &= ~(uint64_t)3;
	a->size = a->kind == TRACE_FLUSH ? 0 : 4;
	return 1;
}

/* Reads one line into r->line; 1, 0 at the end, -1 on error. */
static int read_line(struct trace_reader *r)
{
	ssize_t n = getline(&r->line, &r->cap, r->f);
	if (n < 0) {
		if (ferror(r->f)) {
			r->lineno++;
			return bad(r, "read error: %s", strerror(errno));
		}
		return 0;
	}
	r->lineno++;
	r->bytes += (uint64_t)n;
	if (n > MAX_LINE)
		return bad(r, "line longer than %d bytes", MAX_LINE);
	if (memchr(r->line, 0, (size_t)n))
		return bad(r, "a NUL byte in the line (not a text trace)");
	return 1;
}

static bool is_valgrind_note(const char *p)
{
	/* "==1234== ..." and "--1234-- ..." */
	return (p[0] == '=' && p[1] == '=') || (p[0] == '-' && p[1] == '-');
}

int trace_next(struct trace_reader *r, struct trace_access *a)
{
	for (;;) {
		int rc = read_line(r);
		if (rc <= 0)
			return rc;
		const char *p = r->line;
		if (at_end(p) || *skip_blank(p) == '#')
			continue;
		if (r->format != TRACE_DIN && is_valgrind_note(p))
			continue;
		memset(a, 0, sizeof(*a));
		const char *q = skip_blank(p);
		if (q[0] == 'c' && !strncmp(q, "cpu", 3) && (q[3] == ' ' || q[3] == '\t')) {
			uint64_t cpu;
			q = skip_blank(q + 3);
			if (!parse_dec(&q, 1000, &cpu) || !at_end(q))
				return bad(r, "expected 'cpu N'");
			a->kind = TRACE_CPU;
			a->cpu = (unsigned)cpu;
			return 1;
		}
		if (r->format == TRACE_AUTO)
			r->format = (*q >= '0' && *q <= '9' && (q[1] == ' ' || q[1] == '\t'))
			                ? TRACE_DIN
			                : TRACE_LACKEY;
		return r->format == TRACE_DIN ? parse_din(r, p, a) : parse_lackey(r, p, a);
	}
}
