/*
 * test_cache.c - the L1 data cache model: aliasing per profile, write
 * policies, replacement, lines left by unmap, accesses that span lines and
 * pages, byte order. Maintenance, half-line dirty bits, multi-CPU coherence
 * by PA and DMA: test_cache_maint.c.
 */
#include "cache_rig.h"

/*
 * Two mappings of one PA: does a line filled through `a` serve `b`? Checks
 * both coh_cache_present and the data a load through b returns after a
 * store through a. Returns whether they share.
 */
static bool aliases_share(const char *arch, coh_addr_t a, coh_addr_t b)
{
	coh_machine *m = mk(arch, 1, 1);
	const coh_addr_t pa = 0x40000;
	map(m, a, pa, PAGE, COH_ATTR_WB);
	map(m, b, pa, PAGE, COH_ATTR_WB);
	assert_int_equal(ld(m, 0, a + 0x40), 0);
	assert_int_equal(present(m, 0, a + 0x40), 1);
	int shared = present(m, 0, b + 0x40);
	assert_true(shared == 0 || shared == 1);
	/* through the data: b either sees a's store (one line) or the old value */
	bool conflict = false;
	if (!shared) {
		assert_int_equal(ld(m, 0, b + 0x40), 0);
		/* two lines of one direct-mapped set evict each other: the data
		 * then travels through memory, so only presence tells */
		conflict = present(m, 0, a + 0x40) != 1;
	}
	st(m, 0, a + 0x40, 0x11223344);
	uint64_t seen = ld(m, 0, b + 0x40);
	if (!conflict)
		assert_int_equal(seen, shared ? 0x11223344 : 0);
	coh_machine_destroy(m);
	return shared;
}

static void vivt_aliases_never_share_lines(void **state)
{
	(void)state;
	const char *vivt[] = {"xscale", "arm926"};
	for (int i = 0; i < 2; i++) {
		/* same set index bits and even the same colour: still two lines */
		assert_false(aliases_share(vivt[i], 0x10000, 0x20000));
		assert_false(aliases_share(vivt[i], 0x10000, 0x11000));
		assert_false(aliases_share(vivt[i], 0x10000, 0x810000));
	}
}

static void armv6_aliases_share_line_when_colour_matches(void **state)
{
	(void)state;
	/* colour = VA[12] */
	assert_true(aliases_share("armv6", 0x10000, 0x12000));
	assert_true(aliases_share("armv6", 0x11000, 0x23000));
	assert_false(aliases_share("armv6", 0x10000, 0x11000));
	assert_false(aliases_share("armv6", 0x13000, 0x20000));
}

static void mips_and_sh4_aliases_share_line_only_when_va_13_12_match(void **state)
{
	(void)state;
	const char *names[] = {"mips-r4k", "sh4"};
	for (int i = 0; i < 2; i++) {
		assert_true(aliases_share(names[i], 0x10000, 0x14000));
		assert_true(aliases_share(names[i], 0x13000, 0x37000));
		assert_false(aliases_share(names[i], 0x10000, 0x11000));
		assert_false(aliases_share(names[i], 0x10000, 0x12000));
		assert_false(aliases_share(names[i], 0x10000, 0x13000));
	}
}

static void parisc_aliases_share_only_when_congruent_mod_4mib(void **state)
{
	(void)state;
	assert_true(aliases_share("parisc", 0x10000, 0x410000));
	assert_true(aliases_share("parisc", 0x123000, 0x40523000));
	assert_false(aliases_share("parisc", 0x10000, 0x11000));
	/* the same set after hashing is not enough: VA[21:12] must match
	 * (VA[16] folds onto the set bit that VA[12] selects) */
	assert_false(aliases_share("parisc", 0x10000, 0x1000));
	assert_false(aliases_share("parisc", 0x10000, 0x110000));
	assert_false(aliases_share("parisc", 0x10000, 0x210000));
	assert_false(aliases_share("parisc", 0x10000, 0x30000));
}

static void pipt_aliases_always_share(void **state)
{
	(void)state;
	const char *names[] = {"cortex-a9", "x86"};
	for (int i = 0; i < 2; i++) {
		assert_true(aliases_share(names[i], 0x10000, 0x11000));
		assert_true(aliases_share(names[i], 0x10000, 0x13000));
		assert_true(aliases_share(names[i], 0x10000, 0x7654000));
	}
}

static void write_allocate_store_miss_fills_a_dirty_line(void **state)
{
	(void)state;
	coh_machine *m = mk("xscale", 1, 1);
	map(m, 0x10000, 0x10000, PAGE, COH_ATTR_WB);
	st(m, 0, 0x10000, 0xabcd);
	assert_int_equal(present(m, 0, 0x10000), 1);
	assert_true(is_dirty(m, 0, 0x10000));
	assert_int_equal(peek32(m, 0x10000), 0); /* not yet in memory */
	assert_int_equal(ld(m, 0, 0x10000), 0xabcd);
	coh_machine_destroy(m);
}

static void arm926_store_miss_does_not_allocate(void **state)
{
	(void)state;
	coh_machine *m = mk("arm926", 1, 1);
	map(m, 0x10000, 0x10000, PAGE, COH_ATTR_WB);
	st(m, 0, 0x10000, 0xabcd);
	assert_int_equal(present(m, 0, 0x10000), 0);
	assert_int_equal(peek32(m, 0x10000), 0xabcd); /* went to memory */
	/* a load allocates; a store hit then dirties the line */
	assert_int_equal(ld(m, 0, 0x10000), 0xabcd);
	assert_int_equal(present(m, 0, 0x10000), 1);
	assert_false(is_dirty(m, 0, 0x10000));
	st(m, 0, 0x10004, 0x55);
	assert_true(is_dirty(m, 0, 0x10000));
	assert_int_equal(peek32(m, 0x10004), 0);
	coh_machine_destroy(m);
}

static void write_through_mapping_never_holds_dirty_data(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		coh_machine *m = mk(coh_arch_at(i)->name, 1, 1);
		map(m, 0x10000, 0x10000, PAGE, COH_ATTR_WT);
		/* store miss: no line, straight to memory */
		st(m, 0, 0x10000, 0x1234);
		assert_int_equal(present(m, 0, 0x10000), 0);
		assert_int_equal(peek32(m, 0x10000), 0x1234);
		/* store hit: line updated, memory updated, line stays clean */
		assert_int_equal(ld(m, 0, 0x10000), 0x1234);
		st(m, 0, 0x10000, 0x5678);
		assert_false(is_dirty(m, 0, 0x10000));
		assert_int_equal(peek32(m, 0x10000), 0x5678);
		assert_int_equal(ld(m, 0, 0x10000), 0x5678);
		coh_machine_destroy(m);
	}
}

static void uncached_mapping_bypasses_the_cache(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		coh_machine *m = mk(coh_arch_at(i)->name, 1, 1);
		map(m, 0x10000, 0x10000, PAGE, COH_ATTR_UNCACHED);
		st(m, 0, 0x10000, 0x1234);
		assert_int_equal(peek32(m, 0x10000), 0x1234);
		assert_int_equal(ld(m, 0, 0x10000), 0x1234);
		assert_int_not_equal(present(m, 0, 0x10000), 1);
		uint32_t v = 0x99;
		assert_int_equal(coh_mem_poke(m, 0x10000, &v, 4), COH_OK);
		assert_int_equal(ld(m, 0, 0x10000), 0x99); /* no line to hide memory */
		/* a prefetch never fills an uncached page */
		assert_int_equal(coh_cache_prefetch(m, 0, 0x10000), COH_OK);
		assert_int_not_equal(present(m, 0, 0x10000), 1);
		coh_machine_destroy(m);
	}
}

static void uncached_store_leaves_a_cached_alias_stale(void **state)
{
	(void)state;
	coh_machine *m = mk("cortex-a9", 1, 1);
	map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
	map(m, 0x30000, 0x20000, PAGE, COH_ATTR_UNCACHED);
	assert_int_equal(ld(m, 0, 0x10000), 0);
	st(m, 0, 0x30000, 7);
	assert_int_equal(ld(m, 0, 0x10000), 0); /* the cached line is not snooped */
	assert_int_equal(coh_cache_inval(m, 0, 0x10000, 4), COH_OK);
	assert_int_equal(ld(m, 0, 0x10000), 7);
	coh_machine_destroy(m);
}

static void round_robin_evicts_in_way_order(void **state)
{
	(void)state;
	/* xscale: 32 ways, 32 sets of 32 bytes; VAs 1 KiB apart share a set */
	coh_machine *m = mk("xscale", 1, 1);
	map(m, 0x100000, 0x100000, 9 * PAGE, COH_ATTR_WB);
	const coh_addr_t base = 0x100000, stride = 0x400;
	for (unsigned k = 0; k < 32; k++)
		ld(m, 0, base + k * stride);
	for (unsigned k = 0; k < 32; k++)
		assert_int_equal(present(m, 0, base + k * stride), 1);
	ld(m, 0, base); /* a hit does not matter to round-robin */
	ld(m, 0, base + 32 * stride);
	assert_int_equal(present(m, 0, base), 0); /* way 0 goes first */
	assert_int_equal(present(m, 0, base + stride), 1);
	ld(m, 0, base + 33 * stride);
	assert_int_equal(present(m, 0, base + stride), 0); /* then way 1 */
	assert_int_equal(present(m, 0, base + 2 * stride), 1);
	ld(m, 0, base);
	assert_int_equal(present(m, 0, base + 2 * stride), 0); /* then way 2 */
	for (unsigned k = 3; k < 34; k++)
		assert_int_equal(present(m, 0, base + k * stride), 1);
	/* another set is untouched by all this */
	assert_int_equal(present(m, 0, base + 0x20), 0);
	coh_machine_destroy(m);
}

static void lru_evicts_the_least_recently_used(void **state)
{
	(void)state;
	/* x86: 8 ways, 64 sets of 64 bytes; PAs 4 KiB apart share a set */
	coh_machine *m = mk("x86", 1, 1);
	map(m, 0x100000, 0x100000, 16 * PAGE, COH_ATTR_WB);
	const coh_addr_t base = 0x100000, stride = PAGE;
	for (unsigned k = 0; k < 8; k++)
		ld(m, 0, base + k * stride);
	ld(m, 0, base); /* line 0 is now the most recent; line 1 the least */
	ld(m, 0, base + 8 * stride);
	assert_int_equal(present(m, 0, base), 1);
	assert_int_equal(present(m, 0, base + stride), 0);
	st(m, 0, base + 2 * stride, 1); /* a store counts as a use */
	ld(m, 0, base + 9 * stride);
	assert_int_equal(present(m, 0, base + 2 * stride), 1);
	assert_int_equal(present(m, 0, base + 3 * stride), 0);
	ld(m, 0, base + 10 * stride);
	assert_int_equal(present(m, 0, base + 4 * stride), 0);
	coh_machine_destroy(m);
}

/* Loads 64 lines of one set of a cortex-a9 (random replacement) and returns
 * the index of the line each fill evicted, as a string. */
static void random_eviction_sequence(uint64_t seed, char *out, size_t size)
{
	coh_machine *m = mk("cortex-a9", 1, seed);
	const coh_addr_t stride = 8192; /* 256 sets * 32 bytes */
	const unsigned n = 64;
	map(m, 0, 0, n * stride, COH_ATTR_WB);
	bool in[64] = {false};
	size_t len = 0;
	out[0] = 0;
	for (unsigned k = 0; k < n; k++) {
		ld(m, 0, k * stride);
		in[k] = true;
		unsigned resident = 0;
		for (unsigned j = 0; j <= k; j++) {
			int p = present(m, 0, j * stride);
			if (in[j] && !p) {
				len += (size_t)snprintf(out + len, size - len, "%u,", j);
				in[j] = false;
			}
			resident += (unsigned)p;
		}
		assert_int_equal(resident, k < 4 ? k + 1 : 4);
	}
	coh_machine_destroy(m);
}

static void random_replacement_is_determined_by_the_seed(void **state)
{
	(void)state;
	char a[512], b[512], c[512];
	random_eviction_sequence(1, a, sizeof(a));
	random_eviction_sequence(1, b, sizeof(b));
	random_eviction_sequence(2, c, sizeof(c));
	assert_true(strlen(a) > 0);
	assert_string_equal(a, b);
	assert_string_not_equal(a, c);
}

static void unmap_leaves_lines_in_the_cache(void **state)
{
	(void)state;
	coh_machine *m = mk("xscale", 1, 1);
	map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
	st(m, 0, 0x10000, 0xaa);
	assert_int_equal(coh_unmap(m, COH_KERNEL_AS, 0x10000, PAGE), COH_OK);
	/* VIVT: the line is found by VA without a mapping */
	assert_int_equal(present(m, 0, 0x10000), 1);
	assert_true(is_dirty(m, 0, 0x10000));
	assert_int_equal(coh_cache_flush(m, 0, 0x10000, 4), COH_OK);
	assert_int_equal(present(m, 0, 0x10000), 0);
	assert_int_equal(peek32(m, 0x20000), 0xaa); /* written back to its PA */
	coh_machine_destroy(m);

	/* physically tagged: the line stays but cannot be named by VA */
	m = mk("cortex-a9", 1, 1);
	map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
	map(m, 0x30000, 0x20000, PAGE, COH_ATTR_WB);
	st(m, 0, 0x10000, 0xaa);
	assert_int_equal(coh_unmap(m, COH_KERNEL_AS, 0x10000, PAGE), COH_OK);
	assert_int_equal(present(m, 0, 0x10000), -1);
	assert_int_equal(coh_cache_flush(m, 0, 0x10000, 4), COH_EFAULT);
	assert_int_equal(present(m, 0, 0x30000), 1);
	assert_true(is_dirty(m, 0, 0x30000));
	coh_machine_destroy(m);
}

static void vivt_hit_after_remap_returns_the_old_line(void **state)
{
	(void)state;
	/* A VIVT line is tagged by VA: after V is remapped from P1 to P2, a load
	 * of V hits the old line, and its write-back still goes to P1. */
	coh_machine *m = mk("xscale", 1, 1);
	map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
	st(m, 0, 0x10008, 0xaa);
	assert_int_equal(coh_unmap(m, COH_KERNEL_AS, 0x10000, PAGE), COH_OK);
	map(m, 0x10000, 0x200000, PAGE, COH_ATTR_WB);
	assert_int_equal(ld(m, 0, 0x10008), 0xaa);
	st(m, 0, 0x1000c, 0xbb);
	assert_int_equal(coh_cache_flush(m, 0, 0x10000, PAGE), COH_OK);
	assert_int_equal(peek32(m, 0x20008), 0xaa);
	assert_int_equal(peek32(m, 0x2000c), 0xbb);
	assert_int_equal(peek32(m, 0x200008), 0);
	assert_int_equal(peek32(m, 0x20000c), 0);
	coh_machine_destroy(m);
}

static void read_and_write_span_lines_and_pages(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		coh_machine *m = mk(coh_arch_at(i)->name, 1, 1);
		/* two virtually adjacent pages on physically distant frames */
		map(m, 0x10000, 0x30000, PAGE, COH_ATTR_WB);
		map(m, 0x11000, 0x08000, PAGE, COH_ATTR_WB);
		uint8_t buf[300], back[300];
		for (size_t k = 0; k < sizeof(buf); k++)
			buf[k] = (uint8_t)(k * 7 + 1);
		assert_int_equal(coh_write(m, 0, 0x10f00 + 3, buf, sizeof(buf)), COH_OK);
		memset(back, 0, sizeof(back));
		assert_int_equal(coh_read(m, 0, 0x10f00 + 3, back, sizeof(back)), COH_OK);
		assert_memory_equal(buf, back, sizeof(buf));
		assert_int_equal(coh_cache_flush_all(m, 0), COH_OK);
		uint8_t mem[300];
		assert_int_equal(coh_mem_peek(m, 0x30f03, mem, 0xfd), COH_OK);
		assert_int_equal(coh_mem_peek(m, 0x08000, mem + 0xfd, 300 - 0xfd), COH_OK);
		assert_memory_equal(buf, mem, sizeof(buf));
		coh_machine_destroy(m);
	}
}

static void loads_and_stores_are_little_endian_of_each_size(void **state)
{
	(void)state;
	coh_machine *m = mk("x86", 1, 1);
	map(m, 0x10000, 0x20000, PAGE, COH_ATTR_WB);
	assert_int_equal(coh_store(m, 0, 0x10000, 8, 0x0807060504030201ull), COH_OK);
	uint64_t v;
	assert_int_equal(coh_load(m, 0, 0x10000, 1, &v), COH_OK);
	assert_int_equal(v, 0x01);
	assert_int_equal(coh_load(m, 0, 0x10002, 2, &v), COH_OK);
	assert_int_equal(v, 0x0403);
	assert_int_equal(coh_load(m, 0, 0x10004, 4, &v), COH_OK);
	assert_int_equal(v, 0x08070605);
	assert_int_equal(coh_load(m, 0, 0x10000, 8, &v), COH_OK);
	assert_int_equal(v, 0x0807060504030201ull);
	/* an unaligned access that crosses a line works */
	assert_int_equal(coh_store(m, 0, 0x1003d, 8, 0x1122334455667788ull), COH_OK);
	assert_int_equal(coh_load(m, 0, 0x1003d, 8, &v), COH_OK);
	assert_int_equal(v, 0x1122334455667788ull);
	assert_int_equal(coh_load(m, 0, 0x10000, 3, &v), COH_EINVAL);
	assert_int_equal(coh_store(m, 0, 0x10000, 16, 0), COH_EINVAL);
	assert_int_equal(coh_load(m, 1, 0x10000, 4, &v), COH_ERANGE);
	coh_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(vivt_aliases_never_share_lines),
	    cmocka_unit_test(armv6_aliases_share_line_when_colour_matches),
	    cmocka_unit_test(mips_and_sh4_aliases_share_line_only_when_va_13_12_match),
	    cmocka_unit_test(parisc_aliases_share_only_when_congruent_mod_4mib),
	    cmocka_unit_test(pipt_aliases_always_share),
	    cmocka_unit_test(write_allocate_store_miss_fills_a_dirty_line),
	    cmocka_unit_test(arm926_store_miss_does_not_allocate),
	    cmocka_unit_test(write_through_mapping_never_holds_dirty_data),
	    cmocka_unit_test(uncached_mapping_bypasses_the_cache),
	    cmocka_unit_test(uncached_store_leaves_a_cached_alias_stale),
	    cmocka_unit_test(round_robin_evicts_in_way_order),
	    cmocka_unit_test(lru_evicts_the_least_recently_used),
	    cmocka_unit_test(random_replacement_is_determined_by_the_seed),
	    cmocka_unit_test(unmap_leaves_lines_in_the_cache),
	    cmocka_unit_test(vivt_hit_after_remap_returns_the_old_line),
	    cmocka_unit_test(read_and_write_span_lines_and_pages),
	    cmocka_unit_test(loads_and_stores_are_little_endian_of_each_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
