/*
 * pio_sg_miter.c - an O_DIRECT read through a PIO controller whose
 * driver walks the request with sg_miter (an SD card behind sdhci's PIO,
 * 2.6.3x), into a user's anonymous buffer ("lib/scatterlist: add a flags
 * to signalize mapping direction", S. A. Siewior, 2.6.30: sg_miter_stop
 * calls flush_kernel_dcache_page for SG_MITER_TO_SG; its hash is not
 * confirmed here).
 *
 * One CPU, one user task: it fills a two-page anonymous buffer (its user
 * alias holds the lines), then read(2)s 8 KiB of a file opened O_DIRECT
 * into it and looks at what it got. Direct I/O pins the pages with
 * get_user_pages (flush_anon_page writes the user alias back, as in every
 * modelled release) and sends bios to the disk; the controller moves no
 * data itself: in the interrupt handler the driver maps each piece with
 * sg_miter (SG_MITER_ATOMIC | SG_MITER_TO_SG) and stores the sectors
 * through the kernel alias. Before the fix the iterator flushed nothing
 * (sg_copy_buffer flushed its own pages, a driver iterating by itself
 * did not): the sectors sit in dirty lines of the kernel alias, and the
 * user's loads at its own colour read memory without them (stale-read).
 * With `sg-miter-flush` (in every modelled release; the buggy variant
 * declares it off) sg_miter_stop calls flush_kernel_dcache_page.
 *
 * Where it shows: aliasing VIPT without highmem (ARMv6, SH-4, PA-RISC;
 * and MIPS, whose flush_kernel_dcache_page does nothing in the model and
 * the era, so the fixed variant is not clean there either; SH's is
 * flush_dcache_page). The VIVT profiles put user pages in highmem, whose
 * kmap_atomic slot kunmap_atomic flushes.
 *
 * Nothing here checks the data: findings come from the oracle.
 */
#include "cohsim/fs.h"
#include "cohsim/scenario.h"

#define PAGE 4096
#define UBUF (TASK_UNMAPPED_BASE + 0x2000)

struct psm_state {
	struct file *filp;
};

static void reader(void *arg)
{
	struct psm_state *st = arg;
	u8 got[64];
	user_memset(UBUF, 0x55, 2 * PAGE);
	loff_t pos = 0;
	if (vfs_read(st->filp, UBUF, 2 * PAGE, &pos) != 2 * PAGE)
		return;
	user_memcpy_from(got, UBUF, sizeof(got));
	user_memcpy_from(got, UBUF + PAGE, sizeof(got));
}

static int psm_setup(coh_sched *s, void *state)
{
	struct psm_state *st = state;
	struct disk_config dc;
	disk_config_init(&dc, "mmcblk0");
	dc.pio = DISK_PIO_SG_MITER;
	struct gendisk *disk = alloc_disk_sim(&dc);
	if (!disk)
		return COH_EINVAL;
	struct simplefs_file_spec spec = {"photo", 2, 2 * PAGE};
	struct super_block *sb = simplefs_mkfs_mount(disk, &spec, 1);
	if (!sb)
		return COH_EINVAL;
	/* the file's bytes: blocks 1 and 2 (its extent) */
	u8 data[2 * PAGE];
	for (unsigned i = 0; i < sizeof(data); i++)
		data[i] = (u8)(0xa0 + (i & 0x1f));
	if (disk_backend_write(disk, PAGE >> SECTOR_SHIFT, data, sizeof(data)))
		return COH_EINVAL;
	st->filp = filp_open(sb, "photo", O_RDONLY | O_DIRECT);
	struct mm_struct *mm = mm_alloc();
	if (!st->filp || !mm)
		return COH_ENOMEM;
	if (IS_ERR_VALUE(do_mmap(mm, UBUF, 2 * PAGE, PROT_READ | PROT_WRITE,
	                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED)))
		return COH_ENOMEM;
	if (!user_task_create(s, "reader", 0, mm, reader, st))
		return COH_EINVAL;
	return 0;
}

const coh_scenario coh_scenario_pio_sg_miter = {
    .name = "pio-sg-miter",
    .description = "an O_DIRECT read into a user's buffer through a PIO controller whose "
                   "driver fills the pages with sg_miter",
    .models = "lib/scatterlist: add a flags to signalize mapping direction (sg_miter_stop's "
              "flush_kernel_dcache_page for SG_MITER_TO_SG, 2.6.30; hash not confirmed)",
    .default_arch = "armv6",
    .ncpus = 1,
    .kernel_version = KERNEL_VERSION(2, 6, 35),
    .fixes = {{"sg-miter-flush", "sg_miter_stop flushes the kernel alias of a page it filled "
                                 "(SG_MITER_TO_SG; in every modelled release)"},
              {"gup-flush-anon-page", "on in every variant: get_user_pages flushes the user alias "
                                      "(6020dff09252, 2.6.20)"},
              {NULL, NULL}},
    .variants = {{"buggy", {"gup-flush-anon-page", NULL}},
                 {"fixed", {"gup-flush-anon-page", "sg-miter-flush", NULL}}},
    .state_size = sizeof(struct psm_state),
    .setup = psm_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 1,
    .budget = 0,
    .demo = {{"buggy", "armv6", "stale-read", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "armv6", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "parisc", "stale-read", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "parisc", "clean", COH_STRATEGY_DFS, 1, 0, true},
             /* VIVT: user pages in highmem, flushed by kunmap_atomic */
             {"buggy", "xscale", "clean", COH_STRATEGY_DFS, 1, 0, true},
             /* MIPS's flush_kernel_dcache_page does nothing */
             {"fixed", "mips-r4k", "stale-read", COH_STRATEGY_DFS, 1, 0, false},
             {"buggy", "cortex-a9", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "x86", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
