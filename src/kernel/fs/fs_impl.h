/*
 * fs_impl.h - what the page cache and simplefs share inside src/kernel:
 * the per-execution init, the block-copy oracle's view of page-cache
 * pages, the flusher's list of dirty inodes, the arch half of file pages.
 *
 * filemap.c owns the page lock's wait table, the page tree and the oracle
 * helpers; page-writeback.c the dirty inodes; truncate.c invalidation;
 * filemap_fault.c the file faults and i_mmap; msync.c msync and
 * access_process_vm; fs/simplefs.c the super blocks, inodes and files.
 */
#ifndef COHSIM_KERNEL_FS_IMPL_H
#define COHSIM_KERNEL_FS_IMPL_H

#include "cohsim/fs.h"
#include "kernel/mm/mm_impl.h"

/* kernel_init: every pool and table of this file's family. */
int coh__pagecache_init(void);
void coh__simplefs_init(void);
/* simplefs's i_op->truncate (vmtruncate calls it): blocks past i_size
 * freed (holes again), the partial last page dirtied (block_truncate_page). */
void coh__simplefs_truncate(struct inode *inode);
/* The i-th inode of sb read since kernel_init (sb->s_inodes), NULL past
 * the last. */
struct inode *coh__simplefs_inode_at(const struct super_block *sb, unsigned i);
void coh__writeback_init(void);

/* filemap.c: the oracle's copies of a page-cache page (one per sector of
 * its block; nothing for a page whose block a_ops->bmap cannot map). */
void coh__pc_track(struct address_space *mapping, struct page *page);
void coh__pc_untrack(struct address_space *mapping, struct page *page);
/* device side: the page now holds the medium's data / reached it */
void coh__pc_fill(struct page *page);
void coh__pc_writeback(struct page *page);
/* CPU side, for the bytes [off, off+len) of the page */
void coh__pc_store(struct page *page, unsigned off, unsigned len);
void coh__pc_read(struct page *page, unsigned off, unsigned len);
/* zero_user_segment: bytes [start, end) of page zeroed through a kmap,
 * then flush_dcache_page. */
void coh__zero_user_segment(struct page *page, unsigned start, unsigned end);

/* page-writeback.c: the inode has dirty pages (the flusher's list). */
void coh__inode_mark_dirty(struct inode *inode);

/* filemap_fault.c: the fault of a file VMA (handle_mm_fault's __do_fault
 * and the shared write fault); i_mmap link/unlink of a VMA. */
unsigned coh__file_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
                         unsigned flags);
unsigned coh__file_wp_fault(struct mm_struct *mm, struct vm_area_struct *vma, unsigned long address,
                            struct coh_pte *pte);
void coh__vma_link_file(struct vm_area_struct *vma);
void coh__vma_unlink_file(struct vm_area_struct *vma);

/* rmap.c: page_mkclean (write-protect every shared user mapping of a
 * page-cache page, flush_cache_page first): how many were writable. */
int page_mkclean(struct page *page);

#endif
