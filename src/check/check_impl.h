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
	size_t dropped; /* findings over the cap */
	/* blockcopy.c: tracked block devices and copies */
	struct coh__blk *blk;
};

/* blockcopy.c: drops the block devices and copies (reset and destroy). */
void coh__blk_free(coh_check *c);

#endif
