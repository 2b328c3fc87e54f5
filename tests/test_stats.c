/*
 * test_stats.c - the machine's statistics (coh_machine_stats): loads and
 * stores, hits and misses per line access, fills, write-backs, evictions,
 * operations by kind, DMA bytes, the oracle's checks, and reset.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/check.h"
#include "cohsim/machine.h"

#define PAGE 4096u

/* x86: PIPT, 32 KiB, 8 ways, 64-byte lines (64 sets: a 4 KiB way), LRU,
 * write-allocate. 1 MiB mapped write-back at VA = PA. */
static coh_machine *mk(unsigned ncpus)
{
	coh_machine_config cfg;
	coh_machine *m = NULL;
	coh_machine_config_init(&cfg, coh_arch_find("x86"));
	cfg.ncpus = ncpus;
	assert_int_equal(coh_machine_create(&cfg, &m), COH_OK);
	assert_int_equal(coh_map(m, COH_KERNEL_AS, 0, 0, 1u << 20, COH_ATTR_WB), COH_OK);
	return m;
}

static coh_cpu_stats cpu0(const coh_machine *m)
{
	coh_stats st;
	coh_machine_stats(m, &st);
	return st.cpu[0];
}

static void a_new_machine_counts_nothing(void **state)
{
	(void)state;
	coh_machine *m = mk(2);
	coh_stats st;
	memset(&st, 0xff, sizeof(st));
	coh_machine_stats(m, &st);
	assert_int_equal(st.ncpus, 2);
	coh_stats zero;
	memset(&zero, 0, sizeof(zero));
	zero.ncpus = 2;
	assert_memory_equal(&st, &zero, sizeof(st));
	coh_machine_destroy(m);
}

static void loads_and_stores_count_hits_misses_and_fills(void **state)
{
	(void)state;
	coh_machine *m = mk(1);
	uint64_t v;
	assert_int_equal(coh_load(m, 0, 0x1000, 4, &v), COH_OK); /* read miss */
	assert_int_equal(coh_load(m, 0, 0x1008, 4, &v), COH_OK); /* read hit */
	assert_int_equal(coh_store(m, 0, 0x1010, 4, 7), COH_OK); /* write hit */
	assert_int_equal(coh_store(m, 0, 0x2000, 8, 7), COH_OK); /* write miss, allocates */
	assert_int_equal(coh_store(m, 0, 0x2000, 1, 8), COH_OK); /* write hit */
	coh_cpu_stats s = cpu0(m);
	assert_int_equal(s.loads, 2);
	assert_int_equal(s.stores, 3);
	assert_int_equal(s.read_hits, 1);
	assert_int_equal(s.read_misses, 1);
	assert_int_equal(s.write_hits, 2);
	assert_int_equal(s.write_misses, 1);
	assert_int_equal(s.fills, 2);
	assert_int_equal(s.evictions, 0);
	assert_int_equal(s.writebacks, 0);
	coh_machine_destroy(m);
}

static void an_access_across_two_lines_is_two_line_accesses(void **state)
{
	(void)state;
	coh_machine *m = mk(1);
	uint64_t v;
	assert_int_equal(coh_load(m, 0, 0x1000, 4, &v), COH_OK); /* miss line 0x1000 */
	assert_int_equal(coh_load(m, 0, 0x103c, 8, &v), COH_OK); /* hit 0x1000, miss 0x1040 */
	uint8_t buf[200];
	assert_int_equal(coh_read(m, 0, 0x1000, buf, sizeof(buf)), COH_OK); /* 4 lines: 2 hits */
	coh_cpu_stats s = cpu0(m);
	assert_int_equal(s.loads, 3);
	assert_int_equal(s.read_hits, 1 + 2);
	assert_int_equal(s.read_misses, 2 + 2);
	assert_int_equal(s.fills, 4);
	coh_machine_destroy(m);
}

static void a_full_set_evicts_its_least_recently_used_line(void **state)
{
	(void)state;
	coh_machine *m = mk(1);
	/* 9 lines of one set (a way is 4 KiB): the 9th evicts the first,
	 * which is dirty and written back */
	assert_int_equal(coh_store(m, 0, 0x0, 4, 1), COH_OK);
	uint64_t v;
	for (unsigned i = 1; i <= 8; i++)
		assert_int_equal(coh_load(m, 0, i * PAGE, 4, &v), COH_OK);
	coh_cpu_stats s = cpu0(m);
	assert_int_equal(s.fills, 9);
	assert_int_equal(s.evictions, 1);
	assert_int_equal(s.writebacks, 1);
	/* line 0 is gone: loading it misses and evicts line 1 (clean) */
	assert_int_equal(coh_load(m, 0, 0, 4, &v), COH_OK);
	s = cpu0(m);
	assert_int_equal(s.read_misses, 9);
	assert_int_equal(s.evictions, 2);
	assert_int_equal(s.writebacks, 1);
	coh_machine_destroy(m);
}

static void maintenance_operations_count_by_kind(void **state)
{
	(void)state;
	coh_machine *m = mk(1);
	assert_int_equal(coh_store(m, 0, 0x3000, 4, 1), COH_OK);
	assert_int_equal(coh_cache_clean(m, 0, 0x3000, 256), COH_OK);
	assert_int_equal(coh_cache_inval(m, 0, 0x3000, 64), COH_OK);
	assert_int_equal(coh_cache_flush(m, 0, 0x3000, 64), COH_OK);
	assert_int_equal(coh_cache_flush(m, 0, 0x3000, 64), COH_OK);
	assert_int_equal(coh_cache_flush_all(m, 0), COH_OK);
	assert_int_equal(coh_cache_prefetch(m, 0, 0x5000), COH_OK);
	assert_int_equal(coh_cache_evict(m, 0, 0x5000), COH_OK);
	coh_cpu_stats s = cpu0(m);
	assert_int_equal(s.ops[COH_OP_CLEAN], 1);
	assert_int_equal(s.ops[COH_OP_INVAL], 1);
	assert_int_equal(s.ops[COH_OP_FLUSH], 2);
	assert_int_equal(s.ops[COH_OP_FLUSH_ALL], 1);
	assert_int_equal(s.ops[COH_OP_PREFETCH], 1);
	assert_int_equal(s.ops[COH_OP_EVICT], 1);
	assert_int_equal(s.fills, 2);      /* the store's, the prefetch's */
	assert_int_equal(s.writebacks, 1); /* the clean's */
	assert_string_equal(coh_op_kind_name(COH_OP_FLUSH_ALL), "flush-all");
	coh_machine_destroy(m);
}

static void dma_bytes_count_each_way(void **state)
{
	(void)state;
	coh_machine *m = mk(1);
	uint8_t buf[300] = {1};
	assert_int_equal(coh_dma_write(m, 0x4000, buf, 300), COH_OK);
	assert_int_equal(coh_dma_read(m, 0x4000, buf, 100), COH_OK);
	assert_int_equal(coh_dma_read(m, 0x4000, buf, 20), COH_OK);
	coh_stats st;
	coh_machine_stats(m, &st);
	assert_int_equal(st.dma_writes, 1);
	assert_int_equal(st.dma_reads, 2);
	assert_int_equal(st.dma_write_bytes, 300);
	assert_int_equal(st.dma_read_bytes, 120);
	assert_int_equal(st.dma_oracle_checks, 0); /* no checker attached */
	coh_machine_destroy(m);
}

static void the_oracle_checks_loads_writebacks_and_dma_reads(void **state)
{
	(void)state;
	coh_machine *m = mk(1);
	coh_check *chk;
	coh_check_config cc;
	coh_check_config_init(&cc);
	assert_int_equal(coh_check_create(m, &cc, &chk), COH_OK);
	uint64_t v;
	uint8_t b[8];
	assert_int_equal(coh_store(m, 0, 0x1000, 4, 1), COH_OK);
	assert_int_equal(coh_load(m, 0, 0x1000, 4, &v), COH_OK);
	assert_int_equal(coh_load(m, 0, 0x103c, 8, &v), COH_OK); /* two checks */
	assert_int_equal(coh_cache_clean(m, 0, 0x1000, 4), COH_OK);
	assert_int_equal(coh_dma_read(m, 0x1000, b, 8), COH_OK);
	coh_stats st;
	coh_machine_stats(m, &st);
	assert_int_equal(st.cpu[0].oracle_checks, 1 + 2 + 1);
	assert_int_equal(st.dma_oracle_checks, 1);
	assert_int_equal(coh_check_count(chk), 0);
	coh_check_destroy(chk);
	coh_machine_destroy(m);
}

static void uncached_accesses_are_neither_hits_nor_misses(void **state)
{
	(void)state;
	coh_machine *m = mk(1);
	assert_int_equal(coh_map(m, COH_KERNEL_AS, 0x40000000, 0x10000, PAGE, COH_ATTR_UNCACHED),
	                 COH_OK);
	uint64_t v;
	assert_int_equal(coh_store(m, 0, 0x40000000, 4, 1), COH_OK);
	assert_int_equal(coh_load(m, 0, 0x40000000, 4, &v), COH_OK);
	coh_cpu_stats s = cpu0(m);
	assert_int_equal(s.loads, 1);
	assert_int_equal(s.stores, 1);
	assert_int_equal(s.uncached_reads, 1);
	assert_int_equal(s.uncached_writes, 1);
	assert_int_equal(s.read_hits + s.read_misses + s.write_hits + s.write_misses, 0);
	assert_int_equal(s.fills, 0);
	coh_machine_destroy(m);
}

static void each_cpu_counts_its_own_and_snoops_write_back(void **state)
{
	(void)state;
	coh_machine *m = mk(2);
	uint64_t v;
	assert_int_equal(coh_store(m, 0, 0x1000, 4, 1), COH_OK);
	assert_int_equal(coh_load(m, 1, 0x1000, 4, &v), COH_OK); /* snoops cpu0's dirty line */
	coh_stats st;
	coh_machine_stats(m, &st);
	assert_int_equal(st.cpu[0].stores, 1);
	assert_int_equal(st.cpu[0].loads, 0);
	assert_int_equal(st.cpu[0].writebacks, 1);
	assert_int_equal(st.cpu[1].loads, 1);
	assert_int_equal(st.cpu[1].read_misses, 1);
	assert_int_equal(st.cpu[1].writebacks, 0);
	coh_machine_destroy(m);
}

static void reset_clears_every_counter(void **state)
{
	(void)state;
	coh_machine *m = mk(2);
	uint64_t v;
	uint8_t b[4] = {0};
	assert_int_equal(coh_store(m, 1, 0x1000, 4, 1), COH_OK);
	assert_int_equal(coh_load(m, 0, 0x1000, 4, &v), COH_OK);
	assert_int_equal(coh_cache_flush_all(m, 1), COH_OK);
	assert_int_equal(coh_dma_write(m, 0x1000, b, 4), COH_OK);
	coh_machine_reset(m);
	coh_stats st, zero;
	coh_machine_stats(m, &st);
	memset(&zero, 0, sizeof(zero));
	zero.ncpus = 2;
	assert_memory_equal(&st, &zero, sizeof(st));
	coh_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(a_new_machine_counts_nothing),
	    cmocka_unit_test(loads_and_stores_count_hits_misses_and_fills),
	    cmocka_unit_test(an_access_across_two_lines_is_two_line_accesses),
	    cmocka_unit_test(a_full_set_evicts_its_least_recently_used_line),
	    cmocka_unit_test(maintenance_operations_count_by_kind),
	    cmocka_unit_test(dma_bytes_count_each_way),
	    cmocka_unit_test(the_oracle_checks_loads_writebacks_and_dma_reads),
	    cmocka_unit_test(uncached_accesses_are_neither_hits_nor_misses),
	    cmocka_unit_test(each_cpu_counts_its_own_and_snoops_write_back),
	    cmocka_unit_test(reset_clears_every_counter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
