/*
 * test_litmus.c - the litmus runner.
 *
 * - a finding carries its litmus line; expect-failed names line and bytes; a
 *   bad access does not stop the run;
 * - every examples/litmus file yields exactly its `# expect:` kinds, and the
 *   examples cover every profile and finding kind, each bug with a clean
 *   counterpart on the same arch;
 * - every profile reproduces the aliasing of its hardware: VIVT aliases
 *   never share lines, VIPT aliases share only when the colour bits match,
 *   PIPT aliases always share; x86's coherent DMA never yields a finding;
 * - output is deterministic; ram banks put memory where boards have it.
 *
 * The reader: test_litmus_parse.c; threads through the explorer:
 * test_litmus_explore.c. The examples are found through COHSIM_SOURCE_DIR
 * (set by ctest).
 */
#include "litmus_rig.h"

/* Parses and runs text; the test fails if it does not parse. */
static struct outcome run_text(const char *text, const coh_arch *arch)
{
	struct outcome o = {0};
	coh_litmus *lt;
	coh_litmus_error err;
	int st = coh_litmus_parse_string("t.litmus", text, &lt, &err);
	if (st)
		fail_msg("parse failed: %s\n--\n%s", err.message, text);
	run_litmus(lt, arch, &o);
	coh_litmus_free(lt);
	return o;
}

/* The kinds an `# expect:` header names; ~0u for an unknown word. */
static unsigned expect_bits(const char *s)
{
	unsigned bits = 0;
	char word[64];
	while (*s) {
		size_t n = strcspn(s, " ,\t");
		if (n && n < sizeof(word)) {
			memcpy(word, s, n);
			word[n] = 0;
			int k = -1;
			for (int i = 0; i < COH_F_KIND_COUNT; i++)
				if (!strcmp(word, coh_finding_kind_name((enum coh_finding_kind)i)))
					k = i;
			if (k < 0 && strcmp(word, "clean"))
				return ~0u;
			if (k >= 0)
				bits |= 1u << k;
		}
		s += n;
		s += strspn(s, " ,\t");
	}
	return bits;
}

/* ---- runs ---- */

static void finding_carries_its_litmus_line(void **state)
{
	(void)state;
	struct outcome o = run_text("arch cortex-a9\n"
	                            "map 0x10000 0x4000 0x1000\n"
	                            "load 0x10000 u32\n"
	                            "dma-write 0x4000 4 0x77\n"
	                            "\n"
	                            "load 0x10000 u32 expect 0x77777777\n",
	                            NULL);
	assert_int_equal(o.status, 0);
	/* one stale-read; the failed expect is the same fact, not reported twice */
	assert_int_equal(o.nfindings, 1);
	assert_int_equal(o.kinds, kind_bit(COH_F_STALE_READ));
	assert_int_equal(o.first_line, 6);
	assert_non_null(strstr(o.text, "\"line\":6"));
	free(o.text);
}

static void expect_failed_names_line_and_bytes(void **state)
{
	(void)state;
	struct outcome o = run_text("arch x86\nmap 0x10000 0x4000 0x1000\n"
	                            "store 0x10000 u16 0x1234\n"
	                            "load 0x10000 u16 expect 0x4321\n"
	                            "load 0x10000 u16 expect 0x1234\n",
	                            NULL);
	assert_int_equal(o.nfindings, 1);
	assert_int_equal(o.kinds, kind_bit(COH_F_EXPECT_FAILED));
	assert_int_equal(o.first_line, 4);
	assert_non_null(strstr(o.text, "\"expected\":\"2143\",\"seen\":\"3412\""));
	free(o.text);
}

static void bad_access_does_not_stop_the_run(void **state)
{
	(void)state;
	struct outcome o = run_text("arch armv6\nmap 0x10000 0x4000 0x1000\n"
	                            "load 0x90000 u32\n"
	                            "store 0x10000 u8 1\n"
	                            "load 0x10000 u8 expect 2\n",
	                            NULL);
	assert_int_equal(o.status, 0);
	assert_int_equal(o.kinds, kind_bit(COH_F_BAD_ACCESS) | kind_bit(COH_F_EXPECT_FAILED));
	assert_int_equal(o.first_line, 3);
	free(o.text);
}

/*
 * Aliasing per profile: page P mapped at A and at A+off; the reader caches
 * its alias, the writer stores through the other, the reader loads again.
 * The alias lines are shared (clean) or not (stale-read), as on the hardware.
 */
struct alias_case {
	const char *arch;
	unsigned long long off;
	bool shares;
};

static const struct alias_case alias_cases[] = {
    /* VIVT: never, whatever the distance */
    {"xscale", 0x1000, false},
    {"xscale", 0x8000, false},
    {"xscale", 0x400000, false},
    {"arm926", 0x1000, false},
    {"arm926", 0x4000, false},
    {"arm926", 0x400000, false},
    /* ARMv6: colour VA[12] */
    {"armv6", 0x1000, false},
    {"armv6", 0x3000, false},
    {"armv6", 0x2000, true},
    {"armv6", 0x4000, true},
    {"armv6", 0x100000, true},
    /* MIPS R4k, SH-4: colour VA[13:12] */
    {"mips-r4k", 0x1000, false},
    {"mips-r4k", 0x2000, false},
    {"mips-r4k", 0x3000, false},
    {"mips-r4k", 0x4000, true},
    {"mips-r4k", 0x10000, true},
    {"sh4", 0x1000, false},
    {"sh4", 0x2000, false},
    {"sh4", 0x3000, false},
    {"sh4", 0x4000, true},
    {"sh4", 0x8000, true},
    /* PA-RISC: congruent modulo 4 MiB */
    {"parisc", 0x1000, false},
    {"parisc", 0x4000, false},
    {"parisc", 0x100000, false},
    {"parisc", 0x200000, false},
    {"parisc", 0x400000, true},
    {"parisc", 0xc00000, true},
    /* PIPT: always */
    {"cortex-a9", 0x1000, true},
    {"cortex-a9", 0x2000, true},
    {"cortex-a9", 0x3000, true},
    {"x86", 0x1000, true},
    {"x86", 0x5000, true},
};

static void every_profile_reproduces_its_aliasing(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(alias_cases) / sizeof(alias_cases[0]); i++) {
		const struct alias_case *c = &alias_cases[i];
		/* the reader at 0x1000000 + off, touching several lines of the page */
		for (unsigned byte = 0; byte < 0x1000; byte += 0x7c0) {
			char text[512];
			unsigned long long a = 0x1000000, b = a + c->off;
			snprintf(text, sizeof(text),
			         "arch %s\nmap 0x%llx 0x8000 0x1000\nmap 0x%llx 0x8000 0x1000\n"
			         "load 0x%llx u32\nstore 0x%llx u32 0x5a5a\n"
			         "load 0x%llx u32 expect 0x5a5a\n",
			         c->arch, a, b, b + byte, a + byte, b + byte);
			struct outcome o = run_text(text, NULL);
			unsigned want = c->shares ? 0 : kind_bit(COH_F_STALE_READ);
			if (o.status || o.kinds != want)
				fail_msg(
				    "%s, aliases 0x%llx apart, byte 0x%x: kinds 0x%x, want 0x%x",
				    c->arch, c->off, byte, o.kinds, want);
			free(o.text);
		}
	}
}

/* Deterministic pseudo-random DMA/CPU traffic without any maintenance. */
static char *dma_traffic(const char *arch, unsigned seed)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fprintf(f, "arch %s\ncpus 2\nmap 0x40000 0x10000 0x2000\nmap 0x80000 0x10000 0x2000\n",
	        arch);
	uint32_t x = seed * 2654435761u + 1;
	for (int i = 0; i < 200; i++) {
		x ^= x << 13, x ^= x >> 17, x ^= x << 5;
		unsigned off = (x >> 8) % 0x1ff8 & ~7u, cpu = (x >> 4) & 1;
		unsigned long long va = ((x >> 3) & 1 ? 0x40000ull : 0x80000ull) + off;
		switch (x % 5) {
		case 0:
			fprintf(f, "cpu%u: store 0x%llx u32 0x%x\n", cpu, va, x >> 7);
			break;
		case 1:
			fprintf(f, "cpu%u: load 0x%llx u64\n", cpu, va);
			break;
		case 2:
			fprintf(f, "dma-read 0x%x 64\n", 0x10000 + off / 2);
			break;
		case 3:
			fprintf(f, "dma-write 0x%x 48 0x%x\n", 0x10000 + off / 2, (x >> 9) & 0xff);
			break;
		default:
			fprintf(f, "cpu%u: prefetch 0x%llx\n", cpu, va);
			break;
		}
	}
	fclose(f);
	return buf;
}

static void x86_coherent_dma_never_yields_a_finding(void **state)
{
	(void)state;
	unsigned noncoherent_found = 0;
	for (unsigned seed = 1; seed <= 20; seed++) {
		char *text = dma_traffic("x86", seed);
		struct outcome o = run_text(text, NULL);
		if (o.status || o.nfindings)
			fail_msg("x86 seed %u: %zu findings\n%s", seed, o.nfindings, o.text);
		free(o.text);
		/* the same traffic on a non-coherent machine is caught */
		o = run_text(text, coh_arch_find("cortex-a9"));
		noncoherent_found += o.nfindings > 0;
		free(o.text);
		free(text);
	}
	assert_int_equal(noncoherent_found, 20);
}

/* Regression: a store's snoop writes back another CPU's older dirty copy
 * before the store takes effect; that is not a lost write. */
static void smp_store_snoop_is_not_a_lost_write(void **state)
{
	(void)state;
	for (size_t a = 0; a < coh_arch_count(); a++) {
		char text[256];
		snprintf(text, sizeof(text),
		         "arch %s\ncpus 2\nmap 0x10000 0x4000 0x1000\n"
		         "cpu0: store 0x10003 u8 1\ncpu1: store 0x10000 u32 0x22\n"
		         "cpu0: load 0x10000 u32 expect 0x22\n",
		         coh_arch_at(a)->name);
		struct outcome o = run_text(text, NULL);
		if (o.status || o.nfindings)
			fail_msg("%s: %zu findings\n%s", coh_arch_at(a)->name, o.nfindings, o.text);
		free(o.text);
	}
}

static void arch_override_runs_the_file_on_another_profile(void **state)
{
	(void)state;
	const char *text = "arch armv6\nmap 0x10000 0x4000 0x1000\nmap 0x21000 0x4000 0x1000\n"
	                   "load 0x21000 u32\nstore 0x10000 u32 1\nload 0x21000 u32\n";
	struct outcome o = run_text(text, NULL);
	assert_int_equal(o.kinds, kind_bit(COH_F_STALE_READ));
	free(o.text);
	o = run_text(text, coh_arch_find("cortex-a9"));
	assert_int_equal(o.kinds, 0);
	free(o.text);
}

static void same_input_gives_identical_output(void **state)
{
	(void)state;
	char *text = dma_traffic("armv6", 7);
	struct outcome a = run_text(text, NULL), b = run_text(text, NULL);
	assert_true(a.nfindings > 0);
	assert_string_equal(a.text, b.text);
	free(a.text);
	free(b.text);
	free(text);
}

/* ---- the bundled examples ---- */

static void examples_yield_their_expected_outcome(void **state)
{
	(void)state;
	const char *src = getenv("COHSIM_SOURCE_DIR");
	if (!src)
		src = ".";
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s/examples/litmus", src);
	DIR *d = opendir(dir);
	if (!d)
		fail_msg("cannot open %s (set COHSIM_SOURCE_DIR)", dir);
	char *names[256] = {NULL};
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 256) {
		size_t len = strlen(e->d_name);
		if (len > 7 && !strcmp(e->d_name + len - 7, ".litmus"))
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	assert_true(n >= 12);

	unsigned kinds_seen = 0, threaded = 0;
	unsigned long long buggy_arch = 0, clean_arch = 0; /* bit per profile */
	for (size_t i = 0; i < n; i++) {
		char path[1400];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		coh_litmus *lt;
		coh_litmus_error err;
		if (coh_litmus_parse_file(path, &lt, &err))
			fail_msg("%s", err.message);
		if (!coh_litmus_expect(lt))
			fail_msg("%s: no '# expect:' header", names[i]);
		unsigned want = expect_bits(coh_litmus_expect(lt));
		if (want == ~0u)
			fail_msg("%s: bad '# expect: %s'", names[i], coh_litmus_expect(lt));
		struct outcome o = {0}, again = {0};
		if (coh_litmus_thread_count(lt)) {
			/* threads: dfs, as `cohsim litmus` does; a clean test is complete */
			coh_explore_config c = explore_cfg(COH_STRATEGY_DFS);
			c.keep_going = (want & (want - 1)) != 0; /* several kinds, as demo */
			coh_explore_result r = explore(lt, &c), r2 = explore(lt, &c);
			o.kinds = result_kinds(&r);
			if (o.kinds != want || (!want && !r.complete))
				fail_msg("%s: kinds 0x%x, expected 0x%x (%s), complete %d",
				         names[i], o.kinds, want, coh_litmus_expect(lt),
				         r.complete);
			assert_int_equal(r.schedules, r2.schedules);
			assert_int_equal(r.nfindings, r2.nfindings);
			for (size_t k = 0; k < r.nfindings; k++)
				assert_string_equal(r.findings[k].report, r2.findings[k].report);
			assert_replays(lt, &r);
			coh_explore_result_free(&r);
			coh_explore_result_free(&r2);
			threaded++;
		} else {
			run_litmus(lt, NULL, &o);
			run_litmus(lt, NULL, &again);
			if (o.status || o.kinds != want)
				fail_msg("%s: kinds 0x%x, expected 0x%x (%s)\n%s", names[i],
				         o.kinds, want, coh_litmus_expect(lt), o.text);
			assert_string_equal(o.text, again.text);
		}
		kinds_seen |= o.kinds;
		size_t a = 0;
		while (coh_arch_at(a) != coh_litmus_arch(lt))
			a++;
		if (want)
			buggy_arch |= 1ull << a;
		else
			clean_arch |= 1ull << a;
		free(o.text);
		free(again.text);
		coh_litmus_free(lt);
		free(names[i]);
	}
	/* every finding kind of the oracle and the litmus layer */
	unsigned need = kind_bit(COH_F_STALE_READ) | kind_bit(COH_F_STALE_DMA) |
	                kind_bit(COH_F_LOST_WRITE) | kind_bit(COH_F_BAD_ACCESS) |
	                kind_bit(COH_F_EXPECT_FAILED);
	assert_int_equal(kinds_seen & need, need);
	/* every profile appears, and every buggy profile has a clean counterpart */
	assert_int_equal(buggy_arch | clean_arch, (1ull << coh_arch_count()) - 1);
	assert_int_equal(buggy_arch & ~clean_arch, 0);
	assert_true(threaded >= 4);
}

/* Memory where boards have it: a ram bank at the PXA address, or none at
 * all (any PA below 2^40); the machine gets the banks. */
static void ram_banks_put_memory_where_boards_have_it(void **state)
{
	(void)state;
	static const char *const texts[] = {
	    "arch xscale\nram 0xa0000000 0x4000000\nram 0x0 0x10000\n"
	    "map 0xc0000000 0xa3fff000 0x1000\n",
	    "arch xscale\nmap 0xc0000000 0xfffffff000 0x1000\n", /* undeclared */
	};
	for (size_t t = 0; t < 2; t++) {
		coh_litmus *lt;
		coh_litmus_error err;
		if (coh_litmus_parse_string("b.litmus", texts[t], &lt, &err))
			fail_msg("%s", err.message);
		coh_machine_config cfg;
		assert_int_equal(coh_litmus_machine_config(lt, NULL, &cfg, &err), COH_OK);
		assert_int_equal(cfg.nram, t == 0 ? 2 : 0);
		assert_int_equal(cfg.mem_size, 0);
		coh_machine *m;
		assert_int_equal(coh_machine_create(&cfg, &m), COH_OK);
		coh_check *c;
		assert_int_equal(coh_check_create(m, NULL, &c), COH_OK);
		assert_int_equal(coh_litmus_run(lt, m, c, &err), COH_OK);
		uint64_t v;
		assert_int_equal(coh_store(m, 0, 0xc0000ffc, 4, 0x77), COH_OK);
		assert_int_equal(coh_load(m, 0, 0xc0000ffc, 4, &v), COH_OK);
		assert_int_equal(v, 0x77);
		assert_int_equal(coh_check_count(c), 0);
		assert_int_equal(coh_machine_mem_size(m),
		                 t == 0 ? 0xa0000000ull + 0x4000000 : COH_PA_LIMIT);
		coh_check_destroy(c);
		coh_machine_destroy(m);
		coh_litmus_free(lt);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ram_banks_put_memory_where_boards_have_it),
	    cmocka_unit_test(finding_carries_its_litmus_line),
	    cmocka_unit_test(expect_failed_names_line_and_bytes),
	    cmocka_unit_test(bad_access_does_not_stop_the_run),
	    cmocka_unit_test(every_profile_reproduces_its_aliasing),
	    cmocka_unit_test(x86_coherent_dma_never_yields_a_finding),
	    cmocka_unit_test(smp_store_snoop_is_not_a_lost_write),
	    cmocka_unit_test(arch_override_runs_the_file_on_another_profile),
	    cmocka_unit_test(same_input_gives_identical_output),
	    cmocka_unit_test(examples_yield_their_expected_outcome),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
