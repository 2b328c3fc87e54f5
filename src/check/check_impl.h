/*
 * check_impl.h - the checker's insides, shared by the files of src/check.
 */
#ifndef COHSIM_CHECK_IMPL_H
#define COHSIM_CHECK_IMPL_H

#include "cohsim/check.h"
#include "machine/machine_impl.h"

/* The shadow of one physical page (hung on its frame's oracle slot):
 * latest value and writer event per byte (shadow.c). */
struct shadow_page {
	uint32_t *gver; /* writer per 4-byte granule, or a split entry */
	uint8_t *val;
	uint64_t (*split)[4]; /* per-byte writers of split granules */
	size_t nsplit, capsplit;
	bool live; /* has versions since reset: in the checker's live list */
};

/* shadow.c: a page of page_size psz with every byte undefined; the writer
 * of the byte at off (0: undefined); a store of n bytes at off by event ev
 * (false when the host ran out: its versions are not all kept); every
 * byte undefined again. */
struct shadow_page *coh__shadow_new(size_t psz);
void coh__shadow_free(struct shadow_page *s);
uint64_t coh__shadow_ver(const struct shadow_page *s, size_t off);
bool coh__shadow_set(struct shadow_page *s, size_t off, const uint8_t *bytes, unsigned n,
                     uint64_t ev);
void coh__shadow_clear(struct shadow_page *s, size_t psz);

#define COH__GVER_SPLIT 0x80000000u /* gver: a split granule (shadow.c) */
#define COH__GVER_MAX 0x7fffffffu   /* the highest event a granule holds whole */

/* coh__shadow_set of 4 or 8 bytes at a granule boundary, by an event below
 * 2^31, over granules not split: true if done, false if the caller must
 * take coh__shadow_set (nothing changed then). */
static inline bool coh__shadow_set_fast(struct shadow_page *s, size_t off, const uint8_t *bytes,
                                        unsigned n, uint64_t ev)
{
	if ((off & 3) || (n != 4 && n != 8) || ev > COH__GVER_MAX)
		return false;
	uint32_t *g = &s->gver[off >> 2];
	if (n == 4) {
		if (g[0] & COH__GVER_SPLIT)
			return false;
		memcpy(s->val + off, bytes, 4);
		g[0] = (uint32_t)ev;
		return true;
	}
	if ((g[0] | g[1]) & COH__GVER_SPLIT)
		return false;
	memcpy(s->val + off, bytes, 8);
	g[0] = g[1] = (uint32_t)ev;
	return true;
}

#define COH__WRITES_CAP 4096 /* writer events remembered for reports */

struct coh_check {
	coh_check_config cfg;
	coh_machine *m;
	/* the frames with a shadow page (allocated on first write), and those
	 * of them written since reset (cleared by coh_check_reset) */
	struct coh__frame **shadowed, **live;
	size_t nshadowed, nlive, cap_shadowed, cap_live;
	/* ring of writer events, at (event + writes_base) % COH__WRITES_CAP,
	 * with that sum as their `no` (note_writer in oracle.c) */
	coh_event *writes;
	uint64_t writes_hi;   /* the highest event put in the ring since reset */
	uint64_t writes_base; /* above every key used before the last reset */
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
/* check.c: a new finding of any kind (trigger and tail from the trace),
 * NULL at the cap. oracle.c: (re)installs the observer hooks that the
 * config and the lifetime shadow need. */
coh_finding *coh__finding_new(coh_check *c, enum coh_finding_kind kind, int cpu);
void coh__check_observe(coh_check *c);
/* oracle.c: the pages [pa, pa+len) (page-aligned, whole pages) were given
 * back to the page allocator: their bytes have no latest value any more
 * (undefined, as never written), so the lines still cached from their
 * last life may be dropped or written back without a finding. */
void coh__oracle_forget(coh_check *c, coh_addr_t pa, size_t len);
/* oracle.c: appends f to a list of frames (false: out of host memory). */
bool coh__frames_push(struct coh__frame ***list, size_t *n, size_t *cap, struct coh__frame *f);
/* blockcopy.c: drops the block devices and copies (reset and destroy). */
void coh__blk_free(coh_check *c);

#endif
