/*
 * test_machine_trace.c - the machine's event trace (one event per operation
 * plus what it causes, ageing out, counting with tracing off, the one-line
 * format) and reset (a pristine machine that replays the same events).
 */
#include "machine_rig.h"

/* ---- events and trace ---- */

static void every_operation_is_one_event_plus_what_it_causes(void **state)
{
	(void)state;
	coh_machine *m = mk("xscale", 1);
	coh_machine_set_actor(m, "task");
	coh_machine_set_site(m, "f.c", 7);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20000, PAGE, COH_ATTR_WB), COH_OK); /* 1 */
	assert_int_equal(coh_store(m, 0, 0x10004, 4, 0xab), COH_OK); /* 2 store, 3 fill */
	uint64_t v;
	assert_int_equal(coh_load(m, 0, 0x10004, 4, &v), COH_OK);    /* 4 load (hit) */
	assert_int_equal(coh_cache_flush(m, 0, 0x10000, 4), COH_OK); /* 5, 6 writeback */
	assert_int_equal(coh_dma_read(m, 0x20000, &v, 8), COH_OK);   /* 7 */
	uint64_t note = coh_machine_note(m, 0, "hello");             /* 8 */
	assert_int_equal(note, 8);
	assert_int_equal(coh_machine_events(m), 8);
	const enum coh_event_kind kinds[] = {COH_EV_MAP,      COH_EV_STORE, COH_EV_FILL,
	                                     COH_EV_LOAD,     COH_EV_FLUSH, COH_EV_WRITEBACK,
	                                     COH_EV_DMA_READ, COH_EV_NOTE};
	coh_event tail[16];
	assert_int_equal(coh_machine_trace_tail(m, tail, 16), 8);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(tail[i].no, i + 1);
		assert_int_equal(tail[i].kind, kinds[i]);
		assert_string_equal(tail[i].actor, "task");
		assert_int_equal(tail[i].line, 7);
	}
	/* a store's event gets its PA and value */
	assert_int_equal(tail[1].va, 0x10004);
	assert_int_equal(tail[1].pa, 0x20004);
	assert_int_equal(tail[1].value, 0xab);
	assert_int_equal(tail[3].value, 0xab);
	assert_int_equal(tail[5].pa, 0x20000);
	assert_int_equal(tail[6].cpu, -1);
	assert_string_equal(tail[7].note, "hello");
	/* the tail is the last n, oldest first */
	assert_int_equal(coh_machine_trace_tail(m, tail, 3), 3);
	assert_int_equal(tail[0].no, 6);
	assert_int_equal(tail[2].no, 8);
	coh_event e;
	assert_true(coh_machine_event(m, 3, &e));
	assert_int_equal(e.kind, COH_EV_FILL);
	assert_false(coh_machine_event(m, 0, &e));
	assert_false(coh_machine_event(m, 9, &e));
	coh_machine_destroy(m);
}

static void old_events_age_out_of_the_trace(void **state)
{
	(void)state;
	coh_machine *m = mk("x86", 1);
	for (unsigned i = 0; i < 1000; i++)
		coh_machine_note(m, 0, "n");
	coh_event e;
	assert_false(coh_machine_event(m, 1, &e));
	assert_false(coh_machine_event(m, 1000 - COH__TRACE_CAP, &e));
	assert_true(coh_machine_event(m, 1000 - COH__TRACE_CAP + 1, &e));
	assert_int_equal(e.no, 1000 - COH__TRACE_CAP + 1);
	coh_event tail[COH__TRACE_CAP + 10];
	assert_int_equal(coh_machine_trace_tail(m, tail, COH__TRACE_CAP + 10), COH__TRACE_CAP);
	assert_int_equal(tail[0].no, 1000 - COH__TRACE_CAP + 1);
	assert_int_equal(tail[COH__TRACE_CAP - 1].no, 1000);
	coh_machine_destroy(m);
}

static void tracing_off_still_counts_events(void **state)
{
	(void)state;
	coh_machine_config cfg;
	coh_machine *m = NULL;
	coh_machine_config_init(&cfg, NULL);
	cfg.oracle = false;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_OK);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20000, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_store(m, 0, 0x10000, 4, 1), COH_OK);
	assert_true(coh_machine_events(m) >= 2);
	coh_event tail[4], e;
	assert_int_equal(coh_machine_trace_tail(m, tail, 4), 0);
	assert_false(coh_machine_event(m, 1, &e));
	coh_machine_destroy(m);
}

static void events_format_on_one_line(void **state)
{
	(void)state;
	char buf[256];
	coh_event e = {.no = 12,
	               .kind = COH_EV_STORE,
	               .cpu = 1,
	               .va = 0x10004,
	               .pa = 0x20004,
	               .len = 4,
	               .value = 0xab,
	               .actor = "t0",
	               .file = "x.c",
	               .line = 3};
	coh_event_format(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "#12"));
	assert_non_null(strstr(buf, "cpu1/t0"));
	assert_non_null(strstr(buf, "store"));
	assert_non_null(strstr(buf, "va=0x00010004"));
	assert_non_null(strstr(buf, "pa=0x00020004"));
	assert_non_null(strstr(buf, "u32 = 0xab"));
	assert_non_null(strstr(buf, "(x.c:3)"));
	assert_null(strchr(buf, '\n'));
	e = (coh_event){.no = 5, .kind = COH_EV_DMA_WRITE, .cpu = -1, .pa = 0x3000, .len = 64};
	coh_event_format(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "device"));
	assert_non_null(strstr(buf, "dma-write"));
	assert_non_null(strstr(buf, "pa=0x00003000 len=64"));
	e = (coh_event){.no = 6, .kind = COH_EV_NOTE, .cpu = 0, .note = "switch", .line = 9};
	coh_event_format(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "switch"));
	assert_non_null(strstr(buf, "(line 9)"));
	/* every kind has a name */
	for (int k = COH_EV_LOAD; k <= COH_EV_NOTE; k++)
		assert_string_not_equal(coh_event_kind_name((enum coh_event_kind)k), "?");
	assert_string_equal(coh_event_kind_name((enum coh_event_kind)99), "?");
	/* truncation is safe */
	char small[8];
	e.kind = COH_EV_LOAD;
	coh_event_format(&e, small, sizeof(small));
	assert_int_equal(strlen(small), 7);
}

/* ---- reset ---- */

static void busy_run(coh_machine *m)
{
	unsigned as;
	assert_int_equal(coh_as_create(m, &as), COH_OK);
	assert_int_equal(coh_map(m, 0, 0x10000, 0x20000, 4 * PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_map(m, as, 0x80000, 0x30000, PAGE, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_cpu_set_as(m, 1, as), COH_OK);
	coh_machine_set_actor(m, "busy");
	for (unsigned i = 0; i < 200; i++) {
		assert_int_equal(coh_store(m, i % 2, 0x10000 + i * 68 % (4 * PAGE - 8), 8, i),
		                 COH_OK);
		uint8_t b = (uint8_t)i;
		assert_int_equal(coh_dma_write(m, 0x100000 + i * 4096, &b, 1), COH_OK);
	}
	assert_int_equal(coh_store(m, 1, 0x80000, 4, 0x55), COH_OK);
	assert_int_equal(coh_cache_clean(m, 0, 0x10000, PAGE), COH_OK);
}

static void reset_returns_to_a_pristine_machine(void **state)
{
	(void)state;
	coh_machine *m = mk("xscale", 2);
	busy_run(m);
	assert_true(coh_machine_events(m) > 400);
	coh_machine_reset(m);
	assert_int_equal(coh_machine_events(m), 0);
	coh_event tail[4];
	assert_int_equal(coh_machine_trace_tail(m, tail, 4), 0);
	/* no mappings, no user address spaces, every CPU back on the kernel's */
	assert_false(mapped(m, 0, 0x10000));
	assert_false(mapped(m, 1, 0x80000));
	assert_int_equal(coh_cpu_set_as(m, 0, 1), COH_ERANGE);
	/* no lines (VIVT: present needs no mapping) */
	for (unsigned cpu = 0; cpu < 2; cpu++)
		for (coh_addr_t a = 0x10000; a < 0x14000; a += 32)
			assert_int_equal(coh_cache_present(m, cpu, a, NULL), 0);
	assert_int_equal(coh_cache_present(m, 1, 0x80000, NULL), 0);
	/* memory is zero everywhere */
	static uint8_t mem[4u << 20];
	assert_int_equal(coh_mem_peek(m, 0, mem, sizeof(mem)), COH_OK);
	size_t nonzero = 0;
	for (size_t i = 0; i < sizeof(mem); i++)
		nonzero += mem[i] != 0;
	assert_int_equal(nonzero, 0);
	coh_machine_destroy(m);
}

static void a_reset_machine_replays_the_same_events(void **state)
{
	(void)state;
	const char *names[] = {"armv6", "cortex-a9"}; /* random replacement */
	for (int i = 0; i < 2; i++) {
		coh_machine *m = mk(names[i], 2);
		busy_run(m);
		uint64_t n = coh_machine_events(m);
		coh_event a[64], b[64];
		assert_int_equal(coh_machine_trace_tail(m, a, 64), 64);
		coh_machine_reset(m);
		busy_run(m);
		assert_int_equal(coh_machine_events(m), n);
		assert_int_equal(coh_machine_trace_tail(m, b, 64), 64);
		for (int k = 0; k < 64; k++) {
			assert_int_equal(a[k].no, b[k].no);
			assert_int_equal(a[k].kind, b[k].kind);
			assert_int_equal(a[k].cpu, b[k].cpu);
			assert_int_equal(a[k].va, b[k].va);
			assert_int_equal(a[k].pa, b[k].pa);
			assert_int_equal(a[k].len, b[k].len);
			assert_int_equal(a[k].value, b[k].value);
		}
		coh_machine_destroy(m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(every_operation_is_one_event_plus_what_it_causes),
	    cmocka_unit_test(old_events_age_out_of_the_trace),
	    cmocka_unit_test(tracing_off_still_counts_events),
	    cmocka_unit_test(events_format_on_one_line),
	    cmocka_unit_test(reset_returns_to_a_pristine_machine),
	    cmocka_unit_test(a_reset_machine_replays_the_same_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
