/*
 * dm-bufio.c - device-mapper's buffered block I/O, after drivers/md/dm-bufio.c
 * (v3.9-v4.0): clients, buffers with data pages of their own, read/new/get,
 * release, dirty marking, write-back, flush, forget, and eviction.
 *
 * Interface: cohsim/dm-bufio.h.
 *
 * Each client has a mutex (dm_bufio_lock) that protects its buffers: their
 * hold counts, dirty state and LRU order. I/O runs with the mutex dropped
 * for reads and held for writes, as in Linux: a buffer being read has
 * B_READING, one being written B_WRITING; their end_io clears the bit in
 * hardirq context and wakes the client's waiters (wait_on_bit in Linux).
 * __write_dirty_buffer clears B_DIRTY before it submits the write, so a
 * buffer dirtied again meanwhile is written again later.
 *
 * The buffer lifecycle:
 *   (none)      __bufio_new (NF_READ)  -> held, B_READING, read submitted
 *   (none)      __bufio_new (NF_FRESH) -> held, state 0 (contents undefined)
 *   B_READING   read_endio             -> state 0 (read_error on failure)
 *   held        dm_bufio_release       -> hold_count - 1; at 0 the shrinker
 *                                         may evict the LRU idle buffer
 *   any         mark_buffer_dirty      -> B_DIRTY, LIST_DIRTY
 *   B_DIRTY     __write_dirty_buffer   -> B_WRITING, write submitted
 *   B_WRITING   write_endio            -> clean (LIST_CLEAN at the next scan)
 *   idle, 0     __free_buffer_wake     -> (none): its page is freed
 *
 * The block-copy oracle sees every buffer as a copy of its block: created
 * when the buffer is linked, filled by read_endio, stored by
 * mark_buffer_dirty, read when read/get hands it out, written back by
 * write_endio, destroyed with the buffer.
 *
 * Clients and buffers come from pools reset by kernel_init(); their LRU
 * order is a per-client counter, so every scan is deterministic.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cohsim/blockcopy.h"
#include "cohsim/dm-bufio.h"
#include "kernel/block/block.h"
#include "kernel/kernel_impl.h"

#define DM_BUFIO_CLIENTS 8
#define DM_BUFIO_BUFFERS 96

enum { B_READING = 1 << 0, B_WRITING = 1 << 1, B_DIRTY = 1 << 2 };
enum { LIST_CLEAN, LIST_DIRTY };
enum new_flag { NF_FRESH, NF_READ, NF_GET };

struct dm_buffer {
	bool used;
	struct dm_bufio_client *c;
	sector_t block;
	struct page *page;
	simptr data;
	int list_mode;
	unsigned hold_count;
	unsigned long state;
	int read_error, write_error;
	unsigned long last_accessed;   /* the client's LRU clock */
	unsigned copy;                 /* its id in the block-copy oracle */
	u64 aux[DM_BUFIO_AUX_MAX / 8]; /* the client's aux data (host memory) */
};

struct dm_bufio_client {
	bool used;
	unsigned id;
	coh_mutex lock;
	struct block_device *bdev;
	unsigned block_size;
	unsigned sectors_per_block_bits;
	unsigned max_buffers;
	unsigned n_buffers;
	wait_queue_head_t bit_wait; /* wait_on_bit(B_READING / B_WRITING) */
	int async_write_error;
	unsigned long lru_clock;
	void (*alloc_callback)(struct dm_buffer *);
	void (*write_callback)(struct dm_buffer *);
};

static struct dm_bufio_client clients[DM_BUFIO_CLIENTS];
static struct dm_buffer buffers[DM_BUFIO_BUFFERS];
static unsigned next_client_id;

int coh__dm_bufio_init(void)
{
	coh__pool_reset(clients, sizeof(clients[0]), &coh__pools.bufio_clients);
	coh__pool_reset(buffers, sizeof(buffers[0]), &coh__pools.bufio_buffers);
	next_client_id = 0;
	return COH_OK;
}

static coh_check *chk(void)
{
	return coh__kernel.chk;
}

/* A restart (coh_dm_reboot): every buffer's page is freed, nothing is
 * written; the copies are gone. */
void coh__dm_bufio_reboot(void)
{
	for (unsigned i = 0; i < DM_BUFIO_BUFFERS; i++)
		if (buffers[i].used) {
			coh_blk_copy_destroy(chk(), buffers[i].copy);
			__free_page(buffers[i].page);
		}
	unsigned id = next_client_id;
	coh__dm_bufio_init();
	next_client_id = id; /* reports keep naming clients apart */
}

/* dm_bufio_lock / dm_bufio_unlock */
static void dm_bufio_lock(struct dm_bufio_client *c)
{
	coh_mutex_lock(&c->lock);
}

static void dm_bufio_unlock(struct dm_bufio_client *c)
{
	coh_mutex_unlock(&c->lock);
}

/* __find (v3.9): the client's buffer of block, or NULL. */
static struct dm_buffer *__find(const struct dm_bufio_client *c, sector_t block)
{
	for (unsigned i = 0; i < DM_BUFIO_BUFFERS; i++)
		if (buffers[i].used && buffers[i].c == c && buffers[i].block == block)
			return &buffers[i];
	return NULL;
}

/* __relink_lru (v3.9): moves b to the list and to the young end. */
static void __relink_lru(struct dm_buffer *b, int dirty)
{
	b->list_mode = dirty;
	b->last_accessed = ++b->c->lru_clock;
}

/* __free_buffer_wake (v3.9): unlinks b and frees its data page. */
static void __free_buffer_wake(struct dm_buffer *b)
{
	struct dm_bufio_client *c = b->c;
	coh_blk_copy_destroy(chk(), b->copy);
	__free_page(b->page);
	c->n_buffers--;
	memset(b, 0, sizeof(*b));
}

/* wait_on_bit(&b->state, bit) */
static void wait_on_bit(struct dm_buffer *b, unsigned long bit)
{
	coh_wait_event(b->c->bit_wait, !(b->state & bit));
}

/* read_endio / write_endio (v3.9): in hardirq context. */
static void read_endio(struct bio *bio, int error)
{
	struct dm_buffer *b = bio->bi_private;
	b->read_error = error;
	if (!error)
		coh_blk_copy_fill(chk(), b->copy);
	bio_put(bio);
	b->state &= ~(unsigned long)B_READING;
	coh_wake_up_all(&b->c->bit_wait);
}

static void write_endio(struct bio *bio, int error)
{
	struct dm_buffer *b = bio->bi_private;
	if (error) {
		b->write_error = error;
		if (!b->c->async_write_error)
			b->c->async_write_error = error;
	} else {
		coh_blk_copy_writeback(chk(), b->copy);
	}
	bio_put(bio);
	b->state &= ~(unsigned long)B_WRITING;
	coh_wake_up_all(&b->c->bit_wait);
}

/* submit_io -> use_inline_bio (v3.9): one bio with the buffer's page. */
static void submit_io(struct dm_buffer *b, unsigned long rw, bio_end_io_t *end_io)
{
	struct dm_bufio_client *c = b->c;
	struct bio *bio = bio_alloc(GFP_NOIO, 1);
	if (!bio) {
		BUG(); /* a mempool in Linux: never fails */
		return;
	}
	bio->bi_bdev = c->bdev;
	bio->bi_sector = b->block << c->sectors_per_block_bits;
	bio->bi_end_io = end_io;
	bio->bi_private = b;
	BUG_ON(bio_add_page(bio, b->page, c->block_size, 0) != (int)c->block_size);
	KSITE();
	submit_bio(rw, bio);
}

/* __write_dirty_buffer (v3.9): with the client lock held. */
static void __write_dirty_buffer(struct dm_buffer *b)
{
	if (!(b->state & B_DIRTY))
		return;
	b->state &= ~(unsigned long)B_DIRTY;
	wait_on_bit(b, B_WRITING);
	b->state |= B_WRITING;
	if (b->c->write_callback)
		b->c->write_callback(b);
	submit_io(b, WRITE, write_endio);
}

/* __make_buffer_clean (v3.9): writes b if dirty and waits for it. */
static void __make_buffer_clean(struct dm_buffer *b)
{
	if (!b->state)
		return;
	wait_on_bit(b, B_READING);
	__write_dirty_buffer(b);
	wait_on_bit(b, B_WRITING);
}

/* __get_unclaimed_buffer (v3.9): the LRU idle buffer, made clean; clean
 * ones first. NULL if every buffer is held. */
static struct dm_buffer *__get_unclaimed_buffer(const struct dm_bufio_client *c)
{
	for (int mode = LIST_CLEAN; mode <= LIST_DIRTY; mode++) {
		struct dm_buffer *lru = NULL;
		for (unsigned i = 0; i < DM_BUFIO_BUFFERS; i++) {
			struct dm_buffer *b = &buffers[i];
			if (b->used && b->c == c && b->list_mode == mode && !b->hold_count &&
			    (!lru || b->last_accessed < lru->last_accessed))
				lru = b;
		}
		if (lru) {
			__make_buffer_clean(lru);
			if (!lru->hold_count && !lru->state)
				return lru;
		}
	}
	return NULL;
}

/* The shrinker (dm_bufio_shrink_scan -> __cleanup_old_buffer), as a choice
 * of the explorer: evict the LRU idle buffer now, or not. */
static void shrink_choice(struct dm_bufio_client *c)
{
	if (coh_choose(coh__kernel.s, COH_CHOICE_EVICT, 2) == 0)
		return;
	struct dm_buffer *b = __get_unclaimed_buffer(c);
	if (b)
		__free_buffer_wake(b);
}

/* alloc_buffer + __alloc_buffer_wait_no_callback (v3.9): a free slot with
 * a data page; evicts to stay within the client's size. */
static struct dm_buffer *__alloc_buffer_wait(struct dm_bufio_client *c)
{
	while (c->n_buffers >= c->max_buffers) {
		struct dm_buffer *b = __get_unclaimed_buffer(c);
		if (!b)
			break; /* every buffer held: Linux waits for one, the model goes over */
		__free_buffer_wake(b);
	}
	for (unsigned i = 0; i < DM_BUFIO_BUFFERS; i++)
		if (!buffers[coh__pool_note(&coh__pools.bufio_buffers, i)].used) {
			struct page *page = alloc_page(GFP_KERNEL);
			if (!page) { /* Linux falls back to the reserved buffers */
				BUG();
				return NULL;
			}
			struct dm_buffer *b = &buffers[i];
			memset(b, 0, sizeof(*b));
			b->used = true;
			b->c = c;
			b->page = page;
			b->data = page_address(page);
			c->n_buffers++;
			return b;
		}
	BUG(); /* the model's pool is too small */
	return NULL;
}

static void link_copy(struct dm_buffer *b)
{
	struct dm_bufio_client *c = b->c;
	char owner[64];
	snprintf(owner, sizeof(owner), "bufio client %u block %llu", c->id,
	         (unsigned long long)b->block);
	coh_blk_copy_create(chk(), coh__disk_blk_dev(c->bdev->bd_disk),
	                    b->block << c->sectors_per_block_bits,
	                    (sector_t)1 << c->sectors_per_block_bits, owner, &b->copy);
}

/* __bufio_new (v3.9): with the client lock held. */
static struct dm_buffer *__bufio_new(struct dm_bufio_client *c, sector_t block, enum new_flag nf,
                                     int *need_submit)
{
	*need_submit = 0;
	struct dm_buffer *b = __find(c, block);
	if (b) {
		if (nf == NF_GET && (b->state & B_READING))
			return NULL;
		b->hold_count++;
		__relink_lru(b, (b->state & (B_DIRTY | B_WRITING)) ? LIST_DIRTY : LIST_CLEAN);
		return b;
	}
	if (nf == NF_GET)
		return NULL;
	b = __alloc_buffer_wait(c);
	b->block = block;
	b->hold_count = 1;
	__relink_lru(b, LIST_CLEAN);
	link_copy(b);
	if (c->alloc_callback)
		c->alloc_callback(b);
	if (nf == NF_FRESH)
		return b;
	b->state = B_READING;
	*need_submit = 1;
	return b;
}

/* new_read (v3.9) */
static simptr new_read(struct dm_bufio_client *c, sector_t block, enum new_flag nf,
                       struct dm_buffer **bp)
{
	int need_submit;
	*bp = NULL;
	dm_bufio_lock(c);
	struct dm_buffer *b = __bufio_new(c, block, nf, &need_submit);
	dm_bufio_unlock(c);
	if (!b)
		return SIMPTR_NULL;
	if (need_submit)
		submit_io(b, READ, read_endio);
	wait_on_bit(b, B_READING);
	if (b->read_error) {
		int error = b->read_error;
		dm_bufio_release(b);
		return ERR_SIMPTR(error);
	}
	if (nf != NF_FRESH) {
		KSITE();
		coh_blk_copy_read(chk(), b->copy, (int)coh__cpu());
	}
	*bp = b;
	return b->data;
}

/* dm_bufio_read / dm_bufio_get / dm_bufio_new (v3.9) */
simptr dm_bufio_read(struct dm_bufio_client *c, sector_t block, struct dm_buffer **bp)
{
	return new_read(c, block, NF_READ, bp);
}

simptr dm_bufio_get(struct dm_bufio_client *c, sector_t block, struct dm_buffer **bp)
{
	return new_read(c, block, NF_GET, bp);
}

simptr dm_bufio_new(struct dm_bufio_client *c, sector_t block, struct dm_buffer **bp)
{
	return new_read(c, block, NF_FRESH, bp);
}

/* dm_bufio_release (v3.9): a buffer whose read failed is freed at once. */
void dm_bufio_release(struct dm_buffer *b)
{
	struct dm_bufio_client *c = b->c;
	dm_bufio_lock(c);
	BUG_ON(!b->used || !b->hold_count);
	b->hold_count--;
	if (!b->hold_count) {
		if ((b->read_error || b->write_error) && !(b->state & (B_READING | B_WRITING)) &&
		    !(b->state & B_DIRTY))
			__free_buffer_wake(b);
		else
			shrink_choice(c);
	}
	dm_bufio_unlock(c);
}

/* dm_bufio_mark_buffer_dirty (v3.9) */
void dm_bufio_mark_buffer_dirty(struct dm_buffer *b)
{
	struct dm_bufio_client *c = b->c;
	dm_bufio_lock(c);
	BUG_ON(b->state & B_READING);
	KSITE();
	coh_blk_copy_store(chk(), b->copy, (int)coh__cpu());
	if (!(b->state & B_DIRTY)) {
		b->state |= B_DIRTY;
		__relink_lru(b, LIST_DIRTY);
	}
	dm_bufio_unlock(c);
}

/* __write_dirty_buffers_async (v3.9): every dirty buffer, oldest first. */
static void __write_dirty_buffers_async(const struct dm_bufio_client *c)
{
	for (;;) {
		struct dm_buffer *lru = NULL;
		for (unsigned i = 0; i < DM_BUFIO_BUFFERS; i++) {
			struct dm_buffer *b = &buffers[i];
			if (b->used && b->c == c && (b->state & B_DIRTY) &&
			    (!lru || b->last_accessed < lru->last_accessed))
				lru = b;
		}
		if (!lru)
			return;
		__write_dirty_buffer(lru);
	}
}

void dm_bufio_write_dirty_buffers_async(struct dm_bufio_client *c)
{
	dm_bufio_lock(c);
	__write_dirty_buffers_async(c);
	dm_bufio_unlock(c);
}

/* dm_bufio_write_dirty_buffers (v3.9): write, wait for every write, then
 * flush the device. */
int dm_bufio_write_dirty_buffers(struct dm_bufio_client *c)
{
	dm_bufio_lock(c);
	__write_dirty_buffers_async(c);
again:
	for (unsigned i = 0; i < DM_BUFIO_BUFFERS; i++) {
		struct dm_buffer *b = &buffers[i];
		if (!b->used || b->c != c || b->list_mode != LIST_DIRTY)
			continue;
		if (b->state & B_WRITING) {
			b->hold_count++;
			dm_bufio_unlock(c);
			wait_on_bit(b, B_WRITING);
			dm_bufio_lock(c);
			b->hold_count--;
			goto again;
		}
		if (!(b->state & B_DIRTY))
			__relink_lru(b, LIST_CLEAN);
	}
	int a = c->async_write_error;
	c->async_write_error = 0;
	dm_bufio_unlock(c);
	int f = dm_bufio_issue_flush(c);
	return a ? a : f;
}

struct flush_wait {
	coh_completion done;
	int error;
};

static void flush_endio(struct bio *bio, int error)
{
	struct flush_wait *w = bio->bi_private;
	w->error = error;
	bio_put(bio);
	coh_complete(&w->done);
}

/* dm_bufio_issue_flush (v3.9): an empty WRITE_FLUSH, synchronously. */
int dm_bufio_issue_flush(struct dm_bufio_client *c)
{
	struct flush_wait w;
	memset(&w, 0, sizeof(w));
	coh_init_completion(&w.done, "dm_bufio_issue_flush");
	struct bio *bio = bio_alloc(GFP_NOIO, 0);
	if (!bio) {
		BUG();
		return -EIO;
	}
	bio->bi_bdev = c->bdev;
	bio->bi_end_io = flush_endio;
	bio->bi_private = &w;
	KSITE();
	submit_bio(WRITE | REQ_FLUSH, bio);
	coh_wait_for_completion(&w.done);
	return w.error;
}

/* dm_bufio_forget (v3.9) */
void dm_bufio_forget(struct dm_bufio_client *c, sector_t block)
{
	dm_bufio_lock(c);
	struct dm_buffer *b = __find(c, block);
	if (b && !b->hold_count && !b->state)
		__free_buffer_wake(b);
	dm_bufio_unlock(c);
}

struct dm_bufio_client *dm_bufio_client_create(struct block_device *bdev, unsigned block_size,
                                               unsigned reserved_buffers, unsigned aux_size,
                                               void (*alloc_callback)(struct dm_buffer *),
                                               void (*write_callback)(struct dm_buffer *))
{
	unsigned page_size = coh_machine_page_size(coh__kernel.m);
	if (!bdev || block_size < SECTOR_SIZE || block_size > page_size ||
	    (block_size & (block_size - 1)) || aux_size > DM_BUFIO_AUX_MAX)
		return NULL;
	for (unsigned i = 0; i < DM_BUFIO_CLIENTS; i++) {
		struct dm_bufio_client *c = &clients[coh__pool_note(&coh__pools.bufio_clients, i)];
		if (c->used)
			continue;
		memset(c, 0, sizeof(*c));
		c->used = true;
		c->id = ++next_client_id;
		c->bdev = bdev;
		c->block_size = block_size;
		while ((SECTOR_SIZE << c->sectors_per_block_bits) < (int)block_size)
			c->sectors_per_block_bits++;
		c->max_buffers = reserved_buffers + DM_BUFIO_MIN_BUFFERS;
		c->alloc_callback = alloc_callback;
		c->write_callback = write_callback;
		coh_mutex_init(&c->lock, "dm_bufio_client->lock");
		init_waitqueue_head(&c->bit_wait);
		return c;
	}
	return NULL;
}

/* dm_bufio_client_destroy -> drop_buffers (v3.9) */
void dm_bufio_client_destroy(struct dm_bufio_client *c)
{
	BUG_ON(!c->used);
	dm_bufio_write_dirty_buffers_async(c);
	dm_bufio_lock(c);
	struct dm_buffer *b;
	while ((b = __get_unclaimed_buffer(c)))
		__free_buffer_wake(b);
	BUG_ON(c->n_buffers); /* a buffer still held: "leaked buffer" */
	dm_bufio_unlock(c);
	c->used = false;
}

unsigned dm_bufio_get_block_size(struct dm_bufio_client *c)
{
	return c->block_size;
}

sector_t dm_bufio_get_block_number(struct dm_buffer *b)
{
	return b->block;
}

simptr dm_bufio_get_block_data(struct dm_buffer *b)
{
	return b->data;
}

/* dm_bufio_get_device_size (v3.9): the device's size in blocks */
sector_t dm_bufio_get_device_size(struct dm_bufio_client *c)
{
	return get_capacity(c->bdev->bd_disk) >> c->sectors_per_block_bits;
}

/* dm_bufio_get_aux_data (v3.9) */
void *dm_bufio_get_aux_data(struct dm_buffer *b)
{
	return b->aux;
}

struct dm_bufio_client *dm_bufio_get_client(struct dm_buffer *b)
{
	return b->c;
}

unsigned dm_bufio_buffer_count(struct dm_bufio_client *c)
{
	return c->n_buffers;
}

unsigned dm_bufio_client_id(struct dm_bufio_client *c)
{
	return c->id;
}
