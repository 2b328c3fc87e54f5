/*
 * dmabounce.c - DMA masks and bounce buffers, as ARM's
 * arch/arm/common/dmabounce.c of 2.6.3x does them (the era's swiotlb for
 * ARM): dma_set_mask, and the bounce path of the streaming API for a
 * buffer the device cannot reach.
 *
 * Interface: dma_set_mask (dma-mapping.h); for dma/mapping.c:
 * coh__dmabounce_needed/_map/_unmap/_sync. A device with a mask gets a
 * pool of DMABOUNCE_SLOTS safe buffers of DMABOUNCE_SLOT bytes in coherent
 * memory below its mask (dmabounce's small pool). Mapping a buffer above
 * the mask takes a slot: TO_DEVICE/BIDIRECTIONAL copy the buffer into it
 * (memcpy through the CPU's cache, so no cache maintenance is needed), and
 * the device address is the slot's. sync_for_cpu copies back
 * (FROM_DEVICE/BIDIRECTIONAL), sync_for_device copies in
 * (TO_DEVICE/BIDIRECTIONAL); unmap copies back and flushes the buffer's
 * lines (__cpuc_flush_dcache_area). No slot (all busy, too large, or a
 * highmem page) fails the mapping: DMA_MAPPING_ERROR.
 * Invariants: slots live for the execution (coh__dmabounce_init resets);
 * a slot is busy from map to unmap; lookups are linear, in slot order.
 */
#include <string.h>

#include "kernel/arch/cacheflush.h"

#define DMABOUNCE_DEVS 4
#define DMABOUNCE_SLOTS 8
#define DMABOUNCE_SLOT 512

static struct {
	struct bounce_dev {
		const struct device *dev;
		simptr pool;
		dma_addr_t pool_dma;
		struct safe_buffer {
			bool busy;
			simptr ptr; /* the driver's buffer */
			size_t size;
			enum dma_data_direction dir;
		} slot[DMABOUNCE_SLOTS];
	} d[DMABOUNCE_DEVS];
	unsigned n;
} db;

int coh__dmabounce_init(void)
{
	memset(&db, 0, sizeof(db));
	return COH_OK;
}

static struct bounce_dev *find_dev(const struct device *dev)
{
	for (unsigned i = 0; i < db.n; i++)
		if (db.d[i].dev == dev)
			return &db.d[i];
	return NULL;
}

/* dma_set_mask, arch/arm/include/asm/dma-mapping.h (v2.6.35) with
 * dmabounce_register_dev's pool, arch/arm/common/dmabounce.c */
int dma_set_mask(struct device *dev, u64 mask)
{
	COH_FRAME();
	if (!dev)
		return COH_EIO;
	u64 top = coh_machine_mem_size(coh__kernel.m) - 1;
	if (mask >= top) { /* reaches all of memory: nothing to bounce */
		dev->dma_mask = mask;
		return COH_OK;
	}
	struct bounce_dev *b = find_dev(dev);
	if (!b) {
		if (db.n == DMABOUNCE_DEVS)
			return COH_EIO;
		b = &db.d[db.n];
		b->pool = dma_alloc_coherent(dev, DMABOUNCE_SLOTS * DMABOUNCE_SLOT, &b->pool_dma,
		                             GFP_KERNEL);
		if (simptr_is_null(b->pool))
			return COH_EIO;
		b->dev = dev;
		db.n++;
	}
	/* dma_supported(): the safe buffers themselves must be reachable */
	if (b->pool_dma + DMABOUNCE_SLOTS * DMABOUNCE_SLOT - 1 > mask)
		return COH_EIO;
	dev->dma_mask = mask;
	return COH_OK;
}

bool coh__dmabounce_needed(const struct device *dev, dma_addr_t addr, size_t size)
{
	return dev && dev->dma_mask && size && addr + size - 1 > dev->dma_mask;
}

/* memcpy of simulated memory by the CPU, through a host buffer */
static void copy(simptr dst, simptr src, size_t n)
{
	u8 tmp[DMABOUNCE_SLOT];
	KSITE();
	coh__sim_memcpy_from(tmp, src, n, __FILE__, __LINE__);
	coh__sim_memcpy_to(dst, tmp, n, __FILE__, __LINE__);
}

static simptr slot_va(const struct bounce_dev *b, unsigned i)
{
	return simptr_add(b->pool, (long)i * DMABOUNCE_SLOT);
}

/* map_single, arch/arm/common/dmabounce.c (v2.6.35): a safe buffer */
dma_addr_t coh__dmabounce_map(const struct device *dev, simptr ptr, size_t size,
                              enum dma_data_direction dir)
{
	COH_FRAME();
	struct bounce_dev *b = find_dev(dev);
	if (!b || simptr_is_null(ptr) || size > DMABOUNCE_SLOT)
		return DMA_MAPPING_ERROR;
	for (unsigned i = 0; i < DMABOUNCE_SLOTS; i++) {
		struct safe_buffer *s = &b->slot[i];
		if (s->busy)
			continue;
		*s = (struct safe_buffer){true, ptr, size, dir};
		if (dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL)
			copy(slot_va(b, i), ptr, size);
		return b->pool_dma + (dma_addr_t)i * DMABOUNCE_SLOT;
	}
	return DMA_MAPPING_ERROR; /* "unable to map unsafe buffer" */
}

/* The busy slot whose safe buffer holds [addr, addr+size), or -1. */
static int find_slot(const struct bounce_dev *b, dma_addr_t addr, size_t size)
{
	if (!b || addr < b->pool_dma)
		return -1;
	dma_addr_t i = (addr - b->pool_dma) / DMABOUNCE_SLOT;
	if (i >= DMABOUNCE_SLOTS || !b->slot[i].busy)
		return -1;
	dma_addr_t start = b->pool_dma + i * DMABOUNCE_SLOT;
	return addr + size <= start + b->slot[i].size ? (int)i : -1;
}

/* unmap_single, arch/arm/common/dmabounce.c (v2.6.35): copy back, flush */
bool coh__dmabounce_unmap(const struct device *dev, dma_addr_t addr, size_t size,
                          enum dma_data_direction dir)
{
	COH_FRAME();
	struct bounce_dev *b = find_dev(dev);
	int i = find_slot(b, addr, size);
	if (i < 0)
		return false;
	struct safe_buffer *s = &b->slot[i];
	if (dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL) {
		copy(s->ptr, slot_va(b, (unsigned)i), size);
		KSITE();
		coh__cpuc_flush_dcache_area(s->ptr.addr, size);
	}
	s->busy = false;
	return true;
}

/* dmabounce_sync_for_cpu/_for_device, arch/arm/common/dmabounce.c
 * (v2.6.35): copy the synced part one way */
bool coh__dmabounce_sync(const struct device *dev, dma_addr_t addr, size_t size,
                         enum dma_data_direction dir, bool for_cpu)
{
	COH_FRAME();
	struct bounce_dev *b = find_dev(dev);
	if (!b || addr < b->pool_dma)
		return false;
	dma_addr_t i = (addr - b->pool_dma) / DMABOUNCE_SLOT;
	if (i >= DMABOUNCE_SLOTS || !b->slot[i].busy)
		return false;
	const struct safe_buffer *s = &b->slot[i];
	size_t off = (size_t)(addr - (b->pool_dma + i * DMABOUNCE_SLOT));
	if (off + size > s->size)
		return false;
	simptr safe = simptr_add(slot_va(b, (unsigned)i), (long)off);
	if (for_cpu && (dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL))
		copy(simptr_add(s->ptr, (long)off), safe, size);
	if (!for_cpu && (dir == DMA_TO_DEVICE || dir == DMA_BIDIRECTIONAL))
		copy(safe, simptr_add(s->ptr, (long)off), size);
	return true;
}
