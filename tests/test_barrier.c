/*
 * test_barrier.c - write buffers and barriers (machine/wbuf.c,
 * kernel/io/barrier.c): a store to bufferable memory may stay in the
 * write buffer until a barrier, the explorer finds the execution where a
 * device reads it too early, and each barrier (and lock) drains it as the
 * profile's kernel has it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

enum mode {
	NO_BARRIER,
	WMB,
	DMA_WMB,
	MB,
	SMP_WMB,
	SPIN_UNLOCK,
	FORWARD,
	FULL,
	ORDER,         /* a body, then a flag, no barrier: the device polls the flag */
	ORDER_DMA_WMB, /* the same with dma_wmb() between them */
	SAME_ADDRESS,  /* two stores to one word */
};

static enum mode mode;
static struct device dev = {.name = "testdev"};
static const char *arch = "cortex-a9";
static unsigned ncpus = 1;
static uint32_t seen[4];
static unsigned pending;
static uint64_t barrier_events;
static spinlock_t lock;

static void drv(void *arg)
{
	(void)arg;
	dma_addr_t h;
	simptr c = dma_alloc_coherent(&dev, 64, &h, GFP_KERNEL);
	sim_write32(c, 0x1234);
	uint64_t before = coh_machine_events(kernel_machine());
	switch (mode) {
	case NO_BARRIER:
		break;
	case WMB:
		wmb();
		break;
	case DMA_WMB:
		dma_wmb();
		break;
	case MB:
		mb();
		break;
	case SMP_WMB: /* a dmb on SMP, only a compiler barrier on one CPU */
		smp_wmb();
		break;
	case SPIN_UNLOCK: /* spin_unlock has smp_mb() */
		spin_lock(&lock);
		spin_unlock(&lock);
		break;
	case FORWARD: /* the storing CPU sees its own store, buffered or not */
		seen[1] = sim_read32(c);
		break;
	case FULL: /* nine late stores: the buffer (8) drains its oldest */
		for (int i = 1; i <= 9; i++)
			sim_write32(simptr_add(c, 4 * i), (u32)i);
		pending = coh_wbuf_pending(kernel_machine(), 0);
		break;
	default: /* below */
		break;
	}
	if (mode == ORDER || mode == ORDER_DMA_WMB) {
		if (mode == ORDER_DMA_WMB)
			dma_wmb();
		sim_write32(simptr_add(c, 4), 1); /* the flag */
		dma_dev_poll(&dev, h + 4, &seen[1], 4);
		if (seen[1] == 1) /* the device acts on the body only once flagged */
			dma_dev_read(&dev, h, &seen[0], 4);
		return;
	}
	if (mode == SAME_ADDRESS) {
		sim_write32(c, 0x5678);
		pending = coh_wbuf_pending(kernel_machine(), 0);
	}
	barrier_events = coh_machine_events(kernel_machine()) - before;
	dma_dev_read(&dev, h, &seen[0], 4);
	if (mode == FULL)
		dma_dev_read(&dev, h + 8, &seen[2], 4);
}

static int setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	int r = kernel_init(s, NULL);
	spin_lock_init(&lock);
	if (!r && !coh_task_create(s, "drv", 0, drv, NULL))
		r = COH_EINVAL;
	return r;
}

/* Every execution dfs affords (deviations cost one each) or one replay. */
static void run(enum mode md, const char *schedule, coh_explore_result *r)
{
	mode = md;
	memset(seen, 0, sizeof(seen));
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find(arch));
	mc.mem_size = 1u << 20;
	mc.ncpus = ncpus;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = schedule ? COH_STRATEGY_REPLAY : COH_STRATEGY_DFS;
	c.schedule = schedule;
	c.preemptions = 12;
	c.progress = false;
	c.keep_going = true;
	coh_program p = {.name = "barrier", .setup = setup};
	assert_int_equal(coh_explore(&c, &mc, &p, r), 0);
}

static unsigned stale_dma(const coh_explore_result *r)
{
	unsigned n = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		n += r->findings[i].kind == COH_F_STALE_DMA;
	return n;
}

static void late_store_without_barrier_is_stale_dma(void **state)
{
	(void)state;
	coh_explore_result r;
	run(NO_BARRIER, NULL, &r);
	assert_true(r.complete);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(stale_dma(&r), 1);
	assert_non_null(strstr(r.findings[0].report, "write buffer"));
	coh_explore_result_free(&r);
	run(NO_BARRIER, "v1:", &r); /* the default drains at once: clean */
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(seen[0], 0x1234);
	coh_explore_result_free(&r);
}

static void every_kernel_barrier_drains_on_armv7(void **state)
{
	(void)state;
	static const enum mode drains[] = {WMB, DMA_WMB, MB, SPIN_UNLOCK};
	for (size_t i = 0; i < sizeof(drains) / sizeof(drains[0]); i++) {
		coh_explore_result r;
		run(drains[i], NULL, &r);
		assert_true(r.complete);
		assert_int_equal(r.nfindings, 0);
		assert_true(r.schedules >= 2); /* the late store was explored */
		coh_explore_result_free(&r);
	}
}

static void smp_wmb_drains_only_on_smp(void **state)
{
	(void)state;
	coh_explore_result r;
	run(SMP_WMB, NULL, &r);
	assert_int_equal(stale_dma(&r), 1); /* UP: barrier() only */
	coh_explore_result_free(&r);
	ncpus = 2;
	run(SMP_WMB, NULL, &r);
	assert_true(r.complete);
	assert_int_equal(r.nfindings, 0);
	coh_explore_result_free(&r);
	ncpus = 1;
}

static void the_storing_cpu_sees_its_buffered_store(void **state)
{
	(void)state;
	coh_explore_result r;
	run(FORWARD, NULL, &r);
	assert_int_equal(seen[1], 0x1234);
	/* the device still finds it stale, the CPU's own load never */
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(stale_dma(&r), 1);
	coh_explore_result_free(&r);
}

static void a_full_buffer_drains_its_oldest_store(void **state)
{
	(void)state;
	coh_explore_result r;
	/* choice 0: the first store late; then each of the nine late too */
	run(FULL, "v1:0,0,0,0,0,0,0,0,0,0", &r);
	assert_int_equal(pending, 8);
	assert_int_equal(seen[0], 0x1234); /* drained to make room, then 1 */
	assert_int_equal(seen[2], 0);      /* 2: still buffered */
	assert_true(r.nfindings >= 1);
	coh_explore_result_free(&r);
}

static void a_flag_store_can_overtake_the_body_without_dma_wmb(void **state)
{
	(void)state;
	coh_explore_result r;
	run(ORDER, NULL, &r);
	assert_true(r.complete);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(stale_dma(&r), 1);
	assert_non_null(strstr(r.findings[0].report, "reached memory ahead of it"));
	coh_explore_result_free(&r);
	/* the body late (choice 0), the flag overtakes it (choice 1 = 2) */
	run(ORDER, "v1:0,0=2", &r);
	assert_int_equal(seen[1], 1);
	assert_int_equal(seen[0], 0); /* the device got the old body */
	assert_int_equal(stale_dma(&r), 1);
	coh_explore_result_free(&r);
	/* a flag the device polls and finds unset is no finding */
	run(ORDER, "v1:0,0", &r);
	assert_int_equal(seen[1], 0);
	assert_int_equal(r.nfindings, 0);
	coh_explore_result_free(&r);
}

static void dma_wmb_orders_the_body_before_the_flag(void **state)
{
	(void)state;
	coh_explore_result r;
	run(ORDER_DMA_WMB, NULL, &r);
	assert_true(r.complete);
	assert_true(r.schedules >= 3);
	assert_int_equal(r.nfindings, 0);
	coh_explore_result_free(&r);
}

static void stores_to_one_address_stay_in_program_order(void **state)
{
	(void)state;
	coh_explore_result r;
	/* the first store late, the second "overtakes": the first goes first */
	run(SAME_ADDRESS, "v1:0,0=2", &r);
	assert_int_equal(pending, 0);
	assert_int_equal(seen[0], 0x5678);
	assert_int_equal(r.nfindings, 0);
	coh_explore_result_free(&r);
}

static void barriers_are_free_where_nothing_is_buffered(void **state)
{
	(void)state;
	static const char *const archs[] = {"xscale", "x86", "mips-r4k", "parisc"};
	for (size_t i = 0; i < sizeof(archs) / sizeof(archs[0]); i++) {
		coh_explore_result r;
		arch = archs[i];
		run(MB, NULL, &r);
		assert_true(r.complete);
		assert_int_equal(r.schedules, 1); /* no store was bufferable */
		assert_int_equal(r.nfindings, 0);
		assert_int_equal(barrier_events, 0);
		coh_explore_result_free(&r);
	}
	arch = "cortex-a9";
	coh_explore_result r;
	run(MB, "v1:", &r);
	assert_int_equal(barrier_events, 1); /* one dsb event */
	coh_explore_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(late_store_without_barrier_is_stale_dma),
	    cmocka_unit_test(every_kernel_barrier_drains_on_armv7),
	    cmocka_unit_test(smp_wmb_drains_only_on_smp),
	    cmocka_unit_test(the_storing_cpu_sees_its_buffered_store),
	    cmocka_unit_test(a_full_buffer_drains_its_oldest_store),
	    cmocka_unit_test(a_flag_store_can_overtake_the_body_without_dma_wmb),
	    cmocka_unit_test(dma_wmb_orders_the_body_before_the_flag),
	    cmocka_unit_test(stores_to_one_address_stay_in_program_order),
	    cmocka_unit_test(barriers_are_free_where_nothing_is_buffered),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
