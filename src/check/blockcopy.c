/*
 * blockcopy.c - the block-copy oracle (cohsim/blockcopy.h): versions of the
 * sectors of block devices and of the software copies made of them.
 *
 * State, per execution (dropped by coh_check_reset):
 *   devs[d].latest[s]   the latest version of sector s (0: initial contents)
 *   devs[d].medium[s]   the version the medium holds
 *   copies[k].held[i]   the version copy k holds of its i-th sector
 *   vers[v - 1]         who wrote version v: the note event, the copy (or
 *                       none: another path), the owner's name
 * Invariants: medium[s] <= latest[s] and held[i] <= latest[s] (versions
 * only grow, and every version was once the latest); a version is written
 * once, by a store or a dev_write, and only moves afterwards (fill: medium
 * -> copy, writeback: copy -> medium).
 *
 * Findings: a read (from a copy, or from the medium) of a sector whose held
 * version is older than the latest is a stale-read; a writeback that puts
 * an older version over a newer one on the medium is a lost-write. A copy
 * reports each kind once until it is filled or stored again.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_impl.h"
#include "cohsim/blockcopy.h"

#define OWNER_MAX 64

struct blk_dev {
	char name[COH_BLK_NAME_MAX];
	uint64_t nsect;
	uint64_t *latest;
	uint64_t *medium;
};

struct blk_copy {
	bool live;
	bool reported_stale, reported_lost;
	unsigned dev;
	uint64_t sector, nsect;
	uint64_t filled_ev; /* the event before the fill (0: never filled) */
	char owner[OWNER_MAX];
	uint64_t *held;
};

struct blk_version {
	uint64_t ev;
	char by[OWNER_MAX]; /* the copy's owner, or "a direct write" */
};

struct coh__blk {
	struct blk_dev *devs;
	unsigned ndevs, capdevs;
	struct blk_copy *copies;
	unsigned ncopies, capcopies;
	struct blk_version *vers;
	uint64_t nvers, capvers;
};

void coh__blk_free(coh_check *c)
{
	struct coh__blk *b = c->blk;
	if (!b)
		return;
	for (unsigned i = 0; i < b->ndevs; i++) {
		free(b->devs[i].latest);
		free(b->devs[i].medium);
	}
	for (unsigned i = 0; i < b->ncopies; i++)
		free(b->copies[i].held);
	free(b->devs);
	free(b->copies);
	free(b->vers);
	free(b);
	c->blk = NULL;
}

static struct coh__blk *blk(coh_check *c)
{
	if (!c->cfg.oracle)
		return NULL;
	if (!c->blk)
		c->blk = calloc(1, sizeof(*c->blk));
	return c->blk;
}

static bool grow(void **arr, size_t elem, uint64_t n, uint64_t *cap)
{
	if (n < *cap)
		return true;
	uint64_t ncap = *cap ? *cap * 2 : 8;
	void *p = realloc(*arr, (size_t)ncap * elem);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

int coh_blk_dev_register(coh_check *c, const char *name, uint64_t nsectors, unsigned *out)
{
	*out = 0;
	if (!name || !*name || nsectors == 0 || nsectors > (1ull << 32))
		return COH_EINVAL;
	struct coh__blk *b = blk(c);
	if (!c->cfg.oracle)
		return COH_OK;
	uint64_t cap = b ? b->capdevs : 0;
	if (!b || !grow((void **)&b->devs, sizeof(*b->devs), b->ndevs, &cap))
		return COH_ENOMEM;
	b->capdevs = (unsigned)cap;
	struct blk_dev *d = &b->devs[b->ndevs];
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->nsect = nsectors;
	d->latest = calloc(nsectors, sizeof(uint64_t));
	d->medium = calloc(nsectors, sizeof(uint64_t));
	if (!d->latest || !d->medium) {
		free(d->latest);
		free(d->medium);
		return COH_ENOMEM;
	}
	*out = b->ndevs++;
	return COH_OK;
}

static struct blk_dev *dev_at(const coh_check *c, unsigned dev)
{
	const struct coh__blk *b = c->blk;
	return b && dev < b->ndevs ? &b->devs[dev] : NULL;
}

static struct blk_copy *copy_at(const coh_check *c, unsigned copy)
{
	const struct coh__blk *b = c->blk;
	return b && copy < b->ncopies && b->copies[copy].live ? &b->copies[copy] : NULL;
}

int coh_blk_copy_create(coh_check *c, unsigned dev, uint64_t sector, uint64_t nsectors,
                        const char *owner, unsigned *out)
{
	*out = 0;
	if (!c->cfg.oracle)
		return COH_OK;
	struct blk_dev *d = dev_at(c, dev);
	if (!d || nsectors == 0 || sector > d->nsect || nsectors > d->nsect - sector)
		return COH_EINVAL;
	struct coh__blk *b = c->blk;
	uint64_t cap = b->capcopies;
	if (!grow((void **)&b->copies, sizeof(*b->copies), b->ncopies, &cap))
		return COH_ENOMEM;
	b->capcopies = (unsigned)cap;
	struct blk_copy *k = &b->copies[b->ncopies];
	memset(k, 0, sizeof(*k));
	k->held = calloc(nsectors, sizeof(uint64_t));
	if (!k->held)
		return COH_ENOMEM;
	k->live = true;
	k->dev = dev;
	k->sector = sector;
	k->nsect = nsectors;
	snprintf(k->owner, sizeof(k->owner), "%s", owner ? owner : "a copy");
	*out = b->ncopies++;
	return COH_OK;
}

void coh_blk_copy_destroy(coh_check *c, unsigned copy)
{
	struct blk_copy *k = copy_at(c, copy);
	if (!k)
		return;
	free(k->held);
	k->held = NULL;
	k->live = false;
}

/* A new version, written by `by` at a note event of the trace. */
static uint64_t new_version(coh_check *c, int cpu, const char *by)
{
	struct coh__blk *b = c->blk;
	if (!grow((void **)&b->vers, sizeof(*b->vers), b->nvers, &b->capvers))
		return 0;
	struct blk_version *v = &b->vers[b->nvers++];
	v->ev = coh_machine_note(c->m, cpu, "block-copy: a new version");
	snprintf(v->by, sizeof(v->by), "%s", by);
	return b->nvers;
}

static const struct blk_version *version_at(const coh_check *c, uint64_t v)
{
	return v && v <= c->blk->nvers ? &c->blk->vers[v - 1] : NULL;
}

static void set_writer(coh_check *c, coh_finding *f, uint64_t v)
{
	const struct blk_version *w = version_at(c, v);
	if (!w)
		return;
	if (!coh_machine_event(c->m, w->ev, &f->writer)) {
		f->writer.no = w->ev;
		f->writer_aged_out = true;
	}
}

/* The finding was exposed by the note event ev (the read, the write-back),
 * not by the machine operation under way. */
static void set_trigger(coh_check *c, coh_finding *f, uint64_t ev)
{
	if (!coh_machine_event(c->m, ev, &f->trigger))
		f->trigger.no = ev;
	f->ntail = (unsigned)coh_machine_trace_tail(c->m, f->tail, COH_FINDING_TRACE);
}

void coh_blk_copy_fill(coh_check *c, unsigned copy)
{
	struct blk_copy *k = copy_at(c, copy);
	if (!k)
		return;
	const struct blk_dev *d = &c->blk->devs[k->dev];
	memcpy(k->held, d->medium + k->sector, k->nsect * sizeof(uint64_t));
	k->filled_ev = coh_machine_events(c->m);
	k->reported_stale = k->reported_lost = false;
}

void coh_blk_copy_store(coh_check *c, unsigned copy, int cpu)
{
	struct blk_copy *k = copy_at(c, copy);
	if (!k)
		return;
	uint64_t v = new_version(c, cpu, k->owner);
	if (!v)
		return;
	struct blk_dev *d = &c->blk->devs[k->dev];
	for (uint64_t i = 0; i < k->nsect; i++) {
		k->held[i] = v;
		d->latest[k->sector + i] = v;
	}
	k->reported_stale = k->reported_lost = false;
}

/* The first sector of [sector, sector + n) where `held` is older than the
 * latest, or -1. */
static int64_t first_stale(const struct blk_dev *d, uint64_t sector, const uint64_t *held,
                           uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		if (held[i] < d->latest[sector + i])
			return (int64_t)i;
	return -1;
}

static void report_stale_read(coh_check *c, const struct blk_dev *d, uint64_t s, uint64_t held,
                              int cpu, const char *from, uint64_t since)
{
	uint64_t latest = d->latest[s];
	const struct blk_version *w = version_at(c, latest);
	uint64_t ev = coh_machine_note(c->m, cpu, "block-copy: a read served");
	coh_finding *f = coh_check_report(c, COH_F_STALE_READ, cpu,
	                                  "stale-read of %s sector %" PRIu64
	                                  ": served from %s, which holds version %" PRIu64
	                                  "; the latest is version %" PRIu64 ", stored by %s",
	                                  d->name, s, from, held, latest, w ? w->by : "?");
	if (!f)
		return;
	set_trigger(c, f, ev);
	set_writer(c, f, latest);
	f->stale_since = since;
}

void coh_blk_copy_read(coh_check *c, unsigned copy, int cpu)
{
	struct blk_copy *k = copy_at(c, copy);
	if (!k || k->reported_stale)
		return;
	const struct blk_dev *d = &c->blk->devs[k->dev];
	int64_t i = first_stale(d, k->sector, k->held, k->nsect);
	if (i < 0)
		return;
	k->reported_stale = true;
	report_stale_read(c, d, k->sector + (uint64_t)i, k->held[i], cpu, k->owner, k->filled_ev);
}

void coh_blk_copy_writeback(coh_check *c, unsigned copy)
{
	struct blk_copy *k = copy_at(c, copy);
	if (!k)
		return;
	struct blk_dev *d = &c->blk->devs[k->dev];
	for (uint64_t i = 0; i < k->nsect; i++) {
		uint64_t s = k->sector + i;
		if (k->held[i] < d->medium[s] && !k->reported_lost) {
			k->reported_lost = true;
			const struct blk_version *w = version_at(c, d->medium[s]);
			uint64_t ev = coh_machine_note(c->m, -1, "block-copy: a write-back");
			coh_finding *f = coh_check_report(
			    c, COH_F_LOST_WRITE, -1,
			    "lost-write on %s sector %" PRIu64 ": %s wrote back version %" PRIu64
			    " over version %" PRIu64 ", stored by %s",
			    d->name, s, k->owner, k->held[i], d->medium[s], w ? w->by : "?");
			if (f) {
				set_trigger(c, f, ev);
				set_writer(c, f, d->medium[s]);
				f->stale_since = k->filled_ev;
			}
		}
		d->medium[s] = k->held[i];
	}
}

static bool dev_range(const coh_check *c, unsigned dev, uint64_t sector, uint64_t n,
                      struct blk_dev **out)
{
	*out = dev_at(c, dev);
	return *out && n && sector <= (*out)->nsect && n <= (*out)->nsect - sector;
}

void coh_blk_dev_write(coh_check *c, unsigned dev, uint64_t sector, uint64_t nsectors, int cpu)
{
	struct blk_dev *d;
	if (!dev_range(c, dev, sector, nsectors, &d))
		return;
	uint64_t v = new_version(c, cpu, "a direct write");
	for (uint64_t i = 0; v && i < nsectors; i++)
		d->latest[sector + i] = d->medium[sector + i] = v;
}

void coh_blk_dev_read(coh_check *c, unsigned dev, uint64_t sector, uint64_t nsectors, int cpu)
{
	struct blk_dev *d;
	if (!dev_range(c, dev, sector, nsectors, &d))
		return;
	int64_t i = first_stale(d, sector, d->medium + sector, nsectors);
	if (i >= 0)
		report_stale_read(c, d, sector + (uint64_t)i, d->medium[sector + (uint64_t)i], cpu,
		                  "the medium (a newer version is in a copy not written back)", 0);
}

uint64_t coh_blk_latest(const coh_check *c, unsigned dev, uint64_t sector)
{
	const struct blk_dev *d = dev_at(c, dev);
	return d && sector < d->nsect ? d->latest[sector] : 0;
}

uint64_t coh_blk_medium(const coh_check *c, unsigned dev, uint64_t sector)
{
	const struct blk_dev *d = dev_at(c, dev);
	return d && sector < d->nsect ? d->medium[sector] : 0;
}

uint64_t coh_blk_copy_version(const coh_check *c, unsigned copy, uint64_t sector)
{
	const struct blk_copy *k = copy_at(c, copy);
	return k && sector >= k->sector && sector - k->sector < k->nsect
	           ? k->held[sector - k->sector]
	           : 0;
}

void coh_blk_restart(coh_check *c)
{
	struct coh__blk *b = c->blk;
	if (!b)
		return;
	for (unsigned i = 0; i < b->ncopies; i++)
		b->copies[i].live = false;
	for (unsigned i = 0; i < b->ndevs; i++)
		memcpy(b->devs[i].latest, b->devs[i].medium, sizeof(uint64_t) * b->devs[i].nsect);
}
