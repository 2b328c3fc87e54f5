/*
 * mmap.c - address spaces and their VMAs (kernel/fork.c mm_alloc,
 * mm/mmap.c do_mmap_pgoff/do_munmap/split_vma/find_vma, mm/mprotect.c),
 * and the model's page tables, 2.6.31-39.
 *
 * Interface: mm_alloc, do_mmap, do_munmap, do_mprotect, find_vma,
 * coh_pte_lookup (mm.h); the pools and PTE helpers (mm_impl.h).
 * Invariants: an mm's VMAs are sorted and disjoint; each model PTE lies
 * inside a VMA and is mapped at the same VA in the mm's machine address
 * space, and the page it names holds a mapcount (and a reference, except
 * the zero page) for it. Objects come from fixed pools reset by
 * coh__mm_init(), so allocation order (and every id) is deterministic.
 */
#include <string.h>

#include "kernel/arch/usercache.h"
#include "kernel/fs/fs_impl.h"
#include "kernel/mm/mm_impl.h"

#define MAX_MMS 8
#define MAX_VMAS 64
#define MAX_ANON_VMAS 16
#define MAX_SHMEM 4

static struct {
	struct mm_struct mms[MAX_MMS];
	unsigned nmms;
	struct vm_area_struct vmas[MAX_VMAS];
	bool vma_used[MAX_VMAS];
	struct anon_vma anon_vmas[MAX_ANON_VMAS];
	unsigned nanon;
	struct coh_shmem shmem[MAX_SHMEM];
	unsigned nshmem;
	struct page *zero_page;
} mmp;

struct mm_struct coh__init_mm;

unsigned long coh__page_size(void)
{
	return 1ul << coh__kernel.page_shift;
}

int coh__mm_init(void)
{
	/* every object is cleared when handed out: reset the counts only,
	 * which keeps kernel_init cheap for the scenarios with no user memory */
	mmp.nmms = mmp.nanon = mmp.nshmem = 0;
	memset(mmp.vma_used, 0, sizeof(mmp.vma_used));
	coh__init_mm.mmap = NULL;
	coh__init_mm.npte = 0;
	coh__init_mm.cpu_vm_mask = 0;
	coh__init_mm.asid = COH_KERNEL_AS;
	coh__init_mm.mm_users = 1;
	/* the zero page: a lowmem page never written (mm/memory.c, 2.6.32+),
	 * the last lowmem frame, so that alloc_page hands out the same frames
	 * as before (a scenario's colours stay) */
	struct page *zp = pfn_to_page(coh__kernel.highmem_pfn - 1);
	if (!zp || zp->allocated || zp->pfn == 0)
		return COH_ENOMEM;
	zp->allocated = true;
	zp->_refcount = 1;
	mmp.zero_page = zp;
	coh__usercache_init();
	coh__fork_init();
	return COH_OK;
}

struct page *coh_zero_page(void)
{
	return mmp.zero_page;
}

/* mm_alloc() (kernel/fork.c): an empty mm with its own page tables (pgd_alloc)
 * and ASID. */
struct mm_struct *mm_alloc(void)
{
	if (mmp.nmms == MAX_MMS)
		return NULL;
	unsigned asid;
	if (coh_as_create(coh__kernel.m, &asid) != COH_OK)
		return NULL;
	struct mm_struct *mm = &mmp.mms[mmp.nmms];
	memset(mm, 0, sizeof(*mm));
	mm->id = ++mmp.nmms;
	mm->asid = asid;
	mm->mm_users = 1;
	return mm;
}

struct vm_area_struct *coh__vma_alloc(void)
{
	for (unsigned i = 0; i < MAX_VMAS; i++) {
		if (!mmp.vma_used[i]) {
			mmp.vma_used[i] = true;
			memset(&mmp.vmas[i], 0, sizeof(mmp.vmas[i]));
			return &mmp.vmas[i];
		}
	}
	return NULL;
}

static void vma_free(const struct vm_area_struct *vma)
{
	mmp.vma_used[vma - mmp.vmas] = false;
}

struct anon_vma *coh__anon_vma_alloc(void)
{
	if (mmp.nanon == MAX_ANON_VMAS)
		return NULL;
	struct anon_vma *av = &mmp.anon_vmas[mmp.nanon];
	memset(av, 0, sizeof(*av));
	av->id = ++mmp.nanon;
	spin_lock_init(&av->lock);
	return av;
}

static struct coh_shmem *shmem_alloc(void)
{
	if (mmp.nshmem == MAX_SHMEM)
		return NULL;
	struct coh_shmem *sh = &mmp.shmem[mmp.nshmem];
	memset(sh, 0, sizeof(*sh));
	sh->id = ++mmp.nshmem;
	return sh;
}

/* ---- the page tables ---- */

struct coh_pte *coh_pte_lookup(struct mm_struct *mm, unsigned long addr)
{
	addr &= ~(coh__page_size() - 1);
	for (unsigned i = 0; i < mm->npte; i++)
		if (mm->pte[i].addr == addr)
			return &mm->pte[i];
	return NULL;
}

int coh__set_pte(struct mm_struct *mm, unsigned long addr, struct page *page, bool write,
                 bool special)
{
	struct coh_pte *pte = coh_pte_lookup(mm, addr);
	if (!pte) {
		if (mm->npte == COH_MM_PTES)
			return COH_ENOMEM;
		pte = &mm->pte[mm->npte++];
	} else {
		KSITE();
		coh_unmap(coh__kernel.m, mm->asid, addr, coh__page_size());
	}
	*pte = (struct coh_pte){addr, page, write, special, COH_ATTR_WB};
	KSITE();
	return coh_map(coh__kernel.m, mm->asid, addr, page_to_phys(page), coh__page_size(),
	               COH_ATTR_WB);
}

/* set_pte_at of the same page with another memory type (ARM adjust_pte's
 * L_PTE_MT_* bits), then flush_tlb_page: the mapping is made again. */
int coh__set_pte_attr(struct mm_struct *mm, struct coh_pte *pte, enum coh_attr attr)
{
	KSITE();
	coh_unmap(coh__kernel.m, mm->asid, pte->addr, coh__page_size());
	pte->attr = (unsigned char)attr;
	KSITE();
	return coh_map(coh__kernel.m, mm->asid, pte->addr, page_to_phys(pte->page),
	               coh__page_size(), attr);
}

void coh__clear_pte(struct mm_struct *mm, struct coh_pte *pte)
{
	KSITE();
	coh_unmap(coh__kernel.m, mm->asid, pte->addr, coh__page_size());
	/* keep the table in address-insertion order: shift the rest down */
	unsigned i = (unsigned)(pte - mm->pte);
	memmove(&mm->pte[i], &mm->pte[i + 1], (mm->npte - i - 1) * sizeof(*pte));
	mm->npte--;
}

/* ---- VMAs ---- */

/* find_vma(): the first VMA with vm_end > addr. */
struct vm_area_struct *find_vma(struct mm_struct *mm, unsigned long addr)
{
	for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next)
		if (v->vm_end > addr)
			return v;
	return NULL;
}

static void vma_link(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct **pp = &mm->mmap;
	while (*pp && (*pp)->vm_start < vma->vm_start)
		pp = &(*pp)->vm_next;
	vma->vm_next = *pp;
	*pp = vma;
	vma->vm_mm = mm;
	if (vma->anon_vma)
		anon_vma_link(vma);
	if (vma->vm_file)
		coh__vma_link_file(vma); /* __vma_link_file */
}

static void vma_unlink(struct mm_struct *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct **pp = &mm->mmap;
	while (*pp && *pp != vma)
		pp = &(*pp)->vm_next;
	if (*pp)
		*pp = vma->vm_next;
	if (vma->anon_vma)
		anon_vma_unlink(vma);
	if (vma->vm_file)
		coh__vma_unlink_file(vma); /* __remove_shared_vm_struct */
}

/* calc_vm_prot_bits | calc_vm_flag_bits | VM_MAY* (do_mmap_pgoff). */
static unsigned long vm_flags_of(unsigned long prot, unsigned long flags)
{
	unsigned long vmf = (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0) |
	                    (prot & PROT_EXEC ? VM_EXEC : 0);
	vmf |= VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
	if (flags & MAP_SHARED)
		vmf |= VM_SHARED | VM_MAYSHARE;
	return vmf;
}

/* get_unmapped_area: the lowest gap of len from TASK_UNMAPPED_BASE. */
static unsigned long unmapped_area(struct mm_struct *mm, unsigned long len)
{
	unsigned long addr = TASK_UNMAPPED_BASE;
	for (struct vm_area_struct *v = mm->mmap; v; v = v->vm_next) {
		if (v->vm_end <= addr)
			continue;
		if (addr + len <= v->vm_start)
			break;
		addr = v->vm_end;
	}
	return addr + len <= TASK_SIZE ? addr : (unsigned long)-ENOMEM;
}

/* do_mmap_pgoff() of anonymous memory: MAP_PRIVATE gets vm_pgoff = addr >>
 * PAGE_SHIFT, MAP_SHARED a shmem object (shmem_zero_setup) and pgoff 0. */
unsigned long do_mmap(struct mm_struct *mm, unsigned long addr, unsigned long len,
                      unsigned long prot, unsigned long flags)
{
	if (!(flags & MAP_ANONYMOUS))
		return (unsigned long)-EINVAL;
	return do_mmap_pgoff(mm, NULL, addr, len, prot, flags, 0);
}

/* do_mmap_pgoff() (mm/mmap.c): a file mapping gets vm_file, vm_pgoff =
 * pgoff and a place on the mapping's i_mmap (the file's ->mmap says
 * yes); a shared writable one needs a file opened for writing. */
unsigned long do_mmap_pgoff(struct mm_struct *mm, struct file *file, unsigned long addr,
                            unsigned long len, unsigned long prot, unsigned long flags,
                            unsigned long pgoff)
{
	unsigned long psize = coh__page_size();
	if (file) {
		if (flags & MAP_ANONYMOUS)
			return (unsigned long)-EINVAL;
		if ((flags & MAP_SHARED) && (prot & PROT_WRITE) &&
		    (file->f_flags & O_ACCMODE) == O_RDONLY)
			return (unsigned long)-EACCES;
	} else if (!(flags & MAP_ANONYMOUS)) {
		return (unsigned long)-EINVAL;
	}
	if (!mm || !(flags & (MAP_SHARED | MAP_PRIVATE)) ||
	    (flags & MAP_SHARED && flags & MAP_PRIVATE) || len == 0 || (addr & (psize - 1)))
		return (unsigned long)-EINVAL;
	len = (len + psize - 1) & ~(psize - 1);
	if (flags & MAP_FIXED) {
		if (addr + len > TASK_SIZE || addr + len < addr)
			return (unsigned long)-ENOMEM;
		int r = do_munmap(mm, addr, len);
		if (r)
			return (unsigned long)r;
	} else {
		struct vm_area_struct *v = addr ? find_vma(mm, addr) : NULL;
		if (!addr || addr + len > TASK_SIZE || (v && v->vm_start < addr + len))
			addr = unmapped_area(mm, len);
		if (IS_ERR_VALUE(addr))
			return addr;
	}
	struct vm_area_struct *vma = coh__vma_alloc();
	if (!vma)
		return (unsigned long)-ENOMEM;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags_of(prot, flags);
	if (file) {
		vma->vm_file = file;
		vma->vm_pgoff = pgoff;
		if (file->f_op->mmap && file->f_op->mmap(file, vma)) {
			vma_free(vma);
			return (unsigned long)-ENODEV;
		}
	} else if (flags & MAP_SHARED) {
		vma->shm = shmem_alloc();
		if (!vma->shm) {
			vma_free(vma);
			return (unsigned long)-ENOMEM;
		}
		if (len / psize > COH_SHMEM_PAGES) {
			vma_free(vma);
			return (unsigned long)-ENOMEM;
		}
	} else {
		vma->vm_pgoff = addr >> coh__kernel.page_shift;
	}
	vma_link(mm, vma);
	return addr;
}

/* split_vma(): vma becomes [vm_start, addr), a new VMA [addr, vm_end) with
 * the same anon_vma and the pgoff moved on. */
static struct vm_area_struct *split_vma(struct mm_struct *mm, struct vm_area_struct *vma,
                                        unsigned long addr)
{
	struct vm_area_struct *nv = coh__vma_alloc();
	if (!nv)
		return NULL;
	*nv = *vma;
	nv->anon_vma_node = NULL;
	nv->vm_start = addr;
	nv->vm_pgoff += (addr - vma->vm_start) >> coh__kernel.page_shift;
	vma->vm_end = addr;
	vma_link(mm, nv);
	return nv;
}

/* Splits so that [start, end) is made of whole VMAs. */
static int split_range(struct mm_struct *mm, unsigned long start, unsigned long end)
{
	struct vm_area_struct *v = find_vma(mm, start);
	if (v && v->vm_start < start && !split_vma(mm, v, start))
		return -ENOMEM;
	v = find_vma(mm, end);
	if (v && v->vm_start < end && !split_vma(mm, v, end))
		return -ENOMEM;
	return 0;
}

/* zap_pte_range over one VMA: each page's rmap and reference dropped. */
static void zap_vma(struct mm_struct *mm, struct vm_area_struct *vma)
{
	for (unsigned i = 0; i < mm->npte;) {
		struct coh_pte *pte = &mm->pte[i];
		if (pte->addr < vma->vm_start || pte->addr >= vma->vm_end) {
			i++;
			continue;
		}
		struct page *page = pte->page;
		bool special = pte->special;
		coh__clear_pte(mm, pte);
		if (!special) {
			page_remove_rmap(page);
			put_page(page);
		}
	}
}

/* do_munmap(): split at the edges, then unmap_region(): tlb_start_vma's
 * flush_cache_range per VMA (ARM asm/tlb.h), the PTEs zapped, the VMAs
 * unlinked. */
int do_munmap(struct mm_struct *mm, unsigned long start, unsigned long len)
{
	unsigned long psize = coh__page_size();
	if ((start & (psize - 1)) || len == 0 || start + len > TASK_SIZE)
		return -EINVAL;
	unsigned long end = start + ((len + psize - 1) & ~(psize - 1));
	int r = split_range(mm, start, end);
	if (r)
		return r;
	struct vm_area_struct *v = find_vma(mm, start);
	while (v && v->vm_start < end) {
		struct vm_area_struct *next = v->vm_next;
		flush_cache_range(v, v->vm_start, v->vm_end);
		zap_vma(mm, v);
		vma_unlink(mm, v);
		vma_free(v);
		v = next;
	}
	return 0;
}

/* sys_mprotect() -> mprotect_fixup() -> change_protection(): the VMAs get
 * the new flags, flush_cache_range, and the PTEs the new protection:
 * writable only in a shared writable mapping (a private one gets
 * PAGE_COPY: its next write faults, and do_wp_page reuses or copies). */
int do_mprotect(struct mm_struct *mm, unsigned long start, unsigned long len, unsigned long prot)
{
	unsigned long psize = coh__page_size();
	if ((start & (psize - 1)) || len == 0)
		return -EINVAL;
	unsigned long end = start + ((len + psize - 1) & ~(psize - 1));
	/* the whole range must be mapped */
	unsigned long a = start;
	for (struct vm_area_struct *v = find_vma(mm, start); v && a < end; v = v->vm_next) {
		if (v->vm_start > a)
			return -ENOMEM;
		a = v->vm_end;
	}
	if (a < end)
		return -ENOMEM;
	int r = split_range(mm, start, end);
	if (r)
		return r;
	for (struct vm_area_struct *v = find_vma(mm, start); v && v->vm_start < end;
	     v = v->vm_next) {
		unsigned long keep = v->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC);
		v->vm_flags = keep | vm_flags_of(prot, 0);
		flush_cache_range(v, v->vm_start, v->vm_end);
		bool w = (v->vm_flags & VM_WRITE) && (v->vm_flags & VM_SHARED);
		for (unsigned i = 0; i < mm->npte; i++)
			if (mm->pte[i].addr >= v->vm_start && mm->pte[i].addr < v->vm_end)
				mm->pte[i].write = w && !mm->pte[i].special;
	}
	return 0;
}
