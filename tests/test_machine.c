/*
 * test_machine.c - the machine object: configuration, physical memory, page
 * tables and address spaces, the event trace, reset, and argument checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/check.h"
#include "cohsim/machine.h"
#include "machine/machine_impl.h"

#define PAGE 4096u

static coh_machine *mk(const char *arch, unsigned ncpus)
{
	coh_machine_config cfg;
	coh_machine *m = NULL;
	coh_machine_config_init(&cfg, arch ? coh_arch_find(arch) : NULL);
	cfg.ncpus = ncpus;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_OK);
	return m;
}

static coh_addr_t xlate(coh_machine *m, unsigned cpu, coh_addr_t va)
{
	coh_addr_t pa = ~0ull;
	enum coh_attr attr;
	assert_int_equal(coh_translate(m, cpu, va, &pa, &attr), COH_OK);
	return pa;
}

static bool mapped(coh_machine *m, unsigned cpu, coh_addr_t va)
{
	coh_addr_t pa;
	enum coh_attr attr;
	int r = coh_translate(m, cpu, va, &pa, &attr);
	assert_true(r == COH_OK || r == COH_EFAULT);
	return r == COH_OK;
}

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

/* ---- page tables ---- */

static void overlapping_map_is_eexist_and_maps_nothing(void **state)
{
	(void)state;
	coh_machine *m = mk("x86", 1);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20000, 2 * PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_map(m, 0, 0x11000, 0x50000, PAGE, COH_ATTR_WB), COH_EEXIST);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20000, 2 * PAGE, COH_ATTR_WB), COH_EEXIST);
	/* overlapping at its last page only: none of it is mapped */
	assert_int_equal(coh_map(m, 0, 0x0d000, 0x50000, 4 * PAGE, COH_ATTR_WB), COH_EEXIST);
	assert_false(mapped(m, 0, 0x0d000));
	assert_false(mapped(m, 0, 0x0f000));
	assert_int_equal(xlate(m, 0, 0x11234), 0x21234);
	/* adjacent is fine; the same PA twice is fine (an alias) */
	assert_int_equal(coh_map(m, 0, 0x12000, 0x20000, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_map(m, 0, 0x0f000, 0x20000, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(xlate(m, 0, 0x12010), 0x20010);
	assert_int_equal(xlate(m, 0, 0x0f010), 0x20010);
	coh_machine_destroy(m);
}

static void unaligned_or_empty_map_is_einval(void **state)
{
	(void)state;
	coh_machine *m = mk("x86", 1);
	assert_int_equal(coh_map(m, 0, 0x10010, 0x20000, PAGE, COH_ATTR_WB), COH_EINVAL);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20010, PAGE, COH_ATTR_WB), COH_EINVAL);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20000, PAGE + 1, COH_ATTR_WB), COH_EINVAL);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20000, 0, COH_ATTR_WB), COH_EINVAL);
	/* wrapping around the top of the VA space */
	assert_int_equal(coh_map(m, 0, ~0ull - PAGE + 1, 0x20000, 2 * PAGE, COH_ATTR_WB),
	                 COH_EINVAL);
	assert_int_equal(coh_unmap(m, 0, 0x10010, PAGE), COH_EINVAL);
	assert_int_equal(coh_unmap(m, 0, 0x10000, 0), COH_EINVAL);
	assert_int_equal(coh_map(m, 7, 0x10000, 0x20000, PAGE, COH_ATTR_WB), COH_ERANGE);
	assert_int_equal(coh_unmap(m, 7, 0x10000, PAGE), COH_ERANGE);
	assert_false(mapped(m, 0, 0x10000));
	coh_machine_destroy(m);
}

static void map_past_the_end_of_memory_is_efault(void **state)
{
	(void)state;
	coh_machine *m = mk("x86", 1);
	size_t mem = coh_machine_mem_size(m);
	assert_int_equal(coh_map(m, 0, 0x10000, mem, PAGE, COH_ATTR_WB), COH_EFAULT);
	assert_int_equal(coh_map(m, 0, 0x10000, mem - PAGE, 2 * PAGE, COH_ATTR_WB), COH_EFAULT);
	assert_int_equal(coh_map(m, 0, 0x10000, 1ull << 40, PAGE, COH_ATTR_WB), COH_EFAULT);
	assert_false(mapped(m, 0, 0x10000));
	/* the last frame is fine */
	assert_int_equal(coh_map(m, 0, 0x10000, mem - PAGE, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_store(m, 0, 0x10ff8, 8, 0x0102030405060708ull), COH_OK);
	assert_int_equal(coh_cache_flush_all(m, 0), COH_OK);
	uint64_t v;
	assert_int_equal(coh_mem_peek(m, mem - 8, &v, 8), COH_OK);
	assert_int_equal(v, 0x0102030405060708ull);
	coh_machine_destroy(m);
}

static void translate_returns_pa_and_attribute(void **state)
{
	(void)state;
	coh_machine *m = mk("cortex-a9", 1);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20000, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_map(m, 0, 0x11000, 0x20000, PAGE, COH_ATTR_WT), COH_OK);
	assert_int_equal(coh_map(m, 0, 0x12000, 0x30000, PAGE, COH_ATTR_UNCACHED), COH_OK);
	coh_addr_t pa;
	enum coh_attr attr;
	assert_int_equal(coh_translate(m, 0, 0x10abc, &pa, &attr), COH_OK);
	assert_int_equal(pa, 0x20abc);
	assert_int_equal(attr, COH_ATTR_WB);
	assert_int_equal(coh_translate(m, 0, 0x11abc, &pa, &attr), COH_OK);
	assert_int_equal(pa, 0x20abc);
	assert_int_equal(attr, COH_ATTR_WT);
	assert_int_equal(coh_translate(m, 0, 0x12fff, &pa, &attr), COH_OK);
	assert_int_equal(pa, 0x30fff);
	assert_int_equal(attr, COH_ATTR_UNCACHED);
	assert_int_equal(coh_translate(m, 0, 0x13000, &pa, &attr), COH_EFAULT);
	assert_int_equal(coh_translate(m, 0, ~0ull, &pa, &attr), COH_EFAULT);
	assert_int_equal(coh_translate(m, 1, 0x10000, &pa, &attr), COH_ERANGE);
	coh_machine_destroy(m);
}

static void unmap_removes_only_the_pages_asked_and_flushes_the_tlb(void **state)
{
	(void)state;
	coh_machine *m = mk("x86", 2);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20000, 3 * PAGE, COH_ATTR_WB), COH_OK);
	/* warm both CPUs' TLBs on the middle page */
	assert_int_equal(xlate(m, 0, 0x11000), 0x21000);
	assert_int_equal(xlate(m, 1, 0x11000), 0x21000);
	assert_int_equal(coh_unmap(m, 0, 0x11000, PAGE), COH_OK);
	assert_false(mapped(m, 0, 0x11000));
	assert_false(mapped(m, 1, 0x11000));
	uint64_t v;
	assert_int_equal(coh_load(m, 1, 0x11000, 4, &v), COH_EFAULT);
	assert_true(mapped(m, 0, 0x10000));
	assert_true(mapped(m, 0, 0x12000));
	/* unmapping a hole (and a range with holes) is fine */
	assert_int_equal(coh_unmap(m, 0, 0x11000, PAGE), COH_OK);
	assert_int_equal(coh_unmap(m, 0, 0x0f000, 5 * PAGE), COH_OK);
	assert_false(mapped(m, 0, 0x10000));
	assert_false(mapped(m, 0, 0x12000));
	/* and the VA can be mapped again elsewhere; the TLB does not remember */
	assert_int_equal(coh_map(m, 0, 0x11000, 0x40000, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(xlate(m, 0, 0x11008), 0x40008);
	assert_int_equal(xlate(m, 1, 0x11008), 0x40008);
	coh_machine_destroy(m);
}

static coh_addr_t pa_of_page(unsigned i, unsigned generation)
{
	return (coh_addr_t)((i * 7u + generation * 13u) % 1024u) * PAGE;
}

static void thousands_of_maps_and_unmaps_keep_every_translation(void **state)
{
	(void)state;
	coh_machine *m = mk("x86", 1);
	const unsigned n = 5000;
	/* scattered VAs: the hash sees no simple pattern */
	for (unsigned i = 0; i < n; i++) {
		unsigned k =
		    (unsigned)((uint64_t)i * 2654435761u % n); /* a permutation of 0..n-1 */
		assert_int_equal(coh_map(m, 0, 0x100000000ull + (coh_addr_t)k * PAGE,
		                         pa_of_page(k, 0), PAGE, COH_ATTR_WB),
		                 COH_OK);
	}
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(xlate(m, 0, 0x100000000ull + (coh_addr_t)i * PAGE + 8),
		                 pa_of_page(i, 0) + 8);
	for (unsigned i = 0; i < n; i += 2)
		assert_int_equal(coh_unmap(m, 0, 0x100000000ull + (coh_addr_t)i * PAGE, PAGE),
		                 COH_OK);
	for (unsigned i = 0; i < n; i++) {
		coh_addr_t va = 0x100000000ull + (coh_addr_t)i * PAGE;
		if (i % 2 == 0)
			assert_false(mapped(m, 0, va));
		else
			assert_int_equal(xlate(m, 0, va), pa_of_page(i, 0));
	}
	/* remap the holes elsewhere, unmap the rest, check again */
	for (unsigned i = 0; i < n; i += 2)
		assert_int_equal(coh_map(m, 0, 0x100000000ull + (coh_addr_t)i * PAGE,
		                         pa_of_page(i, 1), PAGE, COH_ATTR_WT),
		                 COH_OK);
	for (unsigned i = 1; i < n; i += 2)
		assert_int_equal(coh_unmap(m, 0, 0x100000000ull + (coh_addr_t)i * PAGE, PAGE),
		                 COH_OK);
	for (unsigned i = 0; i < n; i++) {
		coh_addr_t va = 0x100000000ull + (coh_addr_t)i * PAGE;
		if (i % 2)
			assert_false(mapped(m, 0, va));
		else
			assert_int_equal(xlate(m, 0, va), pa_of_page(i, 1));
	}
	/* the internal hash stays at most half full */
	assert_true(m->mmu.used * 2 <= m->mmu.nslots);
	assert_int_equal(m->mmu.used, n / 2);
	coh_machine_destroy(m);
}

static void address_spaces_fall_back_to_the_kernel_mappings(void **state)
{
	(void)state;
	coh_machine *m = mk("armv6", 2);
	unsigned as1, as2;
	assert_int_equal(coh_as_create(m, &as1), COH_OK);
	assert_int_equal(coh_as_create(m, &as2), COH_OK);
	assert_int_equal(as1, 1);
	assert_int_equal(as2, 2);
	assert_int_equal(coh_map(m, COH_KERNEL_AS, 0xc0000000, 0x1000, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_map(m, COH_KERNEL_AS, 0x8000, 0x2000, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_map(m, as1, 0x8000, 0x3000, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_map(m, as2, 0x8000, 0x4000, PAGE, COH_ATTR_WB), COH_OK);
	/* the same VA in two address spaces is not an overlap */
	assert_int_equal(coh_map(m, as1, 0x8000, 0x5000, PAGE, COH_ATTR_WB), COH_EEXIST);
	assert_int_equal(xlate(m, 0, 0x8000), 0x2000);
	assert_int_equal(coh_cpu_set_as(m, 0, as1), COH_OK);
	assert_int_equal(coh_cpu_set_as(m, 1, as2), COH_OK);
	assert_int_equal(xlate(m, 0, 0x8000), 0x3000);
	assert_int_equal(xlate(m, 1, 0x8000), 0x4000);
	/* the kernel half is visible from every address space */
	assert_int_equal(xlate(m, 0, 0xc0000010), 0x1010);
	assert_int_equal(xlate(m, 1, 0xc0000010), 0x1010);
	/* switching back flushes the TLB */
	assert_int_equal(coh_cpu_set_as(m, 0, COH_KERNEL_AS), COH_OK);
	assert_int_equal(xlate(m, 0, 0x8000), 0x2000);
	assert_int_equal(coh_cpu_set_as(m, 0, 3), COH_ERANGE);
	assert_int_equal(coh_cpu_set_as(m, 2, as1), COH_ERANGE);
	/* data written through one address space lands at its PA */
	assert_int_equal(coh_store(m, 1, 0x8010, 4, 0xfeed), COH_OK);
	assert_int_equal(coh_cache_flush_all(m, 1), COH_OK);
	uint32_t v;
	assert_int_equal(coh_mem_peek(m, 0x4010, &v, 4), COH_OK);
	assert_int_equal(v, 0xfeed);
	coh_machine_destroy(m);
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

/* ---- events and trace ---- */

static void every_operation_is_one_event_plus_what_it_causes(void **state)
{
	(void)state;
	coh_machine *m = mk("xscale", 1);
	coh_machine_set_actor(m, "task");
	coh_machine_set_site(m, "f.c", 7);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20000, PAGE, COH_ATTR_WB), COH_OK); /* 1 */
	assert_int_equal(coh_store(m, 0, 0x10004, 4, 0xab), COH_OK); /* 2 store, 3 fill */
	uint64_t v;
	assert_int_equal(coh_load(m, 0, 0x10004, 4, &v), COH_OK);    /* 4 load (hit) */
	assert_int_equal(coh_cache_flush(m, 0, 0x10000, 4), COH_OK); /* 5, 6 writeback */
	assert_int_equal(coh_dma_read(m, 0x20000, &v, 8), COH_OK);   /* 7 */
	uint64_t note = coh_machine_note(m, 0, "hello");             /* 8 */
	assert_int_equal(note, 8);
	assert_int_equal(coh_machine_events(m), 8);
	const enum coh_event_kind kinds[] = {COH_EV_MAP,      COH_EV_STORE, COH_EV_FILL,
	                                     COH_EV_LOAD,     COH_EV_FLUSH, COH_EV_WRITEBACK,
	                                     COH_EV_DMA_READ, COH_EV_NOTE};
	coh_event tail[16];
	assert_int_equal(coh_machine_trace_tail(m, tail, 16), 8);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(tail[i].no, i + 1);
		assert_int_equal(tail[i].kind, kinds[i]);
		assert_string_equal(tail[i].actor, "task");
		assert_int_equal(tail[i].line, 7);
	}
	/* a store's event gets its PA and value */
	assert_int_equal(tail[1].va, 0x10004);
	assert_int_equal(tail[1].pa, 0x20004);
	assert_int_equal(tail[1].value, 0xab);
	assert_int_equal(tail[3].value, 0xab);
	assert_int_equal(tail[5].pa, 0x20000);
	assert_int_equal(tail[6].cpu, -1);
	assert_string_equal(tail[7].note, "hello");
	/* the tail is the last n, oldest first */
	assert_int_equal(coh_machine_trace_tail(m, tail, 3), 3);
	assert_int_equal(tail[0].no, 6);
	assert_int_equal(tail[2].no, 8);
	coh_event e;
	assert_true(coh_machine_event(m, 3, &e));
	assert_int_equal(e.kind, COH_EV_FILL);
	assert_false(coh_machine_event(m, 0, &e));
	assert_false(coh_machine_event(m, 9, &e));
	coh_machine_destroy(m);
}

static void old_events_age_out_of_the_trace(void **state)
{
	(void)state;
	coh_machine *m = mk("x86", 1);
	for (unsigned i = 0; i < 1000; i++)
		coh_machine_note(m, 0, "n");
	coh_event e;
	assert_false(coh_machine_event(m, 1, &e));
	assert_false(coh_machine_event(m, 1000 - COH__TRACE_CAP, &e));
	assert_true(coh_machine_event(m, 1000 - COH__TRACE_CAP + 1, &e));
	assert_int_equal(e.no, 1000 - COH__TRACE_CAP + 1);
	coh_event tail[COH__TRACE_CAP + 10];
	assert_int_equal(coh_machine_trace_tail(m, tail, COH__TRACE_CAP + 10), COH__TRACE_CAP);
	assert_int_equal(tail[0].no, 1000 - COH__TRACE_CAP + 1);
	assert_int_equal(tail[COH__TRACE_CAP - 1].no, 1000);
	coh_machine_destroy(m);
}

static void tracing_off_still_counts_events(void **state)
{
	(void)state;
	coh_machine_config cfg;
	coh_machine *m = NULL;
	coh_machine_config_init(&cfg, NULL);
	cfg.oracle = false;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_OK);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20000, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_store(m, 0, 0x10000, 4, 1), COH_OK);
	assert_true(coh_machine_events(m) >= 2);
	coh_event tail[4], e;
	assert_int_equal(coh_machine_trace_tail(m, tail, 4), 0);
	assert_false(coh_machine_event(m, 1, &e));
	coh_machine_destroy(m);
}

static void events_format_on_one_line(void **state)
{
	(void)state;
	char buf[256];
	coh_event e = {.no = 12,
	               .kind = COH_EV_STORE,
	               .cpu = 1,
	               .va = 0x10004,
	               .pa = 0x20004,
	               .len = 4,
	               .value = 0xab,
	               .actor = "t0",
	               .file = "x.c",
	               .line = 3};
	coh_event_format(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "#12"));
	assert_non_null(strstr(buf, "cpu1/t0"));
	assert_non_null(strstr(buf, "store"));
	assert_non_null(strstr(buf, "va=0x00010004"));
	assert_non_null(strstr(buf, "pa=0x00020004"));
	assert_non_null(strstr(buf, "u32 = 0xab"));
	assert_non_null(strstr(buf, "(x.c:3)"));
	assert_null(strchr(buf, '\n'));
	e = (coh_event){.no = 5, .kind = COH_EV_DMA_WRITE, .cpu = -1, .pa = 0x3000, .len = 64};
	coh_event_format(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "device"));
	assert_non_null(strstr(buf, "dma-write"));
	assert_non_null(strstr(buf, "pa=0x00003000 len=64"));
	e = (coh_event){.no = 6, .kind = COH_EV_NOTE, .cpu = 0, .note = "switch", .line = 9};
	coh_event_format(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "switch"));
	assert_non_null(strstr(buf, "(line 9)"));
	/* every kind has a name */
	for (int k = COH_EV_LOAD; k <= COH_EV_NOTE; k++)
		assert_string_not_equal(coh_event_kind_name((enum coh_event_kind)k), "?");
	assert_string_equal(coh_event_kind_name((enum coh_event_kind)99), "?");
	/* truncation is safe */
	char small[8];
	e.kind = COH_EV_LOAD;
	coh_event_format(&e, small, sizeof(small));
	assert_int_equal(strlen(small), 7);
}

/* ---- reset ---- */

static void busy_run(coh_machine *m)
{
	unsigned as;
	assert_int_equal(coh_as_create(m, &as), COH_OK);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20000, 4 * PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_map(m, as, 0x80000, 0x30000, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_cpu_set_as(m, 1, as), COH_OK);
	coh_machine_set_actor(m, "busy");
	for (unsigned i = 0; i < 200; i++) {
		assert_int_equal(coh_store(m, i % 2, 0x10000 + i * 68 % (4 * PAGE - 8), 8, i),
		                 COH_OK);
		uint8_t b = (uint8_t)i;
		assert_int_equal(coh_dma_write(m, 0x100000 + i * 4096, &b, 1), COH_OK);
	}
	assert_int_equal(coh_store(m, 1, 0x80000, 4, 0x55), COH_OK);
	assert_int_equal(coh_cache_clean(m, 0, 0x10000, PAGE), COH_OK);
}

static void reset_returns_to_a_pristine_machine(void **state)
{
	(void)state;
	coh_machine *m = mk("xscale", 2);
	busy_run(m);
	assert_true(coh_machine_events(m) > 400);
	coh_machine_reset(m);
	assert_int_equal(coh_machine_events(m), 0);
	coh_event tail[4];
	assert_int_equal(coh_machine_trace_tail(m, tail, 4), 0);
	/* no mappings, no user address spaces, every CPU back on the kernel's */
	assert_false(mapped(m, 0, 0x10000));
	assert_false(mapped(m, 1, 0x80000));
	assert_int_equal(coh_cpu_set_as(m, 0, 1), COH_ERANGE);
	/* no lines (VIVT: present needs no mapping) */
	for (unsigned cpu = 0; cpu < 2; cpu++)
		for (coh_addr_t a = 0x10000; a < 0x14000; a += 32)
			assert_int_equal(coh_cache_present(m, cpu, a, NULL), 0);
	assert_int_equal(coh_cache_present(m, 1, 0x80000, NULL), 0);
	/* memory is zero everywhere */
	static uint8_t mem[4u << 20];
	assert_int_equal(coh_mem_peek(m, 0, mem, sizeof(mem)), COH_OK);
	size_t nonzero = 0;
	for (size_t i = 0; i < sizeof(mem); i++)
		nonzero += mem[i] != 0;
	assert_int_equal(nonzero, 0);
	coh_machine_destroy(m);
}

static void a_reset_machine_replays_the_same_events(void **state)
{
	(void)state;
	const char *names[] = {"armv6", "cortex-a9"}; /* random replacement */
	for (int i = 0; i < 2; i++) {
		coh_machine *m = mk(names[i], 2);
		busy_run(m);
		uint64_t n = coh_machine_events(m);
		coh_event a[64], b[64];
		assert_int_equal(coh_machine_trace_tail(m, a, 64), 64);
		coh_machine_reset(m);
		busy_run(m);
		assert_int_equal(coh_machine_events(m), n);
		assert_int_equal(coh_machine_trace_tail(m, b, 64), 64);
		for (int k = 0; k < 64; k++) {
			assert_int_equal(a[k].no, b[k].no);
			assert_int_equal(a[k].kind, b[k].kind);
			assert_int_equal(a[k].cpu, b[k].cpu);
			assert_int_equal(a[k].va, b[k].va);
			assert_int_equal(a[k].pa, b[k].pa);
			assert_int_equal(a[k].len, b[k].len);
			assert_int_equal(a[k].value, b[k].value);
		}
		coh_machine_destroy(m);
	}
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

/* ---- block mappings (mmu.c) ---- */

static void block_mappings_translate_split_and_refuse_overlaps(void **state)
{
	(void)state;
	coh_machine *m = mk("xscale", 1); /* 4 MiB: 1024 frames */
	const coh_addr_t base = 0xc0000000;
	/* 512 pages: one block entry */
	assert_int_equal(coh_map(m, COH_KERNEL_AS, base, 0, 512 * PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(m->mmu.nblocks, 1);
	assert_int_equal(m->mmu.used, 0);
	assert_int_equal(xlate(m, 0, base + 300 * PAGE + 12), 300 * PAGE + 12);
	/* overlaps: a page inside the block, a block over it, across its end */
	assert_int_equal(coh_map(m, COH_KERNEL_AS, base + 7 * PAGE, 0, PAGE, COH_ATTR_WB),
	                 COH_EEXIST);
	assert_int_equal(coh_map(m, COH_KERNEL_AS, base + 511 * PAGE, 0, 300 * PAGE, COH_ATTR_WB),
	                 COH_EEXIST);
	/* a PTE, then a block over it */
	assert_int_equal(coh_map(m, COH_KERNEL_AS, base + 600 * PAGE, 0, PAGE, COH_ATTR_WB),
	                 COH_OK);
	assert_int_equal(coh_map(m, COH_KERNEL_AS, base + 512 * PAGE, 0, 300 * PAGE, COH_ATTR_WB),
	                 COH_EEXIST);
	/* unmapping the middle leaves both ends, at their own PAs */
	assert_int_equal(coh_unmap(m, COH_KERNEL_AS, base + 100 * PAGE, 10 * PAGE), COH_OK);
	assert_int_equal(m->mmu.nblocks, 2);
	assert_false(mapped(m, 0, base + 100 * PAGE));
	assert_false(mapped(m, 0, base + 109 * PAGE));
	assert_int_equal(xlate(m, 0, base + 99 * PAGE), 99 * PAGE);
	assert_int_equal(xlate(m, 0, base + 110 * PAGE), 110 * PAGE);
	assert_int_equal(xlate(m, 0, base + 511 * PAGE), 511 * PAGE);
	/* the hole can be mapped again, elsewhere */
	assert_int_equal(
	    coh_map(m, COH_KERNEL_AS, base + 100 * PAGE, 900 * PAGE, 10 * PAGE, COH_ATTR_WB),
	    COH_OK);
	assert_int_equal(xlate(m, 0, base + 105 * PAGE), 905 * PAGE);
	/* a user address space's block comes before the kernel's mappings */
	unsigned as;
	assert_int_equal(coh_as_create(m, &as), COH_OK);
	assert_int_equal(coh_map(m, as, 0x10000000, 256 * PAGE, 256 * PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_cpu_set_as(m, 0, as), COH_OK);
	assert_int_equal(xlate(m, 0, 0x10000000 + 5 * PAGE), 261 * PAGE);
	assert_int_equal(xlate(m, 0, base + 5 * PAGE), 5 * PAGE); /* the kernel's, still */
	/* unmapping the whole range and a reset leave nothing */
	assert_int_equal(coh_unmap(m, COH_KERNEL_AS, base, 1024 * PAGE), COH_OK);
	assert_false(mapped(m, 0, base + 511 * PAGE));
	coh_machine_reset(m);
	assert_int_equal(m->mmu.nblocks, 0);
	assert_false(mapped(m, 0, 0x10000000));
	coh_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(config_defaults_are_x86_one_cpu_4mib),
	    cmocka_unit_test(lowmem_boundary_and_page_size_are_configurable),
	    cmocka_unit_test(bad_configs_are_rejected),
	    cmocka_unit_test(strerror_names_every_status),
	    cmocka_unit_test(overlapping_map_is_eexist_and_maps_nothing),
	    cmocka_unit_test(unaligned_or_empty_map_is_einval),
	    cmocka_unit_test(map_past_the_end_of_memory_is_efault),
	    cmocka_unit_test(translate_returns_pa_and_attribute),
	    cmocka_unit_test(unmap_removes_only_the_pages_asked_and_flushes_the_tlb),
	    cmocka_unit_test(thousands_of_maps_and_unmaps_keep_every_translation),
	    cmocka_unit_test(address_spaces_fall_back_to_the_kernel_mappings),
	    cmocka_unit_test(memory_and_dma_outside_memory_is_efault),
	    cmocka_unit_test(dma_moves_bytes_to_and_from_memory),
	    cmocka_unit_test(cpu_out_of_range_is_erange_everywhere),
	    cmocka_unit_test(every_operation_is_one_event_plus_what_it_causes),
	    cmocka_unit_test(old_events_age_out_of_the_trace),
	    cmocka_unit_test(tracing_off_still_counts_events),
	    cmocka_unit_test(events_format_on_one_line),
	    cmocka_unit_test(reset_returns_to_a_pristine_machine),
	    cmocka_unit_test(a_reset_machine_replays_the_same_events),
	    cmocka_unit_test(the_access_hook_runs_before_each_public_operation),
	    cmocka_unit_test(block_mappings_translate_split_and_refuse_overlaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
