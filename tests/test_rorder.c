/*
 * test_rorder.c - load reordering on bufferable memory (machine/rorder.c):
 * on ARMv7 a load of coherent DMA memory may be satisfied ahead of the
 * CPU's previous load when no read barrier lies between them, so a driver
 * that reads a flag the device set and then the data the device wrote with
 * it can see the data from before the write. The explorer finds that
 * execution, rmb() forbids it, and nothing is offered where no
 * interleaving differs (writes in the other order, one load, x86).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

enum mode {
	FLAG_THEN_DATA,    /* one device write of data and flag; load flag, load data */
	FLAG_RMB_DATA,     /* the same with rmb() between the loads */
	WRITES_FLAG_FIRST, /* the device writes the flag, then the data */
	ONE_LOAD,          /* only the data is loaded */
};

static enum mode mode;
static struct device dev = {.name = "testdev"};
static const char *arch = "cortex-a9";
static uint32_t flag, data;

static void drv(void *arg)
{
	COH_FRAME();
	(void)arg;
	dma_addr_t h;
	simptr c = dma_alloc_coherent(&dev, 64, &h, GFP_KERNEL);
	rmb();                                                      /* the window opens here */
	static const uint8_t both[8] = {0x55, 0, 0, 0, 1, 0, 0, 0}; /* data, flag */
	if (mode == WRITES_FLAG_FIRST) {
		dma_dev_write(&dev, h + 4, both + 4, 4);
		dma_dev_write(&dev, h, both, 4);
	} else {
		dma_dev_write(&dev, h, both, 8);
	}
	if (mode != ONE_LOAD)
		flag = sim_read32(simptr_add(c, 4));
	if (mode == FLAG_RMB_DATA)
		rmb();
	data = sim_read32(c);
}

static int setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	int r = kernel_init(s, NULL);
	if (!r && !coh_task_create(s, "drv", 0, drv, NULL))
		r = COH_EINVAL;
	return r;
}

static void run(enum mode md, coh_explore_result *r)
{
	mode = md;
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find(arch));
	mc.mem_size = 1u << 20;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_DFS;
	c.preemptions = 4;
	c.progress = false;
	c.keep_going = true;
	coh_program p = {.name = "rorder", .setup = setup};
	assert_int_equal(coh_explore(&c, &mc, &p, r), 0);
	assert_true(r->complete);
}

static void the_data_load_can_go_ahead_of_the_flag_load(void **state)
{
	(void)state;
	coh_explore_result r;
	run(FLAG_THEN_DATA, &r);
	assert_int_equal(r.schedules, 2); /* the early view is the one choice */
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_STALE_READ);
	const char *rep = r.findings[0].report;
	assert_non_null(strstr(rep, "satisfied ahead of its previous load"));
	assert_non_null(strstr(rep, "no read barrier (dma_rmb(), rmb())"));
	assert_non_null(strstr(rep, "test_rorder.c:"));
	assert_non_null(strstr(rep, "The earlier load it went ahead of"));
	coh_explore_result_free(&r);
}

static void rmb_between_the_loads_forbids_it(void **state)
{
	(void)state;
	coh_explore_result r;
	run(FLAG_RMB_DATA, &r);
	assert_int_equal(r.schedules, 1);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(data, 0x55);
	coh_explore_result_free(&r);
}

static void nothing_is_offered_where_an_interleaving_explains_it(void **state)
{
	(void)state;
	coh_explore_result r;
	/* the data written after the flag: an early data load is just the
	 * load before the device's second write */
	run(WRITES_FLAG_FIRST, &r);
	assert_int_equal(r.schedules, 1);
	assert_int_equal(r.nfindings, 0);
	coh_explore_result_free(&r);
	run(ONE_LOAD, &r);
	assert_int_equal(r.schedules, 1);
	coh_explore_result_free(&r);
	arch = "x86"; /* cached and coherent: loads in order */
	run(FLAG_THEN_DATA, &r);
	arch = "cortex-a9";
	assert_int_equal(r.schedules, 1);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(flag, 1);
	assert_int_equal(data, 0x55);
	coh_explore_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(the_data_load_can_go_ahead_of_the_flag_load),
	    cmocka_unit_test(rmb_between_the_loads_forbids_it),
	    cmocka_unit_test(nothing_is_offered_where_an_interleaving_explains_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
