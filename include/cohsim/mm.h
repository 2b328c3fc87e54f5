/*
 * cohsim/mm.h - user address spaces under the kernel's names: mm_struct,
 * vm_area_struct, anon_vma rmap, page faults, fork with copy-on-write,
 * get_user_pages, the uaccess functions, and the cache-flush API of user
 * pages (flush_anon_page, flush_cache_page, copy_user_highpage, ...).
 * Included by linux.h.
 *
 * The model follows 2.6.31-2.6.39 (linux_version_code()). An mm has its own
 * machine address space (coh_as_create) holding its page tables, and a
 * model PTE per present page (which page, writable or not: the machine's
 * MMU does not check permissions, so the model does it before each user
 * access). Tasks made with user_task_create()/do_fork() run in an mm; a
 * task without one is a kernel thread that borrows the active_mm of the
 * task before it (lazy TLB). switch_mm runs at the real context switch
 * (the sched layer's switch hook), so the VIVT cache of ARMv5 holds only
 * the current mm's user lines, as on the hardware.
 *
 * Ownership: every object here belongs to the execution's kernel and dies
 * with it (pools rebuilt by kernel_init); none is freed by the caller.
 */
#ifndef COHSIM_MM_H
#define COHSIM_MM_H

#include "cohsim/linux.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TASK_SIZE 0xBF000000ul          /* user space: [0, TASK_SIZE) */
#define TASK_UNMAPPED_BASE 0x40000000ul /* where mmap looks first */

/* vm_flags (include/linux/mm.h) */
#define VM_READ 0x00000001ul
#define VM_WRITE 0x00000002ul
#define VM_EXEC 0x00000004ul
#define VM_SHARED 0x00000008ul
#define VM_MAYREAD 0x00000010ul
#define VM_MAYWRITE 0x00000020ul
#define VM_MAYEXEC 0x00000040ul
#define VM_MAYSHARE 0x00000080ul

#define PROT_NONE 0x0ul
#define PROT_READ 0x1ul
#define PROT_WRITE 0x2ul
#define PROT_EXEC 0x4ul
#define MAP_SHARED 0x01ul
#define MAP_PRIVATE 0x02ul
#define MAP_FIXED 0x10ul
#define MAP_ANONYMOUS 0x20ul

#define CLONE_VM 0x00000100ul

/* errno values, returned negated */
#define EFAULT 14
#define ENOMEM 12
#define EINVAL 22
#define IS_ERR_VALUE(x) ((unsigned long)(x) >= (unsigned long)-4095)

/* handle_mm_fault() flags and result bits */
#define FAULT_FLAG_WRITE 0x01u
#define VM_FAULT_OOM 0x0001u
#define VM_FAULT_SIGBUS 0x0002u
#define VM_FAULT_MAJOR 0x0004u
#define VM_FAULT_WRITE 0x0008u /* a COW broke: the page is a new copy */
#define VM_FAULT_ERROR (VM_FAULT_OOM | VM_FAULT_SIGBUS)

struct vm_area_struct;
struct coh_shmem;
struct file; /* cohsim/fs.h */

/* The anonymous memory of one VMA and of the VMAs forked or split from it
 * (mm/rmap.c, before 2.6.34's anon_vma_chain): page->mapping of each of
 * its pages points here, tagged with PAGE_MAPPING_ANON. */
struct anon_vma {
	spinlock_t lock;             /* guards the list; not IRQ-safe */
	struct vm_area_struct *head; /* VMAs, through anon_vma_node, in link order */
	unsigned id;                 /* creation order, for reports */
};

struct vm_area_struct {
	struct mm_struct *vm_mm;
	unsigned long vm_start, vm_end; /* [vm_start, vm_end) */
	struct vm_area_struct *vm_next; /* the mm's list, by address */
	unsigned long vm_flags;
	unsigned long vm_pgoff; /* anonymous private: vm_start >> PAGE_SHIFT */
	struct file *vm_file;   /* NULL: anonymous */
	/* the next VMA of vm_file's mapping->i_mmap (cohsim/fs.h) */
	struct vm_area_struct *shared_next;
	struct anon_vma *anon_vma;
	struct vm_area_struct *anon_vma_node; /* next VMA of the same anon_vma */
	/* MAP_SHARED|MAP_ANONYMOUS: the shared pages (shmem's object; its
	 * pages are not PageAnon, and have no address_space until the page
	 * cache is modelled). NULL otherwise. */
	struct coh_shmem *shm;
};

/* A model PTE: the page mapped at one user page and whether it may be
 * written (a clear bit is a write-protected COW or zero-page mapping). */
struct coh_pte {
	unsigned long addr; /* page-aligned user VA */
	struct page *page;
	bool write;
	bool special; /* the zero page (pte_special): no rmap, no refcount */
	/* its memory type (enum coh_attr): COH_ATTR_WB as mk_pte makes it;
	 * ARM's make_coherent turns shared aliases in one mm uncached */
	unsigned char attr;
};
#define COH_MM_PTES 64

struct mm_struct {
	struct vm_area_struct *mmap; /* VMAs, sorted by address */
	unsigned asid;               /* its machine address space: pgd and ASID */
	int mm_users;
	unsigned long cpu_vm_mask; /* mm_cpumask: CPUs that may cache its user lines */
	unsigned id;               /* creation order, for reports */
	struct coh_pte pte[COH_MM_PTES];
	unsigned npte;
};

struct task_struct {
	coh_task *task;
	struct mm_struct *mm;        /* NULL: a kernel thread */
	struct mm_struct *active_mm; /* the mm it runs on (a kernel thread borrows one) */
};

/* The running process task's task_struct (a kernel thread gets one the
 * first time it asks). NULL on the host stack and in IRQ context. */
COH_API struct task_struct *get_current(void);
#define current get_current()

/* ---- address spaces and tasks (kernel/fork.c, mm/mmap.c) ---- */

/* A new, empty mm (mm_users 1). NULL when the model's pool is exhausted. */
COH_API struct mm_struct *mm_alloc(void);
/* A process task running fn(arg) in mm on cpu. From setup or a task. */
COH_API struct task_struct *user_task_create(coh_sched *s, const char *name, unsigned cpu,
                                             struct mm_struct *mm, coh_task_fn fn, void *arg);
/* fork() from the running user task, on its CPU: with CLONE_VM a thread of
 * the same mm, else a child with a copy of current->mm (dup_mmap: the
 * parent's cache flushed with flush_cache_dup_mm, private writable pages
 * shared copy-on-write). NULL on failure. */
COH_API struct task_struct *do_fork(unsigned long clone_flags, const char *name, coh_task_fn fn,
                                    void *arg);
/* switch_mm(prev, next, tsk) of the profile's arch; called at each context
 * switch that changes the mm (the sched switch hook). */
COH_API void switch_mm(struct mm_struct *prev, struct mm_struct *next, struct task_struct *tsk);
/* The mm whose user mappings cpu runs on (current->active_mm there). */
COH_API struct mm_struct *cpu_active_mm(unsigned cpu);

/* mmap of anonymous memory in mm (MAP_ANONYMOUS with MAP_PRIVATE or
 * MAP_SHARED; addr a hint, or exact with MAP_FIXED): the address, or a
 * negative errno (IS_ERR_VALUE). No page is allocated until a fault. */
COH_API unsigned long do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
                              unsigned long prot, unsigned long flags);
/* munmap: flush_cache_range of each VMA, its pages unmapped and released. */
COH_API int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len);
/* mprotect: the VMAs of [start, start+len) get prot (split as needed). */
COH_API int do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len,
                        unsigned long prot);
/* The first VMA with vm_end > addr, or NULL. */
COH_API struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr);
/* The model PTE of the page holding addr, or NULL if none is present. */
COH_API struct coh_pte *coh_pte_lookup(struct mm_struct *mm, unsigned long addr);

/* ---- page faults (mm/memory.c) ---- */

COH_API unsigned handle_mm_fault(struct mm_struct *mm, struct vm_area_struct *vma,
                                 unsigned long address, unsigned flags);
/* The page the zero-page PTEs map (never written). */
COH_API struct page *coh_zero_page(void);
#define ZERO_PAGE(vaddr) coh_zero_page()

/* ---- rmap (mm/rmap.c) ---- */

#define PAGE_MAPPING_ANON 1ul
COH_API bool PageAnon(const struct page *page);
COH_API struct anon_vma *page_anon_vma(const struct page *page);
/* NULL for an anonymous page. */
COH_API struct address_space *page_mapping(const struct page *page);
COH_API int page_mapcount(const struct page *page);
COH_API bool page_mapped(const struct page *page);
/* The user address of page in vma, or -EFAULT if it is outside. */
COH_API unsigned long vma_address(const struct page *page, const struct vm_area_struct *vma);
/* Unmaps page from every VMA of its anon_vma (flush_cache_page first, as
 * try_to_unmap_one does). Returns the number of mappings removed. */
COH_API int try_to_unmap(struct page *page);

/* ---- pages in use ---- */

COH_API void get_page(struct page *page);
/* Drops a reference; the last frees the page. */
COH_API void put_page(struct page *page);
#define page_cache_release(page) put_page(page)

/* ---- get_user_pages (mm/memory.c) ---- */

/* Faults in and pins nr_pages user pages of mm from start (write: for
 * writing, breaking COW), calling flush_anon_page (the `gup-flush-anon-page`
 * switch, 6020dff09252) and flush_dcache_page on each. Returns how many it
 * got, or -EFAULT/-ENOMEM if none. Each page needs a put_page(). */
COH_API int get_user_pages(struct task_struct *tsk, struct mm_struct *mm, unsigned long start,
                           int nr_pages, int write, int force, struct page **pages,
                           struct vm_area_struct **vmas);

/* ---- uaccess: the kernel touching current's user memory ---- */

/* Bytes not copied (0: all). A fault that cannot be handled stops it. */
#define copy_to_user(to, from, n) coh__copy_to_user((to), (from), (n), __FILE__, __LINE__)
#define copy_from_user(to, from, n) coh__copy_from_user((to), (from), (n), __FILE__, __LINE__)
/* get_user(x, uaddr) / put_user(x, uaddr): 0 or -EFAULT; x a u8..u64 lvalue. */
#define get_user(x, uaddr) coh__get_user(&(x), sizeof(x), (uaddr), __FILE__, __LINE__)
#define put_user(x, uaddr) coh__put_user((u64)(x), sizeof(x), (uaddr), __FILE__, __LINE__)
COH_API unsigned long coh__copy_to_user(unsigned long to, simptr from, unsigned long n,
                                        const char *file, unsigned line);
COH_API unsigned long coh__copy_from_user(simptr to, unsigned long from, unsigned long n,
                                          const char *file, unsigned line);
COH_API int coh__get_user(void *x, size_t size, unsigned long uaddr, const char *file,
                          unsigned line);
/* __copy_to_user_inatomic: as copy_to_user with page faults disabled: it
 * stops, with the bytes not copied, at a page that is absent or
 * write-protected instead of faulting (for kmap_atomic sections). */
#define __copy_to_user_inatomic(to, from, n)                                                       \
	coh__copy_to_user_inatomic((to), (from), (n), __FILE__, __LINE__)
COH_API unsigned long coh__copy_to_user_inatomic(unsigned long to, simptr from, unsigned long n,
                                                 const char *file, unsigned line);
/* __copy_from_user_inatomic: copy_from_user with page faults disabled (it
 * stops at an absent page, returning the bytes not copied). */
#define __copy_from_user_inatomic(to, from, n)                                                     \
	coh__copy_from_user_inatomic((to), (from), (n), __FILE__, __LINE__)
COH_API unsigned long coh__copy_from_user_inatomic(simptr to, unsigned long from, unsigned long n,
                                                   const char *file, unsigned line);
COH_API int coh__put_user(u64 x, size_t size, unsigned long uaddr, const char *file, unsigned line);

/* ---- the user's own loads and stores, through its VAs ---- */

/* A user task's access: a missing PTE or a write to a write-protected one
 * faults (handle_mm_fault); an access no VMA allows is a SIGSEGV: a
 * bad-access finding, and the execution ends. */
#define user_read8(a) ((u8)coh__user_read((a), 1, __FILE__, __LINE__))
#define user_read32(a) ((u32)coh__user_read((a), 4, __FILE__, __LINE__))
#define user_write8(a, v) coh__user_write((a), 1, (u8)(v), __FILE__, __LINE__)
#define user_write32(a, v) coh__user_write((a), 4, (u32)(v), __FILE__, __LINE__)
#define user_memset(a, c, n) coh__user_memset((a), (c), (n), __FILE__, __LINE__)
#define user_memcpy_from(dst, a, n) coh__user_memcpy_from((dst), (a), (n), __FILE__, __LINE__)
COH_API u64 coh__user_read(unsigned long uaddr, unsigned size, const char *file, unsigned line);
COH_API void coh__user_write(unsigned long uaddr, unsigned size, u64 v, const char *file,
                             unsigned line);
COH_API void coh__user_memset(unsigned long uaddr, int c, size_t n, const char *file,
                              unsigned line);
COH_API void coh__user_memcpy_from(void *dst, unsigned long uaddr, size_t n, const char *file,
                                   unsigned line);

/* ---- atomic kmaps (arch/arm/mm/highmem.c, include/linux/highmem.h) ---- */

/* A lowmem page's linear address, or a per-CPU, per-context fixmap slot
 * for a highmem one (preemption off until kunmap_atomic; the VIVT ARM
 * kunmap_atomic flushes the slot). Any context. */
COH_API simptr kmap_atomic(struct page *page);
COH_API void kunmap_atomic(simptr addr);

/* ---- the cache-flush API of user pages (asm/cacheflush.h per arch) ---- */

COH_API void flush_cache_mm(struct mm_struct *mm);
COH_API void flush_cache_range(struct vm_area_struct *vma, unsigned long start, unsigned long end);
COH_API void flush_cache_page(struct vm_area_struct *vma, unsigned long vmaddr, unsigned long pfn);
COH_API void flush_anon_page(struct vm_area_struct *vma, struct page *page, unsigned long vmaddr);
COH_API void copy_user_highpage(struct page *to, struct page *from, unsigned long vaddr,
                                struct vm_area_struct *vma);
COH_API void clear_user_highpage(struct page *page, unsigned long vaddr);

#ifdef __cplusplus
}
#endif
#endif
