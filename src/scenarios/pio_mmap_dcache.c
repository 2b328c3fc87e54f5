/*
 * pio_mmap_dcache.c - a file read in by a PIO driver, then mapped and
 * read by a user (c01778001a4f, "ARM: 6379/1: Assume new page cache pages
 * have dirty D-cache", Catalin Marinas, 2.6.37).
 *
 * One CPU, one user task, a disk behind a programmed-I/O controller whose
 * driver copies each sector into the page through a kmap_atomic and calls
 * no flush_dcache_page (DISK_PIO_KMAP: the "several PIO drivers including
 * USB HCD" of the commit's message, e.g. a USB stick or a CF card holding
 * the program a board runs). The task maps the file's first page
 * read-only and private, as an ELF loader maps text, and reads it. The
 * read fault reads the page in: the driver's stores sit in dirty lines of
 * the kernel alias. Up to 2.6.36 ARM's PG_dcache_dirty marks only the
 * pages flush_dcache_page deferred, so update_mmu_cache flushes nothing,
 * and the user's first load at its own colour (VIVT, aliasing VIPT) reads
 * memory the driver's data has not reached (stale-read). 6379/1 turned
 * the flag into PG_dcache_clean: a new page-cache page is assumed dirty
 * and flushed when it is first mapped (`dcache-clean`, in the model's
 * code from 2.6.37). The scenario runs 2.6.35.
 *
 * Where it shows: aliasing VIPT (ARMv6; MIPS and PA-RISC, whose
 * update_mmu_cache of the era flushes only a page flush_dcache_page
 * deferred). SH-4 is clean: its __update_cache already assumed a page not
 * PG_dcache_clean dirty, which is what 6379/1 brought to ARM. The VIVT
 * profiles have highmem, where page-cache pages live: the driver's
 * kmap_atomic is a fixmap slot, and ARM's kunmap_atomic flushes it on
 * VIVT, so xscale and arm926 stay clean. The fix is ARM's: MIPS and
 * PA-RISC keep the hole in the model.
 *
 * Nothing here checks the data: findings come from the oracle.
 */
#include <string.h>

#include "cohsim/fs.h"
#include "cohsim/scenario.h"

struct pmd_state {
	struct file *filp;
};

static void loader(void *arg)
{
	struct pmd_state *st = arg;
	unsigned long addr =
	    do_mmap_pgoff(current->mm, st->filp, 0, 4096, PROT_READ, MAP_PRIVATE, 0);
	if (IS_ERR_VALUE(addr))
		return;
	u8 text[64];
	user_memcpy_from(text, addr, sizeof(text));
}

static int pmd_setup(coh_sched *s, void *state)
{
	struct pmd_state *st = state;
	struct disk_config dc;
	disk_config_init(&dc, "sdb");
	dc.pio = coh_fix("dma-controller") ? 0 : DISK_PIO_KMAP;
	struct gendisk *disk = alloc_disk_sim(&dc);
	if (!disk)
		return COH_EINVAL;
	struct simplefs_file_spec spec = {"init", 1, 4096};
	struct super_block *sb = simplefs_mkfs_mount(disk, &spec, 1);
	if (!sb)
		return COH_EINVAL;
	/* the program's first bytes, in block 1 (the file's extent) */
	u8 text[64];
	for (unsigned i = 0; i < sizeof(text); i++)
		text[i] = (u8)(0xe0 + (i & 0xf));
	size_t psize = coh_machine_page_size(kernel_machine());
	if (disk_backend_write(disk, psize >> SECTOR_SHIFT, text, sizeof(text)))
		return COH_EINVAL;
	st->filp = filp_open(sb, "init", O_RDONLY);
	struct mm_struct *mm = mm_alloc();
	if (!st->filp || !mm)
		return COH_ENOMEM;
	if (!user_task_create(s, "loader", 0, mm, loader, st))
		return COH_EINVAL;
	return 0;
}

const coh_scenario coh_scenario_pio_mmap_dcache = {
    .name = "pio-mmap-dcache",
    .description = "a file page filled by a PIO driver that flushes nothing, then mapped "
                   "and read by a user",
    .models = "c01778001a4f ARM: 6379/1: Assume new page cache pages have dirty D-cache "
              "(PG_dcache_clean, 2.6.37)",
    .default_arch = "armv6",
    .ncpus = 1,
    .kernel_version = KERNEL_VERSION(2, 6, 35),
    .fixes = {{"dcache-clean",
               "ARM's PG_arch_1 is PG_dcache_clean: a page not known clean is flushed when "
               "first mapped (c01778001a4f; always on from 2.6.37)"},
              {"dma-controller",
               "not a fix: the disk's controller moves data by DMA instead of PIO"},
              {NULL, NULL}},
    .variants = {{"buggy", {NULL}},
                 {"fixed", {"dcache-clean", NULL}},
                 {"dma", {"dma-controller", NULL}}},
    .state_size = sizeof(struct pmd_state),
    .setup = pmd_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 1,
    .budget = 0,
    .demo = {{"buggy", "armv6", "stale-read", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "armv6", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"dma", "armv6", "clean", COH_STRATEGY_DFS, 1, 0, true},
             /* VIVT: highmem pages, flushed by kunmap_atomic */
             {"buggy", "xscale", "clean", COH_STRATEGY_DFS, 1, 0, true},
             /* the fix is ARM's */
             {"fixed", "mips-r4k", "stale-read", COH_STRATEGY_DFS, 1, 0, false},
             /* SH-4's __update_cache has its own PG_dcache_clean */
             {"buggy", "sh4", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "cortex-a9", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "x86", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
