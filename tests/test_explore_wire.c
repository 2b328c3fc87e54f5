/*
 * test_explore_wire.c - a --jobs worker's result bytes (explore_wire.c):
 * what is encoded decodes to the same; every truncation, a padded tail, a
 * corrupt count or length and foreign bytes are refused, never trusted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sched/explore_impl.h"

static void sample(struct coh__wres *w)
{
	memset(w, 0, sizeof(*w));
	w->base = 1;
	w->stride = 2;
	w->count = 7;
	w->nunits = w->capunits = 2;
	w->units = calloc(2, sizeof(*w->units));
	w->units[0] = (struct coh__unitrec){3, 4, 5, 0};
	w->units[1] = (struct coh__unitrec){6, 7, 8, 2};
	w->nfound = w->capfound = 1;
	w->found = calloc(1, sizeof(*w->found));
	w->found[0] = (struct coh__found){9,
	                                  10,
	                                  COH_F_LOST_WRITE,
	                                  strdup("k"),
	                                  strdup("v1:"),
	                                  strdup("report\n"),
	                                  strdup("{}"),
	                                  3,
	                                  1,
	                                  5};
	w->exhausted = true;
	w->max_steps = 99;
	w->pct_n = 4;
}

static void encode_decode_round_trip(void **state)
{
	(void)state;
	struct coh__wres w, back;
	sample(&w);
	char *buf;
	size_t len;
	assert_int_equal(coh__wres_encode(&w, -7, &buf, &len), 0);
	int rc = 0;
	assert_int_equal(coh__wres_decode(buf, len, &back, &rc), 0);
	assert_int_equal(rc, -7);
	assert_int_equal(back.count, 7);
	assert_int_equal(back.nunits, 2);
	assert_int_equal(back.units[1].npruned, 8);
	assert_int_equal(back.units[1].cost, 2);
	assert_int_equal(back.found[0].cost, 5);
	assert_int_equal(back.nfound, 1);
	assert_string_equal(back.found[0].report, "report\n");
	assert_int_equal(back.found[0].kind, COH_F_LOST_WRITE);
	assert_true(back.exhausted);
	assert_int_equal(back.pct_n, 4);
	coh__wres_free(&back);
	coh__wres_free(&w);
	free(buf);
}

static void every_truncation_and_corruption_is_refused(void **state)
{
	(void)state;
	struct coh__wres w, back;
	sample(&w);
	char *buf;
	size_t len;
	int rc;
	assert_int_equal(coh__wres_encode(&w, 0, &buf, &len), 0);
	for (size_t n = 0; n < len; n++) {
		assert_int_equal(coh__wres_decode(buf, n, &back, &rc), -1);
		assert_null(back.units);
		assert_null(back.found);
	}
	char *pad = malloc(len + 1);
	memcpy(pad, buf, len);
	pad[len] = 0;
	assert_int_equal(coh__wres_decode(pad, len + 1, &back, &rc), -1);
	/* flip every byte in turn: decoding must refuse or succeed, never
	 * crash (ASan checks); a flipped count or length must not be trusted */
	for (size_t i = 0; i < len; i++) {
		memcpy(pad, buf, len);
		pad[i] ^= (char)0xff;
		if (coh__wres_decode(pad, len, &back, &rc) == 0)
			coh__wres_free(&back);
	}
	/* error messages written into the file by another writer */
	const char junk[] = "cohsim: disk cow: cannot use backing file\n";
	assert_int_equal(coh__wres_decode(junk, sizeof(junk) - 1, &back, &rc), -1);
	free(pad);
	free(buf);
	coh__wres_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(encode_decode_round_trip),
	    cmocka_unit_test(every_truncation_and_corruption_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
