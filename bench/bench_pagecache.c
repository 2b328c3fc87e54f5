/*
 * bench_pagecache.c - the cost of a page-cache read and write in the
 * model, in host time and in scheduler steps (each simulated access is a
 * step), as ratios to one simulated store (sim_write32) measured in the
 * same run:
 *   - vfs_read of 4 KiB from a cached page (do_generic_file_read: kmap,
 *     copy_to_user, the oracle's read of 8 sector copies);
 *   - vfs_write of 4 KiB into a cached page (generic_perform_write:
 *     write_begin, copy_from_user, flush_dcache_page, write_end);
 *   - a 4 KiB write then fsync (writepage, the bio, its DMA and IRQ).
 * On xscale (VIVT: flush_dcache_page walks i_mmap) and x86 (PIPT).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cohsim/fs.h"
#include "cohsim/scenario.h"

#define N 400L
#define UBUF (TASK_UNMAPPED_BASE + 0x10000)
#define PSZ 4096ul

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: the machine is shared */
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

enum what { SIM_STORE, PC_READ, PC_WRITE, PC_WRITE_FSYNC };
static enum what what;
static double ns_per_op, steps_per_op;
static struct file *filp;

static void bench_task(void *arg)
{
	(void)arg;
	loff_t pos = 0;
	vfs_read(filp, UBUF, PSZ, &pos); /* the page cached, the buffer faulted in */
	simptr buf = kmalloc(64, GFP_KERNEL);
	coh_sched *s = coh_sched_current();
	uint64_t st0 = coh_sched_steps(s);
	double t0 = now();
	for (long i = 0; i < N; i++) {
		pos = 0;
		switch (what) {
		case SIM_STORE:
			sim_write32(buf, (u32)i);
			break;
		case PC_READ:
			vfs_read(filp, UBUF, PSZ, &pos);
			break;
		case PC_WRITE:
			vfs_write(filp, UBUF, PSZ, &pos);
			break;
		case PC_WRITE_FSYNC:
			vfs_write(filp, UBUF, PSZ, &pos);
			vfs_fsync(filp, 0);
			break;
		}
	}
	ns_per_op = (now() - t0) * 1e9 / (double)N;
	steps_per_op = (double)(coh_sched_steps(s) - st0) / (double)N;
	kfree(buf);
}

static int setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	struct kernel_config kc;
	kernel_config_init(&kc);
	int r = kernel_init(s, &kc);
	if (r)
		return r;
	struct disk_config dc;
	disk_config_init(&dc, "sda");
	struct gendisk *disk = alloc_disk_sim(&dc);
	struct simplefs_file_spec spec = {"data", 1, PSZ};
	struct super_block *sb = disk ? simplefs_mkfs_mount(disk, &spec, 1) : NULL;
	filp = sb ? filp_open(sb, "data", O_RDWR) : NULL;
	struct mm_struct *mm = mm_alloc();
	if (!filp || !mm ||
	    IS_ERR_VALUE(
	        do_mmap(mm, UBUF, PSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS)))
		return COH_EINVAL;
	if (!user_task_create(s, "bench", 0, mm, bench_task, NULL))
		return COH_EINVAL;
	return 0;
}

static void run(const char *arch, enum what w, double *ns, double *steps)
{
	what = w;
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find(arch));
	mc.mem_size = 1u << 20;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_REPLAY;
	c.schedule = "v1s100000000:"; /* replay, with a step bound over the run */
	c.progress = false;
	coh_program p = {.name = "bench-pagecache", .setup = setup};
	coh_explore_result r;
	if (coh_explore(&c, &mc, &p, &r) || r.nfindings) {
		fprintf(stderr, "bench_pagecache: the run failed or found something\n");
		if (r.nfindings)
			fputs(r.findings[0].report, stderr);
		exit(3);
	}
	coh_explore_result_free(&r);
	*ns = ns_per_op;
	*steps = steps_per_op;
}

int main(void)
{
	static const char *const arches[] = {"xscale", "x86"};
	static const char *const names[] = {"", "vfs_read 4 KiB (cached)",
	                                    "vfs_write 4 KiB (cached)",
	                                    "vfs_write 4 KiB + vfs_fsync"};
	for (unsigned a = 0; a < 2; a++) {
		double store, st;
		run(arches[a], SIM_STORE, &store, &st);
		printf("page cache, %s, %ld operations (host ns per operation):\n", arches[a], N);
		printf("  sim_write32 (one access)      %10.1f ns\n", store);
		for (enum what w = PC_READ; w <= PC_WRITE_FSYNC; w++) {
			double ns, steps;
			run(arches[a], w, &ns, &steps);
			printf("  %-29s %10.1f ns = %7.1f accesses' time, %7.0f steps\n", names[w],
			       ns, ns / store, steps);
		}
	}
	return 0;
}
