/*
 * usercache.h - the arch code of user pages, shared inside src/kernel:
 * switch_mm, flush_cache_mm/range/page, flush_anon_page,
 * copy_user_highpage/clear_user_highpage, update_mmu_cache, and the user
 * half of ARM's flush_dcache_page.
 *
 * Each family fills a `struct coh__user_ops` (arm_user.c, mips_user.c,
 * sh_user.c, parisc_user.c); a NULL member is the generic code of
 * include/linux/highmem.h and asm-generic/cacheflush.h (x86 has only
 * those: a PIPT cache). usercache.c dispatches, and holds the temporary
 * kernel mappings the families use: kmap_atomic and mappings of a page at
 * the cache colour of a user address (ARM's flush_pfn_alias and
 * copypage-v6 aliases, kmap_coherent of MIPS and SH).
 */
#ifndef COHSIM_KERNEL_ARCH_USERCACHE_H
#define COHSIM_KERNEL_ARCH_USERCACHE_H

#include "cohsim/mm.h"
#include "kernel/arch/cacheflush.h"

struct coh__user_ops {
	/* cpu_switch_mm: prev -> next on this CPU (the generic half is done) */
	void (*switch_mm)(struct mm_struct *prev, struct mm_struct *next);
	void (*flush_cache_mm)(struct mm_struct *mm);
	void (*flush_cache_range)(struct vm_area_struct *vma, unsigned long start,
	                          unsigned long end);
	void (*flush_cache_page)(struct vm_area_struct *vma, unsigned long vmaddr,
	                         unsigned long pfn);
	void (*flush_anon_page)(struct vm_area_struct *vma, struct page *page,
	                        unsigned long vmaddr);
	void (*copy_user_highpage)(struct page *to, struct page *from, unsigned long vaddr,
	                           struct vm_area_struct *vma);
	void (*clear_user_highpage)(struct page *page, unsigned long vaddr);
	void (*update_mmu_cache)(struct vm_area_struct *vma, unsigned long addr,
	                         struct coh_pte *pte);
	/* after copy_to_user_page's memcpy into kaddr (ptrace's write) */
	void (*flush_ptrace_access)(struct vm_area_struct *vma, struct page *page,
	                            unsigned long uaddr, coh_addr_t kaddr, unsigned long len);
	/* access_process_vm's copies, where the arch has its own (MIPS, SH):
	 * kaddr is the kmap of page at uaddr's offset. NULL: memcpy through
	 * kaddr (a write then flush_ptrace_access). */
	void (*copy_to_user_page)(struct vm_area_struct *vma, struct page *page,
	                          unsigned long uaddr, coh_addr_t kaddr, const void *src,
	                          unsigned long len);
	void (*copy_from_user_page)(struct vm_area_struct *vma, struct page *page,
	                            unsigned long uaddr, void *dst, coh_addr_t kaddr,
	                            unsigned long len);
};

extern const struct coh__user_ops coh__arm_user_ops;
extern const struct coh__user_ops coh__mips_user_ops;
extern const struct coh__user_ops coh__sh_user_ops;
extern const struct coh__user_ops coh__parisc_user_ops;

void coh__usercache_init(void); /* at kernel_init */
/* flush_ptrace_access of the profile's arch (nothing where it has none). */
void coh__flush_ptrace_access(struct vm_area_struct *vma, struct page *page, unsigned long uaddr,
                              coh_addr_t kaddr, unsigned long len);
/* copy_to_user_page / copy_from_user_page of the profile's arch: len bytes
 * at uaddr of page (kaddr: its kmap at uaddr's offset) from src / to dst. */
void coh__copy_to_user_page(struct vm_area_struct *vma, struct page *page, unsigned long uaddr,
                            coh_addr_t kaddr, const void *src, unsigned long len);
void coh__copy_from_user_page(struct vm_area_struct *vma, struct page *page, unsigned long uaddr,
                              void *dst, coh_addr_t kaddr, unsigned long len);
void coh__arch_switch_mm(struct mm_struct *prev, struct mm_struct *next);
/* ARM: the user half of flush_dcache_page (after __flush_dcache_page). */
void coh__arm_flush_dcache_page_user(struct page *page);

/* Temporary kernel mappings of page, one per CPU and slot: at the cache
 * colour of vaddr (colour_map), or anywhere (COH__TMP_ATOMIC + context).
 * Preemption is off between map and unmap. unmap does no cache work. */
enum coh__tmp_slot { COH__TMP_FROM, COH__TMP_TO, COH__TMP_ALIAS, COH__TMP_ATOMIC };
coh_addr_t coh__colour_map(struct page *page, unsigned long vaddr, enum coh__tmp_slot slot);
void coh__colour_unmap(coh_addr_t va);
/* Do the kernel and user addresses fall in different colours (pages_do_alias)? */
bool coh__pages_do_alias(coh_addr_t a, coh_addr_t b);
/* copy_page/clear_page through the CPU, line by line from the kernel VAs. */
void coh__copy_page(coh_addr_t to, coh_addr_t from);
void coh__clear_page(coh_addr_t to);
/* clear_user_highpage as MIPS (clear_user_page) and SH-4 do it: clear the
 * page through a kmap_atomic, then flush the kernel lines if that address
 * aliases the user one. */
void coh__clear_user_highpage_flush_alias(struct page *page, unsigned long vaddr);
/* Is mm the one this CPU runs on? */
bool coh__mm_is_active(const struct mm_struct *mm);

#endif
