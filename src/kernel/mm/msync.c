/*
 * msync.c - msync(2) (mm/msync.c, 2.6.19-39) and access_process_vm
 * (mm/memory.c 2.6.3x, ptrace's and /proc/pid/mem's way into another
 * task's memory).
 *
 * Interface: sys_msync, access_process_vm (cohsim/fs.h).
 * msync: MS_ASYNC is a no-op since 2.6.19 (dirty pages are tracked at the
 * write fault); MS_SYNC fsyncs the whole file of each shared file VMA in
 * the range (vfs_fsync, not the range: as the era). access_process_vm:
 * one page at a time through get_user_pages and a kmap, the arch's
 * copy_to_user_page (a write, then set_page_dirty_lock) or
 * copy_from_user_page.
 */
#include <string.h>

#include "kernel/arch/usercache.h"
#include "kernel/fs/fs_impl.h"

/* sys_msync (mm/msync.c). */
int sys_msync(struct mm_struct *mm, unsigned long start, size_t len, int flags)
{
	unsigned long psize = coh__page_size();
	int unmapped_error = 0;
	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (start & (psize - 1))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	len = (len + psize - 1) & ~(psize - 1);
	unsigned long end = start + len;
	if (end < start)
		return -ENOMEM;
	if (end == start)
		return 0;
	struct vm_area_struct *vma = find_vma(mm, start);
	for (;;) {
		if (!vma)
			return -ENOMEM;
		if (start < vma->vm_start) {
			start = vma->vm_start;
			if (start >= end)
				return -ENOMEM;
			unmapped_error = -ENOMEM;
		}
		/* MS_INVALIDATE && VM_LOCKED: -EBUSY (no mlock in the model) */
		struct file *file = vma->vm_file;
		start = vma->vm_end;
		if ((flags & MS_SYNC) && file && (vma->vm_flags & VM_SHARED)) {
			int error = vfs_fsync(file, 0);
			if (error || start >= end)
				return error ? error : unmapped_error;
			vma = find_vma(mm, start);
		} else {
			if (start >= end)
				return unmapped_error;
			vma = vma->vm_next;
		}
	}
}

/* access_process_vm (mm/memory.c 2.6.3x). */
int access_process_vm(struct task_struct *tsk, unsigned long addr, void *buf, int len, int write)
{
	struct mm_struct *mm = tsk->mm;
	uint8_t *b = buf;
	unsigned long psize = coh__page_size();
	while (len > 0) {
		struct page *page;
		struct vm_area_struct *vma;
		int ret = get_user_pages(tsk, mm, addr, 1, write, 1, &page, &vma);
		if (ret <= 0)
			break;
		unsigned long offset = addr & (psize - 1);
		unsigned long bytes = (unsigned long)len;
		if (bytes > psize - offset)
			bytes = psize - offset;
		simptr maddr = kmap(page);
		if (write) {
			coh__copy_to_user_page(vma, page, addr, maddr.addr + offset, b, bytes);
			lock_page(page); /* set_page_dirty_lock */
			set_page_dirty(page);
			unlock_page(page);
		} else {
			coh__copy_from_user_page(vma, page, addr, b, maddr.addr + offset, bytes);
		}
		kunmap(page);
		put_page(page);
		len -= (int)bytes;
		b += bytes;
		addr += bytes;
	}
	return (int)(b - (uint8_t *)buf);
}
