/*
 * simnet.c - the reference NIC (include/cohsim/simnet.h): TX and RX
 * descriptor rings, doorbells, DMA, an IRQ.
 *
 * Interface: simnet_create() from setup; the driver reaches it through
 * ioremap/readl/writel and the DMA API; simnet_receive() puts a packet on
 * the wire. The device's memory accesses are dma_dev_read/dma_dev_write at
 * this file's lines, so the oracle judges every descriptor and buffer it
 * reads (stale-dma) and its writes are the latest values the CPU must see.
 * In poll mode (SIMNET_CTRL_POLL) the device does not look at the tails:
 * it polls each descriptor's OWN flag (dma_dev_poll, not judged) and reads
 * the descriptor it owns again, judged; TX fetching goes on after each
 * completed batch, as a running DMA engine does.
 * Invariants: tx_head <= tx_fetch (mod count) and every fetched, unsent
 * packet is in `fetched`, oldest first (nfetched <= tx_count); at most one TX completion is
 * pending (tx_pending) and it sends every fetched packet in order; the
 * pool is reset by
 * kernel_init (coh__simnet_init).
 */
#include <string.h>

#include "kernel/kernel_impl.h"

struct simnet {
	struct sim_device sd;
	bool used;
	u32 ctrl, irq_status, irq_mask;
	u32 tx_ring, tx_count, tx_tail, tx_head, tx_fetch;
	u32 rx_ring, rx_count, rx_tail, rx_head;
	struct {
		u32 index, addr, len;
	} fetched[256];
	unsigned nfetched;
	bool tx_pending; /* a TX completion is on its way */
	struct {
		u8 data[SIMNET_MAX_PACKET];
		size_t len;
	} wire[SIMNET_MAX];
	unsigned nwire;
	u8 sent[1024];
	size_t nsent;
	unsigned rx_dropped;
};

static struct simnet nets[SIMNET_MAX];

int coh__simnet_init(void)
{
	coh__pool_reset(nets, sizeof(nets[0]), &coh__pools.nets);
	return COH_OK;
}

static u32 le32(const u8 *b)
{
	return (u32)b[0] | (u32)b[1] << 8 | (u32)b[2] << 16 | (u32)b[3] << 24;
}

static void put_le32(u8 *b, u32 v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (u8)(v >> (8 * i));
}

static void update_irq(struct simnet *n)
{
	if (n->irq_status & n->irq_mask)
		sim_device_raise_irq(&n->sd);
}

static void tx_send_one(struct simnet *n);
static void tx_fetch(struct simnet *n);

/* In poll mode: does the device own descriptor da? Its flags are polled
 * (a read the oracle does not judge: not yet owned is no error); the
 * descriptor it then acts on is read again, judged. */
static bool polled_own(struct simnet *n, dma_addr_t da)
{
	u8 f[4];
	dma_dev_poll(&n->sd.dev, da + SIMNET_DESC_FLAGS, f, sizeof(f));
	return le32(f) & SIMNET_DESC_OWN;
}

/* A TX completion: the fetched packets go on the wire, oldest first (one
 * completion per batch: their order is the NIC's, not a choice). */
static void tx_done(void *arg)
{
	COH_FRAME();
	struct simnet *n = arg;
	n->tx_pending = false;
	while (n->nfetched)
		tx_send_one(n);
	if (n->ctrl & SIMNET_CTRL_POLL)
		tx_fetch(n); /* a running DMA engine goes on to the next descriptor */
}

/* The oldest fetched packet: its buffer by DMA, then DONE, the IRQ. */
static void tx_send_one(struct simnet *n)
{
	u32 idx = n->fetched[0].index, addr = n->fetched[0].addr, len = n->fetched[0].len;
	memmove(&n->fetched[0], &n->fetched[1], --n->nfetched * sizeof(n->fetched[0]));
	u8 buf[SIMNET_MAX_PACKET];
	if (len > sizeof(buf))
		len = sizeof(buf);
	dma_dev_read(&n->sd.dev, addr, buf, len);
	size_t room = sizeof(n->sent) - n->nsent;
	memcpy(n->sent + n->nsent, buf, len < room ? len : room);
	n->nsent += len < room ? len : room;
	u8 flags[4];
	put_le32(flags, SIMNET_DESC_DONE);
	dma_dev_write(&n->sd.dev, n->tx_ring + idx * SIMNET_DESC_SIZE + SIMNET_DESC_FLAGS, flags,
	              4);
	n->tx_head = (idx + 1) % n->tx_count;
	n->irq_status |= SIMNET_IRQ_TX;
	update_irq(n);
}

/* The TX doorbell: fetch the new descriptors now, send them later. In
 * poll mode the tail is not looked at: the device fetches while it owns
 * the next descriptor (and has room for it). */
static void tx_fetch(struct simnet *n)
{
	bool poll = n->ctrl & SIMNET_CTRL_POLL;
	while ((n->ctrl & SIMNET_CTRL_ENABLE) && n->tx_count &&
	       (poll ? n->nfetched < n->tx_count : n->tx_fetch != n->tx_tail)) {
		dma_addr_t da = n->tx_ring + n->tx_fetch * SIMNET_DESC_SIZE;
		if (poll && !polled_own(n, da))
			return; /* not handed over yet: suspended until a poll demand */
		u8 d[SIMNET_DESC_SIZE];
		dma_dev_read(&n->sd.dev, da, d, sizeof(d));
		if (!(le32(d + SIMNET_DESC_FLAGS) & SIMNET_DESC_OWN))
			return; /* not ours (yet): stop, as a NIC does */
		n->fetched[n->nfetched].index = n->tx_fetch;
		n->fetched[n->nfetched].addr = le32(d + SIMNET_DESC_ADDR);
		n->fetched[n->nfetched].len = le32(d + SIMNET_DESC_LEN);
		n->nfetched++;
		n->tx_fetch = (n->tx_fetch + 1) % n->tx_count;
		if (!n->tx_pending) {
			n->tx_pending = true;
			sim_device_later(&n->sd, tx_done, n, "simnet-tx");
		}
	}
}

/* A packet arrives: into the RX descriptor at RX_HEAD, or dropped. */
static void rx_arrive(void *arg)
{
	COH_FRAME();
	struct simnet *n = arg;
	if (!n->nwire)
		return;
	u8 pkt[SIMNET_MAX_PACKET];
	size_t len = n->wire[0].len;
	memcpy(pkt, n->wire[0].data, len);
	memmove(&n->wire[0], &n->wire[1], --n->nwire * sizeof(n->wire[0]));
	bool poll = n->ctrl & SIMNET_CTRL_POLL;
	if (!(n->ctrl & SIMNET_CTRL_ENABLE) || !n->rx_count ||
	    (!poll && n->rx_head == n->rx_tail)) {
		n->rx_dropped++;
		return;
	}
	dma_addr_t da = n->rx_ring + n->rx_head * SIMNET_DESC_SIZE;
	if (poll && !polled_own(n, da)) {
		n->rx_dropped++; /* no buffer handed over */
		return;
	}
	u8 d[SIMNET_DESC_SIZE];
	dma_dev_read(&n->sd.dev, da, d, sizeof(d));
	if (!(le32(d + SIMNET_DESC_FLAGS) & SIMNET_DESC_OWN)) {
		n->rx_dropped++;
		return;
	}
	u32 room = le32(d + SIMNET_DESC_LEN);
	u32 nb = len < room ? (u32)len : room;
	dma_dev_write(&n->sd.dev, le32(d + SIMNET_DESC_ADDR), pkt, nb);
	u8 lf[8];
	put_le32(lf, nb);
	put_le32(lf + 4, SIMNET_DESC_DONE);
	dma_dev_write(&n->sd.dev, da + SIMNET_DESC_LEN, lf, 8);
	n->rx_head = (n->rx_head + 1) % n->rx_count;
	n->irq_status |= SIMNET_IRQ_RX;
	update_irq(n);
}

static u32 reg_read(struct sim_device *sd, unsigned off, unsigned size)
{
	const struct simnet *n = sd->priv;
	(void)size;
	switch (off) {
	case SIMNET_CTRL:
		return n->ctrl;
	case SIMNET_IRQ_STATUS:
		return n->irq_status;
	case SIMNET_IRQ_MASK:
		return n->irq_mask;
	case SIMNET_TX_RING:
		return n->tx_ring;
	case SIMNET_TX_COUNT:
		return n->tx_count;
	case SIMNET_TX_TAIL:
		return n->tx_tail;
	case SIMNET_TX_HEAD:
		return n->tx_head;
	case SIMNET_RX_RING:
		return n->rx_ring;
	case SIMNET_RX_COUNT:
		return n->rx_count;
	case SIMNET_RX_TAIL:
		return n->rx_tail;
	case SIMNET_RX_HEAD:
		return n->rx_head;
	default:
		return 0;
	}
}

static u32 ring_count(u32 v)
{
	return v > 256 ? 256 : v;
}

static void reg_write(struct sim_device *sd, unsigned off, unsigned size, u32 v)
{
	struct simnet *n = sd->priv;
	(void)size;
	switch (off) {
	case SIMNET_CTRL:
		n->ctrl = v;
		tx_fetch(n);
		break;
	case SIMNET_IRQ_STATUS:
		n->irq_status &= ~v;
		break;
	case SIMNET_IRQ_MASK:
		n->irq_mask = v;
		update_irq(n);
		break;
	case SIMNET_TX_RING:
		n->tx_ring = v;
		break;
	case SIMNET_TX_COUNT:
		n->tx_count = ring_count(v);
		n->tx_head = n->tx_tail = n->tx_fetch = 0;
		n->nfetched = 0;
		break;
	case SIMNET_TX_TAIL:
		n->tx_tail = n->tx_count ? v % n->tx_count : 0;
		tx_fetch(n);
		break;
	case SIMNET_RX_RING:
		n->rx_ring = v;
		break;
	case SIMNET_RX_COUNT:
		n->rx_count = ring_count(v);
		n->rx_head = n->rx_tail = 0;
		break;
	case SIMNET_RX_TAIL:
		n->rx_tail = n->rx_count ? v % n->rx_count : 0;
		break;
	default:
		break; /* read-only or unused: ignored, as hardware does */
	}
}

static const struct sim_device_ops simnet_ops = {reg_read, reg_write};

struct simnet *simnet_create(const char *name, unsigned irq)
{
	for (unsigned i = 0; i < SIMNET_MAX; i++) {
		struct simnet *n = &nets[coh__pool_note(&coh__pools.nets, i)];
		if (n->used)
			continue;
		if (sim_device_register(&n->sd, name ? name : "simnet", SIMNET_MMIO_SIZE, irq,
		                        &simnet_ops, n))
			return NULL;
		n->used = true;
		return n;
	}
	return NULL;
}

struct sim_device *simnet_device(struct simnet *n)
{
	return &n->sd;
}

int simnet_receive(struct simnet *n, const void *data, size_t len)
{
	if (len > SIMNET_MAX_PACKET)
		return COH_EINVAL;
	if (n->nwire == SIMNET_MAX)
		return COH_EBUSY;
	memcpy(n->wire[n->nwire].data, data, len);
	n->wire[n->nwire].len = len;
	n->nwire++;
	sim_device_later(&n->sd, rx_arrive, n, "simnet-rx");
	return COH_OK;
}

size_t simnet_sent(const struct simnet *n, void *buf, size_t max)
{
	size_t k = n->nsent < max ? n->nsent : max;
	memcpy(buf, n->sent, k);
	return k;
}

unsigned simnet_rx_dropped(const struct simnet *n)
{
	return n->rx_dropped;
}
