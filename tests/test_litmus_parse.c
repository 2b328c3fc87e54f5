/*
 * test_litmus_parse.c - the litmus reader: every malformed input gives
 * "FILE:LINE: what is wrong" with the right line (a table of cases), a
 * missing file is an error, the whole grammar is accepted, and mutated input
 * never crashes the parser.
 */
#include "litmus_rig.h"

/* ---- malformed input ---- */

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
	assert_bad_cases(bad_cases, sizeof(bad_cases) / sizeof(bad_cases[0]));
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_errors_name_file_line_and_problem),
	    cmocka_unit_test(parse_file_not_found_is_an_error),
	    cmocka_unit_test(parse_accepts_the_whole_grammar),
	    cmocka_unit_test(mutated_input_never_crashes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
