/*
 * dm-io.c - device-mapper's dm-io, after drivers/md/dm-io.c of 2.6.3x with
 * the seed-1 patch ("dm io: flush cpu cache with vmapped io") as two fix
 * switches, one per half: "dm-io-vmap-flush" (flush_kernel_vmap_range in
 * dp_init, before any I/O) and "dm-io-vmap-invalidate" (a READ's range
 * recorded in dp_init and invalidated by dec_count).
 *
 * dm_io() describes its memory as `struct dpages` (a page iterator over a
 * page list, a bvec array, a vmalloc area or lowmem), splits each region
 * into bios (do_region), and counts them in a `struct io`: io->count starts
 * at 1 so that the I/O cannot complete while dispatch_io() is still
 * submitting, each bio adds one, and dec_count() drops one per completed
 * bio (in hardirq context) plus the extra one at the end of dispatch_io().
 * The drop that reaches zero completes the io: it wakes the sleeper (sync)
 * or frees the io and calls notify.fn (async), once.
 *
 * The seed's bug. dma_map_page() maintains the cache through the page's
 * kernel (linear or kmap) address. Data written through a vmalloc alias
 * sits in lines of that alias, which on a virtually indexed or tagged cache
 * are different lines: they are neither cleaned before a WRITE nor
 * invalidated after a READ. With the fix on, dp_init() flushes the vmalloc
 * range before the I/O and, for a READ, dec_count() invalidates it when
 * the last region completes, before anybody looks at the data. The flush
 * alone is not enough for a READ where the CPU can fill the alias' lines
 * again while the device writes (speculation on ARMv6+, or a write-back-only
 * flush as SH's leaves them valid).
 *
 * The io of both paths comes from a pool (a mempool in Linux; 2.6.3x keeps
 * the sync one on the sleeper's stack); the pool is reset by kernel_init().
 * Its entries are aligned to DM_IO_MAX_REGIONS so that the region number
 * travels in the low bits of bi_private, as in Linux.
 */
#include <errno.h>
#include <string.h>

#include "cohsim/dm-io.h"
#include "kernel/block/block.h"
#include "kernel/kernel_impl.h"

#define DM_IO_POOL 32
#define DM_IO_CLIENTS 8

struct dm_io_client {
	bool used;
	unsigned num_pages;
};

struct io {
	unsigned long error_bits;
	atomic_t count;
	coh_task *sleeper;
	wait_queue_head_t wait; /* what wake_up_process(io->sleeper) wakes */
	struct dm_io_client *client;
	io_notify_fn callback;
	void *context;
	simptr vma_invalidate_address;
	unsigned long vma_invalidate_size;
	bool used;
} __attribute__((aligned(DM_IO_MAX_REGIONS)));

static struct io io_pool[DM_IO_POOL];
static struct dm_io_client clients[DM_IO_CLIENTS];

int coh__dm_io_init(void)
{
	memset(io_pool, 0, sizeof(io_pool));
	memset(clients, 0, sizeof(clients));
	return COH_OK;
}

struct dm_io_client *dm_io_client_create(unsigned num_pages)
{
	for (unsigned i = 0; i < DM_IO_CLIENTS; i++)
		if (!clients[i].used) {
			clients[i] = (struct dm_io_client){true, num_pages};
			return &clients[i];
		}
	return NULL;
}

void dm_io_client_destroy(struct dm_io_client *client)
{
	BUG_ON(!client->used);
	client->used = false;
}

/* mempool_alloc(GFP_NOIO) never fails in Linux; running out of the model's
 * pool is a BUG. */
static struct io *io_alloc(void)
{
	for (unsigned i = 0; i < DM_IO_POOL; i++)
		if (!io_pool[i].used) {
			memset(&io_pool[i], 0, sizeof(io_pool[i]));
			io_pool[i].used = true;
			return &io_pool[i];
		}
	BUG();
	return NULL;
}

static void io_free(struct io *io)
{
	BUG_ON(!io->used);
	io->used = false;
}

/*-----------------------------------------------------------------
 * Which region a bio does I/O for travels in the low bits of bi_private.
 *---------------------------------------------------------------*/
static void store_io_and_region_in_bio(struct bio *bio, struct io *io, unsigned region)
{
	BUG_ON(((uintptr_t)io & (DM_IO_MAX_REGIONS - 1)) != 0);
	bio->bi_private = (void *)((uintptr_t)io | region);
}

static void retrieve_io_and_region_from_bio(struct bio *bio, struct io **io, unsigned *region)
{
	uintptr_t val = (uintptr_t)bio->bi_private;
	*io = (struct io *)(val & ~(uintptr_t)(DM_IO_MAX_REGIONS - 1));
	*region = (unsigned)(val & (DM_IO_MAX_REGIONS - 1));
}

/*-----------------------------------------------------------------
 * The io object counts the bios in flight for one dm_io().
 *---------------------------------------------------------------*/
static void dec_count(struct io *io, unsigned region, int error)
{
	COH_FRAME();
	if (error)
		io->error_bits |= 1ul << region; /* set_bit */

	if (atomic_dec_and_test(&io->count)) {
		if (io->vma_invalidate_size)
			invalidate_kernel_vmap_range(io->vma_invalidate_address,
			                             (int)io->vma_invalidate_size);

		if (io->sleeper) {
			wake_up(&io->wait); /* wake_up_process(io->sleeper) */
		} else {
			unsigned long r = io->error_bits;
			io_notify_fn fn = io->callback;
			void *context = io->context;

			io_free(io);
			fn(r, context);
		}
	}
}

static void endio(struct bio *bio, int error)
{
	COH_FRAME();
	struct io *io;
	unsigned region;

	if (error && bio_data_dir(bio) == READ)
		zero_fill_bio(bio);

	retrieve_io_and_region_from_bio(bio, &io, &region);

	bio_put(bio);

	dec_count(io, region, error);
}

/*-----------------------------------------------------------------
 * dpages: where the next page of memory for the I/O comes from.
 *---------------------------------------------------------------*/
struct dpages {
	void (*get_page)(struct dpages *dp, struct page **p, unsigned long *len, unsigned *offset);
	void (*next_page)(struct dpages *dp);

	unsigned context_u;
	void *context_ptr;   /* page list, bvec */
	simptr context_addr; /* vmalloc or lowmem address */

	simptr vma_invalidate_address;
	unsigned long vma_invalidate_size;
};

static unsigned long page_size(void)
{
	return coh_machine_page_size(coh__kernel.m);
}

/* Functions for getting the pages from a list. */
static void list_get_page(struct dpages *dp, struct page **p, unsigned long *len, unsigned *offset)
{
	unsigned o = dp->context_u;
	struct page_list *pl = dp->context_ptr;

	*p = pl->page;
	*len = page_size() - o;
	*offset = o;
}

static void list_next_page(struct dpages *dp)
{
	struct page_list *pl = dp->context_ptr;
	dp->context_ptr = pl->next;
	dp->context_u = 0;
}

static void list_dp_init(struct dpages *dp, struct page_list *pl, unsigned offset)
{
	dp->get_page = list_get_page;
	dp->next_page = list_next_page;
	dp->context_u = offset;
	dp->context_ptr = pl;
}

/* Functions for getting the pages from a bvec. */
static void bvec_get_page(struct dpages *dp, struct page **p, unsigned long *len, unsigned *offset)
{
	struct bio_vec *bvec = dp->context_ptr;
	*p = bvec->bv_page;
	*len = bvec->bv_len;
	*offset = bvec->bv_offset;
}

static void bvec_next_page(struct dpages *dp)
{
	struct bio_vec *bvec = dp->context_ptr;
	dp->context_ptr = bvec + 1;
}

static void bvec_dp_init(struct dpages *dp, struct bio_vec *bvec)
{
	dp->get_page = bvec_get_page;
	dp->next_page = bvec_next_page;
	dp->context_ptr = bvec;
}

/* Functions for getting the pages from a vmalloc area. */
static void vm_get_page(struct dpages *dp, struct page **p, unsigned long *len, unsigned *offset)
{
	*p = vmalloc_to_page(dp->context_addr);
	*offset = dp->context_u;
	*len = page_size() - dp->context_u;
}

static void vm_next_page(struct dpages *dp)
{
	dp->context_addr = simptr_add(dp->context_addr, (long)(page_size() - dp->context_u));
	dp->context_u = 0;
}

static void vm_dp_init(struct dpages *dp, simptr data)
{
	dp->get_page = vm_get_page;
	dp->next_page = vm_next_page;
	dp->context_u = (unsigned)(data.addr & (page_size() - 1));
	dp->context_addr = data;
}

/* Functions for getting the pages from kernel (lowmem) memory. */
static void km_get_page(struct dpages *dp, struct page **p, unsigned long *len, unsigned *offset)
{
	*p = virt_to_page(dp->context_addr);
	*offset = dp->context_u;
	*len = page_size() - dp->context_u;
}

static void km_next_page(struct dpages *dp)
{
	dp->context_addr = simptr_add(dp->context_addr, (long)(page_size() - dp->context_u));
	dp->context_u = 0;
}

static void km_dp_init(struct dpages *dp, simptr data)
{
	dp->get_page = km_get_page;
	dp->next_page = km_next_page;
	dp->context_u = (unsigned)(data.addr & (page_size() - 1));
	dp->context_addr = data;
}

/*-----------------------------------------------------------------
 * I/O routines that accept a list of pages.
 *---------------------------------------------------------------*/
static sector_t dm_sector_div_up(sector_t n, sector_t sz)
{
	return (n + sz - 1) / sz;
}

static void do_region(unsigned long rw, unsigned region, struct dm_io_region *where,
                      struct dpages *dp, struct io *io)
{
	COH_FRAME();
	struct page *page;
	unsigned long len;
	unsigned offset;
	sector_t remaining = where->count;
	sector_t page_sectors = page_size() >> SECTOR_SHIFT;

	/* where->count may be zero if rw holds a flush: a zero-sized flush */
	do {
		/* Allocate a suitably sized bio. */
		sector_t want = dm_sector_div_up(remaining, page_sectors);
		unsigned num_bvecs = (unsigned)bio_get_nr_vecs(where->bdev);
		if (want < num_bvecs)
			num_bvecs = (unsigned)want;
		if (num_bvecs == 0)
			num_bvecs = 1;
		struct bio *bio = bio_alloc(GFP_NOIO, num_bvecs);
		if (!bio) {
			BUG(); /* a bio_set never fails with GFP_NOIO */
			return;
		}
		bio->bi_sector = where->sector + (where->count - remaining);
		bio->bi_bdev = where->bdev;
		bio->bi_end_io = endio;
		store_io_and_region_in_bio(bio, io, region);

		/* Try and add as many pages as possible. */
		while (remaining) {
			dp->get_page(dp, &page, &len, &offset);
			if (len > (remaining << SECTOR_SHIFT))
				len = (unsigned long)(remaining << SECTOR_SHIFT);
			if (!bio_add_page(bio, page, (unsigned)len, offset))
				break;

			offset = 0;
			remaining -= len >> SECTOR_SHIFT;
			dp->next_page(dp);
		}

		atomic_inc(&io->count);
		submit_bio(rw, bio);
	} while (remaining);
}

static void dispatch_io(unsigned long rw, unsigned num_regions, struct dm_io_region *where,
                        struct dpages *dp, struct io *io, int sync)
{
	COH_FRAME();
	struct dpages old_pages = *dp;

	BUG_ON(num_regions > DM_IO_MAX_REGIONS);

	if (sync)
		rw |= REQ_SYNC;

	/* For multiple regions, rewind the dp object for each do_region. */
	for (unsigned i = 0; i < num_regions; i++) {
		*dp = old_pages;
		if (where[i].count || (rw & REQ_FLUSH))
			do_region(rw, i, where + i, dp, io);
	}

	/* Drop the extra reference that kept the io from completing early. */
	dec_count(io, 0, 0);
}

static int sync_io(struct dm_io_client *client, unsigned num_regions, struct dm_io_region *where,
                   unsigned long rw, struct dpages *dp, unsigned long *error_bits)
{
	COH_FRAME();
	if (num_regions > 1 && (rw & RW_MASK) != WRITE)
		return -EIO; /* WARN_ON(1) */

	struct io *io = io_alloc();
	if (!io)
		return -ENOMEM;
	io->error_bits = 0;
	atomic_set(&io->count, 1); /* see dispatch_io() */
	io->sleeper = coh_current();
	init_waitqueue_head(&io->wait);
	io->client = client;

	io->vma_invalidate_address = dp->vma_invalidate_address;
	io->vma_invalidate_size = dp->vma_invalidate_size;

	dispatch_io(rw, num_regions, where, dp, io, 1);

	/* set_current_state(TASK_UNINTERRUPTIBLE); if (!count) break; io_schedule(); */
	coh_wait_event(io->wait, !atomic_read(&io->count));

	unsigned long bits = io->error_bits;
	io_free(io);
	if (error_bits)
		*error_bits = bits;

	return bits ? -EIO : 0;
}

static int async_io(struct dm_io_client *client, unsigned num_regions, struct dm_io_region *where,
                    unsigned long rw, struct dpages *dp, io_notify_fn fn, void *context)
{
	COH_FRAME();
	if (num_regions > 1 && (rw & RW_MASK) != WRITE) {
		fn(1, context); /* WARN_ON(1) */
		return -EIO;
	}

	struct io *io = io_alloc();
	if (!io)
		return -ENOMEM;
	io->error_bits = 0;
	atomic_set(&io->count, 1); /* see dispatch_io() */
	io->sleeper = NULL;
	io->client = client;
	io->callback = fn;
	io->context = context;

	io->vma_invalidate_address = dp->vma_invalidate_address;
	io->vma_invalidate_size = dp->vma_invalidate_size;

	dispatch_io(rw, num_regions, where, dp, io, 0);
	return 0;
}

static int dp_init(struct dm_io_request *io_req, struct dpages *dp, unsigned long size)
{
	/* Set up dpages based on memory type */
	dp->vma_invalidate_address = SIMPTR_NULL;
	dp->vma_invalidate_size = 0;

	switch (io_req->mem.type) {
	case DM_IO_PAGE_LIST:
		list_dp_init(dp, io_req->mem.ptr.pl, io_req->mem.offset);
		break;

	case DM_IO_BVEC:
		bvec_dp_init(dp, io_req->mem.ptr.bvec);
		break;

	case DM_IO_VMA:
		if (coh_fix(DM_IO_VMAP_FLUSH_FIX))
			flush_kernel_vmap_range(io_req->mem.ptr.vma, (int)size);
		if (coh_fix(DM_IO_VMAP_INVALIDATE_FIX) && (io_req->bi_rw & RW_MASK) == READ) {
			dp->vma_invalidate_address = io_req->mem.ptr.vma;
			dp->vma_invalidate_size = size;
		}
		vm_dp_init(dp, io_req->mem.ptr.vma);
		break;

	case DM_IO_KMEM:
		km_dp_init(dp, io_req->mem.ptr.addr);
		break;

	default:
		return -EINVAL;
	}

	return 0;
}

int dm_io(struct dm_io_request *io_req, unsigned num_regions, struct dm_io_region *where,
          unsigned long *sync_error_bits)
{
	COH_FRAME();
	int r;
	struct dpages dp;

	if (num_regions == 0 || num_regions > DM_IO_MAX_REGIONS)
		return -EINVAL;

	r = dp_init(io_req, &dp, (unsigned long)where->count << SECTOR_SHIFT);
	if (r)
		return r;

	if (!io_req->notify.fn)
		return sync_io(io_req->client, num_regions, where, io_req->bi_rw, &dp,
		               sync_error_bits);

	return async_io(io_req->client, num_regions, where, io_req->bi_rw, &dp, io_req->notify.fn,
	                io_req->notify.context);
}
