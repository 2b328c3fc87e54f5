/*
 * cmd_merge.c - `cohsim merge RESULT.json...`: the JSON results of the
 * shards of one run (`run` or `litmus` with --json --shard I/N) as one
 * result, printed as the same JSON object.
 *
 * Rules:
 * - every input must be a result of the same run: scenario, variant, arch,
 *   strategy, seed and shard count agree, and no shard comes twice;
 * - schedules add up; elapsed_s, where the inputs have it, adds up (the
 *   work done, not the wall time);
 * - a finding found by several shards (the same "key": kind and site) is
 *   counted once; the copy kept is the one of the lowest "unit" (the copy
 *   an unsharded run keeps: units are numbered alike in every shard), then
 *   the one with the shortest schedule string, then the smallest, so the
 *   result does not depend on the order of the files; the "unit" member is
 *   not printed;
 * - complete holds only if every shard of the count is there and each was
 *   complete;
 * - the exit status is that of the whole: 1 with a finding, else 0; 2 for
 *   a file that cannot be read or is not such a result;
 * - "bounds" (the schedules by preemptions of dfs runs with --stats or of
 *   iterative ones; all inputs have them or none) add up row by row; a row
 *   is complete when every shard is there and each either has it complete
 *   or has none and is complete (it needed no more preemptions); findings
 *   per row are counted again from the kept findings' "found_at_bound";
 *   "iterative" must agree ("reached" is the highest). In an iterative run
 *   a finding's "unit" is "B:U", its bound then its unit, compared in that
 *   order.
 * Findings are printed as their shards wrote them, ordered by key.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"

struct input {
	const char *path;
	char *text;
	struct cli_json *root;
};

struct kept {
	const char *key;
	const struct cli_json *finding;
};

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char *buf = NULL;
	size_t cap = 0, n = 0;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 65536;
			char *b = realloc(buf, cap);
			if (!b) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = b;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

static const char *str_of(const struct cli_json *root, const char *key)
{
	const struct cli_json *v = cli_json_get(root, key);
	return v && v->type == CLI_JSON_STRING ? v->str : NULL;
}

/* "I/N" of a result (0/1 when it was not sharded). */
static int shard_of(const struct input *in, unsigned *index, unsigned *count)
{
	const struct cli_json *v = cli_json_get(in->root, "shard");
	*index = 0;
	*count = 1;
	if (!v)
		return 0;
	if (v->type != CLI_JSON_STRING || coh_shard_parse(v->str, index, count) != 0) {
		fprintf(stderr, "cohsim merge: %s: \"shard\" is not I/N\n", in->path);
		return -1;
	}
	return 0;
}

/* Checks that in is a result like the first one. */
static int same_run(const struct input *first, const struct input *in)
{
	static const char *const keys[] = {"scenario", "variant", "arch", "strategy"};
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const struct cli_json *a = cli_json_get(first->root, keys[k]);
		const struct cli_json *b = cli_json_get(in->root, keys[k]);
		bool same = a && b && a->type == b->type &&
		            (a->type != CLI_JSON_STRING || strcmp(a->str, b->str) == 0);
		if (!same) {
			fprintf(stderr, "cohsim merge: %s: \"%s\" differs from %s's\n", in->path,
			        keys[k], first->path);
			return -1;
		}
	}
	const struct cli_json *a = cli_json_get(first->root, "seed");
	const struct cli_json *b = cli_json_get(in->root, "seed");
	if (!b || b->type != CLI_JSON_NUMBER || a->number != b->number) {
		fprintf(stderr, "cohsim merge: %s: \"seed\" differs from %s's\n", in->path,
		        first->path);
		return -1;
	}
	return 0;
}

/* Reads and checks one input: a JSON object with the result's fields. */
static int load(struct input *in)
{
	size_t len = 0;
	in->text = slurp(in->path, &len);
	if (!in->text) {
		fprintf(stderr, "cohsim merge: %s: cannot read it\n", in->path);
		return EXIT_USAGE;
	}
	char err[128];
	in->root = cli_json_parse(in->text, len, err, sizeof(err));
	if (!in->root) {
		fprintf(stderr, "cohsim merge: %s: not JSON: %s\n", in->path, err);
		return EXIT_USAGE;
	}
	const struct cli_json *sch = cli_json_get(in->root, "schedules");
	const struct cli_json *cpl = cli_json_get(in->root, "complete");
	const struct cli_json *fs = cli_json_get(in->root, "findings");
	const struct cli_json *seed = cli_json_get(in->root, "seed");
	const char *missing = !str_of(in->root, "scenario")            ? "scenario"
	                      : !str_of(in->root, "arch")              ? "arch"
	                      : !str_of(in->root, "strategy")          ? "strategy"
	                      : !seed || seed->type != CLI_JSON_NUMBER ? "seed"
	                      : !sch || sch->type != CLI_JSON_NUMBER   ? "schedules"
	                      : !cpl || cpl->type != CLI_JSON_BOOL     ? "complete"
	                      : !fs || fs->type != CLI_JSON_ARRAY      ? "findings"
	                                                               : NULL;
	if (missing) {
		fprintf(stderr,
		        "cohsim merge: %s: not a cohsim --json result (no \"%s\" of the right "
		        "type)\n",
		        in->path, missing);
		return EXIT_USAGE;
	}
	for (size_t i = 0; i < fs->n; i++)
		if (!str_of(fs->items[i], "key") || !str_of(fs->items[i], "kind")) {
			fprintf(stderr,
			        "cohsim merge: %s: finding %zu has no \"key\" or \"kind\"\n",
			        in->path, i + 1);
			return EXIT_USAGE;
		}
	return 0;
}

static int kept_cmp(const void *a, const void *b)
{
	return strcmp(((const struct kept *)a)->key, ((const struct kept *)b)->key);
}

/* Is finding a a better copy to keep than b? The lower unit (the copy an
 * unsharded run keeps: it finds the finding first), then the shorter
 * schedule, then the smaller. */
/* "U", or "B:U" in an iterative run (the bound first). */
static void unit_of(const char *s, unsigned long long *bound, unsigned long long *unit)
{
	char *end;
	*bound = 0;
	*unit = strtoull(s, &end, 10);
	if (*end == ':') {
		*bound = *unit;
		*unit = strtoull(end + 1, NULL, 10);
	}
}

static bool better(const struct cli_json *a, const struct cli_json *b)
{
	const char *ua = str_of(a, "unit"), *ub = str_of(b, "unit");
	if (ua && ub) {
		unsigned long long xb, x, yb, y;
		unit_of(ua, &xb, &x);
		unit_of(ub, &yb, &y);
		if (xb != yb)
			return xb < yb;
		if (x != y)
			return x < y;
	}
	const char *sa = str_of(a, "schedule"), *sb = str_of(b, "schedule");
	if (!sa || !sb)
		return sa != NULL;
	size_t la = strlen(sa), lb = strlen(sb);
	return la != lb ? la < lb : strcmp(sa, sb) < 0;
}

/* ---- schedules by preemptions ---- */

static bool is_count(const struct cli_json *v)
{
	return v && v->type == CLI_JSON_NUMBER && v->number >= 0 && v->number < 1e19 &&
	       v->number == (double)(uint64_t)v->number;
}

/* Checks in's "bounds" and "iterative", if any. 0 or EXIT_USAGE. */
static int load_bounds(const struct input *in)
{
	const struct cli_json *b = cli_json_get(in->root, "bounds");
	const struct cli_json *it = cli_json_get(in->root, "iterative");
	if (!b && !it)
		return 0;
	bool ok = b && b->type == CLI_JSON_ARRAY && (!it || it->type == CLI_JSON_OBJECT);
	for (size_t i = 0; ok && i < b->n; i++) {
		const struct cli_json *row = b->items[i], *c = cli_json_get(row, "complete");
		const struct cli_json *bound = cli_json_get(row, "bound");
		ok = is_count(bound) && bound->number == (double)i &&
		     is_count(cli_json_get(row, "schedules")) &&
		     is_count(cli_json_get(row, "findings")) && c && c->type == CLI_JSON_BOOL;
	}
	if (ok && it) {
		const struct cli_json *to = cli_json_get(it, "to");
		ok = is_count(cli_json_get(it, "from")) && to &&
		     (to->type == CLI_JSON_NULL || is_count(to));
	}
	const struct cli_json *fs = cli_json_get(in->root, "findings");
	for (size_t i = 0; ok && i < fs->n; i++)
		ok = is_count(cli_json_get(fs->items[i], "found_at_bound"));
	if (!ok) {
		fprintf(stderr,
		        "cohsim merge: %s: \"bounds\" or \"iterative\" is not what cohsim "
		        "writes (or a finding has no \"found_at_bound\")\n",
		        in->path);
		return EXIT_USAGE;
	}
	return 0;
}

/* Do a and b agree on "bounds" and "iterative"? */
static int same_bounds(const struct input *first, const struct input *in)
{
	const struct cli_json *a = cli_json_get(first->root, "iterative");
	const struct cli_json *b = cli_json_get(in->root, "iterative");
	bool same =
	    !cli_json_get(first->root, "bounds") == !cli_json_get(in->root, "bounds") && !a == !b;
	if (same && a) {
		const struct cli_json *ta = cli_json_get(a, "to"), *tb = cli_json_get(b, "to");
		same = cli_json_get(a, "from")->number == cli_json_get(b, "from")->number &&
		       ta->type == tb->type &&
		       (ta->type == CLI_JSON_NULL || ta->number == tb->number);
	}
	if (!same) {
		fprintf(stderr,
		        "cohsim merge: %s: \"bounds\" or \"iterative\" differs from %s's (run "
		        "every shard with the same --preemptions and --stats)\n",
		        in->path, first->path);
		return -1;
	}
	return 0;
}

/* The merged "iterative" and "bounds" (all complete needs all shards). */
static void print_bounds(FILE *out, const struct input *in, size_t n, bool all_shards,
                         const struct kept *k, size_t nk)
{
	const struct cli_json *it = cli_json_get(in[0].root, "iterative");
	size_t rows = 0;
	for (size_t i = 0; i < n; i++) {
		size_t r = cli_json_get(in[i].root, "bounds")->n;
		rows = r > rows ? r : rows;
	}
	if (it) {
		const struct cli_json *to = cli_json_get(it, "to");
		fprintf(out, ",\"iterative\":{\"from\":%" PRIu64 ",\"to\":",
		        (uint64_t)cli_json_get(it, "from")->number);
		if (to->type == CLI_JSON_NULL)
			fputs("null", out);
		else
			fprintf(out, "%" PRIu64, (uint64_t)to->number);
		if (rows)
			fprintf(out, ",\"reached\":%zu}", rows - 1);
		else
			fputs(",\"reached\":null}", out);
	}
	fputs(",\"bounds\":[", out);
	uint64_t cum = 0;
	for (size_t b = 0; b < rows; b++) {
		uint64_t sched = 0, found = 0;
		bool complete = all_shards;
		for (size_t i = 0; i < n; i++) {
			const struct cli_json *rs = cli_json_get(in[i].root, "bounds");
			if (b < rs->n) {
				sched += (uint64_t)cli_json_get(rs->items[b], "schedules")->number;
				complete =
				    complete && cli_json_get(rs->items[b], "complete")->boolean;
			} else {
				complete =
				    complete && cli_json_get(in[i].root, "complete")->boolean;
			}
		}
		for (size_t j = 0; j < nk; j++)
			found +=
			    (uint64_t)cli_json_get(k[j].finding, "found_at_bound")->number == b;
		cum += sched;
		fprintf(out,
		        "%s{\"bound\":%zu,\"schedules\":%" PRIu64 ",\"cumulative\":%" PRIu64
		        ",\"findings\":%" PRIu64 ",\"complete\":%s}",
		        b ? "," : "", b, sched, cum, found, complete ? "true" : "false");
	}
	fputc(']', out);
}

/* elapsed < 0: no input had elapsed_s */
static void print_merged(FILE *out, const struct input *in, size_t n, uint64_t schedules,
                         bool complete, bool all_shards, double elapsed, const struct kept *k,
                         size_t nk)
{
	const struct cli_json *first = in[0].root;
	fputs("{\"scenario\":", out);
	coh_json_string(out, str_of(first, "scenario"));
	fputs(",\"variant\":", out);
	if (str_of(first, "variant"))
		coh_json_string(out, str_of(first, "variant"));
	else
		fputs("null", out);
	fputs(",\"arch\":", out);
	coh_json_string(out, str_of(first, "arch"));
	fputs(",\"strategy\":", out);
	coh_json_string(out, str_of(first, "strategy"));
	const struct cli_json *seed = cli_json_get(first, "seed");
	fprintf(out, ",\"seed\":%.*s,\"merged\":%zu", (int)seed->text_len, seed->text, n);
	fprintf(out, ",\"schedules\":%" PRIu64 ",\"complete\":%s", schedules,
	        complete ? "true" : "false");
	if (elapsed >= 0)
		fprintf(out, ",\"elapsed_s\":%.6f", elapsed);
	if (cli_json_get(first, "bounds"))
		print_bounds(out, in, n, all_shards, k, nk);
	fputs(",\"findings\":[", out);
	for (size_t i = 0; i < nk; i++) {
		/* as the shard wrote it, less the "unit" a shard adds last */
		const struct cli_json *f = k[i].finding, *u = cli_json_get(f, "unit");
		static const char tail[] = ",\"unit\":";
		size_t len = f->text_len, tl = sizeof(tail) - 1;
		if (u && u->text + u->text_len + 1 == f->text + f->text_len &&
		    (size_t)(u->text - f->text) >= tl && memcmp(u->text - tl, tail, tl) == 0)
			fprintf(out, "%s\n  %.*s}", i ? "," : "", (int)(u->text - tl - f->text),
			        f->text);
		else
			fprintf(out, "%s\n  %.*s", i ? "," : "", (int)len, f->text);
	}
	fprintf(out, "%s]}\n", nk ? "\n" : "");
}

int cmd_merge(const struct cli_opts *o)
{
	if (o->nargs == 0) {
		fprintf(stderr, "cohsim merge: missing RESULT.json (usage: cohsim merge "
		                "RESULT.json...)\n");
		return EXIT_USAGE;
	}
	size_t n = (size_t)o->nargs;
	struct input *in = calloc(n, sizeof(*in));
	bool *seen = NULL;
	struct kept *k = NULL;
	size_t nk = 0;
	int rc = in ? 0 : EXIT_INTERNAL;
	unsigned count = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		in[i].path = o->args[i];
		rc = load(&in[i]);
		unsigned si, sc;
		if (!rc)
			rc = load_bounds(&in[i]);
		if (!rc && (shard_of(&in[i], &si, &sc) ||
		            (i && (same_run(&in[0], &in[i]) || same_bounds(&in[0], &in[i])))))
			rc = EXIT_USAGE;
		if (rc)
			break;
		if (i == 0) {
			count = sc;
			if (!(seen = calloc(count, sizeof(*seen))))
				rc = EXIT_INTERNAL;
		} else if (sc != count) {
			fprintf(stderr,
			        "cohsim merge: %s: shard %u/%u of another count than %s's\n",
			        in[i].path, si, sc, in[0].path);
			rc = EXIT_USAGE;
		}
		if (!rc && seen[si]) {
			fprintf(stderr, "cohsim merge: %s: shard %u/%u given twice\n", in[i].path,
			        si, sc);
			rc = EXIT_USAGE;
		}
		if (!rc)
			seen[si] = true;
	}
	uint64_t schedules = 0;
	double elapsed = -1;
	bool complete = !rc;
	for (unsigned s = 0; !rc && s < count; s++)
		complete = complete && seen[s];
	bool all_shards = complete;
	for (size_t i = 0; i < n && !rc; i++) {
		schedules += (uint64_t)cli_json_get(in[i].root, "schedules")->number;
		complete = complete && cli_json_get(in[i].root, "complete")->boolean;
		const struct cli_json *e = cli_json_get(in[i].root, "elapsed_s");
		if (e && e->type == CLI_JSON_NUMBER)
			elapsed = (elapsed < 0 ? 0 : elapsed) + e->number;
		const struct cli_json *fs = cli_json_get(in[i].root, "findings");
		for (size_t j = 0; j < fs->n && !rc; j++) {
			const char *key = str_of(fs->items[j], "key");
			size_t m = 0;
			while (m < nk && strcmp(k[m].key, key) != 0)
				m++;
			if (m < nk) {
				if (better(fs->items[j], k[m].finding))
					k[m].finding = fs->items[j];
				continue;
			}
			struct kept *more = realloc(k, (nk + 1) * sizeof(*k));
			if (!more) {
				rc = EXIT_INTERNAL;
				break;
			}
			k = more;
			k[nk++] = (struct kept){key, fs->items[j]};
		}
	}
	if (!rc) {
		if (nk)
			qsort(k, nk, sizeof(*k), kept_cmp);
		char *buf = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&buf, &len);
		if (!out) {
			rc = EXIT_INTERNAL;
		} else {
			print_merged(out, in, n, schedules, complete, all_shards, elapsed, k, nk);
			rc = fclose(out) ? EXIT_INTERNAL : cli_flush_stdout(buf, len);
		}
		free(buf);
	}
	for (size_t i = 0; in && i < n; i++) {
		cli_json_free(in[i].root);
		free(in[i].text);
	}
	free(in);
	free(seen);
	free(k);
	if (rc)
		return rc;
	return nk ? EXIT_FINDINGS : EXIT_CLEAN;
}
