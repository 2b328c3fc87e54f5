/*
 * aio_dio_invalidate_completion.c - 332391a, "fs: Fix page cache
 * inconsistency when mixing buffered and AIO DIO" (Lukas Czerner, 4.x):
 * a buffered read between the submission and the completion of an AIO
 * O_DIRECT write caches the old data.
 *
 * One simplefs file "data" on sda. Two processes:
 *   aio     one IOCB_CMD_PWRITE of page 0 on an O_DIRECT file, then
 *           io_getevents;
 *   reader  a buffered read of page 0, whenever the schedule lets it run;
 *           then, once the write was reaped, another.
 *
 * buggy (2.6.23 to 4.x: the seed and bdb76ef5a4bc): generic_file_direct_IO
 *   invalidates the page cache before ->direct_IO and again right after
 *   it, but an AIO write's data reaches the disk later. A buffered read
 *   in between caches the old block, and the read after the write's
 *   completion is served from it: a stale-read of the block-copy oracle.
 *   (The first read overlaps the write and may see either value: the
 *   oracle does not report it.)
 * fixed (332391a and ffe51f0142a9): dio_complete invalidates the written
 *   range once the data is on the disk, from the dio workqueue (a kernel
 *   thread here) when the inode has pages at the last bio's completion,
 *   and never in the bio's hardirq. Clean.
 * in-complete-only (332391a alone): when the page is cached between the
 *   last bio's check of nrpages and dio_complete's, dio_complete runs the
 *   invalidation in hardirq context: lock_page sleeps there, a
 *   sleep-in-atomic of the sched layer. ffe51f0142a9, "fs: Avoid
 *   invalidation in interrupt context in dio_complete()", mended it.
 */
#include "cohsim/aio.h"
#include "cohsim/scenario.h"

#define PAGE 4096
#define UBUF 0x40000000ul

struct aio_dio_inv {
	struct file *direct, *buffered;
	coh_completion reaped;
	struct io_event ev;
};

static void reader_task(void *arg)
{
	struct aio_dio_inv *st = arg;
	loff_t pos = 0;
	vfs_read(st->buffered, UBUF, 512, &pos);
	coh_wait_for_completion(&st->reaped);
	pos = 0;
	vfs_read(st->buffered, UBUF + 512, 512, &pos);
}

static void aio_task(void *arg)
{
	struct aio_dio_inv *st = arg;
	user_memset(UBUF, 0xd0, PAGE);
	aio_context_t ctx = 0;
	if (io_setup(1, &ctx))
		return;
	struct iocb cb = {.aio_data = 1,
	                  .aio_lio_opcode = IOCB_CMD_PWRITE,
	                  .aio_filp = st->direct,
	                  .aio_buf = UBUF,
	                  .aio_nbytes = PAGE,
	                  .aio_offset = 0};
	struct iocb *cbs[1] = {&cb};
	if (io_submit(ctx, 1, cbs) == 1)
		io_getevents(ctx, 1, 1, &st->ev);
	coh_complete(&st->reaped);
}

static int setup(coh_sched *s, void *state)
{
	struct aio_dio_inv *st = state;
	struct disk_config dc;
	disk_config_init(&dc, "sda");
	struct gendisk *disk = alloc_disk_sim(&dc);
	struct simplefs_file_spec spec = {"data", 2, 2 * PAGE};
	struct super_block *sb = disk ? simplefs_mkfs_mount(disk, &spec, 1) : NULL;
	if (!sb)
		return COH_EINVAL;
	st->direct = filp_open(sb, "data", O_RDWR | O_DIRECT);
	st->buffered = filp_open(sb, "data", O_RDONLY);
	coh_init_completion(&st->reaped, "reaped");
	struct mm_struct *a = mm_alloc(), *b = mm_alloc();
	if (!st->direct || !st->buffered || !a || !b)
		return COH_EINVAL;
	unsigned long prot = PROT_READ | PROT_WRITE,
	              flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	if (IS_ERR_VALUE(do_mmap(a, UBUF, PAGE, prot, flags)) ||
	    IS_ERR_VALUE(do_mmap(b, UBUF, PAGE, prot, flags)))
		return COH_ENOMEM;
	if (!user_task_create(s, "aio", 0, a, aio_task, st) ||
	    !user_task_create(s, "reader", 1, b, reader_task, st))
		return COH_EINVAL;
	return COH_OK;
}

#define ROW(v, a, e, p, complete)                                                                  \
	{                                                                                          \
		v, a, e, COH_STRATEGY_DFS, p, 0, complete, false                                   \
	}

const coh_scenario coh_scenario_aio_dio_invalidate_completion = {
    .name = "aio-dio-invalidate-completion",
    .description = "a buffered read between the submission and the completion of an AIO "
                   "O_DIRECT write caches the old data",
    .models = "332391a fs: Fix page cache inconsistency when mixing buffered and AIO DIO "
              "(invalidate in dio_complete, 4.x); ffe51f0142a9 fs: Avoid invalidation in "
              "interrupt context in dio_complete()",
    .default_arch = "cortex-a9",
    .ncpus = 2,
    .mem_size = 2u << 20,
    .kernel_version = KERNEL_VERSION(2, 6, 35),
    .fixes = {{"gup-flush-anon-page", "on in every variant: get_user_pages flushes the user alias "
                                      "(6020dff09252, in 2.6.20 already)"},
              {"dio-invalidate-before-write", "65b8291c4000 (2007): always on here"},
              {"dio-invalidate-after-sync-write",
               "bdb76ef5a4bc: the second invalidation runs whatever ->direct_IO returned"},
              {"dio-invalidate-in-complete",
               "332391a: dio_complete invalidates the written range (from a workqueue)"},
              {"dio-complete-no-irq-invalidate",
               "ffe51f0142a9: dio_complete called in hardirq context does not invalidate"}},
    .variants = {{"buggy",
                  {"gup-flush-anon-page", "dio-invalidate-before-write",
                   "dio-invalidate-after-sync-write", NULL}},
                 {"fixed",
                  {"gup-flush-anon-page", "dio-invalidate-before-write",
                   "dio-invalidate-after-sync-write", "dio-invalidate-in-complete",
                   "dio-complete-no-irq-invalidate", NULL}},
                 {"in-complete-only",
                  {"gup-flush-anon-page", "dio-invalidate-before-write",
                   "dio-invalidate-after-sync-write", "dio-invalidate-in-complete", NULL}}},
    .state_size = sizeof(struct aio_dio_inv),
    .setup = setup,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 0, /* complete in 52 schedules; one preemption: 6,000-19,000 */
    .budget = 0,
    .demo =
        {
            ROW("buggy", "cortex-a9", "stale-read", 0, false),
            ROW("buggy", "x86", "stale-read", 0, false),
            ROW("buggy", "xscale", "stale-read", 0, false),
            ROW("fixed", "cortex-a9", "clean", 0, true),
            ROW("fixed", "x86", "clean", 0, true),
            ROW("in-complete-only", "x86", "sleep-in-atomic", 1, false),
        },
};
