/*
 * test_litmus_sync.c - `signal NAME` and `wait NAME` in litmus threads.
 *
 * - every bad use is refused when the file is read, as "FILE:LINE: what is
 *   wrong" with the line of the culprit (a table of cases);
 * - a wait orders the threads: the race a test has without it is gone
 *   with it, and dfs is complete;
 * - a name counts like a completion: two signals let two waits through;
 * - threads that wait for each other in a cycle are a deadlock finding on
 *   the first schedule;
 * - the sequential run (coh_litmus_run) follows the waits, and reports a
 *   cycle as an error at the line of the first stuck wait.
 */
#include "litmus_rig.h"

static const struct bad_case bad_cases[] = {
    {"arch x86\nsignal go\n", 2, "'signal' outside a thread"},
    {"arch x86\nwait go\nthread a cpu0\nsignal go\nend\n", 2, "'wait' outside a thread"},
    {"arch x86\nthread a cpu0\nend\nwait go\n", 4, "'wait' outside a thread"},
    {"arch x86\nthread a cpu0\nwait\nend\n", 3, "missing operand (usage: wait NAME)"},
    {"arch x86\nthread a cpu0\nsignal a b\nend\n", 3, "extra operand 'b' (usage: signal NAME)"},
    {"arch x86\nthread a cpu0\nsignal a/b\nend\n", 3, "bad name 'a/b' for signal"},
    {"arch x86\nthread a cpu0\ncpu0: signal x\nend\n", 3, "'signal' takes no 'cpuN:' prefix"},
    {"arch x86\nthread a cpu0\nsignal go\nend\nthread b cpu0\nwait og\nend\n", 3,
     "'go' is signalled but no thread waits for it"},
    {"arch x86\nthread a cpu0\nwait go\nend\nthread b cpu0\nload 0 u8\nend\n", 3,
     "wait for 'go', which no thread signals"},
    {"arch x86\nthread a cpu0\nsignal go\nend\nthread b cpu0\nwait go\nwait go\nend\n", 7,
     "'go' is waited for 2 times but signalled 1"},
    {"arch x86\nthread a cpu0\nwait go\nsignal go\nend\n", 3,
     "thread 'a' waits here for a signal only it sends"},
    {"arch x86\nthread a cpu0\nsignal go\nwait go\nwait go\nsignal go\nend\n"
     "thread b cpu0\nend\n",
     5, "thread 'a' waits here for a signal only it sends"},
};

static void bad_uses_name_file_and_line(void **state)
{
	(void)state;
	assert_bad_cases(bad_cases, sizeof(bad_cases) / sizeof(bad_cases[0]));
}

static void too_many_names_is_an_error(void **state)
{
	(void)state;
	char text[8192] = "arch x86\nthread a cpu0\n";
	for (int i = 0; i < 33; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "signal n%d\n", i);
	coh_litmus *lt;
	coh_litmus_error err;
	assert_int_equal(coh_litmus_parse_string("t.litmus", text, &lt, &err), COH_EINVAL);
	assert_int_equal(err.line, 35);
	assert_non_null(strstr(err.message, "too many names for signal and wait (at most 32)"));
}

/* Explores text with dfs (every finding); kinds: a bit per finding kind. */
static unsigned explore_kinds(const char *text, bool *complete)
{
	coh_litmus *lt = parse_text(text);
	coh_explore_config c = explore_cfg(COH_STRATEGY_DFS);
	c.keep_going = true;
	coh_explore_result r = explore(lt, &c);
	unsigned kinds = result_kinds(&r);
	if (complete)
		*complete = r.complete;
	coh_explore_result_free(&r);
	coh_litmus_free(lt);
	return kinds;
}

/* The driver reads the device's reply after an invalidate; only the wait
 * makes the device's write come before the invalidate. */
#define DRIVER_AND_DEVICE(WAIT, SIGNAL)                                                            \
	"arch cortex-a9\n"                                                                         \
	"map 0xc0000000 0x200000 0x1000\n"                                                         \
	"load 0xc0000000 u32\n"                                                                    \
	"thread driver cpu0\n" WAIT "inval 0xc0000000 32\n"                                        \
	"load 0xc0000000 u32 expect 0xa5a5a5a5\n"                                                  \
	"end\n"                                                                                    \
	"thread dev cpu0\n"                                                                        \
	"dma-write 0x200000 4 0xa5\n" SIGNAL "end\n"

static void wait_orders_the_threads(void **state)
{
	(void)state;
	bool complete = false;
	unsigned racy = explore_kinds(DRIVER_AND_DEVICE("", ""), &complete);
	assert_true(racy & (1u << COH_F_STALE_READ | 1u << COH_F_EXPECT_FAILED));
	unsigned ordered =
	    explore_kinds(DRIVER_AND_DEVICE("wait done\n", "signal done\n"), &complete);
	assert_int_equal(ordered, 0);
	assert_true(complete);
}

static void a_name_counts_its_signals(void **state)
{
	(void)state;
	/* two signals, two waits: b passes both; with a second value stored
	 * between them, b's second load must see it */
	bool complete = false;
	unsigned kinds = explore_kinds("arch x86\n"
	                               "map 0x1000 0x1000 0x1000\n"
	                               "thread a cpu0\n"
	                               "store 0x1000 u8 1\nsignal step\n"
	                               "wait back\n"
	                               "store 0x1000 u8 2\nsignal step\n"
	                               "end\n"
	                               "thread b cpu0\n"
	                               "wait step\nload 0x1000 u8 expect 1\nsignal back\n"
	                               "wait step\nload 0x1000 u8 expect 2\n"
	                               "end\n",
	                               &complete);
	assert_int_equal(kinds, 0);
	assert_true(complete);
}

static void a_cycle_of_waits_is_a_deadlock(void **state)
{
	(void)state;
	static const char text[] = "arch x86\n"
	                           "thread a cpu0\nwait x\nsignal y\nend\n"
	                           "thread b cpu0\nwait y\nsignal x\nend\n";
	unsigned kinds = explore_kinds(text, NULL);
	assert_int_equal(kinds, 1u << COH_F_DEADLOCK);
	/* the sequential run names the first stuck wait */
	coh_litmus *lt = parse_text(text);
	coh_machine_config mcfg;
	coh_litmus_error err;
	assert_int_equal(coh_litmus_machine_config(lt, NULL, &mcfg, &err), 0);
	coh_machine *m;
	assert_int_equal(coh_machine_create(&mcfg, &m), 0);
	assert_int_equal(coh_litmus_run(lt, m, NULL, &err), COH_EINVAL);
	assert_int_equal(err.line, 3);
	assert_non_null(strstr(err.message, "thread 'a' waits for 'x' forever"));
	coh_machine_destroy(m);
	coh_litmus_free(lt);
}

static void sequential_run_follows_the_waits(void **state)
{
	(void)state;
	/* a reads after b's store only because it waits: in file order alone
	 * its load would see 0 */
	coh_litmus *lt = parse_text("arch x86\n"
	                            "map 0x1000 0x1000 0x1000\n"
	                            "store 0x1000 u8 0\n"
	                            "thread a cpu0\nwait ready\nload 0x1000 u8 expect 7\nend\n"
	                            "thread b cpu0\nstore 0x1000 u8 7\nsignal ready\nend\n");
	assert_int_equal(coh_litmus_sync_count(lt), 1);
	assert_string_equal(coh_litmus_sync_name(lt, 0), "ready");
	assert_int_equal(coh_litmus_thread_at(lt, 0)->ops[0].code, COH_LOP_WAIT);
	assert_string_equal(coh_litmus_opcode_name(COH_LOP_WAIT), "wait");
	coh_machine_config mcfg;
	coh_litmus_error err;
	assert_int_equal(coh_litmus_machine_config(lt, NULL, &mcfg, &err), 0);
	coh_machine *m;
	coh_check *chk;
	coh_check_config ccfg;
	coh_check_config_init(&ccfg);
	assert_int_equal(coh_machine_create(&mcfg, &m), 0);
	assert_int_equal(coh_check_create(m, &ccfg, &chk), 0);
	assert_int_equal(coh_litmus_run(lt, m, chk, &err), 0);
	assert_int_equal(coh_check_count(chk), 0);
	coh_check_destroy(chk);
	coh_machine_destroy(m);
	coh_litmus_free(lt);

	/* each wait takes one signal: a's second wait lets b store 2 first */
	lt = parse_text("arch x86\n"
	                "map 0x1000 0x1000 0x1000\n"
	                "thread a cpu0\nwait x\nsignal y\nwait x\nload 0x1000 u8 expect 2\nend\n"
	                "thread b cpu0\nstore 0x1000 u8 1\nsignal x\nwait y\n"
	                "store 0x1000 u8 2\nsignal x\nend\n");
	assert_int_equal(coh_machine_create(&mcfg, &m), 0);
	assert_int_equal(coh_check_create(m, &ccfg, &chk), 0);
	assert_int_equal(coh_litmus_run(lt, m, chk, &err), 0);
	assert_int_equal(coh_check_count(chk), 0);
	coh_check_destroy(chk);
	coh_machine_destroy(m);
	coh_litmus_free(lt);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bad_uses_name_file_and_line),
	    cmocka_unit_test(too_many_names_is_an_error),
	    cmocka_unit_test(wait_orders_the_threads),
	    cmocka_unit_test(a_name_counts_its_signals),
	    cmocka_unit_test(a_cycle_of_waits_is_a_deadlock),
	    cmocka_unit_test(sequential_run_follows_the_waits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
