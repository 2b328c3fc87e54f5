/*
 * cohsim/blkdev.h - block I/O under the kernel's names: simulated disks
 * (struct gendisk / struct block_device) and bios.
 *
 * A disk is created from a scenario's setup() with alloc_disk_sim(); its
 * backend is host memory, starting as zeroes or as the image of a host file
 * attached beforehand with coh_disk_attach_file() (the CLI's --disk).
 * Disks belong to the execution that created them: the next kernel_init()
 * drops them (their memory is reused, back to the starting image).
 *
 * A bio is allocated with bio_alloc(), filled with bio_add_page() and sent
 * with submit_bio(). The disk's driver maps every bvec with dma_map_page(),
 * the device moves the data by DMA only (it never sees the CPU caches), and
 * the completion arrives as an interrupt: bi_end_io(bio, error) runs in
 * hardirq context after the bvecs were unmapped. bi_end_io owns the bio
 * and normally ends with bio_put().
 */
/* linux.h first: it includes this header at its end, once its own types
 * are declared. */
#include "cohsim/linux.h"

#ifndef COHSIM_BLKDEV_H
#define COHSIM_BLKDEV_H

#ifdef __cplusplus
extern "C" {
#endif

/* bi_rw: the data direction in bit 0, request flags above it. */
#define READ 0ul
#define WRITE 1ul
#define RW_MASK 1ul
#define REQ_SYNC (1ul << 4)
#define REQ_FLUSH (1ul << 5) /* flush the device's write cache first (fsync) */
#define REQ_FUA (1ul << 6)   /* the data is durable when the bio completes */
#define WRITE_FLUSH_FUA (WRITE | REQ_SYNC | REQ_FLUSH | REQ_FUA)

#define BIO_MAX_PAGES 16 /* bvecs per bio */
#define GFP_NOIO 0x0u

struct gendisk;
struct bio;

struct block_device {
	struct gendisk *bd_disk;
};

struct disk_config {
	const char *name;     /* "sda", "cow"; must outlive the execution */
	sector_t capacity;    /* in 512-byte sectors (> 0) */
	unsigned irq;         /* its interrupt line (< COH_MAX_IRQS) */
	unsigned irq_cpu;     /* the CPU its interrupt is delivered to */
	unsigned max_sectors; /* per bio; 0: BIO_MAX_PAGES pages */
	unsigned pio;         /* 0: the controller moves data by DMA; else DISK_PIO_* */
	/* false: every bio completes on its own, in an order the explorer
	 * picks. true: the bios one task submits while its earlier one has not
	 * completed are served right after it, in order, in one burst (a
	 * plugged batch to a single-queue device); other tasks' bios as usual. */
	bool burst;
};

/* Programmed-I/O controllers: the driver's interrupt handler moves every
 * segment between the bio's pages and the data register by the CPU,
 * through the caches (src/kernel/block/pio.c), and maps nothing for DMA.
 * DISK_PIO_SG_MITER walks the segments with sg_miter (SG_MITER_TO_SG on a
 * read), as mmc hosts such as sdhci; DISK_PIO_KMAP copies through a
 * kmap_atomic of each page and flushes nothing, as the PIO drivers
 * 6379/1 (c01778001a4f) names ("several PIO drivers including USB HCD"). */
enum { DISK_PIO_SG_MITER = 1, DISK_PIO_KMAP = 2 };

/* Defaults: capacity 2048 sectors (1 MiB), irq 1, irq_cpu 0. */
COH_API void disk_config_init(struct disk_config *cfg, const char *name);
/* From setup(): creates a disk and registers its IRQ handler. Returns NULL
 * on a bad config, a busy IRQ line, too many disks, or a backing file that
 * cannot be used (a message naming the file goes to stderr). */
COH_API struct gendisk *alloc_disk_sim(const struct disk_config *cfg);
COH_API struct block_device *disk_bdev(struct gendisk *disk);
COH_API const char *disk_name(const struct gendisk *disk);
COH_API sector_t get_capacity(const struct gendisk *disk);
/* The last error status of the disk's setup, for alloc_disk_sim() == NULL. */
COH_API int disk_last_error(void);

/*
 * Backing files (process-global, set before coh_explore()). The disk named
 * `disk` (NULL: the first disk an execution creates) starts every execution
 * with the contents of `path` (zeroes after its end; all zeroes if there is
 * no such file). The file is read once per process and never written: each
 * execution writes to its own copy of the chunks it changes, so every
 * execution, --jobs worker and shard starts from the same image. At
 * alloc_disk_sim(), a file that is not a regular file or is larger than the
 * disk is COH_EINVAL, a host read error COH_EIO (a message naming the file
 * on stderr). Returns 0 or COH_EINVAL (too many, or an empty path).
 */
COH_API int coh_disk_attach_file(const char *disk, const char *path);
/* Every disk without a file of its own gets "<prefix>.<N>", N its creation
 * order in the execution (0, 1, ...): the CLI's --disk FILE. The prefix is
 * copied. Returns 0, COH_EINVAL (empty or too long) or COH_ENOMEM. */
COH_API int coh_disk_attach_prefix(const char *prefix);
/* Forgets every backing file and the images read from them. */
COH_API void coh_disk_detach_all(void);
/* How many times a disk of this process opened a backing file: a caller
 * that attached files can tell whether a run made any disk at all. */
COH_API unsigned long coh_disk_files_opened(void);
/* Nothing to do (no host file stays open); kept for older callers. */
COH_API void coh_disk_close_all(void);

/* Host-side access to a disk's backend (tests, scenario setup, and a
 * device-side update that bypasses the machine). 0 or COH_EIO/COH_EINVAL. */
COH_API int disk_backend_read(struct gendisk *disk, sector_t sector, void *buf, size_t len);
COH_API int disk_backend_write(struct gendisk *disk, sector_t sector, const void *buf, size_t len);

/*
 * Volatile write caches and power cuts (block/writecache.c). A write is
 * acknowledged when the device has moved its data; it is durable once a
 * later REQ_FLUSH reached the device, or at once with REQ_FUA. A power cut
 * keeps every durable write and, of the others, the subset the explorer
 * chooses (one choice per write, in device order; the default: lost); the
 * backend (memory or --disk file) then holds what survived. From the cut
 * until coh_power_restore() every bio fails with -EIO and moves nothing.
 * Task context; per execution (kernel_init powers the disks on, unarmed).
 */
/* Cuts the power now (nothing if it is cut already). */
COH_API void coh_power_cut(void);
/* While armed, the explorer may cut the power before any device write or
 * flush (a choice there; the default: no cut). A cut disarms. */
COH_API void coh_power_cut_arm(bool on);
/* Torn writes, off by default: while on, a cut may keep any prefix of the
 * 512-byte sectors of a write of several (one choice per write, 0 to all
 * of its sectors; the default: none) instead of all or none of it. */
COH_API void coh_power_cut_torn(bool on);
COH_API bool coh_power_is_cut(void);
/* The power is back: the disks serve bios again (from what survived). */
COH_API void coh_power_restore(void);
/* Power cuts so far in this execution. */
COH_API unsigned coh_power_cuts(void);
/* Writes the disk acknowledged that are not durable yet. */
COH_API unsigned disk_unflushed_writes(const struct gendisk *disk);

/* ---- bios (block/bio.c) ---- */

struct bio_vec {
	struct page *bv_page;
	unsigned int bv_len;
	unsigned int bv_offset;
};

typedef void(bio_end_io_t)(struct bio *bio, int error);

#define BIO_UPTODATE 0 /* bi_flags bit: the I/O succeeded */

struct bio {
	sector_t bi_sector;
	struct block_device *bi_bdev;
	unsigned long bi_rw;
	unsigned long bi_flags;
	unsigned short bi_vcnt;
	unsigned short bi_max_vecs;
	unsigned int bi_size; /* bytes */
	bio_end_io_t *bi_end_io;
	void *bi_private;
	struct bio_vec *bi_io_vec;
	/* model-private: the driver's state, its DMA handles, queue links */
	int bi_state;
	int bi_error;
	int bi_cnt;
	unsigned bi_id; /* allocation order in this execution, for reports */
	/* direct I/O: its operation in the block-copy oracle (0: none); the
	 * device reports the data it moves to it (coh_blk_op_dma) */
	unsigned bi_blk_op;
	dma_addr_t bi_dma[BIO_MAX_PAGES];
	struct bio *bi_next;
	struct bio_vec bi_inline_vecs[BIO_MAX_PAGES];
};

#define bio_data_dir(bio) ((bio)->bi_rw & RW_MASK)

/* nr_iovecs <= BIO_MAX_PAGES. NULL when the model's bio pool is exhausted. */
COH_API struct bio *bio_alloc(gfp_t gfp, unsigned int nr_iovecs);
COH_API void bio_get(struct bio *bio);
COH_API void bio_put(struct bio *bio);
/* Returns len when added, 0 when the bio is full or would exceed the
 * queue's max_sectors. */
COH_API int bio_add_page(struct bio *bio, struct page *page, unsigned int len, unsigned int offset);
/* The number of bvecs a bio for bdev can take. */
COH_API int bio_get_nr_vecs(struct block_device *bdev);
/* Process context (may be atomic). Ends the bio with -EIO at once for an
 * access beyond the end of the device. */
COH_API void submit_bio(unsigned long rw, struct bio *bio);
/* Ends the bio: clears BIO_UPTODATE on error, calls bi_end_io. */
COH_API void bio_endio(struct bio *bio, int error);
/* Zeroes the data of every bvec through the kernel mapping, then
 * flush_dcache_page() (lowmem pages, and highmem pages with a kmap; Linux
 * zeroes a highmem page without one through kmap_atomic, which the model
 * lacks: those are skipped). */
COH_API void zero_fill_bio(struct bio *bio);

#ifdef __cplusplus
}
#endif
#endif
