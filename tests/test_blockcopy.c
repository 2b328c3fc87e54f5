/*
 * test_blockcopy.c - the block-copy oracle: a copy that serves an older
 * version than the latest is a stale-read (whoever wrote the latest: another
 * copy, a direct write), a write-back of an older version over a newer one
 * is a lost-write, and the correct counterparts stay silent; what a finding
 * names; reset and bad arguments.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/blockcopy.h"
#include "cohsim/machine.h"

struct rig {
	coh_machine *m;
	coh_check *c;
	unsigned dev;
};

static struct rig rig_make(bool oracle)
{
	struct rig r = {0};
	coh_machine_config cfg;
	coh_machine_config_init(&cfg, coh_arch_find("x86"));
	assert_int_equal(coh_machine_create(&cfg, &r.m), COH_OK);
	coh_check_config cc;
	coh_check_config_init(&cc);
	cc.oracle = oracle;
	assert_int_equal(coh_check_create(r.m, &cc, &r.c), COH_OK);
	assert_int_equal(coh_blk_dev_register(r.c, "md", 64, &r.dev), COH_OK);
	return r;
}

static void rig_free(struct rig *r)
{
	coh_check_destroy(r->c);
	coh_machine_destroy(r->m);
}

static unsigned copy(struct rig *r, uint64_t sector, const char *owner)
{
	unsigned k;
	assert_int_equal(coh_blk_copy_create(r->c, r->dev, sector, 8, owner, &k), COH_OK);
	return k;
}

static size_t count(const struct rig *r, enum coh_finding_kind kind)
{
	size_t n = 0;
	for (size_t i = 0; i < coh_check_count(r->c); i++)
		n += coh_check_get(r->c, i)->kind == kind;
	return n;
}

/* Two clients fill the same block; one stores and writes back; the other
 * serves its old copy: the seed-5 shape. */
static void stale_copy_of_another_client_is_reported(void **state)
{
	(void)state;
	struct rig r = rig_make(true);
	unsigned a = copy(&r, 0, "client 1 block 0");
	unsigned b = copy(&r, 0, "client 2 block 0");
	coh_blk_copy_fill(r.c, a);
	coh_blk_copy_fill(r.c, b);
	coh_blk_copy_read(r.c, b, 0);
	assert_int_equal(coh_check_count(r.c), 0);
	coh_blk_copy_store(r.c, a, 0);
	coh_blk_copy_writeback(r.c, a);
	assert_int_equal(coh_check_count(r.c), 0);
	coh_blk_copy_read(r.c, b, 1);
	assert_int_equal(coh_check_count(r.c), 1);
	const coh_finding *f = coh_check_get(r.c, 0);
	assert_int_equal(f->kind, COH_F_STALE_READ);
	assert_int_equal(f->cpu, 1);
	assert_non_null(strstr(f->message, "md sector 0"));
	assert_non_null(strstr(f->message, "client 2 block 0"));
	assert_non_null(strstr(f->message, "stored by client 1 block 0"));
	assert_true(f->writer.no != 0);
	assert_int_equal(f->writer.kind, COH_EV_NOTE);
	/* once per copy until it is filled again */
	coh_blk_copy_read(r.c, b, 1);
	assert_int_equal(coh_check_count(r.c), 1);
	coh_blk_copy_fill(r.c, b);
	coh_blk_copy_read(r.c, b, 1);
	assert_int_equal(coh_check_count(r.c), 1);
	rig_free(&r);
}

/* A dirty copy not yet written back is the latest: another copy filled
 * from the medium meanwhile is stale, and so is a direct read. */
static void dirty_copy_elsewhere_makes_the_medium_stale(void **state)
{
	(void)state;
	struct rig r = rig_make(true);
	unsigned a = copy(&r, 8, "client 1 block 1");
	coh_blk_copy_fill(r.c, a);
	coh_blk_copy_store(r.c, a, 0);
	unsigned b = copy(&r, 8, "client 2 block 1");
	coh_blk_copy_fill(r.c, b);
	coh_blk_copy_read(r.c, b, 0);
	coh_blk_dev_read(r.c, r.dev, 12, 1, 0);
	assert_int_equal(count(&r, COH_F_STALE_READ), 2);
	assert_non_null(strstr(coh_check_get(r.c, 1)->message, "md sector 12"));
	assert_non_null(strstr(coh_check_get(r.c, 1)->message, "the medium"));
	rig_free(&r);
}

/* The second client writes back its old copy over the first's commit. */
static void writeback_of_old_copy_is_lost_write(void **state)
{
	(void)state;
	struct rig r = rig_make(true);
	unsigned a = copy(&r, 0, "client 1 block 0");
	unsigned b = copy(&r, 0, "client 2 block 0");
	coh_blk_copy_fill(r.c, a);
	coh_blk_copy_fill(r.c, b);
	coh_blk_copy_store(r.c, b, 0); /* version 1, in b */
	coh_blk_copy_store(r.c, a, 0); /* version 2, in a */
	coh_blk_copy_writeback(r.c, a);
	assert_int_equal(coh_blk_medium(r.c, r.dev, 3), 2);
	coh_blk_copy_writeback(r.c, b);
	assert_int_equal(count(&r, COH_F_LOST_WRITE), 1);
	const coh_finding *f = coh_check_get(r.c, 0);
	assert_int_equal(f->cpu, -1);
	assert_non_null(strstr(f->message, "client 2 block 0 wrote back version 1 over version 2"));
	assert_int_equal(coh_blk_medium(r.c, r.dev, 3), 1);
	assert_int_equal(coh_blk_latest(r.c, r.dev, 3), 2);
	rig_free(&r);
}

/* The same client's store and write-back, then refills: never a finding. */
static void one_client_in_order_is_clean(void **state)
{
	(void)state;
	struct rig r = rig_make(true);
	unsigned a = copy(&r, 0, "client 1 block 0");
	coh_blk_copy_fill(r.c, a);
	for (int i = 0; i < 3; i++) {
		coh_blk_copy_store(r.c, a, 0);
		coh_blk_copy_read(r.c, a, 0);
		coh_blk_copy_writeback(r.c, a);
	}
	coh_blk_copy_destroy(r.c, a);
	unsigned b = copy(&r, 0, "client 1 block 0 again");
	coh_blk_copy_fill(r.c, b);
	coh_blk_copy_read(r.c, b, 0);
	coh_blk_dev_read(r.c, r.dev, 0, 64, 0);
	assert_int_equal(coh_blk_copy_version(r.c, b, 5), 3);
	assert_int_equal(coh_check_count(r.c), 0);
	rig_free(&r);
}

/* A write by another path (a bio straight to the device) is a version too. */
static void direct_write_makes_copies_stale(void **state)
{
	(void)state;
	struct rig r = rig_make(true);
	unsigned a = copy(&r, 16, "client 1 block 2");
	coh_blk_copy_fill(r.c, a);
	coh_blk_dev_write(r.c, r.dev, 20, 1, -1);
	coh_blk_copy_read(r.c, a, 0);
	assert_int_equal(count(&r, COH_F_STALE_READ), 1);
	assert_non_null(strstr(coh_check_get(r.c, 0)->message, "md sector 20"));
	assert_non_null(strstr(coh_check_get(r.c, 0)->message, "a direct write"));
	rig_free(&r);
}

/* Initial contents are never reported; a copy never filled holds version 0. */
static void initial_contents_are_not_reported(void **state)
{
	(void)state;
	struct rig r = rig_make(true);
	unsigned a = copy(&r, 0, "new buffer");
	coh_blk_copy_read(r.c, a, 0);
	coh_blk_copy_writeback(r.c, a);
	coh_blk_dev_read(r.c, r.dev, 0, 64, 0);
	assert_int_equal(coh_check_count(r.c), 0);
	rig_free(&r);
}

static void reset_and_bad_arguments(void **state)
{
	(void)state;
	struct rig r = rig_make(true);
	unsigned k;
	assert_int_equal(coh_blk_copy_create(r.c, r.dev, 60, 8, "x", &k), COH_EINVAL);
	assert_int_equal(coh_blk_copy_create(r.c, r.dev + 1, 0, 8, "x", &k), COH_EINVAL);
	assert_int_equal(coh_blk_copy_create(r.c, r.dev, 0, 0, "x", &k), COH_EINVAL);
	assert_int_equal(coh_blk_dev_register(r.c, "", 8, &k), COH_EINVAL);
	assert_int_equal(coh_blk_dev_register(r.c, "z", 0, &k), COH_EINVAL);
	/* calls on unknown ids and ranges are ignored */
	coh_blk_copy_read(r.c, 99, 0);
	coh_blk_dev_write(r.c, r.dev, 63, 2, 0);
	assert_int_equal(coh_blk_latest(r.c, r.dev, 63), 0);
	coh_blk_dev_write(r.c, r.dev, 0, 1, 0);
	assert_int_equal(coh_blk_latest(r.c, r.dev, 0), 1);
	coh_check_reset(r.c);
	assert_int_equal(coh_blk_latest(r.c, r.dev, 0), 0);
	assert_int_equal(coh_blk_copy_create(r.c, 0, 0, 8, "x", &k), COH_EINVAL);
	rig_free(&r);
}

static void oracle_off_tracks_nothing(void **state)
{
	(void)state;
	struct rig r = rig_make(false);
	unsigned a = copy(&r, 0, "a"), b = copy(&r, 0, "b");
	coh_blk_copy_fill(r.c, a);
	coh_blk_copy_store(r.c, b, 0);
	coh_blk_copy_writeback(r.c, b);
	coh_blk_copy_read(r.c, a, 0);
	assert_int_equal(coh_check_count(r.c), 0);
	rig_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(stale_copy_of_another_client_is_reported),
	    cmocka_unit_test(dirty_copy_elsewhere_makes_the_medium_stale),
	    cmocka_unit_test(writeback_of_old_copy_is_lost_write),
	    cmocka_unit_test(one_client_in_order_is_clean),
	    cmocka_unit_test(direct_write_makes_copies_stale),
	    cmocka_unit_test(initial_contents_are_not_reported),
	    cmocka_unit_test(reset_and_bad_arguments),
	    cmocka_unit_test(oracle_off_tracks_nothing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
