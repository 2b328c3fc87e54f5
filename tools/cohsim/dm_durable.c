/*
 * dm_durable.c - what `cohsim dm` expects each sector to read back: the
 * script's record of writes, flushes and power cuts, per device it does
 * I/O on (a mapped device, or a disk as /dev/NAME).
 *
 * Per sector: the latest pattern acknowledged, the latest one made
 * durable (by a FUA write, or a flush of the device that completed after
 * the write), the patterns written since that durable one, and every
 * pattern ever written there. Before a power cut a read must return the
 * latest. After one (the sector is "unsure") it may return the durable
 * pattern or any written since, and what it returns is the sector's new
 * history; a pattern from before the durable one is a lost-durable-write,
 * anything never written there (another block's bytes) a stale-read. A
 * write that failed may or may not have landed: the sector is unsure.
 *
 * Interface: dm_durable.h. Host memory, allocated once per script and
 * reset for each execution.
 */
#include <stdlib.h>
#include <string.h>

#include "dm_durable.h"

#define BIT(set, v) (((set)[(v) >> 3] >> ((v)&7)) & 1)
#define SETBIT(set, v) ((set)[(v) >> 3] |= (uint8_t)(1u << ((v)&7)))

int dm_durable_init(struct dm_durable *d, const struct dm_script *s)
{
	memset(d, 0, sizeof(*d));
	d->n = s->ntrackers;
	for (unsigned i = 0; i < s->ntrackers; i++) {
		d->nsect[i] = s->trackers[i].sectors;
		d->sec[i] = calloc(d->nsect[i] ? d->nsect[i] : 1, sizeof(struct dm_sector));
		if (!d->sec[i])
			return -1;
	}
	dm_durable_reset(d);
	return 0;
}

void dm_durable_free(struct dm_durable *d)
{
	for (unsigned i = 0; i < d->n; i++)
		free(d->sec[i]);
	memset(d, 0, sizeof(*d));
}

static void fresh(struct dm_sector *x, uint8_t pat, unsigned line)
{
	x->latest = x->durable = pat;
	x->latest_line = x->durable_line = line;
	x->unsure = false;
	memset(x->since, 0, sizeof(x->since));
	SETBIT(x->since, pat);
	SETBIT(x->ever, pat);
}

void dm_durable_reset(struct dm_durable *d)
{
	for (unsigned i = 0; i < d->n; i++)
		for (uint64_t k = 0; k < d->nsect[i]; k++) {
			memset(&d->sec[i][k], 0, sizeof(struct dm_sector));
			fresh(&d->sec[i][k], 0, 0); /* disks start zeroed */
		}
}

void dm_durable_write(struct dm_durable *d, unsigned dev, uint64_t sector, uint64_t count,
                      uint8_t pat, unsigned line, bool ok, bool fua)
{
	for (uint64_t k = sector; k < sector + count && k < d->nsect[dev]; k++) {
		struct dm_sector *x = &d->sec[dev][k];
		SETBIT(x->ever, pat);
		SETBIT(x->since, pat);
		if (!ok) {
			x->unsure = true;
			continue;
		}
		x->latest = pat;
		x->latest_line = line;
		if (fua && !x->unsure)
			fresh(x, pat, line);
	}
}

void dm_durable_flush(struct dm_durable *d, unsigned dev)
{
	for (uint64_t k = 0; k < d->nsect[dev]; k++) {
		struct dm_sector *x = &d->sec[dev][k];
		if (!x->unsure)
			fresh(x, x->latest, x->latest_line);
	}
}

void dm_durable_crash(struct dm_durable *d)
{
	for (unsigned i = 0; i < d->n; i++)
		for (uint64_t k = 0; k < d->nsect[i]; k++)
			d->sec[i][k].unsure = true;
}

enum dm_verdict dm_durable_read(struct dm_durable *d, unsigned dev, uint64_t sector, int seen,
                                const struct dm_sector **was)
{
	struct dm_sector *x = &d->sec[dev][sector];
	static struct dm_sector before;
	before = *x;
	*was = &before;
	if (seen == x->latest && !x->unsure)
		return DM_READ_OK;
	if (!x->unsure)
		return DM_READ_STALE;
	if (seen >= 0 && BIT(x->since, (unsigned)seen)) {
		/* what survived the cut is the sector's history from now on */
		fresh(x, (uint8_t)seen, seen == x->latest ? x->latest_line : x->durable_line);
		return DM_READ_OK;
	}
	if (seen >= 0 && BIT(x->ever, (unsigned)seen))
		return DM_READ_LOST_DURABLE;
	return DM_READ_STALE;
}
