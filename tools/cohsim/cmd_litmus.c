/*
 * cmd_litmus.c - `cohsim litmus FILE`: parse a litmus test, run it on a
 * fresh machine with the oracle attached, report its findings.
 *
 * Until the explorer exists, a test runs once, sequentially: setup, then
 * each thread to its end in file order (strategy "sequential"). A test
 * without threads has exactly one execution, so that run is complete; with
 * two or more threads it is not, and the report says so.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "cohsim/litmus.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int exit_for(int st)
{
	return st == COH_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
}

int cli_litmus_run_file(const char *path, const struct cli_opts *o, struct cli_result *r,
                        char **expect)
{
	double t0 = now_s();
	coh_litmus *lt;
	coh_litmus_error err;
	memset(r, 0, sizeof(*r));
	if (expect)
		*expect = NULL;
	int st = coh_litmus_parse_file(path, &lt, &err);
	if (st) {
		fprintf(stderr, "%s\n", err.message);
		return exit_for(st);
	}
	if (expect && coh_litmus_expect(lt) && !(*expect = strdup(coh_litmus_expect(lt)))) {
		coh_litmus_free(lt);
		return EXIT_INTERNAL;
	}

	coh_machine_config mcfg;
	st = coh_litmus_machine_config(lt, o->arch, &mcfg, &err);
	if (st) {
		fprintf(stderr, "%s\n", err.message);
		coh_litmus_free(lt);
		return exit_for(st);
	}
	if (o->given & OPT_SEED)
		mcfg.seed = o->seed;

	coh_machine *m = NULL;
	coh_check *chk = NULL;
	coh_check_config ccfg;
	coh_check_config_init(&ccfg);
	st = coh_machine_create(&mcfg, &m);
	if (!st)
		st = coh_check_create(m, &ccfg, &chk);
	if (st) {
		fprintf(stderr, "cohsim: %s: cannot create the machine: %s\n", path,
		        coh_strerror(st));
		coh_check_destroy(chk);
		coh_machine_destroy(m);
		coh_litmus_free(lt);
		return st == COH_ENOMEM ? EXIT_INTERNAL : EXIT_USAGE;
	}

	int rc = 0;
	st = coh_litmus_run(lt, m, chk, &err);
	if (st) {
		fprintf(stderr, "%s\n", err.message);
		rc = exit_for(st);
	}
	r->scenario = path;
	r->arch = mcfg.arch->name;
	r->strategy = "sequential";
	r->seed = mcfg.seed;
	r->schedules = 1;
	r->complete = coh_litmus_thread_count(lt) <= 1;
	if (!rc && cli_result_add_check(r, chk))
		rc = EXIT_INTERNAL;
	if (!rc && !r->complete && !o->quiet)
		fprintf(stderr,
		        "cohsim: %s: %zu threads ran one after another; without the explorer "
		        "this is one schedule of many (complete: false)\n",
		        path, coh_litmus_thread_count(lt));
	coh_check_destroy(chk);
	coh_machine_destroy(m);
	coh_litmus_free(lt);
	r->elapsed_s = now_s() - t0;
	if (rc) {
		cli_result_free(r);
		if (expect) {
			free(*expect);
			*expect = NULL;
		}
	}
	return rc;
}

int cmd_litmus(const struct cli_opts *o)
{
	if (o->nargs != 1) {
		fprintf(stderr, "cohsim litmus: %s (usage: cohsim litmus FILE [options])\n",
		        o->nargs ? "one FILE only" : "missing FILE");
		return EXIT_USAGE;
	}
	struct cli_result r;
	int rc = cli_litmus_run_file(o->args[0], o, &r, NULL);
	if (rc)
		return rc;

	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out) {
		cli_result_free(&r);
		return EXIT_INTERNAL;
	}
	cli_result_print(out, &r, o->json, o->quiet);
	rc = fclose(out) ? EXIT_INTERNAL : cli_flush_stdout(buf, len);
	free(buf);
	if (!rc && !o->quiet && !o->json)
		fprintf(stderr, "cohsim: %s: %.6f s\n", o->args[0], r.elapsed_s);
	if (!rc)
		rc = r.nfindings ? EXIT_FINDINGS : EXIT_CLEAN;
	cli_result_free(&r);
	return rc;
}
