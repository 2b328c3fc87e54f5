/*
 * bench_slab.c - the host time of kmalloc/kfree in the model, as ratios to
 * baselines measured in the same run:
 *   - a host malloc(64)/free pair;
 *   - one simulated store (sim_write32) through the cache and the oracle:
 *     what a kmalloc/kfree pair costs in simulated accesses;
 *   - alloc_page/__free_page, the page allocator under the slabs.
 * kmalloc/kfree run with the default quarantine (1/32 of memory: after the
 * first few thousand pairs every kfree releases the oldest object), and
 * without one (each kmalloc gets the object just freed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cohsim/scenario.h"

#define N 200000L

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

enum what { KMALLOC_KFREE, SIM_STORE, PAGE_ALLOC };
static enum what what;
static long long quarantine;
static double ns_per_op;

static void bench_task(void *arg)
{
	(void)arg;
	simptr buf = kmalloc(64, GFP_KERNEL);
	double t0 = now();
	for (long i = 0; i < N; i++) {
		switch (what) {
		case KMALLOC_KFREE:
			kfree(kmalloc(64, GFP_KERNEL));
			break;
		case SIM_STORE:
			sim_write32(buf, (u32)i);
			break;
		case PAGE_ALLOC:
			__free_page(alloc_page(GFP_KERNEL));
			break;
		}
	}
	ns_per_op = (now() - t0) * 1e9 / (double)N;
	kfree(buf);
}

static int setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	struct kernel_config kc;
	kernel_config_init(&kc);
	kc.slab_quarantine = quarantine;
	int r = kernel_init(s, &kc);
	if (!r && !coh_task_create(s, "bench", 0, bench_task, NULL))
		r = COH_EINVAL;
	return r;
}

static double run(enum what w, long long q)
{
	what = w;
	quarantine = q;
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("xscale"));
	mc.mem_size = 16u << 20;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_REPLAY;
	c.schedule = "v1s10000000:"; /* replay, with a step bound over the N steps */
	c.progress = false;
	coh_program p = {.name = "bench-slab", .setup = setup};
	coh_explore_result r;
	if (coh_explore(&c, &mc, &p, &r) || r.nfindings) {
		fprintf(stderr, "bench_slab: the run failed or found something\n");
		if (r.nfindings)
			fputs(r.findings[0].report, stderr);
		exit(3);
	}
	coh_explore_result_free(&r);
	return ns_per_op;
}

static void *volatile sink;

static double host_malloc(void)
{
	double t0 = now();
	for (long i = 0; i < N; i++) {
		sink = malloc(64); /* volatile: the pair is not optimised away */
		free(sink);
	}
	return (now() - t0) * 1e9 / (double)N;
}

int main(void)
{
	double host = host_malloc();
	double store = run(SIM_STORE, -1);
	double page = run(PAGE_ALLOC, -1);
	double kq = run(KMALLOC_KFREE, -1);
	double k0 = run(KMALLOC_KFREE, 0);
	printf("kmalloc(64)/kfree pair, xscale, %ld pairs (host ns per pair):\n", N);
	printf("  host malloc/free          %8.1f ns\n", host);
	printf("  sim_write32 (one access)  %8.1f ns\n", store);
	printf("  alloc_page/__free_page    %8.1f ns\n", page);
	printf("  kmalloc/kfree, quarantine %8.1f ns  = %5.1fx host malloc, %5.2f accesses\n", kq,
	       kq / host, kq / store);
	printf("  kmalloc/kfree, none       %8.1f ns  = %5.1fx host malloc, %5.2f accesses\n", k0,
	       k0 / host, k0 / store);
	return 0;
}
