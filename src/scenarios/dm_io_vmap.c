/*
 * dm_io_vmap.c - seed 1, "dm io: flush cpu cache with vmapped io": a
 * dm-snapshot persistent exception store whose metadata area is vmalloc'd
 * and moved with dm_io(DM_IO_VMA), staged as drivers/md/dm-snap-persistent.c
 * (2.6.35) does it.
 *
 * The COW device: a header chunk, then metadata areas at area_location()
 * = 1 + (exceptions_per_area + 1) * area, each a chunk of exceptions
 * {old_chunk, new_chunk} (little-endian u64 pairs; new_chunk == 0 is the
 * first free slot). ps->area is vmalloc(chunk size), one page, and
 * chunk_io() reads or writes it with dm_io and DM_IO_VMA, synchronously.
 * As the previous activation left it, area 0 is full and area 1 nearly so.
 * The task `snapshot`:
 *   1. read_exceptions(): reads area 0 into ps->area and walks it through
 *      the vmalloc VA (insert_exceptions); it is full, so it reads area 1
 *      into the same buffer and walks it up to its first free slot. The
 *      walk of area 0 left its lines in the alias' cache lines.
 *   2. persistent_commit_exception(): writes a new exception into the first
 *      free slot through the vmalloc VA, then writes area 1 back (WRITE).
 *
 * What each half of the fix does (each is a switch, and each variant shows
 * one): without `dm-io-vmap-invalidate` the walk of area 1 reads lines of
 * area 0 left in (or brought back into) the alias: stale-read. Without
 * `dm-io-vmap-flush` the WRITE sends memory older than the alias' dirty
 * lines: stale-dma; and on a cache whose invalidate needs the flush first
 * (PA-RISC's invalidate_kernel_vmap_range is empty in 2.6.35) the read half
 * fails too. With the flush alone, the alias' lines are gone before the
 * READ, and only a CPU that fetches them again while the device writes
 * (speculation on ARMv6, explored at I/O completions) or a flush that keeps
 * them (SH-4's write-back-only flush) reads stale data.
 *
 * Why only aliasing caches fail: the DMA API maintains each page through
 * its kernel address (the linear map, or a kmap; a highmem page with none
 * gets nothing on VIVT, and a temporary mapping on VIPT from 2.6.34), never
 * through the vmalloc alias. On a PIPT cache (cortex-a9) every VA of a page
 * reaches the same lines, so that maintenance covers the alias too; x86 DMA
 * snoops the caches. Nothing here checks data: every finding is the
 * oracle's.
 */
#include <stdlib.h>

#include "cohsim/scenario.h"

#define CHUNK_SECTORS 8 /* 4 KiB chunks (LVM's default): the area is one page */
#define EXC_SIZE 16     /* struct disk_exception */
#define EXCEPTIONS_PER_AREA ((CHUNK_SECTORS << SECTOR_SHIFT) / EXC_SIZE)
#define AREA1_USED (EXCEPTIONS_PER_AREA - 2) /* area 1: two free slots */

struct dm_exception_store {
	struct block_device *cow;
	simptr area; /* vmalloc(chunk size) */
	unsigned current_area;
	unsigned current_committed;
	unsigned long nr_exceptions;
	u64 next_free;
};

static unsigned long chunk_bytes(void)
{
	return (unsigned long)CHUNK_SECTORS << SECTOR_SHIFT;
}

static sector_t area_location(unsigned area)
{
	return 1 + (sector_t)(EXCEPTIONS_PER_AREA + 1) * area;
}

/* chunk_io(): read or write one chunk of the COW device from/to the area. */
static int chunk_io(struct dm_exception_store *ps, sector_t chunk, unsigned long rw)
{
	COH_FRAME();
	struct dm_io_region where = {
	    .bdev = ps->cow,
	    .sector = chunk * CHUNK_SECTORS,
	    .count = CHUNK_SECTORS,
	};
	struct dm_io_request io_req = {
	    .bi_rw = rw,
	    .mem.type = DM_IO_VMA,
	    .mem.ptr.vma = ps->area,
	    .notify.fn = NULL,
	    .client = NULL,
	};
	return dm_io(&io_req, 1, &where, NULL);
}

static int area_io(struct dm_exception_store *ps, unsigned long rw)
{
	COH_FRAME();
	return chunk_io(ps, area_location(ps->current_area), rw);
}

static void read_exception(struct dm_exception_store *ps, unsigned index, u64 *old_chunk,
                           u64 *new_chunk)
{
	COH_FRAME();
	simptr de = simptr_add(ps->area, (long)index * EXC_SIZE);
	*old_chunk = sim_read64(de);
	*new_chunk = sim_read64(simptr_add(de, 8));
}

static void write_exception(struct dm_exception_store *ps, unsigned index, u64 old_chunk,
                            u64 new_chunk)
{
	COH_FRAME();
	simptr de = simptr_add(ps->area, (long)index * EXC_SIZE);
	sim_write64(de, old_chunk);
	sim_write64(simptr_add(de, 8), new_chunk);
}

/* insert_exceptions(): walks the area up to the first free slot; *full if
 * there is none. */
static void insert_exceptions(struct dm_exception_store *ps, int *full)
{
	COH_FRAME();
	*full = 1;
	for (unsigned i = 0; i < EXCEPTIONS_PER_AREA; i++) {
		u64 old_chunk, new_chunk;
		read_exception(ps, i, &old_chunk, &new_chunk);
		if (new_chunk == 0) {
			ps->current_committed = i;
			*full = 0;
			break;
		}
		if (ps->next_free <= new_chunk)
			ps->next_free = new_chunk + 1;
		ps->nr_exceptions++;
	}
}

/* read_exceptions(): area after area into the same buffer, until one is
 * not full. */
static int read_exceptions(struct dm_exception_store *ps)
{
	COH_FRAME();
	int full = 1;
	for (ps->current_area = 0; full; ps->current_area++) {
		int r = area_io(ps, READ);
		if (r)
			return r;
		insert_exceptions(ps, &full);
	}
	ps->current_area--;
	return 0;
}

static void snapshot_task(void *arg)
{
	COH_FRAME();
	struct dm_exception_store *ps = arg;
	ps->area = vmalloc(chunk_bytes());
	if (simptr_is_null(ps->area))
		return; /* an injected allocation failure: the constructor fails */
	if (read_exceptions(ps) == 0) {
		/* persistent_commit_exception: the next free slot, then the area */
		write_exception(ps, ps->current_committed++, 77, ps->next_free);
		area_io(ps, WRITE);
	}
	vfree(ps->area);
}

static void put_le64(u8 *p, u64 v)
{
	for (unsigned b = 0; b < 8; b++)
		p[b] = (u8)(v >> (8 * b));
}

/* The COW device as the previous activation left it: a valid header, area 0
 * full and area 1 with AREA1_USED exceptions. */
static int format_cow(struct gendisk *disk)
{
	u8 header[16] = {'S', 'n', 'A', 'p', 1, 0, 0, 0, 1, 0, 0, 0, CHUNK_SECTORS, 0, 0, 0};
	int r = disk_backend_write(disk, 0, header, sizeof(header));
	u8 *area = calloc(1, chunk_bytes());
	if (!area)
		return COH_ENOMEM;
	u64 data = area_location(2); /* data chunks follow the metadata */
	for (unsigned a = 0; a < 2 && !r; a++) {
		unsigned used = a == 0 ? EXCEPTIONS_PER_AREA : AREA1_USED;
		for (unsigned i = 0; i < EXCEPTIONS_PER_AREA; i++) {
			put_le64(area + i * EXC_SIZE, i < used ? 1000 * a + i : 0);
			put_le64(area + i * EXC_SIZE + 8, i < used ? data++ : 0);
		}
		r = disk_backend_write(disk, area_location(a) * CHUNK_SECTORS, area, chunk_bytes());
	}
	free(area);
	return r;
}

static int setup(coh_sched *s, void *state)
{
	struct dm_exception_store *ps = state;
	struct disk_config dc;
	disk_config_init(&dc, "cow");
	dc.capacity = (area_location(1) + 1) * CHUNK_SECTORS;
	struct gendisk *disk = alloc_disk_sim(&dc);
	if (!disk)
		return disk_last_error();
	int r = format_cow(disk);
	if (r)
		return r;
	ps->cow = disk_bdev(disk);
	if (!coh_task_create(s, "snapshot", 0, snapshot_task, ps))
		return COH_EINVAL;
	return COH_OK;
}

#define ROW(v, a, e, complete)                                                                     \
	{                                                                                          \
		v, a, e, COH_STRATEGY_DFS, 1, 0, complete, true                                    \
	}

const coh_scenario coh_scenario_dm_io_vmap = {
    .name = "dm-io-vmap",
    .description = "dm-snapshot's exception store reads its metadata areas into one vmalloc "
                   "buffer and commits through it, with dm_io",
    .models = "dm io: flush cpu cache with vmapped io (2010, v2.6.35)",
    .default_arch = "parisc",
    .ncpus = 1,
    .kernel_version = KERNEL_VERSION(2, 6, 35),
    .fixes = {{DM_IO_VMAP_FLUSH_FIX, "dm_io DM_IO_VMA: flush_kernel_vmap_range before the I/O"},
              {DM_IO_VMAP_INVALIDATE_FIX,
               "dm_io DM_IO_VMA: invalidate_kernel_vmap_range when a READ completes"}},
    .variants = {{"buggy", {NULL}},
                 {"fixed", {DM_IO_VMAP_FLUSH_FIX, DM_IO_VMAP_INVALIDATE_FIX, NULL}},
                 {"flush-only", {DM_IO_VMAP_FLUSH_FIX, NULL}},
                 {"invalidate-only", {DM_IO_VMAP_INVALIDATE_FIX, NULL}}},
    .state_size = sizeof(struct dm_exception_store),
    .setup = setup,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 1,
    .budget = 0,
    .speculation = true,
    .demo =
        {
            /* the read half: area 1 walked through area 0's lines */
            ROW("buggy", "parisc", "stale-read", false),
            ROW("buggy", "xscale", "stale-read", false),
            ROW("buggy", "arm926", "stale-read", false),
            /* the write half: the commit's dirty lines never reach memory */
            ROW("invalidate-only", "xscale", "stale-dma", false),
            ROW("invalidate-only", "arm926", "stale-dma", false),
            /* the flush alone: enough where nothing refills the alias ... */
            ROW("flush-only", "xscale", "clean", true),
            /* ... but ARMv6 fetches speculatively while the device writes,
             * and SH-4's flush only writes back */
            ROW("flush-only", "armv6", "stale-read", false),
            ROW("flush-only", "sh4", "stale-read", false),
            ROW("fixed", "parisc", "clean", true),
            ROW("fixed", "xscale", "clean", true),
            ROW("fixed", "arm926", "clean", true),
            ROW("fixed", "armv6", "clean", true),
            ROW("fixed", "sh4", "clean", true),
            /* 2.6.35 MIPS has only the generic no-op vmap flushes */
            ROW("fixed", "mips-r4k", "stale-read", false),
            ROW("buggy", "cortex-a9", "clean", true),
            ROW("buggy", "x86", "clean", true),
        },
};
