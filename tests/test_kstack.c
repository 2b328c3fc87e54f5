/*
 * test_kstack.c - kernel stacks (kstack.c) and DMA-API-debug's check of a
 * buffer on one (check_for_stack): DECLARE_BUF_ONSTACK pushes and pops,
 * each task's stack is its own, and dma_map_single, dma_map_page and
 * dma_map_sg of a stack buffer are api-misuse findings at the mapping's
 * line, while a kmalloc'd buffer is not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

enum mode {
	PUSH_POP,
	MAP_SINGLE,
	MAP_PAGE,
	MAP_SG,
	MAP_OTHER_TASK,
	MAP_IN_IRQ,
	MAP_KMALLOC,
	EXIT_MAPPED,
};

static enum mode mode;
static struct device dev = {.name = "testdev"};
static unsigned map_line; /* the line a finding must name */
static coh_addr_t va[4];
static bool on_stack[4];
static simptr shared; /* task a's buffer, for task b */
static coh_sched *sched;
static coh_completion mapped; /* b has mapped a's buffer */

static void nested(void)
{
	DECLARE_BUF_ONSTACK(inner, 100);
	va[1] = inner.addr;
}

static void irq_handler(unsigned irq, void *arg)
{
	COH_FRAME();
	(void)irq;
	(void)arg;
	DECLARE_BUF_ONSTACK(b, 32);
	va[2] = b.addr;
	map_line = __LINE__ + 1;
	dma_addr_t d = dma_map_single(&dev, b, 32, DMA_FROM_DEVICE);
	dma_unmap_single(&dev, d, 32, DMA_FROM_DEVICE);
}

static void task_a(void *arg)
{
	COH_FRAME();
	(void)arg;
	DECLARE_BUF_ONSTACK(buf, 64);
	va[0] = buf.addr;
	on_stack[0] = object_is_on_stack(buf);
	simptr heap = kmalloc(64, GFP_KERNEL);
	on_stack[1] = object_is_on_stack(heap);
	dma_addr_t d;
	struct scatterlist sg[1];
	switch (mode) {
	case PUSH_POP:
		nested();
		nested(); /* popped: the same place again */
		va[2] = va[1];
		nested();
		sim_write32(buf, 0x11223344u); /* ordinary cacheable memory */
		on_stack[2] = sim_read32(buf) == 0x11223344u;
		break;
	case MAP_SINGLE:
		map_line = __LINE__ + 1;
		d = dma_map_single(&dev, simptr_add(buf, 8), 16, DMA_TO_DEVICE);
		dma_unmap_single(&dev, d, 16, DMA_TO_DEVICE);
		break;
	case MAP_PAGE:
		map_line = __LINE__ + 1;
		d = dma_map_page(&dev, virt_to_page(buf), buf.addr & 4095, 64, DMA_FROM_DEVICE);
		dma_unmap_page(&dev, d, 64, DMA_FROM_DEVICE);
		break;
	case MAP_SG:
		sg_init_table(sg, 1);
		sg_set_buf(&sg[0], buf, 64);
		map_line = __LINE__ + 1;
		assert_int_equal(dma_map_sg(&dev, sg, 1, DMA_TO_DEVICE), 1);
		dma_unmap_sg(&dev, sg, 1, DMA_TO_DEVICE);
		break;
	case MAP_OTHER_TASK:
		shared = buf;
		coh_wait_for_completion(&mapped); /* b maps it while a waits */
		break;
	case MAP_IN_IRQ:
		coh_irq_raise(sched, 3, 0);
		coh_preempt_point();
		break;
	case MAP_KMALLOC:
		d = dma_map_single(&dev, heap, 64, DMA_TO_DEVICE);
		dma_unmap_single(&dev, d, 64, DMA_TO_DEVICE);
		break;
	case EXIT_MAPPED: /* the mapping outlives the buffer and its stack */
		(void)dma_map_single(&dev, buf, 32, DMA_TO_DEVICE);
		break;
	}
	kfree(heap);
}

static void task_c(void *arg)
{
	(void)arg;
	DECLARE_BUF_ONSTACK(x, 64);
	va[2] = x.addr;
}

static void task_b(void *arg)
{
	COH_FRAME();
	(void)arg;
	DECLARE_BUF_ONSTACK(mine, 64);
	va[3] = mine.addr;
	on_stack[3] = object_is_on_stack(shared); /* a's stack is not b's */
	if (mode == MAP_OTHER_TASK && shared.addr) {
		map_line = __LINE__ + 1;
		dma_addr_t d = dma_map_single(&dev, shared, 64, DMA_TO_DEVICE);
		dma_unmap_single(&dev, d, 64, DMA_TO_DEVICE);
		coh_complete(&mapped);
	}
	if (mode == EXIT_MAPPED) /* a has ended: c gets its stack's pages */
		(void)coh_task_create(sched, "c", 0, task_c, NULL);
}

static int setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	sched = s;
	coh_init_completion(&mapped, "mapped");
	int r = kernel_init(s, NULL);
	if (!r && mode == MAP_IN_IRQ)
		r = coh_request_irq(s, 3, irq_handler, NULL, "dev-irq");
	if (!r && !coh_task_create(s, "a", 0, task_a, NULL))
		r = COH_EINVAL;
	if (!r && !coh_task_create(s, "b", 0, task_b, NULL))
		r = COH_EINVAL;
	return r;
}

/* One execution of schedule sched_str; counts findings per kind. */
static void run_mode(enum mode md, const char *sched_str, unsigned counts[COH_F_KIND_COUNT],
                     coh_explore_result *out)
{
	mode = md;
	map_line = 0;
	memset(va, 0, sizeof(va));
	memset(on_stack, 0, sizeof(on_stack));
	shared = simptr_at(0);
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("xscale"));
	mc.mem_size = 1u << 20;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = COH_STRATEGY_REPLAY;
	c.schedule = sched_str;
	c.progress = false;
	c.keep_going = true;
	coh_program p = {.name = "kstack", .setup = setup};
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &mc, &p, &r), 0);
	memset(counts, 0, sizeof(unsigned) * COH_F_KIND_COUNT);
	for (size_t i = 0; i < r.nfindings; i++)
		counts[r.findings[i].kind]++;
	*out = r;
}

static unsigned total(const unsigned n[COH_F_KIND_COUNT])
{
	unsigned t = 0;
	for (int k = 0; k < COH_F_KIND_COUNT; k++)
		t += n[k];
	return t;
}

/* The one finding is dma-debug's stack check, naming this file's line. */
static void assert_stack_finding(const coh_explore_result *r, const char *who)
{
	assert_int_equal(r->nfindings, 1);
	const char *rep = r->findings[0].report;
	assert_int_equal(r->findings[0].kind, COH_F_API_MISUSE);
	assert_non_null(strstr(rep, "device driver maps memory from stack"));
	assert_non_null(strstr(rep, who));
	char want[64];
	snprintf(want, sizeof(want), "test_kstack.c:%u", map_line);
	if (!strstr(rep, want))
		fail_msg("want %s in:\n%s", want, rep);
}

static void buffers_push_and_pop_on_the_tasks_stack(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	coh_explore_result r;
	run_mode(PUSH_POP, "v1:", n, &r);
	assert_int_equal(total(n), 0);
	/* a's 8 KiB stack is lowmem from the top of the allocator, 8K-aligned */
	assert_true(va[0] >= PAGE_OFFSET + (1u << 19) - 2 * THREAD_SIZE);
	assert_int_equal(va[0] & 7, 0);
	assert_int_equal((va[0] + 64) % THREAD_SIZE, 0); /* the first push: the top */
	assert_int_equal(va[1], va[0] - 104);            /* 100 bytes, 8-aligned */
	assert_int_equal(va[2], va[1]);                  /* popped at nested()'s return */
	assert_true(on_stack[0]);
	assert_false(on_stack[1]); /* kmalloc memory */
	assert_true(on_stack[2]);
	assert_false(on_stack[3]); /* a's buffer, seen from b */
	/* b's stack is another: below a's (a was created first) */
	assert_int_equal(va[3], va[0] - THREAD_SIZE);
	coh_explore_result_free(&r);
}

static void dma_map_single_of_a_stack_buffer_is_misuse(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	coh_explore_result r;
	run_mode(MAP_SINGLE, "v1:", n, &r);
	assert_stack_finding(&r, "the kernel stack of task 'a'");
	coh_explore_result_free(&r);
}

static void dma_map_page_and_sg_of_a_stack_buffer_are_misuse(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	coh_explore_result r;
	run_mode(MAP_PAGE, "v1:", n, &r);
	assert_stack_finding(&r, "the kernel stack of task 'a'");
	coh_explore_result_free(&r);
	run_mode(MAP_SG, "v1:", n, &r);
	assert_stack_finding(&r, "the kernel stack of task 'a'");
	coh_explore_result_free(&r);
}

static void another_tasks_stack_and_the_irq_stack_count(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	coh_explore_result r;
	run_mode(MAP_OTHER_TASK, "v1:", n, &r);
	assert_stack_finding(&r, "the kernel stack of task 'a'");
	coh_explore_result_free(&r);
	run_mode(MAP_IN_IRQ, "v1:", n, &r);
	assert_true(va[2] != 0);
	assert_stack_finding(&r, "the IRQ stack of cpu0");
	coh_explore_result_free(&r);
}

static void a_kmalloc_buffer_is_no_finding(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	coh_explore_result r;
	run_mode(MAP_KMALLOC, "v1:", n, &r);
	assert_int_equal(total(n), 0);
	coh_explore_result_free(&r);
}

static void the_stack_is_freed_when_the_task_ends(void **state)
{
	(void)state;
	unsigned n[COH_F_KIND_COUNT];
	coh_explore_result r;
	run_mode(EXIT_MAPPED, "v1:", n, &r);
	assert_int_equal(n[COH_F_API_MISUSE], 2);
	assert_int_equal(total(n), 2);
	assert_non_null(strstr(r.findings[0].report, "maps memory from stack"));
	/* freeing a's stack at its end: the mapping is still there */
	assert_non_null(strstr(r.findings[1].report, "frees memory still mapped"));
	/* c, made after a ended, gets a's stack back (the top of lowmem) */
	assert_int_equal(va[2], va[0]);
	coh_explore_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(buffers_push_and_pop_on_the_tasks_stack),
	    cmocka_unit_test(dma_map_single_of_a_stack_buffer_is_misuse),
	    cmocka_unit_test(dma_map_page_and_sg_of_a_stack_buffer_are_misuse),
	    cmocka_unit_test(another_tasks_stack_and_the_irq_stack_count),
	    cmocka_unit_test(a_kmalloc_buffer_is_no_finding),
	    cmocka_unit_test(the_stack_is_freed_when_the_task_ends),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
