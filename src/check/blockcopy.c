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
	uint64_t *done; /* the newest version whose writer has completed */
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
	uint64_t begin_ev;  /* its writer began (an operation's begin, else ev) */
	uint64_t commit_ev; /* its writer completed (UINT64_MAX: not yet) */
	unsigned op;        /* its operation (0: none) */
	unsigned dev;
	uint64_t sector, nsect;
	char by[OWNER_MAX]; /* the copy's owner, or "a direct write" */
};

/* An operation: a read or a write by one system call, from its begin to
 * its end. Its reads may see any version whose writer had not completed
 * when it began (floor: the completed versions then); its writes are
 * versions that complete when it ends. */
struct blk_op {
	bool live;
	unsigned dev;
	uint64_t begin_ev;
	uint64_t first_ver; /* the versions made since it began */
	uint64_t *floor;    /* a read's: done[] of its device when it began */
	bool reported;
	char who[OWNER_MAX];
};

struct coh__blk {
	struct blk_dev *devs;
	unsigned ndevs, capdevs;
	struct blk_copy *copies;
	unsigned ncopies, capcopies;
	struct blk_version *vers;
	uint64_t nvers, capvers;
	struct blk_op *ops; /* ops[k - 1] is operation k */
	uint64_t nops, capops;
};

void coh__blk_free(coh_check *c)
{
	struct coh__blk *b = c->blk;
	if (!b)
		return;
	for (unsigned i = 0; i < b->ndevs; i++) {
		free(b->devs[i].latest);
		free(b->devs[i].medium);
		free(b->devs[i].done);
	}
	for (uint64_t i = 0; i < b->nops; i++)
		free(b->ops[i].floor);
	free(b->ops);
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
	d->done = calloc(nsectors, sizeof(uint64_t));
	if (!d->latest || !d->medium || !d->done) {
		free(d->latest);
		free(d->medium);
		free(d->done);
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

/* A new version of [sector, sector + n) of dev, written by `by` at a note
 * event of the trace; complete at once unless op (an operation) made it. */
static uint64_t new_version(coh_check *c, int cpu, const char *by, unsigned dev, uint64_t sector,
                            uint64_t n, unsigned op)
{
	struct coh__blk *b = c->blk;
	if (!grow((void **)&b->vers, sizeof(*b->vers), b->nvers, &b->capvers))
		return 0;
	struct blk_version *v = &b->vers[b->nvers++];
	v->ev = coh_machine_note(c->m, cpu, "block-copy: a new version");
	v->op = op;
	v->begin_ev = op ? b->ops[op - 1].begin_ev : v->ev;
	v->commit_ev = op ? UINT64_MAX : v->ev;
	v->dev = dev;
	v->sector = sector;
	v->nsect = n;
	snprintf(v->by, sizeof(v->by), "%s", by);
	if (!op)
		for (uint64_t i = 0; i < n; i++)
			if (b->devs[dev].done[sector + i] < b->nvers)
				b->devs[dev].done[sector + i] = b->nvers;
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
	uint64_t v = new_version(c, cpu, k->owner, k->dev, k->sector, k->nsect, 0);
	if (!v)
		return;
	struct blk_dev *d = &c->blk->devs[k->dev];
	for (uint64_t i = 0; i < k->nsect; i++) {
		k->held[i] = v;
		d->latest[k->sector + i] = v;
	}
	k->reported_stale = k->reported_lost = false;
}

/* Version h is older than version m for a reader or a write-back unless
 * their writers overlapped: h's writer completed before m's began. (Then
 * either order is a valid outcome: a read may see h, a write-back may put
 * h over m.) */
static bool precedes(const coh_check *c, uint64_t h, uint64_t m)
{
	const struct blk_version *vh = version_at(c, h), *vm = version_at(c, m);
	if (!vm)
		return false;
	return !vh || vh->commit_ev < vm->begin_ev;
}

/* The first sector of [sector, sector + n) where `held` is older than the
 * newest version completed (floor: when the read began; NULL: now), or
 * -1. A version whose writer has not completed may or may not be seen. */
static int64_t first_stale(const coh_check *c, const struct blk_dev *d, uint64_t sector,
                           const uint64_t *held, uint64_t n, const uint64_t *floor)
{
	const uint64_t *need = floor ? floor : d->done;
	for (uint64_t i = 0; i < n; i++)
		if (held[i] < need[sector + i] && precedes(c, held[i], need[sector + i]))
			return (int64_t)i;
	return -1;
}

static void report_stale_read(coh_check *c, const struct blk_dev *d, uint64_t s, uint64_t held,
                              int cpu, const char *from, uint64_t since, const uint64_t *floor)
{
	uint64_t latest = floor ? floor[s] : d->done[s];
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
	int64_t i = first_stale(c, d, k->sector, k->held, k->nsect, NULL);
	if (i < 0)
		return;
	k->reported_stale = true;
	report_stale_read(c, d, k->sector + (uint64_t)i, k->held[i], cpu, k->owner, k->filled_ev,
	                  NULL);
}

void coh_blk_copy_writeback(coh_check *c, unsigned copy)
{
	struct blk_copy *k = copy_at(c, copy);
	if (!k)
		return;
	struct blk_dev *d = &c->blk->devs[k->dev];
	for (uint64_t i = 0; i < k->nsect; i++) {
		uint64_t s = k->sector + i;
		if (k->held[i] < d->medium[s] && !k->reported_lost &&
		    precedes(c, k->held[i], d->medium[s])) {
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
	uint64_t v = new_version(c, cpu, "a direct write", dev, sector, nsectors, 0);
	for (uint64_t i = 0; v && i < nsectors; i++)
		d->latest[sector + i] = d->medium[sector + i] = v;
}

void coh_blk_dev_discard(coh_check *c, unsigned dev, uint64_t sector, uint64_t nsectors)
{
	struct blk_dev *d;
	if (!dev_range(c, dev, sector, nsectors, &d))
		return;
	for (uint64_t i = sector; i < sector + nsectors; i++)
		d->latest[i] = d->done[i] = d->medium[i];
}

void coh_blk_dev_read(coh_check *c, unsigned dev, uint64_t sector, uint64_t nsectors, int cpu)
{
	struct blk_dev *d;
	if (!dev_range(c, dev, sector, nsectors, &d))
		return;
	int64_t i = first_stale(c, d, sector, d->medium + sector, nsectors, NULL);
	if (i >= 0)
		report_stale_read(c, d, sector + (uint64_t)i, d->medium[sector + (uint64_t)i], cpu,
		                  "the medium (a newer version is in a copy not written back)", 0,
		                  NULL);
}

/* ---- operations ---- */

static struct blk_op *op_at(const coh_check *c, unsigned op)
{
	const struct coh__blk *b = c->blk;
	return b && op && op <= b->nops && b->ops[op - 1].live ? &b->ops[op - 1] : NULL;
}

unsigned coh_blk_op_begin(coh_check *c, unsigned dev, bool write, int cpu, const char *who)
{
	struct blk_dev *d = dev_at(c, dev);
	if (!d)
		return 0;
	struct coh__blk *b = c->blk;
	if (!grow((void **)&b->ops, sizeof(*b->ops), b->nops, &b->capops))
		return 0;
	struct blk_op *o = &b->ops[b->nops];
	memset(o, 0, sizeof(*o));
	if (!write) {
		o->floor = malloc(d->nsect * sizeof(uint64_t));
		if (!o->floor)
			return 0;
		memcpy(o->floor, d->done, d->nsect * sizeof(uint64_t));
	}
	o->live = true;
	o->dev = dev;
	o->begin_ev = coh_machine_note(c->m, cpu, "block-copy: an operation begins");
	o->first_ver = b->nvers;
	snprintf(o->who, sizeof(o->who), "%s", who ? who : "an operation");
	return (unsigned)++b->nops;
}

void coh_blk_op_dma(coh_check *c, unsigned op, uint64_t sector, uint64_t nsectors, bool write)
{
	struct blk_op *o = op_at(c, op);
	struct blk_dev *d;
	if (!o || !dev_range(c, o->dev, sector, nsectors, &d))
		return;
	if (write) {
		uint64_t v = new_version(c, -1, o->who, o->dev, sector, nsectors, op);
		for (uint64_t i = 0; v && i < nsectors; i++)
			d->latest[sector + i] = d->medium[sector + i] = v;
		return;
	}
	if (o->reported || !o->floor)
		return;
	int64_t i = first_stale(c, d, sector, d->medium + sector, nsectors, o->floor);
	if (i < 0)
		return;
	o->reported = true;
	char from[OWNER_MAX + 40];
	snprintf(from, sizeof(from), "the medium, for %s", o->who);
	report_stale_read(c, d, sector + (uint64_t)i, d->medium[sector + (uint64_t)i], -1, from, 0,
	                  o->floor);
}

void coh_blk_op_end(coh_check *c, unsigned op)
{
	struct blk_op *o = op_at(c, op);
	if (!o)
		return;
	struct coh__blk *b = c->blk;
	uint64_t now = coh_machine_events(c->m);
	for (uint64_t v = o->first_ver; v < b->nvers; v++) {
		struct blk_version *w = &b->vers[v];
		if (w->op != op)
			continue;
		w->commit_ev = now;
		uint64_t *done = b->devs[w->dev].done;
		for (uint64_t i = 0; i < w->nsect; i++)
			if (done[w->sector + i] < v + 1)
				done[w->sector + i] = v + 1;
	}
	free(o->floor);
	o->floor = NULL;
	o->live = false;
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
	for (unsigned i = 0; i < b->ndevs; i++) {
		memcpy(b->devs[i].latest, b->devs[i].medium, sizeof(uint64_t) * b->devs[i].nsect);
		/* what the medium holds is all that completed: the rest was lost */
		memcpy(b->devs[i].done, b->devs[i].medium, sizeof(uint64_t) * b->devs[i].nsect);
	}
	for (uint64_t i = 0; i < b->nops; i++)
		b->ops[i].live = false; /* no operation outlives the restart */
}
