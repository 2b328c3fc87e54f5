/*
 * bench_cache.c - how fast is the cache model?
 *
 * Drives one access stream (u32 loads and stores over a working set larger
 * than the simulated L1) three ways and prints the rates as ratios:
 *   - through cohsim: coh_load/coh_store on one CPU, oracle on and off;
 *   - natively on a host array (volatile, so every access happens);
 *   - natively under `valgrind --tool=cachegrind --cache-sim=yes`: the bench
 *     re-executes itself (/proc/self/exe --native-only ...) under valgrind
 *     (cachegrind.c).
 * Two patterns: `stream` (sequential u32, every 4th access a store) and
 * `random` (xorshift64 addresses, a quarter of them stores).
 *
 *   bench_cache [--quick] [--arch NAME]... [--no-cachegrind]
 *   bench_cache --native-only PATTERN N      (the cachegrind child)
 *   bench_cache --sim-only ARCH PATTERN on|off N   (fixed work, for profilers)
 *
 * Timing uses CLOCK_MONOTONIC: figures vary from run to run and machine to
 * machine; the ratios within one run are what to compare. See
 * docs/benchmarks.md.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cachegrind.h"
#include "cohsim/check.h"
#include "cohsim/machine.h"

#define WS_BYTES (256u * 1024u)  /* working set: 8x a 32 KiB L1 */
#define WS_WORDS (WS_BYTES / 4u) /* u32 slots */
#define BASE_VA 0x40000000ull    /* where the working set is mapped */
#define BASE_PA 0x00100000ull    /* and the physical memory behind it */
#define CHUNK 65536u             /* accesses between two clock reads */
#define STORE_BIT (1ull << 63)   /* in a generated access: it is a store */
#define MAX_ARCHES 16

/* the runs of each arch and pattern: oracle off, oracle on, and oracle off
 * on 8 CPUs with only cpu0 active (the cost of the others' caches) */
enum variant { V_OFF, V_ON, V_OFF8, VARIANTS };
#define SIM_ARCH(k) ((k) / (PAT_COUNT * VARIANTS))
#define SIM_PAT(k) ((enum pattern)((k) / VARIANTS % PAT_COUNT))

enum pattern { PAT_STREAM, PAT_RANDOM, PAT_COUNT };
static const char *const pattern_name[PAT_COUNT] = {"stream", "random"};

static volatile uint64_t g_sink; /* keeps every loaded value alive */

/* ---- the access stream: the same for every way of running it ---- */

struct gen {
	uint64_t i; /* accesses generated so far */
	uint64_t x; /* xorshift64 state */
};

static void gen_init(struct gen *g)
{
	g->i = 0;
	g->x = 0x9e3779b97f4a7c15ull;
}

/* Returns the word index of the next access, with STORE_BIT for a store. */
static inline uint64_t gen_next(struct gen *g, enum pattern p)
{
	uint64_t i = g->i++;
	if (p == PAT_STREAM)
		return (i & (WS_WORDS - 1)) | ((i & 3) == 3 ? STORE_BIT : 0);
	uint64_t x = g->x;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	g->x = x;
	return ((x >> 11) & (WS_WORDS - 1)) | ((x & 3) == 0 ? STORE_BIT : 0);
}

/* ---- timing ---- */

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/*
 * A measurement ("job") runs one continuing access stream, `chunk`
 * accesses per call of run(). The jobs take turns: ROUNDS rounds, each
 * giving every job one time slice, and a job's figure is the median of its
 * slices. Interleaving spreads a burst of host noise over all the jobs
 * instead of spoiling one of them, so the ratios hold up better.
 */
#define ROUNDS 5

struct job {
	void (*run)(void *ctx, uint64_t n);
	void *ctx;
	uint64_t chunk;
	double rate[ROUNDS]; /* accesses per second in each slice */
	uint64_t timed;      /* accesses timed, all slices */
};

static void job_slice(struct job *j, int round, double slice_s)
{
	uint64_t n = 0;
	double t0 = now(), t;
	do {
		j->run(j->ctx, j->chunk);
		n += j->chunk;
		t = now() - t0;
	} while (t < slice_s);
	j->rate[round] = (double)n / t;
	j->timed += n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double job_median(const struct job *j)
{
	double r[ROUNDS];
	memcpy(r, j->rate, sizeof(r));
	qsort(r, ROUNDS, sizeof(r[0]), cmp_double);
	return r[ROUNDS / 2];
}

/* ---- native ---- */

/* The generator's state is copied into locals, so that the loop keeps it
 * in registers: under cachegrind each access is exactly one data
 * reference (the volatile one), as cohsim simulates one. */
static void native_run(volatile uint32_t *a, struct gen *gp, enum pattern p, uint64_t n,
                       uint64_t *sink)
{
	uint64_t s = *sink;
	struct gen g = *gp;
	for (uint64_t k = 0; k < n; k++) {
		uint64_t acc = gen_next(&g, p);
		uint64_t w = acc & ~STORE_BIT;
		if (acc & STORE_BIT)
			a[w] = (uint32_t)g.i;
		else
			s += a[w];
	}
	*gp = g;
	*sink = s;
}

static uint32_t *native_array(void)
{
	uint32_t *a = calloc(WS_WORDS, sizeof(*a));
	if (!a) {
		fprintf(stderr, "bench_cache: out of memory\n");
		exit(1);
	}
	return a;
}

struct native_ctx {
	volatile uint32_t *a;
	struct gen g;
	enum pattern p;
	uint64_t sink;
};

static void native_chunk(void *ctx, uint64_t n)
{
	struct native_ctx *c = ctx;
	native_run(c->a, &c->g, c->p, n, &c->sink);
}

/* The cachegrind child: N accesses, then "<loop seconds> <sink>" on stdout. */
static enum pattern parse_pattern(const char *s)
{
	for (int i = 0; i < PAT_COUNT; i++)
		if (strcmp(s, pattern_name[i]) == 0)
			return (enum pattern)i;
	return PAT_COUNT;
}

/* A positive count, or 0 if s is not one. */
static uint64_t parse_count(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 0);
	return errno || *end ? 0 : n;
}

static int native_only(const char *pat, const char *count)
{
	enum pattern p = parse_pattern(pat);
	uint64_t n = parse_count(count);
	if (p == PAT_COUNT || !n) {
		fprintf(stderr, "bench_cache: --native-only stream|random N\n");
		return 2;
	}
	uint32_t *a = native_array();
	struct gen g;
	uint64_t sink = 0;
	gen_init(&g);
	double t0 = now();
	native_run(a, &g, p, n, &sink);
	double t = now() - t0;
	g_sink = sink;
	printf("%.9f %" PRIu64 "\n", t, sink);
	free(a);
	return 0;
}

/* ---- cohsim ---- */

struct sim {
	coh_machine *m;
	coh_check *c; /* NULL with the oracle off */
};

static void die(const char *what, int r)
{
	fprintf(stderr, "bench_cache: %s: %s\n", what, coh_strerror(r));
	exit(1);
}

static void sim_open(struct sim *s, const coh_arch *arch, bool oracle, unsigned ncpus)
{
	coh_machine_config cfg;
	coh_machine_config_init(&cfg, arch);
	cfg.oracle = oracle;
	cfg.ncpus = ncpus;
	int r = coh_machine_create(&cfg, &s->m);
	if (r)
		die("coh_machine_create", r);
	r = coh_map(s->m, COH_KERNEL_AS, BASE_VA, BASE_PA, WS_BYTES, COH_ATTR_WB);
	if (r)
		die("coh_map", r);
	s->c = NULL;
	if (oracle) {
		coh_check_config cc;
		coh_check_config_init(&cc);
		cc.oracle = true;
		r = coh_check_create(s->m, &cc, &s->c);
		if (r)
			die("coh_check_create", r);
	}
}

static void sim_close(struct sim *s)
{
	coh_check_destroy(s->c);
	coh_machine_destroy(s->m);
}

static void sim_run(coh_machine *m, struct gen *g, enum pattern p, uint64_t n, uint64_t *sink)
{
	uint64_t s = *sink;
	for (uint64_t k = 0; k < n; k++) {
		uint64_t acc = gen_next(g, p);
		coh_addr_t va = BASE_VA + (acc & ~STORE_BIT) * 4;
		uint64_t v = 0;
		int r = (acc & STORE_BIT) ? coh_store(m, 0, va, 4, (uint32_t)g->i)
		                          : coh_load(m, 0, va, 4, &v);
		if (r)
			die((acc & STORE_BIT) ? "coh_store" : "coh_load", r);
		s += v;
	}
	*sink = s;
}

struct sim_ctx {
	coh_machine *m;
	struct gen g;
	enum pattern p;
	uint64_t sink;
};

static void sim_chunk(void *ctx, uint64_t n)
{
	struct sim_ctx *c = ctx;
	sim_run(c->m, &c->g, c->p, n, &c->sink);
}

/*
 * A fixed number of simulated accesses, for profilers (callgrind, perf):
 * prints "<seconds> <events> <findings>".
 */
static int sim_only(const char *arch, const char *pat, const char *oracle, const char *count)
{
	const coh_arch *a = coh_arch_find(arch);
	enum pattern p = parse_pattern(pat);
	uint64_t n = parse_count(count);
	bool on = strcmp(oracle, "on") == 0;
	if (!a || p == PAT_COUNT || !n || (!on && strcmp(oracle, "off") != 0)) {
		fprintf(stderr, "bench_cache: --sim-only ARCH stream|random on|off N\n");
		return 2;
	}
	struct sim s;
	sim_open(&s, a, on, 1);
	struct sim_ctx c = {.m = s.m, .p = p};
	gen_init(&c.g);
	double t0 = now();
	sim_chunk(&c, n);
	double t = now() - t0;
	g_sink = c.sink;
	printf("%.6f %" PRIu64 " %zu\n", t, coh_machine_events(s.m),
	       s.c ? coh_check_count(s.c) : 0);
	sim_close(&s);
	return 0;
}

/* ---- the report ---- */

static void usage(void)
{
	fprintf(stderr, "usage: bench_cache [--quick] [--arch NAME]... [--no-cachegrind]\n"
	                "       bench_cache --native-only stream|random N\n"
	                "       bench_cache --sim-only ARCH stream|random on|off N\n");
}

int main(int argc, char **argv)
{
	bool quick = false, cachegrind = true;
	const coh_arch *arches[MAX_ARCHES];
	size_t narch = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--native-only") == 0 && i + 2 < argc) {
			return native_only(argv[i + 1], argv[i + 2]);
		} else if (strcmp(argv[i], "--sim-only") == 0 && i + 4 < argc) {
			return sim_only(argv[i + 1], argv[i + 2], argv[i + 3], argv[i + 4]);
		} else if (strcmp(argv[i], "--quick") == 0) {
			quick = true;
		} else if (strcmp(argv[i], "--no-cachegrind") == 0) {
			cachegrind = false;
		} else if (strcmp(argv[i], "--arch") == 0 && i + 1 < argc) {
			const coh_arch *a = coh_arch_find(argv[++i]);
			if (!a) {
				fprintf(stderr, "bench_cache: unknown arch '%s'\n", argv[i]);
				return 2;
			}
			if (narch < MAX_ARCHES)
				arches[narch++] = a;
		} else {
			usage();
			return 2;
		}
	}
	if (!narch) {
		const char *def[] = {"cortex-a9", "xscale", "armv6"};
		for (size_t i = 0; i < sizeof(def) / sizeof(def[0]); i++)
			if ((arches[narch] = coh_arch_find(def[i])) != NULL)
				narch++;
	}
	double slot_s = quick ? 0.1 : 0.5; /* seconds per figure, over all rounds */
	uint64_t cg_n = quick ? 4000000 : 20000000;

	printf("cohsim cache model: u32 accesses over a %u KiB working set, 1 CPU (and 8 CPUs "
	       "with one active)%s\n",
	       WS_BYTES / 1024, quick ? " (--quick)" : "");
	printf("stream: sequential, every 4th access a store; random: xorshift64, 1/4 stores\n");
	printf("each figure: median of %d slices of %.2f s, interleaved with the others\n\n",
	       ROUNDS, slot_s / ROUNDS);

	/* jobs: native[pattern], then sim[arch][pattern][variant] */
	size_t nsim = narch * PAT_COUNT * VARIANTS, njobs = PAT_COUNT + nsim;
	struct job *jobs = calloc(njobs, sizeof(*jobs));
	struct native_ctx nat[PAT_COUNT];
	struct sim_ctx *sc = calloc(nsim, sizeof(*sc));
	struct sim *sims = calloc(nsim, sizeof(*sims));
	uint64_t *ev0 = calloc(nsim, sizeof(*ev0));
	double *rate = calloc(nsim, sizeof(*rate));
	double(*cg)[PAT_COUNT] = calloc(narch, sizeof(*cg));
	if (!jobs || !sc || !sims || !ev0 || !rate || !cg) {
		fprintf(stderr, "bench_cache: out of memory\n");
		return 1;
	}
	for (int p = 0; p < PAT_COUNT; p++) {
		nat[p] = (struct native_ctx){.a = native_array(), .p = (enum pattern)p};
		gen_init(&nat[p].g);
		jobs[p] = (struct job){.run = native_chunk, .ctx = &nat[p], .chunk = 16 * CHUNK};
	}
	for (size_t k = 0; k < nsim; k++) {
		enum variant v = (enum variant)(k % VARIANTS);
		sim_open(&sims[k], arches[SIM_ARCH(k)], v == V_ON, v == V_OFF8 ? COH_MAX_CPUS : 1);
		sc[k] = (struct sim_ctx){.m = sims[k].m, .p = SIM_PAT(k)};
		gen_init(&sc[k].g);
		jobs[PAT_COUNT + k] = (struct job){.run = sim_chunk, .ctx = &sc[k], .chunk = CHUNK};
	}
	/* warm up (fill caches and shadows; not counted), then the rounds */
	for (size_t k = 0; k < njobs; k++)
		jobs[k].run(jobs[k].ctx, jobs[k].chunk);
	for (size_t k = 0; k < nsim; k++)
		ev0[k] = coh_machine_events(sims[k].m);
	for (int r = 0; r < ROUNDS; r++)
		for (size_t k = 0; k < njobs; k++)
			job_slice(&jobs[k], r, slot_s / ROUNDS);

	double native[PAT_COUNT];
	for (int p = 0; p < PAT_COUNT; p++) {
		native[p] = job_median(&jobs[p]);
		g_sink += nat[p].sink;
		free((void *)(uintptr_t)nat[p].a);
	}
	printf("native host loop:  stream %8.1f M acc/s   random %8.1f M acc/s\n\n",
	       native[PAT_STREAM] / 1e6, native[PAT_RANDOM] / 1e6);

	printf("%-10s %-7s %-6s %-5s %10s %8s %10s %10s %s\n", "arch", "pattern", "oracle", "cpus",
	       "M acc/s", "ns/acc", "ev/acc", "vs native", "slow-down");
	bool bad = false;
	for (size_t k = 0; k < nsim; k++) {
		int p = SIM_PAT(k);
		enum variant v = (enum variant)(k % VARIANTS);
		const struct job *j = &jobs[PAT_COUNT + k];
		rate[k] = job_median(j);
		double ev_per_op =
		    (double)(coh_machine_events(sims[k].m) - ev0[k]) / (double)j->timed;
		printf("%-10s %-7s %-6s %-5u %10.2f %8.1f %10.2f %9.4fx %7.0fx\n",
		       arches[SIM_ARCH(k)]->name, pattern_name[p], v == V_ON ? "on" : "off",
		       v == V_OFF8 ? (unsigned)COH_MAX_CPUS : 1u, rate[k] / 1e6, 1e9 / rate[k],
		       ev_per_op, rate[k] / native[p], native[p] / rate[k]);
		size_t findings = sims[k].c ? coh_check_count(sims[k].c) : 0;
		if (findings) {
			printf("  ^ %zu unexpected findings\n", findings);
			bad = true;
		}
		g_sink += sc[k].sink;
		sim_close(&sims[k]);
	}
	printf("(ev/acc: machine events per access = 1 + line fills + write-backs)\n\n");

	bool have_cg = false;
	if (!cachegrind) {
		printf("cachegrind: skipped (--no-cachegrind)\n");
	} else if (!cg_on_path("valgrind")) {
		printf("cachegrind: skipped (valgrind not found on PATH)\n");
	} else {
		have_cg = true;
		for (size_t a = 0; a < narch && have_cg; a++) {
			for (int p = 0; p < PAT_COUNT && have_cg; p++) {
				const coh_cache_geometry *g = &arches[a]->l1;
				double t0 = now();
				struct cg_result r = cg_run(g, pattern_name[p], cg_n);
				r.wall_s = now() - t0;
				if (!r.ok) {
					printf(
					    "cachegrind: skipped (the valgrind child failed; set "
					    "BENCH_CACHE_VERBOSE=1 to see why)\n");
					have_cg = false;
					break;
				}
				cg[a][p] = (double)cg_n / r.loop_s;
				printf(
				    "cachegrind --D1=%u,%u,%-3u %-7s %8.2f M acc/s  (%.1fx slower "
				    "than native; %.3f data refs/access; %" PRIu64
				    " accesses in %.2f s, %.2f s with start-up)\n",
				    g->size, g->ways, g->line_size, pattern_name[p], cg[a][p] / 1e6,
				    native[p] / cg[a][p], r.drefs, cg_n, r.loop_s, r.wall_s);
			}
		}
		printf("\n");
	}

	printf("summary (ratios from this run):\n");
	for (size_t k = 0; k < nsim; k++) {
		int p = SIM_PAT(k);
		size_t a = SIM_ARCH(k);
		enum variant v = (enum variant)(k % VARIANTS);
		if (v == V_OFF8) {
			/* the same arch and pattern on 1 CPU, oracle off, is job k - 2 */
			printf("  %-10s %-6s %u CPUs, one active, oracle off: %.2fx of 1 CPU "
			       "(goal >= 0.85x)\n",
			       arches[a]->name, pattern_name[p], (unsigned)COH_MAX_CPUS,
			       rate[k] / rate[k - 2]);
			continue;
		}
		printf("  %-10s %-6s oracle %-3s: %7.2f M acc/s = %.4fx native", arches[a]->name,
		       pattern_name[p], v == V_ON ? "on" : "off", rate[k] / 1e6,
		       rate[k] / native[p]);
		if (have_cg) {
			double c = cg[a][p];
			printf("; vs cachegrind (same D1): %.2fx %s",
			       rate[k] >= c ? rate[k] / c : c / rate[k],
			       rate[k] >= c ? "faster" : "slower");
			if (v == V_ON)
				printf(" (goal: %s)",
				       p == PAT_STREAM ? "2x faster" : "1.2x faster");
		}
		printf("\n");
	}
	free(cg);
	free(rate);
	free(ev0);
	free(sims);
	free(sc);
	free(jobs);
	return bad ? 1 : 0;
}
