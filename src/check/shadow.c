/*
 * shadow.c - the oracle's shadow of one physical page: the latest value of
 * each byte and the event that wrote it, in about two host bytes per byte.
 *
 * Interface (check_impl.h): coh__shadow_new, coh__shadow_set (a store of n
 * bytes by event ev), coh__shadow_ver (the writer of one byte; 0: never
 * written), coh__shadow_clear (every byte undefined again), free().
 *
 * Layout: val[] holds a byte per byte. Versions are kept per 4-byte
 * granule: gver[g] is the writer event of all four bytes when they share
 * one below 2^31 (0: undefined), or GVER_SPLIT | i when they differ (a
 * store of 1 or 2 bytes, or one that straddles granules, or an event
 * number of 2^31 or more): split[i] then holds the four writer events byte
 * by byte, exactly. A split granule stays split until the page is cleared,
 * so each granule has at most one split entry and the array is bounded by
 * the page.
 */
#include <stdlib.h>
#include <string.h>

#include "check/check_impl.h"

#define GVER_SPLIT COH__GVER_SPLIT
#define GVER_MAX COH__GVER_MAX

struct shadow_page *coh__shadow_new(size_t psz)
{
	struct shadow_page *s = calloc(1, sizeof(*s) + psz + psz / 4 * sizeof(uint32_t));
	if (!s)
		return NULL;
	s->gver = (uint32_t *)(s + 1);
	s->val = (uint8_t *)(s->gver + psz / 4);
	return s;
}

void coh__shadow_free(struct shadow_page *s)
{
	if (s)
		free(s->split);
	free(s);
}

void coh__shadow_clear(struct shadow_page *s, size_t psz)
{
	memset(s->gver, 0, psz / 4 * sizeof(uint32_t));
	s->nsplit = 0;
}

/* Granule g split into per-byte versions; false when out of host memory. */
static bool split(struct shadow_page *s, size_t g)
{
	uint32_t gv = s->gver[g];
	if (gv & GVER_SPLIT)
		return true;
	if (s->nsplit == s->capsplit) {
		size_t cap = s->capsplit ? s->capsplit * 2 : 16;
		uint64_t(*n)[4] = realloc(s->split, cap * sizeof(*n));
		if (!n)
			return false;
		s->split = n;
		s->capsplit = cap;
	}
	uint64_t *b = s->split[s->nsplit];
	b[0] = b[1] = b[2] = b[3] = gv;
	s->gver[g] = GVER_SPLIT | (uint32_t)s->nsplit++;
	return true;
}

uint64_t coh__shadow_ver(const struct shadow_page *s, size_t off)
{
	uint32_t gv = s->gver[off >> 2];
	if (gv & GVER_SPLIT)
		return s->split[gv & ~GVER_SPLIT][off & 3];
	return gv;
}

bool coh__shadow_set(struct shadow_page *s, size_t off, const uint8_t *bytes, unsigned n,
                     uint64_t ev)
{
	memcpy(s->val + off, bytes, n);
	for (size_t end = off + n; off < end;) {
		size_t g = off >> 2;
		if ((off & 3) == 0 && end - off >= 4 && ev <= GVER_MAX &&
		    !(s->gver[g] & GVER_SPLIT)) {
			s->gver[g] = (uint32_t)ev; /* the whole granule, one writer */
			off += 4;
			continue;
		}
		if (!split(s, g))
			return false;
		s->split[s->gver[g] & ~GVER_SPLIT][off & 3] = ev;
		off++;
	}
	return true;
}
