/*
 * aio.c - asynchronous I/O (fs/aio.c, Linux 2.6.20-2.6.21): kioctx and its
 * completion ring, kiocbs from a slab cache with the era's reference
 * count, io_setup/io_submit/io_getevents/io_destroy, aio_complete.
 *
 * Interface: cohsim/aio.h. coh__aio_init() from kernel_init().
 *
 * The kiocb lifecycle (ki_users counts references):
 *
 *   state    --event (function)-->                               ki_users
 *   -        aio_get_req: kmem_cache_alloc, on active_reqs        2
 *   QUEUED   aio_run_iocb -> ki_retry returns res != -EIOCBQUEUED:
 *            aio_complete(res): event posted, __aio_put_req       1
 *   QUEUED   ki_retry returned -EIOCBQUEUED; later, from the
 *            I/O's completion: aio_complete: event, __aio_put_req 1
 *   -        io_submit_one's aio_put_req (the submitter's ref)    0: freed
 *
 * Exactly one aio_complete per kiocb: the rule of direct_io_worker's
 * comment ("the bio path may complete the iocb only if -EIOCBQUEUED
 * reached fs/aio.c"). A second one reads the freed slab object: the slab
 * checker reports a use-after-free, and its __aio_put_req may free it
 * again: a double-free.
 *
 * Invariants: every mutable kiocb field is in the slab object (simulated
 * memory); the ring's events and its head and tail are in a kernel page;
 * ctx_lock (IRQ-safe) guards reqs_active, the ring's tail and ki_users of
 * async kiocbs; ring_lock the ring's head.
 */
#include <string.h>

#include "kernel/fs/dio_impl.h"
#include "kernel/kernel_impl.h"

#define COH__MAX_KIOCTX 4
#define COH__MAX_KIOCB 128

/* struct kiocb's fields in its slab object */
enum {
	KI_USERS = 0,   /* u32 */
	KI_KEY = 4,     /* u32: KIOCB_SYNC_KEY, or the request's key */
	KI_CTX = 8,     /* u32: the kioctx (its index + 1; 0: none) */
	KI_OPCODE = 12, /* u32 */
	KI_USER_DATA = 16,
	KI_POS = 24,
	KI_NBYTES = 32,
	KI_LEFT = 40,
	KI_BUF = 48,
	KI_OBJ = 56, /* the user's iocb (here: its number in the io_submit call) */
	KIOCB_SIZE = 64,
};

/* struct aio_ring in its page: a header, then the io_events */
enum {
	RING_ID = 0,
	RING_NR = 4,
	RING_HEAD = 8,
	RING_TAIL = 12,
	RING_HEADER = 32,
	EVENT_SIZE = 32, /* data, obj, res, res2 */
};

struct kioctx {
	bool live, dead;
	unsigned id;
	aio_context_t user_id;
	spinlock_t ctx_lock;
	int reqs_active;
	unsigned max_reqs;
	wait_queue_head_t wait;
	/* aio_ring_info */
	spinlock_t ring_lock;
	struct page *ring_page;
	unsigned nr; /* ring slots */
	unsigned tail;
};

static struct kioctx ctxs[COH__MAX_KIOCTX];
static struct kiocb kiocbs[COH__MAX_KIOCB];
static unsigned nkiocbs;
/* when each handle's object was freed (an order stamp; 0: in use): once
 * every handle was handed out, the one freed longest ago is used again, so
 * a handle outlives its object for 128 allocations (a late second
 * aio_complete still meets the freed object) and a long run never runs out */
static uint64_t kiocb_freed[COH__MAX_KIOCB], kiocb_frees;
static struct kmem_cache *kiocb_cachep;

int coh__aio_init(void)
{
	memset(ctxs, 0, sizeof(ctxs));
	memset(kiocbs, 0, nkiocbs * sizeof(kiocbs[0])); /* only those handed out were written */
	memset(kiocb_freed, 0, nkiocbs * sizeof(kiocb_freed[0]));
	nkiocbs = 0;
	kiocb_frees = 0;
	/* the cache of the previous execution died with its kernel */
	kiocb_cachep = kmem_cache_create("kiocb", KIOCB_SIZE, 0, SLAB_HWCACHE_ALIGN, NULL);
	return kiocb_cachep ? COH_OK : COH_ENOMEM;
}

static simptr ki(struct kiocb *iocb, unsigned off)
{
	return simptr_add(iocb->obj, off);
}

int kiocb_users(struct kiocb *iocb)
{
	return (int)sim_read32(ki(iocb, KI_USERS));
}

bool is_sync_kiocb(struct kiocb *iocb)
{
	return sim_read32(ki(iocb, KI_KEY)) == KIOCB_SYNC_KEY;
}

loff_t kiocb_pos(struct kiocb *iocb)
{
	return (loff_t)sim_read64(ki(iocb, KI_POS));
}

void kiocb_set_pos(struct kiocb *iocb, loff_t pos)
{
	sim_write64(ki(iocb, KI_POS), (u64)pos);
}

/* A host handle and its slab object (kmem_cache_alloc(kiocb_cachep)). */
static struct kiocb *kiocb_alloc(void)
{
	unsigned slot = nkiocbs;
	if (nkiocbs == COH__MAX_KIOCB) {
		for (unsigned i = 0; i < COH__MAX_KIOCB; i++)
			if (kiocb_freed[i] &&
			    (slot == COH__MAX_KIOCB || kiocb_freed[i] < kiocb_freed[slot]))
				slot = i;
		if (slot == COH__MAX_KIOCB)
			return NULL;
	}
	simptr obj = kmem_cache_alloc(kiocb_cachep, GFP_KERNEL);
	if (simptr_is_null(obj))
		return NULL;
	struct kiocb *iocb = &kiocbs[slot];
	memset(iocb, 0, sizeof(*iocb));
	iocb->obj = obj;
	iocb->id = nkiocbs < COH__MAX_KIOCB ? nkiocbs++ : nkiocbs + (unsigned)kiocb_frees;
	kiocb_freed[slot] = 0;
	init_waitqueue_head(&iocb->ki_wait);
	return iocb;
}

/* kmem_cache_free of the kiocb's object; its handle may be used again. */
static void kiocb_free(struct kiocb *iocb)
{
	kmem_cache_free(kiocb_cachep, iocb->obj);
	kiocb_freed[iocb - kiocbs] = ++kiocb_frees;
}

static struct kioctx *ctx_of(struct kiocb *iocb)
{
	u32 c = sim_read32(ki(iocb, KI_CTX));
	return c && c <= COH__MAX_KIOCTX ? &ctxs[c - 1] : NULL;
}

/* ---- the ring (aio_ring_info) ---- */

static simptr ring(struct kioctx *ctx, unsigned off)
{
	return simptr_add(page_address(ctx->ring_page), off);
}

static simptr ring_event(struct kioctx *ctx, unsigned slot)
{
	return ring(ctx, RING_HEADER + slot * EVENT_SIZE);
}

/* aio_ring_avail (fs/aio.c 2.6.20) */
static unsigned aio_ring_avail(struct kioctx *ctx)
{
	unsigned head = sim_read32(ring(ctx, RING_HEAD));
	return (head + ctx->nr - 1 - ctx->tail) % ctx->nr;
}

/* aio_setup_ring (fs/aio.c 2.6.20): one page holds the header and events */
static int aio_setup_ring(struct kioctx *ctx, unsigned nr_events)
{
	unsigned max = (unsigned)((coh__page_size() - RING_HEADER) / EVENT_SIZE);
	nr_events += 2; /* 1 is required, 2 for good luck */
	if (nr_events > max)
		return -EINVAL;
	ctx->ring_page = alloc_page(GFP_KERNEL);
	if (!ctx->ring_page)
		return -ENOMEM;
	ctx->nr = nr_events;
	ctx->tail = 0;
	sim_write32(ring(ctx, RING_ID), (u32)ctx->user_id);
	sim_write32(ring(ctx, RING_NR), nr_events);
	sim_write32(ring(ctx, RING_HEAD), 0);
	sim_write32(ring(ctx, RING_TAIL), 0);
	return 0;
}

/* ---- contexts ---- */

/* sys_io_setup -> ioctx_alloc (fs/aio.c 2.6.20) */
long io_setup(unsigned nr_events, aio_context_t *ctxp)
{
	COH_FRAME();
	if (*ctxp || nr_events == 0 || nr_events >= 0x10000000u)
		return -EINVAL;
	struct kioctx *ctx = NULL;
	for (unsigned i = 0; i < COH__MAX_KIOCTX && !ctx; i++)
		if (!ctxs[i].live)
			ctx = &ctxs[i];
	if (!ctx)
		return -EAGAIN;
	memset(ctx, 0, sizeof(*ctx));
	ctx->id = (unsigned)(ctx - ctxs);
	ctx->user_id = ctx->id + 1;
	ctx->max_reqs = nr_events;
	spin_lock_init(&ctx->ctx_lock);
	spin_lock_init(&ctx->ring_lock);
	init_waitqueue_head(&ctx->wait);
	/* taken before aio_setup_ring, which may sleep: another task's
	 * io_setup must not pick the same slot (kmem_cache_alloc in Linux) */
	ctx->live = true;
	long r = aio_setup_ring(ctx, nr_events);
	if (r) {
		ctx->live = false;
		return r;
	}
	*ctxp = ctx->user_id;
	return 0;
}

/* lookup_ioctx (fs/aio.c 2.6.20) */
static struct kioctx *lookup_ioctx(aio_context_t ctx_id)
{
	if (ctx_id == 0 || ctx_id > COH__MAX_KIOCTX)
		return NULL;
	struct kioctx *ctx = &ctxs[ctx_id - 1];
	return ctx->live && !ctx->dead ? ctx : NULL;
}

/* sys_io_destroy -> io_destroy -> wait_for_all_aios (fs/aio.c 2.6.20) */
long io_destroy(aio_context_t ctx_id)
{
	COH_FRAME();
	struct kioctx *ctx = lookup_ioctx(ctx_id);
	if (!ctx)
		return -EINVAL;
	ctx->dead = true;
	coh_wait_event(ctx->wait, ctx->reqs_active == 0);
	__free_page(ctx->ring_page);
	ctx->live = false;
	return 0;
}

/* ---- requests ---- */

/* really_put_req (fs/aio.c 2.6.20); ctx_lock held */
static void really_put_req(struct kioctx *ctx, struct kiocb *req)
{
	kiocb_free(req);
	ctx->reqs_active--;
	if (!ctx->reqs_active && ctx->dead)
		wake_up(&ctx->wait);
}

/* __aio_put_req (fs/aio.c 2.6.20); ctx_lock held. Returns true if it freed
 * the request. */
static int __aio_put_req(struct kioctx *ctx, struct kiocb *req)
{
	int users = (int)sim_read32(ki(req, KI_USERS)) - 1;
	sim_write32(ki(req, KI_USERS), (u32)users);
	BUG_ON(users < 0);
	if (users)
		return 0;
	req->ki_retry = NULL;
	/* fput of ki_filp: files live as long as the execution here */
	really_put_req(ctx, req);
	return 1;
}

/* aio_put_req (fs/aio.c 2.6.20) */
int aio_put_req(struct kiocb *req)
{
	COH_FRAME();
	struct kioctx *ctx = req->ki_ctx;
	spin_lock_irq(&ctx->ctx_lock);
	int ret = __aio_put_req(ctx, req);
	spin_unlock_irq(&ctx->ctx_lock);
	return ret;
}

/* aio_get_req (fs/aio.c 2.6.20): two references, the submitter's and the
 * I/O's; NULL when the ring has no room for its event. */
static struct kiocb *aio_get_req(struct kioctx *ctx)
{
	struct kiocb *req = kiocb_alloc();
	if (!req)
		return NULL;
	req->ki_ctx = ctx;
	sim_write32(ki(req, KI_USERS), 2);
	sim_write32(ki(req, KI_KEY), 0);
	sim_write32(ki(req, KI_CTX), ctx->id + 1);
	bool okay = false;
	spin_lock_irq(&ctx->ctx_lock);
	if ((unsigned)ctx->reqs_active < aio_ring_avail(ctx)) {
		ctx->reqs_active++;
		okay = true;
	}
	spin_unlock_irq(&ctx->ctx_lock);
	if (!okay) {
		kiocb_free(req);
		return NULL;
	}
	return req;
}

/* aio_complete (fs/aio.c 2.6.20): any context, hardirq included */
int aio_complete(struct kiocb *iocb, long res, long res2)
{
	COH_FRAME();
	KSITE();
	if (is_sync_kiocb(iocb)) {
		int ret;
		sim_write64(ki(iocb, KI_USER_DATA), (u64)res);
		if (sim_read32(ki(iocb, KI_USERS)) == 1) {
			sim_write32(ki(iocb, KI_USERS), 0);
			ret = 1;
		} else {
			u32 users = sim_read32(ki(iocb, KI_USERS)) - 1;
			sim_write32(ki(iocb, KI_USERS), users);
			ret = users == 0;
		}
		/* sync iocbs put the task here for us */
		wake_up(&iocb->ki_wait);
		return ret;
	}
	struct kioctx *ctx = ctx_of(iocb);
	if (!ctx)
		ctx = iocb->ki_ctx; /* a freed object's KI_CTX may be anything */
	unsigned long flags;
	spin_lock_irqsave(&ctx->ctx_lock, flags);
	unsigned tail = ctx->tail;
	simptr ev = ring_event(ctx, tail);
	if (++tail >= ctx->nr)
		tail = 0;
	sim_write64(simptr_add(ev, 0), sim_read64(ki(iocb, KI_USER_DATA)));
	sim_write64(simptr_add(ev, 8), sim_read64(ki(iocb, KI_OBJ)));
	sim_write64(simptr_add(ev, 16), (u64)res);
	sim_write64(simptr_add(ev, 24), (u64)res2);
	ctx->tail = tail;
	sim_write32(ring(ctx, RING_TAIL), tail);
	int ret = __aio_put_req(ctx, iocb);
	spin_unlock_irqrestore(&ctx->ctx_lock, flags);
	wake_up(&ctx->wait);
	return ret;
}

/* aio_read_evt (fs/aio.c 2.6.20): one event from the ring's head, or 0 */
static int aio_read_evt(struct kioctx *ctx, struct io_event *ent)
{
	if (sim_read32(ring(ctx, RING_HEAD)) == sim_read32(ring(ctx, RING_TAIL)))
		return 0;
	int ret = 0;
	spin_lock(&ctx->ring_lock);
	unsigned head = sim_read32(ring(ctx, RING_HEAD)) % ctx->nr;
	if (head != sim_read32(ring(ctx, RING_TAIL))) {
		simptr ev = ring_event(ctx, head);
		ent->data = sim_read64(simptr_add(ev, 0));
		ent->obj = sim_read64(simptr_add(ev, 8));
		ent->res = (long long)sim_read64(simptr_add(ev, 16));
		ent->res2 = (long long)sim_read64(simptr_add(ev, 24));
		sim_write32(ring(ctx, RING_HEAD), (head + 1) % ctx->nr);
		ret = 1;
	}
	spin_unlock(&ctx->ring_lock);
	return ret;
}

/* sys_io_getevents -> read_events (fs/aio.c 2.6.20), without a timeout */
long io_getevents(aio_context_t ctx_id, long min_nr, long nr, struct io_event *events)
{
	COH_FRAME();
	struct kioctx *ctx = lookup_ioctx(ctx_id);
	if (!ctx || min_nr < 0 || nr < 0 || min_nr > nr)
		return -EINVAL;
	long i = 0;
	while (i < nr) {
		struct io_event ent;
		memset(&ent, 0, sizeof(ent));
		if (aio_read_evt(ctx, &ent)) {
			events[i++] = ent;
			continue;
		}
		if (i >= min_nr)
			break;
		coh_wait_event(ctx->wait, sim_read32(ring(ctx, RING_HEAD)) !=
		                              sim_read32(ring(ctx, RING_TAIL)));
	}
	return i;
}

/* aio_rw_vect_retry (fs/aio.c 2.6.20): the file's aio_read/aio_write until
 * done or short; the bytes done, an error, or -EIOCBQUEUED */
static ssize_t aio_rw_vect_retry(struct kiocb *iocb)
{
	COH_FRAME();
	struct file *file = iocb->ki_filp;
	u32 opcode = sim_read32(ki(iocb, KI_OPCODE));
	ssize_t ret;
	do {
		ret = coh__file_aio_rw(file, opcode == IOCB_CMD_PWRITE, iocb, iocb->ki_iovec,
		                       iocb->ki_nr_segs, kiocb_pos(iocb));
		if (ret > 0) {
			/* aio_advance_iovec: one segment here */
			u64 left = sim_read64(ki(iocb, KI_LEFT)) - (u64)ret;
			sim_write64(ki(iocb, KI_LEFT), left);
			iocb->ki_inline_vec.iov_base =
			    (void *)((uintptr_t)iocb->ki_inline_vec.iov_base + (size_t)ret);
			iocb->ki_inline_vec.iov_len -= (size_t)ret;
			kiocb_set_pos(iocb, kiocb_pos(iocb) + ret);
		}
	} while (ret > 0 && sim_read64(ki(iocb, KI_LEFT)) > 0);
	if (ret == 0 || sim_read64(ki(iocb, KI_LEFT)) == 0)
		ret = (ssize_t)(sim_read64(ki(iocb, KI_NBYTES)) - sim_read64(ki(iocb, KI_LEFT)));
	return ret;
}

/* aio_run_iocb (fs/aio.c 2.6.20), entered and left with ctx_lock held */
static ssize_t aio_run_iocb(struct kiocb *iocb)
{
	COH_FRAME();
	struct kioctx *ctx = iocb->ki_ctx;
	ssize_t (*retry)(struct kiocb *) = iocb->ki_retry;
	spin_unlock_irq(&ctx->ctx_lock);
	ssize_t ret = retry(iocb);
	if (ret != -EIOCBRETRY && ret != -EIOCBQUEUED)
		aio_complete(iocb, (long)ret, 0);
	spin_lock_irq(&ctx->ctx_lock);
	return ret;
}

/* io_submit_one (fs/aio.c 2.6.20) */
static long io_submit_one(struct kioctx *ctx, struct iocb *iocb, u64 user_iocb)
{
	COH_FRAME();
	if ((ssize_t)iocb->aio_nbytes < 0 ||
	    (iocb->aio_lio_opcode != IOCB_CMD_PREAD && iocb->aio_lio_opcode != IOCB_CMD_PWRITE))
		return -EINVAL;
	struct file *file = iocb->aio_filp; /* fget(iocb->aio_fildes) */
	if (!file)
		return -EBADF;
	struct kiocb *req = aio_get_req(ctx); /* returns with 2 references to req */
	if (!req)
		return -EAGAIN;
	req->ki_filp = file;
	iocb->aio_key = 0;
	sim_write64(ki(req, KI_OBJ), user_iocb);
	sim_write64(ki(req, KI_USER_DATA), iocb->aio_data);
	sim_write64(ki(req, KI_POS), (u64)iocb->aio_offset);
	sim_write64(ki(req, KI_BUF), iocb->aio_buf);
	sim_write64(ki(req, KI_NBYTES), iocb->aio_nbytes);
	sim_write64(ki(req, KI_LEFT), iocb->aio_nbytes);
	sim_write32(ki(req, KI_OPCODE), iocb->aio_lio_opcode);
	/* aio_setup_iocb -> aio_setup_single_vector */
	req->ki_inline_vec.iov_base = (void *)(uintptr_t)iocb->aio_buf;
	req->ki_inline_vec.iov_len = (size_t)iocb->aio_nbytes;
	req->ki_iovec = &req->ki_inline_vec;
	req->ki_nr_segs = 1;
	req->ki_retry = aio_rw_vect_retry;

	spin_lock_irq(&ctx->ctx_lock);
	aio_run_iocb(req);
	spin_unlock_irq(&ctx->ctx_lock);
	aio_put_req(req); /* drop extra ref to req */
	return 0;
}

/* sys_io_submit (fs/aio.c 2.6.20) */
long io_submit(aio_context_t ctx_id, long nr, struct iocb **iocbpp)
{
	COH_FRAME();
	if (nr < 0)
		return -EINVAL;
	struct kioctx *ctx = lookup_ioctx(ctx_id);
	if (!ctx)
		return -EINVAL;
	long i;
	long ret = 0;
	for (i = 0; i < nr; i++) {
		ret = io_submit_one(ctx, iocbpp[i], (u64)i);
		if (ret)
			break;
	}
	return i ? i : ret;
}

/* ---- sync kiocbs (include/linux/aio.h init_sync_kiocb, fs/aio.c) ---- */

/* init_sync_kiocb (include/linux/aio.h 2.6.20): on the caller's stack in
 * Linux, a slab object here */
bool init_sync_kiocb(struct kiocb **out, struct file *filp)
{
	struct kiocb *iocb = kiocb_alloc();
	*out = iocb;
	if (!iocb)
		return false;
	iocb->ki_filp = filp;
	sim_write32(ki(iocb, KI_USERS), 1);
	sim_write32(ki(iocb, KI_KEY), KIOCB_SYNC_KEY);
	sim_write32(ki(iocb, KI_CTX), 0);
	sim_write64(ki(iocb, KI_USER_DATA), 0);
	return true;
}

/* wait_on_sync_kiocb (fs/aio.c 2.6.20) */
ssize_t wait_on_sync_kiocb(struct kiocb *iocb)
{
	COH_FRAME();
	coh_wait_event(iocb->ki_wait, sim_read32(ki(iocb, KI_USERS)) == 0);
	return (ssize_t)sim_read64(ki(iocb, KI_USER_DATA));
}

void destroy_sync_kiocb(struct kiocb *iocb)
{
	kiocb_free(iocb);
}

size_t iov_length(const struct iovec *iov, unsigned long nr_segs)
{
	size_t n = 0;
	for (unsigned long i = 0; i < nr_segs; i++)
		n += iov[i].iov_len;
	return n;
}
