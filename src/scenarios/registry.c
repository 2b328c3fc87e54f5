/*
 * registry.c - the built-in scenarios, and how one is run.
 *
 * coh_scenario_run() turns a scenario, a variant and fix overrides into a
 * coh_program: its setup builds the kernel (kernel_init with the switches
 * that are on) and then calls the scenario's own setup with fresh state.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cohsim/scenario.h"
#include "scenarios/load.h"

extern const coh_scenario coh_scenario_dm_cache_shared_metadata;
extern const coh_scenario coh_scenario_dm_cache_power_cut;
extern const coh_scenario coh_scenario_dm_cache_data_flush;
extern const coh_scenario coh_scenario_dm_cache_block_size;
extern const coh_scenario coh_scenario_dm_io_vmap;
extern const coh_scenario coh_scenario_kmap_high_get;
extern const coh_scenario coh_scenario_kmap_lock_irq;
extern const coh_scenario coh_scenario_flush_dcache_anon;
extern const coh_scenario coh_scenario_flush_anon_page;
extern const coh_scenario coh_scenario_perform_write_alias;
extern const coh_scenario coh_scenario_msync_mkclean;
extern const coh_scenario coh_scenario_shared_mmap_alias;
extern const coh_scenario coh_scenario_pio_mmap_dcache;
extern const coh_scenario coh_scenario_pio_sg_miter;
extern const coh_scenario coh_scenario_dio_invalidate;
extern const coh_scenario coh_scenario_aio_dio_invalidate_completion;
extern const coh_scenario coh_scenario_simnet_tx_doorbell;
extern const coh_scenario coh_scenario_simnet_rx_shared_line;
extern const coh_scenario coh_scenario_simnet_rx_reuse;
extern const coh_scenario coh_scenario_simnet_tx_maperr;
extern const coh_scenario coh_scenario_simnet_tx_own;
extern const coh_scenario coh_scenario_simblk_dir;
extern const coh_scenario coh_scenario_simblk_rmb;

/* In the order `cohsim list` and `cohsim demo` show them. */
static const coh_scenario *const builtin[] = {
    &coh_scenario_dm_cache_shared_metadata,
    &coh_scenario_dm_cache_power_cut,
    &coh_scenario_dm_cache_data_flush,
    &coh_scenario_dm_cache_block_size,
    &coh_scenario_dm_io_vmap,
    &coh_scenario_kmap_high_get,
    &coh_scenario_kmap_lock_irq,
    &coh_scenario_flush_dcache_anon,
    &coh_scenario_flush_anon_page,
    &coh_scenario_perform_write_alias,
    &coh_scenario_msync_mkclean,
    &coh_scenario_shared_mmap_alias,
    &coh_scenario_pio_mmap_dcache,
    &coh_scenario_pio_sg_miter,
    &coh_scenario_dio_invalidate,
    &coh_scenario_aio_dio_invalidate_completion,
    &coh_scenario_simnet_tx_doorbell,
    &coh_scenario_simnet_rx_shared_line,
    &coh_scenario_simnet_rx_reuse,
    &coh_scenario_simnet_tx_maperr,
    &coh_scenario_simnet_tx_own,
    &coh_scenario_simblk_dir,
    &coh_scenario_simblk_rmb,
};

#define NBUILTIN (sizeof(builtin) / sizeof(builtin[0]))

/* The built-ins, then the loaded ones (load.c). */
size_t coh_scenario_count(void)
{
	return NBUILTIN + coh__loaded_count();
}

const coh_scenario *coh_scenario_at(size_t i)
{
	return i < NBUILTIN ? builtin[i] : coh__loaded_at(i - NBUILTIN);
}

const coh_scenario *coh_scenario_find(const char *name)
{
	for (size_t i = 0; name && i < coh_scenario_count(); i++)
		if (strcmp(coh_scenario_at(i)->name, name) == 0)
			return coh_scenario_at(i);
	return NULL;
}

const struct coh_variant *coh_scenario_variant(const coh_scenario *sc, const char *name)
{
	for (const struct coh_variant *v = sc->variants;
	     v < sc->variants + COH_MAX_VARIANTS && v->name; v++)
		if (strcmp(v->name, name) == 0)
			return v;
	return NULL;
}

bool coh_scenario_has_fix(const coh_scenario *sc, const char *fix)
{
	for (const struct coh_fix_switch *f = sc->fixes; f->name; f++)
		if (strcmp(f->name, fix) == 0)
			return true;
	return false;
}

void coh_run_options_init(struct coh_run_options *o)
{
	memset(o, 0, sizeof(*o));
}

struct run_ctx {
	const coh_scenario *sc;
	const char *fixes[COH_MAX_FIXES + 1];
	const char *declared[COH_MAX_FIXES + 1];
	unsigned version;
	void *state;
};

static int run_setup(void *arg, coh_sched *s)
{
	struct run_ctx *rc = arg;
	struct kernel_config kc;
	kernel_config_init(&kc);
	if (rc->sc->last_pkmap)
		kc.last_pkmap = rc->sc->last_pkmap;
	kc.fixes = rc->fixes;
	kc.declared = rc->declared;
	kc.version = rc->version;
	int r = kernel_init(s, &kc);
	if (r)
		return r;
	if (rc->state)
		memset(rc->state, 0, rc->sc->state_size);
	return rc->sc->setup ? rc->sc->setup(s, rc->state) : 0;
}

static void run_finish(void *arg, coh_sched *s)
{
	struct run_ctx *rc = arg;
	if (rc->sc->finish)
		rc->sc->finish(s, rc->state);
}

/* Sets the switches that are on: the variant's, then the overrides. */
static int resolve_fixes(const coh_scenario *sc, const struct coh_run_options *o,
                         struct run_ctx *rc, char *err, size_t errlen)
{
	const char *vname = o && o->variant ? o->variant : "buggy";
	const struct coh_variant *v = coh_scenario_variant(sc, vname);
	if (!v) {
		int n = snprintf(err, errlen,
		                 "scenario %s has no variant '%s'; its variants:", sc->name, vname);
		for (unsigned i = 0; i < COH_MAX_VARIANTS && sc->variants[i].name; i++)
			if (n >= 0 && (size_t)n < errlen)
				n += snprintf(err + n, errlen - (size_t)n, " %s",
				              sc->variants[i].name);
		return COH_EINVAL;
	}
	bool on[COH_MAX_FIXES] = {0};
	unsigned nfix = 0;
	while (nfix < COH_MAX_FIXES && sc->fixes[nfix].name)
		nfix++;
	for (const char *const *f = v->fixes_on; *f; f++)
		for (unsigned i = 0; i < nfix; i++)
			if (strcmp(sc->fixes[i].name, *f) == 0)
				on[i] = true;
	for (unsigned k = 0; o && k < o->noverrides; k++) {
		unsigned i = 0;
		while (i < nfix && strcmp(sc->fixes[i].name, o->overrides[k].name) != 0)
			i++;
		if (i == nfix) {
			int m =
			    snprintf(err, errlen,
			             "scenario %s has no fix switch '%s'; its switches:", sc->name,
			             o->overrides[k].name);
			for (unsigned j = 0; j < nfix; j++)
				if (m >= 0 && (size_t)m < errlen)
					m += snprintf(err + m, errlen - (size_t)m, " %s",
					              sc->fixes[j].name);
			return COH_EINVAL;
		}
		on[i] = o->overrides[k].on;
	}
	unsigned n = 0;
	for (unsigned i = 0; i < nfix; i++)
		rc->declared[i] = sc->fixes[i].name;
	rc->declared[nfix] = NULL;
	for (unsigned i = 0; i < nfix; i++)
		if (on[i])
			rc->fixes[n++] = sc->fixes[i].name;
	rc->fixes[n] = NULL;
	return COH_OK;
}

int coh_scenario_run(const coh_scenario *sc, const struct coh_run_options *o,
                     const coh_explore_config *cfg, coh_explore_result *res, char *err,
                     size_t errlen)
{
	struct run_ctx rc = {.sc = sc};
	memset(res, 0, sizeof(*res));
	int r = resolve_fixes(sc, o, &rc, err, errlen);
	if (r)
		return r;
	const char *aname = o && o->arch ? o->arch : sc->default_arch;
	const coh_arch *arch = coh_arch_find(aname);
	if (!arch) {
		snprintf(err, errlen, "unknown arch '%s' (see `cohsim arch list`)", aname);
		return COH_EINVAL;
	}
	if (sc->needs_highmem && !arch->highmem) {
		snprintf(err, errlen,
		         "scenario %s needs highmem, and arch %s (%s) has none: the %s kernel "
		         "has no CONFIG_HIGHMEM%s (see `cohsim arch list`)",
		         sc->name, arch->name, arch->stands_for, coh_arch_family_name(arch->family),
		         arch->family == COH_ARCH_ARM || arch->family == COH_ARCH_MIPS
		             ? " with an aliasing D-cache"
		             : "");
		return COH_EINVAL;
	}
	rc.version = o && o->kernel_version ? o->kernel_version : sc->kernel_version;
	if (rc.version &&
	    (rc.version < COH_KERNEL_VERSION_MIN || rc.version > COH_KERNEL_VERSION_MAX)) {
		char v[16];
		snprintf(err, errlen, "kernel %s is not modelled (2.6.31 to 2.6.39)",
		         kernel_version_str(rc.version, v, sizeof(v)));
		return COH_EINVAL;
	}
	coh_machine_config mc;
	coh_machine_config_init(&mc, arch);
	mc.ncpus = sc->ncpus ? sc->ncpus : 1;
	mc.mem_size = sc->mem_size ? sc->mem_size : (1u << 20);
	/* no highmem on the arch: all of memory is lowmem (the machine's default) */
	mc.lowmem_size = !arch->highmem ? 0 : sc->lowmem_size ? sc->lowmem_size : mc.mem_size / 2;
	if (sc->state_size) {
		rc.state = calloc(1, sc->state_size);
		if (!rc.state)
			return COH_ENOMEM;
	}
	coh_program prog = {.name = sc->name, .ctx = &rc, .setup = run_setup, .finish = run_finish};
	coh_explore_config c = *cfg;
	if (c.speculation < 0)
		c.speculation = sc->speculation;
	r = coh_explore(&c, &mc, &prog, res);
	free(rc.state);
	if (r && err && errlen) {
		if (res->error[0])
			snprintf(err, errlen, "%s%s", cfg->schedule ? "--schedule: " : "",
			         res->error);
		else if (r == COH_EINVAL && cfg->strategy == COH_STRATEGY_REPLAY && cfg->schedule)
			snprintf(err, errlen, "--schedule '%s': not a schedule string (%s...)",
			         cfg->schedule, COH_SCHEDULE_VERSION);
		else
			snprintf(err, errlen, "%s", coh_strerror(r));
	}
	return r;
}
