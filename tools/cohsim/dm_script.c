/*
 * dm_script.c - parses and checks a `cohsim dm` script (docs/dm.md).
 *
 * Interface: dm_script.h. One pass over the lines, with the state a
 * dmsetup user would have in mind: the disks declared, which mapped
 * devices exist and the size of their live and inactive tables. Every
 * problem is "FILE:LINE: problem" on stderr; the first one ends the parse.
 * Tables are checked as dm-table.c and the target constructors would see
 * them (syntax, contiguity, devices, ranges); what only the run can tell
 * (a metadata device of another block size, say) is the run's error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dm_script.h"

#define MAX_LINE 1024
#define MAX_WORDS 40
#define MAX_TARGETS 4
#define TABLE_TEXT 255

struct devstate {
	bool exists;
	uint64_t live, inactive; /* table sizes; 0: none */
};

struct parser {
	struct dm_script *s;
	unsigned line;
	bool past_disks;
	struct devstate dev[DM_SCRIPT_DEVS + DM_SCRIPT_DISKS]; /* by tracker */
};

static const char *const verbs[] = {
    [DM_DISK] = "disk",           [DM_CREATE] = "create",   [DM_RELOAD] = "reload",
    [DM_RESUME] = "resume",       [DM_SUSPEND] = "suspend", [DM_STATUS] = "status",
    [DM_MESSAGE] = "message",     [DM_REMOVE] = "remove",   [DM_WRITE] = "write",
    [DM_READ] = "read",           [DM_VERIFY] = "verify",   [DM_FLUSH] = "flush",
    [DM_ARM_CRASH] = "arm-crash", [DM_CRASH] = "crash",     [DM_TORN] = "torn-writes",
};

const char *dm_verb_name(enum dm_verb v)
{
	return verbs[v];
}

static int bad(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s:%u: ", p->s->path, p->line);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 2;
}

/* A decimal or 0x number up to max. */
static bool number(const char *w, uint64_t max, uint64_t *out)
{
	if (!*w || *w == '-' || *w == '+' || isspace((unsigned char)*w))
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(w, &end, 0);
	if (*end || errno || v > max)
		return false;
	*out = v;
	return true;
}

static int num(struct parser *p, const char *w, const char *what, uint64_t lo, uint64_t hi,
               uint64_t *out)
{
	if (!number(w, UINT64_MAX, out))
		return bad(p, "%s '%s' is not a number", what, w);
	if (*out < lo || *out > hi)
		return bad(p, "%s %s out of range (%llu to %llu)", what, w, (unsigned long long)lo,
		           (unsigned long long)hi);
	return 0;
}

static int disk_index(const struct dm_script *s, const char *w)
{
	if (strncmp(w, "/dev/", 5) == 0)
		w += 5;
	for (unsigned i = 0; i < s->ndisks; i++)
		if (strcmp(s->disks[i].name, w) == 0)
			return (int)i;
	return -1;
}

static int tracker(struct parser *p, const char *name, uint64_t sectors, unsigned *out);

/* A disk in a table. Under a cache target its reads go unchecked (the
 * cache's writes reach it behind the record); under a linear one the
 * record follows the remapping, so the disk gets a tracker of its own. */
static int disk_arg(struct parser *p, const char *w, bool linear, uint64_t *sectors)
{
	int d = disk_index(p->s, w);
	if (d < 0)
		return bad(p, "unknown device '%s' (declare it with `disk NAME SECTORS`)", w);
	*sectors = p->s->disks[d].sectors;
	if (!linear) {
		p->s->disks[d].in_table = true;
		return 0;
	}
	char tname[DM_SCRIPT_NAME + 5];
	unsigned t;
	snprintf(tname, sizeof(tname), "/dev/%s", p->s->disks[d].name);
	return tracker(p, tname, *sectors, &t);
}

/* One target: "start len type args...", as dm_table_add_target and the
 * linear and cache constructors take it. */
static int check_target(struct parser *p, char **w, int n, uint64_t expect_start, uint64_t *len)
{
	uint64_t start, dsz, v;
	int r;
	if (n < 3)
		return bad(p, "bad table: a target needs START LENGTH TYPE");
	if ((r = num(p, w[0], "target start", 0, DM_SCRIPT_MAX_SECTORS, &start)) ||
	    (r = num(p, w[1], "target length", 1, DM_SCRIPT_MAX_SECTORS, len)))
		return r;
	if (start != expect_start)
		return bad(p,
		           "bad table: target at %s, expected %llu (targets are contiguous from 0)",
		           w[0], (unsigned long long)expect_start);
	if (strcmp(w[2], "linear") == 0) {
		if (n != 5)
			return bad(p, "bad table: linear takes 2 arguments (DEVICE OFFSET), got %d",
			           n - 3);
		if ((r = disk_arg(p, w[3], true, &dsz)) != 0 ||
		    (r = num(p, w[4], "linear offset", 0, dsz, &v)))
			return r;
		if (v + *len > dsz)
			return bad(p,
			           "bad table: linear %s %s + %s runs past the end of the device "
			           "(%llu sectors)",
			           w[3], w[4], w[1], (unsigned long long)dsz);
		return 0;
	}
	if (strcmp(w[2], "cache") == 0) {
		/* md cd od block_size #features features... policy #args args... */
		if (n < 10)
			return bad(
			    p,
			    "bad table: cache takes at least 7 arguments (METADATA CACHE "
			    "ORIGIN BLOCKSIZE #FEATURES [FEATURES] POLICY #ARGS [ARGS]), got %d",
			    n - 3);
		uint64_t osz, nf, na;
		if ((r = disk_arg(p, w[3], false, &dsz)) || (r = disk_arg(p, w[4], false, &dsz)) ||
		    (r = disk_arg(p, w[5], false, &osz)))
			return r;
		if ((r = num(p, w[6], "cache block size", 8, 128, &v)) ||
		    (r = num(p, w[7], "cache #features", 0, 1, &nf)))
			return r;
		if (v % 8)
			return bad(p,
			           "bad table: cache block size %s is not a multiple of 8 sectors",
			           w[6]);
		if (nf && strcmp(w[8], "writeback") != 0)
			return bad(p,
			           "bad table: cache feature '%s' (the model has writeback only)",
			           w[8]);
		int i = 8 + (int)nf;
		if (i + 1 >= n)
			return bad(p, "bad table: cache needs POLICY #ARGS after the features");
		if ((r = num(p, w[i + 1], "cache policy #args", 0, 16, &na)))
			return r;
		if (i + 2 + (int)na != n)
			return bad(p,
			           "bad table: cache policy '%s' has %d arguments, #args says %llu",
			           w[i], n - i - 2, (unsigned long long)na);
		if (*len > osz)
			return bad(p,
			           "bad table: cache length %s is past the end of origin %s (%llu "
			           "sectors)",
			           w[1], w[5], (unsigned long long)osz);
		return 0;
	}
	return bad(p, "bad table: unknown target type '%s' (linear, cache)", w[2]);
}

/* A whole table: targets separated by ';'. *size: its sectors. */
static int check_table(struct parser *p, const char *text, uint64_t *size)
{
	if (strlen(text) > TABLE_TEXT)
		return bad(p, "bad table: longer than %d characters", TABLE_TEXT);
	char buf[TABLE_TEXT + 1];
	snprintf(buf, sizeof(buf), "%s", text);
	*size = 0;
	int targets = 0;
	for (char *save = NULL, *t = strtok_r(buf, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		char *w[MAX_WORDS];
		int n = 0;
		for (char *s2 = NULL, *x = strtok_r(t, " \t", &s2); x;
		     x = strtok_r(NULL, " \t", &s2))
			if (n < MAX_WORDS)
				w[n++] = x;
		if (n == 0)
			continue;
		if (++targets > MAX_TARGETS)
			return bad(p, "bad table: more than %d targets", MAX_TARGETS);
		uint64_t len;
		int r = check_target(p, w, n, *size, &len);
		if (r)
			return r;
		*size += len;
	}
	if (!targets)
		return bad(p, "bad table: no target");
	if (*size > DM_SCRIPT_MAX_SECTORS)
		return bad(p, "bad table: %llu sectors (at most %u)", (unsigned long long)*size,
		           DM_SCRIPT_MAX_SECTORS);
	return 0;
}

/* The tracker of a device name ("c" or "/dev/od"), made on first use. */
static int tracker(struct parser *p, const char *name, uint64_t sectors, unsigned *out)
{
	struct dm_script *s = p->s;
	for (unsigned i = 0; i < s->ntrackers; i++)
		if (strcmp(s->trackers[i].name, name) == 0) {
			if (sectors > s->trackers[i].sectors)
				s->trackers[i].sectors = sectors;
			*out = i;
			return 0;
		}
	if (s->ntrackers == DM_SCRIPT_DEVS + DM_SCRIPT_DISKS)
		return bad(p, "too many devices");
	snprintf(s->trackers[s->ntrackers].name, sizeof(s->trackers[0].name), "%s", name);
	s->trackers[s->ntrackers].sectors = sectors;
	*out = s->ntrackers++;
	return 0;
}

static int mapped(struct parser *p, const char *name, bool must_exist, struct devstate **out)
{
	if (strlen(name) >= DM_SCRIPT_NAME || strchr(name, '/'))
		return bad(p, "bad device name '%s'", name);
	unsigned t;
	int r = tracker(p, name, 0, &t);
	if (r)
		return r;
	*out = &p->dev[t];
	if (must_exist && !(*out)->exists)
		return bad(p, "unknown device '%s' (no `create %s` before this line)", name, name);
	return 0;
}

static int words_of(char *line, char **w)
{
	int n = 0;
	for (char *save = NULL, *x = strtok_r(line, " \t", &save); x && n < MAX_WORDS;
	     x = strtok_r(NULL, " \t", &save))
		w[n++] = x;
	return n;
}

static int argc_is(struct parser *p, int n, int lo, int hi, const char *usage)
{
	if (n - 1 < lo || n - 1 > hi)
		return bad(p, "wrong number of arguments: usage: %s", usage);
	return 0;
}

/* An I/O line: VERB DEV [SECTOR COUNT [PATTERN [fua]]]. */
static int parse_io(struct parser *p, struct dm_op *op, char **w, int n)
{
	int r;
	static const char *const usage[] = {
	    [DM_WRITE] = "write DEVICE SECTOR COUNT PATTERN [fua]",
	    [DM_READ] = "read DEVICE SECTOR COUNT",
	    [DM_VERIFY] = "verify DEVICE SECTOR COUNT PATTERN",
	    [DM_FLUSH] = "flush DEVICE",
	};
	int lo = op->verb == DM_FLUSH ? 1 : op->verb == DM_READ ? 3 : 4;
	int hi = op->verb == DM_WRITE ? 5 : lo;
	if ((r = argc_is(p, n, lo, hi, usage[op->verb])))
		return r;
	uint64_t size;
	char tname[DM_SCRIPT_NAME + 5];
	if (strncmp(w[1], "/dev/", 5) == 0) {
		int d = disk_index(p->s, w[1]);
		if (d < 0)
			return bad(p, "unknown device '%s'", w[1]);
		op->raw = true;
		snprintf(op->name, sizeof(op->name), "%s", p->s->disks[d].name);
		size = p->s->disks[d].sectors;
	} else {
		struct devstate *ds;
		if ((r = mapped(p, w[1], true, &ds)))
			return r;
		if (!ds->live)
			return bad(p, "device '%s' has no live table", w[1]);
		snprintf(op->name, sizeof(op->name), "%s", w[1]);
		size = ds->live;
	}
	snprintf(tname, sizeof(tname), "%s%s", op->raw ? "/dev/" : "", op->name);
	if ((r = tracker(p, tname, size, &op->dev)))
		return r;
	if (op->verb == DM_FLUSH)
		return 0;
	if ((r = num(p, w[2], "sector", 0, size - 1, &op->sector)) ||
	    (r = num(p, w[3], "count", 1, DM_SCRIPT_MAX_IO, &op->count)))
		return r;
	if (op->sector + op->count > size)
		return bad(p, "sectors %llu to %llu are past the end of %s (%llu sectors)",
		           (unsigned long long)op->sector,
		           (unsigned long long)(op->sector + op->count - 1), w[1],
		           (unsigned long long)size);
	if (op->verb == DM_READ)
		return 0;
	uint64_t pat;
	if ((r = num(p, w[4], "pattern", 0, 255, &pat)))
		return r;
	op->pattern = (unsigned)pat;
	if (n == 6) {
		if (strcmp(w[5], "fua") != 0)
			return bad(p, "unknown write flag '%s' (fua)", w[5]);
		op->fua = true;
	}
	return 0;
}

static int parse_disk(struct parser *p, char **w, int n)
{
	struct dm_script *s = p->s;
	int r;
	uint64_t sectors;
	if ((r = argc_is(p, n, 2, 2, "disk NAME SECTORS")))
		return r;
	if (p->past_disks)
		return bad(p, "`disk` lines come before every other line");
	if (s->ndisks == DM_SCRIPT_DISKS)
		return bad(p, "too many disks (at most %d)", DM_SCRIPT_DISKS);
	const char *name = strncmp(w[1], "/dev/", 5) == 0 ? w[1] + 5 : w[1];
	if (!*name || strlen(name) >= DM_SCRIPT_NAME || strchr(name, '/'))
		return bad(p, "bad disk name '%s'", w[1]);
	if (disk_index(s, name) >= 0)
		return bad(p, "disk '%s' is declared twice", name);
	if ((r = num(p, w[2], "disk size", 8, DM_SCRIPT_MAX_SECTORS, &sectors)))
		return r;
	snprintf(s->disks[s->ndisks].name, DM_SCRIPT_NAME, "%s", name);
	s->disks[s->ndisks].sectors = sectors;
	s->ndisks++;
	return 0;
}

/* The rest of the line after the first `skip` words, as one string. */
static char *rest_of(const char *orig, int skip)
{
	const char *q = orig;
	for (int i = 0; i < skip; i++) {
		q += strspn(q, " \t");
		q += strcspn(q, " \t");
	}
	q += strspn(q, " \t");
	return strdup(q);
}

static int parse_line(struct parser *p, const char *orig, char *line, struct dm_op *op)
{
	char *w[MAX_WORDS];
	int n = words_of(line, w), r;
	int v = -1;
	for (unsigned i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(w[0], verbs[i]) == 0)
			v = (int)i;
	if (v < 0)
		return bad(p, "unknown verb '%s'", w[0]);
	op->verb = (enum dm_verb)v;
	op->line = p->line;
	if (op->verb == DM_DISK)
		return parse_disk(p, w, n);
	p->past_disks = true;
	struct devstate *ds;
	uint64_t size;
	switch (op->verb) {
	case DM_CREATE:
	case DM_RELOAD:
		if (n < 3)
			return bad(p, "wrong number of arguments: usage: %s NAME TABLE", w[0]);
		if ((r = mapped(p, w[1], op->verb == DM_RELOAD, &ds)))
			return r;
		if (op->verb == DM_CREATE && ds->exists)
			return bad(p, "device '%s' exists already", w[1]);
		snprintf(op->name, sizeof(op->name), "%s", w[1]);
		if (!(op->text = rest_of(orig, 2)))
			return 3;
		if ((r = check_table(p, op->text, &size)))
			return r;
		if (op->verb == DM_CREATE)
			*ds = (struct devstate){true, size, 0};
		else
			ds->inactive = size;
		return 0;
	case DM_RESUME:
	case DM_SUSPEND:
	case DM_STATUS:
	case DM_REMOVE:
		if ((r = argc_is(p, n, 1, 1, "VERB NAME")) || (r = mapped(p, w[1], true, &ds)))
			return r;
		snprintf(op->name, sizeof(op->name), "%s", w[1]);
		if (op->verb == DM_RESUME && ds->inactive) {
			ds->live = ds->inactive;
			ds->inactive = 0;
		}
		if (op->verb == DM_REMOVE)
			*ds = (struct devstate){0};
		return 0;
	case DM_MESSAGE:
		if (n < 4)
			return bad(
			    p, "wrong number of arguments: usage: message NAME SECTOR WORDS...");
		if ((r = mapped(p, w[1], true, &ds)) ||
		    (r = num(p, w[2], "message sector", 0, ds->live ? ds->live - 1 : 0, &size)))
			return r;
		snprintf(op->name, sizeof(op->name), "%s", w[1]);
		return (op->text = rest_of(orig, 2)) ? 0 : 3;
	case DM_ARM_CRASH:
	case DM_CRASH:
	case DM_TORN:
		if ((r = argc_is(p, n, 0, 0, w[0])))
			return r;
		if (op->verb == DM_CRASH)
			memset(p->dev, 0, sizeof(p->dev)); /* every mapped device is gone */
		return 0;
	default:
		return parse_io(p, op, w, n);
	}
}

int dm_script_parse(const char *path, struct dm_script *s)
{
	memset(s, 0, sizeof(*s));
	s->path = path;
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "cohsim dm: cannot open %s: %s\n", path, strerror(errno));
		return 2;
	}
	struct parser p = {.s = s};
	char line[MAX_LINE + 2];
	size_t cap = 0;
	int rc = 0;
	while (!rc && fgets(line, sizeof(line), f)) {
		p.line++;
		size_t len = strlen(line);
		if (len > MAX_LINE) {
			rc = bad(&p, "line longer than %d characters", MAX_LINE);
			break;
		}
		if (memchr(line, 0, len) != NULL || (len && line[len - 1] != '\n' && !feof(f))) {
			rc = bad(&p, "not a text line");
			break;
		}
		line[strcspn(line, "#\r\n")] = 0;
		char orig[MAX_LINE + 2];
		memcpy(orig, line, strlen(line) + 1);
		if (line[strspn(line, " \t")] == 0)
			continue;
		if (s->nops == cap) {
			size_t ncap = cap ? 2 * cap : 32;
			struct dm_op *ops = realloc(s->ops, ncap * sizeof(*ops));
			if (!ops) {
				rc = 3;
				break;
			}
			s->ops = ops;
			cap = ncap;
		}
		struct dm_op *op = &s->ops[s->nops];
		memset(op, 0, sizeof(*op));
		s->nops++; /* freed with the script, whatever the outcome */
		rc = parse_line(&p, orig, line, op);
		if (!rc && op->verb == DM_DISK)
			s->nops--;
	}
	if (!rc && ferror(f))
		rc = bad(&p, "read error");
	fclose(f);
	if (!rc && s->ndisks == 0)
		rc = bad(&p, "no disk declared (`disk NAME SECTORS`)");
	if (rc)
		dm_script_free(s);
	return rc;
}

void dm_script_free(struct dm_script *s)
{
	for (size_t i = 0; i < s->nops; i++)
		free(s->ops[i].text);
	free(s->ops);
	s->ops = NULL;
	s->nops = 0;
}
