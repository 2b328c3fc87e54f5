/*
 * test_dma_api.c - the driver's DMA API beyond map/unmap (dma-mapping.h):
 * per-byte-range DMA-API-debug ownership (the partial-sync false positive),
 * findings at the line that exposed them, coherent memory per profile, DMA
 * pools, scatterlists, range syncs, and device-side DMA with the device's
 * own line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

enum mode {
	PARTIAL_SYNC_LEGAL,
	PARTIAL_SYNC_WRITE_DEVICE_PART,
	MISUSE_LINE,
	SYNC_OUTSIDE,
	RANGE_SYNC,
	DEVICE_WRITES_CPU_PART,
	COHERENT_RING,
	COHERENT_DOUBLE_FREE,
	POOL_BLOCKS,
	POOL_DOUBLE_FREE,
	POOL_DESTROY_BUSY,
	SG_TO_DEVICE,
	SG_FROM_DEVICE,
	EVICTION_WINDOW,
	FREE_WHILE_MAPPED,
	MAP_VMALLOC,
	SAME_PAGE_TWICE,
	SAME_PAGE_NO_FIT,
};

static enum mode mode;
static struct device dev = {.name = "testdev"};
static const char *arch = "xscale";
static unsigned misuse_line;  /* the line a misuse finding must name */
static uint32_t seen32[4];    /* what the device or CPU read */
static dma_addr_t handles[4]; /* pool blocks */
static coh_addr_t vas[4];     /* their CPU addresses */
static enum dma_coherent_type ctype;

static void dev_task(void *arg)
{
	(void)arg;
	struct page *p = alloc_page(GFP_KERNEL);
	simptr ring = page_address(p);
	dma_addr_t d, h;
	simptr c;
	switch (mode) {
	case PARTIAL_SYNC_LEGAL: /* the example of issue 11 */
	case PARTIAL_SYNC_WRITE_DEVICE_PART:
		d = dma_map_single(&dev, ring, 128, DMA_BIDIRECTIONAL);
		dma_sync_single_for_cpu(&dev, d + 64, 16, DMA_BIDIRECTIONAL);
		dma_sync_single_for_device(&dev, d, 16, DMA_BIDIRECTIONAL);
		if (mode == PARTIAL_SYNC_LEGAL) {
			sim_write32(simptr_add(ring, 64), 1); /* the CPU's part */
		} else {
			misuse_line = __LINE__ + 1;
			sim_write32(simptr_add(ring, 76), 1); /* CPU owns 64..79: legal */
			misuse_line = __LINE__ + 1;
			sim_write32(simptr_add(ring, 80), 1); /* the device's */
		}
		dma_sync_single_for_device(&dev, d + 64, 16, DMA_BIDIRECTIONAL);
		dma_unmap_single(&dev, d, 128, DMA_BIDIRECTIONAL);
		break;
	case MISUSE_LINE:
		d = dma_map_single(&dev, ring, 64, DMA_FROM_DEVICE);
		misuse_line = __LINE__ + 1;
		sim_write32(ring, 3);
		dma_unmap_single(&dev, d, 64, DMA_FROM_DEVICE);
		break;
	case SYNC_OUTSIDE:
		d = dma_map_single(&dev, ring, 64, DMA_TO_DEVICE);
		dma_sync_single_for_device(&dev, d + 32, 64, DMA_TO_DEVICE);
		dma_unmap_single(&dev, d, 64, DMA_TO_DEVICE);
		break;
	case RANGE_SYNC:
		d = dma_map_single(&dev, ring, 256, DMA_FROM_DEVICE);
		dma_dev_write(&dev, d + 128, "\x11\x22\x33\x44", 4);
		dma_sync_single_range_for_cpu(&dev, d, 128, 32, DMA_FROM_DEVICE);
		seen32[0] = sim_read32(simptr_add(ring, 128)); /* legal */
		dma_sync_single_range_for_device(&dev, d, 128, 32, DMA_FROM_DEVICE);
		misuse_line = __LINE__ + 1;
		seen32[1] = sim_read32(simptr_add(ring, 128)); /* the device's again */
		dma_unmap_single(&dev, d, 256, DMA_FROM_DEVICE);
		break;
	case DEVICE_WRITES_CPU_PART:
		d = dma_map_single(&dev, ring, 128, DMA_FROM_DEVICE);
		dma_sync_single_for_cpu(&dev, d, 64, DMA_FROM_DEVICE);
		dma_dev_write(&dev, d + 64, "ok", 2); /* the device's part: fine */
		misuse_line = __LINE__ + 1;
		dma_dev_write(&dev, d + 8, "no", 2);
		dma_sync_single_for_device(&dev, d, 64, DMA_FROM_DEVICE);
		dma_unmap_single(&dev, d, 128, DMA_FROM_DEVICE);
		break;
	case COHERENT_RING: {
		ctype = dma_coherent_type();
		c = dma_alloc_coherent(&dev, 5000, &h, GFP_KERNEL);
		assert_false(simptr_is_null(c));
		seen32[0] = sim_read32(simptr_add(c, 4096)); /* zeroed */
		sim_write32(simptr_add(c, 16), 0xabcd1234u); /* no sync, no flush */
		dma_dev_read(&dev, h + 16, &seen32[1], 4);
		dma_dev_write(&dev, h + 32, "\x01\x02\x03\x04", 4);
		seen32[2] = sim_read32(simptr_add(c, 32));
		vas[0] = c.addr;
		handles[0] = h;
		dma_free_coherent(&dev, 5000, c, h);
		break;
	}
	case COHERENT_DOUBLE_FREE:
		c = dma_alloc_coherent(&dev, 64, &h, GFP_KERNEL);
		dma_free_coherent(&dev, 64, c, h);
		dma_free_coherent(&dev, 64, c, h);
		break;
	case POOL_BLOCKS:
	case POOL_DOUBLE_FREE:
	case POOL_DESTROY_BUSY: {
		struct dma_pool *pool = dma_pool_create("desc", &dev, 24, 16, 64);
		assert_non_null(pool);
		for (int i = 0; i < 4; i++) {
			c = dma_pool_zalloc(pool, GFP_KERNEL, &handles[i]);
			vas[i] = c.addr;
		}
		sim_write32(simptr_at(vas[1]), 0x5a5a5a5au);
		dma_dev_read(&dev, handles[1], &seen32[0], 4);
		dma_pool_free(pool, simptr_at(vas[1]), handles[1]);
		if (mode == POOL_DOUBLE_FREE)
			dma_pool_free(pool, simptr_at(vas[1]), handles[1]);
		if (mode != POOL_DESTROY_BUSY)
			for (int i = 0; i < 4; i++)
				if (i != 1)
					dma_pool_free(pool, simptr_at(vas[i]), handles[i]);
		dma_pool_destroy(pool);
		break;
	}
	case SG_TO_DEVICE:
	case SG_FROM_DEVICE: {
		struct page *q = alloc_page(GFP_HIGHUSER);
		struct scatterlist sg[2];
		sg_init_table(sg, 2);
		sg_set_buf(&sg[0], simptr_add(ring, 256), 64);
		sg_set_page(&sg[1], q, 64, 128);
		simptr qv = kmap(q);
		if (mode == SG_TO_DEVICE) {
			sim_write32(simptr_add(ring, 256), 0x01020304u);
			sim_write32(simptr_add(qv, 128), 0x05060708u);
			assert_int_equal(dma_map_sg(&dev, sg, 2, DMA_TO_DEVICE), 2);
			dma_dev_read(&dev, sg_dma_address(&sg[0]), &seen32[0], 4);
			dma_dev_read(&dev, sg_dma_address(&sg[1]), &seen32[1], 4);
			dma_unmap_sg(&dev, sg, 2, DMA_TO_DEVICE);
		} else {
			(void)sim_read32(simptr_add(ring, 256)); /* valid lines to go stale */
			(void)sim_read32(simptr_add(qv, 128));
			assert_int_equal(dma_map_sg(&dev, sg, 2, DMA_FROM_DEVICE), 2);
			dma_dev_write(&dev, sg_dma_address(&sg[0]), "\xaa\xbb\xcc\xdd", 4);
			dma_dev_write(&dev, sg_dma_address(&sg[1]), "\x11\x22\x33\x44", 4);
			dma_sync_sg_for_cpu(&dev, sg, 2, DMA_FROM_DEVICE);
			seen32[0] = sim_read32(simptr_add(ring, 256));
			seen32[1] = sim_read32(simptr_add(qv, 128));
			dma_sync_sg_for_device(&dev, sg, 2, DMA_FROM_DEVICE);
			dma_unmap_sg(&dev, sg, 2, DMA_FROM_DEVICE);
		}
		kunmap(q);
		break;
	}
	case FREE_WHILE_MAPPED:
		d = dma_map_page(&dev, p, 0, 64, DMA_TO_DEVICE);
		__free_page(p);
		dma_unmap_page(&dev, d, 64, DMA_TO_DEVICE);
		break;
	case SAME_PAGE_TWICE:
	case SAME_PAGE_NO_FIT:
		/* two dios' dio_zero_block map ZERO_PAGE at once, for a head
		 * and a tail: unmapped in the other order */
		d = dma_map_page(&dev, p, 0, 512, DMA_TO_DEVICE);
		h = dma_map_page(&dev, p, 0, 3584, DMA_TO_DEVICE);
		dma_unmap_page(&dev, h, mode == SAME_PAGE_TWICE ? 3584 : 1024, DMA_TO_DEVICE);
		dma_unmap_page(&dev, d, 512, DMA_TO_DEVICE);
		break;
	case MAP_VMALLOC:
		c = vmalloc(4096);
		(void)dma_map_single(&dev, c, 64, DMA_TO_DEVICE);
		break;
	case EVICTION_WINDOW:
		/* a dirty line left over the device's data: harmless unless the
		 * line is evicted between the DMA and the invalidation */
		sim_write32(ring, 1);
		dma_dev_write(&dev, virt_to_phys(ring), "\x22\x22\x22\x22", 4);
		coh_cache_inval(kernel_machine(), 0, ring.addr, 4);
		seen32[0] = sim_read32(ring);
		break;
	}
}

static int setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	int r = kernel_init(s, NULL);
	if (!r && !coh_task_create(s, "drv", 0, dev_task, NULL))
		r = COH_EINVAL;
	return r;
}

/* One default execution; counts findings per kind; *out keeps the result. */
static void run_mode(enum mode md, unsigned counts[COH_F_KIND_COUNT], coh_explore_result *out)
{
	mode = md;
	misuse_line = 0;
	memset(seen32, 0, sizeof(seen32));
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find(arch));
	mc.mem_size = 1u << 20;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_REPLAY;
	c.schedule = "v1:";
	c.progress = false;
	c.keep_going = true;
	coh_program p = {.name = "dma-api", .setup = setup};
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &mc, &p, &r), 0);
	memset(counts, 0, sizeof(unsigned) * COH_F_KIND_COUNT);
	for (size_t i = 0; i < r.nfindings; i++)
		counts[r.findings[i].kind]++;
	if (out)
		*out = r;
	else
		coh_explore_result_free(&r);
}

static unsigned total(const unsigned n[COH_F_KIND_COUNT])
{
	unsigned t = 0;
	for (int k = 0; k < COH_F_KIND_COUNT; k++)
		t += n[k];
	return t;
}

/* The finding's "Exposed by" line names this file at misuse_line. */
static void assert_exposed_at_line(const coh_explore_finding *f)
{
	char want[64];
	snprintf(want, sizeof(want), "test_dma_api.c:%u", misuse_line);
	/* "Exposed by task T on cpuN, event #E:" then the event's line */
	const char *exposed = strstr(f->report, "Exposed by");
	assert_non_null(exposed);
	const char *nl = strchr(exposed, '\n');
	assert_non_null(nl);
	const char *eol = strchr(nl + 1, '\n');
	assert_non_null(eol);
	char line[256];
	size_t n = (size_t)(eol - exposed);
	n = n < sizeof(line) - 1 ? n : sizeof(line) - 1;
	memcpy(line, exposed, n);
	line[n] = 0;
	if (!strstr(line, want))
		fail_msg("want %s in \"%s\"", want, line);
}

static void dma_debug_partial_sync_is_legal(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	run_mode(PARTIAL_SYNC_LEGAL, n, NULL);
	assert_int_equal(total(n), 0);
}

static void dma_debug_partial_sync_keeps_the_rest_with_the_device(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	coh_explore_result r;
	run_mode(PARTIAL_SYNC_WRITE_DEVICE_PART, n, &r);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	assert_non_null(strstr(r.findings[0].report, "writes 4 bytes"));
	assert_exposed_at_line(&r.findings[0]);
	coh_explore_result_free(&r);
}

static void dma_debug_misuse_names_the_access_line(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	coh_explore_result r;
	run_mode(MISUSE_LINE, n, &r);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	assert_exposed_at_line(&r.findings[0]);
	coh_explore_result_free(&r);
}

static void dma_debug_reports_a_sync_outside_the_mapping(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	coh_explore_result r;
	run_mode(SYNC_OUTSIDE, n, &r);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	assert_non_null(strstr(r.findings[0].report, "outside allocated range"));
	/* exposed by the sync call (a note), not an earlier maintenance op */
	assert_non_null(strstr(r.findings[0].report, "dma-debug: sync"));
	coh_explore_result_free(&r);
}

static void dma_sync_single_range_hands_over_only_the_range(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	coh_explore_result r;
	run_mode(RANGE_SYNC, n, &r);
	assert_int_equal(seen32[0], 0x44332211u);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	assert_exposed_at_line(&r.findings[0]);
	coh_explore_result_free(&r);
}

static void dma_debug_device_write_into_cpu_owned_bytes(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	coh_explore_result r;
	run_mode(DEVICE_WRITES_CPU_PART, n, &r);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	assert_non_null(strstr(r.findings[0].report, "while the CPU owns"));
	assert_exposed_at_line(&r.findings[0]); /* the device's own line */
	coh_explore_result_free(&r);
}

static void dma_alloc_coherent_needs_no_maintenance_on_every_type(void **state)
{
	(void)state;
	static const struct {
		const char *arch;
		enum dma_coherent_type type;
	} cases[] = {{"xscale", DMA_COHERENT_UNCACHED},      {"armv6", DMA_COHERENT_BUFFERABLE},
	             {"cortex-a9", DMA_COHERENT_BUFFERABLE}, {"mips-r4k", DMA_COHERENT_UNCACHED},
	             {"parisc", DMA_COHERENT_UNCACHED},      {"x86", DMA_COHERENT_CACHED}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		unsigned n[COH_F_KIND_COUNT];
		arch = cases[i].arch;
		assert_non_null(coh_arch_find(arch));
		run_mode(COHERENT_RING, n, NULL);
		assert_int_equal(total(n), 0);
		assert_int_equal(ctype, cases[i].type);
		assert_int_equal(seen32[0], 0);
		assert_int_equal(seen32[1], 0xabcd1234u);
		assert_int_equal(seen32[2], 0x04030201u);
		assert_int_equal(handles[0] & 0xfff, 0);
		if (cases[i].type != DMA_COHERENT_CACHED)
			assert_true(vas[0] >= 0xFFC00000ull); /* the consistent area */
		else
			assert_int_equal(vas[0], PAGE_OFFSET + handles[0]);
	}
	arch = "xscale";
}

static void dma_free_coherent_twice_is_misuse(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	run_mode(COHERENT_DOUBLE_FREE, n, NULL);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	assert_int_equal(total(n), 1);
}

/* dma-debug's best fit (2.6.31): a page mapped twice at once is unmapped
 * against the mapping of its size; with two candidates and no fit, the
 * unmap is of memory it "has not allocated" */
static void dma_debug_same_page_mapped_twice(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	run_mode(SAME_PAGE_TWICE, n, NULL);
	assert_int_equal(total(n), 0);
	run_mode(SAME_PAGE_NO_FIT, n, NULL);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	assert_int_equal(total(n), 1);
}

static void dma_pool_blocks_are_aligned_apart_and_coherent(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	run_mode(POOL_BLOCKS, n, NULL);
	assert_int_equal(total(n), 0);
	assert_int_equal(seen32[0], 0x5a5a5a5au);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(handles[i] % 16, 0);
		/* 32-byte blocks, none across a 64-byte boundary */
		assert_int_equal(handles[i] / 64, (handles[i] + 31) / 64);
		for (int j = 0; j < i; j++)
			assert_true(handles[i] != handles[j]);
		assert_int_equal(vas[i] - vas[0], handles[i] - handles[0]);
	}
}

static void dma_pool_misuse_is_reported(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	run_mode(POOL_DOUBLE_FREE, n, NULL);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	run_mode(POOL_DESTROY_BUSY, n, NULL);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
}

static void dma_map_sg_maintains_every_entry(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	run_mode(SG_TO_DEVICE, n, NULL);
	assert_int_equal(total(n), 0);
	assert_int_equal(seen32[0], 0x01020304u);
	assert_int_equal(seen32[1], 0x05060708u);
	run_mode(SG_FROM_DEVICE, n, NULL);
	assert_int_equal(total(n), 0);
	assert_int_equal(seen32[0], 0xddccbbaau);
	assert_int_equal(seen32[1], 0x44332211u);
}

static void dma_debug_free_while_mapped_and_vmalloc_map(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	coh_explore_result r;
	run_mode(FREE_WHILE_MAPPED, n, &r);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	assert_non_null(strstr(r.findings[0].report, "still mapped for DMA"));
	coh_explore_result_free(&r);
	run_mode(MAP_VMALLOC, n, &r);
	assert_int_equal(n[COH_F_API_MISUSE], 1);
	assert_int_equal(n[COH_F_BUG], 1); /* virt_addr_valid() fails: the oops */
	coh_explore_result_free(&r);
}

/* dfs with an eviction bound: exhaustive over at most N evictions. */
static void run_dfs(enum mode md, unsigned max_evictions, coh_explore_result *r)
{
	mode = md;
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("xscale"));
	mc.mem_size = 1u << 20;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_DFS;
	c.progress = false;
	c.keep_going = true;
	c.max_evictions = max_evictions;
	coh_program p = {.name = "dma-api", .setup = setup};
	assert_int_equal(coh_explore(&c, &mc, &p, r), 0);
}

static void dfs_with_an_eviction_bound_covers_evictions(void **state)
{
	(void)state;
	coh_explore_result r;
	run_dfs(EVICTION_WINDOW, 0, &r);
	assert_true(r.complete);
	assert_int_equal(r.nfindings, 0); /* dfs alone never evicts */
	coh_explore_result_free(&r);
	run_dfs(EVICTION_WINDOW, 1, &r);
	assert_true(r.complete);
	assert_true(r.schedules > 1);
	assert_true(r.nfindings >= 1);
	assert_int_equal(r.findings[0].kind, COH_F_LOST_WRITE);
	assert_true(strncmp(r.findings[0].schedule, "v1e1:", 5) == 0);
	/* the schedule replays the finding, bound included */
	char *sched = strdup(r.findings[0].schedule);
	char *report = strdup(r.findings[0].report);
	coh_explore_result_free(&r);
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("xscale"));
	mc.mem_size = 1u << 20;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_REPLAY;
	c.schedule = sched;
	c.progress = false;
	c.keep_going = true;
	coh_program p = {.name = "dma-api", .setup = setup};
	assert_int_equal(coh_explore(&c, &mc, &p, &r), 0);
	assert_true(r.nfindings >= 1);
	assert_string_equal(r.findings[0].report, report);
	coh_explore_result_free(&r);
	free(sched);
	free(report);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(dma_debug_partial_sync_is_legal),
	    cmocka_unit_test(dma_debug_partial_sync_keeps_the_rest_with_the_device),
	    cmocka_unit_test(dma_debug_misuse_names_the_access_line),
	    cmocka_unit_test(dma_debug_reports_a_sync_outside_the_mapping),
	    cmocka_unit_test(dma_sync_single_range_hands_over_only_the_range),
	    cmocka_unit_test(dma_debug_device_write_into_cpu_owned_bytes),
	    cmocka_unit_test(dma_alloc_coherent_needs_no_maintenance_on_every_type),
	    cmocka_unit_test(dma_free_coherent_twice_is_misuse),
	    cmocka_unit_test(dma_debug_same_page_mapped_twice),
	    cmocka_unit_test(dma_pool_blocks_are_aligned_apart_and_coherent),
	    cmocka_unit_test(dma_pool_misuse_is_reported),
	    cmocka_unit_test(dma_map_sg_maintains_every_entry),
	    cmocka_unit_test(dfs_with_an_eviction_bound_covers_evictions),
	    cmocka_unit_test(dma_debug_free_while_mapped_and_vmalloc_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
