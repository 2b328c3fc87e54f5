/*
 * cohsim/scenario.h - scenarios: small kernel programs that reproduce one
 * historical bug, with variants that switch its fix off and on.
 *
 * A scenario names the seed or patch it models, its fix switches (named
 * after the patch, e.g. "kmap-high-get"), its variants (each a set of
 * switches that are on; "buggy" and "fixed" always exist), a default arch,
 * the machine it needs, and per execution: setup (devices, memory, tasks)
 * and a final check. The demo rows say what each variant must yield on
 * which arch, so `cohsim demo` can tell a pass from a failure.
 *
 * Scenarios are static and never freed. coh_scenario_run() explores one.
 */
#ifndef COHSIM_SCENARIO_H
#define COHSIM_SCENARIO_H

#include "cohsim/callsite.h" /* includes cohsim/linux.h */
#include "cohsim/sched.h"

#ifdef __cplusplus
extern "C" {
#endif

#define COH_MAX_FIXES 8
#define COH_MAX_DEMO_ROWS 16
#define COH_MAX_VARIANTS 4

struct coh_fix_switch {
	const char *name; /* "dm-io-vmap-flush" */
	const char *help; /* one line */
};

struct coh_variant {
	const char *name;                        /* "buggy", "fixed", ... */
	const char *fixes_on[COH_MAX_FIXES + 1]; /* NULL-terminated */
};

/* One row of the demo table: this variant on this arch must yield `expect`
 * ("clean" or a finding kind such as "lost-write"), explored this way. */
struct coh_demo_row {
	const char *variant;
	const char *arch;
	const char *expect;
	enum coh_strategy strategy;
	int preemptions;    /* dfs bound */
	uint64_t budget;    /* 0: the strategy's default */
	bool must_complete; /* dfs must report `complete` */
	bool speculation;   /* explore speculative fills at I/O completions */
};

typedef struct coh_scenario {
	const char *name;
	const char *description; /* one line */
	const char
	    *models; /* the seed or patch: "seed 1: dm io: flush cpu cache with vmapped io" */
	const char *default_arch;
	unsigned ncpus;
	size_t mem_size;         /* 0: 1 MiB */
	size_t lowmem_size;      /* 0: half */
	unsigned last_pkmap;     /* 0: 4 */
	unsigned kernel_version; /* KERNEL_VERSION() it follows; 0: the default (2.6.35) */
	bool needs_highmem;      /* refuses an arch without highmem, saying so */
	struct coh_fix_switch fixes[COH_MAX_FIXES + 1]; /* name == NULL ends */
	struct coh_variant variants[COH_MAX_VARIANTS];  /* name == NULL ends, or full */
	/* Per execution. setup() runs after kernel_init(); state points to
	 * state_size zeroed bytes, fresh for each execution. */
	size_t state_size;
	int (*setup)(coh_sched *s, void *state);
	void (*finish)(coh_sched *s, void *state);
	/* Exploration defaults for `cohsim run` without options. */
	enum coh_strategy strategy;
	int preemptions;
	uint64_t budget;
	/* Explore speculative fills before I/O completions by default (a few
	 * choices per execution: dfs affords them). */
	bool speculation;
	struct coh_demo_row demo[COH_MAX_DEMO_ROWS]; /* variant == NULL ends, or full */
} coh_scenario;

/*
 * Scenarios of your own, in a shared object (`cohsim run --load ./x.so`):
 * build it with `cc -shared -fPIC x.c $(pkg-config --cflags --libs cohsim)`
 * and name its scenarios once, at file scope:
 *
 *     COH_SCENARIOS(&my_scenario, &my_other_scenario);
 *
 * The macro exports one symbol, cohsim_scenario_module, that says which ABI
 * the object was built for (COH_SCENARIO_ABI and the size of coh_scenario)
 * and lists the scenarios. coh_scenario_load() refuses an object built for
 * another ABI. Bump COH_SCENARIO_ABI whenever coh_scenario or the API a
 * scenario calls changes incompatibly.
 */
#define COH_SCENARIO_ABI 1

struct coh_scenario_module {
	unsigned abi;         /* COH_SCENARIO_ABI of the headers it was built with */
	size_t scenario_size; /* sizeof(coh_scenario) there */
	size_t count;
	const coh_scenario *const *scenarios;
};

#define COH_SCENARIOS(...)                                                                         \
	static const coh_scenario *const coh__module_scenarios[] = {__VA_ARGS__};                  \
	COH_API const struct coh_scenario_module cohsim_scenario_module = {                        \
	    COH_SCENARIO_ABI, sizeof(coh_scenario),                                                \
	    sizeof(coh__module_scenarios) / sizeof(coh__module_scenarios[0]),                      \
	    coh__module_scenarios}

/* Loads the scenarios of the shared object at path (dlopen) and adds them
 * after the built-in ones, for the life of the process. Returns 0, or
 * COH_EINVAL with the reason in err: not a shared object, no scenarios in
 * it, another ABI, a scenario without a name or variants, or a name that
 * a built-in or already loaded scenario has. */
COH_API int coh_scenario_load(const char *path, char *err, size_t errlen);

COH_API size_t coh_scenario_count(void);
COH_API const coh_scenario *coh_scenario_at(size_t i);
COH_API const coh_scenario *coh_scenario_find(const char *name);
COH_API const struct coh_variant *coh_scenario_variant(const coh_scenario *sc, const char *name);
COH_API bool coh_scenario_has_fix(const coh_scenario *sc, const char *fix);

/* What to run: variant (NULL: "buggy"), arch (NULL: the default), and fix
 * overrides applied on top of the variant. */
struct coh_run_options {
	const char *variant;
	const char *arch;
	struct {
		const char *name;
		bool on;
	} overrides[COH_MAX_FIXES];
	unsigned noverrides;
	unsigned kernel_version; /* KERNEL_VERSION(); 0: the scenario's */
};

COH_API void coh_run_options_init(struct coh_run_options *o);
/* Explores the scenario. Returns 0, or COH_EINVAL with a message in err for
 * an unknown variant, arch or fix, a kernel release outside the modelled
 * ones, or an arch the scenario cannot run on (a highmem scenario on an arch
 * without highmem). res as for coh_explore(). */
COH_API int coh_scenario_run(const coh_scenario *sc, const struct coh_run_options *o,
                             const coh_explore_config *cfg, coh_explore_result *res, char *err,
                             size_t errlen);

#ifdef __cplusplus
}
#endif
#endif
