/*
 * cause.c - tells the cause of a coherence finding that the trace shows.
 *
 * Interface: coh__explain(c, f) fills f->cause (and f->cause_event) when
 * the oracle makes a finding, while the machine's trace still holds the
 * events that led to it. It recognises, in this order:
 *   remap      the VA of the exposing access or of the stale line now maps
 *              another PA than when its task (or the fill) last used it;
 *   dma        the device wrote the PA after the line was filled, and the
 *              line was not invalidated (a stale read), or the line was
 *              written back over the device's data (a lost write);
 *   overtaken  a CPU store was still in its write buffer when the device
 *              read, and a later store of the CPU had reached memory
 *              ahead of it (no barrier between the two);
 *   buffered   a CPU store was still in its write buffer when the device
 *              read (no barrier before the doorbell);
 *   not clean  a CPU store stayed in a dirty line the device never saw;
 *   alias      the store went through another VA than the stale line's;
 *   discard    an invalidate dropped dirty data that was never written back.
 * Invariants: reads the trace only; says nothing when the events aged out.
 * Call chains appear when the machine's stacks are on (a report's replay).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check/check_impl.h"

struct trace {
	coh_event ev[COH__TRACE_CAP];
	size_t n;
	coh_addr_t page_mask;
};

/* "task rx on cpu0" / "the device" */
static void who(const coh_event *e, char *buf, size_t size)
{
	if (e->cpu < 0)
		snprintf(buf, size, "the device");
	else if (e->actor)
		snprintf(buf, size, "task %s on cpu%d", e->actor, e->cpu);
	else
		snprintf(buf, size, "cpu%d", e->cpu);
}

/* " (chain)" when the event has one, else "" */
static void chain(const coh_event *e, char *buf, size_t size)
{
	buf[0] = 0;
	if (!e->stack || !e->stack->n || size < 8)
		return;
	buf[0] = ' ';
	buf[1] = '(';
	coh_stack_format(e->stack, false, buf + 2, size - 3);
	strcat(buf, ")");
}

/* f->cause, cut to its size if it must be */
__attribute__((format(printf, 2, 3))) static void say(coh_finding *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->cause, sizeof(f->cause), fmt, ap);
	va_end(ap);
}

static size_t find(const struct trace *t, uint64_t no)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->ev[i].no == no)
			return i;
	return t->n;
}

static bool is_cpu_access(const coh_event *e)
{
	return e->cpu >= 0 && e->kind != COH_EV_MAP && e->kind != COH_EV_UNMAP &&
	       e->kind != COH_EV_NOTE && e->kind != COH_EV_FLUSH_ALL;
}

/* The last map of VA page vpage in (lo, hi), or NULL. */
static const coh_event *last_map(const struct trace *t, size_t lo, size_t hi, coh_addr_t vpage)
{
	for (size_t i = hi; i-- > lo + 1;)
		if (t->ev[i].kind == COH_EV_MAP && (t->ev[i].va & t->page_mask) == vpage)
			return &t->ev[i];
	return NULL;
}

/* The exposing task used this VA earlier for another PA: a remap while it
 * was switched out (kmap_high recycling a pkmap address). */
static bool remap_under_task(coh_finding *f, const struct trace *t, size_t ti)
{
	const coh_event *T = &t->ev[ti];
	if (!T->actor || T->cpu < 0)
		return false;
	coh_addr_t vpage = T->va & t->page_mask, ppage = T->pa & t->page_mask;
	for (size_t i = ti; i-- > 0;) {
		const coh_event *P = &t->ev[i];
		if (P->actor != T->actor || !is_cpu_access(P) || (P->va & t->page_mask) != vpage)
			continue;
		if ((P->pa & t->page_mask) == ppage)
			return false;
		const coh_event *M = last_map(t, i, ti, vpage);
		if (!M)
			return false;
		char mc[320], pc[320];
		chain(M, mc, sizeof(mc));
		pc[0] = 0;
		if (P->stack && P->stack->n) {
			strcpy(pc, " in ");
			coh_stack_format(P->stack, false, pc + 4, sizeof(pc) - 4);
		}
		say(f,
		    "VA 0x%" PRIx64 " was remapped from PA 0x%" PRIx64 " to 0x%" PRIx64
		    " at event #%" PRIu64 "%s, task %s, while task %s was switched out%s "
		    "(between its events #%" PRIu64 " and #%" PRIu64
		    "): it went on using the VA for the old page",
		    vpage, P->pa & t->page_mask, ppage, M->no, mc, M->actor ? M->actor : "-",
		    T->actor, pc, P->no, T->no);
		f->cause_event = *M;
		return true;
	}
	return false;
}

/* The stale line was filled through its VA when that VA mapped another
 * PA: nothing flushed it when the mapping changed. */
static bool remap_under_line(coh_finding *f, const struct trace *t, size_t ti)
{
	if (!f->stale_is_line || f->kind != COH_F_STALE_READ)
		return false;
	coh_addr_t vpage = f->stale_line_va & t->page_mask;
	coh_addr_t old = f->stale_line_pa & t->page_mask, now = f->pa & t->page_mask;
	if (old == now)
		return false;
	size_t si = find(t, f->stale_since);
	const coh_event *M = last_map(t, si < t->n ? si : 0, ti, vpage);
	if (!M)
		return false;
	char mc[320];
	chain(M, mc, sizeof(mc));
	say(f,
	    "the line was filled through VA 0x%" PRIx64 " at event #%" PRIu64
	    " when the VA mapped PA 0x%" PRIx64 "; the VA was remapped to PA 0x%" PRIx64
	    " at event #%" PRIu64 "%s, task %s, and nothing flushed the line in between",
	    f->stale_line_va, f->stale_since, old, now, M->no, mc, M->actor ? M->actor : "-");
	f->cause_event = *M;
	return true;
}

/* Is a byte of the store W at pa still in its CPU's write buffer? */
static bool buffered(const coh_machine *m, const coh_event *W, coh_addr_t pa)
{
	if (W->cpu < 0 || W->cpu >= (int)m->ncpus)
		return false;
	const struct coh__wbuf *w = &m->wbuf[W->cpu];
	for (unsigned i = 0; i < w->n; i++)
		if (pa < w->e[i].pa + w->e[i].len && w->e[i].pa < pa + (W->len ? W->len : 1))
			return true;
	return false;
}

/* A later store of W's CPU that reached memory ahead of W, still
 * buffered (wbuf.c's overtaking, no barrier between them): the store
 * event, with *drain set to its drain event; NULL if there is none. */
static const coh_event *overtaker(const struct trace *t, size_t ti, const coh_event *W,
                                  const coh_event **drain)
{
	for (size_t d = 0; d < ti; d++) {
		const coh_event *D = &t->ev[d];
		if (D->kind != COH_EV_DRAIN || D->cpu != W->cpu || D->no <= W->no)
			continue;
		for (size_t i = d; i-- > 0 && t->ev[i].no > W->no;) {
			const coh_event *S = &t->ev[i];
			if (S->kind == COH_EV_STORE && S->cpu == W->cpu && S->pa <= D->pa &&
			    D->pa < S->pa + S->len) {
				*drain = D;
				return S;
			}
		}
	}
	return NULL;
}

/* A load of bufferable memory that the explorer satisfied early
 * (machine/rorder.c): the cause names the CPU's previous load, which saw
 * newer data, the device's write in between, and the missing read
 * barrier; f->cause_event is the previous load. False if f is not one. */
static bool early_load(coh_check *c, coh_finding *f, const struct trace *t, const coh_event *W)
{
	int cpu = f->trigger.cpu;
	if (cpu < 0 || cpu >= (int)c->m->ncpus)
		return false;
	const struct coh__rord *r = &c->m->rord[cpu];
	if (r->stale_ev != f->trigger.no)
		return false;
	size_t pi = find(t, r->stale_prev);
	char pl[160] = "";
	if (pi < t->n) {
		f->cause_event = t->ev[pi];
		if (t->ev[pi].file)
			snprintf(pl, sizeof(pl), " (%s:%u)", t->ev[pi].file, t->ev[pi].line);
	}
	say(f,
	    "bufferable memory: cpu%d's load at event #%" PRIu64 " was satisfied ahead of its "
	    "previous load at event #%" PRIu64 "%s, so it returned PA 0x%" PRIx64
	    "'s bytes from before the device's write at event #%" PRIu64
	    " while the previous load already saw the device's data; no read barrier "
	    "(dma_rmb(), rmb()) ordered the two loads",
	    cpu, f->trigger.no, r->stale_prev, pl, f->pa, r->stale_write);
	(void)W;
	return true;
}

/* The last event of this kind before index ti, or NULL. */
static const coh_event *last_of(const struct trace *t, size_t ti, enum coh_event_kind kind)
{
	for (size_t i = ti; i-- > 0;)
		if (t->ev[i].kind == kind)
			return &t->ev[i];
	return NULL;
}

void coh__explain(coh_check *c, coh_finding *f)
{
	static struct trace t; /* large; one finding at a time */
	f->cause[0] = 0;
	t.n = coh_machine_trace_tail(c->m, t.ev, COH__TRACE_CAP);
	t.page_mask = ~(coh_addr_t)(c->m->page_size - 1);
	size_t ti = find(&t, f->trigger.no);
	if (ti == t.n)
		return;
	t.ev[ti] = f->trigger; /* a load's entry gets its PA when it ends */
	if (remap_under_task(f, &t, ti) || remap_under_line(f, &t, ti))
		return;
	const coh_event *W = f->writer.no && !f->writer_aged_out ? &f->writer : NULL;
	if (!W)
		return;
	char ww[64], wc[320];
	who(W, ww, sizeof(ww));
	chain(W, wc, sizeof(wc));
	bool dma = W->kind == COH_EV_DMA_WRITE;
	switch (f->kind) {
	case COH_F_STALE_READ:
		if (dma && !f->stale_is_line && early_load(c, f, &t, W))
			break;
		if (dma && f->stale_is_line && f->stale_since < W->no)
			snprintf(
			    f->cause, sizeof(f->cause),
			    "the device wrote PA 0x%" PRIx64 " at event #%" PRIu64
			    "%s after cpu%d's line for VA 0x%" PRIx64 " was filled (event #%" PRIu64
			    "), and the line was not invalidated between the DMA and this load",
			    W->pa, W->no, wc, f->stale_cpu, f->stale_line_va, f->stale_since);
		else if (!dma && f->stale_is_line && W->va != f->trigger.va)
			say(f,
			    "the latest data was stored through VA 0x%" PRIx64 " at event #%" PRIu64
			    "%s, %s; this load went through VA 0x%" PRIx64
			    ", an alias of the same PA whose line (filled at event #%" PRIu64
			    ") was not invalidated, nor the store's line flushed, in between",
			    W->va, W->no, wc, ww, f->trigger.va, f->stale_since);
		break;
	case COH_F_STALE_DMA: {
		const coh_event *Dr = NULL, *S = NULL;
		if (!dma && buffered(c->m, W, f->pa))
			S = overtaker(&t, ti, W, &Dr);
		if (S) {
			f->cause_event = *S;
			say(f,
			    "%s stored to VA 0x%" PRIx64 " at event #%" PRIu64
			    "%s, bufferable memory: the store was still in cpu%d's write buffer "
			    "when the device read PA 0x%" PRIx64 " at event #%" PRIu64
			    ", but the later store to PA 0x%" PRIx64 " at event #%" PRIu64
			    " reached memory ahead of it (event #%" PRIu64
			    "); no barrier (dma_wmb(), wmb()) ordered the two stores",
			    ww, W->va, W->no, wc, W->cpu, f->pa, f->trigger.no, S->pa, S->no,
			    Dr->no);
		} else if (!dma && buffered(c->m, W, f->pa)) {
			const coh_event *D = last_of(&t, ti, COH_EV_MMIO_WRITE);
			char dd[64] = "";
			if (D) {
				snprintf(dd, sizeof(dd), " at event #%" PRIu64, D->no);
				f->cause_event = *D;
			}
			say(f,
			    "%s stored to VA 0x%" PRIx64 " at event #%" PRIu64
			    "%s, bufferable memory: the store was still in cpu%d's write buffer "
			    "when the device read PA 0x%" PRIx64 " at event #%" PRIu64
			    "; no barrier (wmb(), dma_wmb(), or writel()'s own) ordered it before "
			    "the register write%s that started the device",
			    ww, W->va, W->no, wc, W->cpu, f->pa, f->trigger.no, dd);
		} else if (!dma)
			say(f,
			    "%s stored to VA 0x%" PRIx64 " at event #%" PRIu64
			    "%s into a write-back line; the line was not cleaned before the "
			    "device read PA 0x%" PRIx64 " at event #%" PRIu64,
			    ww, W->va, W->no, wc, f->pa, f->trigger.no);
		break;
	}
	case COH_F_LOST_WRITE: {
		bool discard = f->trigger.kind == COH_EV_INVAL || f->trigger.kind == COH_EV_DISCARD;
		if (discard && !dma)
			say(f,
			    "%s stored to VA 0x%" PRIx64 " at event #%" PRIu64
			    "%s; the line was invalidated at event #%" PRIu64
			    " before it was written back: a clean or a flush was needed here, "
			    "not an invalidate",
			    ww, W->va, W->no, wc, f->trigger.no);
		else if (!discard && dma)
			say(f,
			    "the device wrote PA 0x%" PRIx64 " at event #%" PRIu64
			    "%s while cpu%d held a dirty line for VA 0x%" PRIx64
			    " (filled at event #%" PRIu64
			    "); the line was not cleaned before the DMA nor invalidated after "
			    "it, so its write-back at event #%" PRIu64 " put the old bytes back",
			    W->pa, W->no, wc, f->stale_cpu, f->stale_line_va, f->stale_since,
			    f->trigger.no);
		else if (!discard && f->stale_is_line && W->va != f->stale_line_va)
			snprintf(
			    f->cause, sizeof(f->cause),
			    "%s stored the latest data through VA 0x%" PRIx64 " at event #%" PRIu64
			    "%s while cpu%d held a dirty line of the alias VA 0x%" PRIx64
			    " (filled at event #%" PRIu64 "); that line's older bytes were written "
			    "back over it at event #%" PRIu64
			    ": the alias was not flushed before the store through the other VA",
			    ww, W->va, W->no, wc, f->stale_cpu, f->stale_line_va, f->stale_since,
			    f->trigger.no);
		break;
	}
	default:
		break;
	}
}
