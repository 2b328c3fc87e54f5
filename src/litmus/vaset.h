/*
 * vaset.h - a set of disjoint VA ranges, each with the litmus line that
 * mapped it: what the parser tracks to refuse overlapping maps.
 *
 * Every operation costs O(log n) expected time, whatever order the ranges
 * come in (vaset.c), so a file of hundreds of thousands of maps parses in
 * linear time. Internal to src/litmus.
 */
#ifndef COHSIM_LITMUS_VASET_H
#define COHSIM_LITMUS_VASET_H

#include <stddef.h>
#include <stdint.h>

struct coh__varange {
	uint64_t va, last; /* [va, last], inclusive: last may be UINT64_MAX */
	unsigned line;
};

struct coh__vaset {
	struct coh__vanode *nodes; /* a pool; index 0 is "none" */
	uint32_t cap, used, free_list, root;
	uint64_t inserts; /* numbers the insertions: a node's priority */
	size_t n;         /* ranges in the set */
	uint64_t visits;  /* nodes visited so far: the work done (tests bound it) */
};

/* An empty set holds no memory; coh__vaset_free() returns it to empty. */
void coh__vaset_free(struct coh__vaset *s);
/* The lowest range that overlaps [va, last], or NULL. The pointer is valid
 * until the set changes (the set counts the visits). */
const struct coh__varange *coh__vaset_overlap(struct coh__vaset *s, uint64_t va, uint64_t last);
/* Adds [va, last] (which must overlap nothing). COH_OK or COH_ENOMEM. */
int coh__vaset_add(struct coh__vaset *s, uint64_t va, uint64_t last, unsigned line);
/* Removes [va, last] from the set, cutting the ranges it overlaps (each
 * piece keeps its line). COH_OK or COH_ENOMEM. */
int coh__vaset_remove(struct coh__vaset *s, uint64_t va, uint64_t last);

#endif
