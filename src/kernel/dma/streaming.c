/*
 * streaming.c - the small calls around the streaming DMA API
 * (include/linux/dma-mapping.h): range syncs and the mapping-error test.
 *
 * Interface: dma_sync_single_range_for_cpu/_for_device and
 * dma_mapping_error (dma-mapping.h). The range syncs are the single syncs
 * of [addr+offset, addr+offset+size); DMA-API-debug (dma/mapping.c) tracks
 * ownership per byte range, so the rest of the mapping keeps its owner.
 */
#include "kernel/kernel_impl.h"

/* dma_sync_single_range_for_cpu, include/linux/dma-mapping.h (v6.6) */
void dma_sync_single_range_for_cpu(struct device *dev, dma_addr_t addr, unsigned long offset,
                                   size_t size, enum dma_data_direction dir)
{
	dma_sync_single_for_cpu(dev, addr + offset, size, dir);
}

/* dma_sync_single_range_for_device, include/linux/dma-mapping.h (v6.6) */
void dma_sync_single_range_for_device(struct device *dev, dma_addr_t addr, unsigned long offset,
                                      size_t size, enum dma_data_direction dir)
{
	dma_sync_single_for_device(dev, addr + offset, size, dir);
}

/* dma_mapping_error, include/linux/dma-mapping.h (v6.6) */
int dma_mapping_error(struct device *dev, dma_addr_t addr)
{
	coh__dma_debug_mapping_error(dev, addr); /* debug_dma_mapping_error (v3.9) */
	return addr == DMA_MAPPING_ERROR;
}
