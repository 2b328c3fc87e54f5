/*
 * sh_user.c - SH-4's cache code for user pages, 2.6.34-39:
 * arch/sh/mm/cache-sh4.c (sh4_flush_cache_mm/range/page), arch/sh/mm/
 * cache.c (__flush_anon_page, copy_user_highpage, clear_user_highpage,
 * copy_to/from_user_page with kmap_coherent, __update_cache),
 * asm/mmu_context.h switch_mm.
 *
 * The operand cache is VIPT (physically tagged): switch_mm changes the
 * ASID only. Where it aliases (dcache.n_aliases), a user page is purged at
 * its own colour: kunmap_coherent purges the coherent mapping. The
 * cacheop_on_each_cpu calls are modelled on this CPU only.
 */
#include "kernel/arch/usercache.h"
#include "kernel/mm/mm_impl.h"

static unsigned long psize(void)
{
	return coh__page_size();
}

static bool n_aliases(void)
{
	return coh_arch_colours(coh_machine_arch(coh__kernel.m)) > 1;
}

/* PG_dcache_clean (PG_arch_1): clear on a new page and on a deferred
 * flush_dcache_page; set when __update_cache purges the kernel alias. */
static bool dcache_clean(const struct page *page)
{
	return page->flags & (1ul << PG_arch_1);
}

static bool has_context(const struct mm_struct *mm)
{
	return (mm->cpu_vm_mask >> coh__cpu()) & 1;
}

/* switch_mm(): get_mmu_context, set_TTB, activate_context (the ASID) */
static void sh_switch_mm(struct mm_struct *prev, struct mm_struct *next)
{
	(void)prev;
	KSITE();
	coh_cpu_set_as(coh__kernel.m, coh__cpu(), next->asid);
}

/* sh4_flush_cache_mm / sh4_flush_cache_range: flush_dcache_all() where the
 * mm has a context and the cache aliases. */
static void sh_flush_cache_mm(struct mm_struct *mm)
{
	if (n_aliases() && has_context(mm))
		coh__flush_cache_all_local();
}

static void sh_flush_cache_range(struct vm_area_struct *vma, unsigned long start, unsigned long end)
{
	(void)start;
	(void)end;
	sh_flush_cache_mm(vma->vm_mm);
}

/* Purge page at the colour of vaddr (kmap_coherent + kunmap_coherent). */
static void purge_at_colour(struct page *page, unsigned long vaddr)
{
	coh_addr_t k = coh__colour_map(page, vaddr, COH__TMP_ALIAS);
	coh__cache_range(k, psize(), COH__DC_FLUSH);
	coh__colour_unmap(k);
}

/* sh4_flush_cache_page(): the user page's lines of its colour, through the
 * user VA in the active mm, else a coherent (mapped page) or atomic kmap. */
static void sh_flush_cache_page(struct vm_area_struct *vma, unsigned long address,
                                unsigned long pfn)
{
	if (!has_context(vma->vm_mm))
		return;
	struct page *page = pfn_to_page(pfn);
	if (coh__mm_is_active(vma->vm_mm)) {
		coh__cache_range(address & ~(psize() - 1), psize(), COH__DC_FLUSH);
		return;
	}
	if (n_aliases() && page_mapped(page))
		purge_at_colour(page, address);
	else
		coh__cache_range(page_address(page).addr, psize(), COH__DC_FLUSH);
}

/* flush_anon_page -> __flush_anon_page() (arch/sh/mm/cache.c): if the
 * kernel and user addresses alias, purge at the user colour (a mapped,
 * PG_dcache_clean page: kmap_coherent) or the kernel address. */
static void sh_flush_anon_page(struct vm_area_struct *vma, struct page *page, unsigned long vmaddr)
{
	(void)vma;
	if (!n_aliases() || !PageAnon(page))
		return;
	coh_addr_t addr = page_address(page).addr;
	if (!coh__pages_do_alias(addr, vmaddr))
		return;
	if (page_mapped(page) && dcache_clean(page))
		purge_at_colour(page, vmaddr);
	else
		coh__cache_range(addr, psize(), COH__DC_FLUSH);
}

/* copy_user_highpage() (arch/sh/mm/cache.c): the source through
 * kmap_coherent if mapped and PG_dcache_clean, the destination purged if
 * it aliases. */
static void sh_copy_user_highpage(struct page *to, struct page *from, unsigned long vaddr,
                                  struct vm_area_struct *vma)
{
	(void)vma;
	simptr vto = kmap_atomic(to);
	if (n_aliases() && page_mapped(from) && dcache_clean(from)) {
		coh_addr_t vfrom = coh__colour_map(from, vaddr, COH__TMP_FROM);
		coh__copy_page(vto.addr, vfrom);
		coh__cache_range(vfrom, psize(), COH__DC_FLUSH); /* kunmap_coherent purges */
		coh__colour_unmap(vfrom);
	} else {
		simptr vfrom = kmap_atomic(from);
		coh__copy_page(vto.addr, vfrom.addr);
		kunmap_atomic(vfrom);
	}
	if (coh__pages_do_alias(vto.addr, vaddr))
		coh__cache_range(vto.addr, psize(), COH__DC_FLUSH);
	kunmap_atomic(vto);
}

/* clear_user_highpage(): clear_page, purged if the kernel address aliases */
static void sh_clear_user_highpage(struct page *page, unsigned long vaddr)
{
	coh__clear_user_highpage_flush_alias(page, vaddr);
}

/* update_mmu_cache -> __update_cache() (arch/sh/mm/cache.c): where the
 * cache aliases, a page not PG_dcache_clean has its kernel alias purged
 * when a user PTE is set, and becomes clean. */
static void sh_update_mmu_cache(struct vm_area_struct *vma, unsigned long addr, struct coh_pte *pte)
{
	(void)vma;
	(void)addr;
	struct page *page = pte->page;
	if (!n_aliases() || !page)
		return;
	bool dirty = !dcache_clean(page);
	page->flags |= 1ul << PG_arch_1;
	if (dirty)
		coh__cache_range(page_address(page).addr, psize(), COH__DC_FLUSH);
}

/* copy_to_user_page() (arch/sh/mm/cache.c, the PG_dcache_clean shape):
 * a mapped, clean page is written through kmap_coherent at the user colour
 * (kunmap_coherent purges it); else through the kernel alias, and the
 * page is no longer clean. An executable mapping then gets
 * flush_cache_page. */
static void sh_copy_to_user_page(struct vm_area_struct *vma, struct page *page, unsigned long uaddr,
                                 coh_addr_t kaddr, const void *src, unsigned long len)
{
	if (n_aliases() && page_mapped(page) && dcache_clean(page)) {
		coh_addr_t vto = coh__colour_map(page, uaddr, COH__TMP_ALIAS);
		sim_memcpy_to(simptr_at(vto + (uaddr & (psize() - 1))), src, len);
		coh__cache_range(vto, psize(), COH__DC_FLUSH); /* kunmap_coherent purges */
		coh__colour_unmap(vto);
	} else {
		sim_memcpy_to(simptr_at(kaddr), src, len);
		if (n_aliases())
			page->flags &= ~(1ul << PG_arch_1);
	}
	if (vma->vm_flags & VM_EXEC)
		flush_cache_page(vma, uaddr, page_to_pfn(page));
}

/* copy_from_user_page() (arch/sh/mm/cache.c): the same choice, reading. */
static void sh_copy_from_user_page(struct vm_area_struct *vma, struct page *page,
                                   unsigned long uaddr, void *dst, coh_addr_t kaddr,
                                   unsigned long len)
{
	(void)vma;
	if (n_aliases() && page_mapped(page) && dcache_clean(page)) {
		coh_addr_t vfrom = coh__colour_map(page, uaddr, COH__TMP_ALIAS);
		sim_memcpy_from(dst, simptr_at(vfrom + (uaddr & (psize() - 1))), len);
		coh__cache_range(vfrom, psize(), COH__DC_FLUSH);
		coh__colour_unmap(vfrom);
	} else {
		sim_memcpy_from(dst, simptr_at(kaddr), len);
		if (n_aliases())
			page->flags &= ~(1ul << PG_arch_1);
	}
}

const struct coh__user_ops coh__sh_user_ops = {
    .switch_mm = sh_switch_mm,
    .flush_cache_mm = sh_flush_cache_mm,
    .flush_cache_range = sh_flush_cache_range,
    .flush_cache_page = sh_flush_cache_page,
    .flush_anon_page = sh_flush_anon_page,
    .copy_user_highpage = sh_copy_user_highpage,
    .clear_user_highpage = sh_clear_user_highpage,
    .update_mmu_cache = sh_update_mmu_cache,
    .copy_to_user_page = sh_copy_to_user_page,
    .copy_from_user_page = sh_copy_from_user_page,
};
