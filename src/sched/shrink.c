/*
 * shrink.c - reduces a failing schedule to a minimal one.
 *
 * A schedule is a set of deviations from the default choices (preemptions,
 * IRQ timings, spontaneous evictions, faults). Greedy delta debugging, one
 * deviation at a time: drop it, replay, and keep the drop if the replay
 * still has a finding with the same dedup key (kind and location). After a
 * successful drop the schedule is re-read from what the replay actually
 * chose, so later indices stay meaningful. Ends at a fixpoint where every
 * remaining deviation is needed (1-minimal), or after a run budget.
 */
#include <stdlib.h>
#include <string.h>

#include "sched/explore_impl.h"

#define SHRINK_MAX_RUNS 2000

static bool still_fails(struct coh__explorer *ex, const char *key)
{
	size_t n = coh_check_count(ex->chk);
	for (size_t i = 0; i < n; i++) {
		char *k = coh__finding_key(ex, i);
		bool same = k && strcmp(k, key) == 0;
		free(k);
		if (same)
			return true;
	}
	return false;
}

uint64_t coh__shrink(struct coh__explorer *ex, const char *key, struct coh__deviation **devs,
                     size_t *ndev)
{
	uint64_t runs = 0;
	struct coh__deviation *cand = malloc((*ndev + 1) * sizeof(*cand));
	if (!cand)
		return 0;
	for (size_t i = 0; i < *ndev && runs < SHRINK_MAX_RUNS;) {
		size_t m = 0;
		for (size_t j = 0; j < *ndev; j++)
			if (j != i)
				cand[m++] = (*devs)[j];
		runs++;
		if (coh__explorer_replay(ex, cand, m) == 0 && still_fails(ex, key)) {
			size_t nn;
			struct coh__deviation *now = coh__last_deviations(ex, &nn);
			if (nn < *ndev) {
				free(*devs);
				*devs = now;
				*ndev = nn;
				continue; /* retry at the same index */
			}
			free(now);
		}
		i++;
	}
	free(cand);
	return runs;
}
