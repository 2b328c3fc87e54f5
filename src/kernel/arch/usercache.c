/*
 * usercache.c - the cache API of user pages, dispatched to the profile's
 * arch family (asm/cacheflush.h, asm/mmu_context.h, include/linux/highmem.h).
 *
 * Interface: flush_cache_mm, flush_cache_range, flush_cache_page,
 * flush_anon_page, copy_user_highpage, clear_user_highpage, kmap_atomic,
 * kunmap_atomic (mm.h); coh__arch_switch_mm, the temporary mappings and
 * the page copy helpers (usercache.h).
 * Temporary mappings live at COLOUR_BASE, one 4 MiB window per CPU and
 * slot (4 MiB: the largest alias span, PA-RISC's), so a page can be mapped
 * at the colour of any user address. A page copy or clear is one machine
 * operation per page (coh_read/coh_write move it line by line).
 */
#include <string.h>

#include "kernel/arch/usercache.h"
#include "kernel/mm/mm_impl.h"

#define COLOUR_BASE 0xF0000000ull
#define COLOUR_WINDOW 0x400000ull /* 4 MiB */
#define SLOTS_PER_CPU 7           /* from, to, alias, and 4 nested kmap_atomic */
#define ATOMIC_DEPTH 4

static unsigned atomic_depth[COH_MAX_CPUS];

void coh__usercache_init(void)
{
	memset(atomic_depth, 0, sizeof(atomic_depth));
}

static const struct coh__user_ops *user_ops(void)
{
	switch (coh_machine_arch(coh__kernel.m)->family) {
	case COH_ARCH_ARM:
		return &coh__arm_user_ops;
	case COH_ARCH_MIPS:
		return &coh__mips_user_ops;
	case COH_ARCH_SH:
		return &coh__sh_user_ops;
	case COH_ARCH_PARISC:
		return &coh__parisc_user_ops;
	case COH_ARCH_X86:
		break;
	}
	return NULL;
}

static unsigned long colour_span(void)
{
	return coh_arch_colours(coh_machine_arch(coh__kernel.m)) * coh__page_size();
}

bool coh__pages_do_alias(coh_addr_t a, coh_addr_t b)
{
	return ((a ^ b) & (colour_span() - 1)) != 0;
}

bool coh__mm_is_active(const struct mm_struct *mm)
{
	return cpu_active_mm(coh__cpu()) == mm;
}

coh_addr_t coh__colour_map(struct page *page, unsigned long vaddr, enum coh__tmp_slot slot)
{
	unsigned cpu = coh__cpu();
	coh_addr_t base = COLOUR_BASE + (coh_addr_t)(cpu * SLOTS_PER_CPU + slot) * COLOUR_WINDOW;
	coh_addr_t va = base + (vaddr & (colour_span() - 1) & ~(coh__page_size() - 1));
	coh_preempt_disable();
	KSITE();
	coh_unmap(coh__kernel.m, COH_KERNEL_AS, va, coh__page_size());
	KSITE();
	coh_map(coh__kernel.m, COH_KERNEL_AS, va, page_to_phys(page), coh__page_size(),
	        COH_ATTR_WB);
	return va;
}

void coh__colour_unmap(coh_addr_t va)
{
	KSITE();
	coh_unmap(coh__kernel.m, COH_KERNEL_AS, va, coh__page_size());
	coh_preempt_enable();
}

void coh__copy_page(coh_addr_t to, coh_addr_t from)
{
	u8 buf[8192];
	size_t n = coh__page_size() < sizeof(buf) ? coh__page_size() : sizeof(buf);
	KSITE();
	coh_read(coh__kernel.m, coh__cpu(), from, buf, n);
	KSITE();
	coh_write(coh__kernel.m, coh__cpu(), to, buf, n);
}

void coh__clear_page(coh_addr_t to)
{
	u8 buf[8192];
	size_t n = coh__page_size() < sizeof(buf) ? coh__page_size() : sizeof(buf);
	memset(buf, 0, n);
	KSITE();
	coh_write(coh__kernel.m, coh__cpu(), to, buf, n);
}

void coh__clear_user_highpage_flush_alias(struct page *page, unsigned long vaddr)
{
	simptr k = kmap_atomic(page);
	coh__clear_page(k.addr);
	if (coh__pages_do_alias(k.addr, vaddr))
		coh__cache_range(k.addr, coh__page_size(), COH__DC_FLUSH);
	kunmap_atomic(k);
}

/* kmap_atomic() (arch/arm/mm/highmem.c): pagefault_disable, then a lowmem
 * page's own address or a fixmap slot of this CPU. */
simptr kmap_atomic(struct page *page)
{
	if (!PageHighMem(page)) {
		coh_preempt_disable();
		return page_address(page);
	}
	unsigned cpu = coh__cpu();
	unsigned d = atomic_depth[cpu] < ATOMIC_DEPTH ? atomic_depth[cpu]++ : ATOMIC_DEPTH - 1;
	return simptr_at(coh__colour_map(page, 0, (enum coh__tmp_slot)(COH__TMP_ATOMIC + d)));
}

/* kunmap_atomic(): a fixmap slot on a VIVT cache is flushed before the
 * next user of the slot can hit its lines. */
void kunmap_atomic(simptr addr)
{
	if (addr.addr < COLOUR_BASE ||
	    addr.addr >= COLOUR_BASE + COH_MAX_CPUS * SLOTS_PER_CPU * COLOUR_WINDOW) {
		coh_preempt_enable();
		return;
	}
	if (coh__cache_is_vivt())
		coh__cpuc_flush_dcache_area(addr.addr & ~(coh_addr_t)(coh__page_size() - 1),
		                            coh__page_size());
	unsigned cpu = coh__cpu();
	if (atomic_depth[cpu])
		atomic_depth[cpu]--;
	coh__colour_unmap(addr.addr & ~(coh_addr_t)(coh__page_size() - 1));
}

/* ---- dispatch ---- */

void coh__arch_switch_mm(struct mm_struct *prev, struct mm_struct *next)
{
	const struct coh__user_ops *o = user_ops();
	if (o && o->switch_mm) {
		o->switch_mm(prev, next);
		return;
	}
	KSITE();
	coh_cpu_set_as(coh__kernel.m, coh__cpu(), next->asid); /* load_cr3 */
}

void flush_cache_mm(struct mm_struct *mm)
{
	const struct coh__user_ops *o = user_ops();
	if (o && o->flush_cache_mm)
		o->flush_cache_mm(mm);
}

void coh__flush_ptrace_access(struct vm_area_struct *vma, struct page *page, unsigned long uaddr,
                              coh_addr_t kaddr, unsigned long len)
{
	const struct coh__user_ops *o = user_ops();
	if (o && o->flush_ptrace_access)
		o->flush_ptrace_access(vma, page, uaddr, kaddr, len);
}

/* copy_to_user_page (asm/cacheflush.h): the arch's own (MIPS, SH), else
 * the memcpy into the kernel alias and flush_ptrace_access (ARM's flush.c;
 * PA-RISC's flush; nothing on x86). */
void coh__copy_to_user_page(struct vm_area_struct *vma, struct page *page, unsigned long uaddr,
                            coh_addr_t kaddr, const void *src, unsigned long len)
{
	const struct coh__user_ops *o = user_ops();
	if (o && o->copy_to_user_page) {
		o->copy_to_user_page(vma, page, uaddr, kaddr, src, len);
		return;
	}
	sim_memcpy_to(simptr_at(kaddr), src, len);
	coh__flush_ptrace_access(vma, page, uaddr, kaddr, len);
}

/* copy_from_user_page (asm/cacheflush.h): the arch's own, else memcpy. */
void coh__copy_from_user_page(struct vm_area_struct *vma, struct page *page, unsigned long uaddr,
                              void *dst, coh_addr_t kaddr, unsigned long len)
{
	const struct coh__user_ops *o = user_ops();
	if (o && o->copy_from_user_page) {
		o->copy_from_user_page(vma, page, uaddr, dst, kaddr, len);
		return;
	}
	sim_memcpy_from(dst, simptr_at(kaddr), len);
}

void flush_cache_range(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	const struct coh__user_ops *o = user_ops();
	if (o && o->flush_cache_range && end > start)
		o->flush_cache_range(vma, start, end);
}

void flush_cache_page(struct vm_area_struct *vma, unsigned long vmaddr, unsigned long pfn)
{
	const struct coh__user_ops *o = user_ops();
	if (o && o->flush_cache_page)
		o->flush_cache_page(vma, vmaddr, pfn);
}

void flush_anon_page(struct vm_area_struct *vma, struct page *page, unsigned long vmaddr)
{
	const struct coh__user_ops *o = user_ops();
	if (o && o->flush_anon_page)
		o->flush_anon_page(vma, page, vmaddr);
}

/* copy_user_highpage() (include/linux/highmem.h): two atomic kmaps and
 * copy_user_page, where the arch has nothing of its own. */
void copy_user_highpage(struct page *to, struct page *from, unsigned long vaddr,
                        struct vm_area_struct *vma)
{
	const struct coh__user_ops *o = user_ops();
	if (o && o->copy_user_highpage) {
		o->copy_user_highpage(to, from, vaddr, vma);
		return;
	}
	simptr vfrom = kmap_atomic(from);
	simptr vto = kmap_atomic(to);
	coh__copy_page(vto.addr, vfrom.addr);
	kunmap_atomic(vto);
	kunmap_atomic(vfrom);
}

/* clear_user_highpage() (include/linux/highmem.h) */
void clear_user_highpage(struct page *page, unsigned long vaddr)
{
	const struct coh__user_ops *o = user_ops();
	if (o && o->clear_user_highpage) {
		o->clear_user_highpage(page, vaddr);
		return;
	}
	simptr addr = kmap_atomic(page);
	coh__clear_page(addr.addr);
	kunmap_atomic(addr);
}

void coh__update_mmu_cache(struct vm_area_struct *vma, unsigned long addr, struct coh_pte *pte)
{
	const struct coh__user_ops *o = user_ops();
	if (o && o->update_mmu_cache && pte)
		o->update_mmu_cache(vma, addr, pte);
}
