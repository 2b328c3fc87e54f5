/*
 * test_dmabounce.c - DMA masks and bounce buffers (kernel/dma/dmabounce.c)
 * and the DMA-API-debug checks around them: a buffer above the mask is
 * bounced both ways, an exhausted pool fails the mapping, an unchecked
 * mapping is reported at its unmap, and a device DMA to DMA_MAPPING_ERROR
 * is a bad access.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

enum mode { NO_BOUNCE, TO_DEVICE, FROM_DEVICE, EXHAUST, UNCHECKED, USE_ERROR, TOO_SMALL };

static enum mode mode;
static struct device dev;
static dma_addr_t got[10];
static int rc;
static char seen[16];

static void drv(void *arg)
{
	(void)arg;
	dev = (struct device){.name = "dev16"};
	rc = dma_set_mask(&dev, mode == NO_BOUNCE   ? DMA_BIT_MASK(32)
	                        : mode == TOO_SMALL ? DMA_BIT_MASK(8)
	                                            : DMA_BIT_MASK(16));
	if (rc)
		return;
	/* a 64 KiB run: the lowest free one lies above 64 KiB */
	simptr buf = page_address(alloc_pages(GFP_KERNEL, 4));
	switch (mode) {
	case NO_BOUNCE:
		got[0] = dma_map_single(&dev, buf, 16, DMA_TO_DEVICE);
		got[1] = virt_to_phys(buf);
		if (!dma_mapping_error(&dev, got[0]))
			dma_unmap_single(&dev, got[0], 16, DMA_TO_DEVICE);
		break;
	case TO_DEVICE:
		sim_memcpy_to(buf, "to the device!", 15);
		got[0] = dma_map_single(&dev, buf, 15, DMA_TO_DEVICE);
		got[1] = virt_to_phys(buf);
		if (dma_mapping_error(&dev, got[0]))
			return;
		dma_dev_read(&dev, got[0], seen, 15);
		dma_unmap_single(&dev, got[0], 15, DMA_TO_DEVICE);
		break;
	case FROM_DEVICE:
		got[0] = dma_map_single(&dev, buf, 16, DMA_FROM_DEVICE);
		if (dma_mapping_error(&dev, got[0]))
			return;
		dma_dev_write(&dev, got[0], "from the device", 16);
		dma_sync_single_for_cpu(&dev, got[0], 16, DMA_FROM_DEVICE);
		sim_memcpy_from(seen, buf, 16);
		dma_sync_single_for_device(&dev, got[0], 16, DMA_FROM_DEVICE);
		dma_dev_write(&dev, got[0], "again, device!!", 16);
		dma_unmap_single(&dev, got[0], 16, DMA_FROM_DEVICE);
		got[1] = sim_read32(buf);
		break;
	case EXHAUST:
		for (int i = 0; i < 9; i++) {
			got[i] = dma_map_single(&dev, simptr_add(buf, i * 1024), 64, DMA_TO_DEVICE);
			(void)dma_mapping_error(&dev, got[i]);
		}
		break;
	case UNCHECKED:
		got[0] = dma_map_single(&dev, buf, 16, DMA_TO_DEVICE);
		dma_unmap_single(&dev, got[0], 16, DMA_TO_DEVICE);
		break;
	case USE_ERROR: /* a failed mapping given to the device anyway */
		dma_dev_read(&dev, DMA_MAPPING_ERROR, seen, 4);
		break;
	case TOO_SMALL:
		break;
	}
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
	memset(got, 0, sizeof(got));
	memset(seen, 0, sizeof(seen));
	rc = 0;
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("xscale"));
	mc.mem_size = 1u << 20;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_REPLAY;
	c.schedule = "v1:";
	c.progress = false;
	c.keep_going = true;
	coh_program p = {.name = "dmabounce", .setup = setup};
	assert_int_equal(coh_explore(&c, &mc, &p, r), 0);
}

static void a_mask_over_all_memory_bounces_nothing(void **state)
{
	(void)state;
	coh_explore_result r;
	run(NO_BOUNCE, &r);
	assert_int_equal(rc, 0);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(got[0], got[1]);
	coh_explore_result_free(&r);
}

static void a_buffer_above_the_mask_is_bounced_to_the_device(void **state)
{
	(void)state;
	coh_explore_result r;
	run(TO_DEVICE, &r);
	assert_int_equal(r.nfindings, 0);
	assert_true(got[1] > DMA_BIT_MASK(16));
	assert_true(got[0] + 15 - 1 <= DMA_BIT_MASK(16)); /* the safe buffer */
	assert_string_equal(seen, "to the device!");
	coh_explore_result_free(&r);
}

static void syncs_and_unmap_copy_back_from_the_device(void **state)
{
	(void)state;
	coh_explore_result r;
	run(FROM_DEVICE, &r);
	assert_int_equal(r.nfindings, 0);
	assert_string_equal(seen, "from the device");
	assert_memory_equal(&got[1], "agai", 4); /* the unmap's copy */
	coh_explore_result_free(&r);
}

static void an_exhausted_pool_fails_the_mapping(void **state)
{
	(void)state;
	coh_explore_result r;
	run(EXHAUST, &r);
	for (int i = 0; i < 8; i++)
		assert_true(got[i] != DMA_MAPPING_ERROR);
	assert_true(got[8] == DMA_MAPPING_ERROR);
	coh_explore_result_free(&r);
}

static void an_unchecked_mapping_is_reported_at_unmap(void **state)
{
	(void)state;
	coh_explore_result r;
	run(UNCHECKED, &r);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_API_MISUSE);
	assert_non_null(strstr(r.findings[0].report, "failed to check map error"));
	coh_explore_result_free(&r);
}

static void device_dma_to_a_failed_mapping_is_a_bad_access(void **state)
{
	(void)state;
	coh_explore_result r;
	run(USE_ERROR, &r);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_BAD_ACCESS);
	assert_non_null(strstr(r.findings[0].report, "DMA_MAPPING_ERROR"));
	assert_int_equal((unsigned char)seen[0], 0xff);
	coh_explore_result_free(&r);
}

static void a_mask_below_the_safe_buffers_is_refused(void **state)
{
	(void)state;
	coh_explore_result r;
	run(TOO_SMALL, &r);
	assert_int_equal(rc, COH_EIO);
	assert_int_equal(r.nfindings, 0);
	coh_explore_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_mask_over_all_memory_bounces_nothing),
	    cmocka_unit_test(a_buffer_above_the_mask_is_bounced_to_the_device),
	    cmocka_unit_test(syncs_and_unmap_copy_back_from_the_device),
	    cmocka_unit_test(an_exhausted_pool_fails_the_mapping),
	    cmocka_unit_test(an_unchecked_mapping_is_reported_at_unmap),
	    cmocka_unit_test(device_dma_to_a_failed_mapping_is_a_bad_access),
	    cmocka_unit_test(a_mask_below_the_safe_buffers_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
