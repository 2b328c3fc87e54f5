/*
 * test_archops.c - which cache operations each arch profile's kernel really
 * does, measured by their effect on the simulated cache and memory (not by
 * asking the model): flush_kernel_vmap_range, invalidate_kernel_vmap_range,
 * flush_dcache_page, the DMA API's map and unmap, and flush_cache_vmap. A
 * row that moves is a change of the kernel the model follows: it must come
 * with a reason (and a new release), never by accident.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

#include "run_once.h"

/* What an operation did to one line: "noop" (a dirty line stayed dirty, or
 * a clean one stayed), "clean" (written back, still cached), "flush"
 * (written back and dropped), "inval" (dropped, dirty data discarded). */
struct effects {
	const char *flush_vmap, *inval_vmap, *flush_dcache_page, *map_to_device, *map_from_device,
	    *unmap_from_device, *vmalloc;
};

static struct effects got;
static unsigned version;
static struct device dev = {.name = "archops"};

/* Dirty a line at va (value 0x5a), run op, and name what happened to it. */
static const char *on_dirty_line(simptr va, phys_addr_t pa, void (*op)(simptr va, void *arg),
                                 void *arg)
{
	coh_machine *m = kernel_machine();
	(void)sim_read8(va); /* allocate the line: arm926 allocates on reads only */
	sim_write8(va, 0x5a);
	bool dirty;
	int before = coh_cache_present(m, 0, va.addr, &dirty);
	if (before != 1 || !dirty)
		return "uncached"; /* a write-through or no-allocate cache */
	op(va, arg);
	uint8_t mem = 0;
	coh_mem_peek(m, pa, &mem, 1);
	int after = coh_cache_present(m, 0, va.addr, &dirty);
	bool written = mem == 0x5a;
	if (after == 1)
		return written ? (dirty ? "?" : "clean") : "noop";
	return written ? "flush" : "inval";
}

/* A clean cached line at va: does op drop it? */
static const char *on_clean_line(simptr va, void (*op)(simptr va, void *arg), void *arg)
{
	coh_machine *m = kernel_machine();
	coh_cache_prefetch(m, 0, va.addr); /* as a speculative fill would */
	if (coh_cache_present(m, 0, va.addr, NULL) != 1)
		return "uncached";
	op(va, arg);
	return coh_cache_present(m, 0, va.addr, NULL) == 1 ? "noop" : "inval";
}

static void op_flush_vmap(simptr va, void *arg)
{
	(void)arg;
	flush_kernel_vmap_range(va, 32);
}

static void op_inval_vmap(simptr va, void *arg)
{
	(void)arg;
	invalidate_kernel_vmap_range(va, 32);
}

static void op_flush_dcache_page(simptr va, void *arg)
{
	(void)va;
	flush_dcache_page(arg);
}

static void op_map(simptr va, void *arg)
{
	const enum dma_data_direction *dir = arg;
	dma_addr_t d = dma_map_single(&dev, va, 32, *dir);
	dma_unmap_single(&dev, d, 32, *dir == DMA_TO_DEVICE ? DMA_TO_DEVICE : *dir);
}

/* The unmap alone: the line was filled while the device owned the buffer. */
static dma_addr_t mapped;
static void op_unmap(simptr va, void *arg)
{
	(void)va;
	(void)arg;
	dma_unmap_single(&dev, mapped, 32, DMA_FROM_DEVICE);
}

static void op_vmalloc(simptr va, void *arg)
{
	(void)va;
	(void)arg;
	vfree(vmalloc(4096));
}

static void archops_task(void *arg)
{
	(void)arg;
	simptr v = vmalloc(4096);
	phys_addr_t vpa = page_to_phys(vmalloc_to_page(v));
	got.flush_vmap = on_dirty_line(v, vpa, op_flush_vmap, NULL);
	simptr v2 = simptr_add(v, 64);
	got.inval_vmap = on_clean_line(v2, op_inval_vmap, NULL);
	vfree(v);

	struct page *p = alloc_page(GFP_KERNEL);
	simptr lin = page_address(p);
	got.flush_dcache_page = on_dirty_line(lin, page_to_phys(p), op_flush_dcache_page, p);
	enum dma_data_direction to = DMA_TO_DEVICE, from = DMA_FROM_DEVICE;
	got.map_to_device = on_dirty_line(simptr_add(lin, 128), page_to_phys(p) + 128, op_map, &to);
	got.map_from_device =
	    on_dirty_line(simptr_add(lin, 256), page_to_phys(p) + 256, op_map, &from);
	mapped = dma_map_single(&dev, simptr_add(lin, 512), 32, DMA_FROM_DEVICE);
	got.unmap_from_device = on_clean_line(simptr_add(lin, 512), op_unmap, NULL);
	got.vmalloc =
	    on_dirty_line(simptr_add(lin, 1024), page_to_phys(p) + 1024, op_vmalloc, NULL);
	__free_page(p);
}

static int archops_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	struct kernel_config kc;
	kernel_config_init(&kc);
	kc.version = version;
	int r = kernel_init(s, &kc);
	if (r)
		return r;
	return coh_task_create(s, "archops", 0, archops_task, NULL) ? 0 : COH_EINVAL;
}

static struct effects measure(const char *arch, unsigned kver)
{
	memset(&got, 0, sizeof(got));
	version = kver;
	coh_program prog = {.name = "archops", .setup = archops_setup};
	coh_explore_result res;
	run_once(arch, 1u << 20, &prog, &res);
	coh_explore_result_free(&res); /* the oracle may well object: not the point here */
	return got;
}

static void check(const char *arch, unsigned kver, const char *what, const char *got_,
                  const char *want)
{
	if (!got_ || strcmp(got_, want) != 0)
		fail_msg("%s (%u.%u.%u): %s did \"%s\", the kernel does \"%s\"", arch, kver >> 16,
		         (kver >> 8) & 0xff, kver & 0xff, what, got_ ? got_ : "nothing", want);
}

static void each_profile_does_what_its_kernel_does(void **state)
{
	(void)state;
	static const struct {
		const char *arch;
		unsigned kver;
		struct effects want;
	} rows[] = {
	    /* ARMv5: no unmap maintenance in any release; map FROM_DEVICE
	     * invalidates a whole line, dirty or not */
	    {"xscale",
	     KERNEL_VERSION(2, 6, 35),
	     {"flush", "inval", "flush", "clean", "inval", "noop", "flush"}},
	    {"arm926",
	     KERNEL_VERSION(2, 6, 35),
	     {"flush", "inval", "flush", "clean", "inval", "noop", "flush"}},
	    {"xscale",
	     KERNEL_VERSION(2, 6, 31),
	     {"flush", "inval", "flush", "clean", "inval", "noop", "flush"}},
	    /* ARMv6 from 2.6.34: unmap invalidates; map FROM_DEVICE cleans the
	     * partial edge line first (here: a whole line, so invalidated) */
	    {"armv6",
	     KERNEL_VERSION(2, 6, 35),
	     {"flush", "inval", "flush", "clean", "inval", "inval", "flush"}},
	    {"armv6",
	     KERNEL_VERSION(2, 6, 31),
	     {"flush", "inval", "flush", "clean", "inval", "noop", "flush"}},
	    /* MIPS 2.6.35: generic no-op vmap flushes; every DMA op a wback_inv */
	    {"mips-r4k",
	     KERNEL_VERSION(2, 6, 35),
	     {"noop", "noop", "flush", "flush", "flush", "noop", "flush"}},
	    /* SH-4: the vmap flush only writes back, the invalidate discards;
	     * dma_cache_sync invalidates FROM_DEVICE without writing back */
	    {"sh4",
	     KERNEL_VERSION(2, 6, 35),
	     {"clean", "inval", "flush", "clean", "inval", "noop", "flush"}},
	    /* PA-RISC 2.6.35: an empty invalidate_kernel_vmap_range; pcxl DMA
	     * flushes the linear alias for every direction */
	    {"parisc",
	     KERNEL_VERSION(2, 6, 35),
	     {"flush", "noop", "flush", "flush", "flush", "inval", "flush"}},
	    /* PIPT ARMv7: nothing for vmaps and vmalloc; DMA cleans/invalidates */
	    {"cortex-a9",
	     KERNEL_VERSION(2, 6, 35),
	     {"noop", "noop", "flush", "clean", "inval", "inval", "noop"}},
	    {"cortex-a9",
	     KERNEL_VERSION(2, 6, 31),
	     {"noop", "noop", "flush", "clean", "inval", "noop", "noop"}},
	    /* x86: coherent DMA, PIPT: nothing at all */
	    {"x86",
	     KERNEL_VERSION(2, 6, 35),
	     {"noop", "noop", "noop", "noop", "noop", "noop", "noop"}},
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct effects e = measure(rows[i].arch, rows[i].kver);
		const struct effects *w = &rows[i].want;
		const char *a = rows[i].arch;
		unsigned v = rows[i].kver;
		check(a, v, "flush_kernel_vmap_range", e.flush_vmap, w->flush_vmap);
		check(a, v, "invalidate_kernel_vmap_range", e.inval_vmap, w->inval_vmap);
		check(a, v, "flush_dcache_page", e.flush_dcache_page, w->flush_dcache_page);
		check(a, v, "dma_map_single(TO_DEVICE)", e.map_to_device, w->map_to_device);
		check(a, v, "dma_map_single(FROM_DEVICE)", e.map_from_device, w->map_from_device);
		check(a, v, "dma_unmap_single(FROM_DEVICE)", e.unmap_from_device,
		      w->unmap_from_device);
		check(a, v, "vmalloc (flush_cache_vmap)", e.vmalloc, w->vmalloc);
	}
}

/* The release is part of the kernel's configuration: out of range, no run. */
static void kernel_versions_outside_the_model_are_refused(void **state)
{
	(void)state;
	unsigned v = 0;
	assert_int_equal(kernel_version_parse("2.6.35", &v), COH_OK);
	assert_int_equal(v, KERNEL_VERSION(2, 6, 35));
	assert_int_equal(kernel_version_parse("2.6.30", &v), COH_ERANGE);
	assert_int_equal(kernel_version_parse("3.0.0", &v), COH_ERANGE);
	assert_int_equal(kernel_version_parse("2.6", &v), COH_EINVAL);
	assert_int_equal(kernel_version_parse("2.6.35x", &v), COH_EINVAL);
	assert_int_equal(kernel_version_parse(NULL, &v), COH_EINVAL);
	char buf[16];
	assert_string_equal(kernel_version_str(KERNEL_VERSION(2, 6, 31), buf, sizeof(buf)),
	                    "2.6.31");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(each_profile_does_what_its_kernel_does),
	    cmocka_unit_test(kernel_versions_outside_the_model_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
