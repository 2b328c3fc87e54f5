/*
 * simplefs.c - a small block-mapped file system on a simulated disk: one
 * fixed extent per file, page-sized blocks, no directories. Its
 * address_space_operations follow the block-based file systems of
 * 2.6.3x (fs/mpage.c mpage_readpage/mpage_writepage for one block,
 * fs/buffer.c block_write_begin/generic_write_end, try_to_free_buffers
 * for ->releasepage), without buffer_heads on pages (PG_private stands for
 * them).
 *
 * On disk (little-endian): block 0 is the superblock, "SIMPLEFS", the
 * number of files, then a 32-byte record per file (name[16], first block,
 * blocks, size); file data from block 1. mkfs and mount are host-side
 * (setup time); file data moves only by bios, through the DMA API.
 *
 * Interface: simplefs_mkfs_mount, simplefs_mount, filp_open, simplefs_iget,
 * simplefs_get_block, fs_blk_dev (fs.h); coh__simplefs_init (fs_impl.h).
 * Invariants: a file's blocks are [i_private, i_private + i_nblocks) on the
 * disk; i_blockmap marks the allocated ones (a hole reads as zeroes);
 * i_size <= i_nblocks pages. Objects come from pools reset at kernel_init.
 */
#include <stdio.h>
#include <string.h>

#include "kernel/block/block.h"
#include "cohsim/aio.h"
#include "cohsim/blockcopy.h"
#include "kernel/fs/fs_impl.h"
#include "kernel/kernel_impl.h"

#define MAX_SB 2
#define MAX_INODES 16
#define MAX_FILES 24 /* open files: fsx opens each of 8 files three times */
#define REC_SIZE 32
#define MAGIC "SIMPLEFS"

static struct {
	struct super_block sbs[MAX_SB];
	unsigned nsb;
	struct inode inodes[MAX_INODES];
	char names[MAX_INODES][SIMPLEFS_NAME_MAX + 1];
	unsigned ninodes;
	struct file files[MAX_FILES];
	unsigned nfiles;
} sfs;

static const struct address_space_operations simplefs_aops;
static const struct file_operations simplefs_fops;

void coh__simplefs_init(void)
{
	sfs.nsb = sfs.ninodes = sfs.nfiles = 0;
}

static unsigned long psize(void)
{
	return coh__page_size();
}

unsigned fs_blk_dev(struct super_block *sb)
{
	return coh__disk_blk_dev(sb->s_disk);
}

/* iget_locked + simplefs's read_inode: an in-core inode from a record. */
static struct inode *new_inode(struct super_block *sb, const uint8_t *rec, unsigned long ino)
{
	if (sfs.ninodes == MAX_INODES)
		return NULL;
	unsigned n = sfs.ninodes++;
	struct inode *inode = &sfs.inodes[n];
	memset(inode, 0, sizeof(*inode));
	memcpy(sfs.names[n], rec, SIMPLEFS_NAME_MAX);
	sfs.names[n][SIMPLEFS_NAME_MAX] = 0;
	inode->i_ino = ino;
	inode->i_sb = sb;
	inode->i_blkbits = sb->s_blocksize_bits;
	inode->i_private = (unsigned long)coh__get_le(rec + 16, 4);
	inode->i_nblocks = (unsigned long)coh__get_le(rec + 20, 4);
	inode->i_size = (loff_t)coh__get_le(rec + 24, 8);
	unsigned long used =
	    (unsigned long)((inode->i_size + (loff_t)psize() - 1) >> sb->s_blocksize_bits);
	inode->i_blockmap = used >= 64 ? ~0ull : (1ull << used) - 1;
	coh_mutex_init(&inode->i_mutex, "i_mutex");
	coh_init_rwsem(&inode->i_alloc_sem, "i_alloc_sem");
	coh_atomic_init(&inode->i_dio_count, 0);
	struct address_space *m = &inode->i_data;
	m->host = inode;
	m->a_ops = &simplefs_aops;
	m->gfp_mask = GFP_HIGHUSER;
	spin_lock_init(&m->tree_lock);
	spin_lock_init(&m->i_mmap_lock);
	inode->i_mapping = m;
	return inode;
}

struct super_block *simplefs_mount(struct gendisk *disk)
{
	uint8_t blk[4096];
	if (psize() != sizeof(blk) || disk_backend_read(disk, 0, blk, sizeof(blk)) ||
	    memcmp(blk, MAGIC, 8) != 0 || sfs.nsb == MAX_SB) {
		fprintf(stderr, "cohsim: simplefs: no file system on disk %s\n", disk_name(disk));
		return NULL;
	}
	unsigned nfiles = (unsigned)coh__get_le(blk + 8, 4);
	if (nfiles > SIMPLEFS_MAX_FILES)
		return NULL;
	struct super_block *sb = &sfs.sbs[sfs.nsb];
	memset(sb, 0, sizeof(*sb));
	sb->id = ++sfs.nsb;
	sb->s_disk = disk;
	sb->s_bdev = disk_bdev(disk);
	sb->s_blocksize = psize();
	sb->s_blocksize_bits = coh__kernel.page_shift;
	for (unsigned i = 0; i < nfiles; i++)
		if (!new_inode(sb, blk + 16 + REC_SIZE * i, i + 1))
			return NULL;
	return sb;
}

struct super_block *simplefs_mkfs_mount(struct gendisk *disk,
                                        const struct simplefs_file_spec *specs, unsigned nfiles)
{
	uint8_t blk[4096] = {0};
	unsigned long next = 1;
	uint64_t nblocks_disk = (get_capacity(disk) << SECTOR_SHIFT) / psize();
	if (psize() != sizeof(blk) || nfiles > SIMPLEFS_MAX_FILES) {
		fprintf(stderr, "cohsim: simplefs: too many files (%u)\n", nfiles);
		return NULL;
	}
	memcpy(blk, MAGIC, 8);
	coh__put_le(blk + 8, nfiles, 4);
	for (unsigned i = 0; i < nfiles; i++) {
		const struct simplefs_file_spec *f = &specs[i];
		if (!f->name || !*f->name || strlen(f->name) > SIMPLEFS_NAME_MAX || !f->nblocks ||
		    f->nblocks > COH_MAPPING_PAGES || f->size < 0 ||
		    f->size > (loff_t)f->nblocks * (loff_t)psize() ||
		    next + f->nblocks > nblocks_disk) {
			fprintf(stderr, "cohsim: simplefs: file %u (%s) does not fit\n", i,
			        f->name ? f->name : "(null)");
			return NULL;
		}
		uint8_t *rec = blk + 16 + REC_SIZE * i;
		memcpy(rec, f->name, strlen(f->name));
		coh__put_le(rec + 16, next, 4);
		coh__put_le(rec + 20, f->nblocks, 4);
		coh__put_le(rec + 24, (uint64_t)f->size, 8);
		next += f->nblocks;
	}
	if (disk_backend_write(disk, 0, blk, sizeof(blk)))
		return NULL;
	return simplefs_mount(disk);
}

// cppcheck-suppress constParameter
struct inode *simplefs_iget(struct super_block *sb, const char *name)
{
	for (unsigned i = 0; i < sfs.ninodes; i++)
		if (sfs.inodes[i].i_sb == sb && strcmp(sfs.names[i], name) == 0)
			return &sfs.inodes[i];
	return NULL;
}

struct inode *coh__simplefs_inode_at(const struct super_block *sb, unsigned i)
{
	for (unsigned k = 0; k < sfs.ninodes; k++)
		if (sfs.inodes[k].i_sb == sb && i-- == 0)
			return &sfs.inodes[k];
	return NULL;
}

/* dentry_open: a struct file on the inode. */
struct file *filp_open(struct super_block *sb, const char *name, unsigned flags)
{
	struct inode *inode = simplefs_iget(sb, name);
	if (!inode || sfs.nfiles == MAX_FILES)
		return NULL;
	struct file *f = &sfs.files[sfs.nfiles];
	memset(f, 0, sizeof(*f));
	f->id = ++sfs.nfiles;
	f->f_inode = inode;
	f->f_mapping = inode->i_mapping;
	f->f_op = &simplefs_fops;
	f->f_flags = flags;
	return f;
}

/* simplefs's get_block: the extent's block; create marks it allocated
 * (BH_New the first time). Past the extent: -EIO (create: -ENOSPC). */
int simplefs_get_block(struct inode *inode, sector_t iblock, struct buffer_head *bh_result,
                       int create)
{
	bh_result->b_state = 0;
	if (iblock >= inode->i_nblocks)
		return create ? -ENOSPC : -EIO;
	uint64_t bit = 1ull << iblock;
	if (!(inode->i_blockmap & bit)) {
		if (!create)
			return 0; /* a hole: unmapped */
		inode->i_blockmap |= bit;
		bh_result->b_state |= 1ul << BH_New;
	}
	bh_result->b_state |= 1ul << BH_Mapped;
	bh_result->b_blocknr = inode->i_private + iblock;
	bh_result->b_bdev = inode->i_sb->s_bdev;
	bh_result->b_size = psize();
	return 0;
}

/* ->bmap (generic_block_bmap): where the block lives on the disk. The
 * extent is fixed, so a hole has its place too (Linux returns 0 for it). */
static sector_t simplefs_bmap(struct address_space *mapping, sector_t block)
{
	struct inode *inode = mapping->host;
	return block < inode->i_nblocks ? inode->i_private + block : 0;
}

/* ---- reading and writing pages ---- */

/* mpage_end_io_read (fs/mpage.c): hardirq context. */
static void end_io_read(struct bio *bio, int error)
{
	struct page *page = bio->bi_private;
	if (!error) {
		coh__pc_fill(page);
		SetPageUptodate(page);
	} else {
		ClearPageUptodate(page);
		SetPageError(page);
	}
	unlock_page(page);
	bio_put(bio);
}

/* mpage_end_io_write (fs/mpage.c): hardirq context. */
static void end_io_write(struct bio *bio, int error)
{
	struct page *page = bio->bi_private;
	if (error) {
		SetPageError(page);
		if (page->mapping)
			page->mapping->flags |= 1ul << AS_EIO;
	} else {
		coh__pc_writeback(page);
	}
	end_page_writeback(page);
	bio_put(bio);
}

static int submit_page(unsigned long rw, struct page *page, sector_t block, bio_end_io_t *end_io)
{
	struct bio *bio = bio_alloc(GFP_NOIO, 1);
	if (!bio)
		return -ENOMEM;
	bio->bi_bdev = page->mapping->host->i_sb->s_bdev;
	bio->bi_sector = block << (coh__kernel.page_shift - SECTOR_SHIFT);
	bio->bi_end_io = end_io;
	bio->bi_private = page;
	BUG_ON(bio_add_page(bio, page, (unsigned)psize(), 0) != (int)psize());
	KSITE();
	submit_bio(rw, bio);
	return 0;
}

/* ->readpage: mpage_readpage of one block (block_read_full_page zeroes a
 * hole without I/O). The page is locked; it is unlocked when read. */
static int simplefs_readpage(struct file *file, struct page *page)
{
	(void)file;
	struct inode *inode = page->mapping->host;
	struct buffer_head bh = {0};
	BUG_ON(!PageLocked(page));
	int r = simplefs_get_block(inode, page->index, &bh, 0);
	if (r || !buffer_mapped(&bh)) {
		/* a hole (or past the extent): zeroes, uptodate at once */
		coh__zero_user_segment(page, 0, (unsigned)psize());
		coh__pc_fill(page);
		SetPageUptodate(page);
		unlock_page(page);
		return 0;
	}
	SetPagePrivate(page); /* create_empty_buffers */
	r = submit_page(READ, page, bh.b_blocknr, end_io_read);
	if (r)
		unlock_page(page);
	return r;
}

/* ->writepage: mpage_writepage / block_write_full_page: a page past EOF
 * is dropped, the last one zeroed past EOF; the block allocated; the
 * page goes under writeback and is unlocked; the bio's completion ends
 * the writeback. */
static int simplefs_writepage(struct page *page, struct writeback_control *wbc)
{
	(void)wbc;
	struct inode *inode = page->mapping->host;
	pgoff_t end_index = (pgoff_t)(inode->i_size >> coh__kernel.page_shift);
	if (page->index >= end_index) {
		unsigned offset = (unsigned)(inode->i_size & (loff_t)(psize() - 1));
		if (page->index >= end_index + 1 || !offset) {
			unlock_page(page); /* truncated meanwhile */
			return 0;
		}
		coh__zero_user_segment(page, offset, (unsigned)psize());
	}
	struct buffer_head bh = {0};
	int r = simplefs_get_block(inode, page->index, &bh, 1);
	if (r) {
		SetPageError(page);
		unlock_page(page);
		return r;
	}
	SetPagePrivate(page);
	set_page_writeback(page);
	r = submit_page(WRITE, page, bh.b_blocknr, end_io_write);
	if (r)
		end_page_writeback(page);
	unlock_page(page);
	return r;
}

/* ->write_begin: block_write_begin (grab_cache_page_write_begin, then
 * __block_write_begin: a partial write into a page not uptodate reads the
 * block first, or zeroes a new one). */
static int simplefs_write_begin(struct file *file, struct address_space *mapping, loff_t pos,
                                unsigned len, unsigned flags, struct page **pagep, void **fsdata)
{
	(void)flags;
	(void)fsdata;
	struct inode *inode = mapping->host;
	pgoff_t index = (pgoff_t)(pos >> coh__kernel.page_shift);
	unsigned from = (unsigned)(pos & (loff_t)(psize() - 1));
	if (index >= inode->i_nblocks)
		return -EFBIG;
	for (;;) {
		struct page *page = find_or_create_page(mapping, index, mapping->gfp_mask);
		if (!page)
			return -ENOMEM;
		*pagep = page;
		SetPagePrivate(page);
		if (PageUptodate(page) || len == psize()) {
			struct buffer_head bh = {0};
			simplefs_get_block(inode, index, &bh, 1);
			return 0;
		}
		struct buffer_head bh = {0};
		simplefs_get_block(inode, index, &bh, 0);
		if (!buffer_mapped(&bh)) {
			/* a new block: zero what the write does not cover */
			simplefs_get_block(inode, index, &bh, 1);
			coh__zero_user_segment(page, 0, from);
			coh__zero_user_segment(page, from + len, (unsigned)psize());
			coh__pc_fill(page);
			return 0;
		}
		ClearPageError(page);
		int r = simplefs_readpage(file, page);
		if (!r)
			lock_page(page);
		if (!r && page->mapping != mapping) {
			unlock_page(page); /* truncated meanwhile: again */
			put_page(page);
			continue;
		}
		if (r || !PageUptodate(page)) {
			if (!r)
				unlock_page(page);
			put_page(page);
			return r ? r : -EIO;
		}
		return 0;
	}
}

/* ->write_end: generic_write_end -> block_write_end (a short copy into a
 * page not uptodate counts as nothing), the page dirtied, i_size moved. */
static int simplefs_write_end(struct file *file, struct address_space *mapping, loff_t pos,
                              unsigned len, unsigned copied, struct page *page, void *fsdata)
{
	(void)file;
	(void)fsdata;
	struct inode *inode = mapping->host;
	if (copied < len && !PageUptodate(page))
		copied = 0;
	if (copied) {
		SetPageUptodate(page);
		set_page_dirty(page);
	}
	if (pos + copied > inode->i_size)
		inode->i_size = pos + copied; /* i_size_write */
	unlock_page(page);
	put_page(page);
	return (int)copied;
}

/* ->releasepage: try_to_free_buffers; a journal holding the buffers
 * (jbd's journal_try_to_free_buffers) makes it fail: the explorer's
 * choice when the super block allows it. */
static int simplefs_releasepage(struct page *page, gfp_t gfp)
{
	(void)gfp;
	struct super_block *sb = page->mapping->host->i_sb;
	if (sb->s_release_may_fail && coh_choose(coh__kernel.s, COH_CHOICE_DATA, 2) == 1)
		return 0;
	ClearPagePrivate(page);
	return 1;
}

/* ->invalidatepage: block_invalidatepage, buffers dropped with the page. */
static void simplefs_invalidatepage(struct page *page, unsigned long offset)
{
	if (!offset)
		ClearPagePrivate(page);
}

/* ->fsync: the data is written by vfs_fsync_range; simplefs has no
 * metadata to write (its inodes are not written back: see docs). */
static int simplefs_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	(void)file;
	(void)start;
	(void)end;
	(void)datasync;
	return 0;
}

/* ->mmap: generic_file_mmap (file_accessed, vm_ops = generic_file_vm_ops). */
static int simplefs_mmap(struct file *file, struct vm_area_struct *vma)
{
	(void)file;
	(void)vma;
	return 0;
}

static const struct address_space_operations simplefs_aops = {
    .readpage = simplefs_readpage,
    .writepage = simplefs_writepage,
    .write_begin = simplefs_write_begin,
    .write_end = simplefs_write_end,
    .bmap = simplefs_bmap,
    .invalidatepage = simplefs_invalidatepage,
    .releasepage = simplefs_releasepage,
    .direct_IO = simplefs_direct_IO, /* fs/filemap_dio.c */
};

static const struct file_operations simplefs_fops = {
    .read = generic_file_read,
    .write = generic_file_write,
    .fsync = simplefs_fsync,
    .mmap = simplefs_mmap,
};

/* ->truncate (ext2_truncate's shape): block_truncate_page zeroes the last
 * block past i_size and dirties it (reading it in first if it is not
 * cached); the blocks past it are freed. */
void coh__simplefs_truncate(struct inode *inode)
{
	unsigned shift = coh__kernel.page_shift;
	unsigned long keep = (unsigned long)((inode->i_size + (loff_t)psize() - 1) >> shift);
	/* the data past the end is gone, on the disk or only in a dirty page
	 * over a hole: the block-copy oracle takes the medium as the latest
	 * version of those blocks (their pages left the cache first, in
	 * truncate_inode_pages) */
	for (unsigned long b = keep; b < inode->i_nblocks && b < 64; b++)
		coh_blk_dev_discard(coh__kernel.chk, fs_blk_dev(inode->i_sb),
		                    (inode->i_private + b) * COH_PAGE_SECTORS, COH_PAGE_SECTORS);
	inode->i_blockmap &= keep >= 64 ? ~0ull : (1ull << keep) - 1;
	unsigned partial = (unsigned)(inode->i_size & (loff_t)(psize() - 1));
	if (!partial)
		return;
	/* block_truncate_page (fs/buffer.c 2.6.3x): a hole has nothing to
	 * zero; a mapped block is read in if the page is not uptodate (not
	 * cached, say), then zeroed past i_size and dirtied */
	pgoff_t index = (pgoff_t)(inode->i_size >> shift);
	struct buffer_head bh = {0};
	if (simplefs_get_block(inode, index, &bh, 0) || !buffer_mapped(&bh))
		return;
	struct address_space *mapping = inode->i_mapping;
	struct page *page = find_or_create_page(mapping, index, mapping->gfp_mask);
	if (!page)
		return;
	if (!PageUptodate(page)) {
		ClearPageError(page);
		simplefs_readpage(NULL, page); /* unlocks it when read (or failed) */
		lock_page(page);
	}
	if (PageUptodate(page) && page->mapping == mapping) {
		coh__zero_user_segment(page, partial, (unsigned)psize());
		coh__pc_store(page, partial, (unsigned)psize() - partial);
		set_page_dirty(page);
	}
	unlock_page(page);
	put_page(page);
}
