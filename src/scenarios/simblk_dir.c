/*
 * simblk_dir.c - a block driver that maps its data buffers with the DMA
 * direction seen from the wrong side: DMA_FROM_DEVICE for a WRITE (the
 * device "reads from" memory), DMA_TO_DEVICE for a READ.
 *
 * A task writes sector 3 from a buffer it has just filled, then reads
 * sector 5 into the same buffer and reads the data, on the reference block
 * controller through the small NVMe-style driver (simblk_drv.c). With the
 * directions swapped the WRITE's map invalidates the buffer's dirty lines
 * instead of cleaning them: the CPU's sector never reaches memory. The
 * oracle reports the lost-write at the invalidation, and with --keep-going
 * the device's stale-dma when it reads the buffer for the disk. (The
 * READ's map then cleans instead of invalidating; here the WRITE's map has
 * already dropped the lines, so that half does no visible harm.)
 * DMA-API-debug cannot see it: the calls pair up, only the direction is
 * wrong. The fix names the direction the data flows (`simblk-dma-dir`).
 * Clean on x86 (coherent), and on arm926 and mips-r4k, whose caches do
 * not allocate a line on a store miss: the sector went to memory.
 *
 * A synthetic classic, not one commit: a swapped rq_data_dir() to
 * DMA-direction mapping has been fixed in many storage drivers.
 */
#include "scenarios/simblk_drv.h"

#define SBD_IRQ 8
#define SBD_WRITE_LBA 3
#define SBD_READ_LBA 5

struct sbd_state {
	struct simblk_drv d;
};

/* The direction a command's buffer is mapped with. */
static enum dma_data_direction sbd_dir(u32 op)
{
	if (coh_fix("simblk-dma-dir")) /* where the data flows */
		return op == SIMBLK_OP_WRITE ? DMA_TO_DEVICE : DMA_FROM_DEVICE;
	return op == SIMBLK_OP_WRITE ? DMA_FROM_DEVICE : DMA_TO_DEVICE; /* the device's view */
}

/* One command on buf, mapped for it, waited for, unmapped. */
static void sbd_rw(struct simblk_drv *d, u32 op, u32 lba, simptr buf)
{
	COH_FRAME();
	dma_addr_t h = dma_map_single(d->dev, buf, SIMBLK_SECTOR_SIZE, sbd_dir(op));
	BUG_ON(dma_mapping_error(d->dev, h));
	unsigned id = simblk_drv_submit(d, op, lba, h, 1);
	BUG_ON(simblk_drv_wait(d, id) != 0);
	dma_unmap_single(d->dev, h, SIMBLK_SECTOR_SIZE, sbd_dir(op));
}

static void sbd_io(void *arg)
{
	COH_FRAME();
	struct sbd_state *st = arg;
	struct simblk_drv *d = &st->d;
	simblk_drv_probe(d, 4);
	simptr buf = kmalloc(SIMBLK_SECTOR_SIZE, GFP_KERNEL);
	BUG_ON(simptr_is_null(buf));
	for (unsigned i = 0; i < SIMBLK_SECTOR_SIZE; i += 4) /* the sector to write */
		sim_write32(simptr_add(buf, (long)i), 0xc0de0000u | i);
	sbd_rw(d, SIMBLK_OP_WRITE, SBD_WRITE_LBA, buf);
	sbd_rw(d, SIMBLK_OP_READ, SBD_READ_LBA, buf);
	u32 sum = 0;
	for (unsigned i = 0; i < SIMBLK_SECTOR_SIZE; i += 4) /* the sector read */
		sum += sim_read32(simptr_add(buf, (long)i));
	(void)sum;
	kfree(buf);
}

static int sbd_setup(coh_sched *s, void *state)
{
	struct sbd_state *st = state;
	int r = simblk_drv_setup(&st->d, SBD_IRQ);
	if (r)
		return r;
	u8 sector[SIMBLK_SECTOR_SIZE];
	for (unsigned i = 0; i < sizeof(sector); i++)
		sector[i] = (u8)(0x50 + i % 7);
	r = simblk_disk_write(st->d.blk, SBD_READ_LBA * SIMBLK_SECTOR_SIZE, sector, sizeof(sector));
	if (r)
		return r;
	return coh_task_create(s, "io", 0, sbd_io, st) ? 0 : COH_EINVAL;
}

const coh_scenario coh_scenario_simblk_dir = {
    .name = "simblk-dir",
    .description = "a block driver maps its data buffers with the DMA direction swapped "
                   "(FROM_DEVICE for a write, TO_DEVICE for a read)",
    .models = "synthetic classic: DMA direction from the device's point of view (the reference "
              "block controller)",
    .default_arch = "cortex-a9",
    .ncpus = 1,
    .fixes = {{"simblk-dma-dir", "map WRITE buffers DMA_TO_DEVICE and READ buffers "
                                 "DMA_FROM_DEVICE"},
              {NULL, NULL}},
    .variants = {{"buggy", {NULL}}, {"fixed", {"simblk-dma-dir", NULL}}, {NULL, {NULL}}},
    .state_size = sizeof(struct sbd_state),
    .setup = sbd_setup,
    .finish = NULL,
    .strategy = COH_STRATEGY_DFS,
    .preemptions = 1,
    .budget = 0,
    .demo = {{"buggy", "cortex-a9", "lost-write", COH_STRATEGY_DFS, 1, 0, false},
             {"fixed", "cortex-a9", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {"buggy", "xscale", "lost-write", COH_STRATEGY_DFS, 1, 0, false},
             {"buggy", "x86", "clean", COH_STRATEGY_DFS, 1, 0, true},
             {NULL, NULL, NULL, 0, 0, 0, false}},
};
