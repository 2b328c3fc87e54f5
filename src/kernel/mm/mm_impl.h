/*
 * mm_impl.h - what the files of the user-memory model share (src/kernel).
 *
 * mmap.c owns the pools (mm_structs, VMAs, anon_vmas, shmem objects) and
 * the model PTEs; memory.c the faults; rmap.c the anon_vma lists and
 * mapcounts; fork.c the task_structs and the context switch; uaccess.c
 * and gup.c the kernel's ways into user memory. coh__mm_init() rebuilds
 * everything at kernel_init().
 */
#ifndef COHSIM_KERNEL_MM_IMPL_H
#define COHSIM_KERNEL_MM_IMPL_H

#include "cohsim/mm.h"
#include "kernel/kernel_impl.h"

#define COH_SHMEM_PAGES 16

struct coh_shmem {
	struct page *pages[COH_SHMEM_PAGES]; /* by index */
	unsigned id;
};

/* mmap.c */
int coh__mm_init(void);               /* pools, the zero page, init_mm, the switch hook */
extern struct mm_struct coh__init_mm; /* the kernel's (asid 0): no user pages */
struct vm_area_struct *coh__vma_alloc(void);
struct anon_vma *coh__anon_vma_alloc(void);
/* Sets the PTE of addr (page-aligned) and maps it in mm's address space. */
int coh__set_pte(struct mm_struct *mm, unsigned long addr, struct page *page, bool write,
                 bool special);
/* The same PTE with memory type attr (its mapping made again). */
int coh__set_pte_attr(struct mm_struct *mm, struct coh_pte *pte, enum coh_attr attr);
/* Removes it from the table and the address space. */
void coh__clear_pte(struct mm_struct *mm, struct coh_pte *pte);
unsigned long coh__page_size(void);

/* memory.c */
/* The fault path of a user or kernel access to uaddr in mm: 0 when the
 * access may go on, -EFAULT when no VMA allows it. */
int coh__fault_in(struct mm_struct *mm, unsigned long uaddr, bool write);
/* update_mmu_cache(vma, addr, pte) of the profile's arch. */
void coh__update_mmu_cache(struct vm_area_struct *vma, unsigned long addr, struct coh_pte *pte);

/* rmap.c */
int anon_vma_prepare(struct vm_area_struct *vma);
void anon_vma_link(struct vm_area_struct *vma);
void anon_vma_unlink(struct vm_area_struct *vma);
void page_add_new_anon_rmap(struct page *page, struct vm_area_struct *vma, unsigned long address);
void page_add_file_rmap(struct page *page);
void page_dup_rmap(struct page *page);
void page_remove_rmap(struct page *page);

/* fork.c */
void coh__fork_init(void);
struct mm_struct *coh__current_active_mm(void);

#endif
