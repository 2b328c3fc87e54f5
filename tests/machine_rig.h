/*
 * machine_rig.h - what the test_machine*.c files share: a machine of a
 * profile and CPU count, a VA's translation on a CPU and whether it is
 * mapped. Static inline: each test file takes what it uses.
 */
#ifndef COHSIM_TESTS_MACHINE_RIG_H
#define COHSIM_TESTS_MACHINE_RIG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/check.h"
#include "cohsim/machine.h"
#include "machine/machine_impl.h"

#define PAGE 4096u

static inline coh_machine *mk(const char *arch, unsigned ncpus)
{
	coh_machine_config cfg;
	coh_machine *m = NULL;
	coh_machine_config_init(&cfg, arch ? coh_arch_find(arch) : NULL);
	cfg.ncpus = ncpus;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_OK);
	return m;
}

static inline coh_addr_t xlate(coh_machine *m, unsigned cpu, coh_addr_t va)
{
	coh_addr_t pa = ~0ull;
	enum coh_attr attr;
	assert_int_equal(coh_translate(m, cpu, va, &pa, &attr), COH_OK);
	return pa;
}

static inline bool mapped(coh_machine *m, unsigned cpu, coh_addr_t va)
{
	coh_addr_t pa;
	enum coh_attr attr;
	int r = coh_translate(m, cpu, va, &pa, &attr);
	assert_true(r == COH_OK || r == COH_EFAULT);
	return r == COH_OK;
}

#endif
