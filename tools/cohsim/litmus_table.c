/*
 * litmus_table.c - a table of litmus runs, each against its `# expect:`
 * header: the litmus section of `cohsim demo`, and `cohsim litmus` given
 * several files or a directory.
 *
 * A row is ok when the kinds found are exactly the kinds expected (a file
 * without `# expect:` expects none: clean). A file that expects several
 * kinds runs as with --keep-going (cli_litmus_run_file), so that a kind
 * found on a later schedule than the first finding shows too. A file that cannot be run (bad
 * input: its message is on stderr) is an error row. Output is
 * deterministic: no times in the table.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **cli_list_litmus(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	if (!d)
		return NULL;
	char **names = NULL;
	size_t n = 0, cap = 0;
	bool ok = true;
	struct dirent *e;
	while (ok && (e = readdir(d))) {
		size_t len = strlen(e->d_name);
		if (len <= 7 || strcmp(e->d_name + len - 7, ".litmus") != 0)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **bigger = realloc(names, cap * sizeof(*names));
			if (!bigger) {
				ok = false;
				break;
			}
			names = bigger;
		}
		if (!(names[n] = strdup(e->d_name)))
			ok = false;
		else
			n++;
	}
	closedir(d);
	if (!ok) {
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		return NULL;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	*count = n;
	return names ? names : calloc(1, sizeof(*names));
}

long cli_kinds_mask(const char *s)
{
	long mask = 0;
	char word[64];
	while (*s) {
		size_t n = strcspn(s, " ,\t");
		if (n && n < sizeof(word)) {
			memcpy(word, s, n);
			word[n] = 0;
			int k = -1;
			for (int i = 0; i < COH_F_KIND_COUNT; i++)
				if (strcmp(word, coh_finding_kind_name((enum coh_finding_kind)i)) ==
				    0)
					k = i;
			if (k < 0 && strcmp(word, "clean") != 0)
				return -1;
			if (k >= 0)
				mask |= 1L << k;
		} else if (n) {
			return -1;
		}
		s += n;
		s += strspn(s, " ,\t");
	}
	return mask;
}

bool cli_expect_several(const char *expect)
{
	long mask = expect ? cli_kinds_mask(expect) : 0;
	return mask > 0 && (mask & (mask - 1)) != 0;
}

int cli_litmus_table(FILE *out, const char *title, char *const *paths, char *const *labels,
                     size_t n, const struct cli_opts *o, struct cli_rows *rows,
                     struct cli_table_counts *counts)
{
	memset(counts, 0, sizeof(*counts));
	int w = 4;
	for (size_t i = 0; i < n; i++) {
		const char *l = labels ? labels[i] : paths[i];
		if ((int)strlen(l) > w)
			w = (int)strlen(l);
	}
	fprintf(out, "%s\n", title);
	fprintf(out, "%-*s  %-10s %-22s %-22s %9s %-8s %s\n", w, "file", "arch", "expected",
	        "result", "schedules", "complete", "verdict");
	for (size_t i = 0; i < n; i++) {
		const char *label = labels ? labels[i] : paths[i];
		struct cli_result r;
		char *expect = NULL;
		int rc = cli_litmus_run_file(paths[i], o, &r, &expect);
		if (rc == EXIT_INTERNAL)
			return EXIT_INTERNAL;
		char kinds[256] = "error";
		bool ok = false;
		if (rc == 0) {
			cli_result_kinds(&r, kinds, sizeof(kinds));
			long want = cli_kinds_mask(expect ? expect : "clean");
			ok = want >= 0 && want == cli_kinds_mask(kinds);
		}
		fprintf(out, "%-*s  %-10s %-22s %-22s %9llu %-8s %s\n", w, label,
		        rc == 0 ? r.arch : "-", expect ? expect : "(none: clean)", kinds,
		        rc == 0 ? (unsigned long long)r.schedules : 0ull,
		        rc == 0 ? (r.complete ? "yes" : "no") : "-", ok ? "ok" : "FAIL");
		if (rows) {
			char msg[600];
			snprintf(msg, sizeof(msg), "%s: expected %s, got %s", label,
			         expect ? expect : "clean", kinds);
			char *detail = rc == 0 ? cli_result_reports(&r) : NULL;
			cli_rows_add(rows, "litmus", label, ok, rc != 0, ok ? NULL : msg, detail);
			free(detail);
		}
		counts->rows++;
		counts->failed += !ok;
		counts->errors += rc != 0;
		if (rc == 0)
			cli_result_free(&r);
		free(expect);
	}
	fprintf(out, "litmus: %zu tests, %zu as expected, %zu FAIL\n", n, n - counts->failed,
	        counts->failed);
	return 0;
}
