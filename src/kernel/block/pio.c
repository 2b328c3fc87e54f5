/*
 * pio.c - the programmed-I/O half of the disk driver: a controller that
 * moves no data itself. When the device has a bio's sectors ready (a read)
 * or room for them (a write), the driver's interrupt handler moves every
 * segment between the bio's pages and the data register, by the CPU and
 * through the CPU's caches, sector by sector (ata_pio_sector, sdhci's
 * sdhci_read_block_pio and friends, 2.6.3x).
 *
 * Interface: coh__pio_transfer (block.h), called by coh__bio_complete in
 * hardirq context for a disk made with disk_config.pio. Two drivers:
 *   DISK_PIO_SG_MITER: the segments as a scatterlist (blk_rq_map_sg),
 *     walked with sg_miter (SG_MITER_ATOMIC, SG_MITER_TO_SG on a read):
 *     the iterator's sg_miter_stop flushes what it filled.
 *   DISK_PIO_KMAP: each segment through a kmap_atomic of its page, and no
 *     flush at all (the PIO drivers of 6379/1's message).
 * The register is the disk's backend; a write also goes through the disk's
 * write cache (writecache.c). A direct-I/O bio tells the block-copy oracle
 * of the sectors moved, as the DMA device does.
 */
#include <errno.h>

#include "cohsim/blockcopy.h"
#include "kernel/block/block.h"
#include "kernel/kernel_impl.h"

/* One segment piece at addr (mapped by the caller), sector by sector. */
static int pio_move(struct gendisk *d, struct bio *bio, simptr addr, size_t len, size_t *off)
{
	bool write = bio_data_dir(bio) == WRITE;
	uint8_t sector[SECTOR_SIZE];
	for (size_t done = 0; done < len; done += SECTOR_SIZE) {
		size_t n = len - done < SECTOR_SIZE ? len - done : SECTOR_SIZE;
		simptr p = simptr_add(addr, (long)done);
		int r;
		if (write) {
			sim_memcpy_from(sector, p, n); /* the CPU reads the page... */
			r = coh__wc_write(d, *off, sector, n, (bio->bi_rw & REQ_FUA) != 0);
			if (!r) /* ...and writes the data register */
				r = coh__disk_backend_rw(d, true, *off, sector, n);
		} else {
			r = coh__disk_backend_rw(d, false, *off, sector, n);
			if (!r)
				sim_memcpy_to(p, sector, n);
		}
		if (r)
			return -EIO;
		if (bio->bi_blk_op)
			coh_blk_op_dma(coh__kernel.chk, bio->bi_blk_op, *off >> SECTOR_SHIFT,
			               n >> SECTOR_SHIFT, write);
		*off += n;
	}
	return 0;
}

int coh__pio_transfer(struct gendisk *d, struct bio *bio)
{
	COH_FRAME();
	size_t off = (size_t)bio->bi_sector << SECTOR_SHIFT;
	int r = 0;
	if (bio->bi_vcnt == 0) /* an empty flush */
		return 0;
	if (d->pio == DISK_PIO_KMAP) {
		/* the page through a kmap_atomic; no flush_dcache_page */
		for (unsigned i = 0; !r && i < bio->bi_vcnt; i++) {
			struct bio_vec *bv = &bio->bi_io_vec[i];
			simptr k = kmap_atomic(bv->bv_page);
			r = pio_move(d, bio, simptr_add(k, bv->bv_offset), bv->bv_len, &off);
			kunmap_atomic(k);
		}
		return r;
	}
	/* blk_rq_map_sg, then the sg_miter loop of a PIO mmc host */
	struct scatterlist sg[BIO_MAX_PAGES];
	sg_init_table(sg, bio->bi_vcnt);
	for (unsigned i = 0; i < bio->bi_vcnt; i++)
		sg_set_page(&sg[i], bio->bi_io_vec[i].bv_page, bio->bi_io_vec[i].bv_len,
		            bio->bi_io_vec[i].bv_offset);
	struct sg_mapping_iter miter;
	unsigned flags =
	    SG_MITER_ATOMIC | (bio_data_dir(bio) == WRITE ? SG_MITER_FROM_SG : SG_MITER_TO_SG);
	sg_miter_start(&miter, sg, bio->bi_vcnt, flags);
	while (!r && sg_miter_next(&miter))
		r = pio_move(d, bio, miter.addr, miter.length, &off);
	sg_miter_stop(&miter);
	return r;
}
