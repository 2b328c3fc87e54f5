/*
 * machine.c - the machine object: configuration, create/destroy/reset, its
 * attribution (site, actor, stacks), the observer and hook of the layers
 * above, statistics and the seeded PRNG.
 *
 * The public operations are in their own files: access.c (CPU loads and
 * stores), maint.c (cache maintenance), device.c (DMA), trace.c (events).
 * Each calls the access hook first (the scheduler's preemption point,
 * coh__begin_op), then records one event, then does its work line by line
 * and page by page. Work that faults stops at the faulting page; the bytes
 * before it have been accessed, as on hardware.
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
	case COH_ETIMEDOUT:
		return "the time limit was reached";
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
	coh_machine *m = calloc(1, sizeof(*m));
	if (!m)
		return COH_ENOMEM;
	m->cfg = *cfg;
	m->arch = cfg->arch;
	m->ncpus = cfg->ncpus;
	m->page_size = page;
	while ((1u << m->page_shift) < page)
		m->page_shift++;
	if (coh__ram_init(m, cfg) || cfg->lowmem_size > m->mem_size) {
		free(m);
		return COH_EINVAL;
	}
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
	coh__rord_reset(m);
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

void coh__machine_set_poll(coh_machine *m, coh__poll_fn poll, void *ctx)
{
	m->poll = poll;
	m->poll_ctx = ctx;
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
