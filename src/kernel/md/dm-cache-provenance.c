/*
 * dm-cache-provenance.c - the checker's record of what each cache-device
 * sector holds, for dm-cache's loaded mappings (no Linux counterpart: this
 * is what a correct dm-cache must be able to show).
 *
 * Every write the cache target sends to a cache block is recorded when it
 * completes: per cache-device sector, the origin sector it was written for
 * and a hash of the bytes the medium then holds. When a table loads its
 * mappings (cache_preresume), every sector of every mapped cache block
 * must hold bytes that were written there for the origin sector the
 * mapping names (with the table's block size), or the bytes the origin
 * itself holds there (a clean copy); else a read of that origin sector
 * through the mapped device would return another block's bytes, or the
 * cache device's older contents: a stale-read finding. It finds metadata
 * committed before the data it maps was durable (a power cut between the
 * two keeps the mapping and loses the data), and mappings read back with
 * another block size than the one they were written with.
 *
 * A sector with no record (never written by a cache target in this
 * execution, e.g. a --disk image) is not checked; nor is one whose record
 * overflowed. Host-side only: backend reads, no simulated access, no
 * choice. Reset by kernel_init() (coh__dm_cache_ledger_init); kept across
 * coh_dm_reboot(), as the disks are.
 *
 * Interface: kernel_impl.h (coh__dm_cache_prov_*).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cohsim/dm-cache.h"
#include "kernel/kernel_impl.h"

#define PROV_DISKS 8
#define PROV_PER_SECTOR 8

struct prov_sector {
	unsigned n;
	bool overflow;
	u64 origin[PROV_PER_SECTOR], hash[PROV_PER_SECTOR];
};

static struct prov_disk {
	const struct gendisk *disk;
	sector_t nsect;
	struct prov_sector **sec; /* nsect pointers, allocated on first write */
} disks[PROV_DISKS];

void coh__dm_cache_prov_init(void)
{
	for (unsigned i = 0; i < PROV_DISKS; i++) {
		for (sector_t k = 0; disks[i].sec && k < disks[i].nsect; k++)
			free(disks[i].sec[k]);
		free(disks[i].sec);
	}
	memset(disks, 0, sizeof(disks));
}

static struct prov_disk *prov_of(const struct gendisk *d, bool create)
{
	for (unsigned i = 0; i < PROV_DISKS; i++)
		if (disks[i].disk == d)
			return &disks[i];
	for (unsigned i = 0; create && i < PROV_DISKS; i++)
		if (!disks[i].disk) {
			disks[i].sec =
			    calloc(get_capacity(d) ? get_capacity(d) : 1, sizeof(*disks[i].sec));
			if (!disks[i].sec)
				return NULL;
			disks[i].disk = d;
			disks[i].nsect = get_capacity(d);
			return &disks[i];
		}
	return NULL;
}

/* FNV-1a of one sector of the medium, read host-side; 0 if unreadable. */
static u64 sector_hash(struct gendisk *d, sector_t s)
{
	u8 buf[512];
	if (disk_backend_read(d, s, buf, sizeof(buf)))
		return 0;
	u64 h = 1469598103934665603ull;
	for (unsigned i = 0; i < sizeof(buf); i++)
		h = (h ^ buf[i]) * 1099511628211ull;
	return h;
}

void coh__dm_cache_prov_written(struct block_device *cache, sector_t sector, sector_t origin,
                                unsigned nsect)
{
	struct prov_disk *p = prov_of(cache->bd_disk, true);
	for (unsigned i = 0; p && i < nsect && sector + i < p->nsect; i++) {
		struct prov_sector **x = &p->sec[sector + i];
		if (!*x && !(*x = calloc(1, sizeof(**x))))
			return;
		u64 h = sector_hash(cache->bd_disk, sector + i);
		bool seen = false;
		for (unsigned k = 0; k < (*x)->n; k++)
			seen |= (*x)->origin[k] == origin + i && (*x)->hash[k] == h;
		if (seen)
			continue;
		if ((*x)->n == PROV_PER_SECTOR) {
			(*x)->overflow = true;
			continue;
		}
		(*x)->origin[(*x)->n] = origin + i;
		(*x)->hash[(*x)->n++] = h;
	}
}

void coh__dm_cache_prov_check(struct block_device *cache, struct block_device *origin, u32 cblock,
                              u64 oblock, sector_t block_sectors)
{
	struct prov_disk *p = prov_of(cache->bd_disk, false);
	sector_t cs = (sector_t)cblock * block_sectors, os = (sector_t)oblock * block_sectors;
	for (sector_t i = 0; p && i < block_sectors && cs + i < p->nsect; i++) {
		const struct prov_sector *x = p->sec[cs + i];
		if (!x || x->overflow)
			continue;
		u64 h = sector_hash(cache->bd_disk, cs + i);
		bool ok = os + i < get_capacity(origin->bd_disk) &&
		          h == sector_hash(origin->bd_disk, os + i);
		int other = -1;
		for (unsigned k = 0; k < x->n && !ok; k++) {
			ok = x->origin[k] == os + i && x->hash[k] == h;
			if (x->hash[k] == h)
				other = (int)k;
		}
		if (ok)
			continue;
		char whose[96];
		if (other >= 0)
			snprintf(whose, sizeof(whose), "bytes written there for origin sector %llu",
			         (unsigned long long)x->origin[other]);
		else
			snprintf(whose, sizeof(whose),
			         "bytes never written there for it (the write for it did not "
			         "survive)");
		coh_check_report(
		    coh__kernel.chk, COH_F_STALE_READ, -1,
		    "dm-cache on %s: the metadata maps cblock %u to oblock %llu (%llu "
		    "sectors a block), but %s sector %llu holds %s, not origin sector "
		    "%llu's: a read of it through the cache returns another block's bytes",
		    disk_name(origin->bd_disk), cblock, (unsigned long long)oblock,
		    (unsigned long long)block_sectors, disk_name(cache->bd_disk),
		    (unsigned long long)(cs + i), whose, (unsigned long long)(os + i));
		return; /* one finding per block */
	}
}
