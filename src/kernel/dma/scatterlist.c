/*
 * scatterlist.c - scatterlists (lib/scatterlist.c) and their streaming DMA
 * calls (kernel/dma/mapping.c dma_map_sg_attrs and friends).
 *
 * Interface: sg_init_table/sg_set_page/sg_set_buf/sg_next, dma_map_sg,
 * dma_unmap_sg, dma_sync_sg_for_cpu/_for_device (dma-mapping.h).
 * A list is an array whose last entry has `end` set (no chaining). Each
 * entry is mapped with dma_map_page, so each is its own DMA-API-debug
 * mapping with its own cache maintenance; entries are not merged (no
 * IOMMU), so dma_map_sg returns nents. The entries are walked in order:
 * a preemption can fall between two of them, as in arm_dma_map_sg.
 */
#include <string.h>

#include "kernel/kernel_impl.h"

/* sg_init_table, lib/scatterlist.c (v6.6) */
void sg_init_table(struct scatterlist *sgl, unsigned int nents)
{
	memset(sgl, 0, sizeof(*sgl) * nents);
	if (nents)
		sgl[nents - 1].end = true;
}

/* sg_set_page, include/linux/scatterlist.h (v6.6) */
void sg_set_page(struct scatterlist *sg, struct page *page, unsigned int len, unsigned int offset)
{
	sg->page = page;
	sg->offset = offset;
	sg->length = len;
}

/* sg_set_buf, include/linux/scatterlist.h (v6.6): lowmem only */
void sg_set_buf(struct scatterlist *sg, simptr buf, unsigned int buflen)
{
	size_t ps = coh_machine_page_size(coh__kernel.m);
	sg_set_page(sg, virt_to_page(buf), buflen, (unsigned)(buf.addr & (ps - 1)));
}

/* sg_next, lib/scatterlist.c (v6.6) */
struct scatterlist *sg_next(struct scatterlist *sg)
{
	return sg->end ? NULL : sg + 1;
}

/* dma_map_sg_attrs -> arm_dma_map_sg, arch/arm/mm/dma-mapping.c (v6.6) */
int dma_map_sg(struct device *dev, struct scatterlist *sg, int nents, enum dma_data_direction dir)
{
	COH_FRAME();
	struct scatterlist *s = sg;
	int i;
	for (i = 0; i < nents && s; i++, s = sg_next(s)) {
		s->dma_address = dma_map_page(dev, s->page, s->offset, s->length, dir);
		if (dma_mapping_error(dev, s->dma_address))
			break;
		s->dma_length = s->length;
	}
	if (i == nents)
		return nents;
	/* bad_mapping: unmap what was mapped */
	s = sg;
	for (int j = 0; j < i; j++, s = sg_next(s))
		dma_unmap_page(dev, s->dma_address, s->dma_length, dir);
	return 0;
}

/* arm_dma_unmap_sg, arch/arm/mm/dma-mapping.c (v6.6) */
void dma_unmap_sg(struct device *dev, struct scatterlist *sg, int nents,
                  enum dma_data_direction dir)
{
	COH_FRAME();
	struct scatterlist *s;
	int i;
	for_each_sg(sg, s, nents, i)
	{
		if (!s)
			break;
		dma_unmap_page(dev, sg_dma_address(s), sg_dma_len(s), dir);
	}
}

/* arm_dma_sync_sg_for_cpu, arch/arm/mm/dma-mapping.c (v6.6) */
void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg, int nents,
                         enum dma_data_direction dir)
{
	struct scatterlist *s;
	int i;
	for_each_sg(sg, s, nents, i)
	{
		if (!s)
			break;
		dma_sync_single_for_cpu(dev, sg_dma_address(s), s->length, dir);
	}
}

/* arm_dma_sync_sg_for_device, arch/arm/mm/dma-mapping.c (v6.6) */
void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sg, int nents,
                            enum dma_data_direction dir)
{
	struct scatterlist *s;
	int i;
	for_each_sg(sg, s, nents, i)
	{
		if (!s)
			break;
		dma_sync_single_for_device(dev, sg_dma_address(s), s->length, dir);
	}
}
