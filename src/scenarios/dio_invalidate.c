/*
 * dio_invalidate.c - seed 3, "dio: invalidate clean pages before dio
 * write" (65b8291c4000, 2.6.21): an AIO O_DIRECT writer races a task that
 * does buffered writes and reads of the same range.
 *
 * One simplefs file "data" on sda. Two processes:
 *   buffered  buffered writes of the first 512 bytes of pages 0 and 1 (the
 *             pages are cached, with buffers: PG_private), then, once the
 *             AIO write was reaped, buffered reads of them;
 *   aio       a sync O_DIRECT write(2) of page 1, then io_setup, one
 *             IOCB_CMD_PWRITE of page 0 from its buffer, io_getevents.
 * Releasing the page can fail, as when a journal holds its buffers (the
 * seed's ext3/jbd race): simplefs's ->releasepage refuses or not as the
 * explorer chooses.
 *
 * buggy (2.6.20): the invalidation runs after ->direct_IO. For the AIO
 *   write, ->direct_IO queued the bios and returned -EIOCBQUEUED; the
 *   invalidation fails and its error clobbers -EIOCBQUEUED; fs/aio.c
 *   completes the kiocb, and so does the bios' completion: a
 *   use-after-free of the kiocb (the slab checker; then __aio_put_req's
 *   BUG_ON(ki_users < 0), as the freed object keeps its contents, KASAN's
 *   way). For the sync write the failure is an error returned although
 *   the data reached the disk ("-EIO though the data reached disk"), and
 *   the page that could not be dropped keeps the old data: the buffered
 *   read after it is a stale-read (the block-copy oracle). Which one the
 *   explorer meets first depends on the schedule (--keep-going shows
 *   both).
 * fixed (the seed): the invalidation comes first; its failure is returned
 *   before anything is submitted. Clean.
 * mmap-source (the seed, documented compromise): the write's source
 *   buffer is a shared mmap of the same page of the file. get_user_pages
 *   faults the page back into the cache after the first invalidation, and
 *   the seed's own `if (retval) goto out` skips the second invalidation of
 *   every write that returned bytes or -EIOCBQUEUED (mended later by
 *   bdb76ef5a4bc, which then ignores its failure). The page left in the
 *   cache holds the same bytes as the disk (the disk's came from it), but
 *   the oracle follows versions, not bytes: the buffered read is a
 *   stale-read of the version before the write. No use-after-free.
 *
 * Nothing here checks data: every finding is the slab checker's or the
 * block-copy oracle's.
 */
#include "cohsim/aio.h"
#include "cohsim/scenario.h"

#define PAGE 4096
#define UBUF 0x40000000ul
#define UMAP 0x50000000ul

struct dio_inv {
	struct file *direct, *buffered;
	coh_completion cached, reaped;
	struct io_event ev;
};

static void buffered_task(void *arg)
{
	struct dio_inv *st = arg;
	loff_t pos = 0;
	user_memset(UBUF, 0xb0, 512);
	vfs_write(st->buffered, UBUF, 512, &pos); /* page 0 */
	pos = PAGE;
	vfs_write(st->buffered, UBUF, 512, &pos); /* page 1 */
	coh_complete(&st->cached);
	coh_wait_for_completion(&st->reaped);
	pos = 0;
	vfs_read(st->buffered, UBUF + PAGE, 512, &pos);
	pos = PAGE;
	vfs_read(st->buffered, UBUF + PAGE, 512, &pos);
}

static void aio_task(void *arg)
{
	struct dio_inv *st = arg;
	unsigned long src = UBUF;
	coh_wait_for_completion(&st->cached);
	user_memset(UBUF, 0xd0, PAGE);
	/* a sync O_DIRECT write of page 1 (write(2): a sync kiocb) */
	loff_t pos = PAGE;
	vfs_write(st->direct, UBUF, PAGE, &pos);
	if (coh_fix("mmap-source")) {
		src = do_mmap_pgoff(current->mm, st->direct, UMAP, PAGE, PROT_READ | PROT_WRITE,
		                    MAP_SHARED | MAP_FIXED, 0);
		if (IS_ERR_VALUE(src))
			return;
		user_memset(src + 512, 0xd1, 512); /* a store through the mapping */
	}
	aio_context_t ctx = 0;
	if (io_setup(1, &ctx))
		return;
	struct iocb cb = {.aio_data = 1,
	                  .aio_lio_opcode = IOCB_CMD_PWRITE,
	                  .aio_filp = st->direct,
	                  .aio_buf = src,
	                  .aio_nbytes = PAGE,
	                  .aio_offset = 0};
	struct iocb *cbs[1] = {&cb};
	if (io_submit(ctx, 1, cbs) == 1)
		io_getevents(ctx, 1, 1, &st->ev);
	coh_complete(&st->reaped);
}

static int setup(coh_sched *s, void *state)
{
	struct dio_inv *st = state;
	struct disk_config dc;
	disk_config_init(&dc, "sda");
	struct gendisk *disk = alloc_disk_sim(&dc);
	struct simplefs_file_spec spec = {"data", 2, 2 * PAGE};
	struct super_block *sb = disk ? simplefs_mkfs_mount(disk, &spec, 1) : NULL;
	if (!sb)
		return COH_EINVAL;
	sb->s_release_may_fail = true; /* a journal may hold the page's buffers */
	st->direct = filp_open(sb, "data", O_RDWR | O_DIRECT);
	st->buffered = filp_open(sb, "data", O_RDWR);
	coh_init_completion(&st->cached, "cached");
	coh_init_completion(&st->reaped, "reaped");
	struct mm_struct *a = mm_alloc(), *b = mm_alloc();
	if (!st->direct || !st->buffered || !a || !b)
		return COH_EINVAL;
	unsigned long prot = PROT_READ | PROT_WRITE,
	              flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
	if (IS_ERR_VALUE(do_mmap(a, UBUF, 2 * PAGE, prot, flags)) ||
	    IS_ERR_VALUE(do_mmap(b, UBUF, 2 * PAGE, prot, flags)))
		return COH_ENOMEM;
	if (!user_task_create(s, "buffered", 1, b, buffered_task, st) ||
	    !user_task_create(s, "aio", 0, a, aio_task, st))
		return COH_EINVAL;
	return COH_OK;
}

#define ROW(v, a, e, p, complete)                                                                  \
	{                                                                                          \
		v, a, e, COH_STRATEGY_DFS, p, 0, complete, false                                   \
	}

const coh_scenario coh_scenario_dio_invalidate = {
    .name = "dio-invalidate",
    .description = "an AIO O_DIRECT write races buffered writes and reads of the same page; "
                   "releasing the page may fail",
    .models = "dio: invalidate clean pages before dio write (2007, 65b8291c4000, v2.6.21)",
    .default_arch = "cortex-a9",
    .ncpus = 2,
    .mem_size = 2u << 20,
    .kernel_version = KERNEL_VERSION(2, 6, 35),
    .fixes = {{"gup-flush-anon-page", "on in every variant: get_user_pages flushes the user alias "
                                      "(6020dff09252, in 2.6.20 already)"},
              {"dio-invalidate-before-write",
               "invalidate the page cache before ->direct_IO, return its failure before "
               "anything is queued (65b8291c4000)"},
              {"mmap-source", "not a fix: the write's source buffer is a shared mmap of the "
                              "page it writes"}},
    .variants = {{"buggy", {"gup-flush-anon-page", NULL}},
                 {"fixed", {"gup-flush-anon-page", "dio-invalidate-before-write", NULL}},
                 {"mmap-source",
                  {"gup-flush-anon-page", "dio-invalidate-before-write", "mmap-source", NULL}}},
    .state_size = sizeof(struct dio_inv),
    .setup = setup,
    /* pct by default: dfs with one preemption completes the fixed variant
     * in about 11,000 schedules (a minute); --strategy dfs does that */
    .strategy = COH_STRATEGY_PCT,
    .preemptions = 1,
    .budget = 200,
    .demo =
        {
            ROW("buggy", "cortex-a9", "use-after-free", 1, false),
            ROW("buggy", "x86", "use-after-free", 1, false),
            ROW("fixed", "cortex-a9", "clean", 0, true),
            ROW("fixed", "x86", "clean", 0, true),
            {"fixed", "xscale", "clean", COH_STRATEGY_RANDOM, 0, 300, false, false},
            ROW("mmap-source", "cortex-a9", "stale-read", 0, false),
        },
};
