/*
 * oracle_rig.h - what the test_oracle*.c files share: a machine with a check
 * attached (the rig), maps, loads, stores and DMA on it, and the findings it
 * holds (the one of a kind, or none). Static inline: each test file takes
 * what it uses.
 */
#ifndef COHSIM_TESTS_ORACLE_RIG_H
#define COHSIM_TESTS_ORACLE_RIG_H

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/check.h"
#include "cohsim/machine.h"

#define PAGE 4096u

struct rig {
	coh_machine *m;
	coh_check *c;
};

static inline struct rig rig_cfg(const char *arch, unsigned ncpus, bool oracle,
                                 unsigned max_findings)
{
	struct rig r = {0};
	coh_machine_config cfg;
	const coh_arch *a = coh_arch_find(arch);
	assert_non_null(a);
	coh_machine_config_init(&cfg, a);
	cfg.ncpus = ncpus;
	assert_int_equal(coh_machine_create(&cfg, &r.m), COH_OK);
	coh_check_config cc;
	coh_check_config_init(&cc);
	cc.oracle = oracle;
	if (max_findings)
		cc.max_findings = max_findings;
	assert_int_equal(coh_check_create(r.m, &cc, &r.c), COH_OK);
	assert_ptr_equal(coh_check_machine(r.c), r.m);
	return r;
}

static inline struct rig rig(const char *arch, unsigned ncpus)
{
	return rig_cfg(arch, ncpus, true, 0);
}

static inline void done(struct rig *r)
{
	coh_check_destroy(r->c);
	coh_machine_destroy(r->m);
}

static inline void map(struct rig *r, coh_addr_t va, coh_addr_t pa, size_t len, enum coh_attr attr)
{
	assert_int_equal(coh_map(r->m, COH_KERNEL_AS, va, pa, len, attr), COH_OK);
}

static inline uint64_t ld(struct rig *r, unsigned cpu, coh_addr_t va)
{
	uint64_t v = 0xdeadbeef;
	assert_int_equal(coh_load(r->m, cpu, va, 4, &v), COH_OK);
	return v;
}

static inline void st(struct rig *r, unsigned cpu, coh_addr_t va, uint64_t v)
{
	assert_int_equal(coh_store(r->m, cpu, va, 4, v), COH_OK);
}

static inline void dma_fill(struct rig *r, coh_addr_t pa, size_t len, uint8_t byte)
{
	uint8_t buf[256];
	assert_true(len <= sizeof(buf));
	memset(buf, byte, len);
	assert_int_equal(coh_dma_write(r->m, pa, buf, len), COH_OK);
}

static inline void dma_get(struct rig *r, coh_addr_t pa, size_t len)
{
	uint8_t buf[256];
	assert_true(len <= sizeof(buf));
	assert_int_equal(coh_dma_read(r->m, pa, buf, len), COH_OK);
}

/* Exactly one finding, of this kind; returns it. */
static inline const coh_finding *only(const struct rig *r, enum coh_finding_kind kind)
{
	if (coh_check_count(r->c) != 1 || coh_check_get(r->c, 0)->kind != kind) {
		for (size_t i = 0; i < coh_check_count(r->c); i++)
			coh_finding_print(coh_check_get(r->c, i), stderr);
		fail_msg("expected exactly one %s finding, got %zu", coh_finding_kind_name(kind),
		         coh_check_count(r->c));
	}
	return coh_check_get(r->c, 0);
}

static inline void silent(const struct rig *r)
{
	for (size_t i = 0; i < coh_check_count(r->c); i++)
		coh_finding_print(coh_check_get(r->c, i), stderr);
	assert_int_equal(coh_check_count(r->c), 0);
}

static const char *const non_coherent[] = {"xscale", "arm926", "armv6",    "mips-r4k",
                                           "sh4",    "parisc", "cortex-a9"};

#define NNONCOH (sizeof(non_coherent) / sizeof(non_coherent[0]))

#endif
