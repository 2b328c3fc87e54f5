/*
 * dm-cache-recovery.c - the checker's ledger of dm-cache metadata commits,
 * for power cuts (no Linux counterpart: this is what a recovery must find).
 *
 * Per metadata disk the ledger keeps the mapping of the last commit that
 * was acknowledged (dm_cache_commit returned 0, its final flush done) and
 * of the one in flight, as dm-cache-metadata.c's host mirror holds them.
 * When the metadata is opened after a power cut, the mapping the
 * superblock points at must be one of the two: a commit is atomic, and an
 * acknowledged one is durable. Anything else is a lost-durable-write
 * finding naming the first cblock that differs; so is a superblock that
 * reads as unformatted or corrupt after an acknowledged commit.
 *
 * At every metadata open, coh__dm_cache_ledger_open reads the medium as
 * thin-provisioning-tools' cache_check would (superblock, mapping root,
 * array blocks, each with its location and checksum) and compares.
 *
 * Interface: kernel_impl.h (coh__dm_cache_ledger_*). Host-side only: no
 * simulated access, no choice. Reset by kernel_init(); kept across
 * coh_dm_reboot() (the disks are what survives).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cohsim/dm-cache.h"
#include "kernel/kernel_impl.h"
#include "kernel/md/dm-cache-format.h"
#include "kernel/md/persistent-data/dm-array.h"

#define LEDGERS 8

struct ledger {
	const struct gendisk *disk;
	unsigned commits;    /* acknowledged so far */
	unsigned cuts_seen;  /* coh_power_cuts() at the last check */
	bool inflight_valid; /* a commit began and was not acknowledged */
	dm_cblock_t n, inflight_n;
	u64 committed[DM_CACHE_MAX_CBLOCKS], inflight[DM_CACHE_MAX_CBLOCKS];
};

static struct ledger ledgers[LEDGERS];

void coh__dm_cache_ledger_init(void)
{
	coh__pool_reset(ledgers, sizeof(ledgers[0]), &coh__pools.ledgers);
	coh__dm_cache_prov_init();
}

static struct ledger *ledger_of(const struct block_device *bdev, bool create)
{
	for (unsigned i = 0; i < LEDGERS; i++)
		if (ledgers[coh__pool_note(&coh__pools.ledgers, i)].disk == bdev->bd_disk)
			return &ledgers[i];
	for (unsigned i = 0; create && i < LEDGERS; i++)
		if (!ledgers[coh__pool_note(&coh__pools.ledgers, i)].disk) {
			ledgers[i].disk = bdev->bd_disk;
			ledgers[i].cuts_seen = coh_power_cuts();
			return &ledgers[i];
		}
	return NULL;
}

void coh__dm_cache_ledger_begin(const struct block_device *bdev, const u64 *core, dm_cblock_t n)
{
	struct ledger *l = ledger_of(bdev, true);
	if (!l)
		return;
	l->inflight_n = n < DM_CACHE_MAX_CBLOCKS ? n : DM_CACHE_MAX_CBLOCKS;
	memcpy(l->inflight, core, sizeof(u64) * l->inflight_n);
	l->inflight_valid = true;
}

void coh__dm_cache_ledger_commit(const struct block_device *bdev)
{
	struct ledger *l = ledger_of(bdev, false);
	if (!l || !l->inflight_valid)
		return;
	l->n = l->inflight_n;
	memcpy(l->committed, l->inflight, sizeof(u64) * l->n);
	l->inflight_valid = false;
	l->commits++;
}

/* Has the power been cut since the last check, with a commit to lose? */
static struct ledger *pending(const struct block_device *bdev)
{
	struct ledger *l = ledger_of(bdev, false);
	if (!l || l->cuts_seen == coh_power_cuts())
		return NULL;
	l->cuts_seen = coh_power_cuts();
	return l->commits ? l : NULL;
}

static void ledger_lost(const struct block_device *bdev, const char *what)
{
	struct ledger *l = pending(bdev);
	if (!l)
		return;
	coh_check_report(coh__kernel.chk, COH_F_LOST_DURABLE_WRITE, -1,
	                 "dm-cache metadata on %s after a power cut: %s, after %u acknowledged "
	                 "transaction%s",
	                 disk_name(l->disk), what, l->commits, l->commits == 1 ? "" : "s");
	memset(l, 0, sizeof(*l)); /* a format starts a new history */
}

static bool same(const u64 *a, dm_cblock_t na, const u64 *b, dm_cblock_t nb)
{
	return na == nb && memcmp(a, b, sizeof(u64) * na) == 0;
}

static void describe(char *buf, size_t len, const u64 *m, dm_cblock_t n, dm_cblock_t c)
{
	if (c >= n)
		snprintf(buf, len, "no cblock %u", c);
	else if (!(m[c] & 1))
		snprintf(buf, len, "cblock %u unmapped", c);
	else
		snprintf(buf, len, "cblock %u -> oblock %llu%s", c,
		         (unsigned long long)(m[c] >> 16), (m[c] & 2) ? " (dirty)" : "");
}

static void ledger_check(const struct block_device *bdev, const u64 *got, dm_cblock_t n, u64 root)
{
	struct ledger *l = pending(bdev);
	if (l && !same(got, n, l->committed, l->n) &&
	    !(l->inflight_valid && same(got, n, l->inflight, l->inflight_n))) {
		dm_cblock_t c = 0;
		while (c < n && c < l->n && got[c] == l->committed[c])
			c++;
		char was[64], now[64];
		describe(was, sizeof(was), l->committed, l->n, c);
		describe(now, sizeof(now), got, n, c);
		coh_check_report(
		    coh__kernel.chk, COH_F_LOST_DURABLE_WRITE, -1,
		    "dm-cache metadata on %s after a power cut: the superblock's mapping "
		    "(root block %llu) has %s, but commit %u (acknowledged) had %s%s",
		    disk_name(l->disk), (unsigned long long)root, now, l->commits, was,
		    l->inflight_valid ? ", and neither has the commit in flight" : "");
	}
	if (!l)
		l = ledger_of(bdev, true);
	if (!l)
		return;
	/* what the device holds now is the history to keep */
	l->n = n;
	memcpy(l->committed, got, sizeof(u64) * n);
	l->inflight_valid = false;
}

#define MBS DM_CACHE_METADATA_BLOCK_SIZE

static u64 le(const u8 *p, unsigned n)
{
	u64 v = 0;
	for (unsigned k = n; k-- > 0;)
		v = v << 8 | p[k];
	return v;
}

/* A metadata block from the medium, with its location field (at off) and
 * checksum checked (the validators' rules, xor per block kind). */
static bool read_block(const struct block_device *bdev, u64 b, unsigned off, u32 xor, u8 *buf)
{
	return b < DM_CACHE_MAX_METADATA_BLOCKS &&
	       disk_backend_read(bdev->bd_disk, b * (MBS >> SECTOR_SHIFT), buf, MBS) == 0 &&
	       le(buf + off, 8) == b && le(buf, 4) == dm_bm_checksum(buf + 4, MBS - 4, xor);
}

/* The mapping on the medium; false and *why if it cannot be read. */
static bool read_mapping(const struct block_device *bdev, u8 *buf, u64 *core, dm_cblock_t *n,
                         u64 *root, char *why, size_t len)
{
	if (!read_block(bdev, CACHE_SUPERBLOCK_LOCATION, SB_BLOCKNR, SUPERBLOCK_CSUM_XOR, buf) ||
	    le(buf + SB_MAGIC, 8) != CACHE_SUPERBLOCK_MAGIC) {
		snprintf(why, len, "a superblock that fails its checksum");
		return false;
	}
	*root = le(buf + SB_MAPPING_ROOT, 8);
	u64 cblocks = le(buf + SB_CACHE_BLOCKS, 4);
	*n = (dm_cblock_t)(cblocks < DM_CACHE_MAX_CBLOCKS ? cblocks : DM_CACHE_MAX_CBLOCKS);
	if (!read_block(bdev, *root, 8, BTREE_CSUM_XOR, buf)) {
		snprintf(why, len, "a mapping root (block %llu) that fails its checksum",
		         (unsigned long long)*root);
		return false;
	}
	u32 nr = (u32)le(buf + 16, 4), max = (u32)le(buf + 20, 4);
	u64 ablocks[(DM_CACHE_MAX_CBLOCKS + 508) / 509 + 1];
	unsigned na = 0;
	for (u32 i = 0; i < nr && i < max && na < sizeof(ablocks) / sizeof(ablocks[0]); i++)
		ablocks[na++] = le(buf + NODE_HDR + 8 * ((size_t)max + i), 8);
	dm_cblock_t c = 0;
	for (unsigned i = 0; i < na && c < *n; i++) {
		if (!read_block(bdev, ablocks[i], 16, ARRAY_CSUM_XOR, buf)) {
			snprintf(why, len, "array block %u (block %llu) that fails its checksum", i,
			         (unsigned long long)ablocks[i]);
			return false;
		}
		for (u32 e = 0; e < le(buf + 8, 4) && c < *n; e++)
			core[c++] = le(buf + ABLOCK_HDR + 8 * e, 8);
	}
	if (c < *n) {
		snprintf(why, len, "a mapping array of %u entries for %u cache blocks", c, *n);
		return false;
	}
	return true;
}

void coh__dm_cache_ledger_open(const struct block_device *bdev, u64 *core)
{
	u8 *buf = malloc(MBS);
	BUG_ON(!buf);
	memset(core, 0, sizeof(u64) * DM_CACHE_MAX_CBLOCKS);
	bool zero = disk_backend_read(bdev->bd_disk, 0, buf, MBS) == 0;
	for (unsigned i = 0; zero && i < MBS; i++)
		zero = !buf[i];
	char why[96];
	dm_cblock_t n = 0;
	u64 root = 0;
	if (zero)
		ledger_lost(bdev, "an unformatted (all-zero) superblock");
	else if (!read_mapping(bdev, buf, core, &n, &root, why, sizeof(why)))
		ledger_lost(bdev, why);
	else
		ledger_check(bdev, core, n, root);
	free(buf);
}
