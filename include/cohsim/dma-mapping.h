/*
 * cohsim/dma-mapping.h - the rest of the DMA API a driver needs, beside the
 * streaming map/unmap/sync calls of linux.h: coherent allocations, DMA
 * pools, scatterlists, range syncs, mapping errors, and device-side DMA
 * that reports the device's own line.
 *
 * Included by linux.h; scenario code does not include it directly. All of
 * it runs inside an execution; objects (pools, coherent buffers, bounce
 * slots) belong to the execution and vanish with the next kernel_init().
 */
#ifndef COHSIM_DMA_MAPPING_H
#define COHSIM_DMA_MAPPING_H

#ifdef __cplusplus
extern "C" {
#endif

/* The address a failed mapping returns (include/linux/dma-mapping.h). */
#define DMA_MAPPING_ERROR (~(dma_addr_t)0)

/* Nonzero if addr is DMA_MAPPING_ERROR. DMA-API-debug notes the check: a
 * mapping of a device with a DMA mask that is unmapped without one is an
 * api-misuse finding (dma-debug's "failed to check map error", v3.9). */
COH_API int dma_mapping_error(struct device *dev, dma_addr_t addr);

#define DMA_BIT_MASK(n) (((n) == 64) ? ~0ULL : ((1ULL << (n)) - 1))
/* The device reaches only addresses <= mask. A buffer above it is bounced
 * (ARM's dmabounce, kernel/dma/dmabounce.c): the device gets a safe buffer
 * below the mask, and the syncs and the unmap copy the data across. A
 * mapping that cannot get a safe buffer fails with DMA_MAPPING_ERROR. 0,
 * or COH_EIO if the mask cannot be served. */
COH_API int dma_set_mask(struct device *dev, u64 mask);

/* Syncs of [addr+offset, addr+offset+size) of a mapping (a part of it: the
 * rest stays with its owner). */
COH_API void dma_sync_single_range_for_cpu(struct device *dev, dma_addr_t addr,
                                           unsigned long offset, size_t size,
                                           enum dma_data_direction dir);
COH_API void dma_sync_single_range_for_device(struct device *dev, dma_addr_t addr,
                                              unsigned long offset, size_t size,
                                              enum dma_data_direction dir);

/* ---- coherent memory (kernel/dma/coherent.c) ---- */

/* The memory type dma_alloc_coherent gives on the running profile. */
enum dma_coherent_type {
	DMA_COHERENT_CACHED,   /* coherent DMA (x86): cached, the device snoops */
	DMA_COHERENT_UNCACHED, /* a non-cacheable alias (ARMv5, MIPS, SH, PA-RISC) */
	/* a non-cacheable but bufferable alias (ARMv6/v7 "normal
	 * non-cacheable"): stores sit in the CPU's write buffer until a
	 * barrier (wmb, dma_wmb, writel) */
	DMA_COHERENT_BUFFERABLE,
};
COH_API enum dma_coherent_type dma_coherent_type(void);
/* size bytes of physically contiguous lowmem, zeroed, for CPU and device
 * at once: *handle is the device address, the return the CPU's (an
 * uncached alias in the consistent area on non-coherent profiles, the
 * linear map on coherent ones). SIMPTR_NULL when out of memory. Freed by
 * dma_free_coherent with the same size, cpu_addr and handle. */
COH_API simptr dma_alloc_coherent(struct device *dev, size_t size, dma_addr_t *handle, gfp_t gfp);
COH_API void dma_free_coherent(struct device *dev, size_t size, simptr cpu_addr, dma_addr_t handle);

/* ---- DMA pools (mm/dmapool.c) ---- */

struct dma_pool;
/* A pool of size-byte blocks, aligned to align (a power of two, or 0), none
 * crossing a boundary-byte boundary (0: a page), carved from coherent
 * pages. NULL on a bad argument or when the execution's pools run out. */
COH_API struct dma_pool *dma_pool_create(const char *name, struct device *dev, size_t size,
                                         size_t align, size_t boundary);
/* One block, its device address in *handle; SIMPTR_NULL when out of memory. */
COH_API simptr dma_pool_alloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle);
COH_API simptr dma_pool_zalloc(struct dma_pool *pool, gfp_t gfp, dma_addr_t *handle);
/* A block not from this pool, or freed twice, is an api-misuse finding. */
COH_API void dma_pool_free(struct dma_pool *pool, simptr vaddr, dma_addr_t dma);
/* Frees the pool's pages; blocks still allocated are an api-misuse finding. */
COH_API void dma_pool_destroy(struct dma_pool *pool);

/* ---- scatterlists (lib/scatterlist.c, kernel/dma/mapping.c) ---- */

/* An array of entries; the last one carries `end` (sg_init_table sets it).
 * dma_address/dma_length are set by dma_map_sg. */
struct scatterlist {
	struct page *page;
	unsigned int offset;
	unsigned int length;
	dma_addr_t dma_address;
	unsigned int dma_length;
	bool end;
};

COH_API void sg_init_table(struct scatterlist *sgl, unsigned int nents);
COH_API void sg_set_page(struct scatterlist *sg, struct page *page, unsigned int len,
                         unsigned int offset);
/* A lowmem buffer (sg_set_buf: virt_to_page). */
COH_API void sg_set_buf(struct scatterlist *sg, simptr buf, unsigned int buflen);
COH_API struct scatterlist *sg_next(struct scatterlist *sg);
#define sg_dma_address(sg) ((sg)->dma_address)
#define sg_dma_len(sg) ((sg)->dma_length)
#define for_each_sg(sglist, sg, nr, i)                                                             \
	for ((i) = 0, (sg) = (sglist); (i) < (nr); (i)++, (sg) = sg_next(sg))

/* The mapping iterator (lib/scatterlist.c 2.6.3x): sg_miter_next maps the
 * next piece (at most a page) at miter->addr (kmap_atomic with
 * SG_MITER_ATOMIC, in atomic context; else kmap), miter->length bytes;
 * the caller may lower miter->consumed. sg_miter_stop (also called by the
 * next sg_miter_next) unmaps it, and with SG_MITER_TO_SG first calls
 * flush_kernel_dcache_page (the `sg-miter-flush` switch: see sg_miter.c). */
#define SG_MITER_ATOMIC (1u << 0)
#define SG_MITER_TO_SG (1u << 1)
#define SG_MITER_FROM_SG (1u << 2)
struct sg_mapping_iter {
	struct page *page;
	simptr addr;
	size_t length;
	size_t consumed;
	/* private */
	struct scatterlist *__sg;
	unsigned int __nents;
	unsigned int __offset;
	unsigned int __flags;
};
COH_API void sg_miter_start(struct sg_mapping_iter *miter, struct scatterlist *sgl,
                            unsigned int nents, unsigned int flags);
COH_API bool sg_miter_next(struct sg_mapping_iter *miter);
COH_API void sg_miter_stop(struct sg_mapping_iter *miter);

/* Maps each entry (no merging: the count mapped is nents), or returns 0 and
 * maps nothing when an entry fails. Unmap and syncs take the nents given
 * to dma_map_sg, not its return. */
COH_API int dma_map_sg(struct device *dev, struct scatterlist *sg, int nents,
                       enum dma_data_direction dir);
COH_API void dma_unmap_sg(struct device *dev, struct scatterlist *sg, int nents,
                          enum dma_data_direction dir);
COH_API void dma_sync_sg_for_cpu(struct device *dev, struct scatterlist *sg, int nents,
                                 enum dma_data_direction dir);
COH_API void dma_sync_sg_for_device(struct device *dev, struct scatterlist *sg, int nents,
                                    enum dma_data_direction dir);

/* ---- the device side (kernel/dma/device.c) ---- */

/* The device reads or writes len bytes at the device address addr, as
 * coh_dma_read/coh_dma_write do, with the caller's line as the site of the
 * events (the device model's line, not the last task's). DMA-API-debug
 * checks it: DMA into bytes of a streaming mapping that the CPU owns
 * (after a sync_for_cpu of them, before the sync_for_device) is an
 * api-misuse finding. Returns a COH_ status. */
#define dma_dev_read(dev, addr, buf, len) coh__dma_dev_read(dev, addr, buf, len, __FILE__, __LINE__)
#define dma_dev_write(dev, addr, buf, len)                                                         \
	coh__dma_dev_write(dev, addr, buf, len, __FILE__, __LINE__)
COH_API int coh__dma_dev_read(struct device *dev, dma_addr_t addr, void *buf, size_t len,
                              const char *file, unsigned line);
/* A device's poll of a flag it may find not yet set (an OWN bit): read as
 * dma_dev_read, but the oracle does not judge the bytes, since an old
 * value only means "not yet". Read again with dma_dev_read what the device
 * acts on: that read is judged (stale-dma). */
#define dma_dev_poll(dev, addr, buf, len) coh__dma_dev_poll(dev, addr, buf, len, __FILE__, __LINE__)
COH_API int coh__dma_dev_poll(struct device *dev, dma_addr_t addr, void *buf, size_t len,
                              const char *file, unsigned line);
COH_API int coh__dma_dev_write(struct device *dev, dma_addr_t addr, const void *buf, size_t len,
                               const char *file, unsigned line);

#ifdef __cplusplus
}
#endif
#endif
