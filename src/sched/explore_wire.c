/*
 * explore_wire.c - a --jobs worker's results as bytes, and back.
 *
 * Interface: coh__wres_encode() in the worker, coh__wres_decode() in the
 * parent, coh__wres_free() for either side's copy.
 *
 * Invariants: the bytes hold no host pointer; every count and string
 * length is checked against what is left before anything is allocated, so
 * a short, truncated, padded or corrupt file (a full disk, a worker killed
 * mid-write, another writer on the same descriptor) is -1, never a crash.
 * Layout, native byte order (the same binary writes and reads it):
 *   "COHW" version rc | scalars | nunits x unit | nfound x finding | "END."
 * a unit being unit, nsched, npruned, cost (4 x u64), a finding its
 * scalars (6 x u64) then key, schedule, report, json, each as a u64
 * length and that many bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched/explore_impl.h"

#define WIRE_MAGIC 0x57484f43u /* "COHW" */
#define WIRE_END 0x2e444e45u   /* "END." */
#define WIRE_VERSION 2u

static void put(FILE *f, const void *p, size_t n)
{
	fwrite(p, 1, n, f);
}

static void put_u64(FILE *f, uint64_t v)
{
	put(f, &v, sizeof(v));
}

static void put_str(FILE *f, const char *s)
{
	uint64_t n = s ? strlen(s) : 0;
	put_u64(f, n);
	put(f, s, n);
}

int coh__wres_encode(const struct coh__wres *w, int rc, char **buf, size_t *len)
{
	*buf = NULL;
	*len = 0;
	FILE *f = open_memstream(buf, len);
	if (!f)
		return -1;
	uint32_t head[3] = {WIRE_MAGIC, WIRE_VERSION, (uint32_t)rc};
	put(f, head, sizeof(head));
	uint64_t sc[10] = {
	    w->base,
	    w->stride,
	    w->count,
	    w->nunits,
	    w->nfound,
	    w->max_steps,
	    w->pct_k,
	    w->pruned,
	    w->pct_n,
	    (uint64_t)w->exhausted | (uint64_t)w->by_time << 1 | (uint64_t)w->mismatch << 2};
	put(f, sc, sizeof(sc));
	for (size_t i = 0; i < w->nunits; i++) {
		uint64_t u[4] = {w->units[i].unit, w->units[i].nsched, w->units[i].npruned,
		                 w->units[i].cost};
		put(f, u, sizeof(u));
	}
	for (size_t i = 0; i < w->nfound; i++) {
		const struct coh__found *x = &w->found[i];
		uint64_t v[6] = {x->unit,        x->pos,        (uint64_t)x->kind,
		                 x->shrunk_from, x->deviations, x->cost};
		put(f, v, sizeof(v));
		put_str(f, x->key);
		put_str(f, x->schedule);
		put_str(f, x->report);
		put_str(f, x->json);
	}
	uint32_t end = WIRE_END;
	put(f, &end, sizeof(end));
	bool ok = !ferror(f);
	if (fclose(f) != 0 || !ok) {
		free(*buf);
		*buf = NULL;
		*len = 0;
		return -1;
	}
	return 0;
}

/* A cursor over the bytes: every take checks what is left. */
struct rd {
	const char *p;
	size_t left;
};

static bool take(struct rd *r, void *out, size_t n)
{
	if (n > r->left)
		return false;
	memcpy(out, r->p, n);
	r->p += n;
	r->left -= n;
	return true;
}

static char *take_str(struct rd *r)
{
	uint64_t n;
	if (!take(r, &n, sizeof(n)) || n > r->left)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	memcpy(s, r->p, (size_t)n);
	s[n] = 0;
	if (memchr(s, 0, (size_t)n)) { /* a string never holds NUL */
		free(s);
		return NULL;
	}
	r->p += n;
	r->left -= (size_t)n;
	return s;
}

int coh__wres_decode(const char *buf, size_t len, struct coh__wres *w, int *rc)
{
	struct rd r = {buf, len};
	uint32_t head[3];
	uint64_t sc[10];
	memset(w, 0, sizeof(*w));
	if (!take(&r, head, sizeof(head)) || head[0] != WIRE_MAGIC || head[1] != WIRE_VERSION ||
	    !take(&r, sc, sizeof(sc)))
		return -1;
	*rc = (int)head[2];
	/* each unit is 32 bytes and each finding at least 80: the counts
	 * cannot exceed what the bytes can hold */
	if (sc[3] > r.left / 32 || sc[4] > r.left / 80 || sc[8] > UINT32_MAX || sc[9] > 7)
		return -1;
	w->base = sc[0];
	w->stride = sc[1];
	w->count = sc[2];
	w->max_steps = sc[5];
	w->pct_k = sc[6];
	w->pruned = sc[7];
	w->pct_n = (unsigned)sc[8];
	w->exhausted = sc[9] & 1;
	w->by_time = (sc[9] >> 1) & 1;
	w->mismatch = (sc[9] >> 2) & 1;
	size_t nunits = (size_t)sc[3], nfound = (size_t)sc[4];
	if (nunits) {
		w->units = malloc(nunits * sizeof(*w->units));
		if (!w->units)
			goto bad;
		w->capunits = nunits;
		for (size_t i = 0; i < nunits; i++) {
			uint64_t u[4];
			if (!take(&r, u, sizeof(u)) || u[3] > UINT32_MAX)
				goto bad;
			w->units[w->nunits++] =
			    (struct coh__unitrec){u[0], u[1], u[2], (unsigned)u[3]};
		}
	}
	if (nfound) {
		w->found = calloc(nfound, sizeof(*w->found));
		if (!w->found)
			goto bad;
		w->capfound = nfound;
		for (size_t i = 0; i < nfound; i++) {
			uint64_t v[6];
			if (!take(&r, v, sizeof(v)) || v[2] >= COH_F_KIND_COUNT ||
			    v[3] > UINT32_MAX || v[4] > UINT32_MAX || v[5] > UINT32_MAX)
				goto bad;
			struct coh__found *x = &w->found[w->nfound++];
			x->unit = v[0];
			x->pos = v[1];
			x->kind = (enum coh_finding_kind)v[2];
			x->shrunk_from = (unsigned)v[3];
			x->deviations = (unsigned)v[4];
			x->cost = (unsigned)v[5];
			if (!(x->key = take_str(&r)) || !(x->schedule = take_str(&r)) ||
			    !(x->report = take_str(&r)) || !(x->json = take_str(&r)))
				goto bad;
		}
	}
	uint32_t end;
	if (!take(&r, &end, sizeof(end)) || end != WIRE_END || r.left != 0)
		goto bad;
	return 0;
bad:
	coh__wres_free(w);
	return -1;
}

void coh__wres_free(struct coh__wres *w)
{
	free(w->units);
	for (size_t i = 0; i < w->nfound; i++)
		coh__found_free(&w->found[i]);
	free(w->found);
	memset(w, 0, sizeof(*w));
}
