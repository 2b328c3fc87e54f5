/*
 * vaset.c - a set of disjoint VA ranges (vaset.h), kept as a treap.
 *
 * Interface: coh__vaset_overlap / _add / _remove / _free.
 *
 * Design: a binary search tree keyed by the range's start, heap-ordered by
 * a priority that is a hash of the insertion's sequence number. The shape
 * is then that of a random tree whatever the keys are, so a hostile file
 * (maps in descending order, say) costs O(log n) per operation like any
 * other; and it depends on the input only, so parsing stays deterministic.
 * Nodes live in one pool addressed by 32-bit indices (0 is "none"); freed
 * nodes are chained through `right`.
 *
 * Invariants: ranges are disjoint, so ordering by start orders the ends
 * too; a node's priority is >= its children's.
 */
#include <stdbool.h>
#include <stdlib.h>

#include "cohsim/machine.h"
#include "litmus/vaset.h"

struct coh__vanode {
	struct coh__varange r;
	uint64_t prio;
	uint32_t left, right;
};

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void coh__vaset_free(struct coh__vaset *s)
{
	free(s->nodes);
	*s = (struct coh__vaset){0};
}

#define N(i) (s->nodes[i])

/* Splits tree t into keys < key (*l) and keys >= key (*r). */
static void split(struct coh__vaset *s, uint32_t t, uint64_t key, uint32_t *l, uint32_t *r)
{
	s->visits++;
	if (!t) {
		*l = *r = 0;
	} else if (N(t).r.va < key) {
		split(s, N(t).right, key, &N(t).right, r);
		*l = t;
	} else {
		split(s, N(t).left, key, l, &N(t).left);
		*r = t;
	}
}

/* Joins two trees, every key of l below every key of r. */
static uint32_t merge(struct coh__vaset *s, uint32_t l, uint32_t r)
{
	s->visits++;
	if (!l || !r)
		return l ? l : r;
	if (N(l).prio >= N(r).prio) {
		N(l).right = merge(s, N(l).right, r);
		return l;
	}
	N(r).left = merge(s, l, N(r).left);
	return r;
}

/* Removes the node whose start is va from tree t; returns the new tree. */
static uint32_t erase(struct coh__vaset *s, uint32_t t, uint64_t va)
{
	s->visits++;
	if (!t)
		return 0;
	if (N(t).r.va == va) {
		uint32_t rest = merge(s, N(t).left, N(t).right);
		N(t).left = 0;
		N(t).right = s->free_list;
		s->free_list = t;
		s->n--;
		return rest;
	}
	if (va < N(t).r.va)
		N(t).left = erase(s, N(t).left, va);
	else
		N(t).right = erase(s, N(t).right, va);
	return t;
}

/* The node of the lowest range overlapping [va, last], or 0. */
static uint32_t find_overlap(struct coh__vaset *s, uint64_t va, uint64_t last)
{
	uint32_t floor = 0, ceil = 0;
	for (uint32_t t = s->root; t; s->visits++) {
		if (N(t).r.va <= va) {
			floor = t;
			t = N(t).right;
		} else {
			ceil = t;
			t = N(t).left;
		}
	}
	if (floor && N(floor).r.last >= va)
		return floor;
	if (ceil && N(ceil).r.va <= last)
		return ceil;
	return 0;
}

const struct coh__varange *coh__vaset_overlap(struct coh__vaset *s, uint64_t va, uint64_t last)
{
	uint32_t t = find_overlap(s, va, last);
	return t ? &N(t).r : NULL;
}

int coh__vaset_add(struct coh__vaset *s, uint64_t va, uint64_t last, unsigned line)
{
	uint32_t t = s->free_list;
	if (t) {
		s->free_list = N(t).right;
	} else {
		if (s->used + 1 >= s->cap) {
			if (s->cap >= UINT32_MAX / 2)
				return COH_ENOMEM;
			uint32_t cap = s->cap ? s->cap * 2 : 64;
			struct coh__vanode *n = realloc(s->nodes, (size_t)cap * sizeof(*n));
			if (!n)
				return COH_ENOMEM;
			s->nodes = n;
			s->cap = cap;
		}
		t = ++s->used;
	}
	N(t) = (struct coh__vanode){{va, last, line}, mix(++s->inserts), 0, 0};
	uint32_t l, r;
	split(s, s->root, va, &l, &r);
	s->root = merge(s, merge(s, l, t), r);
	s->n++;
	return COH_OK;
}

int coh__vaset_remove(struct coh__vaset *s, uint64_t va, uint64_t last)
{
	for (uint32_t t; (t = find_overlap(s, va, last)) != 0;) {
		struct coh__varange r = N(t).r;
		bool below = r.va<va, above = r.last> last;
		if (below && above) {
			N(t).r.last = va - 1;
			return coh__vaset_add(s, last + 1, r.last, r.line);
		}
		if (below) {
			N(t).r.last = va - 1;
		} else if (above) {
			N(t).r.va = last + 1; /* still between its neighbours */
			return COH_OK;
		} else {
			s->root = erase(s, s->root, r.va);
		}
	}
	return COH_OK;
}
