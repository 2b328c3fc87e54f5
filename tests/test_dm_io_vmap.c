/*
 * test_dm_io_vmap.c - dm-io through a vmap alias (DM_IO_VMA): the
 * dm-io-vmap scenario (seed 1) per variant and arch profile, found on
 * aliasing caches and clean without aliasing; an invalidate before the device
 * writes is too early; the zeroes of a failed read reach the vmap alias.
 *
 * As in test_dm_io.c, tasks record what they saw and the asserts run on the
 * host afterwards.
 */
#include "dm_io_rig.h"

/* ---- the dm-io-vmap scenario (seed 1) ---- */

static void run_scenario(const char *variant, const char *arch, int preemptions,
                         coh_explore_result *res)
{
	const coh_scenario *sc = coh_scenario_find("dm-io-vmap");
	assert_non_null(sc);
	struct coh_run_options o;
	coh_run_options_init(&o);
	o.variant = variant;
	o.arch = arch;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_DFS;
	cfg.preemptions = preemptions;
	cfg.progress = false;
	char err[128] = "";
	assert_int_equal(coh_scenario_run(sc, &o, &cfg, res, err, sizeof(err)), 0);
}

static void dm_io_vmap_buggy_is_found_on_aliasing_caches(void **state)
{
	(void)state;
	const char *arches[] = {"xscale", "arm926", "parisc"};
	for (unsigned a = 0; a < 3; a++) {
		coh_explore_result res;
		run_scenario("buggy", arches[a], 1, &res);
		assert_true(res.nfindings > 0);
		enum coh_finding_kind k = res.findings[0].kind;
		assert_true(k == COH_F_STALE_DMA || k == COH_F_STALE_READ);
		coh_explore_result_free(&res);
	}
}

/* Each half of the seed's fix on each profile, in the era of the seed
 * (2.6.35): what the oracle finds first (NULL: clean, and dfs complete). */
static void dm_io_vmap_each_variant_on_each_profile(void **state)
{
	(void)state;
	static const struct {
		const char *variant, *arch, *kind;
	} want[] = {
	    {"buggy", "xscale", "stale-read"},
	    {"buggy", "arm926", "stale-read"},
	    {"buggy", "armv6", "stale-read"},
	    {"buggy", "parisc", "stale-read"},
	    {"buggy", "sh4", "stale-read"},
	    {"buggy", "mips-r4k", "stale-read"},
	    {"buggy", "cortex-a9", NULL},
	    {"buggy", "x86", NULL},
	    /* the write half missing: the commit sends stale memory */
	    {"invalidate-only", "xscale", "stale-dma"},
	    {"invalidate-only", "armv6", "stale-dma"},
	    {"invalidate-only", "sh4", "stale-dma"},
	    /* PA-RISC's invalidate is empty in 2.6.35: it needs the flush */
	    {"invalidate-only", "parisc", "stale-read"},
	    /* the read half missing: only a refilled or kept line shows it */
	    {"flush-only", "xscale", NULL},
	    {"flush-only", "arm926", NULL},
	    {"flush-only", "parisc", NULL},
	    {"flush-only", "armv6", "stale-read"}, /* speculation during the READ */
	    {"flush-only", "sh4", "stale-read"},   /* __flush_wback_region keeps lines */
	    {"fixed", "xscale", NULL},
	    {"fixed", "arm926", NULL},
	    {"fixed", "armv6", NULL},
	    {"fixed", "parisc", NULL},
	    {"fixed", "sh4", NULL},
	    {"fixed", "cortex-a9", NULL},
	    {"fixed", "x86", NULL},
	    /* MIPS has only the generic no-op vmap flushes in 2.6.35 */
	    {"fixed", "mips-r4k", "stale-read"},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		coh_explore_result res;
		run_scenario(want[i].variant, want[i].arch, 1, &res);
		const char *got =
		    res.nfindings ? coh_finding_kind_name(res.findings[0].kind) : NULL;
		if ((got == NULL) != (want[i].kind == NULL) ||
		    (got && strcmp(got, want[i].kind) != 0))
			fail_msg("%s on %s: want %s, got %s", want[i].variant, want[i].arch,
			         want[i].kind ? want[i].kind : "clean", got ? got : "clean");
		if (!got)
			assert_true(res.complete);
		coh_explore_result_free(&res);
	}
}

/* Where the invalidate goes matters: after the flush and before the device
 * has written, a line fetched speculatively while the device writes (ARMv6)
 * survives it; at the completion (the seed's place) it cannot. */
static void misplaced_invalidate_task(void *arg)
{
	struct dmt *t = arg;
	bool early = t->rw != 0;
	simptr v = vmalloc(PAGE);
	sim_memset(v, 0xaa, PAGE);
	flush_kernel_vmap_range(v, PAGE);
	for (unsigned i = 0; i < PAGE; i += 32) /* the alias' lines: clean, cached */
		(void)sim_read32(simptr_add(v, i));
	struct dm_io_region where = {disk_bdev(t->disk[0]), 0, PAGE >> SECTOR_SHIFT};
	struct dm_io_request req = {.bi_rw = READ,
	                            .mem = {.type = DM_IO_VMA, .ptr.vma = v},
	                            .notify = {.fn = notify, .context = t}};
	t->ret = dm_io(&req, 1, &where, NULL);
	if (early)
		invalidate_kernel_vmap_range(v, PAGE); /* the device has not written yet */
	coh_wait_for_completion(&t->done);
	if (!early)
		invalidate_kernel_vmap_range(v, PAGE);
	for (unsigned i = 0; i < PAGE; i += 32)
		(void)sim_read32(simptr_add(v, i));
	vfree(v);
}

static int misplaced_invalidate_setup(void *ctx, coh_sched *s)
{
	struct dmt *t = ctx;
	int r = disks_setup(t, s);
	u8 buf[PAGE];
	for (unsigned b = 0; b < PAGE; b++)
		buf[b] = pattern_byte(b);
	if (!r)
		r = disk_backend_write(t->disk[0], 0, buf, PAGE);
	return r                                                               ? r
	       : coh_task_create(s, "reader", 0, misplaced_invalidate_task, t) ? 0
	                                                                       : COH_EINVAL;
}

static void dm_io_vmap_invalidate_before_the_device_writes_is_too_early(void **state)
{
	(void)state;
	static const char *const fixes[] = {DM_IO_VMAP_FLUSH_FIX, NULL};
	for (int early = 1; early >= 0; early--) {
		struct dmt t = {
		    .arch = "armv6", .ndisks = 1, .fixes = fixes, .rw = (unsigned)early};
		coh_machine_config mc;
		coh_machine_config_init(&mc, coh_arch_find(t.arch));
		mc.mem_size = 1u << 20;
		coh_explore_config cfg;
		coh_explore_config_init(&cfg);
		cfg.strategy = COH_STRATEGY_DFS;
		cfg.preemptions = 1;
		cfg.speculation = 1;
		cfg.progress = false;
		coh_program prog = {
		    .name = "misplaced", .ctx = &t, .setup = misplaced_invalidate_setup};
		coh_explore_result res;
		assert_int_equal(coh_explore(&cfg, &mc, &prog, &res), 0);
		if (early) {
			assert_true(res.nfindings > 0);
			assert_int_equal(res.findings[0].kind, COH_F_STALE_READ);
		} else {
			assert_int_equal(res.nfindings, 0);
			assert_true(res.complete);
		}
		coh_explore_result_free(&res);
		/* without the speculative fills, the early invalidate goes unseen */
		if (early) {
			cfg.speculation = 0;
			assert_int_equal(coh_explore(&cfg, &mc, &prog, &res), 0);
			assert_int_equal(res.nfindings, 0);
			coh_explore_result_free(&res);
		}
	}
}

/* A READ into a vmap of a lowmem page fails: endio's zero_fill_bio zeroes
 * the page through its linear map and flush_dcache_page()s it, dec_count
 * invalidates the vmap alias (seed-1 fix): the alias reads the zeroes. */
static void failed_read_task(void *arg)
{
	struct dmt *t = arg;
	struct page *page = alloc_page(GFP_KERNEL);
	simptr lin = page_address(page);
	sim_write32(lin, 0x1111);
	flush_dcache_page(page); /* in memory: the page's old contents */
	simptr v = vmap(&page, 1);
	(void)sim_read32(v); /* the alias holds a line of them */
	struct dm_io_region where = {disk_bdev(t->disk[0]), 0, PAGE >> SECTOR_SHIFT};
	struct dm_io_request req = {.bi_rw = READ, .mem = {.type = DM_IO_VMA, .ptr.vma = v}};
	t->ret = dm_io(&req, 1, &where, &t->bits);
	t->notify_calls = sim_read32(v); /* what the caller sees */
	vunmap(v);
	__free_page(page);
}

static int failed_read_setup(void *ctx, coh_sched *s)
{
	struct dmt *t = ctx;
	int r = disks_setup(t, s);
	return r ? r : coh_task_create(s, "reader", 0, failed_read_task, t) ? 0 : COH_EINVAL;
}

static void failed_read_finish(void *ctx, coh_sched *s)
{
	struct dmt *t = ctx;
	(void)s;
	t->runs++;
	if (t->ret == -EIO)
		t->seen_bits |= 1u;
	t->runs_bad += t->ret == -EIO && t->notify_calls != 0;
}

static void dm_io_failed_read_zeroes_reach_the_vmap_alias(void **state)
{
	(void)state;
	static const char *const fixes[] = {DM_IO_VMAP_FLUSH_FIX, DM_IO_VMAP_INVALIDATE_FIX, NULL};
	struct dmt t = {.arch = "xscale", .ndisks = 1, .fixes = fixes};
	coh_explore_result res;
	assert_int_equal(
	    explore(&t, failed_read_setup, failed_read_finish, 1u << COH_FAULT_IO, 1, &res), 0);
	assert_int_equal(res.nfindings, 0);
	assert_true(res.complete);
	assert_int_equal(t.seen_bits, 1u); /* the failure was explored */
	assert_int_equal(t.runs_bad, 0);
	coh_explore_result_free(&res);
}

static void dm_io_vmap_buggy_is_clean_without_aliasing(void **state)
{
	(void)state;
	const char *arches[] = {"x86", "cortex-a9"};
	for (unsigned a = 0; a < 2; a++) {
		coh_explore_result res;
		run_scenario("buggy", arches[a], 1, &res);
		assert_int_equal(res.nfindings, 0);
		assert_true(res.complete);
		coh_explore_result_free(&res);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dm_io_vmap_buggy_is_found_on_aliasing_caches),
	    cmocka_unit_test(dm_io_vmap_each_variant_on_each_profile),
	    cmocka_unit_test(dm_io_vmap_invalidate_before_the_device_writes_is_too_early),
	    cmocka_unit_test(dm_io_vmap_buggy_is_clean_without_aliasing),
	    cmocka_unit_test(dm_io_failed_read_zeroes_reach_the_vmap_alias),
	};
	if (getenv("TEST_FILTER"))
		cmocka_set_test_filter(getenv("TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
