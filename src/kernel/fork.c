/*
 * fork.c - tasks in address spaces (kernel/fork.c, kernel/sched.c's
 * context_switch, 2.6.31-39): task_struct, current, user tasks, fork
 * with dup_mmap, and switch_mm at each context switch.
 *
 * Interface: get_current, user_task_create, do_fork, cpu_active_mm (mm.h);
 * coh__fork_init (mm_impl.h), called by coh__mm_init at kernel_init.
 * Invariants: each CPU runs on one mm (active[cpu]: init_mm until its
 * first user task), which is the active_mm of the task it runs; the sched
 * layer's switch hook calls context_switch() at each switch: a user task
 * gets switch_mm(prev's active_mm, its mm), a kernel thread borrows the
 * active mm (enter_lazy_tlb) and switches nothing.
 */
#include <string.h>

#include "kernel/arch/usercache.h"
#include "kernel/fs/fs_impl.h"
#include "kernel/mm/mm_impl.h"

static struct {
	struct task_struct tasks[COH_MAX_TASKS];
	unsigned ntasks;
	struct mm_struct *active[COH_MAX_CPUS];
} fk;

static struct task_struct *task_struct_alloc(coh_task *t, struct mm_struct *mm)
{
	if (fk.ntasks == COH_MAX_TASKS)
		return NULL;
	struct task_struct *ts = &fk.tasks[fk.ntasks++];
	ts->task = t;
	ts->mm = mm;
	ts->active_mm = mm ? mm : fk.active[coh_task_cpu(t)];
	coh_task_set_data(t, ts);
	return ts;
}

struct mm_struct *cpu_active_mm(unsigned cpu)
{
	return cpu < COH_MAX_CPUS ? fk.active[cpu] : NULL;
}

struct mm_struct *coh__current_active_mm(void)
{
	return fk.active[coh__cpu()];
}

struct task_struct *get_current(void)
{
	coh_task *t = coh_current();
	if (!t || coh_task_context(t) != COH_CTX_PROCESS)
		return NULL;
	struct task_struct *ts = coh_task_data(t);
	return ts ? ts : task_struct_alloc(t, NULL); /* a kernel thread */
}

/* context_switch() (kernel/sched.c): the sched layer's switch hook. */
static void context_switch(unsigned cpu, coh_task *prev, coh_task *next, void *ctx)
{
	(void)prev;
	(void)ctx;
	struct task_struct *ts = coh_task_data(next);
	struct mm_struct *oldmm = fk.active[cpu];
	if (!ts || !ts->mm) {
		if (ts)
			ts->active_mm = oldmm; /* enter_lazy_tlb */
		return;
	}
	switch_mm(oldmm, ts->mm, ts);
	ts->active_mm = ts->mm;
	fk.active[cpu] = ts->mm;
}

void coh__fork_init(void)
{
	memset(&fk, 0, sizeof(fk));
	for (unsigned cpu = 0; cpu < COH_MAX_CPUS; cpu++)
		fk.active[cpu] = &coh__init_mm;
	coh_sched_set_switch_hook(coh__kernel.s, context_switch, NULL);
}

/* switch_mm() (asm/mmu_context.h), generic half: mm_cpumask, then the
 * arch's cpu_switch_mm when the mm changes. */
void switch_mm(struct mm_struct *prev, struct mm_struct *next, struct task_struct *tsk)
{
	(void)tsk;
	unsigned cpu = coh__cpu();
	unsigned long bit = 1ul << cpu;
	bool was_set = (next->cpu_vm_mask & bit) != 0;
	next->cpu_vm_mask |= bit;
	if (was_set && prev == next)
		return;
	coh__arch_switch_mm(prev, next);
	fk.active[cpu] = next;
}

struct task_struct *user_task_create(coh_sched *s, const char *name, unsigned cpu,
                                     struct mm_struct *mm, coh_task_fn fn, void *arg)
{
	if (!mm || fk.ntasks == COH_MAX_TASKS)
		return NULL;
	coh_task *t = coh_task_create(s, name, cpu, fn, arg);
	if (!t)
		return NULL;
	struct task_struct *ts = task_struct_alloc(t, mm);
	mm->mm_users++;
	return ts;
}

/* dup_mmap() (kernel/fork.c): flush_cache_dup_mm(oldmm), then each VMA
 * copied and linked (anon_vma_link), and copy_page_range(): a private
 * writable page is write-protected in both (COW), every page gets one
 * more mapping and reference. */
static struct mm_struct *dup_mm(struct mm_struct *oldmm)
{
	struct mm_struct *mm = mm_alloc();
	if (!mm)
		return NULL;
	flush_cache_mm(oldmm); /* flush_cache_dup_mm */
	struct vm_area_struct **tail = &mm->mmap;
	for (struct vm_area_struct *v = oldmm->mmap; v; v = v->vm_next) {
		struct vm_area_struct *tmp = coh__vma_alloc();
		if (!tmp)
			return NULL;
		*tmp = *v;
		tmp->vm_mm = mm;
		tmp->vm_next = NULL;
		tmp->anon_vma_node = NULL;
		*tail = tmp;
		tail = &tmp->vm_next;
		if (tmp->anon_vma)
			anon_vma_link(tmp);
		if (tmp->vm_file)
			coh__vma_link_file(tmp); /* dup_mmap: vma_prio_tree_add */
		bool cow = !(v->vm_flags & VM_SHARED) && (v->vm_flags & VM_MAYWRITE);
		for (unsigned i = 0; i < oldmm->npte; i++) {
			struct coh_pte *pte = &oldmm->pte[i];
			if (pte->addr < v->vm_start || pte->addr >= v->vm_end)
				continue;
			if (cow)
				pte->write = false; /* ptep_set_wrprotect */
			if (!pte->special) {
				get_page(pte->page);
				page_dup_rmap(pte->page);
			}
			if (coh__set_pte(mm, pte->addr, pte->page, pte->write, pte->special))
				return NULL;
			/* copy_one_pte copies the memory type too */
			if (pte->attr != COH_ATTR_WB &&
			    coh__set_pte_attr(mm, coh_pte_lookup(mm, pte->addr), pte->attr))
				return NULL;
		}
	}
	return mm;
}

struct task_struct *do_fork(unsigned long clone_flags, const char *name, coh_task_fn fn, void *arg)
{
	struct task_struct *cur = current;
	if (!cur || !cur->mm)
		return NULL;
	struct mm_struct *mm = cur->mm;
	if (!(clone_flags & CLONE_VM)) {
		mm = dup_mm(cur->mm);
		if (!mm)
			return NULL;
		mm->mm_users = 0;
	}
	return user_task_create(coh__kernel.s, name, coh__cpu(), mm, fn, arg);
}
