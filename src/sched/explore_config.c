/*
 * explore_config.c - coh_explore_config's defaults, the strategies' names
 * and the --shard argument.
 *
 * Interface (include/cohsim): coh_explore_config_init(),
 * coh_strategy_name(), coh_strategy_parse(), coh_shard_parse().
 *
 * Invariants: strategy names index enum coh_strategy; a shard I/N parses
 * only with 0 <= I < N <= 1000000, anything else is COH_EINVAL.
 */
#include <stdlib.h>
#include <string.h>

#include "sched/explore_impl.h"

void coh_explore_config_init(coh_explore_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->strategy = COH_STRATEGY_RANDOM;
	cfg->seed = 1;
	cfg->budget = 10000;
	cfg->depth = 2;
	cfg->preemptions = 3;
	cfg->jobs = 1;
	cfg->shard_count = 1;
	cfg->max_steps = COH__DEFAULT_MAX_STEPS;
	cfg->evictions = -1;
	cfg->speculation = -1;
	cfg->evict_one_in = 16;
	cfg->shrink = true;
	cfg->por = true;
	cfg->progress = true;
	cfg->lockdep = true;
}

static const char *const strategy_names[] = {"random", "pct", "dfs", "replay"};

const char *coh_strategy_name(enum coh_strategy s)
{
	return (unsigned)s < 4 ? strategy_names[s] : "?";
}

int coh_strategy_parse(const char *name)
{
	for (int i = 0; name && i < 4; i++)
		if (strcmp(name, strategy_names[i]) == 0)
			return i;
	return -1;
}

int coh_shard_parse(const char *str, unsigned *index, unsigned *count)
{
	unsigned long i, n;
	char *end;
	if (!str || *str < '0' || *str > '9')
		return COH_EINVAL;
	i = strtoul(str, &end, 10);
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return COH_EINVAL;
	n = strtoul(end + 1, &end, 10);
	if (*end || n == 0 || n > 1000000 || i >= n)
		return COH_EINVAL;
	*index = (unsigned)i;
	*count = (unsigned)n;
	return 0;
}
