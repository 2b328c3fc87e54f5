/*
 * test_oracle_lost_write.c - the oracle's lost-write findings: a dirty line
 * written back over data DMA or another alias put there, an inval that drops
 * the only copy, half-line dirty bits, snoops; and the correct sequences
 * that must stay silent.
 */
#include "oracle_rig.h"

/* ---- lost-write ---- */

static void lost_write_when_a_dirty_line_is_written_back_over_dma_data(void **state)
{
	(void)state;
	for (size_t i = 0; i < NNONCOH; i++) {
		struct rig r = rig(non_coherent[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x10040);
		st(&r, 0, 0x10040, 0x1234);
		dma_fill(&r, 0x40040, 4, 0xee);
		assert_int_equal(coh_cache_evict(r.m, 0, 0x10040), COH_OK);
		const coh_finding *f = only(&r, COH_F_LOST_WRITE);
		assert_int_equal(f->pa, 0x40040);
		assert_int_equal(f->va, 0x10040);
		assert_int_equal(f->expected[0], 0xee);
		assert_int_equal(f->seen[0], 0x34);
		assert_int_equal(f->writer.kind, COH_EV_DMA_WRITE);
		assert_true(f->stale_is_line);
		assert_int_equal(f->trigger.kind, COH_EV_EVICT);
		done(&r);
	}
}

static void no_lost_write_with_clean_and_inval_before_dma(void **state)
{
	(void)state;
	for (size_t i = 0; i < NNONCOH; i++) {
		struct rig r = rig(non_coherent[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x10040);
		st(&r, 0, 0x10040, 0x1234);
		assert_int_equal(coh_cache_flush(r.m, 0, 0x10040, 4), COH_OK);
		dma_fill(&r, 0x40040, 4, 0xee);
		assert_int_equal(coh_cache_evict(r.m, 0, 0x10040), COH_OK);
		assert_int_equal(coh_cache_flush_all(r.m, 0), COH_OK);
		assert_int_equal(ld(&r, 0, 0x10040), 0xeeeeeeee);
		silent(&r);
		done(&r);
	}
}

/* Store to the first half of a line, DMA into the second half, evict. */
static void half_line_then_dma_then_evict(struct rig *r)
{
	map(r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	unsigned line = coh_cache_line_size(r->m);
	ld(r, 0, 0x10000);
	st(r, 0, 0x10000, 0x1234);
	dma_fill(r, 0x40000 + line / 2, line / 2, 0xee);
	assert_int_equal(coh_cache_evict(r->m, 0, 0x10000), COH_OK);
}

static void half_line_dirty_bits_keep_dma_data_in_the_clean_half(void **state)
{
	(void)state;
	const char *names[] = {"xscale", "arm926", "armv6"};
	for (int i = 0; i < 3; i++) {
		struct rig r = rig(names[i], 1);
		half_line_then_dma_then_evict(&r);
		assert_int_equal(ld(&r, 0, 0x10000), 0x1234);
		assert_int_equal(ld(&r, 0, 0x10000 + 28), 0xeeeeeeee);
		silent(&r);
		done(&r);
	}
}

static void one_segment_lines_clobber_dma_data_in_the_other_half(void **state)
{
	(void)state;
	const char *names[] = {"mips-r4k", "sh4", "parisc", "cortex-a9"};
	for (int i = 0; i < 4; i++) {
		struct rig r = rig(names[i], 1);
		half_line_then_dma_then_evict(&r);
		const coh_finding *f = only(&r, COH_F_LOST_WRITE);
		unsigned line = coh_cache_line_size(r.m);
		assert_int_equal(f->pa, 0x40000 + line / 2);
		assert_int_equal(f->expected[0], 0xee);
		assert_int_equal(f->seen[0], 0);
		done(&r);
	}
}

static void lost_write_when_inval_discards_the_only_copy(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		struct rig r = rig(coh_arch_at(i)->name, 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x10040);
		st(&r, 0, 0x10040, 0x1234);
		assert_int_equal(coh_cache_inval(r.m, 0, 0x10040, 4), COH_OK);
		const coh_finding *f = only(&r, COH_F_LOST_WRITE);
		assert_int_equal(f->pa, 0x40040);
		assert_int_equal(f->expected[0], 0x34); /* the discarded latest value */
		assert_int_equal(f->seen[0], 0);        /* what memory holds */
		assert_int_equal(f->trigger.kind, COH_EV_INVAL);
		assert_non_null(strstr(f->message, "only copy"));
		done(&r);
	}
}

static void no_lost_write_when_inval_follows_clean(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		struct rig r = rig(coh_arch_at(i)->name, 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x10040);
		st(&r, 0, 0x10040, 0x1234);
		assert_int_equal(coh_cache_clean(r.m, 0, 0x10040, 4), COH_OK);
		assert_int_equal(coh_cache_inval(r.m, 0, 0x10040, 4), COH_OK);
		assert_int_equal(ld(&r, 0, 0x10040), 0x1234);
		silent(&r);
		done(&r);
	}
}

static void no_lost_write_when_inval_drops_data_the_dma_replaced(void **state)
{
	(void)state;
	/* the streaming DMA_FROM_DEVICE pattern done late: the dirty bytes are
	 * older than the DMA data, so discarding them loses nothing */
	struct rig r = rig("cortex-a9", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	dma_fill(&r, 0x40040, 4, 0xee);
	assert_int_equal(coh_cache_inval(r.m, 0, 0x10040, 4), COH_OK);
	assert_int_equal(ld(&r, 0, 0x10040), 0xeeeeeeee);
	silent(&r);
	done(&r);
}

static void no_lost_write_when_another_alias_still_holds_the_value(void **state)
{
	(void)state;
	struct rig r = rig("xscale", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	map(&r, 0x20000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	st(&r, 0, 0x20040, 0x1234);
	assert_int_equal(coh_cache_inval(r.m, 0, 0x10040, 4), COH_OK);
	silent(&r);
	assert_int_equal(coh_cache_inval(r.m, 0, 0x20040, 4), COH_OK);
	only(&r, COH_F_LOST_WRITE);
	done(&r);
}

static void lost_write_when_an_older_alias_is_written_back_last(void **state)
{
	(void)state;
	struct rig r = rig("xscale", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	map(&r, 0x20000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x20040, 0x1111); /* older */
	st(&r, 0, 0x10040, 0x2222); /* latest */
	assert_int_equal(coh_cache_flush(r.m, 0, 0x10040, 4), COH_OK);
	silent(&r);
	assert_int_equal(coh_cache_flush(r.m, 0, 0x20040, 4), COH_OK);
	const coh_finding *f = only(&r, COH_F_LOST_WRITE);
	assert_int_equal(f->va, 0x20040);
	assert_int_equal(f->stale_line_va, 0x20040);
	assert_int_equal(f->expected[0], 0x22);
	assert_int_equal(f->seen[0], 0x11);
	done(&r);

	/* correct: the older alias is flushed before the other is written */
	r = rig("xscale", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	map(&r, 0x20000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x20040, 0x1111);
	assert_int_equal(coh_cache_flush(r.m, 0, 0x20040, 4), COH_OK);
	st(&r, 0, 0x10040, 0x2222);
	assert_int_equal(coh_cache_flush(r.m, 0, 0x10040, 4), COH_OK);
	assert_int_equal(ld(&r, 0, 0x20040), 0x2222);
	silent(&r);
	done(&r);
}

static void lost_write_when_a_snoop_writes_back_over_dma_data(void **state)
{
	(void)state;
	/* cpu1's dirty copy is written back by cpu0's store to the same line */
	struct rig r = rig("cortex-a9", 2);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 1, 0x10040, 0x1234);
	dma_fill(&r, 0x40040, 4, 0xee);
	st(&r, 0, 0x10048, 0x5678);
	only(&r, COH_F_LOST_WRITE);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(lost_write_when_a_dirty_line_is_written_back_over_dma_data),
	    cmocka_unit_test(no_lost_write_with_clean_and_inval_before_dma),
	    cmocka_unit_test(half_line_dirty_bits_keep_dma_data_in_the_clean_half),
	    cmocka_unit_test(one_segment_lines_clobber_dma_data_in_the_other_half),
	    cmocka_unit_test(lost_write_when_inval_discards_the_only_copy),
	    cmocka_unit_test(no_lost_write_when_inval_follows_clean),
	    cmocka_unit_test(no_lost_write_when_inval_drops_data_the_dma_replaced),
	    cmocka_unit_test(no_lost_write_when_another_alias_still_holds_the_value),
	    cmocka_unit_test(lost_write_when_an_older_alias_is_written_back_last),
	    cmocka_unit_test(lost_write_when_a_snoop_writes_back_over_dma_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
