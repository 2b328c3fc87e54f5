/*
 * ci.c - results for CI systems: `--junit FILE.xml` (GitLab, Jenkins and
 * GitHub read it) and `--tap` (TAP version 13, as kselftest prints it).
 *
 * Interface: a command collects one cli_row per test case (a run, or a row
 * of the demo and litmus tables) and hands the list to cli_rows_tap() or
 * cli_rows_junit(). A row that is not as expected is a failure whose text
 * is the finding reports; a row that could not run (bad input) is an error.
 * Nothing here has a clock: the output is as deterministic as the rows.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static char *dup_or_null(const char *s, bool *nomem)
{
	if (!s)
		return NULL;
	char *d = strdup(s);
	if (!d)
		*nomem = true;
	return d;
}

void cli_rows_add(struct cli_rows *rs, const char *suite, const char *name, bool ok, bool error,
                  const char *message, const char *detail)
{
	struct cli_row *r = realloc(rs->row, (rs->n + 1) * sizeof(*r));
	if (!r) {
		rs->nomem = true;
		return;
	}
	rs->row = r;
	r = &rs->row[rs->n++];
	r->suite = dup_or_null(suite, &rs->nomem);
	r->name = dup_or_null(name, &rs->nomem);
	r->ok = ok;
	r->error = error;
	r->message = dup_or_null(message, &rs->nomem);
	r->detail = dup_or_null(detail, &rs->nomem);
}

void cli_rows_free(struct cli_rows *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		free(rs->row[i].suite);
		free(rs->row[i].name);
		free(rs->row[i].message);
		free(rs->row[i].detail);
	}
	free(rs->row);
	memset(rs, 0, sizeof(*rs));
}

char *cli_result_reports(const struct cli_result *r)
{
	if (!r->nfindings)
		return NULL;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return NULL;
	for (size_t i = 0; i < r->nfindings; i++)
		fputs(r->findings[i].text ? r->findings[i].text : "", out);
	if (fclose(out)) {
		free(buf);
		return NULL;
	}
	return buf;
}

void cli_rows_add_result(struct cli_rows *rs, const char *suite, const struct cli_result *r)
{
	char name[512], msg[400], kinds[256];
	cli_result_kinds(r, kinds, sizeof(kinds));
	if (r->variant)
		snprintf(name, sizeof(name), "%s (%s) on %s", r->scenario, r->variant, r->arch);
	else
		snprintf(name, sizeof(name), "%s on %s", r->scenario, r->arch);
	snprintf(msg, sizeof(msg), "%zu finding%s (%s)", r->nfindings, r->nfindings == 1 ? "" : "s",
	         kinds);
	char *detail = cli_result_reports(r);
	if (r->nfindings && !detail)
		rs->nomem = true;
	cli_rows_add(rs, suite, name, r->nfindings == 0, false, r->nfindings ? msg : NULL, detail);
	free(detail);
}

/* Writes s with each line prefixed (TAP diagnostics). */
static void prefixed(FILE *out, const char *prefix, const char *s)
{
	while (s && *s) {
		size_t n = strcspn(s, "\n");
		fprintf(out, "%s%.*s\n", prefix, (int)n, s);
		s += n;
		if (*s)
			s++;
	}
}

void cli_rows_tap(FILE *out, const struct cli_rows *rs)
{
	fprintf(out, "TAP version 13\n1..%zu\n", rs->n);
	for (size_t i = 0; i < rs->n; i++) {
		const struct cli_row *r = &rs->row[i];
		fprintf(out, "%s %zu %s: %s\n", r->ok ? "ok" : "not ok", i + 1, r->suite, r->name);
		if (r->ok)
			continue;
		prefixed(out, "# ", r->message);
		prefixed(out, "# ", r->detail);
	}
	size_t bad = 0;
	for (size_t i = 0; i < rs->n; i++)
		bad += !rs->row[i].ok;
	fprintf(out, "# totals: pass:%zu fail:%zu\n", rs->n - bad, bad);
}

void cli_xml_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&apos;", out);
			break;
		default:
			if (c < 0x20 && c != '\n' && c != '\t' && c != '\r')
				fputc('?', out);
			else
				fputc(c, out);
		}
	}
}

static void junit(FILE *out, const void *arg)
{
	const struct cli_rows *rs = arg;
	size_t failures = 0, errors = 0;
	for (size_t i = 0; i < rs->n; i++) {
		errors += rs->row[i].error;
		failures += !rs->row[i].ok && !rs->row[i].error;
	}
	fprintf(out,
	        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	        "<testsuites name=\"cohsim\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n",
	        rs->n, failures, errors);
	/* one testsuite per suite name, in order of first appearance */
	for (size_t i = 0; i < rs->n; i++) {
		const char *suite = rs->row[i].suite;
		bool first = true;
		for (size_t j = 0; j < i && first; j++)
			first = strcmp(rs->row[j].suite, suite) != 0;
		if (!first)
			continue;
		size_t t = 0, f = 0, e = 0;
		for (size_t j = i; j < rs->n; j++) {
			if (strcmp(rs->row[j].suite, suite) != 0)
				continue;
			t++;
			e += rs->row[j].error;
			f += !rs->row[j].ok && !rs->row[j].error;
		}
		fputs("  <testsuite name=\"", out);
		cli_xml_escape(out, suite);
		fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\">\n", t, f, e);
		for (size_t j = i; j < rs->n; j++) {
			const struct cli_row *r = &rs->row[j];
			if (strcmp(r->suite, suite) != 0)
				continue;
			fputs("    <testcase classname=\"cohsim.", out);
			cli_xml_escape(out, suite);
			fputs("\" name=\"", out);
			cli_xml_escape(out, r->name);
			if (r->ok) {
				fputs("\"/>\n", out);
				continue;
			}
			fprintf(out, "\">\n      <%s message=\"", r->error ? "error" : "failure");
			cli_xml_escape(out, r->message ? r->message : "failed");
			fputs("\">", out);
			cli_xml_escape(out, r->detail ? r->detail : r->message);
			fprintf(out, "</%s>\n    </testcase>\n", r->error ? "error" : "failure");
		}
		fputs("  </testsuite>\n", out);
	}
	fputs("</testsuites>\n", out);
}

int cli_rows_junit(const char *path, const struct cli_rows *rs)
{
	return cli_write_whole(path, "junit", junit, rs);
}
