/*
 * mips_user.c - MIPS R4k's cache code for user pages, 2.6.31-39:
 * arch/mips/mm/c-r4k.c (r4k_flush_cache_mm/range/page), arch/mips/mm/
 * cache.c (__flush_anon_page), arch/mips/mm/init.c (copy_user_highpage,
 * clear_user_page, copy_to/from_user_page with kmap_coherent),
 * asm/mmu_context.h switch_mm.
 *
 * The D-cache is VIPT (physically tagged): switch_mm changes only the
 * ASID (EntryHi) and every line stays. Where the cache aliases
 * (cpu_has_dc_aliases), a user page is reached at its own colour through
 * kmap_coherent. The r4k_on_each_cpu calls are modelled on this CPU only.
 */
#include "cohsim/fs.h"
#include "kernel/arch/usercache.h"
#include "kernel/mm/mm_impl.h"

static unsigned long psize(void)
{
	return coh__page_size();
}

static bool cpu_has_dc_aliases(void)
{
	return coh_arch_colours(coh_machine_arch(coh__kernel.m)) > 1;
}

/* cpu_context(cpu, mm) != 0: the mm has run on this CPU */
static bool has_context(const struct mm_struct *mm)
{
	return (mm->cpu_vm_mask >> coh__cpu()) & 1;
}

/* switch_mm(): get_new_mmu_context if needed, write_c0_entryhi(ASID) */
static void mips_switch_mm(struct mm_struct *prev, struct mm_struct *next)
{
	(void)prev;
	KSITE();
	coh_cpu_set_as(coh__kernel.m, coh__cpu(), next->asid);
}

/* r4k_flush_cache_mm / _range: r4k_blast_dcache() where the mm ran and the
 * cache aliases. */
static void mips_flush_cache_mm(struct mm_struct *mm)
{
	if (cpu_has_dc_aliases() && has_context(mm))
		coh__flush_cache_all_local();
}

static void mips_flush_cache_range(struct vm_area_struct *vma, unsigned long start,
                                   unsigned long end)
{
	(void)start;
	(void)end;
	mips_flush_cache_mm(vma->vm_mm);
}

/* local_r4k_flush_cache_page(): through the user VA when the mm is the
 * active one, else through kmap_coherent at the user colour (the page is
 * mapped) or its kernel address. */
static void mips_flush_cache_page(struct vm_area_struct *vma, unsigned long addr, unsigned long pfn)
{
	if (!has_context(vma->vm_mm) || !cpu_has_dc_aliases())
		return;
	struct page *page = pfn_to_page(pfn);
	if (coh__mm_is_active(vma->vm_mm)) {
		coh__cache_range(addr & ~(psize() - 1), psize(), COH__DC_FLUSH);
		return;
	}
	coh_addr_t k = coh__colour_map(page, page_mapped(page) ? addr : 0, COH__TMP_ALIAS);
	coh__cache_range(k, psize(), COH__DC_FLUSH);
	coh__colour_unmap(k);
}

/* flush_anon_page -> __flush_anon_page(): if the kernel and user
 * addresses alias, flush_data_cache_page of a kmap_coherent at the user
 * colour (a mapped page), else of the kernel address. */
static void mips_flush_anon_page(struct vm_area_struct *vma, struct page *page,
                                 unsigned long vmaddr)
{
	(void)vma;
	if (!cpu_has_dc_aliases() || !PageAnon(page))
		return;
	coh_addr_t addr = page_address(page).addr;
	if (!coh__pages_do_alias(addr, vmaddr))
		return;
	if (page_mapped(page)) {
		coh_addr_t k = coh__colour_map(page, vmaddr, COH__TMP_ALIAS);
		coh__cache_range(k, psize(), COH__DC_FLUSH);
		coh__colour_unmap(k);
	} else {
		coh__cache_range(addr, psize(), COH__DC_FLUSH);
	}
}

/* copy_user_highpage() (arch/mips/mm/init.c): the source through
 * kmap_coherent at the user colour if it is mapped, then the destination's
 * kernel alias flushed if it aliases the user address. */
static void mips_copy_user_highpage(struct page *to, struct page *from, unsigned long vaddr,
                                    struct vm_area_struct *vma)
{
	(void)vma;
	simptr vto = kmap_atomic(to);
	if (cpu_has_dc_aliases() && page_mapped(from)) {
		coh_addr_t vfrom = coh__colour_map(from, vaddr, COH__TMP_FROM);
		coh__copy_page(vto.addr, vfrom);
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

/* clear_user_highpage -> clear_user_page(): clear_page, then
 * flush_data_cache_page if the kernel address aliases the user one. */
static void mips_clear_user_highpage(struct page *page, unsigned long vaddr)
{
	coh__clear_user_highpage_flush_alias(page, vaddr);
}

/* update_mmu_cache -> __update_cache (arch/mips/mm/cache.c): a page-cache
 * page marked PG_dcache_dirty has its kernel alias flushed if it aliases
 * the user address it is mapped at now. */
static void mips_update_mmu_cache(struct vm_area_struct *vma, unsigned long address,
                                  struct coh_pte *pte)
{
	(void)vma;
	struct page *page = pte->page;
	if (pte->special || !page_mapping(page) || !(page->flags & (1ul << PG_arch_1)))
		return;
	coh_addr_t addr = page_address(page).addr;
	if (addr && coh__pages_do_alias(addr, address & ~(coh__page_size() - 1)))
		coh__cache_range(addr, coh__page_size(), COH__DC_FLUSH);
	page->flags &= ~(1ul << PG_arch_1); /* ClearPageDcacheDirty */
}

/* Page_dcache_dirty (PG_arch_1): set by a deferred flush_dcache_page of an
 * unmapped file's page and by the memcpy ways of copy_to/from_user_page;
 * cleared by __update_cache. */
static bool page_dcache_dirty(const struct page *page)
{
	return page->flags & (1ul << PG_arch_1);
}

/* copy_to_user_page() (arch/mips/mm/init.c 2.6.3x): a mapped page that is
 * not Page_dcache_dirty is written through kmap_coherent at the user
 * colour; else through the kernel alias, and marked dcache-dirty where the
 * cache aliases. An executable mapping then gets flush_cache_page. */
static void mips_copy_to_user_page(struct vm_area_struct *vma, struct page *page,
                                   unsigned long uaddr, coh_addr_t kaddr, const void *src,
                                   unsigned long len)
{
	if (cpu_has_dc_aliases() && page_mapped(page) && !page_dcache_dirty(page)) {
		coh_addr_t vto = coh__colour_map(page, uaddr, COH__TMP_ALIAS);
		sim_memcpy_to(simptr_at(vto + (uaddr & (psize() - 1))), src, len);
		coh__colour_unmap(vto); /* kunmap_coherent: the TLB entry only */
	} else {
		sim_memcpy_to(simptr_at(kaddr), src, len);
		if (cpu_has_dc_aliases())
			page->flags |= 1ul << PG_arch_1; /* SetPageDcacheDirty */
	}
	if (vma->vm_flags & VM_EXEC)
		flush_cache_page(vma, uaddr, page_to_pfn(page));
}

/* copy_from_user_page() (arch/mips/mm/init.c 2.6.3x): the same choice,
 * reading. */
static void mips_copy_from_user_page(struct vm_area_struct *vma, struct page *page,
                                     unsigned long uaddr, void *dst, coh_addr_t kaddr,
                                     unsigned long len)
{
	(void)vma;
	if (cpu_has_dc_aliases() && page_mapped(page) && !page_dcache_dirty(page)) {
		coh_addr_t vfrom = coh__colour_map(page, uaddr, COH__TMP_ALIAS);
		sim_memcpy_from(dst, simptr_at(vfrom + (uaddr & (psize() - 1))), len);
		coh__colour_unmap(vfrom);
	} else {
		sim_memcpy_from(dst, simptr_at(kaddr), len);
		if (cpu_has_dc_aliases())
			page->flags |= 1ul << PG_arch_1;
	}
}

const struct coh__user_ops coh__mips_user_ops = {
    .switch_mm = mips_switch_mm,
    .flush_cache_mm = mips_flush_cache_mm,
    .flush_cache_range = mips_flush_cache_range,
    .flush_cache_page = mips_flush_cache_page,
    .flush_anon_page = mips_flush_anon_page,
    .copy_user_highpage = mips_copy_user_highpage,
    .clear_user_highpage = mips_clear_user_highpage,
    .update_mmu_cache = mips_update_mmu_cache,
    .copy_to_user_page = mips_copy_to_user_page,
    .copy_from_user_page = mips_copy_from_user_page,
};
