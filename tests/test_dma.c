/*
 * test_dma.c - the DMA API on a non-coherent VIVT machine (xscale): the
 * maintenance each direction does, as the oracle sees it; the
 * DMA-API-debug misuse findings; and the seed-2 scenario end to end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

enum mode {
	TO_DEVICE_MAPPED,
	TO_DEVICE_RAW,
	FROM_DEVICE_MAPPED,
	FROM_DEVICE_RAW,
	DOUBLE_UNMAP,
	WRONG_SIZE,
	WRONG_DIR,
	CPU_WRITES_DEVICE_BUFFER,
	SYNC_FOR_CPU_THEN_WRITE,
	FROM_DEVICE_DIRTY,
	FROM_DEVICE_SHARED_EDGE,
	DOUBLE_UNMAP_AFTER_WRITE,
};

static enum mode mode;
static struct device dev = {.name = "testdev"};
static uint8_t seen[16];
static const char *arch = "xscale";

static void dma_task(void *arg)
{
	(void)arg;
	coh_machine *m = kernel_machine();
	struct page *p = alloc_page(GFP_KERNEL);
	simptr va = page_address(p);
	phys_addr_t pa = page_to_phys(p);
	dma_addr_t d;
	switch (mode) {
	case TO_DEVICE_MAPPED:
	case TO_DEVICE_RAW:
		sim_write64(va, 0x1122334455667788ull); /* dirty in the cache */
		if (mode == TO_DEVICE_MAPPED) {
			d = dma_map_page(&dev, p, 0, 64, DMA_TO_DEVICE);
			coh_dma_read(m, d, seen, 8);
			dma_unmap_page(&dev, d, 64, DMA_TO_DEVICE);
		} else {
			coh_dma_read(m, pa, seen, 8);
		}
		break;
	case FROM_DEVICE_MAPPED:
	case FROM_DEVICE_RAW: {
		(void)sim_read64(va); /* a valid (clean) line */
		static const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
		if (mode == FROM_DEVICE_MAPPED) {
			d = dma_map_page(&dev, p, 0, 64, DMA_FROM_DEVICE);
			coh_dma_write(m, d, data, 8);
			dma_unmap_page(&dev, d, 64, DMA_FROM_DEVICE);
		} else {
			coh_dma_write(m, pa, data, 8);
		}
		sim_memcpy_from(seen, va, 8);
		break;
	}
	case DOUBLE_UNMAP:
		d = dma_map_single(&dev, va, 128, DMA_TO_DEVICE);
		dma_unmap_single(&dev, d, 128, DMA_TO_DEVICE);
		dma_unmap_single(&dev, d, 128, DMA_TO_DEVICE);
		break;
	case DOUBLE_UNMAP_AFTER_WRITE:
		d = dma_map_single(&dev, va, 64, DMA_FROM_DEVICE);
		dma_unmap_single(&dev, d, 64, DMA_FROM_DEVICE);
		sim_write32(va, 5); /* the CPU owns the buffer again */
		dma_unmap_single(&dev, d, 64, DMA_FROM_DEVICE);
		break;
	case WRONG_SIZE:
		d = dma_map_page(&dev, p, 0, 256, DMA_TO_DEVICE);
		dma_unmap_page(&dev, d, 128, DMA_TO_DEVICE);
		break;
	case WRONG_DIR:
		d = dma_map_page(&dev, p, 0, 256, DMA_TO_DEVICE);
		dma_unmap_page(&dev, d, 256, DMA_BIDIRECTIONAL);
		break;
	case CPU_WRITES_DEVICE_BUFFER:
		d = dma_map_page(&dev, p, 0, 256, DMA_FROM_DEVICE);
		sim_write32(simptr_add(va, 16), 7);
		dma_unmap_page(&dev, d, 256, DMA_FROM_DEVICE);
		break;
	case FROM_DEVICE_DIRTY:
		sim_write32(va, 42); /* never cleaned: the invalidate drops it */
		d = dma_map_page(&dev, p, 0, 64, DMA_FROM_DEVICE);
		dma_unmap_page(&dev, d, 64, DMA_FROM_DEVICE);
		break;
	case FROM_DEVICE_SHARED_EDGE: {
		/* a 32-byte buffer at offset 16 shares its edge lines with its
		 * neighbours; once the device is done, the CPU writes a neighbour
		 * (its line is filled with the device's data) before the unmap */
		static const uint8_t data[32] = {9, 9, 9, 9};
		d = dma_map_page(&dev, p, 16, 32, DMA_FROM_DEVICE);
		coh_dma_write(m, d, data, sizeof(data));
		sim_write32(va, 7);
		dma_unmap_page(&dev, d, 32, DMA_FROM_DEVICE);
		sim_memcpy_from(seen, va, 4);
		sim_memcpy_from(seen + 4, simptr_add(va, 16), 4);
		break;
	}
	case SYNC_FOR_CPU_THEN_WRITE:
		d = dma_map_page(&dev, p, 0, 256, DMA_BIDIRECTIONAL);
		dma_sync_single_for_cpu(&dev, d, 256, DMA_BIDIRECTIONAL);
		sim_write32(simptr_add(va, 16), 7); /* the CPU owns it now */
		dma_sync_single_for_device(&dev, d, 256, DMA_BIDIRECTIONAL);
		dma_unmap_page(&dev, d, 256, DMA_BIDIRECTIONAL);
		break;
	}
}

static int setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	int r = kernel_init(s, NULL);
	if (!r && !coh_task_create(s, "drv", 0, dma_task, NULL))
		r = COH_EINVAL;
	return r;
}

/* One default execution; returns how many findings of each kind. */
static void run_mode(enum mode md, unsigned counts[COH_F_KIND_COUNT])
{
	mode = md;
	memset(seen, 0, sizeof(seen));
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find(arch));
	mc.mem_size = 1u << 20;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_REPLAY;
	c.schedule = "v1:";
	c.progress = false;
	c.keep_going = true;
	coh_program p = {.name = "dma", .setup = setup};
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &mc, &p, &r), 0);
	memset(counts, 0, sizeof(unsigned) * COH_F_KIND_COUNT);
	for (size_t i = 0; i < r.nfindings; i++)
		counts[r.findings[i].kind]++;
	coh_explore_result_free(&r);
}

static unsigned total(const unsigned counts[COH_F_KIND_COUNT])
{
	unsigned n = 0;
	for (int k = 0; k < COH_F_KIND_COUNT; k++)
		n += counts[k];
	return n;
}

static void dma_map_to_device_cleans_so_device_sees_cpu_data(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	run_mode(TO_DEVICE_MAPPED, n);
	assert_int_equal(total(n), 0);
	assert_int_equal(seen[0], 0x88);
	run_mode(TO_DEVICE_RAW, n);
	assert_int_equal(n[COH_F_STALE_DMA], 1);
}

static void dma_map_from_device_invalidates_so_cpu_sees_device_data(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	run_mode(FROM_DEVICE_MAPPED, n);
	assert_int_equal(total(n), 0);
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[7], 8);
	run_mode(FROM_DEVICE_RAW, n);
	assert_true(n[COH_F_STALE_READ] >= 1);
	/* mapping a dirty buffer FROM_DEVICE loses the CPU's data: the oracle
	 * sees the invalidation discard it */
	run_mode(FROM_DEVICE_DIRTY, n);
	assert_int_equal(n[COH_F_LOST_WRITE], 1);
	assert_int_equal(total(n), 1);
}

/* ARMv7's dma_unmap_area (v7_dma_inv_range) cleans the partial lines at the
 * edges of the buffer before it invalidates: a neighbour written since the
 * DMA is kept. */
static void dma_unmap_keeps_a_neighbour_sharing_an_edge_line(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	arch = "cortex-a9";
	run_mode(FROM_DEVICE_SHARED_EDGE, n);
	assert_int_equal(total(n), 0);
	assert_int_equal(seen[0], 7);
	assert_int_equal(seen[4], 9);
	arch = "xscale";
}

static void dma_on_coherent_x86_needs_no_maintenance(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	arch = "x86";
	run_mode(TO_DEVICE_RAW, n);
	assert_int_equal(total(n), 0);
	run_mode(FROM_DEVICE_RAW, n);
	assert_int_equal(total(n), 0);
	arch = "xscale";
}

static void dma_debug_reports_misuse(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	run_mode(DOUBLE_UNMAP, n);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	assert_int_equal(total(n), 1);
	/* dma-debug only reports: the second unmap still invalidates, and on
	 * a speculating CPU that discards what the CPU wrote in between */
	arch = "cortex-a9";
	run_mode(DOUBLE_UNMAP_AFTER_WRITE, n);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	assert_int_equal(n[COH_F_LOST_WRITE], 1);
	arch = "xscale";
	run_mode(WRONG_SIZE, n);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	run_mode(WRONG_DIR, n);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	run_mode(CPU_WRITES_DEVICE_BUFFER, n);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	run_mode(SYNC_FOR_CPU_THEN_WRITE, n);
	assert_int_equal(total(n), 0);
}

/* ---- seed 2 end to end ---- */

static bool lockdep = true; /* the explorer's default */

static coh_explore_result run_scenario_on(const char *name, const char *variant,
                                          const char *arch_name)
{
	const coh_scenario *sc = coh_scenario_find(name);
	assert_non_null(sc);
	struct coh_run_options o;
	coh_run_options_init(&o);
	o.variant = variant;
	o.arch = arch_name;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_DFS;
	c.preemptions = 2;
	c.budget = 0;
	c.progress = false;
	c.lockdep = lockdep;
	coh_explore_result r;
	char err[128];
	assert_int_equal(coh_scenario_run(sc, &o, &c, &r, err, sizeof(err)), 0);
	return r;
}

static coh_explore_result run_scenario(const char *name, const char *variant)
{
	return run_scenario_on(name, variant, NULL);
}

static void kmap_high_get_buggy_loses_write_fixed_is_clean(void **state)
{
	(void)state;
	coh_explore_result r = run_scenario("kmap-high-get", "buggy");
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_LOST_WRITE);
	coh_explore_result_free(&r);
	r = run_scenario("kmap-high-get", "fixed");
	assert_int_equal(r.nfindings, 0);
	assert_true(r.complete);
	coh_explore_result_free(&r);
}

/* With lockdep (the default) the buggy variant is a lock-inversion on the
 * first schedule, which does not deadlock; without it, the deadlock. */
static void kmap_lock_irq_buggy_deadlocks_fixed_is_clean(void **state)
{
	(void)state;
	coh_explore_result r = run_scenario("kmap-lock-irq", "buggy");
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_LOCK_INVERSION);
	assert_int_equal(r.findings[0].found_at, 1);
	assert_non_null(strstr(r.findings[0].report, "{IN-HARDIRQ} -> {HARDIRQ-ON} usage"));
	assert_non_null(strstr(r.findings[0].report, "kmap_high_get "));
	coh_explore_result_free(&r);
	lockdep = false;
	r = run_scenario("kmap-lock-irq", "buggy");
	lockdep = true;
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_DEADLOCK);
	coh_explore_result_free(&r);
	r = run_scenario("kmap-lock-irq", "fixed");
	assert_int_equal(r.nfindings, 0);
	assert_true(r.complete);
	coh_explore_result_free(&r);
}

/* Every ARM of 2.6.31 calls kmap_high_get() first in dma_map_page, PIPT
 * included, so where there is highmem the buggy locking deadlocks and the
 * fix never does; the seed-2 race too loses a write on every ARM with
 * highmem, because the invalidation by VA follows the recycled PTE. An arch
 * without highmem refuses the scenarios, saying why. */
static void seed2_on_every_profile(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		const coh_arch *a = coh_arch_at(i);
		if (!a->highmem) {
			const coh_scenario *sc = coh_scenario_find("kmap-lock-irq");
			struct coh_run_options o;
			coh_run_options_init(&o);
			o.arch = a->name;
			coh_explore_config c;
			coh_explore_config_init(&c);
			coh_explore_result r;
			char err[256] = "";
			assert_int_equal(coh_scenario_run(sc, &o, &c, &r, err, sizeof(err)),
			                 COH_EINVAL);
			assert_non_null(strstr(err, "needs highmem"));
			assert_non_null(strstr(err, a->name));
			continue;
		}
		coh_explore_result r = run_scenario_on("kmap-lock-irq", "fixed", a->name);
		assert_int_equal(r.nfindings, 0);
		assert_true(r.complete);
		coh_explore_result_free(&r);
		r = run_scenario_on("kmap-lock-irq", "buggy", a->name);
		assert_int_equal(r.nfindings, 1);
		assert_int_equal(r.findings[0].kind, COH_F_LOCK_INVERSION);
		coh_explore_result_free(&r);
		r = run_scenario_on("kmap-high-get", "buggy", a->name);
		assert_int_equal(r.nfindings, 1);
		assert_int_equal(r.findings[0].kind, COH_F_LOST_WRITE);
		coh_explore_result_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dma_map_to_device_cleans_so_device_sees_cpu_data),
	    cmocka_unit_test(dma_map_from_device_invalidates_so_cpu_sees_device_data),
	    cmocka_unit_test(dma_unmap_keeps_a_neighbour_sharing_an_edge_line),
	    cmocka_unit_test(dma_on_coherent_x86_needs_no_maintenance),
	    cmocka_unit_test(dma_debug_reports_misuse),
	    cmocka_unit_test(kmap_high_get_buggy_loses_write_fixed_is_clean),
	    cmocka_unit_test(kmap_lock_irq_buggy_deadlocks_fixed_is_clean),
	    cmocka_unit_test(seed2_on_every_profile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
