/*
 * test_dio.c - direct I/O and AIO on simplefs: a sync O_DIRECT write and
 * read move the data between the user's buffer and the disk; misaligned
 * offsets and buffers are -EINVAL (512-byte alignment is enough, as the
 * device's sector); AIO completes each request once and each event is
 * reaped once, with -EIOCBQUEUED between fs/direct-io.c and fs/aio.c; and
 * seed 3's clobbered -EIOCBQUEUED is a use-after-free of the kiocb found
 * by the slab checker, while the seed's patch returns -EBUSY before
 * anything is submitted.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/aio.h"
#include "cohsim/scenario.h"

#define PAGE 4096
#define UBUF 0x40000000ul

enum mode { SYNC_RW, ALIGNMENT, AIO_ONCE, SEED3 };

static enum mode mode;
static const char *const *fixes;
static struct gendisk *disk;
static struct file *filp;
static long results[8];
static u8 got[PAGE];
static struct io_event events[4];

static void user_task(void *arg)
{
	(void)arg;
	loff_t pos = 0;
	switch (mode) {
	case SYNC_RW:
		user_memset(UBUF, 0x5a, PAGE);
		results[0] = vfs_write(filp, UBUF, PAGE, &pos);
		results[1] = pos;
		user_memset(UBUF + PAGE, 0, PAGE);
		pos = 0;
		results[2] = vfs_read(filp, UBUF + PAGE, PAGE, &pos);
		user_memcpy_from(got, UBUF + PAGE, PAGE);
		break;
	case ALIGNMENT:
		user_memset(UBUF, 0x11, 2 * PAGE);
		pos = 100;
		results[0] = vfs_write(filp, UBUF, PAGE, &pos); /* offset */
		pos = 0;
		results[1] = vfs_write(filp, UBUF + 100, PAGE, &pos); /* buffer */
		pos = 0;
		results[2] = vfs_write(filp, UBUF, 1000, &pos); /* length */
		pos = 512;
		results[3] = vfs_write(filp, UBUF + 512, 1024, &pos); /* sectors: fine */
		break;
	case AIO_ONCE:
	case SEED3: {
		aio_context_t ctx = 0;
		results[0] = io_setup(4, &ctx);
		user_memset(UBUF, 0x77, PAGE);
		if (mode == SEED3) {
			/* a buffered read caches page 0 (PG_private: buffers) */
			loff_t p = 0;
			struct file *bf = filp_open(filp->f_inode->i_sb, "data", O_RDWR);
			results[5] = vfs_read(bf, UBUF + PAGE, 512, &p);
		}
		struct iocb cb = {.aio_data = 42,
		                  .aio_lio_opcode = IOCB_CMD_PWRITE,
		                  .aio_filp = filp,
		                  .aio_buf = UBUF,
		                  .aio_nbytes = PAGE,
		                  .aio_offset = 0};
		struct iocb *cbs[1] = {&cb};
		results[1] = io_submit(ctx, 1, cbs);
		results[2] = io_getevents(ctx, 1, 4, events);
		results[3] = io_getevents(ctx, 0, 4, events + 1); /* nothing left */
		break;
	}
	}
}

static int setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	struct kernel_config kc;
	kernel_config_init(&kc);
	kc.fixes = fixes;
	int r = kernel_init(s, &kc);
	if (r)
		return r;
	struct disk_config dc;
	disk_config_init(&dc, "sda");
	disk = alloc_disk_sim(&dc);
	struct simplefs_file_spec spec = {"data", 4, 4 * PAGE};
	struct super_block *sb = disk ? simplefs_mkfs_mount(disk, &spec, 1) : NULL;
	if (!sb)
		return COH_EINVAL;
	sb->s_release_may_fail = mode == SEED3;
	filp = filp_open(sb, "data", O_RDWR | O_DIRECT);
	struct mm_struct *mm = mm_alloc();
	if (!filp || !mm ||
	    IS_ERR_VALUE(do_mmap(mm, UBUF, 4 * PAGE, PROT_READ | PROT_WRITE,
	                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)))
		return COH_EINVAL;
	return user_task_create(s, "user", 0, mm, user_task, NULL) ? 0 : COH_EINVAL;
}

static coh_explore_result run(enum mode md, const char *const *on, enum coh_strategy strategy,
                              uint64_t budget)
{
	mode = md;
	fixes = on;
	memset(results, 0, sizeof(results));
	memset(got, 0, sizeof(got));
	memset(events, 0, sizeof(events));
	coh_machine_config mc;
	coh_machine_config_init(&mc, coh_arch_find("x86"));
	mc.mem_size = 2u << 20;
	coh_explore_config c;
	coh_explore_config_init(&c);
	c.strategy = strategy;
	c.schedule = "v1:";
	c.budget = budget;
	c.seed = 1;
	c.progress = false;
	coh_program p = {.name = "dio", .setup = setup};
	coh_explore_result r;
	assert_int_equal(coh_explore(&c, &mc, &p, &r), 0);
	return r;
}

static void sync_direct_write_and_read_move_the_data(void **state)
{
	(void)state;
	coh_explore_result r = run(SYNC_RW, NULL, COH_STRATEGY_REPLAY, 0);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(results[0], PAGE);
	assert_int_equal(results[1], PAGE);
	assert_int_equal(results[2], PAGE);
	u8 want[PAGE];
	memset(want, 0x5a, PAGE);
	assert_memory_equal(got, want, PAGE);
	/* on the disk, at the file's first block (block 1: after the
	 * superblock) */
	u8 on_disk[PAGE];
	assert_int_equal(disk_backend_read(disk, PAGE / 512, on_disk, PAGE), 0);
	assert_memory_equal(on_disk, want, PAGE);
	coh_explore_result_free(&r);
}

static void misaligned_direct_io_is_einval(void **state)
{
	(void)state;
	coh_explore_result r = run(ALIGNMENT, NULL, COH_STRATEGY_REPLAY, 0);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(results[0], -EINVAL);
	assert_int_equal(results[1], -EINVAL);
	assert_int_equal(results[2], -EINVAL);
	assert_int_equal(results[3], 1024);
	coh_explore_result_free(&r);
}

/* One event, reaped once, with the request's result and data; the kiocb
 * freed exactly once (no slab finding) on every schedule explored. */
static void aio_completes_each_request_once(void **state)
{
	(void)state;
	coh_explore_result r = run(AIO_ONCE, NULL, COH_STRATEGY_REPLAY, 0);
	assert_int_equal(r.nfindings, 0);
	assert_int_equal(results[0], 0);
	assert_int_equal(results[1], 1);
	assert_int_equal(results[2], 1);
	assert_int_equal(results[3], 0);
	assert_int_equal(events[0].data, 42);
	assert_int_equal(events[0].res, PAGE);
	coh_explore_result_free(&r);
	r = run(AIO_ONCE, NULL, COH_STRATEGY_RANDOM, 40);
	assert_int_equal(r.nfindings, 0);
	coh_explore_result_free(&r);
}

static bool has(const coh_explore_result *r, enum coh_finding_kind kind)
{
	for (size_t i = 0; i < r->nfindings; i++)
		if (r->findings[i].kind == kind)
			return true;
	return false;
}

/* 2.6.20: the failed invalidation after ->direct_IO clobbers -EIOCBQUEUED
 * and the kiocb is completed twice: the slab checker's use-after-free.
 * The seed's patch: -EBUSY before submission, nothing freed twice. */
static void seed3_clobbered_eiocbqueued_is_a_use_after_free(void **state)
{
	(void)state;
	coh_explore_result r = run(SEED3, NULL, COH_STRATEGY_DFS, 400);
	assert_true(has(&r, COH_F_USE_AFTER_FREE));
	coh_explore_result_free(&r);
	static const char *const seed[] = {"dio-invalidate-before-write", NULL};
	r = run(SEED3, seed, COH_STRATEGY_DFS, 400);
	assert_false(has(&r, COH_F_USE_AFTER_FREE));
	assert_false(has(&r, COH_F_DOUBLE_FREE));
	assert_false(has(&r, COH_F_BUG));
	coh_explore_result_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(sync_direct_write_and_read_move_the_data),
	    cmocka_unit_test(misaligned_direct_io_is_einval),
	    cmocka_unit_test(aio_completes_each_request_once),
	    cmocka_unit_test(seed3_clobbered_eiocbqueued_is_a_use_after_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
