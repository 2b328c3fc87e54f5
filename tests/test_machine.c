/*
 * test_machine.c - the machine object: configuration, the bounds of memory,
 * DMA and CPU numbers, argument checks, and the access hook (the scheduler's
 * preemption point). Page tables and address spaces: test_machine_mmu.c; the
 * event trace and reset: test_machine_trace.c.
 */
#include "machine_rig.h"

/* ---- configuration ---- */

static void config_defaults_are_x86_one_cpu_4mib(void **state)
{
	(void)state;
	coh_machine_config cfg;
	coh_machine_config_init(&cfg, NULL);
	assert_ptr_equal(cfg.arch, coh_arch_find("x86"));
	assert_int_equal(cfg.ncpus, 1);
	assert_int_equal(cfg.mem_size, 4u << 20);
	assert_true(cfg.oracle);
	coh_machine *m = NULL;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_OK);
	assert_ptr_equal(coh_machine_arch(m), coh_arch_find("x86"));
	assert_int_equal(coh_machine_ncpus(m), 1);
	assert_int_equal(coh_machine_mem_size(m), 4u << 20);
	assert_int_equal(coh_machine_page_size(m), PAGE);
	/* x86-64 has no highmem: all of memory is lowmem */
	assert_int_equal(coh_machine_highmem_start(m), 4u << 20);
	assert_int_equal(coh_machine_events(m), 0);
	coh_machine_destroy(m);
	coh_machine_destroy(NULL);
}

static void lowmem_boundary_and_page_size_are_configurable(void **state)
{
	(void)state;
	coh_machine_config cfg;
	coh_machine *m = NULL;
	coh_machine_config_init(&cfg, coh_arch_find("armv6"));
	cfg.mem_size = 1u << 20;
	cfg.lowmem_size = 768u << 10;
	cfg.page_size = 16384;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_OK);
	assert_int_equal(coh_machine_highmem_start(m), 768u << 10);
	assert_int_equal(coh_machine_page_size(m), 16384);
	/* 16 KiB pages: 4 KiB alignment is not enough */
	assert_int_equal(coh_map(m, 0, 0x1000, 0, 16384, COH_ATTR_WB), COH_EINVAL);
	assert_int_equal(coh_map(m, 0, 0x4000, 0x8000, 16384, COH_ATTR_WB), COH_OK);
	assert_int_equal(xlate(m, 0, 0x7ffc), 0xbffc);
	coh_machine_destroy(m);
}

static void bad_configs_are_rejected(void **state)
{
	(void)state;
	coh_machine_config cfg;
	coh_machine *m = (coh_machine *)&cfg; /* must be cleared on failure */
	assert_int_equal(coh_machine_create(NULL, &m), COH_EINVAL);
	assert_null(m);
	coh_machine_config_init(&cfg, NULL);
	cfg.arch = NULL;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_EINVAL);
	coh_machine_config_init(&cfg, NULL);
	cfg.ncpus = 0;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_EINVAL);
	cfg.ncpus = COH_MAX_CPUS + 1;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_EINVAL);
	coh_machine_config_init(&cfg, NULL);
	cfg.mem_size = PAGE * 10 + 1;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_EINVAL);
	cfg.mem_size = (size_t)COH_PA_LIMIT + PAGE; /* beyond 2^40 */
	assert_int_equal(coh_machine_create(&cfg, &m), COH_EINVAL);
	coh_machine_config_init(&cfg, NULL);
	cfg.lowmem_size = cfg.mem_size + PAGE;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_EINVAL);
	coh_machine_config_init(&cfg, NULL);
	cfg.page_size = 3000;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_EINVAL);
	cfg.page_size = 32; /* smaller than a 64-byte line */
	assert_int_equal(coh_machine_create(&cfg, &m), COH_EINVAL);
	coh_arch bad = *coh_arch_find("x86");
	bad.l1.dirty_segments = 3;
	coh_machine_config_init(&cfg, &bad);
	assert_int_equal(coh_machine_create(&cfg, &m), COH_EINVAL);
	bad = *coh_arch_find("x86");
	bad.l1.line_size = 48;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_EINVAL);
	bad = *coh_arch_find("x86");
	bad.l1.ways = 3;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_EINVAL);
	assert_null(m);
	/* every profile builds with up to COH_MAX_CPUS CPUs */
	for (size_t i = 0; i < coh_arch_count(); i++) {
		coh_machine_config_init(&cfg, coh_arch_at(i));
		cfg.ncpus = COH_MAX_CPUS;
		assert_int_equal(coh_machine_create(&cfg, &m), COH_OK);
		assert_int_equal(coh_machine_ncpus(m), COH_MAX_CPUS);
		coh_machine_destroy(m);
	}
}

static void strerror_names_every_status(void **state)
{
	(void)state;
	assert_string_equal(coh_strerror(COH_OK), "success");
	assert_string_equal(coh_strerror(COH_EFAULT), "address not mapped");
	assert_string_equal(coh_strerror(COH_EEXIST), "overlaps an existing mapping");
	for (int s = COH_EAGAIN; s <= COH_OK; s++)
		assert_string_not_equal(coh_strerror(s), "unknown error");
	assert_string_equal(coh_strerror(-100), "unknown error");
}

/* ---- memory and DMA bounds ---- */

static void memory_and_dma_outside_memory_is_efault(void **state)
{
	(void)state;
	coh_machine *m = mk("cortex-a9", 1);
	size_t mem = coh_machine_mem_size(m);
	uint8_t buf[16] = {0};
	assert_int_equal(coh_mem_peek(m, mem - 8, buf, 16), COH_EFAULT);
	assert_int_equal(coh_mem_poke(m, mem, buf, 1), COH_EFAULT);
	assert_int_equal(coh_mem_peek(m, ~0ull - 4, buf, 8), COH_EFAULT);
	assert_int_equal(coh_dma_read(m, mem - 8, buf, 16), COH_EFAULT);
	assert_int_equal(coh_dma_write(m, mem + PAGE, buf, 1), COH_EFAULT);
	assert_int_equal(coh_dma_write(m, ~0ull - 4, buf, 8), COH_EFAULT);
	assert_int_equal(coh_machine_events(m), 0); /* rejected before any event */
	assert_int_equal(coh_mem_poke(m, mem - 16, buf, 16), COH_OK);
	assert_int_equal(coh_dma_read(m, mem - 16, buf, 16), COH_OK);
	coh_machine_destroy(m);
}

static void dma_moves_bytes_to_and_from_memory(void **state)
{
	(void)state;
	coh_machine *m = mk("cortex-a9", 1);
	uint8_t out[100], in[100];
	for (int i = 0; i < 100; i++)
		out[i] = (uint8_t)(i * 3);
	assert_int_equal(coh_dma_write(m, 0x1234, out, sizeof(out)), COH_OK);
	assert_int_equal(coh_mem_peek(m, 0x1234, in, sizeof(in)), COH_OK);
	assert_memory_equal(in, out, sizeof(in));
	memset(in, 0, sizeof(in));
	assert_int_equal(coh_dma_read(m, 0x1234, in, sizeof(in)), COH_OK);
	assert_memory_equal(in, out, sizeof(in));
	coh_machine_destroy(m);
}

static void cpu_out_of_range_is_erange_everywhere(void **state)
{
	(void)state;
	coh_machine *m = mk("x86", 2);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20000, PAGE, COH_ATTR_WB), COH_OK);
	uint64_t v;
	uint8_t b[4];
	assert_int_equal(coh_load(m, 2, 0x10000, 4, &v), COH_ERANGE);
	assert_int_equal(coh_store(m, 2, 0x10000, 4, 0), COH_ERANGE);
	assert_int_equal(coh_read(m, 2, 0x10000, b, 4), COH_ERANGE);
	assert_int_equal(coh_write(m, 2, 0x10000, b, 4), COH_ERANGE);
	assert_int_equal(coh_cache_clean(m, 2, 0x10000, 4), COH_ERANGE);
	assert_int_equal(coh_cache_inval(m, 2, 0x10000, 4), COH_ERANGE);
	assert_int_equal(coh_cache_flush(m, 2, 0x10000, 4), COH_ERANGE);
	assert_int_equal(coh_cache_flush_all(m, 2), COH_ERANGE);
	assert_int_equal(coh_cache_evict(m, 2, 0x10000), COH_ERANGE);
	assert_int_equal(coh_cache_prefetch(m, 2, 0x10000), COH_ERANGE);
	assert_int_equal(coh_cache_present(m, 2, 0x10000, NULL), COH_ERANGE);
	assert_int_equal(coh_cache_present(m, (unsigned)-1, 0x10000, NULL), COH_ERANGE);
	coh_machine_destroy(m);
}

/* ---- the access hook: the scheduler's preemption point ---- */

struct hook_log {
	int cpus[16];
	unsigned n;
	uint64_t events_at_call[16];
};

static void log_hook(void *ctx, coh_machine *m, int cpu)
{
	struct hook_log *h = ctx;
	if (h->n < 16) {
		h->cpus[h->n] = cpu;
		h->events_at_call[h->n] = coh_machine_events(m);
	}
	h->n++;
}

static void the_access_hook_runs_before_each_public_operation(void **state)
{
	(void)state;
	coh_machine *m = mk("cortex-a9", 2);
	struct hook_log h = {0};
	coh__machine_set_hook(m, log_hook, &h);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20000, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(h.n, 0); /* mapping is not an access */
	uint64_t v;
	assert_int_equal(coh_store(m, 1, 0x10000, 4, 1), COH_OK);
	assert_int_equal(coh_load(m, 0, 0x10000, 4, &v), COH_OK);
	assert_int_equal(coh_cache_clean(m, 0, 0x10000, 4), COH_OK);
	assert_int_equal(coh_dma_read(m, 0x20000, &v, 4), COH_OK);
	assert_int_equal(h.n, 4);
	assert_int_equal(h.cpus[0], 1);
	assert_int_equal(h.cpus[1], 0);
	assert_int_equal(h.cpus[2], 0);
	assert_int_equal(h.cpus[3], -1);
	/* before the operation's own event */
	assert_int_equal(h.events_at_call[0], 1);
	coh__machine_set_hook(m, NULL, NULL);
	assert_int_equal(coh_load(m, 0, 0x10000, 4, &v), COH_OK);
	assert_int_equal(h.n, 4);
	coh_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(config_defaults_are_x86_one_cpu_4mib),
	    cmocka_unit_test(lowmem_boundary_and_page_size_are_configurable),
	    cmocka_unit_test(bad_configs_are_rejected),
	    cmocka_unit_test(strerror_names_every_status),
	    cmocka_unit_test(memory_and_dma_outside_memory_is_efault),
	    cmocka_unit_test(dma_moves_bytes_to_and_from_memory),
	    cmocka_unit_test(cpu_out_of_range_is_erange_everywhere),
	    cmocka_unit_test(the_access_hook_runs_before_each_public_operation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
