/*
 * block.h - the block layer's insides, shared by disk.c and bio.c (and the
 * kernel's init).
 *
 * disk.c owns the disks: their backends, the device that moves data by DMA
 * and the interrupt that reports completions. bio.c owns the bios, the
 * request queue and the driver's two halves: mapping a bio for DMA when it
 * is started, unmapping and ending it when its interrupt arrives.
 */
#ifndef COHSIM_KERNEL_BLOCK_H
#define COHSIM_KERNEL_BLOCK_H

#include <stddef.h>
#include <string.h>

#include "cohsim/blkdev.h"

#define COH__MAX_DISKS 8
#define COH__MAX_BIOS 128
#define DISK_CHUNK 4096 /* the copy-on-write unit of a seeded disk */

/* The bio lifecycle (see bio.c for the table). */
enum coh__bio_state {
	BIO_S_FREE = 0,
	BIO_S_ALLOCATED,
	BIO_S_QUEUED,
	BIO_S_IN_FLIGHT,
	BIO_S_DONE,
	BIO_S_ENDED,
};

struct request_queue {
	spinlock_t queue_lock; /* protects the queue; taken with IRQs off */
	struct bio *head, *tail;
	unsigned max_sectors;
};

struct gendisk {
	const char *disk_name;
	sector_t capacity;
	unsigned irq, irq_cpu;
	bool live;
	struct block_device part0;
	struct device dev; /* the DMA API's handle of this controller */
	unsigned pio;      /* 0: DMA; DISK_PIO_*: the CPU moves the data (pio.c) */
	struct request_queue queue;
	/* Completed by the device, waiting for the interrupt handler. The
	 * device appends and the handler takes from the head; neither yields
	 * in between, so no lock is needed (a hardware completion ring). */
	struct bio *done_head, *done_tail;
	/* disk_config.burst: the task whose bio has a completion pending, and
	 * the bios it submitted since, to be served with it, in order */
	bool burst;
	coh_task *burst_owner;
	struct bio *burst_lead, *burst_head, *burst_tail;
	/* backend: host memory, over a read-only seed image (a host file's
	 * contents, or none); a chunk is copied from the seed on its first
	 * write in the execution (owned), so the seed is shared, never changed */
	uint8_t *mem;
	size_t mem_cap, mem_dirty; /* allocated; bytes that may be non-zero */
	const uint8_t *seed;       /* NULL: zeroes */
	size_t seed_len;           /* <= the disk's size; zeroes after it */
	uint8_t *owned;            /* a bit per DISK_CHUNK: copied into mem */
	size_t owned_cap;          /* bytes allocated */
	const char *path;          /* of the seed file, or NULL */
	char pathbuf[256];         /* "<prefix>.<N>" */
	/* its id in the block-copy oracle (cohsim/blockcopy.h), once known */
	bool blk_tracked;
	unsigned blk_dev;
	/* the volatile write cache (writecache.c): writes not yet durable */
	struct coh__wc_write *wc_head, *wc_tail;
	unsigned wc_count;
};

/* disk.c */
int coh__block_init(void);
/* The device starts working on a bio the driver mapped (IN_FLIGHT). */
void coh__disk_start_io(struct gendisk *disk, struct bio *bio);
int coh__disk_flush(struct gendisk *disk);
/* The disk's device in the block-copy oracle, registered on first use. */
unsigned coh__disk_blk_dev(struct gendisk *disk);
/* The live disk of this execution named name, or NULL. */
struct gendisk *coh__disk_find(const char *name);

/* pio.c: a PIO controller's transfer of a bio the device completed, by
 * the CPU in the driver's interrupt handler; returns 0 or -EIO. */
int coh__pio_transfer(struct gendisk *disk, struct bio *bio);

/* writecache.c */
void coh__wc_init(void);
/* Before the device serves bio: may the power be cut here (a choice when
 * armed)? true: the power is off, the bio must fail and move nothing. */
bool coh__wc_power_off(struct gendisk *disk, struct bio *bio);
/* A REQ_FLUSH: every write the device completed so far is durable. */
void coh__wc_flush(struct gendisk *disk);
/* The device is about to write len bytes at byte off (fua: durable at
 * once). Records the old and new bytes; 0 or COH_ENOMEM/COH_EIO. */
int coh__wc_write(struct gendisk *disk, size_t off, const void *buf, size_t len, bool fua);
/* disk.c: the backend's bytes, for the write cache */
int coh__disk_backend_rw(struct gendisk *d, bool write, size_t off, void *buf, size_t len);
struct gendisk *coh__disk_at(unsigned i);

/* bio.c */
void coh__bio_init(void);
/* Hardirq half of the driver: unmaps the bvecs, ends the bio. */
void coh__bio_complete(struct bio *bio);

/* disk.c: the DISK_CHUNKs of disk i's memory written since it was last
 * zeroed, so that zeroing it for the next execution clears only them
 * (a disk written far from its start dirtied a prefix of a megabyte);
 * after more than COH__DISK_DIRTY distinct chunks, the whole dirty prefix.
 * Outside struct gendisk, which alloc_disk_sim clears. */
#define COH__DISK_DIRTY 64
struct coh__disk_dirty {
	unsigned n;
	bool all;
	size_t chunk[COH__DISK_DIRTY];
};
extern struct coh__disk_dirty coh__disk_dirty[COH__MAX_DISKS];

/* Bytes [off, off+len) (len > 0) of disk i's memory are written: returns
 * off + len. */
static inline size_t coh__disk_mark(ptrdiff_t i, size_t off, size_t len)
{
	struct coh__disk_dirty *dd = &coh__disk_dirty[i];
	for (size_t c = off / DISK_CHUNK; c <= (off + len - 1) / DISK_CHUNK && !dd->all; c++) {
		unsigned k = 0;
		while (k < dd->n && dd->chunk[k] != c)
			k++;
		if (k < dd->n)
			continue;
		if (dd->n == COH__DISK_DIRTY)
			dd->all = true;
		else
			dd->chunk[dd->n++] = c;
	}
	return off + len;
}

/* Zeroes disk i's memory mem (cap bytes) where it may be non-zero: below
 * dirty, in the written chunks. */
static inline void coh__disk_zero(ptrdiff_t i, uint8_t *mem, size_t dirty, size_t cap)
{
	struct coh__disk_dirty *dd = &coh__disk_dirty[i];
	if (dirty > cap)
		dirty = cap;
	for (unsigned k = 0; k < dd->n && !dd->all; k++) {
		size_t off = dd->chunk[k] * DISK_CHUNK;
		if (off < dirty)
			memset(mem + off, 0, dirty - off < DISK_CHUNK ? dirty - off : DISK_CHUNK);
	}
	if (dd->all)
		memset(mem, 0, dirty);
	dd->n = 0;
	dd->all = false;
}

#endif
