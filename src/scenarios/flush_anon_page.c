/*
 * flush_anon_page.c - the get_user_pages half of seed 4's thread: the user
 * writes its anonymous buffer, and the kernel reads it through
 * get_user_pages and a kmap (a FUSE request, a write to a pipe or a
 * device), or a device reads it by DMA (O_DIRECT).
 *
 * One CPU, one user task. It fills a private anonymous buffer through its
 * own VA (on a write-back cache the data sits in dirty lines of the user
 * alias), then "writes" it: the kernel pins the page with get_user_pages
 * and reads it through a kmap, or (`o-direct`) maps it for the device with
 * dma_map_page(DMA_TO_DEVICE), which cleans only the kernel alias, and the
 * device reads it. Without flush_anon_page in get_user_pages (before
 * 6020dff09252, "[ARM] Resolve fuse and direct-IO failures due to missing
 * cache flushes", 2.6.20) the user's dirty lines are not written back:
 * the kernel reads stale bytes (stale-read), the device stale memory
 * (stale-dma). With it (`gup-flush-anon-page`), both are clean.
 *
 * Nothing here checks the data: findings come from the oracle.
 */
#include "cohsim/scenario.h"

#define LEN 64
/* colour 2 of an aliasing VIPT cache, unlike the kernel alias of the first page (frame 1) */
#define USER_BUF (TASK_UNMAPPED_BASE + 0x2000)

struct fap_state {
	struct device dev;
	struct mm_struct *mm;
	unsigned long buf;
	dma_addr_t dma;
	coh_completion done;
};

/* The device reads the buffer and completes the request. */
static void disk_reads(void *arg)
{
	struct fap_state *st = arg;
	u8 sector[LEN];
	coh_dma_read(kernel_machine(), st->dma, sector, LEN);
	coh_complete(&st->done);
}

static void writer(void *arg)
{
	struct fap_state *st = arg;
	u8 old[LEN];
	user_write32(st->buf, 0); /* the fault: a page of its own */
	/* a read-allocate cache (ARM926) allocates the lines on this read */
	user_memcpy_from(old, st->buf, LEN);
	for (unsigned i = 0; i < LEN; i += 4)
		user_write32(st->buf + i, 0xa5a50000u + i);

	struct page *page;
	if (get_user_pages(current, st->mm, st->buf, 1, 0, 0, &page, NULL) != 1)
		return;
	if (coh_fix("o-direct")) {
		st->dma = dma_map_page(&st->dev, page, 0, LEN, DMA_TO_DEVICE);
		coh_io_complete_later(coh_sched_current(), disk_reads, st, "disk");
		coh_wait_for_completion(&st->done);
		dma_unmap_page(&st->dev, st->dma, LEN, DMA_TO_DEVICE);
	} else {
		u8 got[LEN];
		simptr k = kmap(page);
		sim_memcpy_from(got, k, LEN);
		kunmap(page);
	}
	put_page(page);
}

static int fap_setup(coh_sched *s, void *state)
{
	struct fap_state *st = state;
	st->dev.name = "disk";
	coh_init_completion(&st->done, "done");
	st->mm = mm_alloc();
	if (!st->mm)
		return COH_ENOMEM;
	st->buf =
	    do_mmap(st->mm, USER_BUF, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
	if (IS_ERR_VALUE(st->buf))
		return COH_ENOMEM;
	if (!user_task_create(s, "writer", 0, st->mm, writer, st))
		return COH_EINVAL;
	return 0;
}

const coh_scenario coh_scenario_flush_anon_page = {
    .name = "flush-anon-page",
    .description = "the kernel (or a device, O_DIRECT) reads a user's freshly written "
                   "anonymous buffer after get_user_pages",
    .models = "6020dff09252 [ARM] Resolve fuse and direct-IO failures due to missing cache "
              "flushes (flush_anon_page in get_user_pages, 2.6.20)",
    .default_arch = "xscale",
    .ncpus = 1,
    .kernel_version = KERNEL_VERSION(2, 6, 35),
    .fixes = {{"gup-flush-anon-page",
               "get_user_pages calls flush_anon_page on each page (6020dff09252)"},
              {"o-direct", "not a fix: a device reads the pinned page by DMA (O_DIRECT) "
                           "instead of the kernel through a kmap"},
              {NULL, NULL}},
    .variants = {{"buggy", {NULL}},
                 {"fixed", {"gup-flush-anon-page", NULL}},
                 {"dio-buggy", {"o-direct", NULL}},
                 {"dio-fixed", {"o-direct", "gup-flush-anon-page", NULL}}},
    .state_size = sizeof(struct fap_state),
    .setup = fap_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 1,
    .budget = 0,
    .demo = {{"buggy", "xscale", "stale-read", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "xscale", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"dio-buggy", "xscale", "stale-dma", COH_STRATEGY_DFS, 1, 0, false},
             {"dio-fixed", "xscale", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "arm926", "stale-read", COH_STRATEGY_DFS, 1, 0, false},
             {"dio-fixed", "arm926", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "armv6", "stale-read", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "armv6", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"dio-buggy", "mips-r4k", "stale-dma", COH_STRATEGY_DFS, 1, 0, false},
             {"dio-fixed", "sh4", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "parisc", "stale-read", COH_STRATEGY_DFS, 1, 0, false},
             {"buggy", "cortex-a9", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"dio-buggy", "x86", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
