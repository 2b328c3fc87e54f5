/*
 * rorder.c - load reordering on bufferable memory (ARMv6/v7 "normal
 * non-cacheable", what dma_alloc_coherent maps there).
 *
 * ARM orders two loads of normal memory only by a barrier (or an address
 * dependency): a later load may be satisfied before an earlier one. A
 * driver that reads a completion entry's phase or a descriptor's DONE flag
 * and then the entry's other fields needs dma_rmb()/rmb() between the two
 * loads, or it can see the fields from before the device wrote them.
 *
 * The model: per CPU, the event of its last barrier (coh_barrier, or an
 * implied one: coh_wbuf_drain) and of its last load of bufferable memory
 * since (A). The device's writes are logged with the bytes they replaced
 * (the last COH__RORD_LOG writes, their first COH__RORD_BYTES bytes). At a
 * load B of bufferable memory, if A exists and the device wrote B's bytes
 * after the barrier, before A, no later than the write A's bytes came
 * from (W_B <= W_A: B seeing memory from before W_B while A saw W_A is
 * what no interleaving gives), the explorer's rord hook chooses: 0, B
 * sees memory now (the default); 1, B was satisfied early and sees memory
 * as it was just after the barrier (the logged writes since, undone
 * newest first). The CPU's own buffered stores still win (forwarding, done
 * by the caller after this). The oracle then finds B stale; the cause
 * (check/cause.c) names A, B and the device's write through stale_*.
 *
 * Interface: machine_impl.h (coh__rord_*, coh__machine_set_rord_hook).
 * Invariants: no choice is offered unless a device write falls between a
 * barrier and a load of the same CPU and overlaps a later load, so
 * programs without that pattern keep their schedules. A write longer than
 * COH__RORD_BYTES is undone only in its first bytes (the model may miss,
 * never invent); loads of the same bytes are not kept in order among
 * themselves beyond A (read-read coherence is not enforced past A).
 */
#include <string.h>

#include "machine/machine_impl.h"

void coh__machine_set_rord_hook(coh_machine *m, coh__wbuf_hook hook, void *ctx)
{
	m->rord_hook = hook;
	m->rord_ctx = ctx;
}

void coh__rord_reset(coh_machine *m)
{
	memset(m->rord, 0, sizeof(m->rord));
	m->ndmalog = 0;
}

void coh__rord_barrier(coh_machine *m, unsigned cpu)
{
	m->rord[cpu].barrier_ev = m->ev;
	m->rord[cpu].prev_ev = 0;
}

void coh__rord_dma_write(coh_machine *m, coh_addr_t pa, size_t len)
{
	struct coh__dmalog *d = &m->dmalog[m->ndmalog++ % COH__RORD_LOG];
	d->ev = m->op_ev;
	d->pa = pa;
	d->len = len < COH__RORD_BYTES ? (unsigned)len : COH__RORD_BYTES;
	coh__mem_read(m, pa, d->old, d->len);
}

/* How many device writes the log holds. */
static unsigned logged(const coh_machine *m)
{
	return m->ndmalog < COH__RORD_LOG ? (unsigned)m->ndmalog : COH__RORD_LOG;
}

static bool overlaps(const struct coh__dmalog *d, coh_addr_t pa, unsigned len)
{
	return d->pa < pa + len && pa < d->pa + d->len;
}

/* The logged write that A's bytes came from: the newest before A (0: none). */
static uint64_t source_of_a(const coh_machine *m, const struct coh__rord *r)
{
	unsigned n = logged(m);
	for (unsigned i = 0; i < n; i++) {
		const struct coh__dmalog *d = &m->dmalog[(m->ndmalog - 1 - i) % COH__RORD_LOG];
		if (d->ev < r->prev_ev && d->ev > r->barrier_ev &&
		    overlaps(d, r->prev_pa, r->prev_len))
			return d->ev;
	}
	return 0;
}

void coh__rord_load(coh_machine *m, unsigned cpu, coh_addr_t pa, uint8_t *buf, unsigned len)
{
	struct coh__rord *r = &m->rord[cpu];
	uint64_t ev = m->op_ev;
	unsigned n = logged(m);
	if (r->prev_ev && m->rord_hook && n) {
		uint64_t wa = source_of_a(m, r), wb = 0;
		for (unsigned i = 0; wa && i < n && !wb; i++) { /* oldest first */
			const struct coh__dmalog *d =
			    &m->dmalog[(m->ndmalog - n + i) % COH__RORD_LOG];
			if (d->ev > r->barrier_ev && d->ev <= wa && overlaps(d, pa, len))
				wb = d->ev;
		}
		if (wb && m->rord_hook(m->rord_ctx, m, cpu, 2) == 1) {
			for (unsigned i = 0; i < n; i++) { /* newest first: the oldest bytes win */
				const struct coh__dmalog *d =
				    &m->dmalog[(m->ndmalog - 1 - i) % COH__RORD_LOG];
				if (d->ev <= r->barrier_ev || !overlaps(d, pa, len))
					continue;
				coh_addr_t lo = d->pa > pa ? d->pa : pa;
				coh_addr_t hi =
				    d->pa + d->len < pa + len ? d->pa + d->len : pa + len;
				memcpy(buf + (lo - pa), d->old + (lo - d->pa), (size_t)(hi - lo));
			}
			r->stale_ev = ev;
			r->stale_prev = r->prev_ev;
			r->stale_write = wb;
		}
	}
	r->prev_ev = ev;
	r->prev_pa = pa;
	r->prev_len = len;
}
