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
 * Interface: kernel_impl.h (coh__dm_cache_ledger_*). Host-side only: no
 * simulated access, no choice. Reset by kernel_init(); kept across
 * coh_dm_reboot() (the disks are what survives).
 */
#include <stdio.h>
#include <string.h>

#include "cohsim/dm-cache.h"
#include "kernel/kernel_impl.h"

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

void coh__dm_cache_ledger_lost(const struct block_device *bdev, const char *what)
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

void coh__dm_cache_ledger_check(const struct block_device *bdev, const u64 *got, dm_cblock_t n,
                                u64 root)
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
