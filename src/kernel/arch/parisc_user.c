/*
 * parisc_user.c - PA-RISC's cache code for user pages, 2.6.34-35:
 * arch/parisc/kernel/cache.c (flush_cache_range, __flush_cache_page,
 * copy_user_page, clear_user_page) and asm/cacheflush.h (flush_cache_mm,
 * flush_anon_page), asm/mmu_context.h switch_mm.
 *
 * The cache is VIPT, hashed over VA bits up to 21, and the kernel ignores
 * space ids in it: switch_mm loads the new space id and page table and
 * keeps every line. A user page is flushed through its own VA in the
 * current space, or through a temporary alias congruent with it.
 */
#include "cohsim/fs.h"
#include "kernel/arch/usercache.h"
#include "kernel/mm/mm_impl.h"

static unsigned long psize(void)
{
	return coh__page_size();
}

/* switch_mm(): mtctl(__pa(next->pgd), 25); load_context(next->context) */
static void parisc_switch_mm(struct mm_struct *prev, struct mm_struct *next)
{
	(void)prev;
	KSITE();
	coh_cpu_set_as(coh__kernel.m, coh__cpu(), next->asid);
}

/* flush_cache_mm() (asm/cacheflush.h): flush_cache_all() on SMP (every
 * CPU), flush_cache_all_local() on UP */
static void parisc_flush_cache_mm(struct mm_struct *mm)
{
	(void)mm;
	if (coh_machine_ncpus(coh__kernel.m) > 1)
		coh__flush_cache_all_cpus();
	else
		coh__flush_cache_all_local();
}

/* flush_cache_range(): flush_user_dcache_range in the current space (sr3),
 * else flush_cache_all() */
static void parisc_flush_cache_range(struct vm_area_struct *vma, unsigned long start,
                                     unsigned long end)
{
	if (coh__mm_is_active(vma->vm_mm))
		coh__cache_range(start, end - start, COH__DC_FLUSH);
	else
		coh__flush_cache_all_cpus();
}

/* flush_cache_page() -> __flush_cache_page(): flush_cache_page_asm through
 * a temporary alias congruent with the user address. */
static void parisc_flush_cache_page(struct vm_area_struct *vma, unsigned long vmaddr,
                                    unsigned long pfn)
{
	(void)vma;
	coh_addr_t k = coh__colour_map(pfn_to_page(pfn), vmaddr, COH__TMP_ALIAS);
	coh__cache_range(k, psize(), COH__DC_FLUSH);
	coh__colour_unmap(k);
}

/* flush_anon_page(): flush_user_dcache_page(vmaddr), by user VA in the
 * current space. */
static void parisc_flush_anon_page(struct vm_area_struct *vma, struct page *page,
                                   unsigned long vmaddr)
{
	(void)vma;
	if (PageAnon(page))
		coh__cache_range(vmaddr & ~(psize() - 1), psize(), COH__DC_FLUSH);
}

/* copy_user_highpage (generic) -> copy_user_page(): copy_user_page_asm
 * between the kernel addresses, then flush_kernel_dcache_page_asm(vto). */
static void parisc_copy_user_highpage(struct page *to, struct page *from, unsigned long vaddr,
                                      struct vm_area_struct *vma)
{
	(void)vaddr;
	(void)vma;
	simptr vfrom = kmap_atomic(from);
	simptr vto = kmap_atomic(to);
	coh__copy_page(vto.addr, vfrom.addr);
	coh__cache_range(vto.addr, psize(), COH__DC_FLUSH);
	kunmap_atomic(vto);
	kunmap_atomic(vfrom);
}

/* clear_user_page(): purge_kernel_dcache_page, then clear_user_page_asm
 * through an alias congruent with the user address. The purge is modelled
 * as a flush: the previous owner's dirty lines are dead data, but the
 * oracle cannot tell them from live ones. */
static void parisc_clear_user_highpage(struct page *page, unsigned long vaddr)
{
	simptr k = kmap_atomic(page);
	coh__cache_range(k.addr, psize(), COH__DC_FLUSH);
	kunmap_atomic(k);
	coh_addr_t to = coh__colour_map(page, vaddr, COH__TMP_TO);
	coh__clear_page(to);
	coh__colour_unmap(to);
}

/* flush_kernel_dcache_page -> flush_kernel_dcache_page_addr (cache.c):
 * fdc over the page's kernel address. */
void coh__parisc_flush_kernel_dcache_page(struct page *page)
{
	simptr va = page_address(page);
	if (!simptr_is_null(va))
		coh__cache_range(va.addr, psize(), COH__DC_FLUSH);
}

/* flush_dcache_page's head (cache.c 2.6.3x): a page-cache page of a file
 * no one maps only gets PG_dcache_dirty (update_mmu_cache flushes it). */
bool coh__parisc_flush_dcache_page_defer(struct page *page)
{
	struct address_space *mapping = page_mapping(page);
	if (!mapping || mapping_mapped(mapping))
		return false;
	page->flags |= 1ul << PG_arch_1; /* PG_dcache_dirty */
	return true;
}

/* flush_dcache_page's walk (arch/parisc/kernel/cache.c 2.6.3x): the VMAs
 * of i_mmap that map the page; mappings of a file are congruent (the
 * kernel arranges it), so one __flush_cache_page per colour met. */
void coh__parisc_flush_dcache_page_user(struct page *page)
{
	struct address_space *mapping = page_mapping(page);
	if (!mapping)
		return;
	pgoff_t pgoff = page->index;
	unsigned long old_addr = 0;
	spin_lock_irq(&mapping->tree_lock); /* flush_dcache_mmap_lock */
	for (struct vm_area_struct *mpnt = mapping->i_mmap; mpnt; mpnt = mpnt->shared_next) {
		unsigned long npages = (mpnt->vm_end - mpnt->vm_start) >> coh__kernel.page_shift;
		if (pgoff < mpnt->vm_pgoff || pgoff >= mpnt->vm_pgoff + npages)
			continue;
		unsigned long addr =
		    mpnt->vm_start + ((pgoff - mpnt->vm_pgoff) << coh__kernel.page_shift);
		if (old_addr == 0 || coh__pages_do_alias(old_addr, addr)) {
			parisc_flush_cache_page(mpnt, addr, page_to_pfn(page));
			old_addr = addr;
		}
	}
	spin_unlock_irq(&mapping->tree_lock);
}

/* update_mmu_cache (arch/parisc/kernel/cache.c 2.6.3x): a page-cache page
 * whose flush was deferred (PG_dcache_dirty) gets flush_kernel_dcache_page. */
static void parisc_update_mmu_cache(struct vm_area_struct *vma, unsigned long address,
                                    struct coh_pte *pte)
{
	(void)vma;
	(void)address;
	struct page *page = pte->page;
	if (pte->special || !page_mapping(page) || !(page->flags & (1ul << PG_arch_1)))
		return;
	flush_kernel_dcache_page(page);
	page->flags &= ~(1ul << PG_arch_1);
}

/* copy_to_user_page (asm/cacheflush.h 2.6.3x): flush_cache_page of the
 * user page, the memcpy, flush_kernel_dcache_range_asm of the kernel
 * range. The model calls this after the memcpy, so the user page's flush
 * comes after the copy (the same end state unless the user dirtied that
 * line meanwhile). */
static void parisc_flush_ptrace_access(struct vm_area_struct *vma, struct page *page,
                                       unsigned long uaddr, coh_addr_t kaddr, unsigned long len)
{
	parisc_flush_cache_page(vma, uaddr, page_to_pfn(page));
	coh__cache_range(kaddr, len, COH__DC_FLUSH);
}

const struct coh__user_ops coh__parisc_user_ops = {
    .switch_mm = parisc_switch_mm,
    .flush_cache_mm = parisc_flush_cache_mm,
    .flush_cache_range = parisc_flush_cache_range,
    .flush_cache_page = parisc_flush_cache_page,
    .flush_anon_page = parisc_flush_anon_page,
    .copy_user_highpage = parisc_copy_user_highpage,
    .clear_user_highpage = parisc_clear_user_highpage,
    .update_mmu_cache = parisc_update_mmu_cache,
    .flush_ptrace_access = parisc_flush_ptrace_access,
};
