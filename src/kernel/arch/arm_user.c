/*
 * arm_user.c - ARM's cache code for user pages, 2.6.31-39:
 * arch/arm/mm/flush.c (flush_cache_mm/range/page, flush_pfn_alias,
 * __flush_anon_page, and the user half of flush_dcache_page with the
 * seed-4 proposal), asm/mmu_context.h switch_mm with the cpu_*_switch_mm
 * of proc-xscale.S, proc-arm926.S, proc-v6.S, proc-v7.S, the copypage
 * code (copypage-xscale.c, copypage-v4wb.c, copypage-v6.c) and
 * fault-armv.c's update_mmu_cache with make_coherent/adjust_pte (VIVT:
 * shared aliases of a file page in one mm become uncached).
 *
 * Cache types: ARMv5 (xscale, arm926) VIVT; ARMv6 aliasing VIPT; ARMv7
 * (cortex-a9) non-aliasing. Only VIVT flushes at switch_mm, and only there
 * does mm_cpumask shrink again (a VIVT cache holds one mm's user lines).
 */
#include <string.h>

#include "cohsim/fs.h"
#include "kernel/arch/usercache.h"
#include "kernel/mm/mm_impl.h"

/* PG_arch_1: PG_dcache_dirty up to 2.6.36 (set: the kernel alias may be
 * dirty), PG_dcache_clean from 2.6.37 (clear: it may be; a new page is)
 * with c01778001a4f ("ARM: 6379/1: Assume new page cache pages have dirty
 * D-cache"), or with its switch `dcache-clean`. */
#define PG_dcache_dirty (1ul << PG_arch_1)
#define PG_dcache_clean (1ul << PG_arch_1)

bool coh__arm_pg_dcache_clean(void)
{
	return linux_version_code() >= KERNEL_VERSION(2, 6, 37) || coh_fix("dcache-clean");
}

/* cache_ops_need_broadcast(): SMP on ARMv6 (ARM11 MPCore), whose cache
 * operations reach only the local CPU. */
static bool cache_ops_need_broadcast(void)
{
	return coh_machine_ncpus(coh__kernel.m) > 1 &&
	       coh_machine_arch(coh__kernel.m)->arm_arch == 6;
}

static unsigned long psize(void)
{
	return coh__page_size();
}

static bool in_mm_cpumask(const struct mm_struct *mm)
{
	return (mm->cpu_vm_mask >> coh__cpu()) & 1;
}

/* cpu_{xscale,arm926}_switch_mm: clean+invalidate the whole D-cache, then
 * the new TTB; cpu_v6/v7_switch_mm: the new TTB and ASID only. switch_mm
 * then clears prev from mm_cpumask on VIVT. */
static void arm_switch_mm(struct mm_struct *prev, struct mm_struct *next)
{
	if (coh__cache_is_vivt())
		coh__flush_cache_all_local();
	KSITE();
	coh_cpu_set_as(coh__kernel.m, coh__cpu(), next->asid);
	if (coh__cache_is_vivt() && prev)
		prev->cpu_vm_mask &= ~(1ul << coh__cpu());
}

/* flush_pfn_alias(): the page mapped at the colour of vaddr
 * (ALIAS_FLUSH_START), cleaned and invalidated there. */
static void flush_pfn_alias(unsigned long pfn, unsigned long vaddr)
{
	coh_addr_t to = coh__colour_map(pfn_to_page(pfn), vaddr, COH__TMP_ALIAS);
	coh__cpuc_flush_dcache_area(to, psize());
	coh__colour_unmap(to);
}

/* flush_cache_mm(): VIVT __cpuc_flush_user_all if this CPU may hold the
 * mm's lines; aliasing VIPT the whole D-cache. */
static void arm_flush_cache_mm(struct mm_struct *mm)
{
	if (coh__cache_is_vivt()) {
		if (in_mm_cpumask(mm))
			coh__flush_cache_all_local();
		return;
	}
	if (coh__cache_is_vipt_aliasing())
		coh__flush_cache_all_local();
}

/* flush_cache_range(): VIVT __cpuc_flush_user_range by user VA; aliasing
 * VIPT the whole D-cache. */
static void arm_flush_cache_range(struct vm_area_struct *vma, unsigned long start,
                                  unsigned long end)
{
	if (coh__cache_is_vivt()) {
		if (in_mm_cpumask(vma->vm_mm)) {
			unsigned long s = start & ~(psize() - 1);
			unsigned long e = (end + psize() - 1) & ~(psize() - 1);
			coh__cpuc_flush_dcache_area(s, e - s);
		}
		return;
	}
	if (coh__cache_is_vipt_aliasing())
		coh__flush_cache_all_local();
}

/* flush_cache_page(): VIVT the user page by VA; aliasing VIPT its colour. */
static void arm_flush_cache_page(struct vm_area_struct *vma, unsigned long user_addr,
                                 unsigned long pfn)
{
	if (coh__cache_is_vivt()) {
		if (in_mm_cpumask(vma->vm_mm))
			coh__cpuc_flush_dcache_area(user_addr & ~(psize() - 1), psize());
		return;
	}
	if (coh__cache_is_vipt_aliasing())
		flush_pfn_alias(pfn, user_addr);
}

/* flush_anon_page() -> __flush_anon_page() (2.6.32): the user alias
 * written back and invalidated; nothing on VIPT non-aliasing. */
static void arm_flush_anon_page(struct vm_area_struct *vma, struct page *page, unsigned long vmaddr)
{
	if (!PageAnon(page) || coh__cache_is_vipt_nonaliasing())
		return;
	if (coh__cache_is_vivt())
		arm_flush_cache_page(vma, vmaddr, page_to_pfn(page));
	else
		flush_pfn_alias(page_to_pfn(page), vmaddr);
}

/* The seed (R. King, 2007-01-07, never merged): __flush_anon_mapping walks
 * the page's anon_vma under anon_vma->lock (plain spin_lock: not
 * IRQ-safe) and flushes the user alias in each VMA of current->active_mm
 * (flush_user_mapped_page -> flush_cache_page). */
static void flush_anon_mapping(struct page *page)
{
	struct mm_struct *mm = coh__current_active_mm();
	if (!page_mapped(page))
		return;
	struct anon_vma *anon_vma = page_anon_vma(page);
	spin_lock(&anon_vma->lock);
	for (struct vm_area_struct *vma = anon_vma->head; vma; vma = vma->anon_vma_node) {
		if (vma->vm_mm != mm)
			continue;
		unsigned long address = vma_address(page, vma);
		if (!IS_ERR_VALUE(address))
			arm_flush_cache_page(vma, address, page_to_pfn(page));
	}
	spin_unlock(&anon_vma->lock);
}

/* flush_dcache_page's head (arch/arm/mm/flush.c 2.6.35): not the zero
 * page; !CONFIG_SMP: a page-cache page of a file no one maps only gets
 * PG_dcache_dirty, flushed by update_mmu_cache when it is mapped.
 * 2.6.37 (6379/1): !cache_ops_need_broadcast() instead of !CONFIG_SMP,
 * and the deferral clears PG_dcache_clean; the flush sets it
 * (coh__arm_flush_dcache_page_done). */
bool coh__arm_flush_dcache_page_defer(struct page *page)
{
	if (page == ZERO_PAGE(0))
		return true;
	struct address_space *mapping = page_mapping(page);
	if (coh__arm_pg_dcache_clean()) {
		if (!cache_ops_need_broadcast() && mapping && !mapping_mapped(mapping)) {
			page->flags &= ~PG_dcache_clean;
			return true;
		}
		return false;
	}
	if (coh_machine_ncpus(coh__kernel.m) == 1 && !PageHighMem(page) && mapping &&
	    !mapping_mapped(mapping)) {
		page->flags |= PG_dcache_dirty;
		return true;
	}
	return false;
}

/* flush_dcache_page's tail (2.6.37): set_bit(PG_dcache_clean). */
void coh__arm_flush_dcache_page_done(struct page *page)
{
	if (coh__arm_pg_dcache_clean())
		page->flags |= PG_dcache_clean;
}

/* test_and_set_bit(PG_dcache_clean) then, if it was clear,
 * __flush_dcache_page(mapping, page): the kernel alias and, on aliasing
 * VIPT, the user colour of page->index (2.6.37 update_mmu_cache,
 * __sync_icache_dcache, copy_user_highpage). */
static void flush_if_not_clean(struct page *page)
{
	bool was_clean = page->flags & PG_dcache_clean;
	page->flags |= PG_dcache_clean;
	if (was_clean)
		return;
	coh__arm___flush_dcache_page(page);
	struct address_space *mapping = page_mapping(page);
	if (mapping && coh__cache_is_vipt_aliasing())
		flush_pfn_alias(page_to_pfn(page), page->index << coh__kernel.page_shift);
}

/* flush_kernel_dcache_page (asm/cacheflush.h 2.6.3x): the kernel alias of
 * a lowmem page where the cache is VIVT or aliasing VIPT (a highmem page
 * was flushed by kunmap). */
void coh__arm_flush_kernel_dcache_page(struct page *page)
{
	if ((coh__cache_is_vivt() || coh__cache_is_vipt_aliasing()) && !PageHighMem(page))
		coh__cpuc_flush_dcache_area(page_address(page).addr, psize());
}

/* __flush_dcache_aliases (arch/arm/mm/flush.c 2.6.3x): each VM_MAYSHARE
 * VMA of current->active_mm on the mapping's i_mmap that maps the page
 * gets flush_cache_page at its user address (flush_dcache_mmap_lock:
 * tree_lock, IRQs off). Other mms' lines are gone since switch_mm. */
static void __flush_dcache_aliases(struct address_space *mapping, struct page *page)
{
	struct mm_struct *mm = coh__current_active_mm();
	pgoff_t pgoff = page->index;
	spin_lock_irq(&mapping->tree_lock);
	for (struct vm_area_struct *mpnt = mapping->i_mmap; mpnt; mpnt = mpnt->shared_next) {
		unsigned long npages = (mpnt->vm_end - mpnt->vm_start) >> coh__kernel.page_shift;
		if (pgoff < mpnt->vm_pgoff || pgoff >= mpnt->vm_pgoff + npages)
			continue; /* vma_prio_tree_foreach(pgoff, pgoff) */
		if (mpnt->vm_mm != mm || !(mpnt->vm_flags & VM_MAYSHARE))
			continue;
		unsigned long offset = (pgoff - mpnt->vm_pgoff) << coh__kernel.page_shift;
		arm_flush_cache_page(mpnt, mpnt->vm_start + offset, page_to_pfn(page));
	}
	spin_unlock_irq(&mapping->tree_lock);
}

/* flush_dcache_page()'s user half, after __flush_dcache_page() flushed the
 * kernel alias: nothing for an anonymous page in the kernel (cachetlb.txt:
 * "deliberately doesn't work for an anonymous page"); with the seed's
 * `flush-dcache-anon`, the anon_vma walk. (__flush_dcache_aliases of a
 * page-cache page needs address_space->i_mmap: not modelled yet.) */
void coh__arm_flush_dcache_page_user(struct page *page)
{
	struct address_space *mapping = page_mapping(page);
	/* __flush_dcache_page's tail: aliasing VIPT flushes the one user
	 * colour congruent with page->index */
	if (mapping && coh__cache_is_vipt_aliasing())
		flush_pfn_alias(page_to_pfn(page), page->index << coh__kernel.page_shift);
	if (mapping && coh__cache_is_vivt())
		__flush_dcache_aliases(mapping, page);
	if (coh_fix("flush-dcache-anon") && PageAnon(page))
		flush_anon_mapping(page);
}

/* discard_old_kernel_data() (copypage-v6.c): invalidate the lowmem
 * kernel alias of the destination before it is written at another colour.
 * Modelled as clean+invalidate: dirty lines of the page's previous owner
 * are dead data, but the oracle cannot tell them from live ones. */
static void discard_old_kernel_data(struct page *page)
{
	simptr k = page_address(page);
	if (!simptr_is_null(k) && !PageHighMem(page))
		coh__cache_range(k.addr, psize(), COH__DC_FLUSH);
}

static bool is_xscale(void)
{
	return strcmp(coh_machine_arch(coh__kernel.m)->name, "xscale") == 0;
}

/* copy_user_highpage(): cpu_user.cpu_copy_user_highpage of the CPU.
 * - xscale_mc_copy_user_highpage: the source through the mini-cache alias
 *   (after __flush_dcache_page if PG_dcache_dirty), the destination
 *   through a kmap, each line cleaned and invalidated after its stores;
 * - v4wb_copy_user_highpage (arm926): flush_cache_page of the source's
 *   user alias, then the copy; each destination line is invalidated before
 *   its stores (no allocation on write), so none stays cached;
 * - v6_copy_user_highpage_aliasing: both pages mapped at the colour of
 *   vaddr, the destination's kernel alias discarded first;
 * - v6_copy_user_highpage_nonaliasing (v7): two kmap_atomics. */
static void arm_copy_user_highpage(struct page *to, struct page *from, unsigned long vaddr,
                                   struct vm_area_struct *vma)
{
	if (coh__cache_is_vivt() && is_xscale()) {
		simptr kto = kmap_atomic(to);
		if (coh__arm_pg_dcache_clean()) {
			flush_if_not_clean(from);
		} else if (from->flags & PG_dcache_dirty) {
			from->flags &= ~PG_dcache_dirty;
			flush_dcache_page(from);
		}
		coh_addr_t kfrom = coh__colour_map(from, 0, COH__TMP_FROM); /* COPYPAGE_MINICACHE */
		coh__copy_page(kto.addr, kfrom);
		coh__cpuc_flush_dcache_area(kto.addr, psize());
		/* the mini-cache is not modelled: its clean lines go with the alias */
		coh__cpuc_flush_dcache_area(kfrom, psize());
		coh__colour_unmap(kfrom);
		kunmap_atomic(kto);
		return;
	}
	if (coh__cache_is_vivt()) {
		simptr kto = kmap_atomic(to);
		simptr kfrom = kmap_atomic(from);
		flush_cache_page(vma, vaddr, page_to_pfn(from));
		coh__copy_page(kto.addr, kfrom.addr);
		coh__cpuc_flush_dcache_area(kto.addr, psize());
		kunmap_atomic(kfrom);
		kunmap_atomic(kto);
		return;
	}
	if (coh__cache_is_vipt_aliasing()) {
		if (coh__arm_pg_dcache_clean()) {
			flush_if_not_clean(from);
		} else if (from->flags & PG_dcache_dirty) {
			from->flags &= ~PG_dcache_dirty;
			flush_dcache_page(from);
		}
		discard_old_kernel_data(to);
		coh_addr_t kfrom = coh__colour_map(from, vaddr, COH__TMP_FROM);
		coh_addr_t kto = coh__colour_map(to, vaddr, COH__TMP_TO);
		coh__copy_page(kto, kfrom);
		coh__colour_unmap(kto);
		coh__colour_unmap(kfrom);
		return;
	}
	simptr kfrom = kmap_atomic(from);
	simptr kto = kmap_atomic(to);
	coh__copy_page(kto.addr, kfrom.addr);
	kunmap_atomic(kto);
	kunmap_atomic(kfrom);
}

/* clear_user_highpage(): v4wb/xscale clear through a kmap without leaving
 * lines (invalidate before store / clean+invalidate after); v6 aliasing
 * clears at the colour of vaddr after discarding the kernel alias; v7
 * clears through a kmap. */
static void arm_clear_user_highpage(struct page *page, unsigned long vaddr)
{
	if (coh__cache_is_vipt_aliasing()) {
		discard_old_kernel_data(page);
		coh_addr_t to = coh__colour_map(page, vaddr, COH__TMP_TO);
		coh__clear_page(to);
		coh__colour_unmap(to);
		return;
	}
	simptr k = kmap_atomic(page);
	coh__clear_page(k.addr);
	if (coh__cache_is_vivt())
		coh__cpuc_flush_dcache_area(k.addr, psize());
	kunmap_atomic(k);
}

/* adjust_pte() (fault-armv.c 2.6.3x): a present PTE of the page at
 * address in vma, if not yet of shared_pte_mask's type (L_PTE_MT_BUFFERABLE:
 * uncached, the write buffer on), is flushed from the cache by VA and
 * made so. Returns whether it was present. */
static int adjust_pte(struct vm_area_struct *vma, unsigned long address)
{
	struct coh_pte *pte = coh_pte_lookup(vma->vm_mm, address);
	if (!pte)
		return 0;
	if (pte->attr != COH_ATTR_BUFFERABLE) {
		unsigned long pfn = page_to_pfn(pte->page);
		flush_cache_page(vma, address, pfn); /* outer_flush_range: no outer cache */
		coh__set_pte_attr(vma->vm_mm, pte, COH_ATTR_BUFFERABLE);
	}
	return 1;
}

/* make_coherent() (fault-armv.c 2.6.3x, VIVT only): every other
 * VM_MAYSHARE VMA of this mm on the mapping's i_mmap that maps pgoff has
 * its PTE adjusted; if one was present, the new PTE too, else the new
 * user address is flushed. Switch `make-coherent` (older than every
 * modelled release: in unless a scenario declares it off). */
static void make_coherent(struct address_space *mapping, struct vm_area_struct *vma,
                          unsigned long addr, unsigned long pfn)
{
	struct mm_struct *mm = vma->vm_mm;
	unsigned shift = coh__kernel.page_shift;
	pgoff_t pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> shift);
	int aliases = 0;
	spin_lock_irq(&mapping->tree_lock); /* flush_dcache_mmap_lock */
	for (struct vm_area_struct *mpnt = mapping->i_mmap; mpnt; mpnt = mpnt->shared_next) {
		unsigned long npages = (mpnt->vm_end - mpnt->vm_start) >> shift;
		if (pgoff < mpnt->vm_pgoff || pgoff >= mpnt->vm_pgoff + npages)
			continue; /* vma_prio_tree_foreach(pgoff, pgoff) */
		if (mpnt->vm_mm != mm || mpnt == vma || !(mpnt->vm_flags & VM_MAYSHARE))
			continue;
		unsigned long offset = (pgoff - mpnt->vm_pgoff) << shift;
		aliases += adjust_pte(mpnt, mpnt->vm_start + offset);
	}
	spin_unlock_irq(&mapping->tree_lock);
	if (aliases)
		adjust_pte(vma, addr);
	else
		flush_cache_page(vma, addr, pfn);
}

/* update_mmu_cache() (fault-armv.c 2.6.35): a page whose kernel-alias
 * flush was deferred (PG_dcache_dirty, UP only) is flushed now. 2.6.37
 * (6379/1): any page not PG_dcache_clean is (ARMv5 update_mmu_cache; ARMv6+
 * __sync_icache_dcache from set_pte_at, which on non-aliasing VIPT flushes
 * only the I-cache of an executable mapping). Then, for a page-cache page
 * on VIVT, make_coherent. */
static void arm_update_mmu_cache(struct vm_area_struct *vma, unsigned long addr,
                                 struct coh_pte *pte)
{
	struct page *page = pte->page;
	if (page == ZERO_PAGE(0))
		return;
	if (coh__arm_pg_dcache_clean()) {
		if (!coh__cache_is_vipt_nonaliasing())
			flush_if_not_clean(page);
	} else if (coh_machine_ncpus(coh__kernel.m) == 1 && (page->flags & PG_dcache_dirty)) {
		page->flags &= ~PG_dcache_dirty;
		flush_dcache_page(page);
	}
	struct address_space *mapping = page_mapping(page);
	if (mapping && coh__cache_is_vivt() && coh_fix_old("make-coherent"))
		make_coherent(mapping, vma, addr & ~(psize() - 1), page_to_pfn(page));
}

/* flush_ptrace_access (arch/arm/mm/flush.c 2.6.3x), after a write through
 * the kernel alias: VIVT cleans the kernel range if this CPU may hold the
 * mm's lines (__cpuc_coherent_kern_range: D written back, I invalidated);
 * aliasing VIPT flushes the user colour; non-aliasing VIPT only the
 * I-cache of an executable mapping (not modelled). */
static void arm_flush_ptrace_access(struct vm_area_struct *vma, struct page *page,
                                    unsigned long uaddr, coh_addr_t kaddr, unsigned long len)
{
	if (coh__cache_is_vivt()) {
		if (in_mm_cpumask(vma->vm_mm))
			coh__cache_range(kaddr, len, COH__DC_CLEAN);
		return;
	}
	if (coh__cache_is_vipt_aliasing())
		flush_pfn_alias(page_to_pfn(page), uaddr);
}

const struct coh__user_ops coh__arm_user_ops = {
    .switch_mm = arm_switch_mm,
    .flush_cache_mm = arm_flush_cache_mm,
    .flush_cache_range = arm_flush_cache_range,
    .flush_cache_page = arm_flush_cache_page,
    .flush_anon_page = arm_flush_anon_page,
    .copy_user_highpage = arm_copy_user_highpage,
    .clear_user_highpage = arm_clear_user_highpage,
    .update_mmu_cache = arm_update_mmu_cache,
    .flush_ptrace_access = arm_flush_ptrace_access,
};
