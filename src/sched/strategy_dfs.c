/*
 * strategy_dfs.c - exhaustive, stateless depth-first search over the choice
 * tree, within a preemption bound, with sleep sets that are sound under the
 * bound.
 *
 * The path holds one node per recorded choice of the current execution:
 * its options, the one taken, and which were explored already. An execution
 * replays the path's prefix, then takes the first affordable option at each
 * new choice. coh__dfs_next() backtracks to the deepest node with an
 * unexplored affordable option.
 *
 * Cost: choosing anything but option 0 (keep running / no eviction / no
 * fault) costs one preemption, except at a "free" node where the running
 * context cannot continue (blocked or ended): there every option is free.
 * The path's cost never exceeds the bound.
 *
 * Sleep sets (Godefroid 1996): after the subtree of option u at node i was
 * explored, u sleeps in the subtrees of the later options at i for as long
 * as the segments executed since are independent of u's segment (by
 * footprint: footprint.c); a sleeping option is not taken, and an
 * execution in which every option sleeps is cut ("pruned"): it is
 * equivalent to one that runs u's segment first, at i.
 *
 * Under a preemption bound that equivalent execution may cost more
 * preemptions than the pruned one and fall outside the bound. The
 * bound-aware rule (docs/sched.md, "Partial-order reduction under a
 * bound", has the argument): moving u's segment from where the pruned
 * execution runs it back to node i changes the cost by at most
 * cost(i, u) + cont(u) - cost(i, x), where x is the option the path takes
 * at i and cont(u) is 1 when u could go on running after its segment (the
 * next scheduling choice was not free). So under a bound, u is put to
 * sleep at i only when cost(i, u) + cont(u) <= cost(i, x): then every
 * pruned execution has an equivalent one, no more costly, in a subtree
 * explored earlier, and by induction an explored one. Without a bound every
 * explored option sleeps, as in Godefroid.
 *
 * A segment is what one candidate runs between two scheduling choices.
 * Other choices (evictions, faults, data, write buffers) are always fully
 * branched over; u's segment at i counts as global (dependent on all) when
 * such a choice comes before the next scheduling choice, so that the
 * segment is one fixed thing; sleep sets pass over such nodes from the last
 * scheduling node, with the footprint of everything run since.
 *
 * Units, for shards and --jobs. Call a path *free* when each of its nodes
 * took option 0 or an option that cost no preemption; the free paths form
 * the bound-0 tree (usually a handful of executions). A unit node is a node
 * reached by a free path. Each time the search takes a new option at a unit
 * node, a new unit begins; the first execution is unit 0. So a unit is
 * either one execution of the bound-0 tree or the subtree under one costly
 * deviation from it. Units are numbered in the order the search reaches
 * them, which is DFS order and the same in every process (the bound-0 tree
 * does not depend on anything explored), and each is a contiguous stretch
 * of the DFS order. Unit u belongs to shard u mod shard_n. Every shard runs
 * the bound-0 tree (to find the units) but steps over a foreign costly
 * deviation without running it; with sleep sets on, it runs that unit's
 * first segment (to choice i + 1) for the footprint the sleep sets of later
 * units need, so every shard computes the sleep sets of an unsharded run.
 * A costly deviation leaves one preemption less to the subtree under it, so
 * the units are many and small: hundreds of deviations along each
 * execution of the bound-0 tree.
 */
#include <stdlib.h>
#include <string.h>

#include "sched/strategy.h"

struct sleep_ent {
	unsigned key;
	struct coh__fp fp;
};

/* A node's arrays are kept (with their capacity) when the node is left,
 * for the next node at its depth: a search makes and leaves millions. */
struct coh__dfs_node {
	uint8_t kind;
	bool free;
	bool sched; /* a scheduling node: keys, alt_fp and cont are in use */
	unsigned n, chosen;
	unsigned cost_before;
	unsigned *keys;         /* n, scheduling nodes only */
	uint8_t *done;          /* n */
	struct coh__fp *alt_fp; /* n: footprint of the segment after option j (sched) */
	uint8_t *cont;          /* n: after that segment, option j's entity could go on (sched) */
	struct sleep_ent *sleep;
	unsigned nsleep;
	unsigned cap, sleep_cap; /* room in keys/done/alt_fp/cont, and in sleep */
};

void coh__dfs_init(struct coh__dfs *d, int bound, bool por, unsigned shard_i, unsigned shard_n)
{
	memset(d, 0, sizeof(*d));
	d->bound = bound;
	d->por = por;
	d->shard_i = shard_i;
	d->shard_n = shard_n ? shard_n : 1;
	d->zp = SIZE_MAX;
	d->cut_at = SIZE_MAX;
}

static void node_free(struct coh__dfs_node *n)
{
	free(n->keys);
	free(n->done);
	free(n->alt_fp);
	free(n->cont);
	free(n->sleep);
	memset(n, 0, sizeof(*n));
}

/* Leaves n: an empty node that keeps its arrays. */
static void node_clear(struct coh__dfs_node *n)
{
	n->kind = 0;
	n->free = n->sched = false;
	n->n = n->chosen = n->cost_before = n->nsleep = 0;
}

/* Room for n options in n's arrays (aborts when out of memory). */
static void node_reserve(struct coh__dfs_node *node, unsigned n)
{
	if (n <= node->cap)
		return;
	free(node->keys);
	free(node->done);
	free(node->alt_fp);
	free(node->cont);
	node->keys = malloc(n * sizeof(*node->keys));
	node->done = malloc(n);
	node->alt_fp = malloc(n * sizeof(*node->alt_fp));
	node->cont = malloc(n);
	if (!node->keys || !node->done || !node->alt_fp || !node->cont)
		abort();
	node->cap = n;
}

void coh__dfs_free(struct coh__dfs *d)
{
	for (size_t i = 0; i < d->cap; i++)
		node_free(&d->nodes[i]);
	free(d->nodes);
	d->nodes = NULL;
	d->len = d->cap = 0;
}

static unsigned cost(const struct coh__dfs *d, const struct coh__dfs_node *n, unsigned j)
{
	if (j == 0 || n->free || n->kind == COH_CHOICE_DATA)
		return 0;
	if (n->kind == COH_CHOICE_EVICT && d->evict_free)
		return 0;
	return 1;
}

static bool affordable(const struct coh__dfs *d, const struct coh__dfs_node *n, unsigned j)
{
	return d->bound < 0 || n->cost_before + cost(d, n, j) <= (unsigned)d->bound;
}

static bool asleep(const struct coh__dfs_node *n, unsigned j)
{
	if (!n->sched)
		return false;
	for (unsigned i = 0; i < n->nsleep; i++)
		if (n->sleep[i].key == n->keys[j])
			return true;
	return false;
}

static bool por_on(const struct coh__dfs *d)
{
	return d->por;
}

/* May explored option j of node n sleep in the subtree of the option the
 * path takes there? Under a bound only when the equivalent execution that
 * runs j first costs no more (see the top of the file). */
static bool may_sleep(const struct coh__dfs *d, const struct coh__dfs_node *n, unsigned j)
{
	return d->bound < 0 || cost(d, n, j) + n->cont[j] <= cost(d, n, n->chosen);
}

/* The sleep set of a new node: entries of the last scheduling node's sleep
 * set and its explored options, kept when independent of what ran since. */
static int inherit_sleep(const struct coh__dfs *d, struct coh__dfs_node *parent,
                         struct coh__dfs_node *node, const struct coh__fp *seg)
{
	unsigned max = parent->nsleep + parent->n;
	if (max > node->sleep_cap) {
		free(node->sleep);
		node->sleep = malloc(max * sizeof(*node->sleep));
		node->sleep_cap = node->sleep ? max : 0;
		if (!node->sleep)
			return -1;
	}
	for (unsigned i = 0; i < parent->nsleep; i++)
		if (coh__fp_independent(&parent->sleep[i].fp, seg))
			node->sleep[node->nsleep++] = parent->sleep[i];
	for (unsigned j = 0; j < parent->n; j++)
		if (parent->done[j] && j != parent->chosen && may_sleep(d, parent, j) &&
		    coh__fp_independent(&parent->alt_fp[j], seg))
			node->sleep[node->nsleep++] =
			    (struct sleep_ent){parent->keys[j], parent->alt_fp[j]};
	return 0;
}

static unsigned dfs_choose(void *st, coh_sched *s, const struct coh__choice_pt *pt, size_t idx)
{
	struct coh__dfs *d = st;
	if (idx < d->len) {
		struct coh__dfs_node *n = &d->nodes[idx];
		if (n->n != pt->n || n->kind != pt->kind)
			d->mismatch = true;
		return n->chosen < pt->n ? n->chosen : 0;
	}
	if (d->skip || d->pruned)
		return 0;
	/* the segment after the previous node ended here; if this is not a
	 * scheduling choice, that segment had another choice in it */
	if (idx > 0) {
		struct coh__dfs_node *prev = &d->nodes[idx - 1];
		if (prev->sched && pt->kind == COH_CHOICE_SCHED) {
			prev->alt_fp[prev->chosen] = s->last_fp;
			prev->cont[prev->chosen] = !pt->free;
		} else if (prev->sched) {
			prev->alt_fp[prev->chosen].global = true;
		}
	}
	if (idx == d->cut_at) { /* a foreign unit: its first segment is recorded */
		d->skip = true;
		s->abort_req = true;
		return 0;
	}
	if (d->len == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 64;
		struct coh__dfs_node *nn = realloc(d->nodes, cap * sizeof(*nn));
		if (!nn)
			abort();
		memset(nn + d->cap, 0, (cap - d->cap) * sizeof(*nn));
		d->nodes = nn;
		d->cap = cap;
	}
	struct coh__dfs_node *n = &d->nodes[d->len];
	node_clear(n);
	node_reserve(n, pt->n);
	n->kind = (uint8_t)pt->kind;
	n->free = pt->free;
	n->n = pt->n;
	memset(n->done, 0, pt->n);
	if (idx > 0) {
		struct coh__dfs_node *prev = &d->nodes[idx - 1];
		n->cost_before = prev->cost_before + cost(d, prev, prev->chosen);
	}
	if (pt->kind == COH_CHOICE_SCHED && pt->cand) {
		n->sched = true;
		memset(n->alt_fp, 0, pt->n * sizeof(*n->alt_fp));
		memset(n->cont, 0, pt->n);
		for (unsigned j = 0; j < pt->n; j++)
			n->keys[j] = pt->cand[j].key;
		size_t p = idx;
		while (p > 0 && !d->nodes[p - 1].sched)
			p--; /* past the other choices since the last scheduling one */
		if (por_on(d) && p > 0 && inherit_sleep(d, &d->nodes[p - 1], n, &s->last_fp) != 0)
			abort();
	}
	d->len++;
	for (unsigned j = 0; j < pt->n; j++) {
		if (affordable(d, n, j) && !(por_on(d) && asleep(n, j))) {
			n->chosen = j;
			if (idx <= d->zp && cost(d, n, j) > 0)
				d->zp = idx; /* the first costly choice of the path */
			return j;
		}
	}
	/* every option sleeps: this execution repeats explored ones */
	n->chosen = 0;
	d->pruned = true;
	s->abort_req = true;
	return 0;
}

void coh__dfs_begin(struct coh__dfs *d, struct coh__strategy *out)
{
	d->skip = false;
	d->pruned = false;
	out->st = d;
	out->choose = dfs_choose;
}

void coh__dfs_end(struct coh__dfs *d, coh_sched *s)
{
	if (d->len > 0 && !d->pruned && !d->skip) {
		struct coh__dfs_node *last = &d->nodes[d->len - 1];
		if (last->sched) {
			last->alt_fp[last->chosen] = s->last_fp;
			last->cont[last->chosen] = 0; /* nothing ran after it */
		}
	}
}

bool coh__dfs_next(struct coh__dfs *d)
{
	bool pruned = d->pruned;
	while (d->len > 0) {
		size_t i = d->len - 1;
		struct coh__dfs_node *n = &d->nodes[i];
		if (pruned) {
			/* the cut node: every option sleeps, nothing to explore */
			pruned = false;
			node_clear(n);
			d->len--;
			continue;
		}
		n->done[n->chosen] = 1;
		for (unsigned j = 0; j < n->n; j++) {
			if (n->done[j] || !affordable(d, n, j) || (por_on(d) && asleep(n, j)))
				continue;
			d->cut_at = SIZE_MAX;
			if (i <= d->zp) { /* a unit node: option j begins a new unit */
				bool costly = cost(d, n, j) > 0;
				d->zp = costly ? i : SIZE_MAX;
				d->unit++;
				if (d->unit % d->shard_n != d->shard_i && costly) {
					if (!por_on(d)) { /* another shard's: step over it */
						n->done[j] = 1;
						d->zp = SIZE_MAX;
						continue;
					}
					d->cut_at = i + 1;
				}
			}
			n->chosen = j;
			return true;
		}
		node_clear(n);
		d->len--;
	}
	return false;
}

double coh__dfs_fraction(const struct coh__dfs *d)
{
	double frac = 0, scale = 1;
	for (size_t i = 0; i < d->len; i++) {
		const struct coh__dfs_node *n = &d->nodes[i];
		unsigned done = 0;
		for (unsigned j = 0; j < n->n; j++)
			done += n->done[j] && j != n->chosen;
		frac += scale * done / n->n;
		scale /= n->n;
	}
	return frac > 1 ? 1 : frac;
}

unsigned coh__dfs_cost(const struct coh__dfs *d)
{
	if (d->len == 0)
		return 0;
	const struct coh__dfs_node *n = &d->nodes[d->len - 1];
	return n->cost_before + cost(d, n, n->chosen);
}
