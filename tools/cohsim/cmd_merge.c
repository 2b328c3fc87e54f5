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
 *   a file that cannot be read or is not such a result.
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
static bool better(const struct cli_json *a, const struct cli_json *b)
{
	const char *ua = str_of(a, "unit"), *ub = str_of(b, "unit");
	if (ua && ub) {
		unsigned long long x = strtoull(ua, NULL, 10), y = strtoull(ub, NULL, 10);
		if (x != y)
			return x < y;
	}
	const char *sa = str_of(a, "schedule"), *sb = str_of(b, "schedule");
	if (!sa || !sb)
		return sa != NULL;
	size_t la = strlen(sa), lb = strlen(sb);
	return la != lb ? la < lb : strcmp(sa, sb) < 0;
}

/* elapsed < 0: no input had elapsed_s */
static void print_merged(FILE *out, const struct input *in, size_t n, uint64_t schedules,
                         bool complete, double elapsed, const struct kept *k, size_t nk)
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
		if (!rc && (shard_of(&in[i], &si, &sc) || (i && same_run(&in[0], &in[i]))))
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
			print_merged(out, in, n, schedules, complete, elapsed, k, nk);
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
