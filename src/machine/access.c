/*
 * access.c - CPU loads and stores through the caches, and translation.
 *
 * A load or store within one line takes the inline fast path (one
 * translation, the MRU hit of machine_impl.h); anything longer goes line
 * chunk by line chunk. An unmapped VA is a fault reported to the observer;
 * the op's trace entry gets its PA and value when the op ends.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine_impl.h"

static void fault(coh_machine *m, unsigned cpu, coh_addr_t va, bool write)
{
	if (m->obs.fault)
		m->obs.fault(m->obs.ctx, cpu, va, write);
}

/* Moves len bytes between buf and [va, va+len), one line chunk at a time. */
static int access(coh_machine *m, unsigned cpu, coh_addr_t va, uint8_t *buf, size_t len, bool write)
{
	unsigned line = m->arch->l1.line_size;
	while (len) {
		coh_addr_t pa;
		enum coh_attr attr;
		if (coh__mmu_lookup(m, cpu, va, &pa, &attr)) {
			fault(m, cpu, va, write);
			return COH_EFAULT;
		}
		size_t chunk = line - (va & (line - 1));
		if (chunk > len)
			chunk = len;
		if (write)
			coh__cache_write(m, cpu, va, pa, attr, buf, (unsigned)chunk);
		else
			coh__cache_read(m, cpu, va, pa, attr, buf, (unsigned)chunk);
		va += chunk;
		buf += chunk;
		len -= chunk;
	}
	return COH_OK;
}

/* Completes the trace entry of a load or store with its PA and value. */
void coh__note_op_result(coh_machine *m, unsigned cpu, coh_addr_t va, uint64_t value)
{
	if (!m->tracing)
		return;
	coh_event *e = &m->trace[m->op_ev % COH__TRACE_CAP];
	coh_addr_t pa;
	enum coh_attr attr;
	if (e->no != m->op_ev)
		return;
	e->value = value;
	if (!coh__mmu_lookup(m, cpu, va, &pa, &attr))
		e->pa = pa;
}

/* Completes the trace entry of a bulk access with its PA. */
static void note_op_pa(coh_machine *m, unsigned cpu, coh_addr_t va)
{
	coh_event *e = &m->trace[m->op_ev % COH__TRACE_CAP];
	coh_addr_t pa;
	enum coh_attr attr;
	if (m->tracing && e->no == m->op_ev && !coh__mmu_lookup(m, cpu, va, &pa, &attr))
		e->pa = pa;
}

static bool size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* Little-endian packing of the bytes of a load or store. */
static inline uint64_t le_get(const uint8_t *b, unsigned size)
{
	uint64_t v = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	switch (size) { /* constant sizes: one move each */
	case 1:
		return b[0];
	case 2: {
		uint16_t x;
		memcpy(&x, b, 2);
		return x;
	}
	case 4: {
		uint32_t x;
		memcpy(&x, b, 4);
		return x;
	}
	case 8:
		memcpy(&v, b, 8);
		return v;
	default:
		memcpy(&v, b, size);
	}
#else
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)b[i] << (8 * i);
#endif
	return v;
}

static inline void le_put(uint8_t *b, unsigned size, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	switch (size) { /* constant sizes: one move each */
	case 1:
		b[0] = (uint8_t)v;
		break;
	case 2: {
		uint16_t x = (uint16_t)v;
		memcpy(b, &x, 2);
		break;
	}
	case 4: {
		uint32_t x = (uint32_t)v;
		memcpy(b, &x, 4);
		break;
	}
	default:
		memcpy(b, &v, size);
	}
#else
	for (unsigned i = 0; i < size; i++)
		b[i] = (uint8_t)(v >> (8 * i));
#endif
}

/* Does [va, va+size) lie within one cache line? */
static inline bool one_line(const coh_machine *m, coh_addr_t va, unsigned size)
{
	unsigned line = m->arch->l1.line_size;
	return (va & (line - 1)) + size <= line;
}

int coh_load(coh_machine *m, unsigned cpu, coh_addr_t va, unsigned size, uint64_t *val)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	if (!size_ok(size))
		return COH_EINVAL;
	uint8_t b[8] = {0};
	coh__begin_op(m, COH_EV_LOAD, (int)cpu, va, 0, size, 0);
	m->nloads[cpu]++;
	if (one_line(m, va, size)) {
		/* the common case: one translation, one line, no chunk loop */
		coh_addr_t pa;
		enum coh_attr attr;
		if (coh__mmu_lookup(m, cpu, va, &pa, &attr)) {
			fault(m, cpu, va, false);
			*val = 0;
			coh__note_op_known(m, 0, 0, false);
			return COH_EFAULT;
		}
		coh__cache_read_fast(m, cpu, va, pa, attr, b, size);
		uint64_t v = le_get(b, size);
		*val = v;
		coh__note_op_known(m, v, pa, true);
		return COH_OK;
	}
	int r = access(m, cpu, va, b, size, false);
	uint64_t v = le_get(b, size);
	*val = v;
	coh__note_op_result(m, cpu, va, v);
	return r;
}

int coh_store(coh_machine *m, unsigned cpu, coh_addr_t va, unsigned size, uint64_t val)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	if (!size_ok(size))
		return COH_EINVAL;
	uint8_t b[8];
	le_put(b, size, val);
	coh__begin_op(m, COH_EV_STORE, (int)cpu, va, 0, size, val);
	m->nstores[cpu]++;
	if (one_line(m, va, size)) {
		coh_addr_t pa;
		enum coh_attr attr;
		if (coh__mmu_lookup(m, cpu, va, &pa, &attr)) {
			fault(m, cpu, va, true);
			coh__note_op_known(m, val, 0, false);
			return COH_EFAULT;
		}
		coh__cache_write_fast(m, cpu, va, pa, attr, b, size);
		coh__note_op_known(m, val, pa, true);
		return COH_OK;
	}
	int r = access(m, cpu, va, b, size, true);
	coh__note_op_result(m, cpu, va, val);
	return r;
}

int coh_read(coh_machine *m, unsigned cpu, coh_addr_t va, void *buf, size_t len)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	coh__begin_op(m, COH_EV_LOAD, (int)cpu, va, 0, len, 0);
	m->nloads[cpu]++;
	int r = access(m, cpu, va, buf, len, false);
	note_op_pa(m, cpu, va);
	return r;
}

int coh_write(coh_machine *m, unsigned cpu, coh_addr_t va, const void *buf, size_t len)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	coh__begin_op(m, COH_EV_STORE, (int)cpu, va, 0, len, len ? ((const uint8_t *)buf)[0] : 0);
	m->nstores[cpu]++;
	/* access() does not write through buf when storing */
	int r = access(m, cpu, va, (uint8_t *)(uintptr_t)buf, len, true);
	note_op_pa(m, cpu, va);
	return r;
}

int coh_translate(coh_machine *m, unsigned cpu, coh_addr_t va, coh_addr_t *pa, enum coh_attr *attr)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	return coh__mmu_lookup(m, cpu, va, pa, attr);
}
