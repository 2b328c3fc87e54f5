/*
 * trace.c - the machine's event trace: a ring of the last COH__TRACE_CAP
 * events (while tracing), looked up by number, notes of higher layers, and
 * one-line formatting. Events are recorded by coh__event (machine_impl.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine_impl.h"

uint64_t coh_machine_events(const coh_machine *m)
{
	return m->ev;
}

size_t coh_machine_trace_tail(const coh_machine *m, coh_event *out, size_t n)
{
	if (!m->tracing)
		return 0;
	size_t have = m->ev < COH__TRACE_CAP ? (size_t)m->ev : COH__TRACE_CAP;
	if (n > have)
		n = have;
	for (size_t i = 0; i < n; i++)
		out[i] = m->trace[(m->ev - n + 1 + i) % COH__TRACE_CAP];
	return n;
}

bool coh_machine_event(const coh_machine *m, uint64_t no, coh_event *out)
{
	if (!m->tracing || no == 0 || no > m->ev)
		return false;
	const coh_event *e = &m->trace[no % COH__TRACE_CAP];
	if (e->no != no)
		return false;
	*out = *e;
	return true;
}

uint64_t coh_machine_note(coh_machine *m, int cpu, const char *note)
{
	uint64_t no = coh__event(m, COH_EV_NOTE, cpu, 0, 0, 0, 0);
	if (m->tracing)
		m->trace[no % COH__TRACE_CAP].note = note;
	return no;
}

const char *coh_event_kind_name(enum coh_event_kind kind)
{
	static const char *const names[] = {
	    [COH_EV_LOAD] = "load",           [COH_EV_STORE] = "store",
	    [COH_EV_CLEAN] = "clean",         [COH_EV_INVAL] = "inval",
	    [COH_EV_FLUSH] = "flush",         [COH_EV_FLUSH_ALL] = "flush-all",
	    [COH_EV_EVICT] = "evict",         [COH_EV_PREFETCH] = "prefetch",
	    [COH_EV_FILL] = "fill",           [COH_EV_WRITEBACK] = "writeback",
	    [COH_EV_DISCARD] = "discard",     [COH_EV_DMA_READ] = "dma-read",
	    [COH_EV_DMA_WRITE] = "dma-write", [COH_EV_MAP] = "map",
	    [COH_EV_UNMAP] = "unmap",         [COH_EV_NOTE] = "note",
	    [COH_EV_BARRIER] = "barrier",     [COH_EV_DRAIN] = "drain",
	    [COH_EV_MMIO_READ] = "mmio-read", [COH_EV_MMIO_WRITE] = "mmio-write",
	};
	if ((unsigned)kind < sizeof(names) / sizeof(names[0]) && names[kind])
		return names[kind];
	return "?";
}

int coh_event_format(const coh_event *e, char *buf, size_t size)
{
	char who[48], where[96] = "";
	if (e->cpu < 0)
		snprintf(who, sizeof(who), "%s",
		         e->kind == COH_EV_DMA_READ || e->kind == COH_EV_DMA_WRITE ? "device"
		                                                                   : "-");
	else
		snprintf(who, sizeof(who), "cpu%d", e->cpu);
	if (e->actor)
		snprintf(who + strlen(who), sizeof(who) - strlen(who), "/%s", e->actor);
	if (e->file)
		snprintf(where, sizeof(where), "  (%s:%u)", e->file, e->line);
	else if (e->line)
		snprintf(where, sizeof(where), "  (line %u)", e->line);
	const char *k = coh_event_kind_name(e->kind);
	switch (e->kind) {
	case COH_EV_NOTE:
		return snprintf(buf, size, "#%-5" PRIu64 " %-14s %s%s", e->no, who,
		                e->note ? e->note : "", where);
	case COH_EV_LOAD:
	case COH_EV_STORE:
		if (e->len > 8)
			return snprintf(buf, size,
			                "#%-5" PRIu64 " %-14s %-9s va=0x%08" PRIx64
			                " pa=0x%08" PRIx64 " len=%u%s",
			                e->no, who, k, e->va, e->pa, e->len, where);
		return snprintf(buf, size,
		                "#%-5" PRIu64 " %-14s %-9s va=0x%08" PRIx64 " pa=0x%08" PRIx64
		                " u%u = 0x%" PRIx64 "%s",
		                e->no, who, k, e->va, e->pa, e->len * 8, e->value, where);
	case COH_EV_BARRIER:
		return snprintf(buf, size, "#%-5" PRIu64 " %-14s %-9s %s%s", e->no, who, k,
		                e->value == COH_BARRIER_DMB ? "dmb" : "dsb", where);
	case COH_EV_MMIO_READ:
	case COH_EV_MMIO_WRITE:
	case COH_EV_DRAIN:
		return snprintf(
		    buf, size, "#%-5" PRIu64 " %-14s %-9s pa=0x%08" PRIx64 " u%u = 0x%" PRIx64 "%s",
		    e->no, who, k, e->pa, e->len * 8, e->value, where);
	case COH_EV_DMA_READ:
	case COH_EV_DMA_WRITE:
	case COH_EV_UNMAP:
	case COH_EV_FLUSH_ALL:
		return snprintf(buf, size, "#%-5" PRIu64 " %-14s %-9s %s=0x%08" PRIx64 " len=%u%s",
		                e->no, who, k, e->kind == COH_EV_UNMAP ? "va" : "pa",
		                e->kind == COH_EV_UNMAP ? e->va : e->pa, e->len, where);
	default:
		return snprintf(buf, size,
		                "#%-5" PRIu64 " %-14s %-9s va=0x%08" PRIx64 " pa=0x%08" PRIx64
		                " len=%u%s",
		                e->no, who, k, e->va, e->pa, e->len, where);
	}
}
