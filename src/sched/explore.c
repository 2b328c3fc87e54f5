/*
 * explore.c - coh_explore(): runs a program under a strategy, many times.
 *
 * Work is cut into *units* numbered the same way by every process: for
 * random and pct a unit is one execution (unit u uses the PRNG stream of u);
 * for dfs a unit is the subtree under one deviation from the all-default
 * execution, the spine (strategy_dfs.c). Shard I/N owns the units u with u mod N = I; with
 * --jobs J, worker j of shard I owns u mod (N*J) = I + N*j. So any mix of
 * shards and jobs covers the same space exactly once.
 *
 * Stopping at the first finding stays deterministic under --jobs: workers
 * share `stop_at`, the lowest unit with a finding, and each stops only once
 * its next unit is above it. Every unit below the winner is therefore run
 * by someone, and the reported finding and schedule count (schedules in
 * units up to the winner) do not depend on timing. Only --time breaks this,
 * by design.
 *
 * Each execution a dfs worker counts is recorded by unit and by its
 * preemptions (struct coh__unitrec), so the result's schedules by bound
 * (res->bounds) are cut at the same unit as the count. coh__explore_pass()
 * is one such exploration; with min_cost it counts only executions with
 * at least that many preemptions (explore_iter.c, iterative bounding).
 *
 * Workers are forked processes; each writes its results to its own
 * temporary file, read by the parent after the worker exits. Progress
 * counters live in a shared mapping. Standard output is never written here.
 *
 * Interface: coh_explore() (include/cohsim) and coh__explore_pass()
 * (explore_impl.h). Around it: the explorer itself (explorer.c), merging
 * and printing the result (explore_result.c), replay (explore_replay.c),
 * the configuration's defaults and names (explore_config.c).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sched/explore_impl.h"

/* ---- one worker's results: struct coh__wres (explore_impl.h) ---- */

struct shared {
	uint64_t stop_at;
	uint64_t done[64]; /* per worker: executions, for the progress line */
	uint64_t findings[64];
	uint32_t frac_ppm[64];
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static bool wants_progress(const coh_explore_config *cfg)
{
	return cfg->progress && isatty(STDOUT_FILENO) && isatty(STDERR_FILENO);
}

static void progress_line(const coh_explore_config *cfg, struct shared *sh, unsigned nw, double t0,
                          bool final)
{
	uint64_t done = 0, found = 0;
	double frac = 0;
	for (unsigned i = 0; i < nw; i++) {
		done += __atomic_load_n(&sh->done[i], __ATOMIC_RELAXED);
		found += __atomic_load_n(&sh->findings[i], __ATOMIC_RELAXED);
		frac += __atomic_load_n(&sh->frac_ppm[i], __ATOMIC_RELAXED) / 1e6 / nw;
	}
	double el = now_s() - t0;
	fprintf(stderr, "\r%s: %llu schedules, %.0f/s, %llu findings, %.1fs",
	        coh_strategy_name(cfg->strategy), (unsigned long long)done,
	        el > 0 ? (double)done / el : 0.0, (unsigned long long)found, el);
	if (cfg->strategy == COH_STRATEGY_DFS)
		fprintf(stderr, ", ~%.1f%% done", frac * 100);
	fputs(final ? "\n" : "   ", stderr);
	fflush(stderr);
}

static void add_found(struct coh__wres *w, struct coh__found *f)
{
	if (w->nfound == w->capfound) {
		size_t cap = w->capfound ? w->capfound * 2 : 8;
		struct coh__found *n = realloc(w->found, cap * sizeof(*n));
		if (!n) {
			coh__found_free(f);
			return;
		}
		w->found = n;
		w->capfound = cap;
	}
	w->found[w->nfound++] = *f;
}

static bool seen_key(const struct coh__wres *w, const char *key)
{
	for (size_t i = 0; i < w->nfound; i++)
		if (strcmp(w->found[i].key, key) == 0)
			return true;
	return false;
}

/* After a counted execution: shrink and report its findings. Returns the
 * number of new findings. */
static unsigned process_findings(struct coh__explorer *ex, struct coh__wres *w, uint64_t unit,
                                 uint64_t pos, unsigned cost)
{
	size_t n = coh_check_count(ex->chk);
	if (n == 0)
		return 0;
	if (!ex->cfg.keep_going)
		n = 1;
	char **keys = calloc(n, sizeof(*keys));
	size_t ndev;
	struct coh__deviation *devs0 = coh__last_deviations(ex, &ndev);
	unsigned added = 0;
	if (!keys)
		goto out;
	for (size_t i = 0; i < n; i++)
		keys[i] = coh__finding_key(ex, i);
	for (size_t i = 0; i < n; i++) {
		if (!keys[i] || seen_key(w, keys[i]))
			continue;
		bool dup = false;
		for (size_t j = 0; j < i; j++)
			dup |= keys[j] && strcmp(keys[j], keys[i]) == 0;
		if (dup)
			continue;
		size_t nd = ndev;
		struct coh__deviation *devs = NULL;
		if (nd) {
			devs = malloc(nd * sizeof(*devs));
			if (!devs)
				continue;
			memcpy(devs, devs0, nd * sizeof(*devs));
		}
		if (ex->cfg.shrink)
			coh__shrink(ex, keys[i], &devs, &nd);
		struct coh__found f;
		if (coh__report_found(ex, keys[i], devs, nd, &f) == 0) {
			f.unit = unit;
			f.pos = pos;
			f.cost = cost;
			f.shrunk_from = (unsigned)ndev;
			add_found(w, &f);
			added++;
		}
		free(devs);
	}
out:
	for (size_t i = 0; keys && i < n; i++)
		free(keys[i]);
	free(keys);
	free(devs0);
	return added;
}

static void lower_stop(struct shared *sh, uint64_t unit)
{
	uint64_t cur = __atomic_load_n(&sh->stop_at, __ATOMIC_RELAXED);
	while (unit < cur && !__atomic_compare_exchange_n(&sh->stop_at, &cur, unit, false,
	                                                  __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
		;
}

/* Counts an execution of cost preemptions in unit (the worker's units
 * come in increasing order, each unit's records together). */
static int unit_add(struct coh__wres *w, uint64_t unit, unsigned cost, bool sched, bool pruned)
{
	size_t i = w->nunits;
	while (i > 0 && w->units[i - 1].unit == unit && w->units[i - 1].cost != cost)
		i--;
	if (i == 0 || w->units[i - 1].unit != unit) {
		if (w->nunits == w->capunits) {
			size_t cap = w->capunits ? w->capunits * 2 : 16;
			struct coh__unitrec *u = realloc(w->units, cap * sizeof(*u));
			if (!u)
				return -1;
			w->units = u;
			w->capunits = cap;
		}
		i = ++w->nunits;
		w->units[i - 1] = (struct coh__unitrec){unit, 0, 0, cost};
	}
	w->units[i - 1].nsched += sched;
	w->units[i - 1].npruned += pruned;
	return 0;
}

/* The schedules counted so far in the worker's last unit. */
static uint64_t unit_sched(const struct coh__wres *w)
{
	uint64_t n = 0;
	for (size_t i = w->nunits; i > 0 && w->units[i - 1].unit == w->units[w->nunits - 1].unit;
	     i--)
		n += w->units[i - 1].nsched;
	return n;
}

/* Every 64 executions: has the time limit passed? Also draws the progress
 * line (at most 4 times a second). */
static bool time_is_up(const coh_explore_config *cfg, struct shared *sh, double t0, bool progress,
                       uint64_t execs, double *last)
{
	if ((execs & 63) != 0 || !(cfg->time_s > 0 || progress))
		return false;
	double t = now_s();
	if (cfg->time_s > 0 && t - t0 >= cfg->time_s)
		return true;
	if (progress && t - *last > 0.25) {
		progress_line(cfg, sh, 1, t0, false);
		*last = t;
	}
	return false;
}

/* Hands the finished execution's schedule to cfg->on_execution, if set. */
static void report_execution(const coh_explore_config *cfg, struct coh__explorer *ex)
{
	if (!cfg->on_execution)
		return;
	char *str = coh__schedule_encode(ex->s->rec, ex->s->nrec, &ex->fl);
	cfg->on_execution(cfg->on_execution_arg, str ? str : "", coh_check_count(ex->chk) != 0);
	free(str);
}

/* One execution under the time limit: an execution (or setup) the limit
 * cuts short is not counted and its findings are dropped; w->by_time says
 * so. Replays for reports and shrinking run without a limit. */
static int timed_run(struct coh__explorer *ex, const struct coh__strategy *st, double deadline,
                     struct coh__wres *w)
{
	ex->s->deadline = deadline;
	int rc = coh__explorer_run(ex, st);
	ex->s->deadline = 0;
	if (ex->s->time_up) {
		w->by_time = true;
		return 0;
	}
	return rc;
}

static int worker(const coh_explore_config *cfg, const coh_machine_config *mcfg,
                  const coh_program *prog, unsigned wi, unsigned sidx, unsigned scnt, int min_cost,
                  struct shared *sh, double t0, bool progress, struct coh__wres *w)
{
	struct coh__explorer ex;
	int rc = coh__explorer_open(&ex, cfg, mcfg, prog);
	if (rc != 0)
		return rc;
	double last = t0;
	uint64_t execs = 0;
	double deadline = cfg->time_s > 0 ? t0 + cfg->time_s : 0;
	if (cfg->strategy != COH_STRATEGY_DFS) {
		struct coh__random rnd;
		struct coh__pct *pct = NULL;
		struct coh__strategy st;
		if (cfg->strategy == COH_STRATEGY_PCT) {
			/* k: the steps of the all-default execution */
			ex.s->deadline = deadline;
			rc = coh__explorer_replay(&ex, NULL, 0);
			ex.s->deadline = 0;
			if (ex.s->time_up) {
				w->by_time = true;
				rc = 0;
				goto out;
			}
			if (rc != 0)
				goto out;
			pct = malloc(sizeof(*pct));
			if (!pct) {
				rc = COH_ENOMEM;
				goto out;
			}
			/* k and n are those of the all-default execution, which
			 * every worker runs alike: unit u's change points then
			 * depend on (seed, u) only, so --jobs changes nothing */
			coh__pct_init(pct, cfg->depth, ex.s->steps, cfg->evict_one_in);
			w->pct_k = pct->k;
			w->pct_n = 2;
			for (size_t i = 0; i < ex.s->nrec; i++)
				if (ex.s->rec[i].kind == COH_CHOICE_SCHED &&
				    ex.s->rec[i].n > w->pct_n)
					w->pct_n = ex.s->rec[i].n;
		}
		w->base = sidx;
		w->stride = scnt;
		for (uint64_t u = sidx;; u += scnt) {
			if (cfg->budget && u >= cfg->budget) {
				w->exhausted = true;
				break;
			}
			if (u > __atomic_load_n(&sh->stop_at, __ATOMIC_SEQ_CST))
				break;
			if (time_is_up(cfg, sh, t0, progress, execs, &last)) {
				w->by_time = true;
				break;
			}
			if (pct)
				coh__pct_begin(pct, cfg->seed, u, &st);
			else
				coh__random_begin(&rnd, cfg->seed, u, cfg->evict_one_in, &st);
			if ((rc = timed_run(&ex, &st, deadline, w)) != 0 || w->by_time)
				break;
			execs++;
			w->count++;
			__atomic_store_n(&sh->done[wi], execs, __ATOMIC_RELAXED);
			if (ex.s->steps > w->max_steps)
				w->max_steps = ex.s->steps;
			report_execution(cfg, &ex);
			unsigned nf = process_findings(&ex, w, u, 1, 0);
			__atomic_add_fetch(&sh->findings[wi], nf, __ATOMIC_RELAXED);
			if (coh_check_count(ex.chk) && !cfg->keep_going) {
				lower_stop(sh, u);
				break;
			}
		}
		free(pct);
	} else {
		struct coh__dfs dfs;
		struct coh__strategy st;
		coh__dfs_init(&dfs, cfg->preemptions,
		              cfg->por && (cfg->preemptions < 0 || cfg->por_bounded), sidx, scnt);
		dfs.evict_free = cfg->max_evictions > 0;
		ex.s->footprints = dfs.por; /* only sleep sets read them */
		uint64_t counted = 0;
		for (;;) {
			if (dfs.unit > __atomic_load_n(&sh->stop_at, __ATOMIC_SEQ_CST))
				break;
			if (cfg->budget && counted >= cfg->budget)
				break;
			if (time_is_up(cfg, sh, t0, progress, execs, &last)) {
				w->by_time = true;
				break;
			}
			coh__dfs_begin(&dfs, &st);
			if ((rc = timed_run(&ex, &st, deadline, w)) != 0 || w->by_time)
				break;
			execs++;
			coh__dfs_end(&dfs, ex.s);
			uint64_t unit = dfs.unit;
			unsigned cost = coh__dfs_cost(&dfs);
			/* below min_cost: run, and counted, at a lower bound */
			bool mine = unit % scnt == sidx && !dfs.skip && (int)cost >= min_cost;
			bool found = false;
			if (mine) {
				bool counts = !dfs.pruned;
				if (unit_add(w, unit, cost, counts, dfs.pruned) != 0) {
					rc = COH_ENOMEM;
					break;
				}
				if (dfs.pruned)
					w->pruned++;
				if (counts) {
					counted++;
					__atomic_store_n(&sh->done[wi], counted, __ATOMIC_RELAXED);
					if (ex.s->steps > w->max_steps)
						w->max_steps = ex.s->steps;
					report_execution(cfg, &ex);
					unsigned nf =
					    process_findings(&ex, w, unit, unit_sched(w), cost);
					__atomic_add_fetch(&sh->findings[wi], nf, __ATOMIC_RELAXED);
					found = coh_check_count(ex.chk) != 0;
				}
			}
			w->mismatch |= dfs.mismatch;
			if ((execs & 63) ==
			    0) /* for the progress line (stderr): a walk of the path */
				__atomic_store_n(&sh->frac_ppm[wi],
				                 (uint32_t)(coh__dfs_fraction(&dfs) * 1e6),
				                 __ATOMIC_RELAXED);
			if (found && !cfg->keep_going) {
				lower_stop(sh, unit);
				break;
			}
			if (!coh__dfs_next(&dfs)) {
				w->exhausted = true;
				break;
			}
		}
		coh__dfs_free(&dfs);
	}
out:
	coh__explorer_close(&ex);
	return rc;
}

/* ---- a worker process (explore_jobs.c) ---- */

struct job_arg {
	const coh_explore_config *cfg;
	const coh_machine_config *mcfg;
	const coh_program *prog;
	struct shared *sh;
	double t0;
	unsigned scnt;
	int min_cost;
	bool progress;
};

static int job(unsigned j, struct coh__wres *out, void *arg)
{
	const struct job_arg *a = arg;
	return worker(a->cfg, a->mcfg, a->prog, j, a->cfg->shard_index + a->cfg->shard_count * j,
	              a->scnt, a->min_cost, a->sh, a->t0, false, out);
}

static void job_tick(void *arg)
{
	const struct job_arg *a = arg;
	if (a->progress)
		progress_line(a->cfg, a->sh, a->cfg->jobs, a->t0, false);
}

/* ---- the entry point ---- */

int coh__explore_pass(const coh_explore_config *cfg_in, const coh_machine_config *mcfg,
                      const coh_program *prog, int min_cost, coh_explore_result *res)
{
	coh_explore_config cfg = *cfg_in;
	double t0 = now_s();
	int rc;
	if (cfg.jobs > 1) {
		cfg.on_execution = NULL; /* callbacks do not cross processes */
		cfg.watch = NULL;
	}
	bool progress = wants_progress(&cfg);
	struct shared *sh =
	    mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED)
		return COH_ENOMEM;
	memset(sh, 0, sizeof(*sh));
	sh->stop_at = UINT64_MAX;
	unsigned nw = cfg.jobs;
	unsigned scnt = cfg.shard_count * nw;
	struct coh__wres *w = calloc(nw, sizeof(*w));
	if (!w) {
		munmap(sh, sizeof(*sh));
		return COH_ENOMEM;
	}
	rc = 0;
	if (nw == 1) {
		rc = worker(&cfg, mcfg, prog, 0, cfg.shard_index, scnt, min_cost, sh, t0, progress,
		            &w[0]);
	} else {
		struct job_arg ja = {&cfg, mcfg, prog, sh, t0, scnt, min_cost, progress};
		rc = coh__jobs_run(nw, w, job, &ja, job_tick, res->error, sizeof(res->error));
	}
	if (progress)
		progress_line(&cfg, sh, cfg.jobs, t0, true);
	if (rc != COH_EWORKER) { /* a lost worker's units are unknown */
		int mrc = coh__explore_merge(&cfg, w, nw, res);
		if (!rc)
			rc = mrc;
	}
	for (unsigned j = 0; j < cfg.jobs; j++)
		coh__wres_free(&w[j]);
	free(w);
	munmap(sh, sizeof(*sh));
	res->elapsed_s = now_s() - t0;
	return rc;
}

int coh_explore(const coh_explore_config *cfg_in, const coh_machine_config *mcfg,
                const coh_program *prog, coh_explore_result *res)
{
	memset(res, 0, sizeof(*res));
	res->bound_reached = -1;
	if (!cfg_in || !mcfg || !prog)
		return COH_EINVAL;
	coh_explore_config cfg = *cfg_in;
	if ((unsigned)cfg.strategy > COH_STRATEGY_REPLAY || cfg.shard_count == 0 ||
	    cfg.shard_index >= cfg.shard_count || cfg.depth > COH__PCT_MAX_D)
		return COH_EINVAL;
	if (cfg.jobs == 0)
		cfg.jobs = 1;
	if (cfg.jobs > COH__MAX_JOBS)
		return COH_EINVAL;
	if (cfg.strategy == COH_STRATEGY_REPLAY) {
		double t0 = now_s();
		int rc = coh__explore_replay(&cfg, mcfg, prog, res);
		res->elapsed_s = now_s() - t0;
		return rc;
	}
	if (cfg.iterative)
		return coh__explore_iterative(&cfg, mcfg, prog, res);
	return coh__explore_pass(&cfg, mcfg, prog, -1, res);
}
