/*
 * test_litmus.c - the litmus reader and runner.
 *
 * - every malformed input gives "FILE:LINE: what is wrong" with the right
 *   line (a table of cases);
 * - every examples/litmus file yields exactly its `# expect:` kinds, and the
 *   examples cover every profile and finding kind, each bug with a clean
 *   counterpart on the same arch;
 * - every profile reproduces the aliasing of its hardware: VIVT aliases
 *   never share lines, VIPT aliases share only when the colour bits match,
 *   PIPT aliases always share; x86's coherent DMA never yields a finding;
 * - output is deterministic, and mutated input never crashes the parser;
 * - threads run through the explorer (coh_litmus_program): a race is found
 *   by dfs, random and pct; a clean threaded test is `complete` under dfs;
 *   every found schedule replays to the byte-identical report; the same
 *   seed gives the same result; dfs shards 0/2 and 1/2 together run
 *   exactly the schedules of the whole; an op the machine rejects in one
 *   interleaving is a `bug` finding; the all-default schedule is the
 *   sequential run.
 *
 * The examples are found through COHSIM_SOURCE_DIR (set by ctest).
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/check.h"
#include "cohsim/litmus.h"
#include "cohsim/sched.h"

/* ---- helpers ---- */

struct outcome {
	int status;          /* of parse, config or run */
	unsigned kinds;      /* bit per finding kind */
	size_t nfindings;    /* all findings */
	unsigned first_line; /* trigger line of the first finding */
	char *text;          /* every finding printed, for determinism checks */
};

static void run_litmus(coh_litmus *lt, const coh_arch *arch, struct outcome *o)
{
	coh_machine_config mcfg;
	coh_litmus_error err;
	coh_machine *m = NULL;
	coh_check *chk = NULL;
	coh_check_config ccfg;
	coh_check_config_init(&ccfg);
	o->status = coh_litmus_machine_config(lt, arch, &mcfg, &err);
	if (o->status)
		return;
	assert_int_equal(coh_machine_create(&mcfg, &m), 0);
	assert_int_equal(coh_check_create(m, &ccfg, &chk), 0);
	o->status = coh_litmus_run(lt, m, chk, &err);
	o->nfindings = coh_check_count(chk);
	size_t len = 0;
	FILE *f = open_memstream(&o->text, &len);
	assert_non_null(f);
	for (size_t i = 0; i < o->nfindings; i++) {
		const coh_finding *fd = coh_check_get(chk, i);
		o->kinds |= 1u << fd->kind;
		if (i == 0)
			o->first_line = fd->trigger.line;
		coh_finding_print(fd, f);
		coh_finding_print_json(fd, f);
	}
	fclose(f);
	coh_check_destroy(chk);
	coh_machine_destroy(m);
}

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

static unsigned kind_bit(enum coh_finding_kind k)
{
	return 1u << k;
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

/* ---- the explorer ---- */

static coh_explore_config explore_cfg(enum coh_strategy st)
{
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = st;
	c.progress = false;
	if (st == COH_STRATEGY_DFS)
		c.budget = 0;
	return c;
}

/* Explores lt under cfg; the test fails unless coh_explore returns 0. */
static coh_explore_result explore(const coh_litmus *lt, const coh_explore_config *cfg)
{
	coh_machine_config mcfg;
	coh_litmus_error err;
	assert_int_equal(coh_litmus_machine_config(lt, NULL, &mcfg, &err), 0);
	coh_litmus_program *p;
	assert_int_equal(coh_litmus_program_create(lt, &p), 0);
	coh_explore_result r;
	int st = coh_explore(cfg, &mcfg, coh_litmus_program_get(p), &r);
	if (st)
		fail_msg("coh_explore: %s (%s)", coh_strerror(st),
		         coh_litmus_program_error(p) ? coh_litmus_program_error(p) : "-");
	coh_litmus_program_free(p);
	return r;
}

static coh_litmus *parse_text(const char *text)
{
	coh_litmus *lt;
	coh_litmus_error err;
	if (coh_litmus_parse_string("t.litmus", text, &lt, &err))
		fail_msg("parse failed: %s\n--\n%s", err.message, text);
	return lt;
}

static unsigned result_kinds(const coh_explore_result *r)
{
	unsigned k = 0;
	for (size_t i = 0; i < r->nfindings; i++)
		k |= 1u << r->findings[i].kind;
	return k;
}

/* Replays every finding's schedule: the report must be byte-identical. */
static void assert_replays(const coh_litmus *lt, const coh_explore_result *r)
{
	for (size_t i = 0; i < r->nfindings; i++) {
		coh_explore_config c = explore_cfg(COH_STRATEGY_REPLAY);
		c.schedule = r->findings[i].schedule;
		c.keep_going = true; /* a second finding of one schedule shows too */
		coh_explore_result rr = explore(lt, &c);
		bool same = false;
		for (size_t j = 0; j < rr.nfindings; j++)
			same |= !strcmp(rr.findings[j].report, r->findings[i].report) &&
			        !strcmp(rr.findings[j].json, r->findings[i].json) &&
			        !strcmp(rr.findings[j].schedule, r->findings[i].schedule);
		if (!same)
			fail_msg("replay of %s differs:\n%s\n--\n%s", r->findings[i].schedule,
			         r->findings[i].report, rr.nfindings ? rr.findings[0].report : "-");
		coh_explore_result_free(&rr);
	}
}

/* ---- malformed input ---- */

struct bad_case {
	const char *text;
	unsigned line;
	const char *what; /* a substring of the message */
};

static const struct bad_case bad_cases[] = {
    {"", 1, "no 'arch NAME'"},
    {"# only a comment\n", 1, "no 'arch NAME'"},
    {"cpus 2\narch xscale\n", 1, "'arch NAME' must be the first directive"},
    {"arch vax\n", 1,
     "unknown arch 'vax' (valid: xscale, arm926, armv6, mips-r4k, sh4, parisc, "
     "cortex-a9, x86)"},
    {"arch xscale\narch x86\n", 2, "arch given twice (first at line 1)"},
    {"arch x86\n\nfrobnicate 1 2\n", 3, "unknown operation 'frobnicate'"},
    {"arch x86\nmap 0x1000 0x0 0x1000\nstore 0x10q0 u32 1\n", 3, "bad number '0x10q0'"},
    {"arch x86\nstore 12ab u8 1\n", 2, "bad number '12ab'"},
    {"arch x86\nstore 0x u8 1\n", 2, "bad number '0x'"},
    {"arch x86\nstore 99999999999999999999 u8 1\n", 2, "bad number"},
    {"arch x86\nstore -1 u8 1\n", 2, "bad number '-1'"},
    {"arch x86\nmap 0x1004 0x0 0x1000\n", 2, "map VA 0x1004 is not page-aligned"},
    {"arch x86\nmap 0x1000 0x10 0x1000\n", 2, "map PA 0x10 is not page-aligned"},
    {"arch x86\nmap 0x1000 0x0 0x800\n", 2, "map length 0x800 is not page-aligned"},
    {"arch x86\nmap 0x1000 0x0 0\n", 2, "map length is zero"},
    {"arch x86\nmap 0x1000 0x0 0x2000\nmap 0x2000 0x8000 0x1000\n", 3,
     "overlaps the mapping of line 2"},
    {"arch x86\nmap 0x1000 0x0 0x1000\nunmap 0x1000 0x1000\nmap 0x1000 0x0 0x1000\n"
     "map 0x1000 0x4000 0x1000\n",
     5, "overlaps the mapping of line 4"},
    {"arch x86\nmap 0x1000 0x0 0x3000\nunmap 0x2000 0x1000\nmap 0x2000 0x0 0x1000\n"
     "map 0x3000 0x0 0x1000\n",
     5, "overlaps the mapping of line 2"},
    {"arch x86\nmap 0x1000 0x0 0x1000 cachable\n", 2, "bad map attribute 'cachable'"},
    {"arch x86\nmem-size 0x400000\nmap 0x1000 0x10000000 0x1000\n", 3, "outside memory"},
    {"arch x86\nmap 0x1000 0xfffffff000 0x2000\n", 2,
     "is beyond the physical address space (2^40)"},
    {"arch x86\nram 0xa0000000 0x4000000\nram 0xa2000000 0x1000\n", 3,
     "ram bank [0xa2000000, +0x1000) overlaps the bank of line 2"},
    {"arch x86\nram 0xa0000800 0x1000\n", 2, "is not aligned to the page size (0x1000)"},
    {"arch x86\nram 0xa0000000 0x1800\n", 2, "is not aligned to the page size"},
    {"arch x86\nram 0xa0000000 0\n", 2, "ram bank at 0xa0000000 is empty"},
    {"arch x86\nram 0xfffffff000 0x2000\n", 2, "reaches beyond the physical address space (2^40)"},
    {"arch x86\nram 0x10000000000 0x1000\n", 2, "reaches beyond the physical address space"},
    {"arch x86\nram 0xa0000000\n", 2, "missing operand (usage: ram BASE SIZE)"},
    {"arch x86\nram 0xa0000000 0x1000\nmem-size 0x100000\n", 3,
     "mem-size and ram lines exclude each other (ram at line 2)"},
    {"arch x86\nmem-size 0x100000\nram 0xa0000000 0x1000\n", 3,
     "mem-size and ram lines exclude each other (mem-size at line 2)"},
    {"arch x86\nram 0xa0000000 0x1000\nmap 0x1000 0xa0001000 0x1000\n", 3,
     "PA range [0xa0001000, +0x1000) is outside the declared ram banks"},
    {"arch x86\nram 0xa0000000 0x1000\nram 0xa0001000 0x1000\nmap 0x1000 0xa0000000 "
     "0x2000\n",
     4, "is outside the declared ram banks"},
    {"arch x86\nram 0xa0000000 0x2000\ndma-read 0xa0001000 0x2000\n", 3,
     "outside the declared ram banks"},
    {"arch x86\nram 0xa0000000 0x3000\npage-size 0x2000\n", 3,
     "page-size 0x2000 does not divide the ram bank of line 2"},
    {"arch x86\nflush-all\nram 0xa0000000 0x1000\n", 3,
     "'ram' must come before the first operation"},
    {"arch x86\nmap 0xfffffffffffff000 0x0 0x2000\n", 2, "wraps around"},
    {"arch x86\nmap 0x1000 0x0\n", 2, "missing operand (usage: map VA PA LEN"},
    {"arch x86\nmap 0x1000 0x0 0x1000 uncached extra\n", 2, "extra operand 'extra'"},
    {"arch x86\nload 0x1000 u32 0x5\n", 2, "unexpected '0x5' after load"},
    {"arch x86\nload 0x1000 u32 expect\n", 2, "'expect' needs a VALUE"},
    {"arch x86\nstore 0x1000 u32\n", 2, "missing operand"},
    {"arch x86\nstore 0x1000 u24 1\n", 2, "bad size 'u24'"},
    {"arch x86\nstore 0x1000 3 1\n", 2, "size 3 is not a power of two"},
    {"arch x86\nstore 0x1000 16 1\n", 2, "size 16 is too large"},
    {"arch x86\nstore 0x1000 u8 0x100\n", 2, "value 0x100 does not fit in u8"},
    {"arch x86\nload 0x1000 u16 expect 0x10000\n", 2, "value 0x10000 does not fit in u16"},
    {"arch x86\ncpu1: store 0x1000 u8 1\n", 2, "cpu1 is out of range: the test has 1 CPU"},
    {"arch x86\ncpus 2\ncpu2:load 0x1000 u8\n", 3, "cpu2 is out of range"},
    {"arch x86\ncpux: load 0x1000 u8\n", 2, "bad CPU 'cpux'"},
    {"arch x86\ncpu0:\n", 2, "'cpu0:' without an operation"},
    {"arch x86\ncpu0: map 0x1000 0 0x1000\n", 2, "'map' takes no 'cpuN:' prefix"},
    {"arch x86\ncpu0: dma-read 0 4\n", 2, "'dma-read' takes no 'cpuN:' prefix"},
    {"arch x86\ncpus 9\n", 2, "cpus 9 is out of range (1 .. 8)"},
    {"arch x86\ncpus 0\n", 2, "cpus 0 is out of range"},
    {"arch x86\ncpus 2\ncpus 2\n", 3, "cpus given twice (first at line 2)"},
    {"arch x86\nflush-all\ncpus 2\n", 3, "'cpus' must come before the first operation"},
    {"arch x86\npage-size 3000\n", 2, "page-size 3000 is not a power of two"},
    {"arch x86\npage-size 0x8000\nmap 0x1000 0 0x1000\n", 3, "map VA 0x1000 is not page-aligned"},
    {"arch x86\nmem-size 0x1800\n", 2, "mem-size 0x1800 must be a multiple of the page size"},
    {"arch x86\nmem-size 0x10000\ndma-read 0xf000 0x2000\n", 3, "outside memory"},
    {"arch x86\nflush-all 0x1000\n", 2, "extra operand '0x1000'"},
    {"arch x86\nclean 0x1000 0\n", 2, "clean length is zero"},
    {"arch x86\ndma-write 0 4 0x100\n", 2, "value 0x100 does not fit in u8"},
    {"arch x86\ndma-write 0 0 1\n", 2, "dma-write length is zero"},
    {"arch x86\nstore 1 u8 1 2 3 4 5 6 7\n", 2, "too many operands"},
    {"arch x86\nstore 1 u8 1\x01\n", 2, "control character 0x01"},
    {"arch x86\nthread a cpu0\nstore 0 u8 1\n", 2, "thread 'a' has no 'end'"},
    {"arch x86\nthread a cpu0\nthread b cpu0\n", 3, "'thread' inside thread 'a' of line 2"},
    {"arch x86\nend\n", 2, "'end' without 'thread'"},
    {"arch x86\nthread a cpu1\nend\n", 2, "cpu1 is out of range"},
    {"arch x86\nthread a cpu0\nend\nthread a cpu0\nend\n", 4,
     "thread 'a' is already defined at line 2"},
    {"arch x86\nthread a/b cpu0\nend\n", 2, "bad thread name 'a/b'"},
    {"arch x86\ncpus 2\nthread a cpu0\ncpu1: load 0 u8\nend\n", 4,
     "'cpu1:' inside thread 'a': its operations run on cpu0"},
    {"arch x86\nthread a cpu0\nend\nload 0 u8\n", 4, "'load' after the threads"},
    {"arch x86\nthread a cpu0\nend\nseed 3\n", 4, "'seed' must come before the first operation"},
    {"arch x86\nthread a cpu0\nmap 0x1000 0 0x1000\nend\nthread b cpu0\nmap 0x1000 0 0x1000\n"
     "end\n",
     6, "overlaps the mapping of line 3"},
};

static void parse_errors_name_file_line_and_problem(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		coh_litmus *lt = (coh_litmus *)0x1;
		coh_litmus_error err;
		int st = coh_litmus_parse_string("t.litmus", c->text, &lt, &err);
		char prefix[32];
		snprintf(prefix, sizeof(prefix), "t.litmus:%u: ", c->line);
		if (st != COH_EINVAL || lt != NULL || err.line != c->line ||
		    strncmp(err.message, prefix, strlen(prefix)) != 0 ||
		    !strstr(err.message, c->what))
			fail_msg("case %zu: status %d, got \"%s\", want \"%s...%s\"", i, st,
			         err.message, prefix, c->what);
	}
}

static void parse_file_not_found_is_an_error(void **state)
{
	(void)state;
	coh_litmus *lt;
	coh_litmus_error err;
	assert_int_equal(coh_litmus_parse_file("/nonexistent/x.litmus", &lt, &err), COH_EFAULT);
	assert_null(lt);
	assert_non_null(strstr(err.message, "/nonexistent/x.litmus: cannot open"));
}

static void parse_accepts_the_whole_grammar(void **state)
{
	(void)state;
	const char *text = "# expect: stale-dma, lost-write  \n"
	                   "arch cortex-a9   # comment\n"
	                   "cpus 2\nmem-size 0x800000\npage-size 4096\nseed 0x2a\n"
	                   "map 0x10000 0x4000 0x1000\n"
	                   "map 0x20000 0x5000 0x1000 uncached\n"
	                   "map 0x30000 0x6000 0x2000 writethrough\n"
	                   "unmap 0x31000 0x1000\n"
	                   "\tstore 0x10000 u8 255\n"
	                   "cpu1: store 0x10008 u64 0xffffffffffffffff\n"
	                   "cpu1:load 0x10000 u16 expect 0xff\n"
	                   "load 0x10000 2\n"
	                   "clean 0x10000 32\ninval 0x10000 32\nflush 0x10000 64\n"
	                   "cpu1: flush-all\nevict 0x10000\nprefetch 0x10000\n"
	                   "dma-read 0x4000 16\ndma-write 0x4000 16 0xAb\n"
	                   "thread t1 cpu1\n  store 0x10000 u32 1\n  dma-read 0x4000 4\nend\n"
	                   "thread t2 cpu0\nend\n";
	coh_litmus *lt;
	coh_litmus_error err;
	int st = coh_litmus_parse_string("g.litmus", text, &lt, &err);
	if (st)
		fail_msg("%s", err.message);
	assert_string_equal(coh_litmus_expect(lt), "stale-dma, lost-write");
	assert_string_equal(coh_litmus_arch(lt)->name, "cortex-a9");
	size_t n;
	const coh_litmus_op *ops = coh_litmus_setup(lt, &n);
	assert_int_equal(n, 16);
	assert_int_equal(ops[1].attr, COH_ATTR_UNCACHED);
	assert_int_equal(ops[2].attr, COH_ATTR_WT);
	assert_int_equal(ops[4].cpu, 0);
	assert_int_equal(ops[5].cpu, 1);
	assert_int_equal(ops[5].size, 8);
	assert_true(ops[6].expect);
	assert_int_equal(ops[6].value, 0xff);
	assert_int_equal(ops[6].line, 13);
	assert_int_equal(ops[7].size, 2);
	assert_int_equal(ops[15].value, 0xab);
	assert_int_equal(ops[14].cpu, -1);
	assert_int_equal(coh_litmus_thread_count(lt), 2);
	const coh_litmus_thread *t = coh_litmus_thread_at(lt, 0);
	assert_string_equal(t->name, "t1");
	assert_int_equal(t->cpu, 1);
	assert_int_equal(t->nops, 2);
	assert_int_equal(t->ops[0].cpu, 1);
	assert_int_equal(t->ops[0].line, 24);
	assert_int_equal(t->ops[1].code, COH_LOP_DMA_READ);
	assert_int_equal(coh_litmus_thread_at(lt, 1)->nops, 0);
	assert_null(coh_litmus_thread_at(lt, 2));
	coh_machine_config mcfg;
	assert_int_equal(coh_litmus_machine_config(lt, NULL, &mcfg, &err), 0);
	assert_int_equal(mcfg.ncpus, 2);
	assert_int_equal(mcfg.mem_size, 0x800000);
	assert_int_equal(mcfg.seed, 42);
	struct outcome o = {0};
	run_litmus(lt, NULL, &o);
	assert_int_equal(o.status, 0);
	free(o.text);
	coh_litmus_free(lt);
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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

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

/* ---- robustness ---- */

static void mutated_input_never_crashes(void **state)
{
	(void)state;
	const char *base = "arch armv6\ncpus 2\nmap 0x10000 0x4000 0x2000\n"
	                   "cpu1: store 0x10000 u32 0x1234\nload 0x11000 u8 expect 3\n"
	                   "flush 0x10000 0x40\ndma-write 0x4000 8 0x5\nunmap 0x10000 0x1000\n"
	                   "thread t cpu1\nload 0x10000 u16\nend\n";
	static const char alphabet[] = "0x1:# \n\tabcdefu8-pumtre";
	size_t len = strlen(base);
	char text[512];
	uint32_t x = 12345;
	unsigned parsed = 0;
	for (int i = 0; i < 3000; i++) {
		memcpy(text, base, len + 1);
		for (int k = 0; k < 1 + i % 4; k++) {
			x ^= x << 13, x ^= x >> 17, x ^= x << 5;
			text[x % len] = alphabet[(x >> 16) % (sizeof(alphabet) - 1)];
		}
		coh_litmus *lt;
		coh_litmus_error err;
		int st = coh_litmus_parse_string("m.litmus", text, &lt, &err);
		if (st) {
			assert_int_equal(st, COH_EINVAL);
			assert_non_null(strstr(err.message, "m.litmus:"));
			continue;
		}
		parsed++;
		struct outcome o = {0};
		run_litmus(lt, NULL, &o);
		free(o.text);
		coh_litmus_free(lt);
	}
	assert_true(parsed > 0);
}

/* ---- threads through the explorer ---- */

/* Thread a's store can be overwritten by b's before a reads it back. */
static const char lost_update[] =
    "arch cortex-a9\ncpus 2\nmap 0xc0000000 0x100000 0x1000\nstore 0xc0000000 u32 0\n"
    "thread a cpu0\nstore 0xc0000000 u32 1\nload 0xc0000000 u32 expect 1\nend\n"
    "thread b cpu1\nstore 0xc0000000 u32 2\nend\n";

/* The device reads a buffer cleaned before it started while the driver
 * fills the next one: clean in every interleaving. Three threads. */
static const char double_buffer[] =
    "arch arm926\nmap 0xc0000000 0x100000 0x1000\nload 0xc0000000 u32\n"
    "load 0xc0000040 u32\nstore 0xc0000000 u32 0x12345678\nclean 0xc0000000 32\n"
    "thread driver cpu0\nstore 0xc0000040 u32 0x9abcdef0\nclean 0xc0000040 32\nend\n"
    "thread dev cpu0\ndma-read 0x100000 32\nend\n"
    "thread dev2 cpu0\ndma-read 0x100000 16\nend\n";

static void race_is_found_by_dfs_random_and_pct(void **state)
{
	(void)state;
	coh_litmus *lt = parse_text(lost_update);
	/* file order (the all-default schedule) is clean: it takes a preemption */
	struct outcome seq = {0};
	run_litmus(lt, NULL, &seq);
	assert_int_equal(seq.nfindings, 0);
	free(seq.text);
	const enum coh_strategy strategies[] = {COH_STRATEGY_DFS, COH_STRATEGY_RANDOM,
	                                        COH_STRATEGY_PCT};
	for (size_t i = 0; i < 3; i++) {
		coh_explore_config c = explore_cfg(strategies[i]);
		coh_explore_result r = explore(lt, &c);
		if (result_kinds(&r) != kind_bit(COH_F_EXPECT_FAILED))
			fail_msg("%s: kinds 0x%x", coh_strategy_name(strategies[i]),
			         result_kinds(&r));
		assert_int_equal(r.nfindings, 1);
		assert_false(r.complete);
		assert_true(r.schedules >= 2);
		const char *rep = r.findings[0].report;
		assert_non_null(strstr(rep, "(line 7)")); /* a's load */
		assert_non_null(strstr(rep, "cpu1/b"));   /* thread names are actors */
		assert_non_null(strstr(rep, "task 'a'")); /* the timeline */
		assert_non_null(strstr(r.findings[0].json, "\"line\":7"));
		assert_replays(lt, &r);
		coh_explore_result_free(&r);
	}
	coh_litmus_free(lt);
}

static void clean_threads_are_complete_under_dfs(void **state)
{
	(void)state;
	coh_litmus *lt = parse_text(double_buffer);
	uint64_t prev = 0;
	const int bounds[] = {0, 1, 3, -1};
	for (size_t i = 0; i < 4; i++) {
		coh_explore_config c = explore_cfg(COH_STRATEGY_DFS);
		c.preemptions = bounds[i];
		coh_explore_result r = explore(lt, &c);
		assert_int_equal(r.nfindings, 0);
		assert_true(r.complete);
		assert_true(r.schedules >= prev); /* a larger bound explores more */
		prev = r.schedules;
		coh_explore_result_free(&r);
	}
	assert_true(prev > 3);
	coh_litmus_free(lt);
}

static void same_seed_gives_the_same_result(void **state)
{
	(void)state;
	coh_litmus *lt = parse_text(lost_update);
	const enum coh_strategy strategies[] = {COH_STRATEGY_RANDOM, COH_STRATEGY_PCT};
	for (size_t i = 0; i < 2; i++) {
		coh_explore_config c = explore_cfg(strategies[i]);
		c.seed = 7;
		c.budget = 300;
		c.keep_going = true;
		coh_explore_result a = explore(lt, &c), b = explore(lt, &c);
		assert_int_equal(a.schedules, 300);
		assert_int_equal(a.schedules, b.schedules);
		assert_int_equal(a.nfindings, b.nfindings);
		assert_true(a.nfindings > 0);
		for (size_t k = 0; k < a.nfindings; k++) {
			assert_string_equal(a.findings[k].schedule, b.findings[k].schedule);
			assert_string_equal(a.findings[k].report, b.findings[k].report);
		}
		assert_replays(lt, &a);
		coh_explore_result_free(&a);
		coh_explore_result_free(&b);
	}
	coh_litmus_free(lt);
}

struct sched_list {
	char **s;
	size_t n, cap;
};

static void collect(void *arg, const char *schedule, bool failed)
{
	(void)failed;
	struct sched_list *l = arg;
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->s = realloc(l->s, l->cap * sizeof(*l->s));
		assert_non_null(l->s);
	}
	l->s[l->n] = strdup(schedule);
	assert_non_null(l->s[l->n]);
	l->n++;
}

static void dfs_shards_cover_exactly_the_whole(void **state)
{
	(void)state;
	coh_litmus *lt = parse_text(double_buffer);
	struct sched_list whole = {0}, parts = {0};
	coh_explore_config c = explore_cfg(COH_STRATEGY_DFS);
	c.on_execution = collect;
	c.on_execution_arg = &whole;
	coh_explore_result r = explore(lt, &c);
	assert_true(r.complete);
	assert_int_equal(r.schedules, whole.n);
	uint64_t sum = 0;
	for (unsigned i = 0; i < 2; i++) {
		c.shard_index = i;
		c.shard_count = 2;
		c.on_execution_arg = &parts;
		coh_explore_result h = explore(lt, &c);
		assert_true(h.complete);
		assert_true(h.schedules > 0);
		sum += h.schedules;
		coh_explore_result_free(&h);
	}
	assert_int_equal(sum, r.schedules);
	/* the same schedules, none twice */
	assert_int_equal(parts.n, whole.n);
	qsort(whole.s, whole.n, sizeof(char *), cmp_str);
	qsort(parts.s, parts.n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < whole.n; i++) {
		assert_string_equal(whole.s[i], parts.s[i]);
		if (i)
			assert_true(strcmp(whole.s[i - 1], whole.s[i]) != 0);
	}
	for (size_t i = 0; i < whole.n; i++) {
		free(whole.s[i]);
		free(parts.s[i]);
	}
	free(whole.s);
	free(parts.s);
	coh_explore_result_free(&r);
	coh_litmus_free(lt);
}

static void rejected_op_in_an_interleaving_is_a_bug(void **state)
{
	(void)state;
	/* in file order a unmaps before b maps: fine; b first overlaps */
	coh_litmus *lt = parse_text("arch x86\nmap 0x10000 0x4000 0x1000\n"
	                            "thread a cpu0\nunmap 0x10000 0x1000\nend\n"
	                            "thread b cpu0\nmap 0x10000 0x8000 0x1000\nend\n");
	coh_explore_config c = explore_cfg(COH_STRATEGY_DFS);
	coh_explore_result r = explore(lt, &c);
	assert_int_equal(result_kinds(&r), kind_bit(COH_F_BUG));
	assert_non_null(strstr(r.findings[0].report, "t.litmus:7: map failed"));
	assert_replays(lt, &r);
	coh_explore_result_free(&r);
	coh_litmus_free(lt);
}

static void default_schedule_is_the_sequential_run(void **state)
{
	(void)state;
	const char *texts[] = {
	    lost_update,
	    double_buffer,
	    "arch xscale\nmap 0x10000 0x4000 0x1000\nmap 0x20000 0x4000 0x1000\n"
	    "thread k cpu0\nload 0x20000 u32\nstore 0x10000 u32 0xcafe\nend\n"
	    "thread u cpu0\nload 0x20000 u32 expect 0xcafe\nend\n",
	};
	for (size_t i = 0; i < 3; i++) {
		coh_litmus *lt = parse_text(texts[i]);
		struct outcome seq = {0};
		run_litmus(lt, NULL, &seq);
		coh_explore_config c = explore_cfg(COH_STRATEGY_REPLAY);
		c.schedule = COH_SCHEDULE_VERSION ":";
		coh_explore_result r = explore(lt, &c);
		assert_int_equal(result_kinds(&r), seq.kinds);
		assert_int_equal(r.schedules, 1);
		free(seq.text);
		coh_explore_result_free(&r);
		coh_litmus_free(lt);
	}
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

static void no_threads_is_one_execution(void **state)
{
	(void)state;
	coh_litmus *lt = parse_text("arch xscale\nmap 0x10000 0x4000 0x1000\n"
	                            "map 0x20000 0x4000 0x1000\nload 0x20000 u32\n"
	                            "store 0x10000 u32 0xcafe\nload 0x20000 u32\n");
	coh_explore_config c = explore_cfg(COH_STRATEGY_DFS);
	c.keep_going = true;
	coh_explore_result r = explore(lt, &c);
	assert_int_equal(r.schedules, 1);
	assert_true(r.complete);
	assert_int_equal(result_kinds(&r), kind_bit(COH_F_STALE_READ));
	assert_replays(lt, &r);
	coh_explore_result_free(&r);
	coh_litmus_free(lt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_errors_name_file_line_and_problem),
	    cmocka_unit_test(ram_banks_put_memory_where_boards_have_it),
	    cmocka_unit_test(parse_file_not_found_is_an_error),
	    cmocka_unit_test(parse_accepts_the_whole_grammar),
	    cmocka_unit_test(finding_carries_its_litmus_line),
	    cmocka_unit_test(expect_failed_names_line_and_bytes),
	    cmocka_unit_test(bad_access_does_not_stop_the_run),
	    cmocka_unit_test(every_profile_reproduces_its_aliasing),
	    cmocka_unit_test(x86_coherent_dma_never_yields_a_finding),
	    cmocka_unit_test(smp_store_snoop_is_not_a_lost_write),
	    cmocka_unit_test(arch_override_runs_the_file_on_another_profile),
	    cmocka_unit_test(same_input_gives_identical_output),
	    cmocka_unit_test(examples_yield_their_expected_outcome),
	    cmocka_unit_test(mutated_input_never_crashes),
	    cmocka_unit_test(race_is_found_by_dfs_random_and_pct),
	    cmocka_unit_test(clean_threads_are_complete_under_dfs),
	    cmocka_unit_test(same_seed_gives_the_same_result),
	    cmocka_unit_test(dfs_shards_cover_exactly_the_whole),
	    cmocka_unit_test(rejected_op_in_an_interleaving_is_a_bug),
	    cmocka_unit_test(default_schedule_is_the_sequential_run),
	    cmocka_unit_test(no_threads_is_one_execution),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
