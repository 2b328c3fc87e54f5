/*
 * test_block.c - the block layer: bios complete by interrupt (bi_end_io in
 * hardirq context), their data reaches the backend by DMA and comes back
 * into memory coherently, injected I/O errors reach bi_end_io as -EIO,
 * outstanding bios complete in every order, out-of-range bios fail, and
 * backing files seed every execution alike, are never written, and are
 * refused with a status when they cannot be used.
 *
 * Each test is a program explored by coh_explore (dfs unless said): tasks
 * record what they saw in the program's ctx, finish() folds it into
 * per-run counters, and the asserts run on the host afterwards.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cohsim/linux.h"

#define NBIO 2

struct bio_test {
	const char *arch;
	struct gendisk *disk;
	coh_completion done;
	/* per execution */
	unsigned ended;
	int error[NBIO];
	bool in_irq[NBIO];
	bool hardirq[NBIO];
	unsigned order[NBIO];
	u8 readback[64];
	u8 backend[64];
	/* over the runs */
	unsigned runs, runs_ok, runs_eio, runs_order10, runs_bad;
};

static int explore(struct bio_test *t, int (*setup)(void *, coh_sched *),
                   void (*finish)(void *, coh_sched *), unsigned faults, int preemptions,
                   coh_explore_result *res)
{
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find(t->arch ? t->arch : "xscale"));
	mc.ncpus = 1;
	mc.mem_size = 1u << 20;
	mc.lowmem_size = mc.mem_size / 2;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_DFS;
	cfg.preemptions = preemptions;
	cfg.faults = faults;
	cfg.progress = false;
	coh_program prog = {.name = "block", .ctx = t, .setup = setup, .finish = finish};
	return coh_explore(&cfg, &mc, &prog, res);
}

static struct gendisk *make_disk(const char *name, unsigned irq)
{
	struct disk_config dc;
	disk_config_init(&dc, name);
	dc.capacity = 64;
	dc.irq = irq;
	return alloc_disk_sim(&dc);
}

static void end_io(struct bio *bio, int error)
{
	struct bio_test *t = bio->bi_private;
	unsigned i = (unsigned)bio->bi_sector / 8; /* bio i is at sector 8 * i */
	t->error[i] = error;
	t->in_irq[i] = coh_in_interrupt();
	t->hardirq[i] = coh_current() && coh_task_context(coh_current()) == COH_CTX_HARDIRQ;
	t->order[t->ended++] = i;
	bio_put(bio);
	coh_complete(&t->done);
}

static struct bio *one_page_bio(struct bio_test *t, struct page *page, sector_t sector)
{
	struct bio *bio = bio_alloc(GFP_NOIO, 1);
	bio->bi_bdev = disk_bdev(t->disk);
	bio->bi_sector = sector;
	bio->bi_end_io = end_io;
	bio->bi_private = t;
	bio_add_page(bio, page, 512, 0);
	return bio;
}

/* ---- a write: completion in hardirq context, data in the backend ---- */

static void writer(void *arg)
{
	struct bio_test *t = arg;
	struct page *page = alloc_page(GFP_KERNEL);
	simptr va = page_address(page);
	for (unsigned i = 0; i < 64; i += 8)
		sim_write64(simptr_add(va, i), 0x1111111111111111ull * (i / 8 + 1));
	submit_bio(WRITE, one_page_bio(t, page, 0));
	coh_wait_for_completion(&t->done);
	__free_page(page);
}

static int write_setup(void *ctx, coh_sched *s)
{
	struct bio_test *t = ctx;
	int r = kernel_init(s, NULL);
	if (r)
		return r;
	t->disk = make_disk("sda", 1);
	if (!t->disk)
		return disk_last_error();
	coh_init_completion(&t->done, "done");
	t->ended = 0;
	memset(t->error, 0x55, sizeof(t->error));
	return coh_task_create(s, "writer", 0, writer, t) ? 0 : COH_EINVAL;
}

static void write_finish(void *ctx, coh_sched *s)
{
	struct bio_test *t = ctx;
	(void)s;
	t->runs++;
	bool data_ok = disk_backend_read(t->disk, 0, t->backend, sizeof(t->backend)) == 0;
	for (unsigned i = 0; i < 64; i++)
		data_ok &= t->backend[i] == (u8)(0x11 * (i / 8 + 1));
	if (t->ended == 1 && t->error[0] == 0 && t->in_irq[0] && t->hardirq[0] && data_ok)
		t->runs_ok++;
	else if (t->ended == 1 && t->error[0] == -EIO && t->hardirq[0])
		t->runs_eio++;
	else
		t->runs_bad++;
}

static void bio_write_completes_in_hardirq_and_reaches_backend(void **state)
{
	(void)state;
	const char *arches[] = {"xscale", "parisc", "cortex-a9", "x86"};
	for (unsigned a = 0; a < 4; a++) {
		struct bio_test t = {.arch = arches[a]};
		coh_explore_result res;
		assert_int_equal(explore(&t, write_setup, write_finish, 0, 1, &res), 0);
		assert_int_equal(res.nfindings, 0);
		assert_true(res.complete);
		assert_true(t.runs > 1);
		assert_int_equal(t.runs_ok, t.runs);
		coh_explore_result_free(&res);
	}
}

static void bio_io_error_reaches_bi_end_io_as_eio(void **state)
{
	(void)state;
	struct bio_test t = {.arch = "xscale"};
	coh_explore_result res;
	assert_int_equal(explore(&t, write_setup, write_finish, 1u << COH_FAULT_IO, 1, &res), 0);
	assert_int_equal(res.nfindings, 0);
	assert_true(res.complete);
	assert_true(t.runs_ok > 0); /* the device did its work */
	assert_true(t.runs_eio > 0);
	assert_int_equal(t.runs_bad, 0);
	coh_explore_result_free(&res);
}

/* ---- a read: the device's data reaches the CPU through the DMA API ---- */

static void reader(void *arg)
{
	struct bio_test *t = arg;
	struct page *page = alloc_page(GFP_KERNEL);
	simptr va = page_address(page);
	/* bring the buffer's lines into the cache first: mapping it
	 * FROM_DEVICE must drop them, or the CPU reads them instead of the
	 * device's data (writing them would be a lost write, not our test) */
	u8 before[64];
	sim_memcpy_from(before, va, sizeof(before));
	submit_bio(READ, one_page_bio(t, page, 8));
	coh_wait_for_completion(&t->done);
	sim_memcpy_from(t->readback, va, sizeof(t->readback));
	__free_page(page);
}

static int read_setup(void *ctx, coh_sched *s)
{
	struct bio_test *t = ctx;
	int r = kernel_init(s, NULL);
	if (r)
		return r;
	t->disk = make_disk("sda", 1);
	if (!t->disk)
		return disk_last_error();
	u8 pattern[64];
	for (unsigned i = 0; i < 64; i++)
		pattern[i] = (u8)(i * 3 + 1);
	r = disk_backend_write(t->disk, 8, pattern, sizeof(pattern));
	coh_init_completion(&t->done, "done");
	t->ended = 0;
	memset(t->readback, 0, sizeof(t->readback));
	return r ? r : coh_task_create(s, "reader", 0, reader, t) ? 0 : COH_EINVAL;
}

static void read_finish(void *ctx, coh_sched *s)
{
	struct bio_test *t = ctx;
	(void)s;
	t->runs++;
	bool ok = t->ended == 1 && t->error[1] == 0 && t->hardirq[1];
	for (unsigned i = 0; i < 64; i++)
		ok &= t->readback[i] == (u8)(i * 3 + 1);
	t->runs_ok += ok;
}

static void bio_read_data_reaches_the_cpu_coherently(void **state)
{
	(void)state;
	const char *arches[] = {"xscale", "arm926", "parisc", "armv6", "cortex-a9", "x86"};
	for (unsigned a = 0; a < 6; a++) {
		struct bio_test t = {.arch = arches[a]};
		coh_explore_result res;
		assert_int_equal(explore(&t, read_setup, read_finish, 0, 1, &res), 0);
		if (res.nfindings)
			fprintf(stderr, "%s: %s\n", arches[a], res.findings[0].report);
		assert_int_equal(res.nfindings, 0);
		assert_true(res.complete);
		assert_int_equal(t.runs_ok, t.runs);
		coh_explore_result_free(&res);
	}
}

/* ---- two outstanding bios complete in either order ---- */

static void two_writer(void *arg)
{
	struct bio_test *t = arg;
	struct page *page = alloc_page(GFP_KERNEL);
	sim_write64(page_address(page), 42);
	for (unsigned i = 0; i < NBIO; i++)
		submit_bio(WRITE, one_page_bio(t, page, 8 * i));
	for (unsigned i = 0; i < NBIO; i++)
		coh_wait_for_completion(&t->done);
	__free_page(page);
}

static int two_only_setup(void *ctx, coh_sched *s)
{
	struct bio_test *t = ctx;
	int r = kernel_init(s, NULL);
	if (r)
		return r;
	t->disk = make_disk("sda", 1);
	coh_init_completion(&t->done, "done");
	t->ended = 0;
	return coh_task_create(s, "two", 0, two_writer, t) ? 0 : COH_EINVAL;
}

static void two_finish(void *ctx, coh_sched *s)
{
	struct bio_test *t = ctx;
	(void)s;
	t->runs++;
	if (t->ended != NBIO || t->error[0] || t->error[1] || !t->hardirq[0] || !t->hardirq[1])
		t->runs_bad++;
	else if (t->order[0] == 1)
		t->runs_order10++;
	else
		t->runs_ok++;
}

static void bios_complete_in_every_order(void **state)
{
	(void)state;
	struct bio_test t = {.arch = "arm926"};
	coh_explore_result res;
	assert_int_equal(explore(&t, two_only_setup, two_finish, 0, 1, &res), 0);
	assert_int_equal(res.nfindings, 0);
	assert_true(res.complete);
	assert_int_equal(t.runs_bad, 0);
	assert_true(t.runs_ok > 0);      /* 0 then 1 */
	assert_true(t.runs_order10 > 0); /* 1 then 0 */
	coh_explore_result_free(&res);
}

/* ---- a bio beyond the end of the device fails at submission ---- */

static void end_io_beyond(struct bio *bio, int error)
{
	struct bio_test *t = bio->bi_private;
	t->error[1] = error;
	t->ended++;
	bio_put(bio);
}

static void beyond_task(void *arg)
{
	struct bio_test *t = arg;
	struct page *page = alloc_page(GFP_KERNEL);
	struct bio *bio = one_page_bio(t, page, get_capacity(t->disk)); /* past the end */
	bio->bi_end_io = end_io_beyond;
	t->error[1] = 1;
	submit_bio(READ, bio);
	__free_page(page);
}

static int beyond_setup(void *ctx, coh_sched *s)
{
	struct bio_test *t = ctx;
	int r = kernel_init(s, NULL);
	if (r)
		return r;
	t->disk = make_disk("sda", 1);
	t->ended = 0;
	return coh_task_create(s, "beyond", 0, beyond_task, t) ? 0 : COH_EINVAL;
}

static void beyond_finish(void *ctx, coh_sched *s)
{
	struct bio_test *t = ctx;
	(void)s;
	t->runs++;
	t->runs_eio += t->ended == 1 && t->error[1] == -EIO;
}

static void bio_beyond_end_of_device_fails_with_eio(void **state)
{
	(void)state;
	struct bio_test t = {.arch = "xscale"};
	coh_explore_result res;
	assert_int_equal(explore(&t, beyond_setup, beyond_finish, 0, 0, &res), 0);
	assert_int_equal(res.nfindings, 0);
	assert_int_equal(t.runs_eio, t.runs);
	coh_explore_result_free(&res);
}

/* ---- backing files ---- */

static int file_setup(void *ctx, coh_sched *s)
{
	struct bio_test *t = ctx;
	int r = kernel_init(s, NULL);
	if (r)
		return r;
	t->disk = make_disk("filedisk", 2);
	return t->disk ? 0 : disk_last_error();
}

static int two_disks_setup(void *ctx, coh_sched *s)
{
	struct bio_test *t = ctx;
	int r = kernel_init(s, NULL);
	if (r)
		return r;
	t->disk = make_disk("first", 2);
	return t->disk && make_disk("second", 3) ? 0 : disk_last_error();
}

/* Each execution writes its own mark over the seed, then reads the seed
 * back at sector 8: it must see the file's bytes, never an earlier
 * execution's mark. */
static void seeded_finish(void *ctx, coh_sched *s)
{
	struct bio_test *t = ctx;
	(void)s;
	t->runs++;
	u8 mark[512], back[64];
	memset(mark, (int)(0x40 + t->runs), sizeof(mark));
	bool ok = disk_backend_read(t->disk, 8, back, sizeof(back)) == 0;
	for (unsigned i = 0; i < 64; i++)
		ok &= back[i] == (u8)(i * 5 + 1);
	ok &= disk_backend_read(t->disk, 63, back, sizeof(back)) == 0 && back[0] == 0;
	ok &= disk_backend_write(t->disk, 8, mark, sizeof(mark)) == 0;
	ok &= disk_backend_write(t->disk, 63, mark, sizeof(mark)) == 0;
	t->runs_ok += ok;
}

static char *seed_file(size_t len)
{
	static char path[64];
	snprintf(path, sizeof(path), "/tmp/cohsim-test-block-XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	u8 *b = calloc(1, len);
	assert_non_null(b);
	for (unsigned i = 0; i < 64 && 8 * 512 + i < len; i++)
		b[8 * 512 + i] = (u8)(i * 5 + 1);
	assert_int_equal(write(fd, b, len), (ssize_t)len);
	close(fd);
	free(b);
	return path;
}

static void disk_backing_file_seeds_every_execution_and_is_never_written(void **state)
{
	(void)state;
	/* a seed shorter than the disk (zeroes after it), used by 4 runs */
	const char *path = seed_file(9 * 512);
	struct stat before, after;
	assert_int_equal(stat(path, &before), 0);
	assert_int_equal(coh_disk_attach_file("filedisk", path), 0);
	struct bio_test t = {.arch = "x86"};
	coh_explore_result res;
	for (int i = 0; i < 4; i++) {
		assert_int_equal(explore(&t, file_setup, seeded_finish, 0, 0, &res), 0);
		coh_explore_result_free(&res);
	}
	assert_int_equal(t.runs, 4);
	assert_int_equal(t.runs_ok, 4);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_size, 9 * 512);
	assert_true(after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
	            after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
	unlink(path);
	coh_disk_detach_all();

	/* a prefix: every disk gets <prefix>.<N>; missing files are zeroes and
	 * are not created */
	char prefix[] = "/tmp/cohsim-test-prefix-XXXXXX";
	int fd = mkstemp(prefix);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(coh_disk_attach_prefix(prefix), 0);
	t = (struct bio_test){.arch = "x86"};
	assert_int_equal(explore(&t, two_disks_setup, NULL, 0, 0, &res), 0);
	coh_explore_result_free(&res);
	coh_disk_detach_all();
	for (unsigned i = 0; i < 2; i++) {
		char name[64];
		snprintf(name, sizeof(name), "%s.%u", prefix, i);
		assert_int_not_equal(stat(name, &after), 0);
	}
	unlink(prefix);
	assert_int_equal(coh_disk_attach_prefix(""), COH_EINVAL);

	/* refused: a folder, and a file larger than the disk */
	assert_int_equal(coh_disk_attach_file(NULL, "/tmp"), 0);
	t = (struct bio_test){.arch = "x86"};
	assert_int_equal(explore(&t, file_setup, NULL, 0, 0, &res), COH_EINVAL);
	coh_explore_result_free(&res);
	coh_disk_detach_all();
	path = seed_file(65 * 512);
	assert_int_equal(coh_disk_attach_file(NULL, path), 0);
	assert_int_equal(explore(&t, file_setup, NULL, 0, 0, &res), COH_EINVAL);
	coh_explore_result_free(&res);
	coh_disk_detach_all();
	unlink(path);
	assert_int_equal(coh_disk_attach_file("x", ""), COH_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bio_write_completes_in_hardirq_and_reaches_backend),
	    cmocka_unit_test(bio_io_error_reaches_bi_end_io_as_eio),
	    cmocka_unit_test(bio_read_data_reaches_the_cpu_coherently),
	    cmocka_unit_test(bios_complete_in_every_order),
	    cmocka_unit_test(bio_beyond_end_of_device_fails_with_eio),
	    cmocka_unit_test(disk_backing_file_seeds_every_execution_and_is_never_written),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
