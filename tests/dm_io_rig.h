/*
 * dm_io_rig.h - what the test_dm_io*.c files share: the run state (struct
 * dmt: the arch, the disks, what the tasks saw, per-run counters), the
 * explorer run of a setup and finish, the disks' setup, the notify callback
 * and the pattern bytes. Static inline: each test file takes what it uses.
 */
#ifndef COHSIM_TESTS_DM_IO_RIG_H
#define COHSIM_TESTS_DM_IO_RIG_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

#define NDISK 3
#define PAGE 4096u

struct dmt {
	const char *arch;
	unsigned ndisks;
	unsigned long rw;
	bool async;
	const char *const *fixes;
	struct gendisk *disk[NDISK];
	coh_completion done;
	/* per execution */
	int ret;
	unsigned long bits;
	unsigned notify_calls;
	bool notify_in_irq;
	coh_task *submitter, *notifier;
	bool all_on_disk_at_return;
	/* over the runs */
	unsigned runs, runs_bad;
	unsigned seen_bits; /* bit b: error_bits == b was seen */
};

static inline u8 pattern_byte(unsigned i)
{
	return (u8)(i * 7 + 3);
}

/* preemptions >= 0: dfs within that bound, to the end; < 0: random, 400
 * schedules without evictions (a fault costs dfs one preemption, so dfs
 * cannot fail three regions at once within a small bound). */
static inline int explore(struct dmt *t, int (*setup)(void *, coh_sched *),
                          void (*finish)(void *, coh_sched *), unsigned faults, int preemptions,
                          coh_explore_result *res)
{
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find(t->arch ? t->arch : "xscale"));
	mc.ncpus = 1;
	mc.mem_size = 1u << 20;
	mc.lowmem_size = mc.mem_size / 2;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = preemptions >= 0 ? COH_STRATEGY_DFS : COH_STRATEGY_RANDOM;
	cfg.preemptions = preemptions;
	cfg.budget = preemptions >= 0 ? 0 : 400;
	cfg.evictions = 0;
	cfg.evict_one_in = 2; /* random: a fault is taken one time in two */
	cfg.faults = faults;
	cfg.progress = false;
	coh_program prog = {.name = "dm-io", .ctx = t, .setup = setup, .finish = finish};
	return coh_explore(&cfg, &mc, &prog, res);
}

static inline void notify(unsigned long error, void *context)
{
	struct dmt *t = context;
	t->notify_calls++;
	t->notify_in_irq = coh_in_interrupt();
	t->notifier = coh_current();
	t->bits = error;
	coh_complete(&t->done);
}

static inline int disks_setup(struct dmt *t, coh_sched *s)
{
	struct kernel_config kc;
	kernel_config_init(&kc);
	kc.fixes = t->fixes;
	int r = kernel_init(s, &kc);
	if (r)
		return r;
	static const char *const names[NDISK] = {"m0", "m1", "m2"};
	for (unsigned i = 0; i < t->ndisks; i++) {
		struct disk_config dc;
		disk_config_init(&dc, names[i]);
		dc.capacity = 64;
		dc.irq = 1 + i;
		t->disk[i] = alloc_disk_sim(&dc);
		if (!t->disk[i])
			return disk_last_error();
	}
	coh_init_completion(&t->done, "done");
	t->ret = 1;
	t->bits = ~0ul;
	t->notify_calls = 0;
	t->notify_in_irq = false;
	t->all_on_disk_at_return = false;
	return 0;
}

#endif
