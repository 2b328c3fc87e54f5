/*
 * test_blockcopy_op.c - the block-copy oracle's operations (direct I/O):
 * a direct write that completed makes an older copy stale, a direct read
 * of the medium older than a completed buffered write is stale, a
 * write-back of a copy over a later direct write is a lost write; and
 * operations that overlap (a read during a write, a store during a write)
 * are not reported, as POSIX lets them see either value.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/blockcopy.h"
#include "cohsim/machine.h"

struct rig {
	coh_machine *m;
	coh_check *c;
	unsigned dev;
	unsigned page; /* a page-cache page: a copy of sectors 8-15 */
};

static struct rig rig_make(void)
{
	struct rig r = {0};
	coh_machine_config cfg;
	coh_machine_config_init(&cfg, coh_arch_find("x86"));
	assert_int_equal(coh_machine_create(&cfg, &r.m), COH_OK);
	coh_check_config cc;
	coh_check_config_init(&cc);
	assert_int_equal(coh_check_create(r.m, &cc, &r.c), COH_OK);
	assert_int_equal(coh_blk_dev_register(r.c, "sda", 64, &r.dev), COH_OK);
	assert_int_equal(coh_blk_copy_create(r.c, r.dev, 8, 8, "page 1 of file data", &r.page),
	                 COH_OK);
	return r;
}

static void rig_free(struct rig *r)
{
	coh_check_destroy(r->c);
	coh_machine_destroy(r->m);
}

static const coh_finding *only(const struct rig *r, enum coh_finding_kind kind)
{
	assert_int_equal(coh_check_count(r->c), 1);
	const coh_finding *f = coh_check_get(r->c, 0);
	assert_int_equal(f->kind, kind);
	return f;
}

/* The page was filled, a direct write reached the disk and completed, a
 * buffered read is served from the page: stale (seed 3, 332391a). */
static void completed_direct_write_makes_a_page_stale(void **state)
{
	(void)state;
	struct rig r = rig_make();
	coh_blk_copy_fill(r.c, r.page);
	unsigned w = coh_blk_op_begin(r.c, r.dev, true, 0, "a direct write");
	assert_true(w != 0);
	coh_blk_op_dma(r.c, w, 8, 8, true);
	coh_blk_op_end(r.c, w);
	coh_blk_copy_read(r.c, r.page, 1);
	const coh_finding *f = only(&r, COH_F_STALE_READ);
	assert_non_null(strstr(f->message, "sda sector 8"));
	assert_non_null(strstr(f->message, "page 1 of file data"));
	assert_non_null(strstr(f->message, "a direct write"));
	rig_free(&r);
}

/* The same read while the direct write is in flight (DMA done, not yet
 * completed): the read overlaps the write and may see the old data. */
static void read_during_a_direct_write_is_not_reported(void **state)
{
	(void)state;
	struct rig r = rig_make();
	coh_blk_copy_fill(r.c, r.page);
	unsigned w = coh_blk_op_begin(r.c, r.dev, true, 0, "a direct write");
	coh_blk_op_dma(r.c, w, 8, 8, true);
	coh_blk_copy_read(r.c, r.page, 1);
	assert_int_equal(coh_check_count(r.c), 0);
	/* a fill after the DMA holds the new data: clean after completion */
	coh_blk_copy_fill(r.c, r.page);
	coh_blk_op_end(r.c, w);
	coh_blk_copy_read(r.c, r.page, 1);
	assert_int_equal(coh_check_count(r.c), 0);
	rig_free(&r);
}

/* A buffered write completed into a dirty page; a direct read that began
 * after it reads the disk: stale (no filemap_write_and_wait). */
static void direct_read_of_the_medium_behind_a_dirty_page_is_stale(void **state)
{
	(void)state;
	struct rig r = rig_make();
	coh_blk_copy_fill(r.c, r.page);
	coh_blk_copy_store(r.c, r.page, 0);
	unsigned rd = coh_blk_op_begin(r.c, r.dev, false, 1, "a direct read");
	coh_blk_op_dma(r.c, rd, 8, 8, false);
	coh_blk_op_end(r.c, rd);
	const coh_finding *f = only(&r, COH_F_STALE_READ);
	assert_non_null(strstr(f->message, "for a direct read"));
	rig_free(&r);
}

/* The buffered write came after the direct read began: they overlap. And
 * with the page written back first, the read is clean. */
static void direct_read_overlapping_a_buffered_write_is_not_reported(void **state)
{
	(void)state;
	struct rig r = rig_make();
	coh_blk_copy_fill(r.c, r.page);
	unsigned rd = coh_blk_op_begin(r.c, r.dev, false, 1, "a direct read");
	coh_blk_copy_store(r.c, r.page, 0);
	coh_blk_op_dma(r.c, rd, 8, 8, false);
	coh_blk_op_end(r.c, rd);
	assert_int_equal(coh_check_count(r.c), 0);
	coh_blk_copy_writeback(r.c, r.page);
	rd = coh_blk_op_begin(r.c, r.dev, false, 1, "a direct read");
	coh_blk_op_dma(r.c, rd, 8, 8, false);
	coh_blk_op_end(r.c, rd);
	assert_int_equal(coh_check_count(r.c), 0);
	rig_free(&r);
}

/* A dirty page stored before a direct write began is written back after
 * the write's DMA: the direct write is lost (no write-and-wait first). */
static void writeback_over_a_later_direct_write_is_a_lost_write(void **state)
{
	(void)state;
	struct rig r = rig_make();
	coh_blk_copy_fill(r.c, r.page);
	coh_blk_copy_store(r.c, r.page, 0);
	unsigned w = coh_blk_op_begin(r.c, r.dev, true, 1, "a direct write");
	coh_blk_op_dma(r.c, w, 8, 8, true);
	coh_blk_copy_writeback(r.c, r.page);
	coh_blk_op_end(r.c, w);
	const coh_finding *f = only(&r, COH_F_LOST_WRITE);
	assert_non_null(strstr(f->message, "page 1 of file data wrote back"));
	assert_non_null(strstr(f->message, "a direct write"));
	rig_free(&r);
}

/* The page was stored while the direct write was in flight: either order
 * is a valid outcome, no finding. */
static void writeback_of_a_store_during_a_direct_write_is_not_reported(void **state)
{
	(void)state;
	struct rig r = rig_make();
	coh_blk_copy_fill(r.c, r.page);
	unsigned w = coh_blk_op_begin(r.c, r.dev, true, 1, "a direct write");
	coh_blk_copy_store(r.c, r.page, 0);
	coh_blk_op_dma(r.c, w, 8, 8, true);
	coh_blk_copy_writeback(r.c, r.page);
	coh_blk_op_end(r.c, w);
	coh_blk_copy_read(r.c, r.page, 0);
	assert_int_equal(coh_check_count(r.c), 0);
	rig_free(&r);
}

/* Bad ids do nothing; with the oracle off nothing is tracked. */
static void bad_operations_are_ignored(void **state)
{
	(void)state;
	struct rig r = rig_make();
	assert_int_equal(coh_blk_op_begin(r.c, 7, true, 0, "x"), 0);
	coh_blk_op_dma(r.c, 0, 0, 8, true);
	coh_blk_op_dma(r.c, 99, 0, 8, false);
	coh_blk_op_end(r.c, 99);
	unsigned w = coh_blk_op_begin(r.c, r.dev, true, 0, "w");
	coh_blk_op_dma(r.c, w, 60, 8, true); /* beyond the device */
	coh_blk_op_end(r.c, w);
	coh_blk_op_end(r.c, w); /* twice */
	assert_int_equal(coh_blk_latest(r.c, r.dev, 60), 0);
	assert_int_equal(coh_check_count(r.c), 0);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(completed_direct_write_makes_a_page_stale),
	    cmocka_unit_test(read_during_a_direct_write_is_not_reported),
	    cmocka_unit_test(direct_read_of_the_medium_behind_a_dirty_page_is_stale),
	    cmocka_unit_test(direct_read_overlapping_a_buffered_write_is_not_reported),
	    cmocka_unit_test(writeback_over_a_later_direct_write_is_a_lost_write),
	    cmocka_unit_test(writeback_of_a_store_during_a_direct_write_is_not_reported),
	    cmocka_unit_test(bad_operations_are_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
