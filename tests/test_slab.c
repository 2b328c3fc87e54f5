/*
 * test_slab.c - kmalloc and slab caches checked like KASAN: use-after-free,
 * double-free and out-of-bounds findings with their allocation and free
 * sites; the quarantine; ARCH_KMALLOC_MINALIGN per profile; and a kmalloc'd
 * DMA buffer that shares a cache line with its neighbour on ARMv5 (stale)
 * but not when kmalloc is cache-line aligned (clean).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

enum mode {
	UAF_READ,
	USE_BEFORE_FREE, /* the same accesses, in the right order: clean */
	DOUBLE_FREE,
	OOB_WRITE,
	IN_BOUNDS_WRITE,
	NEVER_ALLOCATED_SLOT,
	WILD_FREE,
	REUSE,
	QUARANTINE_FIFO,
	CACHE_LIFECYCLE,
	CACHE_DESTROY_LIVE,
	LARGE,
	ALIGNMENT,
	DMA_NEIGHBOUR,
};

static enum mode mode;
static const char *arch = "xscale";
static unsigned minalign;         /* kernel_config.kmalloc_minalign */
static long long quarantine = -1; /* kernel_config.slab_quarantine */
static bool oracle = true;        /* coh_machine_config.oracle */
static simptr got[4];
static uint32_t seen;
static unsigned reported_minalign;
static unsigned alloc_line, free_line; /* the test's own sites */
static struct device dev = {.name = "testdev"};

static void ctor(simptr obj)
{
	sim_write32(obj, 0xc0ffee);
}

static void slab_task(void *arg)
{
	(void)arg;
	simptr a, b;
	struct kmem_cache *c;
	reported_minalign = ARCH_KMALLOC_MINALIGN;
	switch (mode) {
	case UAF_READ:
	case USE_BEFORE_FREE:
		alloc_line = __LINE__ + 1;
		a = kmalloc(32, GFP_KERNEL);
		sim_write32(a, 1);
		if (mode == USE_BEFORE_FREE)
			seen = sim_read32(simptr_add(a, 28));
		free_line = __LINE__ + 1;
		kfree(a);
		if (mode == UAF_READ)
			seen = sim_read32(simptr_add(a, 28));
		break;
	case DOUBLE_FREE:
		alloc_line = __LINE__ + 1;
		a = kzalloc(24, GFP_KERNEL);
		free_line = __LINE__ + 1;
		kfree(a);
		kfree(a);
		break;
	case OOB_WRITE:
	case IN_BOUNDS_WRITE:
		alloc_line = __LINE__ + 1;
		a = kmalloc(13, GFP_KERNEL);
		sim_write8(simptr_add(a, mode == OOB_WRITE ? 13 : 12), 0xaa);
		break;
	case NEVER_ALLOCATED_SLOT:
		/* kmalloc-64's slots: 64 bytes + a 32-byte red zone; the
		 * third slot of the new slab was never handed out */
		a = kmalloc(64, GFP_KERNEL);
		seen = sim_read32(simptr_add(a, 2 * 96));
		break;
	case WILD_FREE:
		a = kmalloc(64, GFP_KERNEL);
		kfree(simptr_add(a, 8)); /* not the start of the object */
		/* kmalloc-64's 42 slots of 96 bytes leave 64 bytes at the end
		 * of the page: the start of no slot */
		kfree(simptr_add(a, 42 * 96));
		kfree(simptr_at(VMALLOC_START));
		kfree(a);
		break;
	case REUSE:
		got[0] = kmalloc(64, GFP_KERNEL);
		kfree(got[0]);
		got[1] = kmalloc(64, GFP_KERNEL);
		break;
	case QUARANTINE_FIFO:
		/* room for one freed kmalloc-64 slot: freeing b pushes a out */
		a = kmalloc(64, GFP_KERNEL);
		b = kmalloc(64, GFP_KERNEL);
		got[0] = a;
		got[1] = b;
		kfree(a);
		kfree(b);
		got[2] = kmalloc(64, GFP_KERNEL);
		got[3] = kmalloc(64, GFP_KERNEL);
		break;
	case CACHE_LIFECYCLE:
		c = kmem_cache_create("test_cache", 40, 0, SLAB_HWCACHE_ALIGN, ctor);
		a = kmem_cache_alloc(c, GFP_KERNEL);
		seen = sim_read32(a); /* the ctor's value */
		got[0] = a;
		got[1] = kmem_cache_alloc(c, GFP_KERNEL);
		kmem_cache_free(c, a);
		kmem_cache_free(c, got[1]);
		kmem_cache_destroy(c);
		break;
	case CACHE_DESTROY_LIVE:
		c = kmem_cache_create("leaky_cache", 40, 0, 0, NULL);
		a = kmem_cache_alloc(c, GFP_KERNEL);
		kmem_cache_destroy(c);
		sim_write32(a, 3); /* still live: no finding */
		break;
	case LARGE:
		a = kmalloc(3 * 4096 + 10, GFP_KERNEL);
		got[0] = a;
		sim_write32(simptr_add(a, 3 * 4096 + 8), 7);  /* in bounds */
		sim_write32(simptr_add(a, 3 * 4096 + 12), 7); /* past the end */
		free_line = __LINE__ + 1;
		kfree(a);
		seen = sim_read32(a); /* use after free of the pages */
		kfree(a);             /* and a double free */
		break;
	case ALIGNMENT:
		got[0] = kmalloc(8, GFP_KERNEL);
		got[1] = kmalloc(8, GFP_KERNEL);
		got[2] = kmalloc(100, GFP_KERNEL);
		got[3] = kmalloc(100, GFP_KERNEL);
		break;
	case DMA_NEIGHBOUR: {
		/* A driver's 8-byte DMA buffer and an unrelated object that the
		 * allocator put next to it. While the device fills the buffer,
		 * other code reads its own object: on a VIVT ARMv5 that fills
		 * the shared line with the buffer's old bytes, and nothing
		 * invalidates it again (ARMv5's dma_unmap_area does nothing). */
		static const uint8_t data[8] = {0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7};
		simptr buf = kmalloc(8, GFP_KERNEL);
		simptr other = kmalloc(8, GFP_KERNEL);
		got[0] = buf;
		got[1] = other;
		sim_write32(buf, 0x11111111);
		sim_write32(other, 0x22222222);
		dma_addr_t d = dma_map_single(&dev, buf, 8, DMA_FROM_DEVICE);
		(void)sim_read32(other);
		coh_dma_write(kernel_machine(), d, data, sizeof(data));
		dma_unmap_single(&dev, d, 8, DMA_FROM_DEVICE);
		seen = sim_read32(buf);
		kfree(other);
		kfree(buf);
		break;
	}
	}
}

static int setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	struct kernel_config kc;
	kernel_config_init(&kc);
	kc.kmalloc_minalign = minalign;
	kc.slab_quarantine = quarantine;
	int r = kernel_init(s, &kc);
	if (!r && !coh_task_create(s, "drv", 0, slab_task, NULL))
		r = COH_EINVAL;
	return r;
}

static coh_explore_result run_mode(enum mode md)
{
	mode = md;
	seen = 0;
	memset(got, 0, sizeof(got));
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find(arch));
	mc.mem_size = 1u << 20;
	mc.oracle = oracle;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_REPLAY;
	c.schedule = "v1:";
	c.progress = false;
	c.keep_going = true;
	coh_program p = {.name = "slab", .setup = setup};
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &mc, &p, &r), 0);
	return r;
}

static size_t count(const coh_explore_result *r, enum coh_finding_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		n += r->findings[i].kind == kind;
	return n;
}

static const coh_explore_finding *first(const coh_explore_result *r, enum coh_finding_kind kind)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (r->findings[i].kind == kind)
			return &r->findings[i];
	return NULL;
}

/* The report names "test_slab.c:LINE" under the given heading. */
static void assert_site(const char *report, const char *heading, unsigned line)
{
	const char *h = strstr(report, heading);
	assert_non_null(h);
	char want[64];
	snprintf(want, sizeof(want), "test_slab.c:%u)", line);
	const char *w = strstr(h, want);
	assert_non_null(w);
	assert_true(w < h + 200); /* the next line: the site's event */
}

static void slab_use_after_free_is_reported_with_both_sites(void **state)
{
	(void)state;
	coh_explore_result r = run_mode(USE_BEFORE_FREE);
	assert_int_equal(r.nfindings, 0);
	coh_explore_result_free(&r);
	r = run_mode(UAF_READ);
	assert_int_equal(r.nfindings, 1);
	const coh_explore_finding *f = first(&r, COH_F_USE_AFTER_FREE);
	assert_non_null(f);
	assert_non_null(strstr(f->report, "28 bytes into the freed 32-byte object"));
	assert_non_null(strstr(f->report, "cache kmalloc-32"));
	assert_site(f->report, "Allocated by:", alloc_line);
	assert_site(f->report, "Freed by:", free_line);
	assert_non_null(strstr(f->json, "\"kind\":\"use-after-free\""));
	assert_non_null(strstr(f->json, "\"allocated\":{"));
	assert_non_null(strstr(f->json, "\"freed\":{"));
	assert_non_null(strstr(f->json, "\"cache\":\"kmalloc-32\""));
	coh_explore_result_free(&r);
}

/* With the oracle off (no values, no trace) the lifetime checks still run. */
static void slab_checks_run_with_the_oracle_off(void **state)
{
	(void)state;
	oracle = false;
	coh_explore_result r = run_mode(UAF_READ);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_USE_AFTER_FREE);
	assert_site(r.findings[0].report, "Freed by:", free_line);
	coh_explore_result_free(&r);
	r = run_mode(OOB_WRITE);
	assert_int_equal(count(&r, COH_F_OUT_OF_BOUNDS), 1);
	coh_explore_result_free(&r);
	r = run_mode(USE_BEFORE_FREE);
	assert_int_equal(r.nfindings, 0);
	coh_explore_result_free(&r);
	oracle = true;
}

static void slab_double_free_is_reported(void **state)
{
	(void)state;
	coh_explore_result r = run_mode(DOUBLE_FREE);
	assert_int_equal(r.nfindings, 1);
	const coh_explore_finding *f = first(&r, COH_F_DOUBLE_FREE);
	assert_non_null(f);
	assert_non_null(strstr(f->report, "already freed"));
	assert_site(f->report, "Allocated by:", alloc_line);
	assert_site(f->report, "Freed by:", free_line);
	/* the finding is the second kfree's */
	char want[32];
	snprintf(want, sizeof(want), "test_slab.c:%u", free_line + 1);
	assert_int_equal(strncmp(f->key, "double-free@", 12), 0);
	assert_true(strlen(f->key) >= strlen(want));
	assert_string_equal(f->key + strlen(f->key) - strlen(want), want);
	coh_explore_result_free(&r);
}

static void slab_out_of_bounds_in_the_red_zone(void **state)
{
	(void)state;
	coh_explore_result r = run_mode(IN_BOUNDS_WRITE);
	assert_int_equal(r.nfindings, 0);
	coh_explore_result_free(&r);
	r = run_mode(OOB_WRITE);
	assert_int_equal(r.nfindings, 1);
	const coh_explore_finding *f = first(&r, COH_F_OUT_OF_BOUNDS);
	assert_non_null(f);
	assert_non_null(strstr(f->report, "0 bytes to the right of the 13-byte object"));
	assert_site(f->report, "Allocated by:", alloc_line);
	assert_null(strstr(f->report, "Freed by:"));
	coh_explore_result_free(&r);
	r = run_mode(NEVER_ALLOCATED_SLOT);
	assert_int_equal(r.nfindings, 1);
	f = first(&r, COH_F_OUT_OF_BOUNDS);
	assert_non_null(f);
	assert_non_null(strstr(f->report, "that was never allocated"));
	coh_explore_result_free(&r);
}

static void slab_wild_frees_are_misuse_and_change_nothing(void **state)
{
	(void)state;
	coh_explore_result r = run_mode(WILD_FREE);
	assert_int_equal(count(&r, COH_F_API_MISUSE), 3);
	assert_int_equal(r.nfindings, 3);
	assert_non_null(strstr(r.findings[0].report, "not the start of a live object"));
	assert_non_null(strstr(r.findings[1].report, "not the start of a live object"));
	assert_non_null(strstr(r.findings[2].report, "not slab memory"));
	coh_explore_result_free(&r);
}

static void slab_quarantine_delays_reuse(void **state)
{
	(void)state;
	/* the default quarantine (1/32 of memory): a freed object is not
	 * handed out again at once */
	coh_explore_result r = run_mode(REUSE);
	assert_int_equal(r.nfindings, 0);
	assert_true(got[0].addr != got[1].addr);
	coh_explore_result_free(&r);
	/* no quarantine: SLUB's LIFO freelist gives the same object back */
	quarantine = 0;
	r = run_mode(REUSE);
	assert_int_equal(got[0].addr, got[1].addr);
	coh_explore_result_free(&r);
	/* room for one kmalloc-64 slot (64 + a 16-byte red zone, aligned):
	 * the second free releases the first, which is reused first */
	quarantine = 96;
	r = run_mode(QUARANTINE_FIFO);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(got[2].addr, got[0].addr);
	assert_true(got[3].addr != got[1].addr);
	coh_explore_result_free(&r);
	quarantine = -1;
}

static void slab_kmem_cache_lifecycle(void **state)
{
	(void)state;
	coh_explore_result r = run_mode(CACHE_LIFECYCLE);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(seen, 0xc0ffee);
	/* SLAB_HWCACHE_ALIGN: 40 bytes + 16 of red zone on 32-byte lines */
	assert_int_equal(got[1].addr - got[0].addr, 64);
	coh_explore_result_free(&r);
	r = run_mode(CACHE_DESTROY_LIVE);
	assert_int_equal(r.nfindings, 1);
	assert_non_null(strstr(r.findings[0].report, "still has 1 objects"));
	coh_explore_result_free(&r);
}

static void slab_kmalloc_large_pages_are_checked(void **state)
{
	(void)state;
	coh_explore_result r = run_mode(LARGE);
	assert_int_equal(got[0].addr % 4096, 0);
	assert_int_equal(count(&r, COH_F_OUT_OF_BOUNDS), 1);
	assert_int_equal(count(&r, COH_F_USE_AFTER_FREE), 1);
	assert_int_equal(count(&r, COH_F_DOUBLE_FREE), 1);
	assert_int_equal(r.nfindings, 3);
	coh_explore_result_free(&r);
}

static void slab_minalign_per_profile(void **state)
{
	(void)state;
	static const struct {
		const char *arch;
		unsigned minalign;
	} want[] = {{"xscale", 32}, {"arm926", 32}, {"armv6", 32},     {"mips-r4k", 128},
	            {"sh4", 32},    {"parisc", 64}, {"cortex-a9", 32}, {"x86", 8}};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const coh_arch *a = coh_arch_find(want[i].arch);
		assert_non_null(a);
		assert_int_equal(coh_arch_kmalloc_minalign(a), want[i].minalign);
		arch = want[i].arch;
		coh_explore_result r = run_mode(ALIGNMENT);
		assert_int_equal(r.nfindings, 0);
		assert_int_equal(reported_minalign, want[i].minalign);
		for (int k = 0; k < 4; k++)
			assert_int_equal(got[k].addr % want[i].minalign, 0);
		/* kmalloc(8) takes the smallest class, KMALLOC_MIN_SIZE =
		 * max(8, minalign), with KASAN's red zone for its size */
		unsigned size = want[i].minalign > 8 ? want[i].minalign : 8;
		unsigned rz = size <= 48 ? 16 : size <= 96 ? 32 : 64;
		unsigned slot = (size + rz + want[i].minalign - 1) & ~(want[i].minalign - 1);
		assert_int_equal(got[1].addr - got[0].addr, slot);
		coh_explore_result_free(&r);
	}
	/* the old ARM value: two kmalloc(8) objects share a 32-byte line */
	arch = "xscale";
	minalign = 8;
	coh_explore_result r = run_mode(ALIGNMENT);
	assert_int_equal(reported_minalign, 8);
	assert_int_equal(got[1].addr - got[0].addr, 24);
	assert_int_equal(got[0].addr / 32, got[1].addr / 32);
	coh_explore_result_free(&r);
	minalign = 0;
}

/* The example: a kmalloc'd DMA buffer next to another object. */
static void slab_dma_buffer_sharing_a_line_goes_stale_on_armv5(void **state)
{
	(void)state;
	const char *armv5[] = {"xscale", "arm926"};
	for (int i = 0; i < 2; i++) {
		arch = armv5[i];
		minalign = 8; /* ARM EABI kernels before cache-aligned kmalloc */
		coh_explore_result r = run_mode(DMA_NEIGHBOUR);
		assert_int_equal(got[0].addr / 32, got[1].addr / 32);
		assert_int_equal(r.nfindings, 1);
		assert_int_equal(r.findings[0].kind, COH_F_STALE_READ);
		assert_int_equal(seen, 0x11111111); /* the CPU's old bytes */
		coh_explore_result_free(&r);
		minalign = 0; /* the profile's: L1_CACHE_BYTES */
		r = run_mode(DMA_NEIGHBOUR);
		assert_true(got[0].addr / 32 != got[1].addr / 32);
		assert_int_equal(r.nfindings, 0);
		assert_int_equal(seen, 0xd3d2d1d0); /* the device's */
		coh_explore_result_free(&r);
	}
	arch = "xscale";
}

/* Back to the defaults, even after a failed test. */
static int reset(void **state)
{
	(void)state;
	arch = "xscale";
	minalign = 0;
	quarantine = -1;
	oracle = true;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(slab_use_after_free_is_reported_with_both_sites, reset),
	    cmocka_unit_test_teardown(slab_checks_run_with_the_oracle_off, reset),
	    cmocka_unit_test_teardown(slab_double_free_is_reported, reset),
	    cmocka_unit_test_teardown(slab_out_of_bounds_in_the_red_zone, reset),
	    cmocka_unit_test_teardown(slab_wild_frees_are_misuse_and_change_nothing, reset),
	    cmocka_unit_test_teardown(slab_quarantine_delays_reuse, reset),
	    cmocka_unit_test_teardown(slab_kmem_cache_lifecycle, reset),
	    cmocka_unit_test_teardown(slab_kmalloc_large_pages_are_checked, reset),
	    cmocka_unit_test_teardown(slab_minalign_per_profile, reset),
	    cmocka_unit_test_teardown(slab_dma_buffer_sharing_a_line_goes_stale_on_armv5, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
