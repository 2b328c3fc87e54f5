/*
 * schedule.c - the schedule string, version 1.
 *
 *   schedule := "v1" flags ":" [ item { "," item } ]
 *   flags    := [ "e" ] [ "f" hexmask ] [ "s" steps ]
 *               eviction choices on; enabled faults; step bound if not 100000
 *   item     := gap [ "=" value ]           value 1 when omitted
 *
 * Items list the recorded choices whose value is not the default 0. gap
 * counts the recorded choices skipped since the previous item (since the
 * start for the first). So "v1:" is the all-default execution and
 * "v1:3,0=2" says choice 3 took 1 and choice 4 took 2. Flags are part of the
 * string because they change which choices exist. The string carries no
 * program name: the caller supplies the program (the CLI prints both).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/sched_impl.h"

char *coh__schedule_encode(const struct coh__recorded *rec, size_t n,
                           const struct coh__sched_flags *fl)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return NULL;
	fputs(COH_SCHEDULE_VERSION, f);
	if (fl->evictions)
		fputc('e', f);
	if (fl->evictions && fl->max_evictions)
		fprintf(f, "%u", fl->max_evictions);
	if (fl->speculation && !fl->evictions) /* 'e' implies it */
		fputc('p', f);
	if (fl->faults)
		fprintf(f, "f%x", fl->faults);
	if (fl->max_steps != COH__DEFAULT_MAX_STEPS)
		fprintf(f, "s%llu", (unsigned long long)fl->max_steps);
	fputc(':', f);
	size_t prev = 0;
	bool first = true;
	for (size_t i = 0; i < n; i++) {
		if (rec[i].value == 0)
			continue;
		size_t gap = first ? i : i - prev - 1;
		fprintf(f, "%s%zu", first ? "" : ",", gap);
		if (rec[i].value != 1)
			fprintf(f, "=%u", rec[i].value);
		prev = i;
		first = false;
	}
	fclose(f);
	return buf;
}

static int parse_num(const char **p, unsigned long long max, unsigned long long *out)
{
	const char *s = *p;
	if (*s < '0' || *s > '9')
		return COH_EINVAL;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || v > max)
		return COH_EINVAL;
	*p = end;
	*out = v;
	return 0;
}

int coh__schedule_parse(const char *str, struct coh__deviation **devs, size_t *ndev,
                        struct coh__sched_flags *fl)
{
	*devs = NULL;
	*ndev = 0;
	fl->evictions = false;
	fl->speculation = false;
	fl->max_evictions = 0;
	fl->faults = 0;
	fl->max_steps = COH__DEFAULT_MAX_STEPS;
	if (!str || strncmp(str, COH_SCHEDULE_VERSION, 2) != 0)
		return COH_EINVAL;
	const char *p = str + 2;
	if (*p == 'e') {
		fl->evictions = fl->speculation = true;
		p++;
		if (*p >= '0' && *p <= '9') {
			unsigned long long n;
			if (parse_num(&p, 1000000, &n) || n == 0)
				return COH_EINVAL;
			fl->max_evictions = (unsigned)n;
		}
	}
	if (*p == 'p') {
		fl->speculation = true;
		p++;
	}
	if (*p == 'f') {
		char *end;
		unsigned long m = strtoul(p + 1, &end, 16);
		if (end == p + 1 || m >= (1u << COH_FAULT_COUNT))
			return COH_EINVAL;
		fl->faults = (unsigned)m;
		p = end;
	}
	if (*p == 's') {
		unsigned long long steps;
		p++;
		if (parse_num(&p, 1ull << 40, &steps) != 0)
			return COH_EINVAL;
		fl->max_steps = steps;
	}
	if (*p++ != ':')
		return COH_EINVAL;
	size_t cap = 0, idx = 0;
	bool first = true;
	while (*p) {
		unsigned long long gap, value = 1;
		if (!first && *p++ != ',')
			goto bad;
		if (parse_num(&p, 1ull << 40, &gap) != 0)
			goto bad;
		if (*p == '=') {
			p++;
			if (parse_num(&p, 1u << 20, &value) != 0 || value == 0)
				goto bad;
		}
		idx = first ? gap : idx + 1 + gap;
		first = false;
		if (*ndev == cap) {
			cap = cap ? cap * 2 : 16;
			struct coh__deviation *d = realloc(*devs, cap * sizeof(*d));
			if (!d)
				goto bad;
			*devs = d;
		}
		(*devs)[(*ndev)++] = (struct coh__deviation){idx, (unsigned)value};
	}
	return 0;
bad:
	free(*devs);
	*devs = NULL;
	*ndev = 0;
	return COH_EINVAL;
}
