/*
 * bio.c - bios (block/bio.c), the request queue (block/blk-core.c) and the
 * disk driver's two halves.
 *
 * Interface: bio_alloc(), bio_add_page(), submit_bio(rw, bio); the owner's
 * bi_end_io(bio, error) runs when it completes (in hardirq context, or in
 * the submitter's context for a bio rejected at submission) and usually
 * ends with bio_put(). One bio is one request: the queue does no merging
 * and no plugging; the driver starts each bio as soon as it is queued.
 *
 * Context and locking: submit_bio() is called from process context; the
 * queue is protected by queue_lock, taken with IRQs off, and the driver's
 * request function (which maps the bvecs for DMA) runs under it, as
 * q->request_fn does in Linux. The completion half runs in the disk's
 * hardirq handler.
 *
 * The bio lifecycle:
 *
 *   state      --event (function)-->                         next state
 *   FREE       bio_alloc                                     ALLOCATED
 *   ALLOCATED  submit_bio, beyond the end of the device      ENDED (-EIO)
 *   ALLOCATED  submit_bio -> generic_make_request            QUEUED
 *   QUEUED     request_fn: dma_map_page each bvec,
 *              coh__disk_start_io (the device owns the pages) IN_FLIGHT
 *   IN_FLIGHT  device_work (disk.c): DMA or injected -EIO,
 *              done list, IRQ raised                         DONE
 *   DONE       IRQ handler -> coh__bio_complete:
 *              dma_unmap_page each bvec, bio_endio            ENDED
 *   any but FREE  bio_put drops the last reference           FREE
 *
 * Bios come from a pool reset by kernel_init(); a freed bio is poisoned,
 * and any use of a free bio is a BUG.
 */
#include <errno.h>
#include <string.h>

#include "kernel/block/block.h"
#include "kernel/kernel_impl.h"

static struct bio pool[COH__MAX_BIOS];
static unsigned next_id;

void coh__bio_init(void)
{
	coh__pool_reset(pool, sizeof(pool[0]), &coh__pools.bios);
	next_id = 0;
}

unsigned coh__bio_busy(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < COH__MAX_BIOS; i++)
		n += pool[i].bi_state == BIO_S_QUEUED || pool[i].bi_state == BIO_S_IN_FLIGHT ||
		     pool[i].bi_state == BIO_S_DONE;
	return n;
}

static enum dma_data_direction bio_dma_dir(const struct bio *bio)
{
	return bio_data_dir(bio) == WRITE ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
}

struct bio *bio_alloc(gfp_t gfp, unsigned int nr_iovecs)
{
	(void)gfp;
	if (nr_iovecs > BIO_MAX_PAGES)
		return NULL;
	for (unsigned i = 0; i < COH__MAX_BIOS; i++) {
		struct bio *bio = &pool[coh__pool_note(&coh__pools.bios, i)];
		if (bio->bi_state != BIO_S_FREE)
			continue;
		memset(bio, 0, sizeof(*bio));
		bio->bi_state = BIO_S_ALLOCATED;
		bio->bi_cnt = 1;
		bio->bi_id = next_id++;
		bio->bi_max_vecs = (unsigned short)nr_iovecs;
		bio->bi_io_vec = bio->bi_inline_vecs;
		bio->bi_flags = 1ul << BIO_UPTODATE;
		return bio;
	}
	return NULL;
}

void bio_get(struct bio *bio)
{
	BUG_ON(bio->bi_state == BIO_S_FREE || bio->bi_cnt <= 0);
	bio->bi_cnt++;
}

void bio_put(struct bio *bio)
{
	BUG_ON(bio->bi_state == BIO_S_FREE || bio->bi_cnt <= 0);
	if (--bio->bi_cnt)
		return;
	/* a bio still owned by the queue or the device must not be freed */
	BUG_ON(bio->bi_state == BIO_S_QUEUED || bio->bi_state == BIO_S_IN_FLIGHT ||
	       bio->bi_state == BIO_S_DONE);
	memset(bio, 0x6b, sizeof(*bio)); /* POISON_FREE */
	bio->bi_state = BIO_S_FREE;
}

int bio_get_nr_vecs(struct block_device *bdev)
{
	unsigned page_sectors = coh_machine_page_size(coh__kernel.m) >> SECTOR_SHIFT;
	unsigned n = bdev->bd_disk->queue.max_sectors / page_sectors;
	if (n == 0)
		n = 1;
	return (int)(n < BIO_MAX_PAGES ? n : BIO_MAX_PAGES);
}

int bio_add_page(struct bio *bio, struct page *page, unsigned int len, unsigned int offset)
{
	BUG_ON(bio->bi_state != BIO_S_ALLOCATED);
	unsigned page_size = coh_machine_page_size(coh__kernel.m);
	if (len == 0 || offset >= page_size || len > page_size - offset)
		return 0;
	if (bio->bi_bdev) {
		unsigned max = bio->bi_bdev->bd_disk->queue.max_sectors;
		if (((bio->bi_size + len) >> SECTOR_SHIFT) > max)
			return 0;
	}
	if (bio->bi_vcnt > 0) {
		struct bio_vec *prev = &bio->bi_io_vec[bio->bi_vcnt - 1];
		if (prev->bv_page == page && prev->bv_offset + prev->bv_len == offset) {
			prev->bv_len += len;
			bio->bi_size += len;
			return (int)len;
		}
	}
	if (bio->bi_vcnt >= bio->bi_max_vecs)
		return 0;
	bio->bi_io_vec[bio->bi_vcnt++] = (struct bio_vec){page, len, offset};
	bio->bi_size += len;
	return (int)len;
}

void bio_endio(struct bio *bio, int error)
{
	COH_FRAME();
	BUG_ON(bio->bi_state == BIO_S_FREE || bio->bi_state == BIO_S_ENDED);
	if (error)
		bio->bi_flags &= ~(1ul << BIO_UPTODATE);
	else if (!(bio->bi_flags & (1ul << BIO_UPTODATE)))
		error = -EIO;
	bio->bi_error = error;
	bio->bi_state = BIO_S_ENDED;
	if (bio->bi_end_io)
		bio->bi_end_io(bio, error);
}

/* bvec_kmap_irq, memset, flush_dcache_page, bvec_kunmap_irq: the zeroes are
 * written back from the kernel alias, so that any other alias that is
 * invalidated afterwards (dm-io's vmalloc area) reads them from memory. */
void zero_fill_bio(struct bio *bio)
{
	COH_FRAME();
	for (unsigned i = 0; i < bio->bi_vcnt; i++) {
		struct bio_vec *bv = &bio->bi_io_vec[i];
		simptr va = page_address(bv->bv_page);
		if (simptr_is_null(va))
			continue; /* highmem without a kmap: see blkdev.h */
		sim_memset(simptr_add(va, bv->bv_offset), 0, bv->bv_len);
		flush_dcache_page(bv->bv_page);
	}
}

/* ---- the driver: its request function (start) and completion ---- */

/* q->request_fn with queue_lock held: takes every queued bio, maps it for
 * DMA and hands it to the device. */
static void disk_request_fn(struct gendisk *disk)
{
	COH_FRAME();
	struct request_queue *q = &disk->queue;
	while (q->head) {
		struct bio *bio = q->head;
		q->head = bio->bi_next;
		if (!q->head)
			q->tail = NULL;
		bio->bi_next = NULL;
		enum dma_data_direction dir = bio_dma_dir(bio);
		for (unsigned i = 0; !disk->pio && i < bio->bi_vcnt; i++) {
			struct bio_vec *bv = &bio->bi_io_vec[i];
			bio->bi_dma[i] =
			    dma_map_page(&disk->dev, bv->bv_page, bv->bv_offset, bv->bv_len, dir);
		}
		bio->bi_state = BIO_S_IN_FLIGHT;
		coh__disk_start_io(disk, bio);
	}
}

static void generic_make_request(struct bio *bio)
{
	COH_FRAME();
	struct gendisk *disk = bio->bi_bdev->bd_disk;
	struct request_queue *q = &disk->queue;
	sector_t nr = bio->bi_size >> SECTOR_SHIFT;
	if ((bio->bi_size & (SECTOR_SIZE - 1)) || bio->bi_sector > disk->capacity ||
	    nr > disk->capacity - bio->bi_sector) {
		/* "attempt to access beyond end of device" */
		bio_endio(bio, -EIO);
		return;
	}
	unsigned long flags;
	spin_lock_irqsave(&q->queue_lock, flags);
	bio->bi_state = BIO_S_QUEUED;
	if (q->tail)
		q->tail->bi_next = bio;
	else
		q->head = bio;
	q->tail = bio;
	disk_request_fn(disk);
	spin_unlock_irqrestore(&q->queue_lock, flags);
}

void submit_bio(unsigned long rw, struct bio *bio)
{
	COH_FRAME();
	BUG_ON(bio->bi_state != BIO_S_ALLOCATED);
	BUG_ON(!bio->bi_bdev || !bio->bi_bdev->bd_disk->live);
	bio->bi_rw |= rw;
	generic_make_request(bio);
}

void coh__bio_complete(struct bio *bio)
{
	COH_FRAME();
	struct gendisk *disk = bio->bi_bdev->bd_disk;
	BUG_ON(bio->bi_state != BIO_S_DONE);
	enum dma_data_direction dir = bio_dma_dir(bio);
	for (unsigned i = 0; !disk->pio && i < bio->bi_vcnt; i++)
		dma_unmap_page(&disk->dev, bio->bi_dma[i], bio->bi_io_vec[i].bv_len, dir);
	if (disk->pio && !bio->bi_error) /* the PIO driver moves the data now */
		bio->bi_error = coh__pio_transfer(disk, bio);
	bio_endio(bio, bio->bi_error);
}
