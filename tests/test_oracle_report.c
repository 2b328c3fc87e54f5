/*
 * test_oracle_report.c - what a finding says: addresses, bytes, writer and
 * stale line; the text and JSON reports of every kind (the JSON checked by a
 * small parser); the documented kind names; byte-identical reports for the
 * same operations; a writer older than the ring, marked aged out.
 */
#include "oracle_rig.h"

/* ---- report content ---- */

/* The xscale stale-read of the alias test; returns its event numbers. */
struct ev_nos {
	uint64_t fill, store, load;
};

static struct ev_nos make_stale_read(struct rig *r)
{
	struct ev_nos e;
	map(r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	map(r, 0x20000, 0x40000, PAGE, COH_ATTR_WB);
	coh_machine_set_actor(r->m, "reader");
	coh_machine_set_site(r->m, "drv.c", 10);
	e.fill = coh_machine_events(r->m) + 2; /* the load, then its fill */
	ld(r, 0, 0x20040);
	assert_int_equal(coh_machine_events(r->m), e.fill);
	coh_machine_set_actor(r->m, "writer");
	coh_machine_set_site(r->m, "drv.c", 20);
	e.store = coh_machine_events(r->m) + 1;
	st(r, 0, 0x10040, 0x11223344);
	coh_machine_set_actor(r->m, "reader");
	coh_machine_set_site(r->m, "drv.c", 30);
	e.load = coh_machine_events(r->m) + 1;
	ld(r, 0, 0x20040);
	return e;
}

static void a_finding_names_addresses_bytes_writer_and_stale_line(void **state)
{
	(void)state;
	struct rig r = rig("xscale", 1);
	struct ev_nos e = make_stale_read(&r);
	const coh_finding *f = only(&r, COH_F_STALE_READ);
	assert_true(f->has_addr);
	assert_int_equal(f->va, 0x20040);
	assert_int_equal(f->pa, 0x40040);
	assert_int_equal(f->cpu, 0);
	assert_int_equal(f->len, 4);
	const uint8_t exp[4] = {0x44, 0x33, 0x22, 0x11}, seen[4] = {0};
	assert_memory_equal(f->expected, exp, 4);
	assert_memory_equal(f->seen, seen, 4);
	/* the operation that exposed it */
	assert_int_equal(f->trigger.no, e.load);
	assert_int_equal(f->trigger.kind, COH_EV_LOAD);
	assert_int_equal(f->trigger.va, 0x20040);
	assert_int_equal(f->trigger.pa, 0x40040);
	assert_int_equal(f->trigger.line, 30);
	/* who wrote the latest version, and when */
	assert_int_equal(f->writer.no, e.store);
	assert_false(f->writer_aged_out);
	assert_int_equal(f->writer.kind, COH_EV_STORE);
	assert_int_equal(f->writer.cpu, 0);
	assert_int_equal(f->writer.va, 0x10040);
	assert_int_equal(f->writer.pa, 0x40040);
	assert_int_equal(f->writer.value, 0x11223344);
	assert_string_equal(f->writer.actor, "writer");
	assert_string_equal(f->writer.file, "drv.c");
	assert_int_equal(f->writer.line, 20);
	/* the stale copy: the line filled through the other alias */
	assert_true(f->stale_is_line);
	assert_int_equal(f->stale_cpu, 0);
	assert_int_equal(f->stale_line_va, 0x20040);
	assert_int_equal(f->stale_line_pa, 0x40040);
	assert_int_equal(f->stale_since, e.fill);
	assert_int_equal(f->stale_set, 2); /* VA[9:5] of 0x20040 */
	/* the tail of the trace ends with the load */
	assert_true(f->ntail > 0 && f->ntail <= COH_FINDING_TRACE);
	assert_int_equal(f->tail[f->ntail - 1].no, e.load);
	assert_int_equal(f->tail[f->ntail - 1].pa, 0x40040);
	for (unsigned i = 1; i < f->ntail; i++)
		assert_int_equal(f->tail[i].no, f->tail[i - 1].no + 1);
	done(&r);
}

static char *print_to_string(const coh_finding *f, bool json)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	assert_non_null(out);
	if (json)
		coh_finding_print_json(f, out);
	else
		coh_finding_print(f, out);
	fclose(out);
	return buf;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("missing \"%s\" in:\n%s", needle, hay);
}

static void text_report_names_everything(void **state)
{
	(void)state;
	struct rig r = rig("xscale", 1);
	struct ev_nos e = make_stale_read(&r);
	char *s = print_to_string(only(&r, COH_F_STALE_READ), false);
	char want[256];
	assert_contains(s, "BUG: cohsim: stale-read at VA 0x20040 PA 0x40040 on cpu0");
	assert_contains(s, "expected: 44 33 22 11");
	assert_contains(s, "seen:     00 00 00 00");
	/* the writer's own line follows, not just its place in the tail */
	snprintf(want, sizeof(want),
	         "written by task writer on cpu0, event #%llu:\n  #%-5llu cpu0/writer",
	         (unsigned long long)e.store, (unsigned long long)e.store);
	assert_contains(s, want);
	assert_contains(s, "store");
	assert_contains(s, "(drv.c:20)");
	snprintf(want, sizeof(want), "filled through VA 0x20040 (PA 0x40040) at event #%llu",
	         (unsigned long long)e.fill);
	assert_contains(s, want);
	assert_contains(s, "The trace up to it (last ");
	assert_contains(s, "Exposed by task reader on cpu0, event #");
	/* the other side and the cause: a store through another alias */
	snprintf(want, sizeof(want),
	         "Cause: the latest data was stored through VA 0x10040 at event #%llu, task writer "
	         "on cpu0; this load went through VA 0x20040, an alias",
	         (unsigned long long)e.store);
	assert_contains(s, want);
	free(s);
	done(&r);
}

/* A small JSON validator: returns the end of one value, or NULL. */
static const char *json_value(const char *p, int depth);

static const char *json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static const char *json_str(const char *p)
{
	if (*p++ != '"')
		return NULL;
	for (; *p != '"'; p++) {
		if (!*p || (unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			p++;
			if (*p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)p[i]))
						return NULL;
				p += 4;
			} else if (!strchr("\"\\/bfnrt", *p) || !*p) {
				return NULL;
			}
		}
	}
	return p + 1;
}

static const char *json_value(const char *p, int depth)
{
	if (depth > 32)
		return NULL;
	p = json_ws(p);
	if (*p == '"')
		return json_str(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		p = json_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				p = json_str(json_ws(p));
				if (!p)
					return NULL;
				p = json_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = json_value(p, depth + 1);
			if (!p)
				return NULL;
			p = json_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	const char *q = p;
	if (*q == '-')
		q++;
	if (!isdigit((unsigned char)*q))
		return NULL;
	while (isdigit((unsigned char)*q) || *q == '.' || *q == 'e' || *q == 'E' || *q == '+' ||
	       *q == '-')
		q++;
	return q;
}

static void assert_valid_json_object(const char *s)
{
	const char *end = json_value(s, 0);
	if (!end || *json_ws(end) || s[0] != '{')
		fail_msg("not one valid JSON object:\n%s", s);
}

static void json_report_is_valid_and_has_the_keys(void **state)
{
	(void)state;
	struct rig r = rig("xscale", 1);
	struct ev_nos e = make_stale_read(&r);
	coh_finding *f = (coh_finding *)only(&r, COH_F_STALE_READ);
	assert_int_equal(coh_finding_set_schedule(f, "s:1.2\"3\\\n"), COH_OK);
	char *s = print_to_string(f, true);
	assert_valid_json_object(s);
	assert_contains(s, "\"kind\":\"stale-read\"");
	assert_contains(s, "\"va\":\"0x20040\"");
	assert_contains(s, "\"pa\":\"0x40040\"");
	assert_contains(s, "\"cpu\":0");
	assert_contains(s, "\"expected\":\"44332211\"");
	assert_contains(s, "\"seen\":\"00000000\"");
	assert_contains(s, "\"schedule\":\"s:1.2\\\"3\\\\\\n\"");
	assert_contains(s, "\"line\":30");
	char want[64];
	snprintf(want, sizeof(want), "\"writer\":{\"event\":%llu", (unsigned long long)e.store);
	assert_contains(s, want);
	snprintf(want, sizeof(want), "\"filled_at\":%llu", (unsigned long long)e.fill);
	assert_contains(s, want);
	assert_contains(s, "\"stale_copy\":{");
	assert_contains(s, "\"message\":");
	assert_contains(s, "\"trigger\":{");
	free(s);
	done(&r);
}

static void every_kind_prints_valid_json_and_text(void **state)
{
	(void)state;
	struct rig r = rig("cortex-a9", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	ld(&r, 0, 0x10040);
	st(&r, 0, 0x10044, 1);
	dma_get(&r, 0x40040, 8); /* stale-dma */
	dma_fill(&r, 0x40040, 4, 0xee);
	ld(&r, 0, 0x10040);                                            /* stale-read */
	assert_int_equal(coh_cache_inval(r.m, 0, 0x10040, 4), COH_OK); /* lost-write */
	uint64_t v;
	assert_int_equal(coh_load(r.m, 0, 0x99000, 4, &v), COH_EFAULT); /* bad-access */
	coh_finding *f = coh_check_report(r.c, COH_F_BUG, -1, "BUG_ON(%s) \"%d\"\t", "x", 3);
	assert_non_null(f);
	assert_int_equal(coh_finding_set_detail(f, "detail\n"), COH_OK);
	assert_int_equal(coh_check_count(r.c), 5);
	const enum coh_finding_kind kinds[] = {COH_F_STALE_DMA, COH_F_STALE_READ, COH_F_LOST_WRITE,
	                                       COH_F_BAD_ACCESS, COH_F_BUG};
	for (size_t i = 0; i < 5; i++) {
		const coh_finding *g = coh_check_get(r.c, i);
		assert_int_equal(g->kind, kinds[i]);
		char *j = print_to_string(g, true);
		assert_valid_json_object(j);
		char want[64];
		snprintf(want, sizeof(want), "{\"kind\":\"%s\"", coh_finding_kind_name(kinds[i]));
		assert_contains(j, want);
		free(j);
		char *t = print_to_string(g, false);
		assert_contains(t, coh_finding_kind_name(kinds[i]));
		free(t);
	}
	assert_string_equal(coh_check_get(r.c, 4)->message, "BUG_ON(x) \"3\"\t");
	assert_null(coh_check_get(r.c, 5));
	done(&r);
}

static void kind_names_are_the_documented_ones(void **state)
{
	(void)state;
	assert_string_equal(coh_finding_kind_name(COH_F_STALE_READ), "stale-read");
	assert_string_equal(coh_finding_kind_name(COH_F_STALE_DMA), "stale-dma");
	assert_string_equal(coh_finding_kind_name(COH_F_LOST_WRITE), "lost-write");
	assert_string_equal(coh_finding_kind_name(COH_F_BAD_ACCESS), "bad-access");
	assert_string_equal(coh_finding_kind_name(COH_F_EXPECT_FAILED), "expect-failed");
	for (int k = 0; k < COH_F_KIND_COUNT; k++)
		assert_non_null(coh_finding_kind_name((enum coh_finding_kind)k));
	assert_string_equal(coh_finding_kind_name(COH_F_KIND_COUNT), "?");
}

/* ---- determinism ---- */

/* A run with one finding of each oracle kind, printed as text and JSON. */
static char *run_and_print(struct rig *r)
{
	map(r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	map(r, 0x20000, 0x40000, PAGE, COH_ATTR_WB);
	coh_machine_set_actor(r->m, "t");
	for (unsigned k = 0; k < 8; k++) {
		st(r, 0, 0x10000 + k * 0x40, k);
		ld(r, 0, 0x20000 + k * 0x40);
		dma_get(r, 0x40000 + k * 0x40, 16);
		dma_fill(r, 0x40004 + k * 0x40, 4, (uint8_t)k);
		assert_int_equal(coh_cache_evict(r->m, 0, 0x10000 + k * 0x40), COH_OK);
		assert_int_equal(coh_cache_inval(r->m, 0, 0x20000 + k * 0x80, 4), COH_OK);
	}
	uint64_t v;
	coh_load(r->m, 0, 0x99000, 4, &v);
	assert_true(coh_check_count(r->c) > 8);
	char *buf = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&buf, &size);
	assert_non_null(out);
	for (size_t i = 0; i < coh_check_count(r->c); i++) {
		coh_finding_print(coh_check_get(r->c, i), out);
		coh_finding_print_json(coh_check_get(r->c, i), out);
		fputc('\n', out);
	}
	fclose(out);
	return buf;
}

static void the_same_operations_print_byte_identical_reports(void **state)
{
	(void)state;
	const char *names[] = {"xscale", "armv6", "cortex-a9"};
	for (int i = 0; i < 3; i++) {
		struct rig a = rig(names[i], 1), b = rig(names[i], 1);
		char *sa = run_and_print(&a);
		char *sb = run_and_print(&b);
		assert_string_equal(sa, sb);
		/* and again on the first machine after a reset */
		coh_machine_reset(a.m);
		coh_check_reset(a.c);
		assert_int_equal(coh_check_count(a.c), 0);
		char *sc = run_and_print(&a);
		assert_string_equal(sa, sc);
		free(sa);
		free(sb);
		free(sc);
		done(&a);
		done(&b);
	}
}

static void a_writer_older_than_the_ring_is_marked_aged_out(void **state)
{
	(void)state;
	struct rig r = rig("cortex-a9", 1);
	map(&r, 0x10000, 0x40000, 2 * PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	uint64_t store_no = coh_machine_events(r.m) - 1; /* the store, then its fill */
	/* thousands of unrelated stores push the writer out of every ring */
	for (unsigned k = 0; k < 5000; k++)
		st(&r, 0, 0x11000 + (k % 64) * 4, k);
	dma_get(&r, 0x40040, 4);
	const coh_finding *f = only(&r, COH_F_STALE_DMA);
	assert_int_equal(f->writer.no, store_no);
	assert_true(f->writer_aged_out);
	char *s = print_to_string(f, false);
	assert_contains(s, "aged out");
	free(s);
	s = print_to_string(f, true);
	assert_valid_json_object(s);
	free(s);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_finding_names_addresses_bytes_writer_and_stale_line),
	    cmocka_unit_test(text_report_names_everything),
	    cmocka_unit_test(json_report_is_valid_and_has_the_keys),
	    cmocka_unit_test(every_kind_prints_valid_json_and_text),
	    cmocka_unit_test(kind_names_are_the_documented_ones),
	    cmocka_unit_test(the_same_operations_print_byte_identical_reports),
	    cmocka_unit_test(a_writer_older_than_the_ring_is_marked_aged_out),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
