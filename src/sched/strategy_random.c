/*
 * strategy_random.c - the random walk: every scheduling choice uniform over
 * its candidates; evictions, speculative fills and faults taken with
 * probability 1/evict_one_in each time they are offered (often enough to
 * find eviction-dependent bugs, rarely enough not to drown every run in
 * them). Seeded per execution from (seed, execution number).
 */
#include "sched/strategy.h"

unsigned coh__rand_below(uint64_t *rng, unsigned n)
{
	return (unsigned)(((coh__mix64(rng) >> 32) * (uint64_t)n) >> 32);
}

unsigned coh__rand_side_choice(uint64_t *rng, const struct coh__choice_pt *pt,
                               unsigned evict_one_in)
{
	if (pt->kind == COH_CHOICE_DATA || pt->kind == COH_CHOICE_WBUF) /* as likely late as not */
		return coh__rand_below(rng, pt->n);
	if (coh__rand_below(rng, evict_one_in ? evict_one_in : 16) != 0)
		return 0;
	return 1 + coh__rand_below(rng, pt->n - 1);
}

static unsigned random_choose(void *st, coh_sched *s, const struct coh__choice_pt *pt, size_t idx)
{
	struct coh__random *r = st;
	(void)s;
	(void)idx;
	if (pt->kind == COH_CHOICE_SCHED)
		return coh__rand_below(&r->rng, pt->n);
	return coh__rand_side_choice(&r->rng, pt, r->evict_one_in);
}

void coh__random_begin(struct coh__random *r, uint64_t seed, uint64_t exec, unsigned evict_one_in,
                       struct coh__strategy *out)
{
	uint64_t x = seed;
	r->rng = coh__mix64(&x) ^ exec * 0xd1342543de82ef95ull;
	r->evict_one_in = evict_one_in;
	out->st = r;
	out->choose = random_choose;
}
