/*
 * vmalloc.c - vmalloc/vmap areas (mm/vmalloc.c), deterministic.
 *
 * Interface: vmalloc/vfree, vmap/vunmap, vmalloc_to_page, is_vmalloc_addr
 * (linux.h). Areas are handed out by a bump allocator in
 * [VMALLOC_START, VMALLOC_END), each followed by an unmapped guard page, and
 * their VA is never reused within an execution: the same program gets the
 * same addresses in every execution, and a stale alias of a freed area
 * cannot be confused with a new one.
 *
 * vmalloc() backs an area with pages from alloc_page(GFP_HIGHUSER), so they
 * are highmem when any is free: their only kernel mapping is the vmalloc
 * one. The page tables are the truth about which page backs which VA
 * (vmalloc_to_page translates). As in map_vm_area() and __vunmap(), the
 * arch's flush_cache_vmap runs once an area is mapped, and
 * flush_cache_vunmap before it is unmapped (a flush_cache_all() on ARM
 * VIVT and aliasing VIPT, PA-RISC, MIPS and SH; nothing on PIPT).
 *
 * Locking: none; the kernel's vmap_area_lock is a spinlock held only around
 * the bookkeeping, which is atomic here (no preemption point inside).
 */
#include <string.h>

#include "kernel/arch/cacheflush.h"

#define MAX_VM_AREAS 64

struct vm_struct {
	coh_addr_t addr;
	unsigned nr_pages; /* mapped pages; the guard page follows */
	bool used;
	bool vmalloced; /* vfree() frees the pages */
};

static struct {
	struct vm_struct areas[MAX_VM_AREAS];
	coh_addr_t next; /* the bump pointer */
} vm;

int coh__vmalloc_init(void)
{
	memset(&vm, 0, sizeof(vm));
	vm.next = VMALLOC_START;
	return COH_OK;
}

static size_t page_size(void)
{
	return coh_machine_page_size(coh__kernel.m);
}

/* get_vm_area: a free descriptor and VA for count pages plus the guard. */
static struct vm_struct *get_vm_area(unsigned count)
{
	coh_addr_t len = (coh_addr_t)(count + 1) * page_size();
	if (count == 0 || vm.next + len > VMALLOC_END)
		return NULL;
	for (unsigned i = 0; i < MAX_VM_AREAS; i++) {
		struct vm_struct *a = &vm.areas[i];
		if (a->used)
			continue;
		*a = (struct vm_struct){.addr = vm.next, .nr_pages = count, .used = true};
		vm.next += len;
		return a;
	}
	return NULL;
}

static struct vm_struct *find_vm_area(simptr addr)
{
	for (unsigned i = 0; i < MAX_VM_AREAS; i++)
		if (vm.areas[i].used && vm.areas[i].addr == addr.addr)
			return &vm.areas[i];
	return NULL;
}

bool is_vmalloc_addr(simptr addr)
{
	return addr.addr >= VMALLOC_START && addr.addr < VMALLOC_END;
}

struct page *vmalloc_to_page(simptr addr)
{
	coh_addr_t pa;
	enum coh_attr attr;
	if (!is_vmalloc_addr(addr) ||
	    coh_translate(coh__kernel.m, coh__cpu(), addr.addr, &pa, &attr) != COH_OK)
		return NULL;
	return pfn_to_page((unsigned long)(pa >> coh__kernel.page_shift));
}

static void unmap_area(struct vm_struct *a)
{
	COH_FRAME();
	coh_addr_t len = (coh_addr_t)a->nr_pages * page_size();
	coh__flush_cache_vunmap(a->addr, a->addr + len);
	KSITE();
	coh_unmap(coh__kernel.m, COH_KERNEL_AS, a->addr, (size_t)len);
}

simptr vmap(struct page **pages, unsigned count)
{
	COH_FRAME();
	struct vm_struct *a = get_vm_area(count);
	if (!a)
		return SIMPTR_NULL;
	for (unsigned i = 0; i < count; i++) {
		coh_addr_t va = a->addr + (coh_addr_t)i * page_size();
		KSITE();
		int r = coh_map(coh__kernel.m, COH_KERNEL_AS, va, page_to_phys(pages[i]),
		                page_size(), COH_ATTR_WB);
		BUG_ON(r != COH_OK);
	}
	coh__flush_cache_vmap(a->addr, a->addr + (coh_addr_t)count * page_size());
	return simptr_at(a->addr);
}

void vunmap(simptr addr)
{
	COH_FRAME();
	struct vm_struct *a = find_vm_area(addr);
	BUG_ON(!a || a->vmalloced);
	if (!a)
		return;
	unmap_area(a);
	a->used = false;
}

simptr vmalloc(unsigned long size)
{
	COH_FRAME();
	size_t ps = page_size();
	unsigned count = (unsigned)((size + ps - 1) / ps);
	struct vm_struct *a = get_vm_area(count);
	if (!a)
		return SIMPTR_NULL;
	a->vmalloced = true;
	for (unsigned i = 0; i < count; i++) {
		struct page *page = alloc_page(GFP_HIGHUSER);
		if (!page) {
			/* __vunmap of what was built so far */
			a->nr_pages = i;
			vfree(simptr_at(a->addr));
			return SIMPTR_NULL;
		}
		KSITE();
		int r = coh_map(coh__kernel.m, COH_KERNEL_AS, a->addr + (coh_addr_t)i * ps,
		                page_to_phys(page), ps, COH_ATTR_WB);
		BUG_ON(r != COH_OK);
	}
	coh__flush_cache_vmap(a->addr, a->addr + (coh_addr_t)count * ps);
	return simptr_at(a->addr);
}

void vfree(simptr addr)
{
	COH_FRAME();
	if (simptr_is_null(addr))
		return;
	struct vm_struct *a = find_vm_area(addr);
	BUG_ON(!a || !a->vmalloced); /* "Trying to vfree() nonexistent vm area" */
	if (!a)
		return;
	size_t ps = page_size();
	coh_addr_t end = a->addr + (coh_addr_t)a->nr_pages * ps;
	coh__flush_cache_vunmap(a->addr, end);
	/* page by page: the mapping says which page it is, then goes */
	for (coh_addr_t va = a->addr; va < end; va += ps) {
		struct page *p = vmalloc_to_page(simptr_at(va));
		KSITE();
		coh_unmap(coh__kernel.m, COH_KERNEL_AS, va, ps);
		if (p)
			__free_page(p);
	}
	a->used = false;
}
