/*
 * test_highmem.c - the pkmap rules of mm/highmem.c and vmalloc areas:
 * ring wrap and slot recycling, sleeping when every slot is in use and
 * waking on kunmap, kmap_high_get, kmap_flush_unused, vmalloc layout.
 *
 * Tasks record what they saw in `obs`; the asserts run on the host stack
 * after the exploration (a cmocka assert must not longjmp off a task).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/linux.h"
#include "sched/sched_impl.h"

static struct {
	unsigned last_pkmap;
	coh_task *b;
	/* what the tasks saw */
	coh_addr_t addr[8];
	unsigned count[8];
	bool flag[8];
	int executions;
} obs;

static coh_explore_result run(int (*setup)(void *, coh_sched *), unsigned ncpus,
                              enum coh_strategy st)
{
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("xscale"));
	mc.ncpus = ncpus;
	mc.mem_size = 1u << 20;
	mc.lowmem_size = 1u << 19;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = st;
	c.schedule = "v1:";
	c.progress = false;
	c.preemptions = 1;
	c.budget = 0;
	coh_program p = {.name = "highmem", .setup = setup};
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &mc, &p, &r), 0);
	return r;
}

static int kinit(coh_sched *s)
{
	struct kernel_config kc;
	kernel_config_init(&kc);
	kc.last_pkmap = obs.last_pkmap;
	obs.executions++;
	return kernel_init(s, &kc);
}

static struct page *hpage(unsigned i)
{
	return pfn_to_page(
	    (unsigned long)((coh_machine_highmem_start(kernel_machine()) >> 12) + i));
}

/* ---- ring wrap ---- */

static void wrap_task(void *arg)
{
	(void)arg;
	simptr a0 = kmap(hpage(0)); /* slot 1: the first scan starts after 0 */
	kunmap(hpage(0));           /* count 1: stays mapped */
	obs.addr[0] = a0.addr;
	obs.count[0] = kmap_pkmap_count(1);
	obs.flag[0] = page_address(hpage(0)).addr == a0.addr;
	kmap(hpage(1)); /* slot 2 */
	kmap(hpage(2)); /* slot 3 */
	kmap(hpage(3)); /* wraps: flush_all_zero_pkmaps frees slot 1; takes slot 0 */
	obs.flag[1] = simptr_is_null(page_address(hpage(0)));
	obs.count[1] = kmap_pkmap_count(1);
	simptr a4 = kmap(hpage(4)); /* LAST_PKMAP + 1: the recycled slot 1 */
	obs.addr[1] = a4.addr;
	obs.count[2] = kmap_pkmap_count(1);
	for (unsigned i = 1; i <= 4; i++)
		kunmap(hpage(i));
	obs.count[3] = kmap_pkmap_count(1);
}

static int wrap_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	int r = kinit(s);
	if (!r && !coh_task_create(s, "wrap", 0, wrap_task, NULL))
		r = COH_EINVAL;
	return r;
}

static void pkmap_ring_wrap_recycles_unused_slot(void **state)
{
	(void)state;
	memset(&obs, 0, sizeof(obs));
	obs.last_pkmap = 4;
	coh_explore_result r = run(wrap_setup, 1, COH_STRATEGY_REPLAY);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(obs.addr[0], PKMAP_ADDR(1));
	assert_int_equal(obs.count[0], 1); /* kunmapped, still mapped */
	assert_true(obs.flag[0]);
	assert_true(obs.flag[1]);          /* the wrap tore it down */
	assert_int_equal(obs.count[1], 0); /* free */
	assert_int_equal(obs.addr[1], PKMAP_ADDR(1));
	assert_int_equal(obs.count[2], 2);
	assert_int_equal(obs.count[3], 1);
	coh_explore_result_free(&r);
}

/* ---- the wrap flushes the whole cache (ARM: flush_cache_all) ---- */

static void wrap_flush_task(void *arg)
{
	(void)arg;
	coh_machine *m = kernel_machine();
	simptr v = vmalloc(4096); /* an alias that is not a pkmap slot */
	sim_write32(v, 0x55);
	coh_cache_present(m, 0, v.addr, &obs.flag[0]); /* dirty */
	for (unsigned i = 1; i <= 4; i++) {            /* the 4th kmap wraps (vmalloc has page 0) */
		kmap(hpage(i));
		kunmap(hpage(i));
	}
	bool dirty = false;
	coh_cache_present(m, 0, v.addr, &dirty);
	obs.flag[1] = dirty;
	vfree(v);
}

static int wrap_flush_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	int r = kinit(s);
	if (!r && !coh_task_create(s, "wrap", 0, wrap_flush_task, NULL))
		r = COH_EINVAL;
	return r;
}

static void pkmap_wrap_flushes_every_alias(void **state)
{
	(void)state;
	memset(&obs, 0, sizeof(obs));
	obs.last_pkmap = 4;
	coh_explore_result r = run(wrap_flush_setup, 1, COH_STRATEGY_REPLAY);
	assert_int_equal(r.nfindings, 0);
	assert_true(obs.flag[0]);  /* the vmalloc alias' line was dirty */
	assert_false(obs.flag[1]); /* flush_cache_kmaps wrote it back */
	coh_explore_result_free(&r);
}

/* ---- sleeping when full ---- */

static void full_a(void *arg)
{
	(void)arg;
	kmap(hpage(0)); /* slot 1 */
	kmap(hpage(1)); /* wraps, slot 0: the ring is full */
	obs.flag[0] = true;
	/* let B run until it sleeps in map_new_virtual */
	while (obs.b->st != COH__T_BLOCKED && obs.b->st != COH__T_DONE)
		coh_cpu_relax();
	obs.flag[1] = obs.b->st == COH__T_BLOCKED;
	kunmap(hpage(0)); /* count 1: wakes pkmap_map_wait */
	kunmap(hpage(1));
}

static void full_b(void *arg)
{
	(void)arg;
	while (!obs.flag[0])
		coh_cpu_relax();
	simptr a = kmap(hpage(2));
	obs.addr[0] = a.addr;
	obs.flag[2] = page_address(hpage(2)).addr == a.addr;
	kunmap(hpage(2));
}

static int full_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	int r = kinit(s);
	if (r)
		return r;
	obs.flag[0] = false;
	if (!coh_task_create(s, "A", 0, full_a, NULL))
		return COH_EINVAL;
	obs.b = coh_task_create(s, "B", 0, full_b, NULL);
	return obs.b ? 0 : COH_EINVAL;
}

static void full2_a(void *arg)
{
	(void)arg;
	kmap(hpage(0));
	kmap(hpage(1));
	kunmap(hpage(0));
	kunmap(hpage(1));
}

static void full2_b(void *arg)
{
	(void)arg;
	kmap(hpage(2));
	kunmap(hpage(2));
}

static int full2_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	int r = kinit(s);
	if (!r && (!coh_task_create(s, "A", 0, full2_a, NULL) ||
	           !coh_task_create(s, "B", 0, full2_b, NULL)))
		r = COH_EINVAL;
	return r;
}

static void kmap_sleeps_when_full_and_wakes_on_kunmap(void **state)
{
	(void)state;
	memset(&obs, 0, sizeof(obs));
	obs.last_pkmap = 2;
	coh_explore_result r = run(full_setup, 1, COH_STRATEGY_REPLAY);
	assert_int_equal(r.nfindings, 0);
	assert_true(obs.flag[1]); /* B slept on pkmap_map_wait */
	/* A kunmapped both before B ran again: B's rescan wraps, flushes both
	 * slots and takes slot 0 */
	assert_int_equal(obs.addr[0], PKMAP_ADDR(0));
	assert_true(obs.flag[2]);
	coh_explore_result_free(&r);
	/* and in every interleaving within the bound (no busy-waits here):
	 * no deadlock, no lost wake-up */
	memset(&obs, 0, sizeof(obs));
	obs.last_pkmap = 2;
	r = run(full2_setup, 1, COH_STRATEGY_DFS);
	assert_int_equal(r.nfindings, 0);
	assert_true(r.complete);
	assert_true(r.schedules > 1);
	coh_explore_result_free(&r);
}

/* ---- kmap_high_get ---- */

static void get_task(void *arg)
{
	(void)arg;
	struct page *p = hpage(0);
	obs.flag[0] = simptr_is_null(kmap_high_get(p)); /* never mapped */
	simptr a = kmap(p);
	kunmap(p);
	obs.count[0] = kmap_pkmap_count(PKMAP_NR(a.addr));
	simptr g = kmap_high_get(p);
	obs.flag[1] = g.addr == a.addr;
	obs.count[1] = kmap_pkmap_count(PKMAP_NR(a.addr));
	kunmap_high(p);
	obs.count[2] = kmap_pkmap_count(PKMAP_NR(a.addr));
	kmap_flush_unused();
	obs.count[3] = kmap_pkmap_count(PKMAP_NR(a.addr));
	obs.flag[2] = simptr_is_null(page_address(p));
	obs.flag[3] = simptr_is_null(kmap_high_get(p)); /* unmapped again */
	/* lowmem: the linear address, no slot */
	struct page *low = alloc_page(GFP_KERNEL);
	obs.flag[4] = kmap(low).addr == PAGE_OFFSET + page_to_phys(low);
	kunmap(low);
	__free_page(low);
}

static int get_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	int r = kinit(s);
	if (!r && !coh_task_create(s, "get", 0, get_task, NULL))
		r = COH_EINVAL;
	return r;
}

static void kmap_high_get_null_when_unmapped_pins_when_mapped(void **state)
{
	(void)state;
	memset(&obs, 0, sizeof(obs));
	obs.last_pkmap = 4;
	coh_explore_result r = run(get_setup, 1, COH_STRATEGY_REPLAY);
	assert_int_equal(r.nfindings, 0);
	assert_true(obs.flag[0]);
	assert_int_equal(obs.count[0], 1);
	assert_true(obs.flag[1]);
	assert_int_equal(obs.count[1], 2); /* pinned */
	assert_int_equal(obs.count[2], 1);
	assert_int_equal(obs.count[3], 0); /* kmap_flush_unused freed it */
	assert_true(obs.flag[2]);
	assert_true(obs.flag[3]);
	assert_true(obs.flag[4]);
	coh_explore_result_free(&r);
}

/* kunmap of a page that is not kmapped is a BUG. */
static void bad_kunmap_task(void *arg)
{
	(void)arg;
	kunmap(hpage(0));
}

static int bad_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	int r = kinit(s);
	if (!r && !coh_task_create(s, "bad", 0, bad_kunmap_task, NULL))
		r = COH_EINVAL;
	return r;
}

static void kunmap_of_unmapped_page_is_bug(void **state)
{
	(void)state;
	memset(&obs, 0, sizeof(obs));
	obs.last_pkmap = 4;
	coh_explore_result r = run(bad_setup, 1, COH_STRATEGY_REPLAY);
	assert_int_equal(r.nfindings, 1);
	assert_int_equal(r.findings[0].kind, COH_F_BUG);
	coh_explore_result_free(&r);
}

/* ---- vmalloc ---- */

static void vm_task(void *arg)
{
	(void)arg;
	simptr a = vmalloc(3 * 4096);
	simptr b = vmalloc(100);
	obs.addr[0] = a.addr;
	obs.addr[1] = b.addr;
	obs.flag[0] = is_vmalloc_addr(a) && !is_vmalloc_addr(simptr_at(PAGE_OFFSET));
	struct page *p = vmalloc_to_page(simptr_add(a, 4096 + 8));
	obs.flag[1] = p && PageHighMem(p);
	sim_write32(simptr_add(a, 2 * 4096), 0xabcd);
	obs.flag[2] = sim_read32(simptr_add(a, 2 * 4096)) == 0xabcd;
	struct page *pages[2] = {hpage(100), hpage(101)};
	simptr v = vmap(pages, 2);
	obs.flag[3] = vmalloc_to_page(simptr_add(v, 4096)) == hpage(101);
	vunmap(v);
	vfree(b);
	vfree(a);
	obs.flag[4] = p && !p->allocated;
}

static int vm_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	int r = kinit(s);
	if (!r && !coh_task_create(s, "vm", 0, vm_task, NULL))
		r = COH_EINVAL;
	return r;
}

static void vmalloc_areas_have_guard_pages_and_highmem_backing(void **state)
{
	(void)state;
	memset(&obs, 0, sizeof(obs));
	obs.last_pkmap = 4;
	coh_explore_result r = run(vm_setup, 1, COH_STRATEGY_REPLAY);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(obs.addr[0], VMALLOC_START);
	assert_int_equal(obs.addr[1], VMALLOC_START + 4 * 4096); /* 3 pages + guard */
	for (int i = 0; i < 5; i++)
		assert_true(obs.flag[i]);
	coh_explore_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pkmap_ring_wrap_recycles_unused_slot),
	    cmocka_unit_test(pkmap_wrap_flushes_every_alias),
	    cmocka_unit_test(kmap_sleeps_when_full_and_wakes_on_kunmap),
	    cmocka_unit_test(kmap_high_get_null_when_unmapped_pins_when_mapped),
	    cmocka_unit_test(kunmap_of_unmapped_page_is_bug),
	    cmocka_unit_test(vmalloc_areas_have_guard_pages_and_highmem_backing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
