/*
 * test_memory.c - physical memory as boards have it: any PA below 2^40
 * without declaring memory, frames made when first touched, declared RAM
 * banks, and resets (memory, caches, the oracle's shadow) that clear only
 * what an execution touched.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "check/check_impl.h"
#include "cohsim/check.h"
#include "cohsim/machine.h"
#include "machine/machine_impl.h"

#define PAGE 4096u
#define PXA_RAM 0xa0000000ull /* PXA25x SDRAM bank 0 */

static coh_machine *mk_cfg(const coh_machine_config *cfg)
{
	coh_machine *m = NULL;
	assert_int_equal(coh_machine_create(cfg, &m), COH_OK);
	return m;
}

static coh_machine *mk_undeclared(const char *arch, unsigned ncpus)
{
	coh_machine_config cfg;
	coh_machine_config_init(&cfg, coh_arch_find(arch));
	cfg.ncpus = ncpus;
	cfg.mem_size = 0;
	return mk_cfg(&cfg);
}

static void undeclared_memory_reaches_any_pa_below_2_40(void **state)
{
	(void)state;
	coh_machine *m = mk_undeclared("xscale", 1);
	assert_int_equal(coh_machine_mem_size(m), COH_PA_LIMIT);
	assert_int_equal(coh_map(m, 0, 0xc0000000, PXA_RAM, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_map(m, 0, 0xd0000000, COH_PA_LIMIT - PAGE, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_map(m, 0, 0xe0000000, COH_PA_LIMIT, PAGE, COH_ATTR_WB), COH_EFAULT);
	assert_int_equal(coh_store(m, 0, 0xc0000010, 4, 0xdeadbeef), COH_OK);
	assert_int_equal(coh_store(m, 0, 0xd0000ff8, 8, 0x1122334455667788ull), COH_OK);
	assert_int_equal(coh_cache_flush_all(m, 0), COH_OK);
	uint32_t v = 0;
	uint64_t w = 0;
	assert_int_equal(coh_mem_peek(m, PXA_RAM + 0x10, &v, 4), COH_OK);
	assert_int_equal(v, 0xdeadbeef);
	assert_int_equal(coh_mem_peek(m, COH_PA_LIMIT - 8, &w, 8), COH_OK);
	assert_int_equal(w, 0x1122334455667788ull);
	/* the cost follows what is touched: two frames, not 2^40 bytes */
	assert_int_equal(coh__mem_touched(m), 2);
	/* never written memory reads as zero, and costs no frame */
	assert_int_equal(coh_mem_peek(m, 0x7654321000ull, &w, 8), COH_OK);
	assert_int_equal(w, 0);
	assert_null(coh__frame_get(m, 0x7654321000ull));
	assert_int_equal(coh_dma_write(m, COH_PA_LIMIT - 4, &v, 8), COH_EFAULT);
	coh_machine_destroy(m);
}

static void reset_clears_only_the_touched_frames(void **state)
{
	(void)state;
	coh_machine *m = mk_undeclared("cortex-a9", 1);
	uint8_t buf[3 * PAGE];
	memset(buf, 0x5a, sizeof(buf));
	/* a DMA write across three frames of a high bank */
	assert_int_equal(coh_dma_write(m, PXA_RAM + PAGE / 2, buf, 2 * PAGE), COH_OK);
	assert_int_equal(coh__mem_touched(m), 3);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(coh_dma_read(m, PXA_RAM, buf, 3 * PAGE), COH_OK);
	assert_int_equal(buf[PAGE / 2 - 1], 0);
	assert_int_equal(buf[PAGE / 2], 0x5a);
	assert_int_equal(buf[PAGE / 2 + 2 * PAGE - 1], 0x5a);
	assert_int_equal(buf[PAGE / 2 + 2 * PAGE], 0);
	coh_machine_reset(m);
	assert_int_equal(coh__mem_touched(m), 0);
	assert_int_equal(coh_dma_read(m, PXA_RAM, buf, 3 * PAGE), COH_OK);
	for (size_t i = 0; i < 3 * PAGE; i++)
		assert_int_equal(buf[i], 0);
	coh_machine_destroy(m);
}

static void declared_banks_limit_maps_and_dma(void **state)
{
	(void)state;
	coh_machine_config cfg;
	coh_machine_config_init(&cfg, coh_arch_find("xscale"));
	cfg.nram = 2;
	cfg.ram[0] = (struct coh_ram_bank){PXA_RAM, 64u << 20};
	cfg.ram[1] = (struct coh_ram_bank){0xa8000000ull, 1u << 20};
	coh_machine *m = mk_cfg(&cfg);
	assert_int_equal(coh_machine_mem_size(m), 0xa8000000ull + (1u << 20));
	assert_int_equal(coh_map(m, 0, 0xc0000000, PXA_RAM, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_map(m, 0, 0xc1000000, 0xa8000000ull, 1u << 20, COH_ATTR_WB), COH_OK);
	/* below, between, straddling the end of and after the banks */
	assert_int_equal(coh_map(m, 0, 0xc2000000, 0, PAGE, COH_ATTR_WB), COH_EFAULT);
	assert_int_equal(coh_map(m, 0, 0xc2000000, 0xa4000000ull, PAGE, COH_ATTR_WB), COH_EFAULT);
	assert_int_equal(
	    coh_map(m, 0, 0xc2000000, PXA_RAM + (64u << 20) - PAGE, 2 * PAGE, COH_ATTR_WB),
	    COH_EFAULT);
	assert_int_equal(coh_map(m, 0, 0xc2000000, 0xa8100000ull, PAGE, COH_ATTR_WB), COH_EFAULT);
	uint8_t b[16] = {1};
	assert_int_equal(coh_dma_write(m, PXA_RAM + (64u << 20) - 8, b, 8), COH_OK);
	assert_int_equal(coh_dma_write(m, PXA_RAM + (64u << 20) - 8, b, 16), COH_EFAULT);
	assert_int_equal(coh_dma_read(m, 0x1000, b, 4), COH_EFAULT);
	assert_int_equal(coh_mem_poke(m, 0xa8000000ull, b, 16), COH_OK);
	assert_int_equal(coh_mem_peek(m, 0xa7fffff8ull, b, 16), COH_EFAULT);
	coh_machine_destroy(m);
}

static void bad_banks_are_rejected(void **state)
{
	(void)state;
	static const struct {
		struct coh_ram_bank a, b;
	} bad[] = {
	    {{0x10000, 0x20000}, {0x20000, 0x1000}},        /* overlap */
	    {{0x10000, 0x20000}, {0x0, 0x20000}},           /* overlap from below */
	    {{0x10800, 0x1000}, {0x40000, 0x1000}},         /* unaligned base */
	    {{0x10000, 0x1800}, {0x40000, 0x1000}},         /* unaligned size */
	    {{0x10000, 0}, {0x40000, 0x1000}},              /* empty */
	    {{COH_PA_LIMIT - 0x1000, 0x2000}, {0, 0x1000}}, /* beyond 2^40 */
	    {{COH_PA_LIMIT, 0x1000}, {0, 0x1000}},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		coh_machine_config cfg;
		coh_machine *m = NULL;
		coh_machine_config_init(&cfg, coh_arch_find("x86"));
		cfg.nram = 2;
		cfg.ram[0] = bad[i].a;
		cfg.ram[1] = bad[i].b;
		assert_int_equal(coh_machine_create(&cfg, &m), COH_EINVAL);
		assert_null(m);
	}
	coh_machine_config cfg;
	coh_machine *m = NULL;
	coh_machine_config_init(&cfg, coh_arch_find("x86"));
	cfg.nram = COH_MAX_RAM_BANKS + 1;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_EINVAL);
}

/* The oracle on a high bank, across executions: a stale read at the PXA
 * address is found; after a reset its versions are gone (undefined bytes
 * are never reported), and only the pages written were cleared. */
static void oracle_shadow_is_sparse_and_reset_per_execution(void **state)
{
	(void)state;
	coh_machine *m = mk_undeclared("xscale", 1);
	coh_check *c = NULL;
	assert_int_equal(coh_check_create(m, NULL, &c), COH_OK);
	for (int run = 0; run < 2; run++) {
		assert_int_equal(coh_map(m, 0, 0xc0000000, PXA_RAM, PAGE, COH_ATTR_WB), COH_OK);
		uint64_t v;
		assert_int_equal(coh_load(m, 0, 0xc0000000, 4, &v), COH_OK); /* line filled */
		uint8_t b[4] = {9, 9, 9, 9};
		assert_int_equal(coh_dma_write(m, PXA_RAM, b, 4), COH_OK);
		assert_int_equal(coh_load(m, 0, 0xc0000000, 4, &v), COH_OK); /* stale line */
		assert_int_equal(coh_check_count(c), 1);
		const coh_finding *f = coh_check_get(c, 0);
		assert_int_equal(f->kind, COH_F_STALE_READ);
		assert_int_equal(f->pa, PXA_RAM);
		assert_int_equal(c->nlive, 1);
		coh_machine_reset(m);
		coh_check_reset(c);
		assert_int_equal(c->nlive, 0);
		assert_int_equal(c->writes_hi, 0);
		/* memory differs from nothing now: a load is clean */
		assert_int_equal(coh_map(m, 0, 0xc0000000, PXA_RAM, PAGE, COH_ATTR_WB), COH_OK);
		assert_int_equal(coh_load(m, 0, 0xc0000000, 4, &v), COH_OK);
		assert_int_equal(v, 0);
		assert_int_equal(coh_check_count(c), 0);
		coh_machine_reset(m);
		coh_check_reset(c);
	}
	assert_int_equal(c->nshadowed, 1); /* one page, kept for the next run */
	coh_check_destroy(c);
	coh_machine_destroy(m);
}

/* Caches: a reset empties the sets that held lines; a cache without lines
 * is out of the machine's snoop mask, and coherence still holds. */
static void cache_reset_and_snoop_mask(void **state)
{
	(void)state;
	coh_machine *m = mk_undeclared("cortex-a9", 4);
	assert_int_equal(coh_map(m, 0, 0x10000, PXA_RAM, 4 * PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(m->nonempty, 0);
	assert_int_equal(coh_store(m, 2, 0x10040, 4, 0x1234), COH_OK);
	assert_int_equal(m->nonempty, 1u << 2);
	uint64_t v = 0;
	assert_int_equal(coh_load(m, 3, 0x10040, 4, &v), COH_OK);
	assert_int_equal(v, 0x1234);
	assert_int_equal(m->nonempty, (1u << 2) | (1u << 3));
	/* a store by cpu0 snoops the others' copies out */
	assert_int_equal(coh_store(m, 0, 0x10040, 4, 0x5678), COH_OK);
	assert_int_equal(m->nonempty, 1u << 0);
	assert_int_equal(coh_load(m, 1, 0x10040, 4, &v), COH_OK);
	assert_int_equal(v, 0x5678);
	assert_int_equal(coh_cache_present(m, 1, 0x10040, NULL), 1);
	assert_int_equal(m->cache[1].nused, 1);
	coh_machine_reset(m);
	assert_int_equal(m->nonempty, 0);
	for (unsigned c = 0; c < 4; c++) {
		assert_int_equal(m->cache[c].nused, 0);
		assert_int_equal(m->cache[c].nvalid, 0);
	}
	assert_int_equal(coh_map(m, 0, 0x10000, PXA_RAM, 4 * PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_cache_present(m, 1, 0x10040, NULL), 0);
	assert_int_equal(coh_load(m, 1, 0x10040, 4, &v), COH_OK);
	assert_int_equal(v, 0);
	coh_machine_destroy(m);
}

/* The oracle's shadow page: versions per 4-byte granule, split byte by
 * byte exactly where writers differ or an event number is too large. */
static void shadow_versions_are_exact_per_byte(void **state)
{
	(void)state;
	struct shadow_page *s = coh__shadow_new(PAGE);
	assert_non_null(s);
	const uint8_t b[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	assert_true(coh__shadow_set(s, 0, b, 4, 5));
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(coh__shadow_ver(s, i), 5);
	assert_int_equal(s->nsplit, 0);
	assert_true(coh__shadow_set(s, 1, b + 4, 1, 7)); /* a u8 store: split */
	assert_int_equal(coh__shadow_ver(s, 0), 5);
	assert_int_equal(coh__shadow_ver(s, 1), 7);
	assert_int_equal(coh__shadow_ver(s, 2), 5);
	assert_int_equal(s->val[1], 5);
	assert_int_equal(s->nsplit, 1);
	assert_true(coh__shadow_set(s, 0, b, 4, 9)); /* stays split, no new entry */
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(coh__shadow_ver(s, i), 9);
	assert_int_equal(s->nsplit, 1);
	assert_true(coh__shadow_set(s, 6, b, 4, 3)); /* straddles two granules */
	assert_int_equal(coh__shadow_ver(s, 5), 0);
	assert_int_equal(coh__shadow_ver(s, 6), 3);
	assert_int_equal(coh__shadow_ver(s, 9), 3);
	assert_int_equal(coh__shadow_ver(s, 10), 0);
	assert_int_equal(s->nsplit, 3);
	assert_true(coh__shadow_set(s, 16, b, 8, 1ull << 33)); /* beyond 31 bits */
	assert_int_equal(coh__shadow_ver(s, 16), 1ull << 33);
	assert_int_equal(coh__shadow_ver(s, 23), 1ull << 33);
	assert_true(coh__shadow_set(s, PAGE - 4, b, 4, 11));
	assert_int_equal(coh__shadow_ver(s, PAGE - 1), 11);
	coh__shadow_clear(s, PAGE);
	assert_int_equal(s->nsplit, 0);
	for (size_t i = 0; i < PAGE; i++)
		assert_int_equal(coh__shadow_ver(s, i), 0);
	coh__shadow_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(undeclared_memory_reaches_any_pa_below_2_40),
	    cmocka_unit_test(reset_clears_only_the_touched_frames),
	    cmocka_unit_test(declared_banks_limit_maps_and_dma),
	    cmocka_unit_test(bad_banks_are_rejected),
	    cmocka_unit_test(oracle_shadow_is_sparse_and_reset_per_execution),
	    cmocka_unit_test(cache_reset_and_snoop_mask),
	    cmocka_unit_test(shadow_versions_are_exact_per_byte),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
