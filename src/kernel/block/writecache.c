/*
 * writecache.c - every disk's volatile write cache, and power cuts.
 *
 * A disk acknowledges a write once its device has moved the data; the
 * write is durable only when a later REQ_FLUSH reaches the device
 * (blk-flush semantics: a flush makes every write completed before it
 * durable) or when it was a REQ_FUA write itself. The backend (memory or
 * the --disk file) always holds the newest bytes; this file keeps, per
 * disk and in device order, each write that is not durable yet with the
 * bytes it overwrote and the bytes it wrote.
 *
 * A power cut (coh_power_cut, or a choice of the explorer at a device
 * write or flush while cuts are armed) decides for each non-durable write
 * whether it reached the medium (a choice, default: lost; past 64 writes a
 * disk keeps the rest), rolls every one of them back in reverse order and
 * writes the kept ones again in order: the backend then holds what
 * survived. With torn writes on (coh_power_cut_torn, off by default so
 * that existing schedules keep their meaning) the choice for a write of
 * several sectors is how many of its first sectors survive, 0 to all.
 * Until coh_power_restore the disks fail every bio with -EIO
 * and move nothing. At the restore no copy survives (coh_blk_restart) and
 * every sector a cut changed becomes a new version in the block-copy
 * oracle.
 *
 * Invariants: a disk's list holds writes in the order the device served
 * them; it is empty after a flush and after a cut. The lists belong to the
 * execution (coh__wc_init, from kernel_init, frees them).
 */
#include <stdlib.h>
#include <string.h>

#include "cohsim/blockcopy.h"
#include "kernel/block/block.h"
#include "kernel/kernel_impl.h"

struct coh__wc_write {
	struct coh__wc_write *next, *prev;
	size_t off, len;
	bool fua;
	uint8_t *old, *new; /* len bytes each, in one allocation */
};

static bool armed, cut, torn;
static unsigned cuts; /* power cuts in this execution */

/* Sectors a cut changed, made new versions at the restart: a completion
 * the device had raised before the cut may still credit a copy to the
 * medium until then. */
static struct settled {
	struct gendisk *disk;
	uint64_t first, count;
} * settled;
static size_t nsettled, capsettled;

static void drop_list(struct gendisk *d)
{
	struct coh__wc_write *w = d->wc_head;
	while (w) {
		struct coh__wc_write *next = w->next;
		free(w);
		w = next;
	}
	d->wc_head = d->wc_tail = NULL;
	d->wc_count = 0;
}

void coh__wc_init(void)
{
	for (unsigned i = 0; coh__disk_at(i); i++)
		drop_list(coh__disk_at(i));
	armed = cut = torn = false;
	cuts = 0;
	free(settled);
	settled = NULL;
	nsettled = capsettled = 0;
}

static void remember(struct gendisk *d, uint64_t first, uint64_t count)
{
	if (nsettled == capsettled) {
		size_t cap = capsettled ? 2 * capsettled : 16;
		struct settled *p = realloc(settled, cap * sizeof(*p));
		if (!p)
			return; /* the oracle may then miss a version; nothing else */
		settled = p;
		capsettled = cap;
	}
	settled[nsettled++] = (struct settled){d, first, count};
}

/* blk-flush's REQ_FLUSH: the write cache is written to the medium. */
void coh__wc_flush(struct gendisk *disk)
{
	drop_list(disk);
}

int coh__wc_write(struct gendisk *disk, size_t off, const void *buf, size_t len, bool fua)
{
	struct coh__wc_write *w = malloc(sizeof(*w) + 2 * len);
	if (!w)
		return COH_ENOMEM;
	memset(w, 0, sizeof(*w));
	w->off = off;
	w->len = len;
	w->fua = fua;
	w->old = (uint8_t *)(w + 1);
	w->new = w->old + len;
	memcpy(w->new, buf, len);
	int r = coh__disk_backend_rw(disk, false, off, w->old, len);
	if (r) {
		free(w);
		return r;
	}
	w->prev = disk->wc_tail;
	if (disk->wc_tail)
		disk->wc_tail->next = w;
	else
		disk->wc_head = w;
	disk->wc_tail = w;
	disk->wc_count++;
	return COH_OK;
}

/* The medium after the cut: roll back every volatile write, then write the
 * kept ones again; their sectors are new versions for the oracle. */
static void settle(struct gendisk *d)
{
	if (!d->wc_head)
		return;
	size_t keep[64] = {0}; /* bytes of each write that reach the medium */
	unsigned i = 0;
	for (struct coh__wc_write *w = d->wc_head; w; w = w->next, i++) {
		if (i >= 64)
			break;
		unsigned sectors = (unsigned)((w->len + 511) >> SECTOR_SHIFT);
		if (w->fua)
			keep[i] = w->len;
		else if (torn && sectors > 1) /* any prefix of its sectors */
			keep[i] = (size_t)coh_choose(coh__kernel.s, COH_CHOICE_DATA, sectors + 1)
			          << SECTOR_SHIFT;
		else
			keep[i] = coh_choose(coh__kernel.s, COH_CHOICE_DATA, 2) == 1 ? w->len : 0;
		if (keep[i] > w->len)
			keep[i] = w->len;
	}
	for (struct coh__wc_write *w = d->wc_tail; w; w = w->prev)
		(void)coh__disk_backend_rw(d, true, w->off, w->old, w->len);
	i = 0;
	for (struct coh__wc_write *w = d->wc_head; w; w = w->next, i++)
		if (i >= 64 || keep[i])
			(void)coh__disk_backend_rw(d, true, w->off, w->new,
			                           i >= 64 ? w->len : keep[i]);
	for (struct coh__wc_write *w = d->wc_head; w; w = w->next) {
		uint64_t first = w->off >> SECTOR_SHIFT;
		uint64_t last = (w->off + w->len - 1) >> SECTOR_SHIFT;
		remember(d, first, last - first + 1);
	}
	drop_list(d);
}

void coh_power_cut(void)
{
	if (cut)
		return;
	cut = true;
	armed = false;
	cuts++;
	coh_machine_note(coh__kernel.m, -1, "power cut");
	for (unsigned i = 0; coh__disk_at(i); i++)
		settle(coh__disk_at(i));
}

bool coh__wc_power_off(struct gendisk *disk, struct bio *bio)
{
	(void)disk;
	if (!cut && armed && bio_data_dir(bio) == WRITE &&
	    coh_choose(coh__kernel.s, COH_CHOICE_DATA, 2) == 1)
		coh_power_cut();
	return cut;
}

void coh_power_cut_torn(bool on)
{
	torn = on;
}

void coh_power_cut_arm(bool on)
{
	armed = on && !cut;
}

bool coh_power_is_cut(void)
{
	return cut;
}

void coh_power_restore(void)
{
	cut = false;
	coh_blk_restart(coh__kernel.chk);
	for (size_t i = 0; i < nsettled; i++)
		coh_blk_dev_write(coh__kernel.chk, coh__disk_blk_dev(settled[i].disk),
		                  settled[i].first, settled[i].count, -1);
	nsettled = 0;
}

unsigned coh_power_cuts(void)
{
	return cuts;
}

unsigned disk_unflushed_writes(const struct gendisk *disk)
{
	return disk->wc_count;
}
