/*
 * kernel_impl.h - the kernel model's shared insides (src/kernel only).
 *
 * The kernel of one execution lives in `coh__kernel`, rebuilt by
 * kernel_init() at the start of each execution. Each subsystem keeps its own
 * state in its own file and has an init function that kernel_init() calls,
 * in the order a booting kernel would: pages, highmem, vmalloc, DMA, block,
 * dm-io.
 */
#ifndef COHSIM_KERNEL_IMPL_H
#define COHSIM_KERNEL_IMPL_H

#include "cohsim/linux.h"
#include "machine/machine_impl.h"

struct coh__kernel {
	coh_sched *s;
	coh_machine *m;
	coh_check *chk;
	struct kernel_config cfg;
	unsigned page_shift;
	struct page *pages; /* one per frame: reach them through coh__page() */
	unsigned long npages;
	unsigned long highmem_pfn; /* first highmem frame */
};

extern struct coh__kernel coh__kernel;

/* Tags the machine operations that follow with this kernel source line, so
 * that a report names where the kernel did them (not the last sim_* access
 * of the scenario). */
#define KSITE() coh_machine_set_site(coh__kernel.m, __FILE__, __LINE__)

/* The CPU the running context is on. */
static inline unsigned coh__cpu(void)
{
	return coh_this_cpu();
}

/* Pools that kernel_init() resets clear only the entries handed out since
 * the last reset (clearing every pool whole was a third of a short dfs
 * execution's time). Each counter is one past the highest entry handed out
 * since the reset; every entry from it on is all zero. core.c holds them
 * (not in coh__kernel, which kernel_init clears first). */
struct coh__pools {
	unsigned bios, blks, nets, dd, dm_devices, dm_tables, dm_ios, caches, cache_ios, ledgers;
	unsigned cmds, sms, tms, bms, bufio_clients, bufio_buffers; /* dm-cache metadata */
};
extern struct coh__pools coh__pools;
/* Entry i of a pool counted by *used is handed out (or may be written):
 * returns i. */
static inline unsigned coh__pool_note(unsigned *used, unsigned i)
{
	if (i >= *used)
		*used = i + 1;
	return i;
}
/* Clears the entries (each of size bytes) of the pool at base that were
 * handed out since the last reset. */
static inline void coh__pool_reset(void *base, size_t size, unsigned *used)
{
	memset(base, 0, *used * size);
	*used = 0;
}
/* Little-endian fields of n bytes (n <= 8) in on-disk structures: what
 * cpu_to_le64()/le64_to_cpu() and their narrower kin do in the kernel's
 * disk formats (simplefs, dm-cache metadata, persistent-data). */
static inline void coh__put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		p[k] = (uint8_t)(v >> (8 * k));
}
static inline uint64_t coh__get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned k = n; k-- > 0;)
		v = v << 8 | p[k];
	return v;
}
/* mm/highmem.c, dma/mapping.c: their reset, by the same rule */
void coh__highmem_clear(void);
void coh__dma_debug_clear(void);

/* Subsystem init, called by kernel_init() (each file defines its own). */
int coh__page_alloc_init(void);
/* mm/page_alloc.c: the struct page of pfn (< npages), set up for this
 * execution when first looked at. */
struct page *coh__page(unsigned long pfn);
/* mm/page_alloc.c: the highest free lowmem run of 2^order frames, never
 * an injected failure (kernel stacks, kstack.c); NULL if none. */
struct page *coh__alloc_pages_top(unsigned order);
/* kstack.c: kernel stacks of tasks, made at task creation. Is any of
 * [pa, pa+len) on a kernel stack? Then *who names its owner. */
int coh__kstack_init(void);
bool coh__kstack_find(phys_addr_t pa, size_t len, char *who, size_t whosz);
int coh__slab_init(void);      /* mm/slab.c: kmalloc caches; EINVAL on a bad minalign */
int coh__highmem_init(void);   /* mm/highmem.c: the pkmap area */
int coh__vmalloc_init(void);   /* mm/vmalloc.c */
int coh__dma_debug_init(void); /* dma/mapping.c: DMA-API-debug entries */

/* dma/mapping.c: does the device own (a mapping overlapping) [pa, pa+len)?
 * And the DMA-API-debug check of a CPU access, for the simptr accessors:
 * an api-misuse finding if the CPU touches a buffer the device owns.
 * Cheap (returns at once) while nothing is mapped. */
bool coh__dma_owned_by_device(phys_addr_t pa, size_t len);
void coh__dma_debug_cpu_access(coh_addr_t va, size_t len, bool write);
/* dma/mapping.c: the device touches [addr, addr+len): an api-misuse finding
 * if the CPU owns bytes of it (dma/device.c calls it after the access). */
void coh__dma_debug_device_access(const struct device *dev, dma_addr_t addr, size_t len,
                                  bool write);
/* dma/mapping.c: pages [pa, pa+len) are being freed: api-misuse if mapped. */
void coh__dma_debug_check_freed(phys_addr_t pa, size_t len);
/* dma/mapping.c: the checks of a lowmem buffer being mapped: api-misuse
 * if it is on a kernel stack (kstack.c) or in vmalloc space. */
void coh__dma_debug_check_area(const struct device *dev, simptr ptr, size_t size);
int coh__dma_coherent_init(void); /* dma/coherent.c: the consistent area */
int coh__dma_pool_init(void);     /* dma/pool.c: the pools */
int coh__dmabounce_init(void);    /* dma/dmabounce.c: safe-buffer pools */
/* dma/dmabounce.c, for mapping.c: does [addr, addr+size) lie above dev's
 * mask? Map into a safe buffer (DMA_MAPPING_ERROR if none); unmap or sync
 * a bounced mapping (false: addr is not one). */
bool coh__dmabounce_needed(const struct device *dev, dma_addr_t addr, size_t size);
dma_addr_t coh__dmabounce_map(const struct device *dev, simptr ptr, size_t size,
                              enum dma_data_direction dir);
bool coh__dmabounce_unmap(const struct device *dev, dma_addr_t addr, size_t size,
                          enum dma_data_direction dir);
bool coh__dmabounce_sync(const struct device *dev, dma_addr_t addr, size_t size,
                         enum dma_data_direction dir, bool for_cpu);
/* dma/mapping.c: dma_mapping_error was called on addr (dma-debug). */
void coh__dma_debug_mapping_error(const struct device *dev, dma_addr_t addr);
int coh__block_init(void);             /* block/disk.c: disks and bios */
int coh__dm_io_init(void);             /* md/dm-io.c */
int coh__mm_init(void);                /* mm/mmap.c: user address spaces, tasks, switch_mm */
int coh__pagecache_init(void);         /* mm/filemap.c: page cache, simplefs, writeback */
int coh__dm_bufio_init(void);          /* md/dm-bufio.c */
int coh__dm_cache_metadata_init(void); /* md/dm-cache-metadata.c */
int coh__dm_init(void);                /* md/dm.c: mapped devices, targets */
int coh__dm_cache_target_init(void);   /* md/dm-cache-target.c, from coh__dm_init */
int coh__aio_init(void);               /* fs/aio.c: contexts, kiocbs, the kiocb cache */
int coh__direct_io_init(void);         /* fs/direct-io.c: the dio pool */
/* coh_dm_reboot (md/dm.c): each md file forgets its objects, no I/O */
void coh__dm_bufio_reboot(void);
void coh__dm_cache_metadata_reboot(void);
/* md/dm-cache-recovery.c: the ledger of metadata commits (power cuts) */
void coh__dm_cache_ledger_init(void);
void coh__dm_cache_ledger_begin(const struct block_device *bdev, const u64 *core, u32 n);
void coh__dm_cache_ledger_commit(const struct block_device *bdev);
/* reads the medium at a metadata open; core[] gets the mapping found */
void coh__dm_cache_ledger_open(const struct block_device *bdev, u64 *core);
/* md/dm-cache-provenance.c: what each cache-device sector was written for */
void coh__dm_cache_prov_init(void);
void coh__dm_cache_prov_written(struct block_device *cache, sector_t sector, sector_t origin,
                                unsigned nsect);
void coh__dm_cache_prov_check(struct block_device *cache, struct block_device *origin, u32 cblock,
                              u64 oblock, sector_t block_sectors);
/* block/bio.c: bios allocated and not yet freed */
unsigned coh__bio_busy(void);
int coh__simdev_init(void);                    /* io/simdev.c: MMIO space, and io.c's windows */
int coh__io_init(void);                        /* io/io.c: windows, ioremaps, IRQ handlers */
int coh__simnet_init(void);                    /* io/simnet.c: the NICs */
int coh__simblk_init(void);                    /* io/simblk.c: the block controllers */
int coh__io_add_window(struct sim_device *sd); /* io/io.c: sd's register window */

#endif
