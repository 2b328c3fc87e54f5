/*
 * check_impl.h - the checker's insides, shared by the files of src/check.
 */
#ifndef COHSIM_CHECK_IMPL_H
#define COHSIM_CHECK_IMPL_H

#include "cohsim/check.h"
#include "machine/machine_impl.h"

/* The shadow of one physical page: latest value and writer event per byte. */
struct shadow_page {
	uint64_t *ver; /* writer event; 0 = never written */
	uint8_t *val;
};

#define COH__WRITES_CAP 4096 /* writer events remembered for reports */

struct coh_check {
	coh_check_config cfg;
	coh_machine *m;
	struct shadow_page **shadow; /* one per frame, allocated on first write */
	size_t nframes;
	coh_event *writes; /* ring of writer events, indexed by event number */
	coh_finding *findings;
	size_t nfindings, cap;
	size_t dropped;         /* findings over the cap */
	struct coh__life *life; /* lifetime shadow (lifetime.c), NULL until a slab */
	bool life_on;           /* some slab is live: check every access */
	/* blockcopy.c: tracked block devices and copies */
	struct coh__blk *blk;
};

/* cause.c: fills f->cause from the trace (the oracle calls it) */
void coh__explain(coh_check *c, coh_finding *f);
/* oracle.c: a new finding of a higher layer's kind (trigger and tail from
 * the trace), NULL at the cap; (re)installs the observer hooks that the
 * config and the lifetime shadow need. */
coh_finding *coh__finding_new(coh_check *c, enum coh_finding_kind kind, int cpu);
void coh__check_observe(coh_check *c);
/* blockcopy.c: drops the block devices and copies (reset and destroy). */
void coh__blk_free(coh_check *c);

#endif
