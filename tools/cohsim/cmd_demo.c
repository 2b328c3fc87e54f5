/*
 * cmd_demo.c - `cohsim demo`: everything cohsim can show, as tables.
 *
 * The demo is a list of sections, each a table with one row per run and a
 * verdict per row (ok, or FAIL when the result differs from what is
 * expected). First the built-in scenarios, each demo row of each scenario
 * (variant x arch, explored as the row says); then every .litmus file of
 * examples/litmus, in sorted order, against its `# expect:` header
 * (litmus_table.c). --junit FILE.xml writes a JUnit test case per row;
 * --tap prints TAP instead of the tables (ci.c).
 *
 * Finding the examples: $COHSIM_EXAMPLES, then <exe dir>/../examples/litmus,
 * <exe dir>/../../examples/litmus, <exe dir>/../share/cohsim/examples/litmus
 * (installed; the exe from /proc/self/exe), then ./examples/litmus.
 *
 * Standard output is deterministic. The scenario table's time column is
 * filled only when stdout is a terminal (a person watching); otherwise it
 * shows "-" and every run's time goes to stderr. Exit: 0 when every row is as expected, 1 if a row
 * FAILs, 2 when the examples cannot be found.
 */
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
		static const char *const rel[] = {"/../examples/litmus", "/../../examples/litmus",
		                                  "/../share/cohsim/examples/litmus"};
		for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
			if ((size_t)snprintf(dir, PATH_MAX, "%s%s", exe, rel[i]) < PATH_MAX &&
			    is_dir(dir))
				return true;
		}
	}
	snprintf(dir, PATH_MAX, "examples/litmus");
	return is_dir(dir);
}

/* One section: every built-in scenario's demo rows (variant x arch), each
 * explored as the row says. Returns rows that FAILed, or -1. */
static int demo_scenarios(FILE *out, const struct cli_opts *o, struct cli_rows *rows)
{
	bool timed = isatty(STDOUT_FILENO);
	fprintf(out, "built-in scenarios (buggy = fix off, fixed = fix on)\n");
	fprintf(out, "%-15s %-15s %-10s %-10s %-22s %-22s %9s %-8s %8s %s\n", "scenario", "variant",
	        "arch", "strategy", "expected", "result", "schedules", "complete", "time",
	        "verdict");
	int failed = 0, nrows = 0;
	for (size_t i = 0; i < coh_scenario_count(); i++) {
		const coh_scenario *sc = coh_scenario_at(i);
		for (const struct coh_demo_row *d = sc->demo;
		     d < sc->demo + COH_MAX_DEMO_ROWS && d->variant; d++) {
			struct cli_opts ro = *o;
			ro.given = OPT_PREEMPTIONS;
			ro.preemptions = d->preemptions > 0 ? (unsigned)d->preemptions : 0;
			ro.speculation = d->speculation ? 1 : -1;
			ro.keep_going = cli_expect_several(d->expect);
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
				long want = cli_kinds_mask(d->expect);
				ok = want >= 0 && want == cli_kinds_mask(kinds) &&
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
			nrows++;
			char name[256], msg[1024];
			snprintf(name, sizeof(name), "%s %s on %s", sc->name, d->variant, d->arch);
			snprintf(
			    msg, sizeof(msg), "%s: expected %s, got %s%s", name, d->expect, kinds,
			    rc == 0 && d->must_complete && !r.complete ? " (not complete)" : "");
			char *detail = rc == 0 ? cli_result_reports(&r) : NULL;
			cli_rows_add(rows, "scenarios", name, ok, rc != 0, ok ? NULL : msg, detail);
			free(detail);
			if (rc == 0)
				cli_result_free(&r);
		}
	}
	fprintf(out, "scenarios: %d runs, %d as expected, %d FAIL\n\n", nrows, nrows - failed,
	        failed);
	return failed;
}

/* One section: the litmus examples. Returns rows that FAILed, or -1. */
static int demo_litmus(FILE *out, const char *dir, const struct cli_opts *o, struct cli_rows *rows)
{
	size_t n = 0;
	char **names = cli_list_litmus(dir, &n);
	if (!names) {
		fprintf(stderr, "cohsim demo: cannot list %s\n", dir);
		return -1;
	}
	char **paths = calloc(n ? n : 1, sizeof(*paths));
	int failed = -1;
	bool ok = paths != NULL;
	for (size_t i = 0; ok && i < n; i++) {
		if (asprintf(&paths[i], "%s/%s", dir, names[i]) < 0) {
			paths[i] = NULL;
			ok = false;
		}
	}
	struct cli_table_counts c;
	if (ok && cli_litmus_table(out, "litmus tests (examples/litmus)", paths, names, n, o, rows,
	                           &c) == 0)
		failed = (int)c.failed;
	for (size_t i = 0; i < n; i++) {
		free(names[i]);
		if (paths)
			free(paths[i]);
	}
	free(names);
	free(paths);
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
		                "<exe>/../share/cohsim/examples/litmus, "
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
	struct cli_rows rows = {0};
	int sfailed = demo_scenarios(out, &quiet, &rows);
	int failed = demo_litmus(out, dir, &quiet, &rows);
	if (failed >= 0)
		failed += sfailed;
	double dt = now_s() - t0;
	int rc = fclose(out) ? EXIT_INTERNAL : 0;
	if (!rc && rows.nomem)
		rc = EXIT_INTERNAL;
	if (!rc && failed >= 0 && o->junit)
		rc = cli_rows_junit(o->junit, &rows);
	if (!rc && o->tap) { /* TAP instead of the tables */
		free(buf);
		buf = NULL;
		out = open_memstream(&buf, &len);
		if (!out)
			rc = EXIT_INTERNAL;
		else {
			cli_rows_tap(out, &rows);
			rc = fclose(out) ? EXIT_INTERNAL : 0;
		}
	}
	cli_rows_free(&rows);
	if (!rc)
		rc = cli_flush_stdout(buf, len);
	free(buf);
	if (rc)
		return rc;
	if (failed < 0)
		return EXIT_INTERNAL;
	fprintf(stderr, "cohsim demo: litmus section took %.3f s\n", dt);
	return failed ? EXIT_FINDINGS : EXIT_CLEAN;
}
