/*
 * dm_io_vmap.c - seed 1, "dm io: flush cpu cache with vmapped io": a
 * dm-snapshot persistent exception store whose metadata area is vmalloc'd
 * and moved with dm_io(DM_IO_VMA).
 *
 * The store (after drivers/md/dm-snap-persistent.c): the COW device holds a
 * header chunk, then metadata areas of exceptions {old_chunk, new_chunk}
 * (little-endian u64 pairs, new_chunk == 0 ends the list). ps->area is
 * vmalloc(chunk size), two pages; chunk_io() reads or writes it with dm_io
 * and DM_IO_VMA, synchronously. The task `snapshot`:
 *   1. read_exceptions: reads area 0 and walks it through the vmalloc VA
 *      (insert_exceptions), so the alias' lines are in the cache;
 *   2. commits two new exceptions: writes them through the vmalloc VA and
 *      writes the area back (WRITE). Without the fix the dirty lines of the
 *      vmalloc alias are not cleaned: the device reads stale memory.
 *   3. waits while `peer` (the merge path, through its own lowmem buffer,
 *      DM_IO_KMEM) rewrites area 0 on the COW device;
 *   4. reads area 0 again (READ) and walks it. Without the fix the alias'
 *      lines are not invalidated after the DMA: the CPU reads stale lines.
 *
 * Why only aliasing caches fail: the DMA API maintains each page through
 * its kernel mapping (the linear map, or a temporary kmap for highmem),
 * never through the vmalloc alias. On a PIPT cache (cortex-a9) both VAs
 * reach the same lines, so that maintenance covers the alias too; x86 DMA
 * snoops the caches. On VIVT (xscale, arm926) and PA-RISC's hashed VIPT the
 * vmalloc alias has lines of its own. Nothing here checks data: every
 * finding comes from the oracle.
 */
#include "cohsim/scenario.h"

#define CHUNK_SECTORS 16 /* 8 KiB chunks: the area is two pages */
#define AREA_CHUNK 1     /* area 0 follows the header chunk */
#define EXC_SIZE 16      /* struct disk_exception */
#define PEER_ENTRIES 4

struct dm_exception_store {
	struct block_device *cow;
	simptr area; /* vmalloc(chunk size) */
	unsigned current_committed;
	unsigned long nr_exceptions;
	coh_completion committed; /* snapshot -> peer: area written */
	coh_completion rewritten; /* peer -> snapshot: area changed */
};

static unsigned long chunk_bytes(void)
{
	return (unsigned long)CHUNK_SECTORS << SECTOR_SHIFT;
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

/* insert_exceptions(): walks the area up to the first free slot. */
static void insert_exceptions(struct dm_exception_store *ps)
{
	COH_FRAME();
	unsigned per_area = (unsigned)(chunk_bytes() / EXC_SIZE);
	ps->current_committed = 0;
	for (unsigned i = 0; i < per_area; i++) {
		u64 old_chunk, new_chunk;
		read_exception(ps, i, &old_chunk, &new_chunk);
		if (new_chunk == 0)
			break; /* the first free slot: the end of the list */
		ps->current_committed = i + 1;
		ps->nr_exceptions++;
	}
}

static void snapshot_task(void *arg)
{
	COH_FRAME();
	struct dm_exception_store *ps = arg;
	ps->area = vmalloc(chunk_bytes());
	BUG_ON(simptr_is_null(ps->area));

	/* 1. read_exceptions */
	if (chunk_io(ps, AREA_CHUNK, READ) == 0)
		insert_exceptions(ps);

	/* 2. persistent_commit_exception: two new exceptions, then the
	 * terminator, then the area goes to the COW device */
	unsigned i = ps->current_committed;
	write_exception(ps, i, 12, 5);
	write_exception(ps, i + 1, 17, 6);
	write_exception(ps, i + 2, 0, 0);
	chunk_io(ps, AREA_CHUNK, WRITE);
	coh_complete(&ps->committed);

	/* 3. the merge path rewrites the area underneath */
	coh_wait_for_completion(&ps->rewritten);

	/* 4. read it back and walk it again */
	ps->nr_exceptions = 0;
	if (chunk_io(ps, AREA_CHUNK, READ) == 0)
		insert_exceptions(ps);
	vfree(ps->area);
}

/* The merge path: writes a new version of the area's first page through a
 * lowmem buffer. The DMA API's cleaning of the linear map covers it. */
static void peer_task(void *arg)
{
	COH_FRAME();
	struct dm_exception_store *ps = arg;
	coh_wait_for_completion(&ps->committed);
	struct page *page = alloc_page(GFP_KERNEL);
	if (!page) { /* an injected allocation failure: the merge is skipped */
		coh_complete(&ps->rewritten);
		return;
	}
	simptr buf = page_address(page);
	for (unsigned i = 0; i < PEER_ENTRIES; i++) {
		sim_write64(simptr_add(buf, (long)i * EXC_SIZE), 100 + i);
		sim_write64(simptr_add(buf, (long)i * EXC_SIZE + 8), 200 + i);
	}
	sim_write64(simptr_add(buf, PEER_ENTRIES * EXC_SIZE), 0);
	sim_write64(simptr_add(buf, PEER_ENTRIES * EXC_SIZE + 8), 0);
	struct dm_io_region where = {
	    .bdev = ps->cow,
	    .sector = AREA_CHUNK * CHUNK_SECTORS,
	    .count = coh_machine_page_size(kernel_machine()) >> SECTOR_SHIFT,
	};
	struct dm_io_request io_req = {
	    .bi_rw = WRITE,
	    .mem.type = DM_IO_KMEM,
	    .mem.ptr.addr = buf,
	};
	dm_io(&io_req, 1, &where, NULL);
	__free_page(page);
	coh_complete(&ps->rewritten);
}

/* The COW device as the previous activation left it: a valid header and
 * two exceptions in area 0. */
static int format_cow(struct gendisk *disk)
{
	u8 header[16] = {'S', 'n', 'A', 'p', 1, 0, 0, 0, 1, 0, 0, 0, CHUNK_SECTORS, 0, 0, 0};
	u8 area[2 * EXC_SIZE] = {0};
	const u64 exc[4] = {5, 3, 9, 4};
	for (unsigned i = 0; i < 4; i++)
		for (unsigned b = 0; b < 8; b++)
			area[i * 8 + b] = (u8)(exc[i] >> (8 * b));
	int r = disk_backend_write(disk, 0, header, sizeof(header));
	if (!r)
		r = disk_backend_write(disk, AREA_CHUNK * CHUNK_SECTORS, area, sizeof(area));
	return r;
}

static int setup(coh_sched *s, void *state)
{
	struct dm_exception_store *ps = state;
	struct disk_config dc;
	disk_config_init(&dc, "cow");
	dc.capacity = 8 * CHUNK_SECTORS;
	struct gendisk *disk = alloc_disk_sim(&dc);
	if (!disk)
		return disk_last_error();
	int r = format_cow(disk);
	if (r)
		return r;
	ps->cow = disk_bdev(disk);
	coh_init_completion(&ps->committed, "committed");
	coh_init_completion(&ps->rewritten, "rewritten");
	if (!coh_task_create(s, "snapshot", 0, snapshot_task, ps) ||
	    !coh_task_create(s, "merge", 0, peer_task, ps))
		return COH_EINVAL;
	return COH_OK;
}

const coh_scenario coh_scenario_dm_io_vmap = {
    .name = "dm-io-vmap",
    .description = "dm-snapshot metadata in a vmalloc area written and read back with dm_io",
    .models = "seed 1: dm io: flush cpu cache with vmapped io",
    .default_arch = "parisc",
    .ncpus = 1,
    .fixes = {{DM_IO_VMAP_FLUSH_FIX,
               "dm_io DM_IO_VMA: flush_kernel_vmap_range before, invalidate after a read"}},
    .variants = {{"buggy", {NULL}}, {"fixed", {DM_IO_VMAP_FLUSH_FIX, NULL}}},
    .state_size = sizeof(struct dm_exception_store),
    .setup = setup,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 1,
    .budget = 0,
    .demo =
        {
            {"buggy", "xscale", "stale-dma", COH_STRATEGY_DFS, 1, 0, false},
            {"buggy", "arm926", "stale-dma", COH_STRATEGY_DFS, 1, 0, false},
            {"buggy", "parisc", "stale-dma", COH_STRATEGY_DFS, 1, 0, false},
            {"fixed", "xscale", "clean", COH_STRATEGY_DFS, 1, 0, true},
            {"fixed", "arm926", "clean", COH_STRATEGY_DFS, 1, 0, true},
            {"fixed", "parisc", "clean", COH_STRATEGY_DFS, 1, 0, true},
            {"buggy", "x86", "clean", COH_STRATEGY_DFS, 1, 0, true},
            {"buggy", "cortex-a9", "clean", COH_STRATEGY_DFS, 1, 0, true},
        },
};
