/*
 * cache_rig.h - what the test_cache*.c files share: a machine of a profile,
 * CPU count and seed; maps, loads and stores on it; a word of memory; whether
 * a VA's line is present, and dirty, in a CPU's cache. Static inline: each
 * test file takes what it uses.
 */
#ifndef COHSIM_TESTS_CACHE_RIG_H
#define COHSIM_TESTS_CACHE_RIG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/check.h"
#include "cohsim/machine.h"

#define PAGE 4096u

static inline coh_machine *mk(const char *arch, unsigned ncpus, uint64_t seed)
{
	coh_machine_config cfg;
	coh_machine *m = NULL;
	const coh_arch *a = coh_arch_find(arch);
	assert_non_null(a);
	coh_machine_config_init(&cfg, a);
	cfg.ncpus = ncpus;
	cfg.seed = seed;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_OK);
	return m;
}

static inline void map(coh_machine *m, coh_addr_t va, coh_addr_t pa, size_t len, enum coh_attr attr)
{
	assert_int_equal(coh_map(m, COH_KERNEL_AS, va, pa, len, attr), COH_OK);
}

static inline uint64_t ld(coh_machine *m, unsigned cpu, coh_addr_t va)
{
	uint64_t v = 0xdeadbeef;
	assert_int_equal(coh_load(m, cpu, va, 4, &v), COH_OK);
	return v;
}

static inline void st(coh_machine *m, unsigned cpu, coh_addr_t va, uint64_t v)
{
	assert_int_equal(coh_store(m, cpu, va, 4, v), COH_OK);
}

static inline uint32_t peek32(coh_machine *m, coh_addr_t pa)
{
	uint32_t v;
	assert_int_equal(coh_mem_peek(m, pa, &v, 4), COH_OK);
	return v;
}

static inline int present(coh_machine *m, unsigned cpu, coh_addr_t va)
{
	return coh_cache_present(m, cpu, va, NULL);
}

static inline bool is_dirty(coh_machine *m, unsigned cpu, coh_addr_t va)
{
	bool d = false;
	assert_int_equal(coh_cache_present(m, cpu, va, &d), 1);
	return d;
}

#endif
