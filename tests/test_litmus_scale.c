/*
 * test_litmus_scale.c - large litmus files parse in near-linear work.
 *
 * - the parser's set of mapped ranges (src/litmus/vaset.c) agrees with a
 *   brute-force list on a long random mix of maps, cuts and queries, and
 *   its work (nodes visited) stays within O(log n) per operation whether
 *   ranges come in ascending, descending or random order;
 * - a generated file of 600,000 maps in descending order, with cuts, parses,
 *   and an overlap on its last line still names the right line. The old
 *   list scan needed about two minutes of CPU for it; this test may use 40
 *   seconds of CPU (RLIMIT_CPU: a bound on work, whatever the load of the
 *   host), and tests/CMakeLists.txt adds a wall-clock TIMEOUT as a backstop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "cohsim/litmus.h"
#include "litmus/vaset.h"

static uint64_t rng(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* ---- the set against a brute-force list ---- */

struct model {
	struct coh__varange r[4096];
	size_t n;
};

static const struct coh__varange *model_overlap(const struct model *m, uint64_t va, uint64_t last)
{
	const struct coh__varange *best = NULL;
	for (size_t i = 0; i < m->n; i++)
		if (m->r[i].va <= last && va <= m->r[i].last && (!best || m->r[i].va < best->va))
			best = &m->r[i];
	return best;
}

static void model_remove(struct model *m, uint64_t va, uint64_t last)
{
	size_t n = m->n;
	for (size_t i = 0; i < n; i++) {
		struct coh__varange r = m->r[i];
		if (!(r.va <= last && va <= r.last))
			continue;
		if (r.va < va && r.last > last) {
			m->r[i].last = va - 1;
			m->r[m->n++] = (struct coh__varange){last + 1, r.last, r.line};
		} else if (r.va < va) {
			m->r[i].last = va - 1;
		} else if (r.last > last) {
			m->r[i].va = last + 1;
		} else {
			m->r[i].va = 1, m->r[i].last = 0; /* empty: never overlaps */
		}
	}
}

static void vaset_agrees_with_a_list(void **state)
{
	(void)state;
	static struct model m;
	struct coh__vaset s = {0};
	uint64_t seed = 88172645463325252ull;
	for (unsigned step = 1; step < 20000 && m.n < 4000; step++) {
		uint64_t va = rng(&seed) % 4096, last = va + rng(&seed) % 16;
		const struct coh__varange *want = model_overlap(&m, va, last);
		const struct coh__varange *got = coh__vaset_overlap(&s, va, last);
		assert_int_equal(want != NULL, got != NULL);
		if (want) {
			assert_int_equal(got->va, want->va);
			assert_int_equal(got->last, want->last);
			assert_int_equal(got->line, want->line);
		}
		if (rng(&seed) % 3) {
			if (!want) {
				assert_int_equal(coh__vaset_add(&s, va, last, step), 0);
				m.r[m.n++] = (struct coh__varange){va, last, step};
			}
		} else {
			assert_int_equal(coh__vaset_remove(&s, va, last), 0);
			model_remove(&m, va, last);
		}
	}
	assert_true(s.n > 100);
	coh__vaset_free(&s);
	assert_int_equal(s.n, 0);
}

static void vaset_work_is_logarithmic_in_any_order(void **state)
{
	(void)state;
	const uint64_t n = 200000;
	for (int order = 0; order < 3; order++) {
		struct coh__vaset s = {0};
		uint64_t seed = 7;
		for (uint64_t i = 0; i < n; i++) {
			uint64_t k = order == 0   ? i
			             : order == 1 ? n - 1 - i
			                          : rng(&seed) % (n * 64);
			uint64_t va = k * 0x2000;
			if (coh__vaset_overlap(&s, va, va + 0xfff))
				continue;
			assert_int_equal(coh__vaset_add(&s, va, va + 0xfff, 1), 0);
		}
		/* cut a hole in every range, then remove everything in one go */
		for (uint64_t i = 0; i < n; i += 2)
			assert_int_equal(
			    coh__vaset_remove(&s, i * 0x2000 + 0x400, i * 0x2000 + 0x7ff), 0);
		assert_int_equal(coh__vaset_remove(&s, 0, UINT64_MAX), 0);
		assert_int_equal(s.n, 0);
		/* a random tree's depth is about 3 log2(n) at worst: 18 for 2^18 */
		assert_true(s.visits < n * 8 * 3 * 18);
		coh__vaset_free(&s);
	}
}

/* ---- a large file ---- */

static char *large_file(unsigned nmaps, size_t *len)
{
	size_t cap = (size_t)nmaps * 64 + 256;
	char *text = malloc(cap);
	assert_non_null(text);
	size_t n = (size_t)snprintf(text, cap, "arch arm926\n");
	for (unsigned i = nmaps; i > 0; i--) /* descending: the worst case of a list */
		n += (size_t)snprintf(text + n, cap - n, "map 0x%llx 0 0x2000\n", i * 0x4000ull);
	for (unsigned i = 1; i <= nmaps; i += 2) /* the first page of every other map */
		n += (size_t)snprintf(text + n, cap - n, "unmap 0x%llx 0x1000\n", i * 0x4000ull);
	*len = n;
	return text;
}

static void large_file_parses_and_still_names_overlaps(void **state)
{
	(void)state;
	const unsigned nmaps = 600000;
	size_t len;
	char *text = large_file(nmaps, &len);
	coh_litmus *lt;
	coh_litmus_error err;
	if (coh_litmus_parse_string("big", text, &lt, &err) != 0)
		fail_msg("%s", err.message);
	size_t nops;
	coh_litmus_setup(lt, &nops);
	assert_int_equal(nops, nmaps + nmaps / 2);
	coh_litmus_free(lt);

	/* the hole of map 1 takes a map again; the half kept of map 3 does not */
	char tail[128];
	snprintf(tail, sizeof(tail), "map 0x4000 0x8000 0x1000\nmap 0xd000 0 0x1000\n");
	char *more = realloc(text, len + sizeof(tail));
	assert_non_null(more);
	memcpy(more + len, tail, strlen(tail) + 1);
	assert_int_equal(coh_litmus_parse_string("big", more, &lt, &err), COH_EINVAL);
	assert_int_equal(err.line, 2 + nmaps + nmaps / 2 + 1);
	char want[160];
	/* map 3 (0xc000) is on line 2 + nmaps - 3 */
	snprintf(want, sizeof(want), "overlaps the mapping of line %u [0xd000, 0xe000)",
	         2 + nmaps - 3);
	if (!strstr(err.message, want))
		fail_msg("%s: want '%s'", err.message, want);
	free(more);
}

int main(void)
{
	/* a quadratic parser is killed by SIGXCPU instead of passing slowly */
	struct rlimit cpu = {40, 45};
	setrlimit(RLIMIT_CPU, &cpu);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(vaset_agrees_with_a_list),
	    cmocka_unit_test(vaset_work_is_logarithmic_in_any_order),
	    cmocka_unit_test(large_file_parses_and_still_names_overlaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
