/*
 * strategy.h - the exploration strategies, as the explorer drives them.
 * Internal to src/sched.
 *
 * Each strategy is begun once per execution (with the execution's unit
 * number where that matters) and plugs a choose() into the scheduler
 * (struct coh__strategy). Randomness comes from one splitmix64 stream per
 * execution, seeded from (seed, execution number): an execution's choices
 * never depend on which worker runs it.
 */
#ifndef COHSIM_SCHED_STRATEGY_H
#define COHSIM_SCHED_STRATEGY_H

#include "sched/sched_impl.h"

/* strategy_random.c */
struct coh__random {
	uint64_t rng;
	unsigned evict_one_in;
};
void coh__random_begin(struct coh__random *r, uint64_t seed, uint64_t exec, unsigned evict_one_in,
                       struct coh__strategy *out);
/* A draw in [0, n) from a per-execution stream; shared with pct. */
unsigned coh__rand_below(uint64_t *rng, unsigned n);
unsigned coh__rand_side_choice(uint64_t *rng, const struct coh__choice_pt *pt,
                               unsigned evict_one_in);

/* strategy_pct.c */
#define COH__PCT_KEYS 4096
#define COH__PCT_MAX_D 8
struct coh__pct {
	uint64_t rng;
	unsigned d, evict_one_in;
	uint64_t k;                      /* step estimate */
	uint64_t change[COH__PCT_MAX_D]; /* d-1 change points, in steps */
	bool changed[COH__PCT_MAX_D];
	int64_t prio[COH__PCT_KEYS];
	uint64_t prio_epoch[COH__PCT_KEYS];
	uint64_t epoch;
	unsigned max_n; /* most entities seen in one execution */
};
void coh__pct_init(struct coh__pct *p, unsigned d, uint64_t k, unsigned evict_one_in);
void coh__pct_begin(struct coh__pct *p, uint64_t seed, uint64_t exec, struct coh__strategy *out);

/* strategy_dfs.c */
struct coh__dfs_node;
struct coh__dfs {
	struct coh__dfs_node *nodes;
	size_t len, cap;
	int bound;                 /* < 0: unbounded */
	bool evict_free;           /* eviction choices cost no preemption (their own bound) */
	bool por;                  /* sleep sets (bound-aware under a bound: strategy_dfs.c) */
	unsigned shard_i, shard_n; /* units u with u mod shard_n == shard_i are ours */
	uint64_t unit;             /* unit of the execution under way */
	size_t zp;                 /* the first node whose option cost a preemption */
	size_t cut_at;             /* a foreign unit: end the execution at this choice */
	bool skip;                 /* that unit belongs to another shard */
	bool pruned;               /* the execution was cut by a sleep set */
	bool mismatch;             /* replayed prefix diverged (nondeterministic program) */
};
void coh__dfs_init(struct coh__dfs *d, int bound, bool por, unsigned shard_i, unsigned shard_n);
void coh__dfs_free(struct coh__dfs *d);
void coh__dfs_begin(struct coh__dfs *d, struct coh__strategy *out);
/* After an execution: records the last segment's footprint. */
void coh__dfs_end(struct coh__dfs *d, coh_sched *s);
/* Moves to the next execution; false when the space is exhausted. */
bool coh__dfs_next(struct coh__dfs *d);
/* A rough fraction of the space done, for the progress line. */
double coh__dfs_fraction(const struct coh__dfs *d);
/* The preemptions the execution just run cost (its path's cost). */
unsigned coh__dfs_cost(const struct coh__dfs *d);

#endif
