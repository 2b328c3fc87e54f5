/*
 * test_arch.c - the built-in arch profiles: the real numbers of each cache,
 * the number of colours, and how a VA selects a set.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/machine.h"
#include "machine/machine_impl.h"

#define KiB 1024u

struct expect_geom {
	const char *name;
	unsigned size, ways, line, sets, colours;
	enum coh_addr_from index, tag;
	bool dma_coherent, broadcast, write_allocate;
	unsigned dirty_segments;
	enum coh_repl repl;
};

static const struct expect_geom expected[] = {
    {"xscale", 32 * KiB, 32, 32, 32, 1, COH_FROM_VIRT, COH_FROM_VIRT, false, false, true, 2,
     COH_REPL_ROUND_ROBIN},
    {"arm926", 16 * KiB, 4, 32, 128, 1, COH_FROM_VIRT, COH_FROM_VIRT, false, false, false, 2,
     COH_REPL_ROUND_ROBIN},
    {"armv6", 32 * KiB, 4, 32, 256, 2, COH_FROM_VIRT, COH_FROM_PHYS, false, false, true, 2,
     COH_REPL_RANDOM},
    {"mips-r4k", 16 * KiB, 1, 32, 512, 4, COH_FROM_VIRT, COH_FROM_PHYS, false, false, true, 1,
     COH_REPL_ROUND_ROBIN},
    {"sh4", 16 * KiB, 1, 32, 512, 4, COH_FROM_VIRT, COH_FROM_PHYS, false, false, true, 1,
     COH_REPL_ROUND_ROBIN},
    {"parisc", 64 * KiB, 1, 64, 1024, 1024, COH_FROM_VIRT, COH_FROM_PHYS, false, false, true, 1,
     COH_REPL_ROUND_ROBIN},
    {"cortex-a9", 32 * KiB, 4, 32, 256, 1, COH_FROM_PHYS, COH_FROM_PHYS, false, true, true, 1,
     COH_REPL_RANDOM},
    {"x86", 32 * KiB, 8, 64, 64, 1, COH_FROM_PHYS, COH_FROM_PHYS, true, true, true, 1,
     COH_REPL_LRU},
};

#define NEXPECTED (sizeof(expected) / sizeof(expected[0]))

static coh_machine *machine_for(const char *arch)
{
	coh_machine_config cfg;
	coh_machine *m = NULL;
	const coh_arch *a = coh_arch_find(arch);
	assert_non_null(a);
	coh_machine_config_init(&cfg, a);
	assert_int_equal(coh_machine_create(&cfg, &m), COH_OK);
	return m;
}

static void every_required_profile_is_listed_in_a_fixed_order(void **state)
{
	(void)state;
	assert_int_equal(coh_arch_count(), NEXPECTED);
	for (size_t i = 0; i < NEXPECTED; i++) {
		const coh_arch *a = coh_arch_at(i);
		assert_non_null(a);
		assert_string_equal(a->name, expected[i].name);
		assert_ptr_equal(coh_arch_find(expected[i].name), a);
		assert_non_null(a->kind);
		assert_non_null(a->stands_for);
		assert_int_equal(a->page_size, 4 * KiB);
	}
	assert_null(coh_arch_at(NEXPECTED));
	assert_null(coh_arch_find("vax"));
	assert_null(coh_arch_find(NULL));
	assert_null(coh_arch_find(""));
}

static void every_profile_has_the_real_cache_geometry(void **state)
{
	(void)state;
	for (size_t i = 0; i < NEXPECTED; i++) {
		const struct expect_geom *e = &expected[i];
		const coh_arch *a = coh_arch_find(e->name);
		const coh_cache_geometry *g = &a->l1;
		assert_int_equal(g->size, e->size);
		assert_int_equal(g->ways, e->ways);
		assert_int_equal(g->line_size, e->line);
		assert_int_equal(g->size / (g->ways * g->line_size), e->sets);
		assert_int_equal(g->index, e->index);
		assert_int_equal(g->tag, e->tag);
		assert_int_equal(g->dirty_segments, e->dirty_segments);
		assert_int_equal(g->repl, e->repl);
		assert_int_equal(g->write_allocate, e->write_allocate);
		assert_false(g->write_through);
		assert_int_equal(a->dma_coherent, e->dma_coherent);
		assert_int_equal(a->maint_broadcast, e->broadcast);
	}
}

static void colours_match_the_alias_bits_of_each_profile(void **state)
{
	(void)state;
	for (size_t i = 0; i < NEXPECTED; i++)
		assert_int_equal(coh_arch_colours(coh_arch_find(expected[i].name)),
		                 expected[i].colours);
	/* named explicitly, so that a wrong table above cannot hide a bug */
	assert_int_equal(coh_arch_colours(coh_arch_find("xscale")), 1);
	assert_int_equal(coh_arch_colours(coh_arch_find("armv6")), 2);
	assert_int_equal(coh_arch_colours(coh_arch_find("mips-r4k")), 4);
	assert_int_equal(coh_arch_colours(coh_arch_find("sh4")), 4);
	assert_int_equal(coh_arch_colours(coh_arch_find("parisc")), (4u << 20) / (4 * KiB));
	assert_int_equal(coh_arch_colours(coh_arch_find("cortex-a9")), 1);
	assert_int_equal(coh_arch_colours(coh_arch_find("x86")), 1);
}

static void only_parisc_hashes_va_bits_up_to_21(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		const coh_arch *a = coh_arch_at(i);
		if (strcmp(a->name, "parisc") == 0)
			assert_int_equal(a->l1.hash_top_bit, 21);
		else
			assert_int_equal(a->l1.hash_top_bit, 0);
	}
}

/* ARCH_NEEDS_KMAP_HIGH_GET is set for every ARM in 2.6.31-39; highmem
 * exists only where the arch allows it with that cache. */
static void arm_profiles_need_kmap_high_get_and_only_some_have_highmem(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		enum coh_arch_family family;
		bool kmap_high_get, highmem;
	} want[] = {
	    {"xscale", COH_ARCH_ARM, true, true},      {"arm926", COH_ARCH_ARM, true, true},
	    {"armv6", COH_ARCH_ARM, true, false},      {"cortex-a9", COH_ARCH_ARM, true, true},
	    {"mips-r4k", COH_ARCH_MIPS, false, false}, {"sh4", COH_ARCH_SH, false, false},
	    {"parisc", COH_ARCH_PARISC, false, false}, {"x86", COH_ARCH_X86, false, false},
	};
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const coh_arch *a = coh_arch_find(want[i].name);
		assert_non_null(a);
		assert_int_equal(a->family, want[i].family);
		assert_int_equal(a->needs_kmap_high_get, want[i].kmap_high_get);
		assert_int_equal(a->highmem, want[i].highmem);
		assert_int_equal(a->arm_arch != 0, a->family == COH_ARCH_ARM);
	}
	assert_string_equal(coh_arch_family_name(COH_ARCH_PARISC), "PA-RISC");
}

static void machine_cache_has_the_profile_set_count(void **state)
{
	(void)state;
	for (size_t i = 0; i < NEXPECTED; i++) {
		coh_machine *m = machine_for(expected[i].name);
		assert_int_equal(m->cache[0].nsets, expected[i].sets);
		assert_int_equal(m->cache[0].ways, expected[i].ways);
		assert_int_equal(coh_cache_line_size(m), expected[i].line);
		assert_int_equal(m->cache[0].seg_size,
		                 expected[i].line / expected[i].dirty_segments);
		coh_machine_destroy(m);
	}
}

static void xscale_set_is_va_bits_9_to_5(void **state)
{
	(void)state;
	coh_machine *m = machine_for("xscale");
	struct coh__cache *c = &m->cache[0];
	assert_int_equal(coh__cache_set(m, c, 0x000, 0), 0);
	assert_int_equal(coh__cache_set(m, c, 0x020, 0), 1);
	assert_int_equal(coh__cache_set(m, c, 0x3e0, 0), 31);
	assert_int_equal(coh__cache_set(m, c, 0x400, 0), 0); /* VA[10] is tag */
	assert_int_equal(coh__cache_set(m, c, 0x12345420, 0x999000), 1);
	coh_machine_destroy(m);
}

static void sh4_and_mips_set_is_va_bits_13_to_5(void **state)
{
	(void)state;
	const char *names[] = {"sh4", "mips-r4k"};
	for (int i = 0; i < 2; i++) {
		coh_machine *m = machine_for(names[i]);
		struct coh__cache *c = &m->cache[0];
		assert_int_equal(coh__cache_set(m, c, 0x3fe0, 0), 511);
		assert_int_equal(coh__cache_set(m, c, 0x1000, 0), 128); /* VA[12] */
		assert_int_equal(coh__cache_set(m, c, 0x2000, 0), 256); /* VA[13] */
		assert_int_equal(coh__cache_set(m, c, 0x4000, 0), 0);   /* VA[14]: tag */
		/* the PA does not take part */
		assert_int_equal(coh__cache_set(m, c, 0x1000, 0x3000), 128);
		coh_machine_destroy(m);
	}
}

static void armv6_set_is_va_bits_12_to_5(void **state)
{
	(void)state;
	coh_machine *m = machine_for("armv6");
	struct coh__cache *c = &m->cache[0];
	assert_int_equal(coh__cache_set(m, c, 0x1fe0, 0), 255);
	assert_int_equal(coh__cache_set(m, c, 0x1000, 0), 128);
	assert_int_equal(coh__cache_set(m, c, 0x2000, 0), 0);
	coh_machine_destroy(m);
}

static void pipt_set_comes_from_the_pa(void **state)
{
	(void)state;
	coh_machine *m = machine_for("cortex-a9");
	struct coh__cache *c = &m->cache[0];
	assert_int_equal(coh__cache_set(m, c, 0x0, 0x1fe0), 255);
	assert_int_equal(coh__cache_set(m, c, 0x1fe0, 0x0), 0);
	coh_machine_destroy(m);
	m = machine_for("x86");
	c = &m->cache[0];
	assert_int_equal(coh__cache_set(m, c, 0x0, 0xfc0), 63);
	assert_int_equal(coh__cache_set(m, c, 0xfc0, 0x1000), 0);
	coh_machine_destroy(m);
}

static void parisc_set_hashes_va_bits_up_to_21_only(void **state)
{
	(void)state;
	coh_machine *m = machine_for("parisc");
	struct coh__cache *c = &m->cache[0];
	/* congruent modulo 4 MiB: the same set */
	assert_int_equal(coh__cache_set(m, c, 0x10000, 0), coh__cache_set(m, c, 0x410000, 0));
	assert_int_equal(coh__cache_set(m, c, 0x123440, 0), coh__cache_set(m, c, 0xc523440, 0));
	/* bits 16..21 do change the set */
	for (unsigned bit = 16; bit <= 21; bit++)
		assert_int_not_equal(coh__cache_set(m, c, 0x0, 0),
		                     coh__cache_set(m, c, 1ull << bit, 0));
	/* the offset within a page picks the low set bits as usual */
	assert_int_equal(coh__cache_set(m, c, 0x40, 0) & 63, 1);
	assert_int_equal(coh__cache_set(m, c, 0xfc0, 0) & 63, 63);
	coh_machine_destroy(m);
}

static void colours_are_the_aliasing_index_bits(void **state)
{
	(void)state;
	/* For each non-hashed profile: VAs that differ only in page-number bits
	 * below the colour count land in distinct sets; those that differ by a
	 * multiple of colours*page land in the same set. */
	for (size_t i = 0; i < NEXPECTED; i++) {
		const coh_arch *a = coh_arch_find(expected[i].name);
		if (a->l1.hash_top_bit)
			continue;
		coh_machine *m = machine_for(a->name);
		struct coh__cache *c = &m->cache[0];
		unsigned colours = coh_arch_colours(a);
		coh_addr_t span = (coh_addr_t)colours * a->page_size;
		for (unsigned k = 0; k < colours; k++)
			assert_int_equal(
			    coh__cache_set(m, c, k * a->page_size + 0x20, 0x20),
			    coh__cache_set(m, c, k * a->page_size + 0x20 + span, 0x20));
		for (unsigned k = 1; k < colours; k++)
			assert_int_not_equal(coh__cache_set(m, c, 0x20, 0x20),
			                     coh__cache_set(m, c, k * a->page_size + 0x20, 0x20));
		coh_machine_destroy(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_required_profile_is_listed_in_a_fixed_order),
	    cmocka_unit_test(every_profile_has_the_real_cache_geometry),
	    cmocka_unit_test(colours_match_the_alias_bits_of_each_profile),
	    cmocka_unit_test(only_parisc_hashes_va_bits_up_to_21),
	    cmocka_unit_test(arm_profiles_need_kmap_high_get_and_only_some_have_highmem),
	    cmocka_unit_test(machine_cache_has_the_profile_set_count),
	    cmocka_unit_test(xscale_set_is_va_bits_9_to_5),
	    cmocka_unit_test(sh4_and_mips_set_is_va_bits_13_to_5),
	    cmocka_unit_test(armv6_set_is_va_bits_12_to_5),
	    cmocka_unit_test(pipt_set_comes_from_the_pa),
	    cmocka_unit_test(parisc_set_hashes_va_bits_up_to_21_only),
	    cmocka_unit_test(colours_are_the_aliasing_index_bits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
