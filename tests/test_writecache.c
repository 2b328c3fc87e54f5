/*
 * test_writecache.c - the disks' volatile write caches and power cuts
 * (block/writecache.c): a flushed write always survives, a FUA write too,
 * the unflushed ones survive in every subset (each explored by dfs), the
 * latest of two overlapping writes wins when both survive, bios fail while
 * the power is off, an armed cut falls at every device write or flush,
 * and with torn writes on a cut keeps any prefix of a write's sectors.
 *
 * Each test is a program explored by dfs; a task writes and cuts, finish()
 * reads the backend on the host and counts the outcomes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/linux.h"

enum step_kind { W, W_FUA, FLUSH, ARM, CUT, W4, TORN };

struct step {
	enum step_kind kind;
	sector_t sector;
	u8 fill;
};

struct wc_test {
	const struct step *steps;
	unsigned nsteps;
	struct gendisk *disk;
	int error[8];        /* per step, this execution */
	unsigned unflushed;  /* before the cut */
	bool off_after_cut;  /* the power was off after CUT */
	unsigned outcome[8]; /* over the runs: runs whose sector 0 / 8 held fill k */
	unsigned runs, runs_eio;
	u8 seen[2];
	unsigned kept_mask; /* W4 at sector 16: k kept sectors seen, as bit k */
	bool not_prefix;    /* some run kept sectors of it that are no prefix */
};

struct sync {
	coh_completion done;
	int error;
};

static void sync_end(struct bio *bio, int error)
{
	struct sync *w = bio->bi_private;
	w->error = error;
	bio_put(bio);
	coh_complete(&w->done);
}

static int io_n(struct gendisk *disk, unsigned long rw, struct page *page, sector_t sector,
                unsigned bytes)
{
	struct sync w;
	memset(&w, 0, sizeof(w));
	coh_init_completion(&w.done, "io");
	struct bio *bio = bio_alloc(GFP_NOIO, 1);
	bio->bi_bdev = disk_bdev(disk);
	bio->bi_sector = sector;
	bio->bi_end_io = sync_end;
	bio->bi_private = &w;
	if (page)
		bio_add_page(bio, page, bytes, 0);
	submit_bio(rw, bio);
	coh_wait_for_completion(&w.done);
	return w.error;
}

static int io(struct gendisk *disk, unsigned long rw, struct page *page, sector_t sector)
{
	return io_n(disk, rw, page, sector, 512);
}

static void task(void *arg)
{
	struct wc_test *t = arg;
	struct page *page = alloc_page(GFP_KERNEL);
	for (unsigned i = 0; i < t->nsteps; i++) {
		const struct step *s = &t->steps[i];
		switch (s->kind) {
		case W:
		case W_FUA:
			sim_memset(page_address(page), s->fill, 512);
			t->error[i] =
			    io(t->disk, WRITE | (s->kind == W_FUA ? REQ_FUA : 0), page, s->sector);
			break;
		case FLUSH:
			t->error[i] = io(t->disk, WRITE | REQ_FLUSH, NULL, 0);
			break;
		case ARM:
			coh_power_cut_arm(true);
			break;
		case TORN:
			coh_power_cut_torn(true);
			break;
		case W4: /* four sectors in one bio */
			sim_memset(page_address(page), s->fill, 2048);
			t->error[i] = io_n(t->disk, WRITE, page, s->sector, 2048);
			break;
		case CUT:
			t->unflushed = disk_unflushed_writes(t->disk);
			coh_power_cut();
			t->off_after_cut =
			    io(t->disk, WRITE | REQ_FLUSH, NULL, 0) == -EIO && coh_power_is_cut();
			coh_power_restore();
			break;
		}
	}
	__free_page(page);
}

static int setup(void *ctx, coh_sched *s)
{
	struct wc_test *t = ctx;
	int r = kernel_init(s, NULL);
	if (r)
		return r;
	struct disk_config dc;
	disk_config_init(&dc, "sda");
	dc.capacity = 64;
	if (!(t->disk = alloc_disk_sim(&dc)))
		return disk_last_error();
	memset(t->error, 0, sizeof(t->error));
	return coh_task_create(s, "writer", 0, task, t) ? COH_OK : COH_EINVAL;
}

static void finish(void *ctx, coh_sched *s)
{
	struct wc_test *t = ctx;
	(void)s;
	u8 b0[512], b8[512];
	disk_backend_read(t->disk, 0, b0, sizeof(b0));
	disk_backend_read(t->disk, 8, b8, sizeof(b8));
	t->runs++;
	t->seen[0] = b0[0];
	t->seen[1] = b8[0];
	for (unsigned k = 0; k < 8; k++) /* fills are k * 0x11 */
		t->outcome[k] += (b0[0] == k * 0x11) + 16 * (b8[0] == k * 0x11);
	for (unsigned i = 0; i < t->nsteps; i++)
		t->runs_eio += t->error[i] == -EIO;
	unsigned k = 0;
	bool gap = false;
	for (unsigned i = 0; i < 4; i++) {
		u8 b[512];
		disk_backend_read(t->disk, 16 + i, b, sizeof(b));
		bool kept = b[0] != 0;
		t->not_prefix |= kept && gap;
		gap |= !kept;
		k += kept;
	}
	t->kept_mask |= 1u << k;
}

static void run(struct wc_test *t, const struct step *steps, unsigned n)
{
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("xscale"));
	mc.ncpus = 1;
	mc.mem_size = 1u << 20;
	mc.lowmem_size = mc.mem_size / 2;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_DFS;
	cfg.preemptions = 0;
	cfg.progress = false;
	t->steps = steps;
	t->nsteps = n;
	coh_program prog = {.name = "writecache", .ctx = t, .setup = setup, .finish = finish};
	coh_explore_result res;
	assert_int_equal(coh_explore(&cfg, &mc, &prog, &res), 0);
	assert_true(res.complete);
	assert_int_equal(res.nfindings, 0);
	coh_explore_result_free(&res);
}

/* sector 0: A flushed, then C unflushed; sector 8: B flushed. */
static void flushed_write_survives_unflushed_one_may_not(void **state)
{
	(void)state;
	static const struct step steps[] = {
	    {W, 0, 0x11}, {W, 8, 0x22}, {FLUSH, 0, 0}, {W, 0, 0x33}, {CUT, 0, 0}};
	struct wc_test t = {0};
	run(&t, steps, 5);
	assert_int_equal(t.runs, 2);        /* C lost, C kept */
	assert_int_equal(t.outcome[1], 1);  /* A in sector 0 once */
	assert_int_equal(t.outcome[3], 1);  /* C in sector 0 once */
	assert_int_equal(t.outcome[2], 32); /* B in sector 8 always */
	assert_int_equal(t.unflushed, 1);
	assert_true(t.off_after_cut);
}

static void fua_write_survives(void **state)
{
	(void)state;
	static const struct step steps[] = {{W_FUA, 0, 0x11}, {W, 8, 0x22}, {CUT, 0, 0}};
	struct wc_test t = {0};
	run(&t, steps, 3);
	assert_int_equal(t.runs, 2);       /* only the plain write is a choice */
	assert_int_equal(t.outcome[1], 2); /* the FUA write in every run */
	assert_int_equal(t.outcome[2], 16);
}

static void every_subset_of_unflushed_writes(void **state)
{
	(void)state;
	static const struct step steps[] = {{W, 0, 0x11}, {W, 8, 0x22}, {CUT, 0, 0}};
	struct wc_test t = {0};
	run(&t, steps, 3);
	assert_int_equal(t.runs, 4);
	assert_int_equal(t.outcome[0], 2 + 2 * 16); /* each sector lost in half */
	assert_int_equal(t.outcome[1], 2);
	assert_int_equal(t.outcome[2], 2 * 16);
}

static void overlapping_writes_settle_in_order(void **state)
{
	(void)state;
	static const struct step steps[] = {{W, 0, 0x11}, {W, 0, 0x22}, {CUT, 0, 0}};
	struct wc_test t = {0};
	run(&t, steps, 3);
	assert_int_equal(t.runs, 4);
	assert_int_equal(t.outcome[0] & 15, 1); /* neither */
	assert_int_equal(t.outcome[1] & 15, 1); /* the first only */
	assert_int_equal(t.outcome[2] & 15, 2); /* the second (alone, or last) */
}

static void armed_cut_falls_at_each_write_and_flush(void **state)
{
	(void)state;
	static const struct step steps[] = {
	    {ARM, 0, 0}, {W, 0, 0x11}, {FLUSH, 0, 0}, {W, 8, 0x22}, {CUT, 0, 0}};
	struct wc_test t = {0};
	run(&t, steps, 5);
	/* no cut until the final one (2 subsets of the write at 8, the one at 0
	 * is flushed), or a cut before write 1 (1 run), the flush (2 subsets
	 * of write 1) or write 2 (1 run, write 1 flushed) */
	assert_int_equal(t.runs, 2 + 1 + 2 + 1);
	/* write 1 survives when flushed (no cut: 2 runs; a cut at write 2: 1)
	 * or kept by a cut at the flush (1 run) */
	assert_int_equal(t.outcome[1], 2 + 1 + 1);
	assert_true(t.runs_eio >= 3); /* every cut fails the bio it falls on */
}

/* Off (the default), a write of four sectors survives whole or not at
 * all; with torn writes on, any prefix of its sectors, each once. */
static void torn_writes_keep_any_prefix_of_sectors(void **state)
{
	(void)state;
	static const struct step whole[] = {{W4, 16, 0x11}, {CUT, 0, 0}};
	struct wc_test t = {0};
	run(&t, whole, 2);
	assert_int_equal(t.runs, 2);
	assert_int_equal(t.kept_mask, 1u << 0 | 1u << 4);
	static const struct step torn[] = {{TORN, 0, 0}, {W4, 16, 0x11}, {CUT, 0, 0}};
	struct wc_test u = {0};
	run(&u, torn, 3);
	assert_int_equal(u.runs, 5);
	assert_int_equal(u.kept_mask, 0x1f); /* 0, 1, 2, 3 and 4 sectors */
	assert_false(u.not_prefix);
	static const struct step fua[] = {{TORN, 0, 0}, {W_FUA, 16, 0x11}, {CUT, 0, 0}};
	struct wc_test v = {0};
	run(&v, fua, 3);
	assert_int_equal(v.runs, 1); /* a FUA write is no choice */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(flushed_write_survives_unflushed_one_may_not),
	    cmocka_unit_test(fua_write_survives),
	    cmocka_unit_test(every_subset_of_unflushed_writes),
	    cmocka_unit_test(overlapping_writes_settle_in_order),
	    cmocka_unit_test(armed_cut_falls_at_each_write_and_flush),
	    cmocka_unit_test(torn_writes_keep_any_prefix_of_sectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
