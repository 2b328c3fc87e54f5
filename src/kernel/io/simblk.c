/*
 * simblk.c - the reference block controller (include/cohsim/simblk.h): a
 * submission queue of commands and a completion queue in the driver's
 * memory, a doorbell, per-command completion latency, DMA, an IRQ.
 *
 * Interface: simblk_create() from setup; the driver reaches it through
 * ioremap/readl/writel and the DMA API; simblk_disk_read/write() are the
 * host's view of the disk. The device's memory accesses are
 * dma_dev_read/dma_dev_write at this file's lines: the oracle judges every
 * command and data buffer it reads (stale-dma), and what it writes (data
 * of a READ, completion entries) is the latest value the CPU must see.
 * Each fetched command completes at a point the explorer chooses
 * (sim_device_later), so outstanding commands complete in any order.
 * Invariants: cmd[i].busy for exactly the fetched, unposted commands
 * (sq_head passed them; at most depth); held[] lists, oldest first, the
 * finished commands waiting for room in the completion queue; the queue
 * is full when cq_tail + 1 == cq_head (mod depth). The pool is reset by
 * kernel_init (coh__simblk_init).
 */
#include <string.h>

#include "kernel/kernel_impl.h"

struct simblk_cmd {
	struct simblk *b;
	u32 cid, op, lba, addr, nsect;
	bool busy;
};

struct simblk {
	struct sim_device sd;
	bool used;
	u32 ctrl, irq_status, irq_mask;
	u32 sq_base, cq_base, depth;
	u32 sq_head, sq_tail, cq_head, cq_tail, phase;
	struct simblk_cmd cmd[SIMBLK_MAX_DEPTH];
	u32 held[SIMBLK_MAX_DEPTH];
	unsigned nheld;
	u8 disk[SIMBLK_SECTORS * SIMBLK_SECTOR_SIZE];
};

static struct simblk blks[SIMBLK_MAX];

int coh__simblk_init(void)
{
	coh__pool_reset(blks, sizeof(blks[0]), &coh__pools.blks);
	return COH_OK;
}

static u32 le32(const u8 *p)
{
	return (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
}

static void put_le32(u8 *p, u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (u8)(v >> (8 * i));
}

static void update_irq(struct simblk *b)
{
	if (b->irq_status & b->irq_mask)
		sim_device_raise_irq(&b->sd);
}

static bool cq_full(const struct simblk *b)
{
	return (b->cq_tail + 1) % b->depth == b->cq_head;
}

static bool cmd_ok(const struct simblk_cmd *c)
{
	return (c->op == SIMBLK_OP_READ || c->op == SIMBLK_OP_WRITE) && c->nsect &&
	       c->nsect <= SIMBLK_MAX_SECTORS && c->lba <= SIMBLK_SECTORS - c->nsect;
}

static void fetch(struct simblk *b);

/* A finished command: its data by DMA, then its completion entry, the IRQ
 * (an injected I/O error moves nothing). */
static void post(struct simblk *b, struct simblk_cmd *c)
{
	u32 st = 0;
	if (!cmd_ok(c)) {
		st = SIMBLK_ST_EINVAL;
	} else if (coh_inject_fault(coh__kernel.s, COH_FAULT_IO)) {
		st = SIMBLK_ST_EIO;
	} else {
		u8 *at = b->disk + (size_t)c->lba * SIMBLK_SECTOR_SIZE;
		size_t len = (size_t)c->nsect * SIMBLK_SECTOR_SIZE;
		if (c->op == SIMBLK_OP_READ)
			dma_dev_write(&b->sd.dev, c->addr, at, len);
		else
			dma_dev_read(&b->sd.dev, c->addr, at, len);
	}
	u8 cqe[SIMBLK_CQE_SIZE];
	put_le32(cqe + SIMBLK_CQE_CID, c->cid);
	put_le32(cqe + SIMBLK_CQE_STATUS, st << 1 | b->phase);
	dma_dev_write(&b->sd.dev, b->cq_base + b->cq_tail * SIMBLK_CQE_SIZE, cqe, sizeof(cqe));
	b->cq_tail = (b->cq_tail + 1) % b->depth;
	if (b->cq_tail == 0)
		b->phase ^= SIMBLK_CQE_PHASE;
	c->busy = false;
	b->irq_status |= SIMBLK_IRQ_CQ;
	update_irq(b);
}

/* A command's completion timer: post it, or hold it while the completion
 * queue is full. */
static void cmd_done(void *arg)
{
	COH_FRAME();
	struct simblk_cmd *c = arg;
	struct simblk *b = c->b;
	if (b->nheld || cq_full(b)) {
		b->held[b->nheld++] = c->cid;
		return;
	}
	post(b, c);
	fetch(b); /* a slot that stalled the fetch may be free now */
}

/* The SQ doorbell: fetch each new command by DMA and start it. A slot whose
 * earlier command is still running stalls the fetch until it completes. */
static void fetch(struct simblk *b)
{
	while ((b->ctrl & SIMBLK_CTRL_ENABLE) && b->depth && b->sq_head != b->sq_tail) {
		struct simblk_cmd *c = &b->cmd[b->sq_head];
		if (c->busy)
			return;
		u8 e[SIMBLK_SQE_SIZE];
		dma_dev_read(&b->sd.dev, b->sq_base + b->sq_head * SIMBLK_SQE_SIZE, e, sizeof(e));
		c->b = b;
		c->cid = b->sq_head;
		c->op = le32(e + SIMBLK_SQE_OPCODE);
		c->lba = le32(e + SIMBLK_SQE_LBA);
		c->addr = le32(e + SIMBLK_SQE_ADDR);
		c->nsect = le32(e + SIMBLK_SQE_NSECT);
		c->busy = true;
		b->sq_head = (b->sq_head + 1) % b->depth;
		sim_device_later(&b->sd, cmd_done, c, "simblk-cmd");
	}
}

/* CQ_HEAD moved: post the held completions while there is room. */
static void unhold(struct simblk *b)
{
	unsigned k = 0;
	while (k < b->nheld && !cq_full(b))
		post(b, &b->cmd[b->held[k++]]);
	memmove(&b->held[0], &b->held[k], (b->nheld - k) * sizeof(b->held[0]));
	b->nheld -= k;
	if (k)
		fetch(b);
}

static u32 reg_read(struct sim_device *sd, unsigned off, unsigned size)
{
	const struct simblk *b = sd->priv;
	(void)size;
	switch (off) {
	case SIMBLK_CTRL:
		return b->ctrl;
	case SIMBLK_IRQ_STATUS:
		return b->irq_status;
	case SIMBLK_IRQ_MASK:
		return b->irq_mask;
	case SIMBLK_CAPACITY:
		return SIMBLK_SECTORS;
	case SIMBLK_SQ_BASE:
		return b->sq_base;
	case SIMBLK_CQ_BASE:
		return b->cq_base;
	case SIMBLK_QDEPTH:
		return b->depth;
	case SIMBLK_SQ_TAIL:
		return b->sq_tail;
	case SIMBLK_SQ_HEAD:
		return b->sq_head;
	case SIMBLK_CQ_HEAD:
		return b->cq_head;
	case SIMBLK_CQ_TAIL:
		return b->cq_tail;
	default:
		return 0;
	}
}

static void reg_write(struct sim_device *sd, unsigned off, unsigned size, u32 v)
{
	struct simblk *b = sd->priv;
	(void)size;
	switch (off) {
	case SIMBLK_CTRL:
		b->ctrl = v;
		fetch(b);
		break;
	case SIMBLK_IRQ_STATUS:
		b->irq_status &= ~v;
		break;
	case SIMBLK_IRQ_MASK:
		b->irq_mask = v;
		update_irq(b);
		break;
	case SIMBLK_SQ_BASE:
		b->sq_base = v;
		break;
	case SIMBLK_CQ_BASE:
		b->cq_base = v;
		break;
	case SIMBLK_QDEPTH:
		b->depth = v < 2 ? 2 : v > SIMBLK_MAX_DEPTH ? SIMBLK_MAX_DEPTH : v;
		b->sq_head = b->sq_tail = b->cq_head = b->cq_tail = 0;
		b->phase = SIMBLK_CQE_PHASE;
		break;
	case SIMBLK_SQ_TAIL:
		b->sq_tail = b->depth ? v % b->depth : 0;
		fetch(b);
		break;
	case SIMBLK_CQ_HEAD:
		b->cq_head = b->depth ? v % b->depth : 0;
		unhold(b);
		break;
	default:
		break; /* read-only or unused: ignored, as hardware does */
	}
}

static const struct sim_device_ops simblk_ops = {reg_read, reg_write};

struct simblk *simblk_create(const char *name, unsigned irq)
{
	for (unsigned i = 0; i < SIMBLK_MAX; i++) {
		struct simblk *b = &blks[coh__pool_note(&coh__pools.blks, i)];
		if (b->used)
			continue;
		if (sim_device_register(&b->sd, name ? name : "simblk", SIMBLK_MMIO_SIZE, irq,
		                        &simblk_ops, b))
			return NULL;
		b->used = true;
		return b;
	}
	return NULL;
}

struct sim_device *simblk_device(struct simblk *b)
{
	return &b->sd;
}

int simblk_disk_read(const struct simblk *b, size_t off, void *buf, size_t len)
{
	if (off > sizeof(b->disk) || len > sizeof(b->disk) - off)
		return COH_EINVAL;
	memcpy(buf, b->disk + off, len);
	return COH_OK;
}

int simblk_disk_write(struct simblk *b, size_t off, const void *buf, size_t len)
{
	if (off > sizeof(b->disk) || len > sizeof(b->disk) - off)
		return COH_EINVAL;
	memcpy(b->disk + off, buf, len);
	return COH_OK;
}
