/*
 * test_machine_mmu.c - the machine's page tables and address spaces: map and
 * unmap (overlaps, alignment, the end of memory, the TLB), translation,
 * thousands of maps and unmaps, the kernel mappings every address space falls
 * back to, and block mappings (mmu.c).
 */
#include "machine_rig.h"

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
	    cmocka_unit_test(overlapping_map_is_eexist_and_maps_nothing),
	    cmocka_unit_test(unaligned_or_empty_map_is_einval),
	    cmocka_unit_test(map_past_the_end_of_memory_is_efault),
	    cmocka_unit_test(translate_returns_pa_and_attribute),
	    cmocka_unit_test(unmap_removes_only_the_pages_asked_and_flushes_the_tlb),
	    cmocka_unit_test(thousands_of_maps_and_unmaps_keep_every_translation),
	    cmocka_unit_test(address_spaces_fall_back_to_the_kernel_mappings),
	    cmocka_unit_test(block_mappings_translate_split_and_refuse_overlaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
