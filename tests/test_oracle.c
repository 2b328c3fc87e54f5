/*
 * test_oracle.c - the coherence oracle: every finding kind with a buggy
 * sequence that must be reported and a correct counterpart that must stay
 * silent; what a finding says; deterministic reports.
 */
#include <ctype.h>
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

#define PAGE 4096u

struct rig {
	coh_machine *m;
	coh_check *c;
};

static struct rig rig_cfg(const char *arch, unsigned ncpus, bool oracle, unsigned max_findings)
{
	struct rig r = {0};
	coh_machine_config cfg;
	const coh_arch *a = coh_arch_find(arch);
	assert_non_null(a);
	coh_machine_config_init(&cfg, a);
	cfg.ncpus = ncpus;
	assert_int_equal(coh_machine_create(&cfg, &r.m), COH_OK);
	coh_check_config cc;
	coh_check_config_init(&cc);
	cc.oracle = oracle;
	if (max_findings)
		cc.max_findings = max_findings;
	assert_int_equal(coh_check_create(r.m, &cc, &r.c), COH_OK);
	assert_ptr_equal(coh_check_machine(r.c), r.m);
	return r;
}

static struct rig rig(const char *arch, unsigned ncpus)
{
	return rig_cfg(arch, ncpus, true, 0);
}

static void done(struct rig *r)
{
	coh_check_destroy(r->c);
	coh_machine_destroy(r->m);
}

static void map(struct rig *r, coh_addr_t va, coh_addr_t pa, size_t len, enum coh_attr attr)
{
	assert_int_equal(coh_map(r->m, COH_KERNEL_AS, va, pa, len, attr), COH_OK);
}

static uint64_t ld(struct rig *r, unsigned cpu, coh_addr_t va)
{
	uint64_t v = 0xdeadbeef;
	assert_int_equal(coh_load(r->m, cpu, va, 4, &v), COH_OK);
	return v;
}

static void st(struct rig *r, unsigned cpu, coh_addr_t va, uint64_t v)
{
	assert_int_equal(coh_store(r->m, cpu, va, 4, v), COH_OK);
}

static void dma_fill(struct rig *r, coh_addr_t pa, size_t len, uint8_t byte)
{
	uint8_t buf[256];
	assert_true(len <= sizeof(buf));
	memset(buf, byte, len);
	assert_int_equal(coh_dma_write(r->m, pa, buf, len), COH_OK);
}

static void dma_get(struct rig *r, coh_addr_t pa, size_t len)
{
	uint8_t buf[256];
	assert_true(len <= sizeof(buf));
	assert_int_equal(coh_dma_read(r->m, pa, buf, len), COH_OK);
}

static size_t count_kind(const struct rig *r, enum coh_finding_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < coh_check_count(r->c); i++)
		n += coh_check_get(r->c, i)->kind == kind;
	return n;
}

/* Exactly one finding, of this kind; returns it. */
static const coh_finding *only(const struct rig *r, enum coh_finding_kind kind)
{
	if (coh_check_count(r->c) != 1 || coh_check_get(r->c, 0)->kind != kind) {
		for (size_t i = 0; i < coh_check_count(r->c); i++)
			coh_finding_print(coh_check_get(r->c, i), stderr);
		fail_msg("expected exactly one %s finding, got %zu", coh_finding_kind_name(kind),
		         coh_check_count(r->c));
	}
	return coh_check_get(r->c, 0);
}

static void silent(const struct rig *r)
{
	for (size_t i = 0; i < coh_check_count(r->c); i++)
		coh_finding_print(coh_check_get(r->c, i), stderr);
	assert_int_equal(coh_check_count(r->c), 0);
}

static const char *const non_coherent[] = {"xscale", "arm926", "armv6",    "mips-r4k",
                                           "sh4",    "parisc", "cortex-a9"};
#define NNONCOH (sizeof(non_coherent) / sizeof(non_coherent[0]))

/* ---- stale-read ---- */

/* Two aliases of one PA that do not share lines, per profile. */
static void non_sharing_aliases(const char *arch, coh_addr_t *a, coh_addr_t *b)
{
	*a = 0x10000;
	*b = strcmp(arch, "armv6") == 0      ? 0x11000
	     : strcmp(arch, "mips-r4k") == 0 ? 0x13000
	     : strcmp(arch, "sh4") == 0      ? 0x12000
	     : strcmp(arch, "parisc") == 0   ? 0x11000
	                                     : 0x20000; /* VIVT: even the same colour */
}

static void stale_read_through_an_alias_without_flush(void **state)
{
	(void)state;
	const char *names[] = {"xscale", "arm926", "armv6", "mips-r4k", "sh4", "parisc"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct rig r = rig(names[i], 1);
		coh_addr_t a, b;
		non_sharing_aliases(names[i], &a, &b);
		map(&r, a, 0x40000, PAGE, COH_ATTR_WB);
		map(&r, b, 0x40000, PAGE, COH_ATTR_WB);
		assert_int_equal(ld(&r, 0, b + 0x40), 0);
		assert_int_equal(ld(&r, 0, a + 0x40), 0); /* arm926 allocates on read */
		st(&r, 0, a + 0x40, 0x11223344);
		assert_int_equal(ld(&r, 0, b + 0x40), 0);
		const coh_finding *f = only(&r, COH_F_STALE_READ);
		assert_int_equal(f->va, b + 0x40);
		assert_int_equal(f->pa, 0x40040);
		done(&r);
	}
}

static void no_stale_read_after_flush_of_writer_and_inval_of_reader(void **state)
{
	(void)state;
	const char *names[] = {"xscale", "arm926", "armv6", "mips-r4k", "sh4", "parisc"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct rig r = rig(names[i], 1);
		coh_addr_t a, b;
		non_sharing_aliases(names[i], &a, &b);
		map(&r, a, 0x40000, PAGE, COH_ATTR_WB);
		map(&r, b, 0x40000, PAGE, COH_ATTR_WB);
		assert_int_equal(ld(&r, 0, b + 0x40), 0);
		assert_int_equal(ld(&r, 0, a + 0x40), 0);
		st(&r, 0, a + 0x40, 0x11223344);
		assert_int_equal(coh_cache_flush(r.m, 0, a, PAGE), COH_OK);
		assert_int_equal(coh_cache_inval(r.m, 0, b, PAGE), COH_OK);
		assert_int_equal(ld(&r, 0, b + 0x40), 0x11223344);
		silent(&r);
		done(&r);
	}
}

static void pipt_aliases_never_read_stale(void **state)
{
	(void)state;
	const char *names[] = {"cortex-a9", "x86"};
	for (int i = 0; i < 2; i++) {
		struct rig r = rig(names[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		map(&r, 0x11000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x11040);
		st(&r, 0, 0x10040, 0x11223344);
		assert_int_equal(ld(&r, 0, 0x11040), 0x11223344);
		silent(&r);
		done(&r);
	}
}

static void stale_read_after_dma_write_without_inval(void **state)
{
	(void)state;
	for (size_t i = 0; i < NNONCOH; i++) {
		struct rig r = rig(non_coherent[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		assert_int_equal(ld(&r, 0, 0x10040), 0); /* the line is cached */
		dma_fill(&r, 0x40040, 4, 0xab);
		assert_int_equal(ld(&r, 0, 0x10040), 0);
		const coh_finding *f = only(&r, COH_F_STALE_READ);
		assert_int_equal(f->writer.kind, COH_EV_DMA_WRITE);
		assert_int_equal(f->expected[0], 0xab);
		assert_int_equal(f->seen[0], 0);
		done(&r);
	}
}

static void no_stale_read_after_dma_write_with_inval(void **state)
{
	(void)state;
	for (size_t i = 0; i < NNONCOH; i++) {
		struct rig r = rig(non_coherent[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		assert_int_equal(ld(&r, 0, 0x10040), 0);
		dma_fill(&r, 0x40040, 4, 0xab);
		assert_int_equal(coh_cache_inval(r.m, 0, 0x10040, 4), COH_OK);
		assert_int_equal(ld(&r, 0, 0x10040), 0xabababab);
		silent(&r);
		done(&r);
	}
}

static void stale_read_after_speculative_fill_during_dma(void **state)
{
	(void)state;
	/* inval before the DMA, but a prefetch refills the line meanwhile */
	struct rig r = rig("cortex-a9", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	assert_int_equal(coh_cache_inval(r.m, 0, 0x10000, 64), COH_OK);
	assert_int_equal(coh_cache_prefetch(r.m, 0, 0x10040), COH_OK);
	dma_fill(&r, 0x40040, 4, 0xab);
	ld(&r, 0, 0x10040);
	only(&r, COH_F_STALE_READ);
	done(&r);
}

static void stale_read_through_an_uncached_alias_of_a_dirty_line(void **state)
{
	(void)state;
	struct rig r = rig("cortex-a9", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	map(&r, 0x20000, 0x40000, PAGE, COH_ATTR_UNCACHED);
	st(&r, 0, 0x10040, 0x55);
	assert_int_equal(ld(&r, 0, 0x20040), 0);
	const coh_finding *f = only(&r, COH_F_STALE_READ);
	assert_false(f->stale_is_line);
	assert_non_null(strstr(f->message, "uncached"));
	done(&r);
}

/* ---- stale-dma ---- */

static void stale_dma_when_a_dirty_line_is_not_cleaned(void **state)
{
	(void)state;
	for (size_t i = 0; i < NNONCOH; i++) {
		struct rig r = rig(non_coherent[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x10040);
		st(&r, 0, 0x10044, 0xcafef00d);
		dma_get(&r, 0x40000, 128);
		const coh_finding *f = only(&r, COH_F_STALE_DMA);
		assert_int_equal(f->cpu, -1);
		assert_int_equal(f->pa, 0x40044);
		assert_int_equal(f->va, 0x10044);
		assert_int_equal(f->expected[0], 0x0d);
		assert_int_equal(f->seen[0], 0);
		assert_int_equal(f->writer.kind, COH_EV_STORE);
		assert_non_null(strstr(f->message, "not cleaned"));
		done(&r);
	}
}

static void no_stale_dma_after_clean(void **state)
{
	(void)state;
	for (size_t i = 0; i < NNONCOH; i++) {
		struct rig r = rig(non_coherent[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x10040);
		st(&r, 0, 0x10044, 0xcafef00d);
		assert_int_equal(coh_cache_clean(r.m, 0, 0x10000, 128), COH_OK);
		uint32_t v;
		assert_int_equal(coh_dma_read(r.m, 0x40044, &v, 4), COH_OK);
		assert_int_equal(v, 0xcafef00d);
		dma_get(&r, 0x40000, 128);
		silent(&r);
		done(&r);
	}
}

static void clean_on_the_wrong_cpu_leaves_stale_dma_without_broadcast(void **state)
{
	(void)state;
	struct rig r = rig("armv6", 2);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	assert_int_equal(coh_cache_clean(r.m, 1, 0x10040, 4), COH_OK);
	dma_get(&r, 0x40040, 4);
	only(&r, COH_F_STALE_DMA);
	done(&r);

	r = rig("cortex-a9", 2);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	assert_int_equal(coh_cache_clean(r.m, 1, 0x10040, 4), COH_OK);
	dma_get(&r, 0x40040, 4);
	silent(&r);
	done(&r);
}

static void write_through_mappings_never_cause_stale_dma(void **state)
{
	(void)state;
	for (size_t i = 0; i < NNONCOH; i++) {
		struct rig r = rig(non_coherent[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WT);
		ld(&r, 0, 0x10040);
		st(&r, 0, 0x10040, 0x1234);
		st(&r, 0, 0x10080, 0x5678);
		dma_get(&r, 0x40000, 256);
		silent(&r);
		done(&r);
	}
}

/* ---- lost-write ---- */

static void lost_write_when_a_dirty_line_is_written_back_over_dma_data(void **state)
{
	(void)state;
	for (size_t i = 0; i < NNONCOH; i++) {
		struct rig r = rig(non_coherent[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x10040);
		st(&r, 0, 0x10040, 0x1234);
		dma_fill(&r, 0x40040, 4, 0xee);
		assert_int_equal(coh_cache_evict(r.m, 0, 0x10040), COH_OK);
		const coh_finding *f = only(&r, COH_F_LOST_WRITE);
		assert_int_equal(f->pa, 0x40040);
		assert_int_equal(f->va, 0x10040);
		assert_int_equal(f->expected[0], 0xee);
		assert_int_equal(f->seen[0], 0x34);
		assert_int_equal(f->writer.kind, COH_EV_DMA_WRITE);
		assert_true(f->stale_is_line);
		assert_int_equal(f->trigger.kind, COH_EV_EVICT);
		done(&r);
	}
}

static void no_lost_write_with_clean_and_inval_before_dma(void **state)
{
	(void)state;
	for (size_t i = 0; i < NNONCOH; i++) {
		struct rig r = rig(non_coherent[i], 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x10040);
		st(&r, 0, 0x10040, 0x1234);
		assert_int_equal(coh_cache_flush(r.m, 0, 0x10040, 4), COH_OK);
		dma_fill(&r, 0x40040, 4, 0xee);
		assert_int_equal(coh_cache_evict(r.m, 0, 0x10040), COH_OK);
		assert_int_equal(coh_cache_flush_all(r.m, 0), COH_OK);
		assert_int_equal(ld(&r, 0, 0x10040), 0xeeeeeeee);
		silent(&r);
		done(&r);
	}
}

/* Store to the first half of a line, DMA into the second half, evict. */
static void half_line_then_dma_then_evict(struct rig *r)
{
	map(r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	unsigned line = coh_cache_line_size(r->m);
	ld(r, 0, 0x10000);
	st(r, 0, 0x10000, 0x1234);
	dma_fill(r, 0x40000 + line / 2, line / 2, 0xee);
	assert_int_equal(coh_cache_evict(r->m, 0, 0x10000), COH_OK);
}

static void half_line_dirty_bits_keep_dma_data_in_the_clean_half(void **state)
{
	(void)state;
	const char *names[] = {"xscale", "arm926", "armv6"};
	for (int i = 0; i < 3; i++) {
		struct rig r = rig(names[i], 1);
		half_line_then_dma_then_evict(&r);
		assert_int_equal(ld(&r, 0, 0x10000), 0x1234);
		assert_int_equal(ld(&r, 0, 0x10000 + 28), 0xeeeeeeee);
		silent(&r);
		done(&r);
	}
}

static void one_segment_lines_clobber_dma_data_in_the_other_half(void **state)
{
	(void)state;
	const char *names[] = {"mips-r4k", "sh4", "parisc", "cortex-a9"};
	for (int i = 0; i < 4; i++) {
		struct rig r = rig(names[i], 1);
		half_line_then_dma_then_evict(&r);
		const coh_finding *f = only(&r, COH_F_LOST_WRITE);
		unsigned line = coh_cache_line_size(r.m);
		assert_int_equal(f->pa, 0x40000 + line / 2);
		assert_int_equal(f->expected[0], 0xee);
		assert_int_equal(f->seen[0], 0);
		done(&r);
	}
}

static void lost_write_when_inval_discards_the_only_copy(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		struct rig r = rig(coh_arch_at(i)->name, 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x10040);
		st(&r, 0, 0x10040, 0x1234);
		assert_int_equal(coh_cache_inval(r.m, 0, 0x10040, 4), COH_OK);
		const coh_finding *f = only(&r, COH_F_LOST_WRITE);
		assert_int_equal(f->pa, 0x40040);
		assert_int_equal(f->expected[0], 0x34); /* the discarded latest value */
		assert_int_equal(f->seen[0], 0);        /* what memory holds */
		assert_int_equal(f->trigger.kind, COH_EV_INVAL);
		assert_non_null(strstr(f->message, "only copy"));
		done(&r);
	}
}

static void no_lost_write_when_inval_follows_clean(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		struct rig r = rig(coh_arch_at(i)->name, 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x10040);
		st(&r, 0, 0x10040, 0x1234);
		assert_int_equal(coh_cache_clean(r.m, 0, 0x10040, 4), COH_OK);
		assert_int_equal(coh_cache_inval(r.m, 0, 0x10040, 4), COH_OK);
		assert_int_equal(ld(&r, 0, 0x10040), 0x1234);
		silent(&r);
		done(&r);
	}
}

static void no_lost_write_when_inval_drops_data_the_dma_replaced(void **state)
{
	(void)state;
	/* the streaming DMA_FROM_DEVICE pattern done late: the dirty bytes are
	 * older than the DMA data, so discarding them loses nothing */
	struct rig r = rig("cortex-a9", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	dma_fill(&r, 0x40040, 4, 0xee);
	assert_int_equal(coh_cache_inval(r.m, 0, 0x10040, 4), COH_OK);
	assert_int_equal(ld(&r, 0, 0x10040), 0xeeeeeeee);
	silent(&r);
	done(&r);
}

static void no_lost_write_when_another_alias_still_holds_the_value(void **state)
{
	(void)state;
	struct rig r = rig("xscale", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	map(&r, 0x20000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	st(&r, 0, 0x20040, 0x1234);
	assert_int_equal(coh_cache_inval(r.m, 0, 0x10040, 4), COH_OK);
	silent(&r);
	assert_int_equal(coh_cache_inval(r.m, 0, 0x20040, 4), COH_OK);
	only(&r, COH_F_LOST_WRITE);
	done(&r);
}

static void lost_write_when_an_older_alias_is_written_back_last(void **state)
{
	(void)state;
	struct rig r = rig("xscale", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	map(&r, 0x20000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x20040, 0x1111); /* older */
	st(&r, 0, 0x10040, 0x2222); /* latest */
	assert_int_equal(coh_cache_flush(r.m, 0, 0x10040, 4), COH_OK);
	silent(&r);
	assert_int_equal(coh_cache_flush(r.m, 0, 0x20040, 4), COH_OK);
	const coh_finding *f = only(&r, COH_F_LOST_WRITE);
	assert_int_equal(f->va, 0x20040);
	assert_int_equal(f->stale_line_va, 0x20040);
	assert_int_equal(f->expected[0], 0x22);
	assert_int_equal(f->seen[0], 0x11);
	done(&r);

	/* correct: the older alias is flushed before the other is written */
	r = rig("xscale", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	map(&r, 0x20000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x20040, 0x1111);
	assert_int_equal(coh_cache_flush(r.m, 0, 0x20040, 4), COH_OK);
	st(&r, 0, 0x10040, 0x2222);
	assert_int_equal(coh_cache_flush(r.m, 0, 0x10040, 4), COH_OK);
	assert_int_equal(ld(&r, 0, 0x20040), 0x2222);
	silent(&r);
	done(&r);
}

static void lost_write_when_a_snoop_writes_back_over_dma_data(void **state)
{
	(void)state;
	/* cpu1's dirty copy is written back by cpu0's store to the same line */
	struct rig r = rig("cortex-a9", 2);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 1, 0x10040, 0x1234);
	dma_fill(&r, 0x40040, 4, 0xee);
	st(&r, 0, 0x10048, 0x5678);
	only(&r, COH_F_LOST_WRITE);
	done(&r);
}

/* ---- bad-access ---- */

static void unmapped_load_and_store_are_bad_accesses(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		struct rig r = rig(coh_arch_at(i)->name, 1);
		uint64_t v = 1;
		assert_int_equal(coh_load(r.m, 0, 0x90000, 4, &v), COH_EFAULT);
		const coh_finding *f = only(&r, COH_F_BAD_ACCESS);
		assert_int_equal(f->va, 0x90000);
		assert_int_equal(f->cpu, 0);
		assert_true(f->has_addr);
		assert_int_equal(f->trigger.kind, COH_EV_LOAD);
		assert_int_equal(coh_store(r.m, 0, 0x90008, 4, 1), COH_EFAULT);
		assert_int_equal(coh_check_count(r.c), 2);
		assert_int_equal(coh_check_get(r.c, 1)->kind, COH_F_BAD_ACCESS);
		assert_non_null(strstr(coh_check_get(r.c, 1)->message, "wrote"));
		done(&r);
	}
}

static void access_faults_at_the_first_unmapped_page(void **state)
{
	(void)state;
	struct rig r = rig("x86", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	uint8_t buf[64];
	memset(buf, 0x77, sizeof(buf));
	/* the bytes before the hole are written, as on hardware */
	assert_int_equal(coh_write(r.m, 0, 0x10fe0, buf, sizeof(buf)), COH_EFAULT);
	const coh_finding *f = only(&r, COH_F_BAD_ACCESS);
	assert_int_equal(f->va, 0x11000);
	assert_int_equal(ld(&r, 0, 0x10ffc), 0x77777777);
	done(&r);
}

static void maintenance_of_an_unmapped_va_is_bad_only_when_physically_tagged(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		const coh_arch *a = coh_arch_at(i);
		struct rig r = rig(a->name, 1);
		int rc = coh_cache_flush(r.m, 0, 0x90000, 64);
		if (a->l1.tag == COH_FROM_VIRT) {
			assert_int_equal(rc, COH_OK);
			silent(&r);
		} else {
			assert_int_equal(rc, COH_EFAULT);
			const coh_finding *f = only(&r, COH_F_BAD_ACCESS);
			assert_int_equal(f->va, 0x90000);
			assert_int_equal(f->trigger.kind, COH_EV_FLUSH);
		}
		/* spontaneous evictions and speculative fills never fault */
		size_t before = coh_check_count(r.c);
		assert_int_equal(coh_cache_evict(r.m, 0, 0x90000), COH_OK);
		assert_int_equal(coh_cache_prefetch(r.m, 0, 0x90000), COH_OK);
		assert_int_equal(coh_check_count(r.c), before);
		done(&r);
	}
}

static void vivt_maintenance_after_unmap_is_not_a_bad_access(void **state)
{
	(void)state;
	struct rig r = rig("xscale", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	assert_int_equal(coh_unmap(r.m, COH_KERNEL_AS, 0x10000, PAGE), COH_OK);
	assert_int_equal(coh_cache_flush(r.m, 0, 0x10000, PAGE), COH_OK);
	uint32_t v;
	assert_int_equal(coh_mem_peek(r.m, 0x40040, &v, 4), COH_OK);
	assert_int_equal(v, 0x1234);
	dma_get(&r, 0x40040, 4);
	silent(&r);
	done(&r);
}

/* ---- undefined bytes ---- */

static void bytes_never_written_are_never_reported(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		struct rig r = rig(coh_arch_at(i)->name, 1);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		ld(&r, 0, 0x10040);
		dma_get(&r, 0x40000, 256);
		/* memory changed behind the oracle's back: still undefined */
		uint8_t junk[64];
		memset(junk, 0x5a, sizeof(junk));
		assert_int_equal(coh_mem_poke(r.m, 0x40040, junk, sizeof(junk)), COH_OK);
		ld(&r, 0, 0x10040); /* a cached line on most: differs from memory */
		dma_get(&r, 0x40000, 256);
		assert_int_equal(coh_cache_inval(r.m, 0, 0x10000, PAGE), COH_OK);
		silent(&r);
		done(&r);
	}
}

static void only_the_written_bytes_of_a_stale_load_are_compared(void **state)
{
	(void)state;
	struct rig r = rig("xscale", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	map(&r, 0x20000, 0x40000, PAGE, COH_ATTR_WB);
	uint64_t v;
	assert_int_equal(coh_load(r.m, 0, 0x20040, 8, &v), COH_OK);
	assert_int_equal(coh_store(r.m, 0, 0x10043, 1, 0x9c), COH_OK);
	assert_int_equal(coh_load(r.m, 0, 0x20040, 8, &v), COH_OK);
	const coh_finding *f = only(&r, COH_F_STALE_READ);
	assert_int_equal(f->len, 8);
	const uint8_t exp[8] = {0, 0, 0, 0x9c, 0, 0, 0, 0};
	const uint8_t seen[8] = {0};
	assert_memory_equal(f->expected, exp, 8);
	assert_memory_equal(f->seen, seen, 8);
	done(&r);

	/* a load of only the unwritten neighbours is fine */
	r = rig("xscale", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	map(&r, 0x20000, 0x40000, PAGE, COH_ATTR_WB);
	assert_int_equal(coh_load(r.m, 0, 0x20040, 8, &v), COH_OK);
	assert_int_equal(coh_store(r.m, 0, 0x10043, 1, 0x9c), COH_OK);
	assert_int_equal(coh_load(r.m, 0, 0x20040, 2, &v), COH_OK);
	assert_int_equal(coh_load(r.m, 0, 0x20044, 4, &v), COH_OK);
	silent(&r);
	done(&r);
}

/* ---- x86 ---- */

static void x86_coherent_dma_never_yields_a_finding(void **state)
{
	(void)state;
	struct rig r = rig("x86", 2);
	map(&r, 0x10000, 0x40000, 4 * PAGE, COH_ATTR_WB);
	map(&r, 0x20000, 0x40000, 4 * PAGE, COH_ATTR_WB);
	/* every mistake of the non-coherent tests above, without maintenance */
	for (unsigned k = 0; k < 64; k++) {
		unsigned cpu = k & 1;
		coh_addr_t off = (k * 0x1c4) % (4 * PAGE - 8);
		st(&r, cpu, 0x10000 + off, k * 0x01010101u);
		ld(&r, cpu ^ 1, 0x20000 + off);
		dma_get(&r, 0x40000 + (off & ~0xffull), 256);
		dma_fill(&r, 0x40000 + off, 8, (uint8_t)k);
		assert_int_equal(ld(&r, cpu, 0x10000 + off), k * 0x01010101u);
		st(&r, cpu ^ 1, 0x20000 + off + 4, k);
		assert_int_equal(coh_cache_evict(r.m, cpu ^ 1, 0x20000 + off), COH_OK);
		assert_int_equal(coh_cache_prefetch(r.m, cpu, 0x10000 + off), COH_OK);
		dma_fill(&r, 0x40000 + off, 4, 0x42);
		assert_int_equal(ld(&r, cpu ^ 1, 0x20000 + off), 0x42424242);
	}
	silent(&r);
	done(&r);
}

/* ---- multi-CPU ---- */

static void coherent_cpus_never_read_stale_from_each_other(void **state)
{
	(void)state;
	for (size_t i = 0; i < coh_arch_count(); i++) {
		struct rig r = rig(coh_arch_at(i)->name, 4);
		map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
		for (unsigned k = 0; k < 40; k++) {
			st(&r, k % 4, 0x10000 + (k % 5) * 8, k);
			assert_int_equal(ld(&r, (k + 1) % 4, 0x10000 + (k % 5) * 8), k);
		}
		silent(&r);
		done(&r);
	}
}

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

/* ---- determinism and reset ---- */

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

static void check_reset_forgets_findings_and_shadow(void **state)
{
	(void)state;
	struct rig r = rig("cortex-a9", 1);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	dma_get(&r, 0x40040, 4);
	only(&r, COH_F_STALE_DMA);
	coh_machine_reset(r.m);
	coh_check_reset(r.c);
	assert_int_equal(coh_check_count(r.c), 0);
	assert_null(coh_check_get(r.c, 0));
	/* the store before the reset is forgotten: its bytes are undefined */
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	ld(&r, 0, 0x10040);
	dma_get(&r, 0x40040, 4);
	silent(&r);
	done(&r);
}

static void oracle_off_reports_only_bad_accesses(void **state)
{
	(void)state;
	struct rig r = rig_cfg("cortex-a9", 1, false, 0);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	st(&r, 0, 0x10040, 0x1234);
	dma_get(&r, 0x40040, 4);
	dma_fill(&r, 0x40040, 4, 1);
	ld(&r, 0, 0x10040);
	assert_int_equal(coh_cache_inval(r.m, 0, 0x10040, 4), COH_OK);
	silent(&r);
	uint64_t v;
	assert_int_equal(coh_load(r.m, 0, 0x99000, 4, &v), COH_EFAULT);
	only(&r, COH_F_BAD_ACCESS);
	done(&r);
}

static void findings_stop_at_the_cap(void **state)
{
	(void)state;
	struct rig r = rig_cfg("x86", 1, true, 3);
	uint64_t v;
	for (unsigned k = 0; k < 10; k++)
		assert_int_equal(coh_load(r.m, 0, 0x99000 + k * PAGE, 4, &v), COH_EFAULT);
	assert_int_equal(coh_check_count(r.c), 3);
	assert_null(coh_check_report(r.c, COH_F_BUG, 0, "over the cap"));
	assert_int_equal(coh_check_get(r.c, 2)->va, 0x99000 + 2 * PAGE);
	done(&r);
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

/* A profile of our own with lines longer than any built-in one. */
static void long_lines_are_checked_without_overflow(void **state)
{
	(void)state;
	coh_arch big = *coh_arch_find("cortex-a9");
	big.name = "big-lines";
	big.l1.line_size = 1024;
	big.l1.size = 16 * 1024;
	coh_machine_config cfg;
	coh_machine_config_init(&cfg, &big);
	struct rig r = {0};
	assert_int_equal(coh_machine_create(&cfg, &r.m), COH_OK);
	assert_int_equal(coh_check_create(r.m, NULL, &r.c), COH_OK);
	map(&r, 0x10000, 0x40000, PAGE, COH_ATTR_WB);
	uint8_t buf[1024];
	memset(buf, 0x11, sizeof(buf));
	assert_int_equal(coh_write(r.m, 0, 0x10000, buf, sizeof(buf)), COH_OK);
	memset(buf, 0x22, sizeof(buf));
	assert_int_equal(coh_dma_write(r.m, 0x40000, buf, sizeof(buf)), COH_OK);
	assert_int_equal(coh_read(r.m, 0, 0x10000, buf, sizeof(buf)), COH_OK);
	assert_int_equal(coh_cache_evict(r.m, 0, 0x10000), COH_OK); /* lost-write */
	memset(buf, 0x33, sizeof(buf));
	assert_int_equal(coh_write(r.m, 0, 0x10000, buf, sizeof(buf)), COH_OK);
	assert_int_equal(coh_cache_inval(r.m, 0, 0x10000, 1024), COH_OK); /* lost-write */
	assert_int_equal(count_kind(&r, COH_F_STALE_READ), 1);
	assert_int_equal(count_kind(&r, COH_F_LOST_WRITE), 2);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(stale_read_through_an_alias_without_flush),
	    cmocka_unit_test(no_stale_read_after_flush_of_writer_and_inval_of_reader),
	    cmocka_unit_test(pipt_aliases_never_read_stale),
	    cmocka_unit_test(stale_read_after_dma_write_without_inval),
	    cmocka_unit_test(no_stale_read_after_dma_write_with_inval),
	    cmocka_unit_test(stale_read_after_speculative_fill_during_dma),
	    cmocka_unit_test(stale_read_through_an_uncached_alias_of_a_dirty_line),
	    cmocka_unit_test(stale_dma_when_a_dirty_line_is_not_cleaned),
	    cmocka_unit_test(no_stale_dma_after_clean),
	    cmocka_unit_test(clean_on_the_wrong_cpu_leaves_stale_dma_without_broadcast),
	    cmocka_unit_test(write_through_mappings_never_cause_stale_dma),
	    cmocka_unit_test(lost_write_when_a_dirty_line_is_written_back_over_dma_data),
	    cmocka_unit_test(no_lost_write_with_clean_and_inval_before_dma),
	    cmocka_unit_test(half_line_dirty_bits_keep_dma_data_in_the_clean_half),
	    cmocka_unit_test(one_segment_lines_clobber_dma_data_in_the_other_half),
	    cmocka_unit_test(lost_write_when_inval_discards_the_only_copy),
	    cmocka_unit_test(no_lost_write_when_inval_follows_clean),
	    cmocka_unit_test(no_lost_write_when_inval_drops_data_the_dma_replaced),
	    cmocka_unit_test(no_lost_write_when_another_alias_still_holds_the_value),
	    cmocka_unit_test(lost_write_when_an_older_alias_is_written_back_last),
	    cmocka_unit_test(lost_write_when_a_snoop_writes_back_over_dma_data),
	    cmocka_unit_test(unmapped_load_and_store_are_bad_accesses),
	    cmocka_unit_test(access_faults_at_the_first_unmapped_page),
	    cmocka_unit_test(maintenance_of_an_unmapped_va_is_bad_only_when_physically_tagged),
	    cmocka_unit_test(vivt_maintenance_after_unmap_is_not_a_bad_access),
	    cmocka_unit_test(bytes_never_written_are_never_reported),
	    cmocka_unit_test(only_the_written_bytes_of_a_stale_load_are_compared),
	    cmocka_unit_test(x86_coherent_dma_never_yields_a_finding),
	    cmocka_unit_test(coherent_cpus_never_read_stale_from_each_other),
	    cmocka_unit_test(a_finding_names_addresses_bytes_writer_and_stale_line),
	    cmocka_unit_test(text_report_names_everything),
	    cmocka_unit_test(json_report_is_valid_and_has_the_keys),
	    cmocka_unit_test(every_kind_prints_valid_json_and_text),
	    cmocka_unit_test(kind_names_are_the_documented_ones),
	    cmocka_unit_test(the_same_operations_print_byte_identical_reports),
	    cmocka_unit_test(check_reset_forgets_findings_and_shadow),
	    cmocka_unit_test(oracle_off_reports_only_bad_accesses),
	    cmocka_unit_test(findings_stop_at_the_cap),
	    cmocka_unit_test(a_writer_older_than_the_ring_is_marked_aged_out),
	    cmocka_unit_test(long_lines_are_checked_without_overflow),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
