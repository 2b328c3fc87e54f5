/*
 * test_page_alloc.c - struct pages are set up per execution when first
 * looked at (mm/page_alloc.c's generation stamps): a page changed in one
 * execution is fresh in the next, a page never looked at is fresh too, and
 * the allocator stays deterministic, on a large declared memory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

static unsigned executions, stale, wrong_alloc;
static unsigned long last_pfn, first_pfn;

static bool fresh(const struct page *p, unsigned long pfn)
{
	return p && page_to_pfn(p) == pfn && p->_refcount == 0 && p->_mapcount == -1 &&
	       p->flags == 0 && !p->allocated && p->mapping == NULL && p->private == 0;
}

static void task(void *arg)
{
	(void)arg;
	executions++;
	/* the last frame and one in the middle: dirtied by every execution */
	unsigned long mid = last_pfn / 2 + 3;
	struct page *p = pfn_to_page(last_pfn), *q = pfn_to_page(mid);
	if (!fresh(p, last_pfn) || !fresh(q, mid))
		stale++;
	if (p && (!PageHighMem(p) || PageHighMem(pfn_to_page(1))))
		stale++;
	if (pfn_to_page(last_pfn + 1) != NULL)
		stale++;
	if (p && q) {
		p->flags = 7;
		p->_mapcount = 3;
		p->private = 9;
		q->allocated = true;
		q->_refcount = 2;
	}
	/* the lowest free lowmem frame, every time */
	struct page *a = alloc_page(GFP_KERNEL);
	if (!a || page_to_pfn(a) != 1)
		wrong_alloc++;
	else if (!first_pfn)
		first_pfn = page_to_pfn(a);
	struct page *h = alloc_page(GFP_KERNEL | __GFP_HIGHMEM);
	if (!h || !PageHighMem(h))
		wrong_alloc++;
}

static int setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	int r = kernel_init(s, NULL);
	if (!r && !coh_task_create(s, "t", 0, task, NULL))
		r = COH_EINVAL;
	return r;
}

static void pages_are_fresh_in_every_execution(void **state)
{
	(void)state;
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("xscale"));
	mc.mem_size = 1ull << 30; /* 262,144 frames: none set up until looked at */
	mc.lowmem_size = 1ull << 28;
	last_pfn = (unsigned long)(mc.mem_size >> 12) - 1;
	executions = stale = wrong_alloc = 0;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_RANDOM;
	c.budget = 4;
	c.progress = false;
	coh_program p = {.name = "pages", .setup = setup};
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &mc, &p, &r), 0);
	assert_int_equal(r.nfindings, 0);
	coh_explore_result_free(&r);
	assert_int_equal(executions, 4);
	assert_int_equal(stale, 0);
	assert_int_equal(wrong_alloc, 0);
	assert_int_equal(first_pfn, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(pages_are_fresh_in_every_execution),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
