/*
 * cmd_demo.c - `cohsim demo`: everything cohsim can show, as tables.
 *
 * The demo is a list of sections, each a table with one row per run and a
 * verdict per row (ok, or FAIL when the result differs from what is
 * expected). First the built-in scenarios, each demo row of each scenario
 * (variant x arch, explored as the row says); then every .litmus file of
 * examples/litmus, in sorted order, against its `# expect:` header.
 *
 * Finding the examples: $COHSIM_EXAMPLES, then <exe dir>/../examples/litmus,
 * <exe dir>/../../examples/litmus (the exe from /proc/self/exe), then
 * ./examples/litmus.
 *
 * Standard output is deterministic. The scenario table's time column is
 * filled only when stdout is a terminal (a person watching); otherwise it
 * shows "-" and every run's time goes to stderr. Exit: 0 when every row is as expected, 1 if a row
 * FAILs, 2 when the examples cannot be found.
 */
#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cohsim/scenario.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Fills dir (PATH_MAX) with the examples folder; false if none is found. */
static bool find_examples(char *dir)
{
	const char *env = getenv("COHSIM_EXAMPLES");
	if (env && *env) {
		snprintf(dir, PATH_MAX, "%s", env);
		return is_dir(dir);
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash)
			*slash = 0;
		static const char *const rel[] = {"/../examples/litmus", "/../../examples/litmus"};
		for (size_t i = 0; i < 2; i++) {
			if ((size_t)snprintf(dir, PATH_MAX, "%s%s", exe, rel[i]) < PATH_MAX &&
			    is_dir(dir))
				return true;
		}
	}
	snprintf(dir, PATH_MAX, "examples/litmus");
	return is_dir(dir);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.litmus names in dir, sorted; NULL on a host failure. */
static char **list_litmus(const char *dir, size_t *count)
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

/* The set of finding kinds an expectation or a result names, as a bit mask;
 * "clean" is the empty set. -1 when a word is not a kind. */
static long kinds_mask(const char *s)
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

/* One section: every built-in scenario's demo rows (variant x arch), each
 * explored as the row says. Returns rows that FAILed, or -1. */
static int demo_scenarios(FILE *out, const struct cli_opts *o)
{
	bool timed = isatty(STDOUT_FILENO);
	fprintf(out, "built-in scenarios (buggy = fix off, fixed = fix on)\n");
	fprintf(out, "%-15s %-15s %-10s %-10s %-22s %-22s %9s %-8s %8s %s\n", "scenario", "variant",
	        "arch", "strategy", "expected", "result", "schedules", "complete", "time",
	        "verdict");
	int failed = 0, rows = 0;
	for (size_t i = 0; i < coh_scenario_count(); i++) {
		const coh_scenario *sc = coh_scenario_at(i);
		for (const struct coh_demo_row *d = sc->demo;
		     d < sc->demo + COH_MAX_DEMO_ROWS && d->variant; d++) {
			struct cli_opts ro = *o;
			ro.given = OPT_PREEMPTIONS;
			ro.preemptions = d->preemptions > 0 ? (unsigned)d->preemptions : 0;
			ro.speculation = d->speculation ? 1 : -1;
			if (d->budget) {
				ro.given |= OPT_BUDGET;
				ro.budget = d->budget;
			}
			const char *strategy = coh_strategy_name(d->strategy);
			struct cli_result r;
			int rc = cli_scenario_run(sc->name, d->variant, d->arch, strategy, &ro, &r);
			char kinds[256] = "error";
			bool ok = false;
			if (rc == 0) {
				cli_result_kinds(&r, kinds, sizeof(kinds));
				long want = kinds_mask(d->expect);
				ok = want >= 0 && want == kinds_mask(kinds) &&
				     (!d->must_complete || r.complete);
			}
			char ms[32] = "-";
			if (timed && rc == 0)
				snprintf(ms, sizeof(ms), "%.0fms", r.elapsed_s * 1000);
			fprintf(out, "%-15s %-15s %-10s %-10s %-22s %-22s %9llu %-8s %8s %s\n",
			        sc->name, d->variant, d->arch, strategy, d->expect, kinds,
			        rc == 0 ? (unsigned long long)r.schedules : 0ull,
			        rc == 0 ? (r.complete ? "yes" : "no") : "-", ms,
			        ok ? "ok" : "FAIL");
			if (rc == 0)
				fprintf(stderr, "cohsim demo: %s %s on %s: %.3f s\n", sc->name,
				        d->variant, d->arch, r.elapsed_s);
			failed += !ok;
			rows++;
			if (rc == 0)
				cli_result_free(&r);
		}
	}
	fprintf(out, "scenarios: %d runs, %d as expected, %d FAIL\n\n", rows, rows - failed,
	        failed);
	return failed;
}

/* One section: the litmus examples. Returns rows that FAILed, or -1. */
static int demo_litmus(FILE *out, const char *dir, const struct cli_opts *o)
{
	size_t n = 0;
	char **names = list_litmus(dir, &n);
	if (!names) {
		fprintf(stderr, "cohsim demo: cannot list %s\n", dir);
		return -1;
	}
	int w = 4;
	for (size_t i = 0; i < n; i++)
		if ((int)strlen(names[i]) > w)
			w = (int)strlen(names[i]);
	fprintf(out, "litmus tests (examples/litmus)\n");
	fprintf(out, "%-*s  %-10s %-22s %-22s %9s %-8s %s\n", w, "file", "arch", "expected",
	        "result", "schedules", "complete", "verdict");
	int failed = 0;
	for (size_t i = 0; i < n; i++) {
		char path[2 * PATH_MAX];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		struct cli_result r;
		char *expect = NULL;
		int rc = cli_litmus_run_file(path, o, &r, &expect);
		char kinds[256] = "error";
		bool ok = false;
		if (rc == 0) {
			cli_result_kinds(&r, kinds, sizeof(kinds));
			long want = expect ? kinds_mask(expect) : -1;
			ok = want >= 0 && want == kinds_mask(kinds);
		}
		fprintf(out, "%-*s  %-10s %-22s %-22s %9llu %-8s %s\n", w, names[i],
		        rc == 0 ? r.arch : "-", expect ? expect : "(no # expect:)", kinds,
		        rc == 0 ? (unsigned long long)r.schedules : 0ull,
		        rc == 0 ? (r.complete ? "yes" : "no") : "-", ok ? "ok" : "FAIL");
		failed += !ok;
		if (rc == 0)
			cli_result_free(&r);
		free(expect);
		free(names[i]);
	}
	free(names);
	fprintf(out, "litmus: %zu tests, %zu as expected, %d FAIL\n", n, n - (size_t)failed,
	        failed);
	return failed;
}

int cmd_demo(const struct cli_opts *o)
{
	if (o->nargs) {
		fprintf(stderr, "cohsim demo: unexpected argument '%s'\n", o->args[0]);
		return EXIT_USAGE;
	}
	char dir[PATH_MAX];
	if (!find_examples(dir)) {
		fprintf(stderr, "cohsim demo: cannot find examples/litmus (tried $COHSIM_EXAMPLES, "
		                "<exe>/../examples/litmus, <exe>/../../examples/litmus, "
		                "./examples/litmus)\n");
		return EXIT_USAGE;
	}
	/* the runs' own reports are not shown: only the table */
	struct cli_opts quiet = *o;
	quiet.quiet = true;

	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return EXIT_INTERNAL;
	double t0 = now_s();
	int sfailed = demo_scenarios(out, &quiet);
	int failed = demo_litmus(out, dir, &quiet);
	if (failed >= 0)
		failed += sfailed;
	double dt = now_s() - t0;
	int rc = fclose(out) ? EXIT_INTERNAL : cli_flush_stdout(buf, len);
	free(buf);
	if (rc)
		return rc;
	if (failed < 0)
		return EXIT_INTERNAL;
	fprintf(stderr, "cohsim demo: litmus section took %.3f s\n", dt);
	return failed ? EXIT_FINDINGS : EXIT_CLEAN;
}
