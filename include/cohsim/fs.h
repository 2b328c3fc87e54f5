/*
 * cohsim/fs.h - the page cache and a small file system under the kernel's
 * names (2.6.31-2.6.39): struct inode, struct address_space, struct file,
 * the page flags and the page lock, the generic read/write/writeback/
 * invalidate paths of mm/filemap.c, mm/truncate.c, mm/page-writeback.c,
 * file mmap and msync, and "simplefs", a block-mapped file system with
 * one fixed extent per file on a simulated disk (blkdev.h).
 *
 * Not included by linux.h (its O_* flags would meet <fcntl.h>'s): a
 * scenario or kernel file that uses files includes "cohsim/fs.h".
 *
 * How a scenario uses it:
 *   setup():  kernel_init(); disk = alloc_disk_sim(&cfg);
 *             sb = simplefs_mkfs_mount(disk, specs, n)  (an empty disk,
 *             or the --disk host file, which starts zeroed: mkfs writes
 *             the superblock host-side, then mounts it);
 *             filp = filp_open(sb, "data", O_RDWR [| O_DIRECT]);
 *   tasks:    vfs_read / vfs_write (copy to/from the running task's user
 *             memory), vfs_fsync, do_mmap_pgoff(mm, filp, ...) then user
 *             loads/stores, sys_msync, vmtruncate, ...
 *
 * The oracle: every page-cache page of a file is registered with the
 * block-copy oracle (blockcopy.h) as copies of the disk sectors it
 * caches, one copy per sector (a_ops->bmap finds the block): readpage's
 * completion is a fill, writepage's completion a writeback, a buffered
 * read or a file read fault a read, a buffered write, a shared write
 * fault or a partial-page zeroing a store. A stale page-cache read or a
 * write-back over newer disk data is a finding of the oracle, not of a
 * scenario. Direct I/O (issue 8) reaches the disk by its own bios and
 * tells the oracle with coh_blk_dev_write/coh_blk_dev_read on the disk's
 * device (coh__disk_blk_dev, src/kernel/block/block.h); see
 * fs_blk_dev() below.
 *
 * Ownership: inodes, mappings, files and super blocks come from fixed
 * pools of the execution's kernel and die with it (kernel_init rebuilds
 * them); none is freed by the caller. Page-cache pages hold one
 * reference for the cache; find_get_page and friends return another.
 */
#ifndef COHSIM_FS_H
#define COHSIM_FS_H

#include <sys/types.h>
#include <sys/uio.h>

#include "cohsim/linux.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef int64_t loff_t;
typedef unsigned long pgoff_t;

#ifndef EIO
#define EIO 5
#endif
#ifndef EAGAIN
#define EAGAIN 11
#endif
#ifndef EBADF
#define EBADF 9
#endif
#ifndef EACCES
#define EACCES 13
#endif
#ifndef ENODEV
#define ENODEV 19
#endif
#ifndef EEXIST
#define EEXIST 17
#endif
#ifndef EBUSY
#define EBUSY 16
#endif
#ifndef EFBIG
#define EFBIG 27
#endif
#ifndef ENOSPC
#define ENOSPC 28
#endif
#ifndef ENOENT
#define ENOENT 2
#endif
#define EIOCBQUEUED 529 /* include/linux/errno.h: an AIO request was queued */

/* open flags (asm-generic/fcntl.h values; <fcntl.h>'s when it came first) */
#ifndef O_ACCMODE
#define O_ACCMODE 3
#define O_RDONLY 0
#define O_WRONLY 1
#define O_RDWR 2
#endif
#ifndef O_DIRECT
#define O_DIRECT 040000
#endif
#ifndef O_SYNC
#define O_SYNC 04010000
#endif

/* msync flags (asm-generic/mman-common.h) */
#define MS_ASYNC 1
#define MS_INVALIDATE 2
#define MS_SYNC 4

/* ---- page flags (include/linux/page-flags.h), bits of page->flags ---- */

enum pageflags {
	PG_arch_1 = 0, /* ARM/MIPS/PA-RISC PG_dcache_dirty, SH PG_dcache_clean */
	PG_locked,     /* the page is locked: I/O or a truncate is under way */
	PG_error,      /* the last I/O failed */
	PG_referenced,
	PG_uptodate, /* its contents are valid */
	PG_dirty,    /* newer than the disk: needs writeback */
	PG_lru,
	PG_private,   /* the file system has data on it (buffers): releasepage */
	PG_writeback, /* a writeback is in flight */
	PG_mappedtodisk,
	PG_reclaim,
	__NR_PAGEFLAGS,
};

/* The flag tests and updates are atomic bitops in Linux; in the model
 * they are plain host operations (no preemption point): the order of
 * their effects is the order of the task steps around them. */
#define COH__PAGEFLAG(uname, lname)                                                                \
	static inline bool Page##uname(const struct page *page)                                    \
	{                                                                                          \
		return (page->flags >> PG_##lname) & 1ul;                                          \
	}                                                                                          \
	static inline void SetPage##uname(struct page *page)                                       \
	{                                                                                          \
		page->flags |= 1ul << PG_##lname;                                                  \
	}                                                                                          \
	static inline void ClearPage##uname(struct page *page)                                     \
	{                                                                                          \
		page->flags &= ~(1ul << PG_##lname);                                               \
	}                                                                                          \
	static inline bool TestSetPage##uname(struct page *page)                                   \
	{                                                                                          \
		bool was = Page##uname(page);                                                      \
		SetPage##uname(page);                                                              \
		return was;                                                                        \
	}                                                                                          \
	static inline bool TestClearPage##uname(struct page *page)                                 \
	{                                                                                          \
		bool was = Page##uname(page);                                                      \
		ClearPage##uname(page);                                                            \
		return was;                                                                        \
	}
COH__PAGEFLAG(Locked, locked)
COH__PAGEFLAG(Error, error)
COH__PAGEFLAG(Referenced, referenced)
COH__PAGEFLAG(Uptodate, uptodate)
COH__PAGEFLAG(Dirty, dirty)
COH__PAGEFLAG(Private, private)
COH__PAGEFLAG(Writeback, writeback)
COH__PAGEFLAG(MappedToDisk, mappedtodisk)
#undef COH__PAGEFLAG

/* ---- the page lock (mm/filemap.c): sleeping on the page's wait queue
 * (page_waitqueue: a hashed table of queues, as the kernel's zone
 * wait_table), through the scheduler; every call is a preemption point ---- */

COH_API wait_queue_head_t *page_waitqueue(struct page *page);
/* trylock_page: true when the caller now holds the lock. */
COH_API bool trylock_page(struct page *page);
/* lock_page -> __lock_page: sleeps until PG_locked is ours. Process context. */
COH_API void lock_page(struct page *page);
/* unlock_page: clears PG_locked and wakes the page's waiters. Any context. */
COH_API void unlock_page(struct page *page);
COH_API void wait_on_page_locked(struct page *page);
COH_API void wait_on_page_writeback(struct page *page);
/* set_page_writeback / end_page_writeback (test_set/clear_page_writeback):
 * end wakes the waiters of PG_writeback. Any context. */
COH_API void set_page_writeback(struct page *page);
COH_API void end_page_writeback(struct page *page);

/* ---- the objects ---- */

struct inode;
struct file;
struct address_space;
struct super_block;
struct kiocb; /* fs/aio.c: issue 8 (direct I/O and AIO) defines it */
struct vm_area_struct;
struct writeback_control;

/* struct iovec (include/linux/uio.h) is the host's <sys/uio.h> one, the
 * same shape: iov_base is a user address of current->mm (void __user *),
 * cast to void *, never dereferenced by the host. */

/* A buffer_head for get_block (include/linux/buffer_head.h): the mapping
 * of a file block to a disk block, as fs/direct-io.c and block_read_full_page
 * ask for it. The page cache of the model keeps no buffer_heads on pages
 * (PG_private stands for them). */
#define BH_Uptodate 0
#define BH_Mapped 5
#define BH_New 6
struct buffer_head {
	unsigned long b_state;
	sector_t b_blocknr; /* in units of the file system's block size */
	size_t b_size;      /* in: how much the caller wants mapped; out: how much is */
	struct block_device *b_bdev;
};
static inline bool buffer_mapped(const struct buffer_head *bh)
{
	return (bh->b_state >> BH_Mapped) & 1ul;
}
static inline bool buffer_new(const struct buffer_head *bh)
{
	return (bh->b_state >> BH_New) & 1ul;
}
/* get_block_t (include/linux/fs.h): maps iblock of inode into bh_result;
 * 0 or a negative errno. */
typedef int(get_block_t)(struct inode *inode, sector_t iblock, struct buffer_head *bh_result,
                         int create);

/* writeback_control (include/linux/writeback.h) */
enum writeback_sync_modes { WB_SYNC_NONE, WB_SYNC_ALL };
struct writeback_control {
	enum writeback_sync_modes sync_mode;
	long nr_to_write;
	loff_t range_start, range_end; /* bytes, inclusive */
	bool for_background;
};

struct address_space_operations {
	int (*writepage)(struct page *page, struct writeback_control *wbc);
	int (*readpage)(struct file *file, struct page *page);
	int (*set_page_dirty)(struct page *page);
	int (*write_begin)(struct file *file, struct address_space *mapping, loff_t pos,
	                   unsigned len, unsigned flags, struct page **pagep, void **fsdata);
	int (*write_end)(struct file *file, struct address_space *mapping, loff_t pos, unsigned len,
	                 unsigned copied, struct page *page, void *fsdata);
	sector_t (*bmap)(struct address_space *mapping, sector_t block);
	void (*invalidatepage)(struct page *page, unsigned long offset);
	/* 1: the page's private data is gone and it may leave the cache; 0:
	 * it may not (simplefs: a choice of the explorer, as when a journal
	 * holds the page's buffers) */
	int (*releasepage)(struct page *page, gfp_t gfp);
	/* the direct-I/O hook (2.6.3x signature), NULL until issue 8 fills it */
	ssize_t (*direct_IO)(int rw, struct kiocb *iocb, const struct iovec *iov, loff_t offset,
	                     unsigned long nr_segs);
	int (*launder_page)(struct page *page);
};

/* flags of address_space (AS_EIO, AS_ENOSPC: a writeback error seen by
 * the next fsync) */
#define AS_EIO 0
#define AS_ENOSPC 1

#define COH_MAPPING_PAGES 64 /* pages a file can have: 256 KiB of 4 KiB pages */
#define COH_PAGE_SECTORS 8   /* sectors of a 4 KiB page */

struct address_space {
	struct inode *host;
	/* the radix tree, keyed by page index (a direct table in the model) */
	struct page *page_tree[COH_MAPPING_PAGES];
	spinlock_t tree_lock; /* the tree, nrpages, dirty tags; IRQ-safe */
	unsigned long nrpages;
	/* i_mmap: the file VMAs mapping it (a prio_tree in the kernel; a list
	 * through vm_area_struct.shared_next here), under i_mmap_lock */
	struct vm_area_struct *i_mmap;
	spinlock_t i_mmap_lock;
	unsigned i_mmap_writable; /* VM_SHARED mappings */
	const struct address_space_operations *a_ops;
	unsigned long flags; /* AS_EIO, AS_ENOSPC */
	gfp_t gfp_mask;      /* of its pages: GFP_HIGHUSER */
	/* model-private: the block-copy oracle's copies of each cached page,
	 * one per sector (blk_copy[index][i] for sector i of the block);
	 * blk_tracked[index]: registered */
	unsigned blk_copy[COH_MAPPING_PAGES][COH_PAGE_SECTORS];
	bool blk_tracked[COH_MAPPING_PAGES];
};

struct inode {
	unsigned long i_ino;
	loff_t i_size;
	unsigned i_blkbits; /* PAGE_SHIFT: a block is a page */
	struct super_block *i_sb;
	struct address_space *i_mapping; /* &i_data */
	struct address_space i_data;
	coh_mutex i_mutex;       /* writers, truncate */
	coh_rwsem i_alloc_sem;   /* 2.6.3x: direct I/O against truncate */
	coh_atomic i_dio_count;  /* for issue 8 (3.1's inode_dio_wait) */
	unsigned long i_private; /* simplefs: the first disk block of its extent */
	unsigned long i_nblocks; /* simplefs: the extent's length in blocks */
	/* simplefs: bit i set = block i of the extent is allocated (written
	 * since mkfs or the last truncate past it); a clear bit is a hole,
	 * read as zeroes, allocated by get_block(create=1) */
	uint64_t i_blockmap;
	unsigned long dirtied_when; /* model: the flusher's order (a counter) */
	bool i_dirty_pages;         /* on the flusher's list (I_DIRTY_PAGES) */
};

struct file_operations;

struct file {
	struct inode *f_inode; /* f_path.dentry->d_inode in the era */
	struct address_space *f_mapping;
	const struct file_operations *f_op;
	unsigned f_flags; /* O_ACCMODE, O_DIRECT, O_SYNC */
	loff_t f_pos;
	unsigned id; /* opening order, for reports */
};

/* file_operations: the entries the model's VFS calls. */
struct file_operations {
	ssize_t (*read)(struct file *file, unsigned long buf, size_t count, loff_t *ppos);
	ssize_t (*write)(struct file *file, unsigned long buf, size_t count, loff_t *ppos);
	int (*fsync)(struct file *file, loff_t start, loff_t end, int datasync);
	int (*mmap)(struct file *file, struct vm_area_struct *vma);
};

struct super_block {
	struct block_device *s_bdev;
	struct gendisk *s_disk;
	unsigned long s_blocksize; /* the page size */
	unsigned s_blocksize_bits;
	unsigned id;
	/* a journal may hold the buffers of a page: simplefs's ->releasepage
	 * then refuses or not as the explorer chooses (COH_CHOICE_DATA: a free
	 * choice, every strategy explores both);
	 * false (the default): it always releases */
	bool s_release_may_fail;
};

/* The disk's device id in the block-copy oracle (registered on first use),
 * for the coh_blk_dev_write/coh_blk_dev_read of direct I/O. */
COH_API unsigned fs_blk_dev(struct super_block *sb);

/* ---- simplefs (fs/simplefs.c) ---- */

#define SIMPLEFS_MAX_FILES 8
#define SIMPLEFS_NAME_MAX 15

struct simplefs_file_spec {
	const char *name; /* at most SIMPLEFS_NAME_MAX bytes */
	unsigned nblocks; /* its extent, in pages (<= COH_MAPPING_PAGES) */
	loff_t size;      /* its initial i_size (<= nblocks pages) */
};

/* From setup() (host side, no machine access): writes a superblock and an
 * inode table describing nfiles files with consecutive extents after it
 * (block 0: the superblock; file data from block 1), then mounts it.
 * NULL (and a message on stderr) when the files do not fit the disk or a
 * spec is bad. The files' data blocks keep the disk's contents (zeroes,
 * or what the scenario wrote with disk_backend_write). */
COH_API struct super_block *
simplefs_mkfs_mount(struct gendisk *disk, const struct simplefs_file_spec *specs, unsigned nfiles);
/* Mounts an existing simplefs (its superblock read host-side). NULL when
 * the disk holds none. */
COH_API struct super_block *simplefs_mount(struct gendisk *disk);
/* The file named name, opened with flags (O_ACCMODE | O_DIRECT | O_SYNC).
 * NULL if there is none or the pool of files is exhausted. Setup or task. */
COH_API struct file *filp_open(struct super_block *sb, const char *name, unsigned flags);
/* The inode of name (NULL if none). */
COH_API struct inode *simplefs_iget(struct super_block *sb, const char *name);
/* simplefs's get_block: iblock of the file's extent, never allocating
 * (create is ignored: every block of the extent exists); -EIO past it. */
COH_API int simplefs_get_block(struct inode *inode, sector_t iblock, struct buffer_head *bh_result,
                               int create);

/* ---- the page cache (mm/filemap.c) ---- */

/* A reference to the page at index, or NULL. */
COH_API struct page *find_get_page(struct address_space *mapping, pgoff_t index);
/* find_get_page + lock_page; NULL if absent (or truncated meanwhile). */
COH_API struct page *find_lock_page(struct address_space *mapping, pgoff_t index);
/* The locked page at index, a new one (added, locked, !Uptodate) if
 * absent; NULL on -ENOMEM. The caller unlocks and releases it. */
COH_API struct page *find_or_create_page(struct address_space *mapping, pgoff_t index,
                                         gfp_t gfp_mask);
#define grab_cache_page(mapping, index) find_or_create_page((mapping), (index), GFP_HIGHUSER)
/* Adds a new page at index and locks it (page->mapping, ->index, a
 * reference for the cache): 0, or -EEXIST if the slot is taken, -ENOMEM
 * past the table. add_to_page_cache_lru also puts it on the LRU (PG_lru). */
COH_API int add_to_page_cache(struct page *page, struct address_space *mapping, pgoff_t index,
                              gfp_t gfp_mask);
COH_API int add_to_page_cache_lru(struct page *page, struct address_space *mapping, pgoff_t index,
                                  gfp_t gfp_mask);
/* Removes a locked page from its mapping and forgets the oracle's copies;
 * the caller then drops the cache's reference (page_cache_release). */
COH_API void remove_from_page_cache(struct page *page);
/* read_cache_page-like: the uptodate page at index, read with ->readpage
 * if needed and waited for; unlocked, with a reference. ERR: NULL and
 * *err = -EIO/-ENOMEM. */
COH_API struct page *read_mapping_page(struct address_space *mapping, pgoff_t index,
                                       struct file *file, int *err);

/* The buffered read of [*ppos, *ppos + count) into the user buffer buf of
 * current->mm (do_generic_file_read with file_read_actor: kmap,
 * __copy_to_user, kunmap): bytes read, 0 at EOF, or a negative errno. */
COH_API ssize_t do_generic_file_read(struct file *filp, loff_t *ppos, unsigned long buf,
                                     size_t count);
/* The buffered write (generic_perform_write: write_begin,
 * copy_from_user through a kmap, flush_dcache_page, write_end): bytes
 * written or a negative errno. The caller holds i_mutex. */
COH_API ssize_t generic_perform_write(struct file *file, unsigned long buf, size_t count,
                                      loff_t pos);
/* generic_file_buffered_write + generic_file_aio_write's O_SYNC handling:
 * generic_perform_write, *ppos moved on, then for O_SYNC
 * filemap_write_and_wait_range of what was written. Takes i_mutex. */
COH_API ssize_t generic_file_buffered_write(struct file *file, unsigned long buf, size_t count,
                                            loff_t *ppos);
/* simplefs's f_op->read / ->write: the buffered paths above; with O_DIRECT
 * they return -EINVAL until issue 8's direct I/O takes that branch. */
COH_API ssize_t generic_file_read(struct file *file, unsigned long buf, size_t count, loff_t *ppos);
COH_API ssize_t generic_file_write(struct file *file, unsigned long buf, size_t count,
                                   loff_t *ppos);
/* vfs_read / vfs_write: file->f_op's, from the running user task. */
COH_API ssize_t vfs_read(struct file *file, unsigned long buf, size_t count, loff_t *pos);
COH_API ssize_t vfs_write(struct file *file, unsigned long buf, size_t count, loff_t *pos);

/* ---- writeback (mm/page-writeback.c, mm/filemap.c, fs/sync.c) ---- */

/* __set_page_dirty_nobuffers: PG_dirty, the mapping's dirty tag and the
 * inode on the flusher's list. 1 if the page was clean. */
COH_API int set_page_dirty(struct page *page);
COH_API int __set_page_dirty_nobuffers(struct page *page);
/* clear_page_dirty_for_io: page_mkclean (write-protects the shared user
 * mappings, so that the next store faults and dirties it again) and
 * clears PG_dirty. The page is locked. 1 if it was dirty. */
COH_API int clear_page_dirty_for_io(struct page *page);
/* write_cache_pages -> ->writepage of each dirty page of the range. */
COH_API int do_writepages(struct address_space *mapping, struct writeback_control *wbc);
/* __filemap_fdatawrite_range(WB_SYNC_ALL); start, end in bytes, inclusive. */
COH_API int filemap_fdatawrite_range(struct address_space *mapping, loff_t start, loff_t end);
COH_API int filemap_fdatawrite(struct address_space *mapping);
/* wait_on_page_writeback over the range; -EIO/-ENOSPC if AS_EIO/AS_ENOSPC
 * was set (and clears it). */
COH_API int filemap_fdatawait_range(struct address_space *mapping, loff_t start, loff_t end);
COH_API int filemap_write_and_wait_range(struct address_space *mapping, loff_t lstart, loff_t lend);
COH_API int filemap_write_and_wait(struct address_space *mapping);
/* vfs_fsync_range / vfs_fsync (fs/sync.c): the data written and waited
 * for, then the disk's cache flushed (blkdev_issue_flush). */
COH_API int vfs_fsync_range(struct file *file, loff_t start, loff_t end, int datasync);
COH_API int vfs_fsync(struct file *file, int datasync);
/* The flusher (bdi_writeback_task / wb_do_writeback, 2.6.32+): a kernel
 * thread on cpu that writes back dirty inodes, oldest first, with
 * WB_SYNC_NONE, `rounds` times (each round sleeps on a timer-like
 * preemption point first), then exits. From setup or a task. */
COH_API coh_task *bdi_start_flusher(coh_sched *s, unsigned cpu, unsigned rounds);
/* One round of background writeback of every dirty inode (the flusher's
 * body; also wakeup_flusher_threads' work run inline). */
COH_API void wb_writeback_all(void);

/* ---- invalidation and truncation (mm/truncate.c) ---- */

/* Drops the clean, unlocked, unmapped pages of [start, end] (indexes,
 * inclusive); skips the rest. Returns the number dropped. */
COH_API unsigned long invalidate_mapping_pages(struct address_space *mapping, pgoff_t start,
                                               pgoff_t end);
/* invalidate_inode_pages2_range: unmaps and drops every page of [start,
 * end]: a dirty page is laundered or fails, a page whose ->releasepage
 * refuses fails (invalidate_complete_page2), a page under writeback is
 * waited for; returns 0 or -EBUSY (the first failure; the walk goes on). */
COH_API int invalidate_inode_pages2_range(struct address_space *mapping, pgoff_t start,
                                          pgoff_t end);
COH_API int invalidate_inode_pages2(struct address_space *mapping);
/* drop_pagecache_sb (fs/drop_caches.c; `echo 1 > /proc/sys/vm/drop_caches`
 * for one file system): invalidate_mapping_pages of every inode of sb.
 * Returns the number of pages dropped. Process context. */
COH_API unsigned long drop_pagecache_sb(struct super_block *sb);
/* truncate_inode_pages_range: every page from lstart (bytes) to lend
 * (inclusive, -1: the end) is waited for and removed, a partial first
 * page zeroed past lstart. */
COH_API void truncate_inode_pages_range(struct address_space *mapping, loff_t lstart, loff_t lend);
COH_API void truncate_inode_pages(struct address_space *mapping, loff_t lstart);
/* unmap_mapping_range: zaps the user PTEs of the file range [holebegin,
 * holebegin + holelen) in every VMA of i_mmap (even_cows: private COW
 * copies too), flush_cache_page of each first. holelen 0: to the end. */
COH_API void unmap_mapping_range(struct address_space *mapping, loff_t holebegin, loff_t holelen,
                                 int even_cows);
/* vmtruncate (mm/truncate.c 2.6.3x): i_size = offset, the mappings
 * unmapped, the pages past it truncated. Takes i_mutex. 0, or -EFBIG
 * beyond the extent. */
COH_API int vmtruncate(struct inode *inode, loff_t offset);

/* ---- file mappings (mm/mmap.c, mm/memory.c, mm/msync.c) ---- */

/* do_mmap_pgoff of a file (file != NULL) or anonymous memory (file NULL:
 * as do_mmap): a file VMA is linked on mapping->i_mmap; faults then come
 * through filemap_fault (read: the page-cache page mapped, read-only in a
 * private mapping; a private write: COW through do_wp_page; a shared write:
 * the page becomes dirty, set_page_dirty). */
COH_API unsigned long do_mmap_pgoff(struct mm_struct *mm, struct file *file, unsigned long addr,
                                    unsigned long len, unsigned long prot, unsigned long flags,
                                    unsigned long pgoff);
/* sys_msync (mm/msync.c 2.6.19+): MS_SYNC fsyncs the whole file of each
 * shared file VMA of the range (vfs_fsync, as the era); MS_ASYNC does
 * nothing. 0, -EINVAL (bad flags or start), -ENOMEM (a hole in the range:
 * after the rest is done). */
COH_API int sys_msync(struct mm_struct *mm, unsigned long start, size_t len, int flags);
/* mapping_mapped(): a VMA maps the file. */
COH_API bool mapping_mapped(const struct address_space *mapping);

/* access_process_vm (mm/memory.c 2.6.3x): len bytes at addr of tsk's mm
 * read into / written from the host buffer buf through get_user_pages
 * and a kmap, flush_ptrace_access after a write. Bytes done. */
COH_API int access_process_vm(struct task_struct *tsk, unsigned long addr, void *buf, int len,
                              int write);

/* ---- arch cache maintenance of page-cache pages ---- */

/* flush_kernel_dcache_page (asm/cacheflush.h): the kernel alias of a
 * page written back after the kernel wrote it through a kmap (ARM
 * 2.6.3x: a no-op unless aliasing; PA-RISC flushes; MIPS/SH their own). */
COH_API void flush_kernel_dcache_page(struct page *page);

#ifdef __cplusplus
}
#endif
#endif
