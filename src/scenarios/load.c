/*
 * load.c - scenarios from the user's own shared objects (`--load x.so`).
 *
 * Interface: coh_scenario_load() dlopens an object, reads its one exported
 * cohsim_scenario_module (made by COH_SCENARIOS in cohsim/scenario.h),
 * checks it, and appends its scenarios to the list that coh_scenario_at()
 * shows after the built-ins. Invariants: every name in the registry is
 * unique; an object is either accepted whole or not at all (a bad one is
 * closed again); accepted objects stay loaded for the life of the process,
 * since their scenarios point into them. Loading is done once, before any
 * run, from one thread.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scenarios/load.h"

static const coh_scenario **loaded;
static size_t nloaded;

size_t coh__loaded_count(void)
{
	return nloaded;
}

const coh_scenario *coh__loaded_at(size_t i)
{
	return i < nloaded ? loaded[i] : NULL;
}

/* Checks one scenario of the module being loaded; 0 or COH_EINVAL. */
static int check_one(const struct coh_scenario_module *mod, size_t i, const char *path, char *err,
                     size_t errlen)
{
	const coh_scenario *sc = mod->scenarios[i];
	if (!sc || !sc->name || !sc->name[0] || !sc->variants[0].name || !sc->setup ||
	    !sc->default_arch) {
		snprintf(err, errlen,
		         "%s: scenario %zu has no name, variants, setup or default arch", path,
		         i + 1);
		return COH_EINVAL;
	}
	const char *whose = NULL;
	const coh_scenario *other = coh_scenario_find(sc->name);
	if (other) {
		whose = "an already loaded";
		for (size_t k = 0; k < coh_scenario_count() - nloaded; k++)
			if (coh_scenario_at(k) == other)
				whose = "a built-in";
	}
	for (size_t j = 0; !whose && j < i; j++)
		if (mod->scenarios[j] && mod->scenarios[j]->name &&
		    strcmp(mod->scenarios[j]->name, sc->name) == 0)
			whose = "another of its";
	if (whose) {
		snprintf(err, errlen, "%s: scenario '%s' has the name of %s scenario", path,
		         sc->name, whose);
		return COH_EINVAL;
	}
	return 0;
}

int coh_scenario_load(const char *path, char *err, size_t errlen)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		const char *why = dlerror();
		snprintf(err, errlen, "%s: not a loadable shared object (%s)", path,
		         why ? why : "dlopen failed");
		return COH_EINVAL;
	}
	const struct coh_scenario_module *mod = dlsym(h, "cohsim_scenario_module");
	int rc = 0;
	if (!mod) {
		snprintf(err, errlen,
		         "%s: no scenarios in it (no cohsim_scenario_module: use COH_SCENARIOS)",
		         path);
		rc = COH_EINVAL;
	} else if (mod->abi != COH_SCENARIO_ABI || mod->scenario_size != sizeof(coh_scenario)) {
		snprintf(err, errlen,
		         "%s: built for scenario ABI %u (coh_scenario of %zu bytes); this cohsim "
		         "has ABI %u (%zu bytes): rebuild it against these headers",
		         path, mod->abi, mod->scenario_size, (unsigned)COH_SCENARIO_ABI,
		         sizeof(coh_scenario));
		rc = COH_EINVAL;
	} else if (mod->count == 0 || !mod->scenarios) {
		snprintf(err, errlen, "%s: no scenarios in it (COH_SCENARIOS lists none)", path);
		rc = COH_EINVAL;
	}
	for (size_t i = 0; !rc && i < mod->count; i++)
		rc = check_one(mod, i, path, err, errlen);
	const coh_scenario **more = NULL;
	if (!rc && !(more = realloc(loaded, (nloaded + mod->count) * sizeof(*loaded)))) {
		snprintf(err, errlen, "%s: out of memory", path);
		rc = COH_ENOMEM;
	}
	if (rc) {
		dlclose(h);
		return rc;
	}
	loaded = more;
	for (size_t i = 0; i < mod->count; i++)
		loaded[nloaded++] = mod->scenarios[i];
	return 0; /* h stays open: the scenarios live in it */
}
