/*
 * test_oracle_state.c - the check's state and limits: reset forgets findings
 * and the shadow, the oracle off reports only bad accesses, findings stop at
 * the cap, lines longer than any built-in profile's.
 */
#include "oracle_rig.h"

static size_t count_kind(const struct rig *r, enum coh_finding_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < coh_check_count(r->c); i++)
		n += coh_check_get(r->c, i)->kind == kind;
	return n;
}

static void check_reset_forgets_findings_and_shadow(void **state)
{
	(void)state;
	struct rig r = rig("cortex-a9", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	dma_get(&r, 0x40040, 4);
	only(&r, COH_F_STALE_DMA);
	coh_machine_reset(r.m);
	coh_check_reset(r.c);
	assert_int_equal(coh_check_count(r.c), 0);
	assert_null(coh_check_get(r.c, 0));
	/* the store before the reset is forgotten: its bytes are undefined */
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	ld(&r, 0, 0x10040);
	dma_get(&r, 0x40040, 4);
	silent(&r);
	done(&r);
}

static void oracle_off_reports_only_bad_accesses(void **state)
{
	(void)state;
	struct rig r = rig_cfg("cortex-a9", 1, false, 0);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	dma_get(&r, 0x40040, 4);
	dma_fill(&r, 0x40040, 4, 1);
	ld(&r, 0, 0x10040);
	assert_int_equal(coh_cache_inval(r.m, 0, 0x10040, 4), COH_OK);
	silent(&r);
	uint64_t v;
	assert_int_equal(coh_load(r.m, 0, 0x99000, 4, &v), COH_EFAULT);
	only(&r, COH_F_BAD_ACCESS);
	done(&r);
}

static void findings_stop_at_the_cap(void **state)
{
	(void)state;
	struct rig r = rig_cfg("x86", 1, true, 3);
	uint64_t v;
	for (unsigned k = 0; k < 10; k++)
		assert_int_equal(coh_load(r.m, 0, 0x99000 + k * PAGE, 4, &v), COH_EFAULT);
	assert_int_equal(coh_check_count(r.c), 3);
	assert_null(coh_check_report(r.c, COH_F_BUG, 0, "over the cap"));
	assert_int_equal(coh_check_get(r.c, 2)->va, 0x99000 + 2 * PAGE);
	done(&r);
}

/* A profile of our own with lines longer than any built-in one. */
static void long_lines_are_checked_without_overflow(void **state)
{
	(void)state;
	coh_arch big = *coh_arch_find("cortex-a9");
	big.name = "big-lines";
	big.l1.line_size = 1024;
	big.l1.size = 16 * 1024;
	coh_machine_config cfg;
	coh_machine_config_init(&cfg, &big);
	struct rig r = {0};
	assert_int_equal(coh_machine_create(&cfg, &r.m), COH_OK);
	assert_int_equal(coh_check_create(r.m, NULL, &r.c), COH_OK);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	uint8_t buf[1024];
	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(coh_write(r.m, 0, 0x10000, buf, sizeof(buf)), COH_OK);
	memset(buf, 0x22, sizeof(buf));
	assert_int_equal(coh_dma_write(r.m, 0x40000, buf, sizeof(buf)), COH_OK);
	assert_int_equal(coh_read(r.m, 0, 0x10000, buf, sizeof(buf)), COH_OK);
	assert_int_equal(coh_cache_evict(r.m, 0, 0x10000), COH_OK); /* lost-write */
	memset(buf, 0x33, sizeof(buf));
	assert_int_equal(coh_write(r.m, 0, 0x10000, buf, sizeof(buf)), COH_OK);
	assert_int_equal(coh_cache_inval(r.m, 0, 0x10000, 1024), COH_OK); /* lost-write */
	assert_int_equal(count_kind(&r, COH_F_STALE_READ), 1);
	assert_int_equal(count_kind(&r, COH_F_LOST_WRITE), 2);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(check_reset_forgets_findings_and_shadow),
	    cmocka_unit_test(oracle_off_reports_only_bad_accesses),
	    cmocka_unit_test(findings_stop_at_the_cap),
	    cmocka_unit_test(long_lines_are_checked_without_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
