/*
 * machine.c - the machine object and its public operations.
 *
 * Every public operation calls the access hook first (the scheduler's
 * preemption point), then records one event, then does its work line by
 * line and page by page. Work that faults stops at the faulting page; the
 * bytes before it have been accessed, as on hardware.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine_impl.h"

const char *coh_strerror(int status)
{
	switch (status) {
	case COH_OK:
		return "success";
	case COH_EINVAL:
		return "invalid argument";
	case COH_ENOMEM:
		return "out of host memory";
	case COH_EFAULT:
		return "address not mapped";
	case COH_EEXIST:
		return "overlaps an existing mapping";
	case COH_ERANGE:
		return "out of range";
	case COH_EDEADLK:
		return "deadlock";
	case COH_EIO:
		return "I/O error";
	case COH_EBUSY:
		return "busy";
	case COH_EAGAIN:
		return "try again";
	case COH_EWORKER:
		return "a worker process failed";
	default:
		return "unknown error";
	}
}

static bool pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

void coh_machine_config_init(coh_machine_config *cfg, const coh_arch *arch)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->arch = arch ? arch : coh_arch_find("x86");
	cfg->ncpus = 1;
	cfg->mem_size = 4u << 20;
	cfg->lowmem_size = 0;
	cfg->seed = 1;
	cfg->oracle = true;
}

int coh_machine_create(const coh_machine_config *cfg, coh_machine **out)
{
	*out = NULL;
	if (!cfg || !cfg->arch || cfg->ncpus < 1 || cfg->ncpus > COH_MAX_CPUS)
		return COH_EINVAL;
	unsigned page = cfg->page_size ? cfg->page_size : cfg->arch->page_size;
	const coh_cache_geometry *g = &cfg->arch->l1;
	if (!pow2(page) || page < 256 || !pow2(g->line_size) || g->line_size > page ||
	    !pow2(g->ways) || !pow2(g->size) || g->size < g->ways * g->line_size ||
	    (g->dirty_segments != 1 && g->dirty_segments != 2))
		return COH_EINVAL;
	if (cfg->mem_size == 0 || cfg->mem_size % page || cfg->lowmem_size > cfg->mem_size)
		return COH_EINVAL;
	coh_machine *m = calloc(1, sizeof(*m));
	if (!m)
		return COH_ENOMEM;
	m->cfg = *cfg;
	m->arch = cfg->arch;
	m->ncpus = cfg->ncpus;
	m->page_size = page;
	while ((1u << m->page_shift) < page)
		m->page_shift++;
	m->mem_size = cfg->mem_size;
	if (!m->cfg.lowmem_size) /* an arch without highmem has only lowmem */
		m->cfg.lowmem_size =
		    m->arch->highmem ? (m->mem_size / 2) & ~(size_t)(page - 1) : m->mem_size;
	m->rng = cfg->seed * 0x9e3779b97f4a7c15ull + 1;
	m->tracing = cfg->oracle;
	int r = coh__mem_init(m);
	if (!r)
		r = coh__mmu_init(&m->mmu);
	for (unsigned c = 0; !r && c < m->ncpus; c++)
		r = coh__cache_init(m, &m->cache[c], c);
	if (r) {
		coh_machine_destroy(m);
		return r;
	}
	*out = m;
	return COH_OK;
}

void coh_machine_destroy(coh_machine *m)
{
	if (!m)
		return;
	for (unsigned c = 0; c < COH_MAX_CPUS; c++)
		coh__cache_free(&m->cache[c]);
	coh__mmu_free(&m->mmu);
	coh__mem_free(m);
	coh__stack_store_free(m);
	free(m);
}

void coh_machine_reset(coh_machine *m)
{
	coh__mem_reset(m);
	coh__stack_store_reset(m);
	coh__mmu_reset(&m->mmu);
	coh__wbuf_reset(m);
	for (unsigned c = 0; c < m->ncpus; c++) {
		coh__cache_reset(&m->cache[c]);
		m->cur_as[c] = COH_KERNEL_AS;
		coh__tlb_flush_cpu(m, c);
	}
	m->rng = m->cfg.seed * 0x9e3779b97f4a7c15ull + 1;
	m->dma_reads = m->dma_writes = m->dma_read_bytes = m->dma_write_bytes = m->dma_checks = 0;
	memset(m->nloads, 0, sizeof(m->nloads));
	memset(m->nstores, 0, sizeof(m->nstores));
	m->ev = 0;
	m->op_ev = 0;
	for (unsigned i = 0; i < COH__TRACE_CAP; i++)
		m->trace[i].no = 0; /* the rest is written with each event */
	m->site_file = NULL;
	m->site_line = 0;
	m->actor = NULL;
	coh__frame_top = NULL;
}

const coh_arch *coh_machine_arch(const coh_machine *m)
{
	return m->arch;
}

unsigned coh_machine_ncpus(const coh_machine *m)
{
	return m->ncpus;
}

unsigned coh_machine_page_size(const coh_machine *m)
{
	return m->page_size;
}

size_t coh_machine_mem_size(const coh_machine *m)
{
	return m->mem_size;
}

coh_addr_t coh_machine_highmem_start(const coh_machine *m)
{
	return m->cfg.lowmem_size;
}

unsigned coh_cache_line_size(const coh_machine *m)
{
	return m->arch->l1.line_size;
}

void coh__machine_set_observer(coh_machine *m, const struct coh__observer *obs)
{
	if (obs)
		m->obs = *obs;
	else
		memset(&m->obs, 0, sizeof(m->obs));
}

void coh__machine_set_hook(coh_machine *m, coh__access_hook hook, void *ctx)
{
	m->hook = hook;
	m->hook_ctx = ctx;
}

void coh_machine_set_site(coh_machine *m, const char *file, unsigned line)
{
	m->site_file = file;
	m->site_line = line;
	coh__frame_at(file, line); /* the innermost frame follows its own lines */
}

void coh_machine_set_stacks(coh_machine *m, bool on)
{
	m->stacks = on;
}

void coh_machine_set_actor(coh_machine *m, const char *actor)
{
	m->actor = actor;
}

/* ---- statistics ---- */

const char *coh_op_kind_name(enum coh_op_kind kind)
{
	static const char *const names[] = {
	    [COH_OP_CLEAN] = "clean", [COH_OP_INVAL] = "inval",
	    [COH_OP_FLUSH] = "flush", [COH_OP_FLUSH_ALL] = "flush-all",
	    [COH_OP_EVICT] = "evict", [COH_OP_PREFETCH] = "prefetch",
	};
	return (unsigned)kind < COH_OP_KIND_COUNT ? names[kind] : "?";
}

void coh_machine_stats(const coh_machine *m, coh_stats *out)
{
	memset(out, 0, sizeof(*out));
	out->ncpus = m->ncpus;
	for (unsigned c = 0; c < m->ncpus; c++) {
		out->cpu[c] = m->cache[c].st;
		out->cpu[c].loads = m->nloads[c];
		out->cpu[c].stores = m->nstores[c];
	}
	out->dma_reads = m->dma_reads;
	out->dma_writes = m->dma_writes;
	out->dma_read_bytes = m->dma_read_bytes;
	out->dma_write_bytes = m->dma_write_bytes;
	out->dma_oracle_checks = m->dma_checks;
}

uint64_t coh__rand(coh_machine *m)
{
	/* xorshift64*: deterministic, seeded by the config */
	uint64_t x = m->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	m->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* ---- events ---- */

/* Starts a public operation: the preemption point, then its event. */
uint64_t coh__begin_op(coh_machine *m, enum coh_event_kind kind, int cpu, coh_addr_t va,
                       coh_addr_t pa, size_t len, uint64_t value)
{
	if (m->hook)
		m->hook(m->hook_ctx, m, cpu);
	m->op_ev = coh__event(m, kind, cpu, va, pa, (uint32_t)len, value);
	return m->op_ev;
}

static inline uint64_t begin_op(coh_machine *m, enum coh_event_kind kind, int cpu, coh_addr_t va,
                                coh_addr_t pa, size_t len, uint64_t value)
{
	if (m->hook)
		m->hook(m->hook_ctx, m, cpu);
	m->op_ev = coh__event(m, kind, cpu, va, pa, (uint32_t)len, value);
	return m->op_ev;
}

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

/* ---- CPU access ---- */

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
static void note_op_result(coh_machine *m, unsigned cpu, coh_addr_t va, uint64_t value)
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

/* note_op_result for an access of one line chunk, whose PA is known. */
static inline void note_op_known(coh_machine *m, uint64_t value, coh_addr_t pa, bool mapped)
{
	if (!m->tracing)
		return;
	coh_event *e = &m->trace[m->op_ev % COH__TRACE_CAP];
	if (e->no != m->op_ev)
		return;
	e->value = value;
	if (mapped)
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
	memcpy(&v, b, size);
#else
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)b[i] << (8 * i);
#endif
	return v;
}

static inline void le_put(uint8_t *b, unsigned size, uint64_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(b, &v, size);
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
	begin_op(m, COH_EV_LOAD, (int)cpu, va, 0, size, 0);
	m->nloads[cpu]++;
	if (one_line(m, va, size)) {
		/* the common case: one translation, one line, no chunk loop */
		coh_addr_t pa;
		enum coh_attr attr;
		if (coh__mmu_lookup(m, cpu, va, &pa, &attr)) {
			fault(m, cpu, va, false);
			*val = 0;
			note_op_known(m, 0, 0, false);
			return COH_EFAULT;
		}
		coh__cache_read_fast(m, cpu, va, pa, attr, b, size);
		uint64_t v = le_get(b, size);
		*val = v;
		note_op_known(m, v, pa, true);
		return COH_OK;
	}
	int r = access(m, cpu, va, b, size, false);
	uint64_t v = le_get(b, size);
	*val = v;
	note_op_result(m, cpu, va, v);
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
	begin_op(m, COH_EV_STORE, (int)cpu, va, 0, size, val);
	m->nstores[cpu]++;
	if (one_line(m, va, size)) {
		coh_addr_t pa;
		enum coh_attr attr;
		if (coh__mmu_lookup(m, cpu, va, &pa, &attr)) {
			fault(m, cpu, va, true);
			note_op_known(m, val, 0, false);
			return COH_EFAULT;
		}
		coh__cache_write_fast(m, cpu, va, pa, attr, b, size);
		note_op_known(m, val, pa, true);
		return COH_OK;
	}
	int r = access(m, cpu, va, b, size, true);
	note_op_result(m, cpu, va, val);
	return r;
}

int coh_read(coh_machine *m, unsigned cpu, coh_addr_t va, void *buf, size_t len)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	begin_op(m, COH_EV_LOAD, (int)cpu, va, 0, len, 0);
	m->nloads[cpu]++;
	int r = access(m, cpu, va, buf, len, false);
	note_op_pa(m, cpu, va);
	return r;
}

int coh_write(coh_machine *m, unsigned cpu, coh_addr_t va, const void *buf, size_t len)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	begin_op(m, COH_EV_STORE, (int)cpu, va, 0, len, len ? ((const uint8_t *)buf)[0] : 0);
	m->nstores[cpu]++;
	/* access() does not write through buf when storing */
	int r = access(m, cpu, va, (uint8_t *)(uintptr_t)buf, len, true);
	note_op_pa(m, cpu, va);
	return r;
}

/* ---- maintenance ---- */

/* maint() on a VIVT cache for a range of more lines than the cache holds:
 * the same per-line operation, in the same ascending VA order, but only at
 * the VAs that have a line (a VIVT lookup needs no translation, so the
 * range loop would step through every line of the range: 2^59 of them for
 * `flush 0 0xffffffffffffffff`). */
static int maint_cached_lines(coh_machine *m, struct coh__cache *c, coh_addr_t first,
                              coh_addr_t last, enum coh__maint op)
{
	size_t n = (size_t)c->nsets * c->ways;
	coh_addr_t from = first;
	for (;;) {
		const struct coh__line *next = NULL;
		for (size_t i = 0; i < n; i++) {
			const struct coh__line *l = &c->lines[i];
			if (l->valid && l->va >= from && l->va <= last &&
			    (!next || l->va < next->va))
				next = l;
		}
		if (!next)
			return COH_OK;
		coh_addr_t a = next->va;
		int r = coh__cache_maint_line(m, c, a, op);
		if (r || a == last)
			return r;
		from = a + c->line_size;
	}
}

static int maint(coh_machine *m, unsigned cpu, coh_addr_t va, size_t len, enum coh__maint op,
                 enum coh_event_kind kind, enum coh_op_kind stat)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	if (len == 0)
		return COH_OK;
	if (va + len - 1 < va) /* wraps: would loop over the whole VA space */
		return COH_EINVAL;
	begin_op(m, kind, (int)cpu, va, 0, len, 0);
	m->cache[cpu].st.ops[stat]++;
	note_op_result(m, cpu, va, 0); /* its PA, for the trace, if mapped */
	unsigned line = m->arch->l1.line_size;
	coh_addr_t first = va & ~(coh_addr_t)(line - 1);
	coh_addr_t last = (va + len - 1) & ~(coh_addr_t)(line - 1);
	unsigned lo = cpu, hi = cpu;
	if (m->arch->maint_broadcast) {
		lo = 0;
		hi = m->ncpus - 1;
	}
	const coh_cache_geometry *g = &m->arch->l1;
	bool vivt = g->tag != COH_FROM_PHYS && g->index != COH_FROM_PHYS;
	bool long_range =
	    (last - first) / line >= (coh_addr_t)m->cache[cpu].nsets * m->cache[cpu].ways;
	for (unsigned c = lo; c <= hi; c++) {
		if (vivt && long_range) {
			int r = maint_cached_lines(m, &m->cache[c], first, last, op);
			if (r)
				return r;
			continue;
		}
		for (coh_addr_t a = first;; a += line) {
			int r = coh__cache_maint_line(m, &m->cache[c], a, op);
			if (r)
				return r;
			if (a == last)
				break;
		}
	}
	return COH_OK;
}

int coh_cache_clean(coh_machine *m, unsigned cpu, coh_addr_t va, size_t len)
{
	return maint(m, cpu, va, len, COH__CLEAN, COH_EV_CLEAN, COH_OP_CLEAN);
}

int coh_cache_inval(coh_machine *m, unsigned cpu, coh_addr_t va, size_t len)
{
	return maint(m, cpu, va, len, COH__INVAL, COH_EV_INVAL, COH_OP_INVAL);
}

int coh_cache_flush(coh_machine *m, unsigned cpu, coh_addr_t va, size_t len)
{
	return maint(m, cpu, va, len, COH__FLUSH, COH_EV_FLUSH, COH_OP_FLUSH);
}

int coh_cache_evict(coh_machine *m, unsigned cpu, coh_addr_t va)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	begin_op(m, COH_EV_EVICT, (int)cpu, va, 0, 1, 0);
	m->cache[cpu].st.ops[COH_OP_EVICT]++;
	struct coh__line *l;
	/* a spontaneous eviction never faults: an unmapped VA just has no line */
	coh__cache_locate(m, &m->cache[cpu], va, false, &l);
	if (l) {
		coh__line_writeback(m, &m->cache[cpu], l);
		coh__line_invalidate(&m->cache[cpu], l);
	}
	return COH_OK;
}

int coh_cache_flush_all(coh_machine *m, unsigned cpu)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	begin_op(m, COH_EV_FLUSH_ALL, (int)cpu, 0, 0, m->arch->l1.size, 0);
	m->cache[cpu].st.ops[COH_OP_FLUSH_ALL]++;
	struct coh__cache *c = &m->cache[cpu];
	for (size_t i = 0; i < (size_t)c->nsets * c->ways; i++) {
		struct coh__line *l = &c->lines[i];
		if (l->valid) {
			coh__line_writeback(m, c, l);
			coh__line_invalidate(c, l);
		}
	}
	return COH_OK;
}

int coh_cache_prefetch(coh_machine *m, unsigned cpu, coh_addr_t va)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	begin_op(m, COH_EV_PREFETCH, (int)cpu, va, 0, 1, 0);
	m->cache[cpu].st.ops[COH_OP_PREFETCH]++;
	coh_addr_t pa;
	enum coh_attr attr;
	/* speculation never faults and never touches uncached memory */
	if (coh__mmu_lookup(m, cpu, va, &pa, &attr))
		return COH_OK;
	note_op_known(m, 0, pa, true); /* the event names the PA it speculated on */
	if (attr >= COH_ATTR_UNCACHED)
		return COH_OK;
	coh__cache_prefetch(m, cpu, va, pa);
	return COH_OK;
}

int coh_cache_present(coh_machine *m, unsigned cpu, coh_addr_t va, bool *dirty)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	struct coh__line *l;
	if (coh__cache_locate(m, &m->cache[cpu], va, false, &l))
		return -1;
	if (dirty)
		*dirty = l && l->dirty;
	return l != NULL;
}

int coh_translate(coh_machine *m, unsigned cpu, coh_addr_t va, coh_addr_t *pa, enum coh_attr *attr)
{
	if (cpu >= m->ncpus)
		return COH_ERANGE;
	return coh__mmu_lookup(m, cpu, va, pa, attr);
}

/* ---- the device ---- */

/* the signature is coh__for_each_copy's, arg cannot be const */
// cppcheck-suppress constParameter
static void dma_snoop(coh_machine *m, struct coh__cache *c, struct coh__line *l, void *arg)
{
	bool drop = arg != NULL;
	coh__line_writeback(m, c, l);
	if (drop)
		coh__line_invalidate(c, l);
}

static void dma_snoop_range(coh_machine *m, coh_addr_t pa, size_t len, bool drop)
{
	unsigned line = m->arch->l1.line_size;
	static int drop_tag;
	for (coh_addr_t a = pa & ~(coh_addr_t)(line - 1); a < pa + len; a += line)
		coh__for_each_copy(m, a, -1, dma_snoop, drop ? &drop_tag : NULL);
}

int coh_dma_read(coh_machine *m, coh_addr_t pa, void *buf, size_t len)
{
	if (pa > m->mem_size || len > m->mem_size - pa)
		return COH_EFAULT;
	begin_op(m, COH_EV_DMA_READ, -1, 0, pa, len, 0);
	m->dma_reads++;
	m->dma_read_bytes += len;
	if (m->arch->dma_coherent)
		dma_snoop_range(m, pa, len, false);
	memcpy(buf, coh__mem_at(m, pa), len);
	if (m->obs.dma_read && len) {
		m->dma_checks++;
		m->obs.dma_read(m->obs.ctx, pa, buf, (unsigned)len);
	}
	return COH_OK;
}

int coh_dma_write(coh_machine *m, coh_addr_t pa, const void *buf, size_t len)
{
	if (pa > m->mem_size || len > m->mem_size - pa)
		return COH_EFAULT;
	begin_op(m, COH_EV_DMA_WRITE, -1, 0, pa, len, len ? ((const uint8_t *)buf)[0] : 0);
	m->dma_writes++;
	m->dma_write_bytes += len;
	if (m->arch->dma_coherent)
		dma_snoop_range(m, pa, len, true);
	if (m->obs.store && len)
		m->obs.store(m->obs.ctx, -1, pa, buf, (unsigned)len, m->op_ev);
	coh__mem_write(m, pa, buf, len);
	return COH_OK;
}
