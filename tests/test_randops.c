/*
 * test_randops.c - random operations against a recorded reference: every
 * profile, 1 to 8 CPUs, the oracle on.
 *
 * A fixed-seed stream of loads and stores of every size and alignment (line
 * and page crossing included), bulk reads and writes, maintenance by range
 * and for the whole cache, evictions, prefetches, DMA both ways, barriers,
 * faults, through write-back, write-through, uncached and bufferable
 * aliases of one physical range, with resets between executions. Everything
 * the machine and the oracle say is hashed: each operation's status and
 * value, every event (formatted), every finding in text and JSON, the
 * statistics and the final memory.
 *
 * The reference is the digest of the same run on main at e2615ca, before
 * the cache model and the oracle got their fast paths (issue 16), updated
 * once since, for one change of text only (issue 11: a finding with no VA
 * prints "at PA ... by the device", not "at VA 0x0"; four digests): a
 * changed digest means some output changed. The run also checks what a model of its
 * own can check on physically indexed and tagged caches: after a flush of
 * every cache, memory holds the value of each byte's last cached CPU store
 * (bytes that DMA, an uncached or bufferable store or an invalidate may
 * have touched are left out).
 *
 * To print the digests of this build: COHSIM_PRINT_DIGESTS=1 test_randops.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/check.h"
#include "cohsim/machine.h"

#define REGION 0x10000u   /* bytes of the shared physical range */
#define PA_BASE 0x100000u /* its PA */
#define VA_WB 0x1000000u  /* write-back view */
#define VA_WB2 0x2000000u /* write-back alias, shifted by a page (another colour) */
#define VA_WT 0x3000000u  /* write-through view */
#define VA_UC 0x4000000u  /* uncached view */
#define VA_BUF 0x5000000u /* bufferable view */
#define VA_NONE 0x7000000u
#define OPS 900 /* per execution */
#define EXECS 3 /* executions, with a reset between */

struct fnv {
	uint64_t h;
};

static void mix(struct fnv *f, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		f->h ^= b[i];
		f->h *= 0x100000001b3ull;
	}
}

static void mix64(struct fnv *f, uint64_t v)
{
	mix(f, &v, sizeof(v));
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct run {
	coh_machine *m;
	coh_check *c;
	unsigned ncpus, psz;
	struct fnv f;
	uint64_t seen_ev;
	size_t seen_findings;
	/* the model (physically indexed and tagged caches only): the last
	 * value a CPU stored at each byte of the region through a cached view;
	 * -1 never stored; -2 for good once DMA, an uncached or bufferable
	 * store or an invalidate may have touched it */
	bool pipt;
	int16_t model[REGION];
};

static void map_all(struct run *r)
{
	coh_machine *m = r->m;
	assert_int_equal(coh_map(m, COH_KERNEL_AS, VA_WB, PA_BASE, REGION, COH_ATTR_WB), COH_OK);
	assert_int_equal(coh_map(m, COH_KERNEL_AS, VA_WB2 + r->psz, PA_BASE, REGION, COH_ATTR_WB),
	                 COH_OK);
	assert_int_equal(coh_map(m, COH_KERNEL_AS, VA_WT, PA_BASE, REGION, COH_ATTR_WT), COH_OK);
	assert_int_equal(coh_map(m, COH_KERNEL_AS, VA_UC, PA_BASE, REGION, COH_ATTR_UNCACHED),
	                 COH_OK);
	assert_int_equal(coh_map(m, COH_KERNEL_AS, VA_BUF, PA_BASE, REGION, COH_ATTR_BUFFERABLE),
	                 COH_OK);
}

/* Hashes the events and findings that appeared since the last call. */
static void observe(struct run *r)
{
	char buf[512];
	uint64_t ev = coh_machine_events(r->m);
	mix64(&r->f, ev);
	for (uint64_t no = r->seen_ev + 1; no <= ev; no++) {
		coh_event e;
		if (!coh_machine_event(r->m, no, &e)) {
			mix64(&r->f, ~no);
			continue;
		}
		int n = coh_event_format(&e, buf, sizeof(buf));
		assert_true(n > 0);
		mix(&r->f, buf, strlen(buf));
	}
	r->seen_ev = ev;
	size_t nf = coh_check_count(r->c);
	for (size_t i = r->seen_findings; i < nf; i++) {
		char *text = NULL;
		size_t len = 0;
		FILE *out = open_memstream(&text, &len);
		assert_non_null(out);
		const coh_finding *fd = coh_check_get(r->c, i);
		coh_finding_print(fd, out);
		coh_finding_print_json(fd, out);
		fclose(out);
		mix(&r->f, text, len);
		free(text);
	}
	r->seen_findings = nf;
}

/* A VA in one of the views (or unmapped, rarely) at a random offset. */
static coh_addr_t pick_va(uint64_t *s, unsigned psz, unsigned *view)
{
	static const coh_addr_t base[] = {VA_WB, VA_WB, VA_WB, VA_WB2, VA_WT, VA_UC, VA_BUF};
	unsigned v = (unsigned)(rnd(s) % 7);
	*view = v;
	coh_addr_t off = rnd(s) % (REGION - 64);
	if (rnd(s) % 3 == 0)
		off &= 0x3fff; /* a hot quarter: more hits and aliasing */
	coh_addr_t va = base[v] + off;
	if (base[v] == VA_WB2)
		va += psz;
	return va;
}

static void forget(struct run *r, coh_addr_t pa, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (pa + i >= PA_BASE && pa + i < PA_BASE + REGION)
			r->model[pa + i - PA_BASE] = -2;
}

static void stored(struct run *r, coh_addr_t pa, uint8_t b)
{
	if (pa >= PA_BASE && pa < PA_BASE + REGION && r->model[pa - PA_BASE] != -2)
		r->model[pa - PA_BASE] = b;
}

static void one_op(struct run *r, uint64_t *s)
{
	coh_machine *m = r->m;
	unsigned cpu = (unsigned)(rnd(s) % r->ncpus);
	unsigned kind = (unsigned)(rnd(s) % 100);
	unsigned view;
	coh_addr_t va = pick_va(s, r->psz, &view);
	coh_addr_t pa = PA_BASE + (va & (REGION - 1));
	if (view == 3)
		pa = PA_BASE + ((va - VA_WB2 - r->psz) & (REGION - 1));
	int rc;
	uint64_t v = 0;
	static const unsigned sizes[] = {1, 2, 4, 8, 4, 4, 8};
	unsigned size = sizes[rnd(s) % 7];
	if (rnd(s) % 4)
		va &= ~(coh_addr_t)(size - 1), pa &= ~(coh_addr_t)(size - 1); /* mostly aligned */
	mix64(&r->f, kind);
	if (kind < 36) {
		rc = coh_load(m, cpu, va, size, &v);
		mix64(&r->f, v);
	} else if (kind < 68) {
		v = rnd(s);
		rc = coh_store(m, cpu, va, size, v);
		if (view >= 4) /* uncached or bufferable: lines may hide it */
			forget(r, pa, size);
		else
			for (unsigned i = 0; i < size; i++)
				stored(r, pa + i, (uint8_t)(v >> (8 * i)));
	} else if (kind < 71) {
		uint8_t b[100];
		size_t len = 1 + rnd(s) % sizeof(b);
		rc = coh_read(m, cpu, va, b, len);
		mix(&r->f, b, len);
	} else if (kind < 74) {
		uint8_t b[100];
		size_t len = 1 + rnd(s) % sizeof(b);
		for (size_t i = 0; i < len; i++)
			b[i] = (uint8_t)rnd(s);
		rc = coh_write(m, cpu, va, b, len);
		if (view >= 4)
			forget(r, pa, len);
		else
			for (size_t i = 0; i < len; i++)
				stored(r, pa + i, b[i]);
	} else if (kind < 77) {
		rc = coh_cache_clean(m, cpu, va, 1 + rnd(s) % 256);
	} else if (kind < 80) {
		size_t len = 1 + rnd(s) % 256;
		rc = coh_cache_inval(m, cpu, va, len);
		forget(r, pa - 128, len + 256); /* dirty data may be dropped */
	} else if (kind < 83) {
		rc = coh_cache_flush(m, cpu, va, 1 + rnd(s) % 256);
	} else if (kind < 84) {
		rc = coh_cache_flush_all(m, cpu);
	} else if (kind < 87) {
		rc = coh_cache_evict(m, cpu, va);
	} else if (kind < 90) {
		rc = coh_cache_prefetch(m, cpu, va);
	} else if (kind < 93) {
		uint8_t b[128];
		size_t len = 1 + rnd(s) % sizeof(b);
		rc = coh_dma_read(m, pa, b, len);
		mix(&r->f, b, len);
	} else if (kind < 96) {
		uint8_t b[128];
		size_t len = 1 + rnd(s) % sizeof(b);
		for (size_t i = 0; i < len; i++)
			b[i] = (uint8_t)rnd(s);
		rc = coh_dma_write(m, pa, b, len);
		forget(r, pa - 128, len + 256);
	} else if (kind < 98) {
		rc = coh_barrier(m, cpu, rnd(s) % 2 ? COH_BARRIER_DSB : COH_BARRIER_DMB);
	} else if (kind < 99) {
		rc = coh_wbuf_drain(m, cpu);
	} else {
		rc = coh_store(m, cpu, VA_NONE + (rnd(s) & 0xfff), 4, 1);
	}
	mix64(&r->f, (uint64_t)(int64_t)rc);
	observe(r);
}

/* Every cache flushed, every write buffer drained: each byte the model
 * knows reads back as stored, through the write-back view. */
static void check_model(struct run *r)
{
	for (unsigned cpu = 0; cpu < r->ncpus; cpu++) {
		assert_int_equal(coh_wbuf_drain(r->m, cpu), COH_OK);
		assert_int_equal(coh_cache_flush_all(r->m, cpu), COH_OK);
	}
	uint8_t mem[REGION];
	assert_int_equal(coh_mem_peek(r->m, PA_BASE, mem, sizeof(mem)), COH_OK);
	mix(&r->f, mem, sizeof(mem));
	for (unsigned i = 0; r->pipt && i < REGION; i++)
		if (r->model[i] >= 0 && mem[i] != (uint8_t)r->model[i])
			fail_msg("byte 0x%x: memory 0x%02x, the last CPU store 0x%02x", i, mem[i],
			         (unsigned)r->model[i]);
	observe(r);
}

static uint64_t digest(const char *arch, unsigned ncpus)
{
	struct run *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	coh_machine_config cfg;
	coh_machine_config_init(&cfg, coh_arch_find(arch));
	cfg.ncpus = ncpus;
	cfg.seed = 7;
	assert_int_equal(coh_machine_create(&cfg, &r->m), COH_OK);
	coh_check_config cc;
	coh_check_config_init(&cc);
	cc.max_findings = 100000;
	assert_int_equal(coh_check_create(r->m, &cc, &r->c), COH_OK);
	r->ncpus = ncpus;
	r->psz = coh_machine_page_size(r->m);
	const coh_cache_geometry *g = &coh_arch_find(arch)->l1;
	r->pipt = g->index == COH_FROM_PHYS && g->tag == COH_FROM_PHYS;
	r->f.h = 0xcbf29ce484222325ull;
	uint64_t s = 0x9e3779b97f4a7c15ull ^ (ncpus * 0x1234567ull) ^ strlen(arch) * 977;
	for (const char *p = arch; *p; p++)
		s = s * 131 + (uint8_t)*p;
	for (unsigned x = 0; x < EXECS; x++) {
		coh_machine_reset(r->m);
		coh_check_reset(r->c);
		r->seen_ev = 0;
		r->seen_findings = 0;
		memset(r->model, 0xff, sizeof(r->model));
		map_all(r);
		for (unsigned i = 0; i < OPS; i++)
			one_op(r, &s);
		check_model(r);
		coh_stats st;
		memset(&st, 0, sizeof(st));
		coh_machine_stats(r->m, &st);
		for (unsigned cpu = 0; cpu < ncpus; cpu++) {
			const coh_cpu_stats *cs = &st.cpu[cpu];
			uint64_t v[] = {cs->loads,          cs->stores,          cs->read_hits,
			                cs->read_misses,    cs->write_hits,      cs->write_misses,
			                cs->uncached_reads, cs->uncached_writes, cs->fills,
			                cs->writebacks,     cs->evictions,       cs->oracle_checks};
			mix(&r->f, v, sizeof(v));
		}
		mix64(&r->f, st.dma_oracle_checks);
		mix64(&r->f, coh_check_count(r->c));
		if (getenv("COHSIM_PRINT_DIGESTS"))
			fprintf(stderr, "%s/%u: %llu events, %zu findings\n", arch, ncpus,
			        (unsigned long long)coh_machine_events(r->m),
			        coh_check_count(r->c));
	}
	uint64_t h = r->f.h;
	coh_check_destroy(r->c);
	coh_machine_destroy(r->m);
	free(r);
	return h;
}

static const unsigned cpu_counts[] = {1, 2, 3, 8};

/* The digests of main e2615ca, with issue 11's headline text (COHSIM_PRINT_DIGESTS=1
 * prints this table). */
static const struct {
	const char *arch;
	uint64_t h[4];
} reference[] = {
#include "randops_reference.inc"
};

static void random_operations_match_the_reference(void **state)
{
	(void)state;
	bool print = getenv("COHSIM_PRINT_DIGESTS") != NULL;
	size_t n = coh_arch_count();
	assert_int_equal(n, sizeof(reference) / sizeof(reference[0]));
	for (size_t i = 0; i < n; i++) {
		const char *arch = coh_arch_at(i)->name;
		if (print)
			printf("    {\"%s\", {", arch);
		for (unsigned k = 0; k < 4; k++) {
			uint64_t h = digest(arch, cpu_counts[k]);
			if (print) {
				printf("0x%016llxull%s", (unsigned long long)h,
				       k < 3 ? ", " : "}},\n");
				continue;
			}
			assert_string_equal(arch, reference[i].arch);
			if (h != reference[i].h[k])
				fail_msg("%s, %u CPUs: digest 0x%016llx, reference 0x%016llx", arch,
				         cpu_counts[k], (unsigned long long)h,
				         (unsigned long long)reference[i].h[k]);
		}
	}
}

/* The digest sees a change: one more store is another digest. */
static void the_digest_depends_on_every_operation(void **state)
{
	(void)state;
	assert_true(digest("cortex-a9", 1) != digest("cortex-a9", 2));
	assert_true(digest("xscale", 1) != digest("cortex-a9", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(random_operations_match_the_reference),
	    cmocka_unit_test(the_digest_depends_on_every_operation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
