/*
 * wbuf.c - per-CPU write buffers, barriers and MMIO events.
 *
 * The memory model (docs/drivers.md, "Write buffers and barriers"): a
 * store to COH_ATTR_BUFFERABLE memory (ARMv6/v7 "normal non-cacheable",
 * which is what dma_alloc_coherent maps there) enters its CPU's write
 * buffer of COH_WBUF_ENTRIES entries. After each such store the wbuf hook
 * (the explorer) chooses among:
 *   0  the buffer drains now, oldest first (the sequentially consistent
 *      default);
 *   1  the store stays, "late";
 *   2  the store drains alone and overtakes the older late ones (offered
 *      only when the buffer holds older entries). ARM orders stores to
 *      normal memory only by a barrier: every entry of the buffer was
 *      stored since the last one (a barrier drains the buffer), so they
 *      form one barrier epoch and may reach memory in any order. An older
 *      entry that overlaps the store drains before it (same-address
 *      stores stay in program order, as coherence requires).
 * A late store reaches memory only when something forces the buffer: a
 * barrier (coh_barrier), an implied one (coh_wbuf_drain: locks, atomics,
 * the end of a task), a later store that drains all (option 0), or a full
 * buffer (the oldest entry drains). Loads of the storing CPU see its
 * buffered bytes (forwarding); other CPUs and devices see memory. MMIO
 * accesses (coh_mmio) do not wait for the buffer: a doorbell written with
 * no barrier before it can reach the device while the descriptor it
 * announces is still buffered, and a descriptor's ownership flag can reach
 * memory before its body; the oracle reports either as stale-dma when the
 * device reads the bytes still buffered.
 *
 * Interface: machine.h (coh_barrier, coh_wbuf_drain, coh_wbuf_pending,
 * coh_mmio) and machine_impl.h (coh__wbuf_store/forward/reset, the hook).
 * Invariants: entries lie within one line and hold at most COH__WBUF_DATA
 * bytes; entries that overlap are in program order (oldest first), so
 * forwarding lets the newest win; each drained entry is one COH_EV_DRAIN
 * event.
 */
#include <string.h>

#include "machine/machine_impl.h"

void coh__machine_set_wbuf_hook(coh_machine *m, coh__wbuf_hook hook, void *ctx)
{
	m->wbuf_hook = hook;
	m->wbuf_ctx = ctx;
}

void coh__wbuf_reset(coh_machine *m)
{
	for (unsigned c = 0; c < COH_MAX_CPUS; c++)
		m->wbuf[c].n = 0;
}

/* Writes entry i of cpu's buffer to memory and removes it. */
static void drain_one(coh_machine *m, unsigned cpu, unsigned i)
{
	struct coh__wbuf *w = &m->wbuf[cpu];
	const struct coh__wbuf_ent *e = &w->e[i];
	uint64_t v = 0;
	memcpy(&v, e->data, e->len < 8 ? e->len : 8);
	coh__event(m, COH_EV_DRAIN, (int)cpu, 0, e->pa, e->len, v);
	coh__mem_write(m, e->pa, e->data, e->len);
	memmove(&w->e[i], &w->e[i + 1], (w->n - i - 1) * sizeof(w->e[0]));
	w->n--;
}

/* Writes the oldest n entries of cpu's buffer to memory, in order. */
static void drain(coh_machine *m, unsigned cpu, unsigned n)
{
	struct coh__wbuf *w = &m->wbuf[cpu];
	if (n > w->n)
		n = w->n;
	while (n--)
		drain_one(m, cpu, 0);
}

/* The newest k entries (one store, [pa, pa+len)) drain ahead of the older
 * ones; an older entry that overlaps them drains first. */
static void overtake(coh_machine *m, unsigned cpu, unsigned k, coh_addr_t pa, unsigned len)
{
	struct coh__wbuf *w = &m->wbuf[cpu];
	unsigned older = w->n - k;
	for (unsigned i = 0; i < older;) {
		const struct coh__wbuf_ent *e = &w->e[i];
		if (e->pa < pa + len && pa < e->pa + e->len) {
			drain_one(m, cpu, i);
			older--;
		} else {
			i++;
		}
	}
	while (k--)
		drain_one(m, cpu, older);
}

void coh__wbuf_store(coh_machine *m, unsigned cpu, coh_addr_t pa, const uint8_t *buf, unsigned len)
{
	struct coh__wbuf *w = &m->wbuf[cpu];
	coh_addr_t pa0 = pa;
	unsigned len0 = len, k = 0;
	while (len) {
		unsigned chunk = len < COH__WBUF_DATA ? len : COH__WBUF_DATA;
		if (w->n == COH_WBUF_ENTRIES) {
			drain(m, cpu, 1); /* full: the oldest store must go */
			if (k == COH_WBUF_ENTRIES)
				k--; /* this store's own first chunk went */
		}
		struct coh__wbuf_ent *e = &w->e[w->n++];
		e->pa = pa;
		e->len = chunk;
		memcpy(e->data, buf, chunk);
		pa += chunk;
		buf += chunk;
		len -= chunk;
		k++;
	}
	unsigned nopt = w->n > k ? 3 : 2; /* overtaking needs older entries */
	unsigned v = m->wbuf_hook ? m->wbuf_hook(m->wbuf_ctx, m, cpu, nopt) : 0;
	if (v == 0)
		drain(m, cpu, w->n);
	else if (v == 2 && nopt == 3)
		overtake(m, cpu, k, pa0, len0);
}

void coh__wbuf_forward(const coh_machine *m, unsigned cpu, coh_addr_t pa, uint8_t *buf,
                       unsigned len)
{
	const struct coh__wbuf *w = &m->wbuf[cpu];
	for (unsigned i = 0; i < w->n; i++) { /* oldest first: the newest wins */
		const struct coh__wbuf_ent *e = &w->e[i];
		coh_addr_t lo = e->pa > pa ? e->pa : pa;
		coh_addr_t hi = e->pa + e->len < pa + len ? e->pa + e->len : pa + len;
		if (lo < hi)
			memcpy(buf + (lo - pa), e->data + (lo - e->pa), (size_t)(hi - lo));
	}
}

int coh_barrier(coh_machine *m, unsigned cpu, enum coh_barrier_kind kind)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	coh__begin_op(m, COH_EV_BARRIER, (int)cpu, 0, 0, 0, (uint64_t)kind);
	drain(m, cpu, m->wbuf[cpu].n);
	coh__rord_barrier(m, cpu); /* and orders its loads (rorder.c) */
	return COH_OK;
}

int coh_wbuf_drain(coh_machine *m, unsigned cpu)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	drain(m, cpu, m->wbuf[cpu].n);
	coh__rord_barrier(m, cpu);
	return COH_OK;
}

unsigned coh_wbuf_pending(const coh_machine *m, unsigned cpu)
{
	return cpu < m->ncpus ? m->wbuf[cpu].n : 0;
}

int coh_mmio(coh_machine *m, unsigned cpu, coh_addr_t pa, unsigned size, uint64_t val, bool write)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	if (size != 1 && size != 2 && size != 4 && size != 8)
		return COH_EINVAL;
	coh__begin_op(m, write ? COH_EV_MMIO_WRITE : COH_EV_MMIO_READ, (int)cpu, 0, pa, size, val);
	return COH_OK;
}
