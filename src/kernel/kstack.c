/*
 * kstack.c - kernel stacks (kernel/fork.c's alloc_thread_info and
 * free_thread_info, 2.6.3x) and buffers placed on them.
 *
 * Interface: object_is_on_stack, coh__onstack_push/_pop behind
 * DECLARE_BUF_ONSTACK (cohsim/kstack.h); coh__kstack_init (kernel_init)
 * and coh__kstack_find, DMA-API-debug's check_for_stack (kernel_impl.h).
 * Invariants: each process task created after kernel_init() gets
 * THREAD_SIZE of lowmem from the top of the page allocator
 * (coh__alloc_pages_top: the addresses of every other allocation stay what
 * they were), through the scheduler's task hook, and gives it back when its
 * function returns (__free_pages: DMA-API-debug reports a stack buffer
 * still mapped). A task made before kernel_init gets its stack at its first
 * push. IRQ and softirq handlers push on a per-CPU stack made at first use.
 * Each stack's pointer starts at its top and moves down by 8-byte-aligned
 * pushes; a pop puts it back where the push found it. Stack memory is
 * ordinary cacheable lowmem: nothing is written to it here.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/kernel_impl.h"

#define KSTACK_TASKS COH_MAX_TASKS
#define KSTACKS (KSTACK_TASKS + COH_MAX_CPUS) /* task stacks, then per-CPU IRQ stacks */

struct kstack {
	bool used;
	coh_task *task; /* NULL for a per-CPU IRQ stack */
	struct page *page;
	coh_addr_t base, sp; /* VAs: [base, base + THREAD_SIZE); sp moves down */
	uint32_t serial;     /* which life of this entry */
};

static struct {
	struct kstack st[KSTACKS];
	uint32_t serial;
} ks;

static unsigned kstack_order(void)
{
	unsigned order = 0;
	while ((coh_machine_page_size(coh__kernel.m) << order) < THREAD_SIZE)
		order++;
	return order;
}

/* alloc_thread_info (kernel/fork.c, 2.6.3x) into entry i; false if lowmem
 * has no free THREAD_SIZE run left. */
static bool kstack_alloc(unsigned i, coh_task *t)
{
	struct page *p = coh__alloc_pages_top(kstack_order());
	if (!p)
		return false;
	struct kstack *k = &ks.st[i];
	k->used = true;
	k->task = t;
	k->page = p;
	k->base = page_address(p).addr;
	k->sp = k->base + THREAD_SIZE;
	k->serial = ++ks.serial;
	return true;
}

static int task_stack(const coh_task *t)
{
	for (unsigned i = 0; i < KSTACK_TASKS; i++)
		if (ks.st[i].used && ks.st[i].task == t)
			return (int)i;
	return -1;
}

static int new_task_stack(coh_task *t)
{
	for (unsigned i = 0; i < KSTACK_TASKS; i++)
		if (!ks.st[i].used)
			return kstack_alloc(i, t) ? (int)i : -1;
	return -1; /* not reached: at most COH_MAX_TASKS live process tasks */
}

/* copy_process -> dup_task_struct -> alloc_thread_info at creation;
 * free_thread_info when the task is done (Linux: when it is reaped). */
static void task_hook(coh_task *t, bool exiting, void *ctx)
{
	(void)ctx;
	if (!exiting) {
		if (task_stack(t) < 0)
			(void)new_task_stack(t);
		return;
	}
	int i = task_stack(t);
	if (i < 0)
		return;
	struct kstack *k = &ks.st[i];
	k->used = false;
	k->task = NULL;
	__free_pages(k->page, kstack_order());
}

int coh__kstack_init(void)
{
	memset(&ks, 0, sizeof(ks));
	coh_sched_set_task_hook(coh__kernel.s, task_hook, NULL);
	return COH_OK;
}

/* The stack of the running context: its task's, or its CPU's IRQ stack
 * for a handler; made now if it has none yet. -1: none (host stack, or no
 * lowmem left). */
static int current_stack(void)
{
	coh_task *t = coh_current();
	if (!t)
		return -1;
	if (coh_task_context(t) != COH_CTX_PROCESS) {
		unsigned i = KSTACK_TASKS + coh_task_cpu(t);
		return ks.st[i].used || kstack_alloc(i, NULL) ? (int)i : -1;
	}
	int i = task_stack(t);
	return i >= 0 ? i : new_task_stack(t);
}

/* object_is_on_stack (include/linux/sched.h, 2.6.31) */
bool object_is_on_stack(simptr obj)
{
	coh_task *t = coh_current();
	int i = t && coh_task_context(t) == COH_CTX_PROCESS ? task_stack(t) : -1;
	return i >= 0 && obj.addr >= ks.st[i].base && obj.addr < ks.st[i].base + THREAD_SIZE;
}

struct onstack_buf coh__onstack_push(size_t size, const char *file, unsigned line)
{
	struct onstack_buf b = {simptr_at(0), 0, -1, 0};
	int i = current_stack();
	if (i < 0) {
		coh_check_report(coh__kernel.chk, COH_F_API_MISUSE, (int)coh__cpu(),
		                 "DECLARE_BUF_ONSTACK at %s:%u: no kernel stack (%s)", file, line,
		                 coh_current() ? "no lowmem left for one" : "not in a task");
		return b;
	}
	struct kstack *k = &ks.st[i];
	coh_addr_t sp = (k->sp - (coh_addr_t)size) & ~(coh_addr_t)7;
	if (size > THREAD_SIZE || sp < k->base) {
		coh__bug("kernel stack overflow", file, line);
		return b;
	}
	b.buf = simptr_at(sp);
	b.sp = k->sp;
	b.stack = i;
	b.serial = k->serial;
	k->sp = sp;
	return b;
}

void coh__onstack_pop(struct onstack_buf *b)
{
	if (b->stack < 0 || b->stack >= KSTACKS)
		return;
	struct kstack *k = &ks.st[b->stack];
	if (k->used && k->serial == b->serial)
		k->sp = b->sp;
}

/* check_for_stack's object_is_on_stack, but for any task's stack and any
 * byte of the range (Linux looks at the running task's and the first
 * byte). */
bool coh__kstack_find(phys_addr_t pa, size_t len, char *who, size_t whosz)
{
	for (unsigned i = 0; i < KSTACKS; i++) {
		const struct kstack *k = &ks.st[i];
		if (!k->used)
			continue;
		phys_addr_t lo = k->base - PAGE_OFFSET;
		if (pa >= lo + THREAD_SIZE || lo >= pa + len)
			continue;
		if (k->task)
			snprintf(who, whosz, "the kernel stack of task '%s'",
			         coh_task_name(k->task));
		else
			snprintf(who, whosz, "the IRQ stack of cpu%u", i - KSTACK_TASKS);
		return true;
	}
	return false;
}
