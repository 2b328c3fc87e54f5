/*
 * strategy_pct.c - probabilistic concurrency testing (Burckhardt, Kothari,
 * Musuvathi, Nagarakatte, ASPLOS 2010).
 *
 * Each entity (task, IRQ line, softirq, I/O completion) gets a random
 * priority >= d when first seen; d-1 change points are drawn uniformly in
 * [1, k] steps. At each scheduling choice the highest-priority candidate
 * runs; when the step count passes change point j, the entity that would run
 * drops to priority d-1-j, below every initial one. For a bug of depth d
 * among n entities and k steps, one execution finds it with probability at
 * least 1/(n * k^(d-1)). k and n are measured by the explorer on the
 * all-default execution (its steps, and the most candidates at one of its
 * scheduling choices) and stay fixed, so that execution u depends on the
 * seed and u only, whatever the --jobs and shards.
 */
#include "sched/strategy.h"

void coh__pct_init(struct coh__pct *p, unsigned d, uint64_t k, unsigned evict_one_in)
{
	*p = (struct coh__pct){0};
	p->d = d < 1 ? 1 : d > COH__PCT_MAX_D ? COH__PCT_MAX_D : d;
	p->k = k ? k : 1;
	p->evict_one_in = evict_one_in;
}

static int64_t prio_of(struct coh__pct *p, unsigned key)
{
	key &= COH__PCT_KEYS - 1;
	if (p->prio_epoch[key] != p->epoch) {
		p->prio_epoch[key] = p->epoch;
		/* random, above every change-point priority; ties broken by key */
		p->prio[key] = (int64_t)p->d + (int64_t)((coh__mix64(&p->rng) >> 34) << 12) + key;
	}
	return p->prio[key];
}

static unsigned best(struct coh__pct *p, const struct coh__choice_pt *pt)
{
	unsigned b = 0;
	int64_t bp = prio_of(p, pt->cand[0].key);
	for (unsigned i = 1; i < pt->n; i++) {
		int64_t q = prio_of(p, pt->cand[i].key);
		if (q > bp) {
			bp = q;
			b = i;
		}
	}
	return b;
}

static unsigned pct_choose(void *st, coh_sched *s, const struct coh__choice_pt *pt, size_t idx)
{
	struct coh__pct *p = st;
	(void)idx;
	if (pt->kind != COH_CHOICE_SCHED || !pt->cand)
		return coh__rand_side_choice(&p->rng, pt, p->evict_one_in);
	if (pt->n > p->max_n)
		p->max_n = pt->n;
	uint64_t step = s->steps;
	for (unsigned j = 0; j + 1 < p->d; j++) {
		if (!p->changed[j] && step >= p->change[j]) {
			p->changed[j] = true;
			unsigned b = best(p, pt);
			p->prio[pt->cand[b].key & (COH__PCT_KEYS - 1)] =
			    (int64_t)p->d - 1 - (int64_t)j;
		}
	}
	return best(p, pt);
}

void coh__pct_begin(struct coh__pct *p, uint64_t seed, uint64_t exec, struct coh__strategy *out)
{
	uint64_t x = seed ^ 0x5043545043545043ull;
	p->rng = coh__mix64(&x) ^ exec * 0xd1342543de82ef95ull;
	p->epoch++;
	for (unsigned j = 0; j + 1 < p->d; j++) {
		p->change[j] = 1 + (coh__mix64(&p->rng) % p->k);
		p->changed[j] = false;
	}
	out->st = p;
	out->choose = pct_choose;
}
