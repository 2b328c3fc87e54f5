/*
 * test_oracle.c - the coherence oracle's finding kinds other than lost-write:
 * stale-read, stale-dma, bad-access, bytes never written, x86's coherent DMA
 * and coherent CPUs, each buggy sequence reported and its correct counterpart
 * silent. Lost writes: test_oracle_lost_write.c; what a finding says:
 * test_oracle_report.c; the check's state: test_oracle_state.c.
 */
#include "oracle_rig.h"

/* ---- stale-read ---- */

/* Two aliases of one PA that do not share lines, per profile. */
static void non_sharing_aliases(const char *arch, coh_addr_t *a, coh_addr_t *b)
{
	*a = 0x10000;
	*b = strcmp(arch, "armv6") == 0      ? 0x11000
	     : strcmp(arch, "mips-r4k") == 0 ? 0x13000
	     : strcmp(arch, "sh4") == 0      ? 0x12000
	     : strcmp(arch, "parisc") == 0   ? 0x11000
	                                     : 0x20000; /* VIVT: even the same colour */
}

static void stale_read_through_an_alias_without_flush(void **state)
{
	(void)state;
	const char *names[] = {"xscale", "arm926", "armv6", "mips-r4k", "sh4", "parisc"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct rig r = rig(names[i], 1);
		coh_addr_t a, b;
		non_sharing_aliases(names[i], &a, &b);
		map(&r, a, 0x40000, PAGE, COH_ATTR_WB);
		map(&r, b, 0x40000, PAGE, COH_ATTR_WB);
		assert_int_equal(ld(&r, 0, b + 0x40), 0);
		assert_int_equal(ld(&r, 0, a + 0x40), 0); /* arm926 allocates on read */
		st(&r, 0, a + 0x40, 0x11223344);
		assert_int_equal(ld(&r, 0, b + 0x40), 0);
		const coh_finding *f = only(&r, COH_F_STALE_READ);
		assert_int_equal(f->va, b + 0x40);
		assert_int_equal(f->pa, 0x40040);
		done(&r);
	}
}

static void no_stale_read_after_flush_of_writer_and_inval_of_reader(void **state)
{
	(void)state;
	const char *names[] = {"xscale", "arm926", "armv6", "mips-r4k", "sh4", "parisc"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct rig r = rig(names[i], 1);
		coh_addr_t a, b;
		non_sharing_aliases(names[i], &a, &b);
		map(&r, a, 0x40000, PAGE, COH_ATTR_WB);
		map(&r, b, 0x40000, PAGE, COH_ATTR_WB);
		assert_int_equal(ld(&r, 0, b + 0x40), 0);
		assert_int_equal(ld(&r, 0, a + 0x40), 0);
		st(&r, 0, a + 0x40, 0x11223344);
		assert_int_equal(coh_cache_flush(r.m, 0, a, PAGE), COH_OK);
		assert_int_equal(coh_cache_inval(r.m, 0, b, PAGE), COH_OK);
		assert_int_equal(ld(&r, 0, b + 0x40), 0x11223344);
		silent(&r);
		done(&r);
	}
}

static void pipt_aliases_never_read_stale(void **state)
{
	(void)state;
	const char *names[] = {"cortex-a9", "x86"};
	for (int i = 0; i < 2; i++) {
		struct rig r = rig(names[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		map(&r, 0x11000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x11040);
		st(&r, 0, 0x10040, 0x11223344);
		assert_int_equal(ld(&r, 0, 0x11040), 0x11223344);
		silent(&r);
		done(&r);
	}
}

static void stale_read_after_dma_write_without_inval(void **state)
{
	(void)state;
	for (size_t i = 0; i < NNONCOH; i++) {
		struct rig r = rig(non_coherent[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		assert_int_equal(ld(&r, 0, 0x10040), 0); /* the line is cached */
		dma_fill(&r, 0x40040, 4, 0xab);
		assert_int_equal(ld(&r, 0, 0x10040), 0);
		const coh_finding *f = only(&r, COH_F_STALE_READ);
		assert_int_equal(f->writer.kind, COH_EV_DMA_WRITE);
		assert_int_equal(f->expected[0], 0xab);
		assert_int_equal(f->seen[0], 0);
		done(&r);
	}
}

static void no_stale_read_after_dma_write_with_inval(void **state)
{
	(void)state;
	for (size_t i = 0; i < NNONCOH; i++) {
		struct rig r = rig(non_coherent[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		assert_int_equal(ld(&r, 0, 0x10040), 0);
		dma_fill(&r, 0x40040, 4, 0xab);
		assert_int_equal(coh_cache_inval(r.m, 0, 0x10040, 4), COH_OK);
		assert_int_equal(ld(&r, 0, 0x10040), 0xabababab);
		silent(&r);
		done(&r);
	}
}

static void stale_read_after_speculative_fill_during_dma(void **state)
{
	(void)state;
	/* inval before the DMA, but a prefetch refills the line meanwhile */
	struct rig r = rig("cortex-a9", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	assert_int_equal(coh_cache_inval(r.m, 0, 0x10000, 64), COH_OK);
	assert_int_equal(coh_cache_prefetch(r.m, 0, 0x10040), COH_OK);
	dma_fill(&r, 0x40040, 4, 0xab);
	ld(&r, 0, 0x10040);
	only(&r, COH_F_STALE_READ);
	done(&r);
}

static void stale_read_through_an_uncached_alias_of_a_dirty_line(void **state)
{
	(void)state;
	struct rig r = rig("cortex-a9", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	map(&r, 0x20000, 0x40000, PAGE, COH_ATTR_UNCACHED);
	st(&r, 0, 0x10040, 0x55);
	assert_int_equal(ld(&r, 0, 0x20040), 0);
	const coh_finding *f = only(&r, COH_F_STALE_READ);
	assert_false(f->stale_is_line);
	assert_non_null(strstr(f->message, "uncached"));
	done(&r);
}

/* ---- stale-dma ---- */

static void stale_dma_when_a_dirty_line_is_not_cleaned(void **state)
{
	(void)state;
	for (size_t i = 0; i < NNONCOH; i++) {
		struct rig r = rig(non_coherent[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x10040);
		st(&r, 0, 0x10044, 0xcafef00d);
		dma_get(&r, 0x40000, 128);
		const coh_finding *f = only(&r, COH_F_STALE_DMA);
		assert_int_equal(f->cpu, -1);
		assert_int_equal(f->pa, 0x40044);
		assert_int_equal(f->va, 0x10044);
		assert_int_equal(f->expected[0], 0x0d);
		assert_int_equal(f->seen[0], 0);
		assert_int_equal(f->writer.kind, COH_EV_STORE);
		assert_non_null(strstr(f->message, "not cleaned"));
		done(&r);
	}
}

static void no_stale_dma_after_clean(void **state)
{
	(void)state;
	for (size_t i = 0; i < NNONCOH; i++) {
		struct rig r = rig(non_coherent[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x10040);
		st(&r, 0, 0x10044, 0xcafef00d);
		assert_int_equal(coh_cache_clean(r.m, 0, 0x10000, 128), COH_OK);
		uint32_t v;
		assert_int_equal(coh_dma_read(r.m, 0x40044, &v, 4), COH_OK);
		assert_int_equal(v, 0xcafef00d);
		dma_get(&r, 0x40000, 128);
		silent(&r);
		done(&r);
	}
}

static void clean_on_the_wrong_cpu_leaves_stale_dma_without_broadcast(void **state)
{
	(void)state;
	struct rig r = rig("armv6", 2);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	assert_int_equal(coh_cache_clean(r.m, 1, 0x10040, 4), COH_OK);
	dma_get(&r, 0x40040, 4);
	only(&r, COH_F_STALE_DMA);
	done(&r);

	r = rig("cortex-a9", 2);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	assert_int_equal(coh_cache_clean(r.m, 1, 0x10040, 4), COH_OK);
	dma_get(&r, 0x40040, 4);
	silent(&r);
	done(&r);
}

static void write_through_mappings_never_cause_stale_dma(void **state)
{
	(void)state;
	for (size_t i = 0; i < NNONCOH; i++) {
		struct rig r = rig(non_coherent[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WT);
		ld(&r, 0, 0x10040);
		st(&r, 0, 0x10040, 0x1234);
		st(&r, 0, 0x10080, 0x5678);
		dma_get(&r, 0x40000, 256);
		silent(&r);
		done(&r);
	}
}

/* ---- bad-access ---- */

static void unmapped_load_and_store_are_bad_accesses(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		struct rig r = rig(coh_arch_at(i)->name, 1);
		uint64_t v = 1;
		assert_int_equal(coh_load(r.m, 0, 0x90000, 4, &v), COH_EFAULT);
		const coh_finding *f = only(&r, COH_F_BAD_ACCESS);
		assert_int_equal(f->va, 0x90000);
		assert_int_equal(f->cpu, 0);
		assert_true(f->has_addr);
		assert_int_equal(f->trigger.kind, COH_EV_LOAD);
		assert_int_equal(coh_store(r.m, 0, 0x90008, 4, 1), COH_EFAULT);
		assert_int_equal(coh_check_count(r.c), 2);
		assert_int_equal(coh_check_get(r.c, 1)->kind, COH_F_BAD_ACCESS);
		assert_non_null(strstr(coh_check_get(r.c, 1)->message, "wrote"));
		done(&r);
	}
}

static void access_faults_at_the_first_unmapped_page(void **state)
{
	(void)state;
	struct rig r = rig("x86", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	uint8_t buf[64];
	memset(buf, 0x77, sizeof(buf));
	/* the bytes before the hole are written, as on hardware */
	assert_int_equal(coh_write(r.m, 0, 0x10fe0, buf, sizeof(buf)), COH_EFAULT);
	const coh_finding *f = only(&r, COH_F_BAD_ACCESS);
	assert_int_equal(f->va, 0x11000);
	assert_int_equal(ld(&r, 0, 0x10ffc), 0x77777777);
	done(&r);
}

static void maintenance_of_an_unmapped_va_is_bad_only_when_physically_tagged(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		const coh_arch *a = coh_arch_at(i);
		struct rig r = rig(a->name, 1);
		int rc = coh_cache_flush(r.m, 0, 0x90000, 64);
		if (a->l1.tag == COH_FROM_VIRT) {
			assert_int_equal(rc, COH_OK);
			silent(&r);
		} else {
			assert_int_equal(rc, COH_EFAULT);
			const coh_finding *f = only(&r, COH_F_BAD_ACCESS);
			assert_int_equal(f->va, 0x90000);
			assert_int_equal(f->trigger.kind, COH_EV_FLUSH);
		}
		/* spontaneous evictions and speculative fills never fault */
		size_t before = coh_check_count(r.c);
		assert_int_equal(coh_cache_evict(r.m, 0, 0x90000), COH_OK);
		assert_int_equal(coh_cache_prefetch(r.m, 0, 0x90000), COH_OK);
		assert_int_equal(coh_check_count(r.c), before);
		done(&r);
	}
}

static void vivt_maintenance_after_unmap_is_not_a_bad_access(void **state)
{
	(void)state;
	struct rig r = rig("xscale", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	assert_int_equal(coh_unmap(r.m, COH_KERNEL_AS, 0x10000, PAGE), COH_OK);
	assert_int_equal(coh_cache_flush(r.m, 0, 0x10000, PAGE), COH_OK);
	uint32_t v;
	assert_int_equal(coh_mem_peek(r.m, 0x40040, &v, 4), COH_OK);
	assert_int_equal(v, 0x1234);
	dma_get(&r, 0x40040, 4);
	silent(&r);
	done(&r);
}

/* ---- undefined bytes ---- */

static void bytes_never_written_are_never_reported(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		struct rig r = rig(coh_arch_at(i)->name, 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x10040);
		dma_get(&r, 0x40000, 256);
		/* memory changed behind the oracle's back: still undefined */
		uint8_t junk[64];
		memset(junk, 0x5a, sizeof(junk));
		assert_int_equal(coh_mem_poke(r.m, 0x40040, junk, sizeof(junk)), COH_OK);
		ld(&r, 0, 0x10040); /* a cached line on most: differs from memory */
		dma_get(&r, 0x40000, 256);
		assert_int_equal(coh_cache_inval(r.m, 0, 0x10000, PAGE), COH_OK);
		silent(&r);
		done(&r);
	}
}

static void only_the_written_bytes_of_a_stale_load_are_compared(void **state)
{
	(void)state;
	struct rig r = rig("xscale", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	map(&r, 0x20000, 0x40000, PAGE, COH_ATTR_WB);
	uint64_t v;
	assert_int_equal(coh_load(r.m, 0, 0x20040, 8, &v), COH_OK);
	assert_int_equal(coh_store(r.m, 0, 0x10043, 1, 0x9c), COH_OK);
	assert_int_equal(coh_load(r.m, 0, 0x20040, 8, &v), COH_OK);
	const coh_finding *f = only(&r, COH_F_STALE_READ);
	assert_int_equal(f->len, 8);
	const uint8_t exp[8] = {0, 0, 0, 0x9c, 0, 0, 0, 0};
	const uint8_t seen[8] = {0};
	assert_memory_equal(f->expected, exp, 8);
	assert_memory_equal(f->seen, seen, 8);
	done(&r);

	/* a load of only the unwritten neighbours is fine */
	r = rig("xscale", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	map(&r, 0x20000, 0x40000, PAGE, COH_ATTR_WB);
	assert_int_equal(coh_load(r.m, 0, 0x20040, 8, &v), COH_OK);
	assert_int_equal(coh_store(r.m, 0, 0x10043, 1, 0x9c), COH_OK);
	assert_int_equal(coh_load(r.m, 0, 0x20040, 2, &v), COH_OK);
	assert_int_equal(coh_load(r.m, 0, 0x20044, 4, &v), COH_OK);
	silent(&r);
	done(&r);
}

/* ---- x86 ---- */

static void x86_coherent_dma_never_yields_a_finding(void **state)
{
	(void)state;
	struct rig r = rig("x86", 2);
	map(&r, 0x10000, 0x40000, 4 * PAGE, COH_ATTR_WB);
	map(&r, 0x20000, 0x40000, 4 * PAGE, COH_ATTR_WB);
	/* every mistake of the non-coherent tests above, without maintenance */
	for (unsigned k = 0; k < 64; k++) {
		unsigned cpu = k & 1;
		coh_addr_t off = (k * 0x1c4) % (4 * PAGE - 8);
		st(&r, cpu, 0x10000 + off, k * 0x01010101u);
		ld(&r, cpu ^ 1, 0x20000 + off);
		dma_get(&r, 0x40000 + (off & ~0xffull), 256);
		dma_fill(&r, 0x40000 + off, 8, (uint8_t)k);
		assert_int_equal(ld(&r, cpu, 0x10000 + off), k * 0x01010101u);
		st(&r, cpu ^ 1, 0x20000 + off + 4, k);
		assert_int_equal(coh_cache_evict(r.m, cpu ^ 1, 0x20000 + off), COH_OK);
		assert_int_equal(coh_cache_prefetch(r.m, cpu, 0x10000 + off), COH_OK);
		dma_fill(&r, 0x40000 + off, 4, 0x42);
		assert_int_equal(ld(&r, cpu ^ 1, 0x20000 + off), 0x42424242);
	}
	silent(&r);
	done(&r);
}

/* ---- multi-CPU ---- */

static void coherent_cpus_never_read_stale_from_each_other(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		struct rig r = rig(coh_arch_at(i)->name, 4);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		for (unsigned k = 0; k < 40; k++) {
			st(&r, k % 4, 0x10000 + (k % 5) * 8, k);
			assert_int_equal(ld(&r, (k + 1) % 4, 0x10000 + (k % 5) * 8), k);
		}
		silent(&r);
		done(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(stale_read_through_an_alias_without_flush),
	    cmocka_unit_test(no_stale_read_after_flush_of_writer_and_inval_of_reader),
	    cmocka_unit_test(pipt_aliases_never_read_stale),
	    cmocka_unit_test(stale_read_after_dma_write_without_inval),
	    cmocka_unit_test(no_stale_read_after_dma_write_with_inval),
	    cmocka_unit_test(stale_read_after_speculative_fill_during_dma),
	    cmocka_unit_test(stale_read_through_an_uncached_alias_of_a_dirty_line),
	    cmocka_unit_test(stale_dma_when_a_dirty_line_is_not_cleaned),
	    cmocka_unit_test(no_stale_dma_after_clean),
	    cmocka_unit_test(clean_on_the_wrong_cpu_leaves_stale_dma_without_broadcast),
	    cmocka_unit_test(write_through_mappings_never_cause_stale_dma),
	    cmocka_unit_test(unmapped_load_and_store_are_bad_accesses),
	    cmocka_unit_test(access_faults_at_the_first_unmapped_page),
	    cmocka_unit_test(maintenance_of_an_unmapped_va_is_bad_only_when_physically_tagged),
	    cmocka_unit_test(vivt_maintenance_after_unmap_is_not_a_bad_access),
	    cmocka_unit_test(bytes_never_written_are_never_reported),
	    cmocka_unit_test(only_the_written_bytes_of_a_stale_load_are_compared),
	    cmocka_unit_test(x86_coherent_dma_never_yields_a_finding),
	    cmocka_unit_test(coherent_cpus_never_read_stale_from_each_other),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
