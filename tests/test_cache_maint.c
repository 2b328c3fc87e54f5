/*
 * test_cache_maint.c - cache maintenance and coherence: caches coherent by PA
 * among CPUs, maintenance by VA on the issuing CPU or broadcast, clean,
 * inval, ranges, flush-all, evict and prefetch; half-line dirty bits; DMA
 * that bypasses the caches, and x86's that snoops them.
 */
#include "cache_rig.h"

static void caches_are_coherent_by_pa_among_cpus(void **state)
{
	(void)state;
	const char *names[] = {"cortex-a9", "armv6", "xscale", "mips-r4k", "parisc", "x86"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		coh_machine *m = mk(names[i], 2, 1);
		map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
		st(m, 0, 0x10000, 0xaa);
		assert_true(is_dirty(m, 0, 0x10000));
		/* cpu1's miss makes cpu0 write its dirty copy back */
		assert_int_equal(ld(m, 1, 0x10000), 0xaa);
		assert_int_equal(peek32(m, 0x20000), 0xaa);
		assert_false(is_dirty(m, 0, 0x10000));
		/* a store on cpu1 drops cpu0's copy */
		st(m, 1, 0x10000, 0xbb);
		assert_int_equal(present(m, 0, 0x10000), 0);
		assert_int_equal(ld(m, 0, 0x10000), 0xbb);
		coh_machine_destroy(m);
	}
}

static void maintenance_by_va_stays_on_the_issuing_cpu_without_broadcast(void **state)
{
	(void)state;
	coh_machine *m = mk("armv6", 2, 1);
	map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
	st(m, 0, 0x10000, 0xaa);
	assert_int_equal(coh_cache_clean(m, 1, 0x10000, 4), COH_OK);
	assert_true(is_dirty(m, 0, 0x10000));
	assert_int_equal(peek32(m, 0x20000), 0);
	assert_int_equal(coh_cache_inval(m, 1, 0x10000, 4), COH_OK);
	assert_int_equal(present(m, 0, 0x10000), 1);
	assert_int_equal(coh_cache_flush(m, 1, 0x10000, 4), COH_OK);
	assert_true(is_dirty(m, 0, 0x10000));
	/* the issuing CPU's own maintenance works */
	assert_int_equal(coh_cache_clean(m, 0, 0x10000, 4), COH_OK);
	assert_false(is_dirty(m, 0, 0x10000));
	assert_int_equal(peek32(m, 0x20000), 0xaa);
	coh_machine_destroy(m);
}

static void maintenance_by_va_reaches_every_cpu_when_broadcast(void **state)
{
	(void)state;
	const char *names[] = {"cortex-a9", "x86"};
	for (int i = 0; i < 2; i++) {
		coh_machine *m = mk(names[i], 2, 1);
		map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
		st(m, 0, 0x10000, 0xaa);
		assert_int_equal(coh_cache_clean(m, 1, 0x10000, 4), COH_OK);
		assert_false(is_dirty(m, 0, 0x10000));
		assert_int_equal(peek32(m, 0x20000), 0xaa);
		assert_int_equal(coh_cache_inval(m, 1, 0x10000, 4), COH_OK);
		assert_int_equal(present(m, 0, 0x10000), 0);
		coh_machine_destroy(m);
	}
}

static void clean_writes_back_and_inval_discards(void **state)
{
	(void)state;
	coh_machine *m = mk("mips-r4k", 1, 1);
	map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
	st(m, 0, 0x10000, 0xaa);
	assert_int_equal(coh_cache_clean(m, 0, 0x10000, 1), COH_OK);
	assert_int_equal(present(m, 0, 0x10000), 1);
	assert_false(is_dirty(m, 0, 0x10000));
	assert_int_equal(peek32(m, 0x20000), 0xaa);
	st(m, 0, 0x10000, 0xbb);
	assert_int_equal(coh_cache_inval(m, 0, 0x10000, 1), COH_OK);
	assert_int_equal(present(m, 0, 0x10000), 0);
	assert_int_equal(peek32(m, 0x20000), 0xaa); /* 0xbb is gone */
	assert_int_equal(ld(m, 0, 0x10000), 0xaa);
	st(m, 0, 0x10000, 0xcc);
	assert_int_equal(coh_cache_flush(m, 0, 0x10000, 1), COH_OK);
	assert_int_equal(present(m, 0, 0x10000), 0);
	assert_int_equal(peek32(m, 0x20000), 0xcc);
	coh_machine_destroy(m);
}

static void maintenance_range_covers_every_line_it_touches(void **state)
{
	(void)state;
	coh_machine *m = mk("xscale", 1, 1);
	map(m, 0x10000, 0x20000, 2 * PAGE, COH_ATTR_WB);
	/* lines at 0x10fe0, 0x11000, 0x11020, 0x11040 */
	for (coh_addr_t a = 0x10fe0; a < 0x11060; a += 32)
		st(m, 0, a, 1);
	/* [0x10fff, 0x11021) touches the first three lines, not the fourth */
	assert_int_equal(coh_cache_clean(m, 0, 0x10fff, 0x22), COH_OK);
	assert_false(is_dirty(m, 0, 0x10fe0));
	assert_false(is_dirty(m, 0, 0x11000));
	assert_false(is_dirty(m, 0, 0x11020));
	assert_true(is_dirty(m, 0, 0x11040));
	/* a zero length does nothing */
	assert_int_equal(coh_cache_inval(m, 0, 0x11040, 0), COH_OK);
	assert_int_equal(present(m, 0, 0x11040), 1);
	coh_machine_destroy(m);
}

static void a_maintenance_range_that_wraps_is_einval(void **state)
{
	(void)state;
	/* on VIVT no translation stops the walk: it must not run over the
	 * whole VA space */
	coh_machine *m = mk("xscale", 1, 1);
	map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
	st(m, 0, 0x10000, 1);
	assert_int_equal(coh_cache_clean(m, 0, 0x10000, ~(size_t)0), COH_EINVAL);
	assert_int_equal(coh_cache_inval(m, 0, ~(coh_addr_t)0 - 31, 64), COH_EINVAL);
	assert_true(is_dirty(m, 0, 0x10000));
	/* the very last line of the VA space is fine */
	assert_int_equal(coh_cache_flush(m, 0, ~(coh_addr_t)0 - 31, 32), COH_OK);
	coh_machine_destroy(m);
}

static void flush_all_writes_back_and_empties_the_cache(void **state)
{
	(void)state;
	coh_machine *m = mk("armv6", 2, 1);
	map(m, 0x10000, 0x20000, 4 * PAGE, COH_ATTR_WB);
	for (coh_addr_t a = 0x10000; a < 0x14000; a += 0x100)
		st(m, 0, a, (uint32_t)a);
	ld(m, 1, 0x13f00 + 0x20); /* cpu1 has a line; flush-all is per CPU */
	assert_int_equal(coh_cache_flush_all(m, 0), COH_OK);
	for (coh_addr_t a = 0x10000; a < 0x14000; a += 0x100) {
		assert_int_equal(present(m, 0, a), 0);
		assert_int_equal(peek32(m, a + 0x10000), (uint32_t)a);
	}
	assert_int_equal(present(m, 1, 0x13f20), 1);
	coh_machine_destroy(m);
}

static void evict_writes_back_the_line_and_prefetch_fills_it(void **state)
{
	(void)state;
	coh_machine *m = mk("sh4", 1, 1);
	map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
	/* evicting a line that is absent (or an unmapped VA) does nothing */
	assert_int_equal(coh_cache_evict(m, 0, 0x10000), COH_OK);
	assert_int_equal(coh_cache_evict(m, 0, 0x900000), COH_OK);
	st(m, 0, 0x10000, 0x77);
	assert_int_equal(coh_cache_evict(m, 0, 0x10000), COH_OK);
	assert_int_equal(present(m, 0, 0x10000), 0);
	assert_int_equal(peek32(m, 0x20000), 0x77);
	assert_int_equal(coh_cache_prefetch(m, 0, 0x10000), COH_OK);
	assert_int_equal(present(m, 0, 0x10000), 1);
	assert_false(is_dirty(m, 0, 0x10000));
	/* a prefetch of an unmapped VA does not fault */
	assert_int_equal(coh_cache_prefetch(m, 0, 0x900000), COH_OK);
	coh_machine_destroy(m);
}

/* A store to the first half of a line, a DMA write to the second half, then
 * an eviction: returns the byte memory holds in the second half. */
static uint8_t dma_byte_after_half_line_writeback(const char *arch)
{
	coh_machine *m = mk(arch, 1, 1);
	map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
	unsigned line = coh_cache_line_size(m);
	st(m, 0, 0x10000, 0xaa);
	uint8_t dma[64];
	memset(dma, 0x5d, sizeof(dma));
	assert_int_equal(coh_dma_write(m, 0x20000 + line / 2, dma, line / 2), COH_OK);
	assert_int_equal(coh_cache_evict(m, 0, 0x10000), COH_OK);
	assert_int_equal(peek32(m, 0x20000), 0xaa);
	uint8_t b;
	assert_int_equal(coh_mem_peek(m, 0x20000 + line - 1, &b, 1), COH_OK);
	coh_machine_destroy(m);
	return b;
}

static void half_line_dirty_bits_write_back_only_the_dirty_half(void **state)
{
	(void)state;
	assert_int_equal(dma_byte_after_half_line_writeback("xscale"), 0x5d);
	assert_int_equal(dma_byte_after_half_line_writeback("armv6"), 0x5d);
	/* arm926 does not allocate on a store miss: load first */
	coh_machine *m = mk("arm926", 1, 1);
	map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
	ld(m, 0, 0x10000);
	st(m, 0, 0x10000, 0xaa);
	uint8_t dma[16];
	memset(dma, 0x5d, sizeof(dma));
	assert_int_equal(coh_dma_write(m, 0x20010, dma, 16), COH_OK);
	assert_int_equal(coh_cache_evict(m, 0, 0x10000), COH_OK);
	assert_int_equal(peek32(m, 0x20000), 0xaa);
	assert_int_equal(peek32(m, 0x2001c), 0x5d5d5d5d);
	coh_machine_destroy(m);
}

static void one_segment_lines_clobber_the_whole_line(void **state)
{
	(void)state;
	assert_int_equal(dma_byte_after_half_line_writeback("mips-r4k"), 0);
	assert_int_equal(dma_byte_after_half_line_writeback("sh4"), 0);
	assert_int_equal(dma_byte_after_half_line_writeback("cortex-a9"), 0);
}

static void a_store_to_the_second_half_dirties_only_that_half(void **state)
{
	(void)state;
	coh_machine *m = mk("xscale", 1, 1);
	map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
	st(m, 0, 0x10010, 0xaa);
	uint8_t dma[16];
	memset(dma, 0x5d, sizeof(dma));
	assert_int_equal(coh_dma_write(m, 0x20000, dma, 16), COH_OK);
	assert_int_equal(coh_cache_flush(m, 0, 0x10000, 32), COH_OK);
	assert_int_equal(peek32(m, 0x20000), 0x5d5d5d5d);
	assert_int_equal(peek32(m, 0x20010), 0xaa);
	coh_machine_destroy(m);
}

static void non_coherent_dma_bypasses_the_cache(void **state)
{
	(void)state;
	coh_machine *m = mk("cortex-a9", 1, 1);
	map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
	st(m, 0, 0x10000, 0xaa);
	uint32_t v = 1;
	assert_int_equal(coh_dma_read(m, 0x20000, &v, 4), COH_OK);
	assert_int_equal(v, 0); /* the dirty line was not cleaned */
	v = 0x55;
	assert_int_equal(coh_dma_write(m, 0x20000, &v, 4), COH_OK);
	assert_int_equal(present(m, 0, 0x10000), 1); /* not invalidated */
	assert_int_equal(ld(m, 0, 0x10000), 0xaa);
	coh_machine_destroy(m);
}

static void x86_coherent_dma_snoops_the_caches(void **state)
{
	(void)state;
	coh_machine *m = mk("x86", 2, 1);
	map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
	st(m, 1, 0x10000, 0xaa);
	uint32_t v = 0;
	assert_int_equal(coh_dma_read(m, 0x20000, &v, 4), COH_OK);
	assert_int_equal(v, 0xaa); /* DMA read sees dirty CPU data */
	assert_int_equal(ld(m, 0, 0x10000), 0xaa);
	v = 0x55;
	assert_int_equal(coh_dma_write(m, 0x20000, &v, 4), COH_OK);
	assert_int_equal(present(m, 0, 0x10000), 0); /* DMA write invalidates */
	assert_int_equal(present(m, 1, 0x10000), 0);
	assert_int_equal(ld(m, 0, 0x10000), 0x55);
	assert_int_equal(ld(m, 1, 0x10000), 0x55);
	coh_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(caches_are_coherent_by_pa_among_cpus),
	    cmocka_unit_test(maintenance_by_va_stays_on_the_issuing_cpu_without_broadcast),
	    cmocka_unit_test(maintenance_by_va_reaches_every_cpu_when_broadcast),
	    cmocka_unit_test(clean_writes_back_and_inval_discards),
	    cmocka_unit_test(maintenance_range_covers_every_line_it_touches),
	    cmocka_unit_test(a_maintenance_range_that_wraps_is_einval),
	    cmocka_unit_test(flush_all_writes_back_and_empties_the_cache),
	    cmocka_unit_test(evict_writes_back_the_line_and_prefetch_fills_it),
	    cmocka_unit_test(half_line_dirty_bits_write_back_only_the_dirty_half),
	    cmocka_unit_test(one_segment_lines_clobber_the_whole_line),
	    cmocka_unit_test(a_store_to_the_second_half_dirties_only_that_half),
	    cmocka_unit_test(non_coherent_dma_bypasses_the_cache),
	    cmocka_unit_test(x86_coherent_dma_snoops_the_caches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
