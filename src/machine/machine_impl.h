/*
 * machine_impl.h - the machine's insides, shared by the files of src/machine
 * and by the layers above that need them (check, sched). Never installed.
 *
 * Invariants:
 * - A valid line's `pa` is the physical line it was filled from; its data is
 *   written back there whatever the page tables say now (as the PA tag RAM
 *   of a VIVT cache does).
 * - `dirty` has one bit per dirty segment (1 or 2 per line); a clean line
 *   has dirty == 0. A write-through cache never sets it.
 * - Every public operation is one event; fills, write-backs and discards it
 *   causes are events of their own, numbered after it.
 */
#ifndef COHSIM_MACHINE_IMPL_H
#define COHSIM_MACHINE_IMPL_H

#include <string.h>

#include "cohsim/machine.h"

struct coh__line {
	coh_addr_t va;            /* line-aligned VA it was filled through */
	coh_addr_t pa;            /* line-aligned PA it caches */
	struct coh__frame *frame; /* the frame of pa (NULL only if the host ran out) */
	uint64_t fill_ev;         /* event that filled it */
	uint32_t lru;             /* last-use stamp, for LRU */
	uint8_t valid;
	uint8_t dirty; /* bitmask of dirty segments */
};

struct coh__cache {
	unsigned cpu;
	unsigned nsets, ways, line_size, line_shift, set_mask;
	unsigned seg_size;       /* bytes per dirty segment */
	unsigned ncand;          /* sets a physical line can live in */
	coh_addr_t colour_mask;  /* VA bits that must match to share a line (hashed index) */
	struct coh__line *lines; /* nsets * ways */
	uint8_t *data;           /* nsets * ways * line_size */
	unsigned *rr;            /* round-robin pointer per set */
	unsigned *mru;           /* way of the last hit or fill per set: tried first */
	/* A tag filter, for sets of more than 4 ways (else NULL): one byte per
	 * way (tag_stride bytes per set), 0 for an invalid line, coh__tag_byte()
	 * of its tag for a valid one, 0x7f for the padding up to a multiple of
	 * 8 or 16 ways. See lookup() in cache.c. */
	uint8_t *tags;
	unsigned tag_stride;
	uint32_t stamp;
	/* worked out once at init, for the lookup on every access */
	bool index_va; /* set index from the VA (else the PA) */
	bool tag_va;   /* virtual tag (else physical tag and colour) */
	bool fold;     /* hashed index with VA bits folded in: coh__cache_set */
	unsigned fold_first, fold_low_bits, fold_cand_bits, fold_cand_mask; /* of the fold */
	uint64_t fold_extra_mask; /* VA bits folded, above fold_first (0: none) */
	coh_addr_t lmask;         /* ~(line_size - 1) */
	coh_cpu_stats st;         /* this CPU's counters (loads and stores: nloads, nstores) */
	unsigned nvalid;          /* valid lines: a cache with none is never snooped */
	uint32_t *nonempty;       /* the machine's mask of caches with valid lines */
	/* sets that have held a valid line since reset, each once: reset
	 * clears only these (set_used marks them) */
	unsigned *used;
	unsigned nused;
	uint8_t *set_used;
};

/* One page-table entry, in a hash keyed by (asid, vpn). */
struct coh__pte {
	uint64_t key; /* (asid << 52) | vpn, +1 so that 0 means empty */
	uint64_t pfn;
	enum coh_attr attr;
};

/* A block mapping: COH__BLOCK_MIN or more contiguous pages mapped by one
 * coh_map, kept as one entry (as a section or block descriptor maps a
 * kernel's linear map), so that its cost follows what is used. */
#define COH__BLOCK_MIN 256
struct coh__block {
	unsigned asid;
	uint64_t vpn, npages, pfn;
	enum coh_attr attr;
};

#define COH__MMU_TOUCHED 256
struct coh__mmu {
	struct coh__pte *slots;
	size_t nslots, used;
	/* the slots given a key since the last reset, which clears only them
	 * (all of them after more than COH__MMU_TOUCHED, or a grow) */
	size_t touched[COH__MMU_TOUCHED];
	unsigned ntouched;
	bool touched_all;
	unsigned nas;              /* address spaces created */
	struct coh__block *blocks; /* disjoint from each other and from the PTEs */
	size_t nblocks, capblocks;
};

/*
 * The observer: how the oracle (src/check) sees the machine. Each hook gets
 * the bytes involved; `line` is NULL when memory itself was read.
 */
struct coh__observer {
	void *ctx;
	void (*load)(void *ctx, unsigned cpu, coh_addr_t va, coh_addr_t pa, const uint8_t *seen,
	             unsigned len, const struct coh__line *line, const struct coh__cache *cache);
	/* frame: pa's frame when the machine has it at hand, else NULL */
	void (*store)(void *ctx, int cpu, coh_addr_t pa, const uint8_t *bytes, unsigned len,
	              uint64_t ev, struct coh__frame *frame);
	void (*dma_read)(void *ctx, coh_addr_t pa, const uint8_t *seen, unsigned len);
	/* A write-back: `bytes` go to memory at pa, which holds `old` now. */
	void (*writeback)(void *ctx, const struct coh__cache *cache, const struct coh__line *line,
	                  coh_addr_t pa, const uint8_t *bytes, const uint8_t *old, unsigned len);
	/* Dirty bytes dropped without a write-back. */
	void (*discard)(void *ctx, const struct coh__cache *cache, const struct coh__line *line,
	                coh_addr_t pa, const uint8_t *bytes, unsigned len);
	void (*fault)(void *ctx, unsigned cpu, coh_addr_t va, bool write);
};

/* One CPU's write buffer (wbuf.c): stores to bufferable memory, oldest
 * first, each at most COH__WBUF_DATA bytes within one line. */
#define COH__WBUF_DATA 16
struct coh__wbuf {
	unsigned n;
	struct coh__wbuf_ent {
		coh_addr_t pa;
		unsigned len;
		uint8_t data[COH__WBUF_DATA];
	} e[COH_WBUF_ENTRIES];
};
/* Asked after a store entered cpu's write buffer, with nopt options (2 or
 * 3): 0 drains the buffer now, 1 leaves it (the store is late), 2 drains
 * the store alone, ahead of the older entries (wbuf.c). */
typedef unsigned (*coh__wbuf_hook)(void *ctx, coh_machine *m, unsigned cpu, unsigned nopt);

/* Load reordering (rorder.c): per CPU, its last barrier and its last load
 * of bufferable memory since; and a log of the device's recent writes with
 * the bytes they replaced, so a load can see memory as it was earlier. */
#define COH__RORD_LOG 16   /* device writes remembered */
#define COH__RORD_BYTES 32 /* bytes of each remembered (its first ones) */
struct coh__rord {
	uint64_t barrier_ev; /* the last barrier, explicit or implied */
	uint64_t prev_ev;    /* the last bufferable load (0: none since) */
	coh_addr_t prev_pa;
	unsigned prev_len;
	/* the last load that took the early view, for the oracle's cause */
	uint64_t stale_ev, stale_prev, stale_write;
};
struct coh__dmalog {
	uint64_t ev;
	coh_addr_t pa;
	unsigned len; /* <= COH__RORD_BYTES */
	uint8_t old[COH__RORD_BYTES];
};

/* Called before each public operation: the scheduler's preemption point. */
typedef void (*coh__access_hook)(void *ctx, coh_machine *m, int cpu); /* cpu -1: the device */
/* Called now and then inside a long operation (a maintenance range of
 * millions of lines): true stops it with COH_ETIMEDOUT. The poller may also
 * never return (the scheduler abandons the task that runs the operation). */
typedef bool (*coh__poll_fn)(void *ctx);
#define COH__POLL_LINES 4096 /* lines between two polls */

/* ---- physical memory (memory.c) ---- */

#define COH__PA_BITS 40

/* The per-frame shadows of the layers above: each owns what it hangs on
 * its slot and takes it down before the machine goes. */
enum coh__shadow_kind { COH__SHADOW_ORACLE, COH__SHADOW_LIFE, COH__NSHADOW };

struct coh__frame {
	uint8_t *data; /* page_size bytes; NULL until first written (reads as zero) */
	void *shadow[COH__NSHADOW];
	bool touched; /* written since reset: in the touched list */
};

/* The sparse frame table: top[fno >> top_shift][(fno >> 9) & 511][fno & 511]. */
struct coh__frame_table {
	struct coh__frame ***top;
	size_t ntop;
	unsigned top_shift;
	struct coh__frame **touched; /* frames written since reset */
	size_t ntouched, cap;
	uint8_t *zero; /* a page of zeros: what an unwritten frame reads as */
	/* frames found lately, direct-mapped by frame number (frames never
	 * move, so an entry stays true until the machine goes) */
	struct coh__frame_hint {
		uint64_t key; /* frame number + 1; 0: empty */
		struct coh__frame *f;
	} hint[64];
};

#define COH__TRACE_CAP 256
#define COH__TLB_SIZE 64 /* entries per CPU, a power of 2 */

struct coh_machine {
	const coh_arch *arch;
	coh_machine_config cfg;
	unsigned ncpus;
	unsigned page_size, page_shift;
	size_t mem_size; /* the end of the highest RAM bank */
	struct coh_ram_bank ram[COH_MAX_RAM_BANKS];
	unsigned nram;
	struct coh__frame_table ft;
	uint32_t nonempty; /* bit c: cache c holds a valid line (snoops skip the others) */
	struct coh__mmu mmu;
	unsigned cur_as[COH_MAX_CPUS];
	struct coh__cache cache[COH_MAX_CPUS];
	uint64_t rng;
	/* loads and stores per CPU (the rest of coh_cpu_stats is in its cache:
	 * these two are counted where the cache is not at hand) */
	uint64_t nloads[COH_MAX_CPUS], nstores[COH_MAX_CPUS];
	/* the device's counters (coh_machine_stats) */
	uint64_t dma_reads, dma_writes, dma_read_bytes, dma_write_bytes, dma_checks;
	/* trace */
	uint64_t ev;
	uint64_t op_ev; /* the public operation being carried out */
	coh_event trace[COH__TRACE_CAP];
	bool tracing;
	bool stacks;                         /* traced events capture the call chain (stack.c) */
	struct coh__stack_block *stk_blocks; /* the store of captured chains */
	struct coh__stack_block *stk_cur;    /* the block being filled */
	const coh_stack *stk_last;           /* the last chain stored */
	const coh_stack *stk_origin;         /* appended as "queued by" (the device) */
	const char *site_file;
	unsigned site_line;
	const char *actor;
	struct coh__observer obs; /* a NULL hook is not called */
	coh__access_hook hook;
	void *hook_ctx;
	coh__poll_fn poll; /* NULL: never polled */
	void *poll_ctx;
	struct coh__wbuf wbuf[COH_MAX_CPUS];
	coh__wbuf_hook wbuf_hook;
	void *wbuf_ctx;
	struct coh__rord rord[COH_MAX_CPUS];
	struct coh__dmalog dmalog[COH__RORD_LOG];
	uint64_t ndmalog;         /* writes logged in this execution */
	coh__wbuf_hook rord_hook; /* asked with nopt 2: 1 = the early view */
	void *rord_ctx;
	/* a direct-mapped TLB per CPU, indexed by the low VPN bits */
	struct coh__tlb_entry {
		uint64_t key; /* vpn + 1; 0 = empty */
		uint64_t pfn;
		enum coh_attr attr;
	} tlb[COH_MAX_CPUS][COH__TLB_SIZE];
};

/* stack.c: the running task's call chain, kept in the machine's store
 * (NULL when the store cannot grow); the store is emptied at reset */
const coh_stack *coh__stack_capture(coh_machine *m);
void coh__stack_store_reset(coh_machine *m);
void coh__stack_store_free(coh_machine *m);

/* machine.c */
void coh__machine_set_observer(coh_machine *m, const struct coh__observer *obs);
void coh__machine_set_hook(coh_machine *m, coh__access_hook hook, void *ctx);
void coh__machine_set_poll(coh_machine *m, coh__poll_fn poll, void *ctx);
/* Records one event (in the trace when tracing) and returns its number.
 * Inline: it runs for every access and every fill or write-back. */
static inline uint64_t coh__event(coh_machine *m, enum coh_event_kind kind, int cpu, coh_addr_t va,
                                  coh_addr_t pa, uint32_t len, uint64_t value)
{
	uint64_t no = ++m->ev;
	if (m->tracing) {
		coh_event *e = &m->trace[no % COH__TRACE_CAP];
		e->no = no;
		e->kind = kind;
		e->cpu = cpu;
		e->va = va;
		e->pa = pa;
		e->len = len;
		e->value = value;
		e->actor = m->actor;
		e->file = m->site_file;
		e->line = m->site_line;
		e->note = NULL;
		e->stack = m->stacks ? coh__stack_capture(m) : NULL;
	}
	return no;
}
uint64_t coh__rand(coh_machine *m);
/* Starts a public operation: the preemption point, then its event. */
static inline uint64_t coh__begin_op(coh_machine *m, enum coh_event_kind kind, int cpu,
                                     coh_addr_t va, coh_addr_t pa, size_t len, uint64_t value)
{
	if (m->hook)
		m->hook(m->hook_ctx, m, cpu);
	m->op_ev = coh__event(m, kind, cpu, va, pa, (uint32_t)len, value);
	return m->op_ev;
}
/* access.c: completes the trace entry of the op under way with its PA (if
 * va is mapped) and value. */
void coh__note_op_result(coh_machine *m, unsigned cpu, coh_addr_t va, uint64_t value);
/* coh__note_op_result for an access of one line chunk, whose PA is known. */
static inline void coh__note_op_known(coh_machine *m, uint64_t value, coh_addr_t pa, bool mapped)
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

/* wbuf.c */
void coh__machine_set_wbuf_hook(coh_machine *m, coh__wbuf_hook hook, void *ctx);
/* rorder.c: the explorer's hook for the early view of a load; reset per
 * execution; a barrier (explicit or implied) on cpu; a device write of
 * [pa, pa+len) about to happen (logs the bytes it replaces); a load of
 * bufferable memory that read buf from memory (may take the early view). */
void coh__machine_set_rord_hook(coh_machine *m, coh__wbuf_hook hook, void *ctx);
void coh__rord_reset(coh_machine *m);
void coh__rord_barrier(coh_machine *m, unsigned cpu);
void coh__rord_dma_write(coh_machine *m, coh_addr_t pa, size_t len);
void coh__rord_load(coh_machine *m, unsigned cpu, coh_addr_t pa, uint8_t *buf, unsigned len);
/* A store of len bytes (within one line) at pa into cpu's write buffer. */
void coh__wbuf_store(coh_machine *m, unsigned cpu, coh_addr_t pa, const uint8_t *buf, unsigned len);
/* Overlays cpu's buffered bytes of [pa, pa+len) on buf (its own stores). */
void coh__wbuf_forward(const coh_machine *m, unsigned cpu, coh_addr_t pa, uint8_t *buf,
                       unsigned len);
void coh__wbuf_reset(coh_machine *m);

/* memory.c */
int coh__ram_init(coh_machine *m, const coh_machine_config *cfg);
/* Is [pa, pa+len) within one declared RAM bank? */
bool coh__ram_contains(const coh_machine *m, coh_addr_t pa, uint64_t len);
int coh__mem_init(coh_machine *m);
void coh__mem_free(coh_machine *m);
void coh__mem_reset(coh_machine *m);
size_t coh__mem_touched(const coh_machine *m); /* frames written since reset */
/* pa's frame, or NULL if the table has none yet (or pa >= 2^40). */
struct coh__frame *coh__frame_get(const coh_machine *m, coh_addr_t pa);
/* pa's frame, made if needed; NULL if pa >= 2^40 or the host ran out. */
struct coh__frame *coh__frame_make(coh_machine *m, coh_addr_t pa);
/* coh__frame_make, through the hint table first: for every line fill. */
static inline struct coh__frame *coh__frame_find(coh_machine *m, coh_addr_t pa)
{
	uint64_t fno = pa >> m->page_shift;
	struct coh__frame_hint *h = &m->ft.hint[fno & 63];
	if (h->key == fno + 1)
		return h->f;
	struct coh__frame *f = coh__frame_make(m, pa);
	if (f) {
		h->key = fno + 1;
		h->f = f;
	}
	return f;
}
/* Writes len bytes at offset off of frame f (within the frame). */
void coh__frame_write(coh_machine *m, struct coh__frame *f, size_t off, const uint8_t *buf,
                      size_t len);
/* Writes or reads any range of physical memory, frame by frame. */
void coh__mem_write(coh_machine *m, coh_addr_t pa, const uint8_t *buf, size_t len);
void coh__mem_read(const coh_machine *m, coh_addr_t pa, uint8_t *buf, size_t len);
/* The bytes at pa, to the end of its frame, read-only (an unwritten frame
 * reads as the zero page). */
const uint8_t *coh__mem_at(const coh_machine *m, coh_addr_t pa);
static inline const uint8_t *coh__frame_bytes(const coh_machine *m, const struct coh__frame *f,
                                              coh_addr_t pa)
{
	size_t off = pa & (m->page_size - 1);
	return (f && f->data ? f->data : m->ft.zero) + off;
}
/* memcpy for the few bytes of one access: the sizes of a load inline */
static inline void coh__copy(uint8_t *dst, const uint8_t *src, size_t len)
{
	switch (len) {
	case 1:
		dst[0] = src[0];
		break;
	case 2:
		memcpy(dst, src, 2);
		break;
	case 4:
		memcpy(dst, src, 4);
		break;
	case 8:
		memcpy(dst, src, 8);
		break;
	default:
		memcpy(dst, src, len);
	}
}

/* Writes len bytes at pa, which lie in frame f (NULL: look it up). */
static inline void coh__mem_write_in(coh_machine *m, struct coh__frame *f, coh_addr_t pa,
                                     const uint8_t *buf, size_t len)
{
	if (f && f->touched) /* allocated and on the touched list: just copy */
		coh__copy(f->data + (pa & (m->page_size - 1)), buf, len);
	else if (f)
		coh__frame_write(m, f, pa & (m->page_size - 1), buf, len);
	else
		coh__mem_write(m, pa, buf, len);
}
/* mmu.c */
int coh__mmu_init(struct coh__mmu *mmu);
void coh__mmu_free(struct coh__mmu *mmu);
void coh__mmu_reset(struct coh__mmu *mmu);
void coh__tlb_flush_cpu(coh_machine *m, unsigned cpu);
/* The page-table walk behind coh__mmu_lookup, on a TLB miss; fills the TLB. */
int coh__mmu_walk(coh_machine *m, unsigned cpu, coh_addr_t va, coh_addr_t *pa, enum coh_attr *attr);
/* Translates va for cpu: a TLB hit inline, else the walk. */
static inline int coh__mmu_lookup(coh_machine *m, unsigned cpu, coh_addr_t va, coh_addr_t *pa,
                                  enum coh_attr *attr)
{
	uint64_t vpn = va >> m->page_shift;
	const struct coh__tlb_entry *t = &m->tlb[cpu][vpn & (COH__TLB_SIZE - 1)];
	if (t->key == vpn + 1) {
		*pa = (t->pfn << m->page_shift) | (va & (m->page_size - 1));
		*attr = t->attr;
		return COH_OK;
	}
	return coh__mmu_walk(m, cpu, va, pa, attr);
}

/* cache.c */
int coh__cache_init(coh_machine *m, struct coh__cache *c, unsigned cpu);
void coh__cache_free(struct coh__cache *c);
void coh__cache_reset(struct coh__cache *c);
unsigned coh__cache_set(const coh_machine *m, const struct coh__cache *c, coh_addr_t va,
                        coh_addr_t pa);
/* coh__cache_set, with the plain (unhashed) index worked out inline. */
static inline unsigned coh__cache_set_of(const coh_machine *m, const struct coh__cache *c,
                                         coh_addr_t va, coh_addr_t pa)
{
	if (c->fold)
		return coh__cache_set(m, c, va, pa);
	return (unsigned)((c->index_va ? va : pa) >> c->line_shift) & c->set_mask;
}
/* The tag-filter byte of a valid line whose tag (VA or PA, per tag_va) is
 * the line address key: 0x80-0xff, never 0 (invalid) nor 0x7f (padding). */
static inline uint8_t coh__tag_byte(coh_addr_t key)
{
	return (uint8_t)(0x80 | ((key * 0x9e3779b97f4a7c15ull) >> 57));
}
/* Marks l invalid, in the line and in the tag filter. */
static inline void coh__line_invalidate(struct coh__cache *c, struct coh__line *l)
{
	size_t i = (size_t)(l - c->lines);
	if (l->valid && --c->nvalid == 0)
		*c->nonempty &= ~(1u << c->cpu);
	l->valid = 0;
	if (c->tags)
		c->tags[i / c->ways * c->tag_stride + i % c->ways] = 0;
}
/* The way of the line that holds (va, pa) in set, or -1. */
int coh__cache_find(const coh_machine *m, const struct coh__cache *c, unsigned set, coh_addr_t va,
                    coh_addr_t pa);
static inline struct coh__line *coh__line_at(const struct coh__cache *c, unsigned set, unsigned way)
{
	return &c->lines[set * c->ways + way];
}
static inline uint8_t *coh__line_data(const struct coh__cache *c, const struct coh__line *l)
{
	return c->data + (size_t)(l - c->lines) * c->line_size;
}
/* Reads/writes len bytes within one line at (va, pa) through cpu's cache. */
void coh__cache_read(coh_machine *m, unsigned cpu, coh_addr_t va, coh_addr_t pa, enum coh_attr attr,
                     uint8_t *buf, unsigned len);
void coh__cache_write(coh_machine *m, unsigned cpu, coh_addr_t va, coh_addr_t pa,
                      enum coh_attr attr, const uint8_t *buf, unsigned len);
/*
 * The hit of an access in the set's most-recently-used way (see cache.c:
 * at most one line of a set matches, so it is the line a lookup finds).
 * The line, or NULL: then coh__cache_read/coh__cache_write do the work.
 */
static inline struct coh__line *coh__cache_mru_hit(const coh_machine *m, const struct coh__cache *c,
                                                   coh_addr_t va, coh_addr_t pa)
{
	unsigned set = coh__cache_set_of(m, c, va, pa);
	struct coh__line *l = coh__line_at(c, set, c->mru[set]);
	if (!l->valid)
		return NULL;
	if (c->tag_va)
		return l->va == (va & c->lmask) ? l : NULL;
	return l->pa == (pa & c->lmask) && ((l->va ^ va) & c->colour_mask) == 0 ? l : NULL;
}

/* coh__cache_read of len bytes within one line, the MRU hit inline. */
static inline void coh__cache_read_fast(coh_machine *m, unsigned cpu, coh_addr_t va, coh_addr_t pa,
                                        enum coh_attr attr, uint8_t *buf, unsigned len)
{
	struct coh__cache *c = &m->cache[cpu];
	struct coh__line *l;
	if (attr >= COH_ATTR_UNCACHED || !(l = coh__cache_mru_hit(m, c, va, pa))) {
		coh__cache_read(m, cpu, va, pa, attr, buf, len);
		return;
	}
	l->lru = ++c->stamp;
	c->st.read_hits++;
	coh__copy(buf, coh__line_data(c, l) + (pa & (c->line_size - 1)), len);
	if (m->obs.load) {
		c->st.oracle_checks++;
		m->obs.load(m->obs.ctx, cpu, va, pa, buf, len, l, c);
	}
}

/* coh__cache_write of len bytes within one line: a write-back hit while no
 * other CPU's cache holds a line, inline (no snoop, no fill, no
 * write-through). */
static inline void coh__cache_write_fast(coh_machine *m, unsigned cpu, coh_addr_t va, coh_addr_t pa,
                                         enum coh_attr attr, const uint8_t *buf, unsigned len)
{
	struct coh__cache *c = &m->cache[cpu];
	struct coh__line *l;
	if (attr != COH_ATTR_WB || (m->nonempty & ~(1u << cpu)) || m->arch->l1.write_through ||
	    !(l = coh__cache_mru_hit(m, c, va, pa))) {
		coh__cache_write(m, cpu, va, pa, attr, buf, len);
		return;
	}
	if (m->obs.store)
		m->obs.store(m->obs.ctx, (int)cpu, pa, buf, len, m->op_ev, l->frame);
	unsigned off = (unsigned)(pa & (c->line_size - 1));
	coh__copy(coh__line_data(c, l) + off, buf, len);
	l->lru = ++c->stamp;
	c->st.write_hits++;
	for (unsigned s = off / c->seg_size; s <= (off + len - 1) / c->seg_size; s++)
		l->dirty |= (uint8_t)(1u << s);
}
/* Writes l's dirty segments back (each an event); a clean line costs a test. */
void coh__line_writeback_dirty(coh_machine *m, struct coh__cache *c, struct coh__line *l);
static inline void coh__line_writeback(coh_machine *m, struct coh__cache *c, struct coh__line *l)
{
	if (l->dirty)
		coh__line_writeback_dirty(m, c, l);
}
void coh__line_discard(coh_machine *m, struct coh__cache *c, struct coh__line *l);
/* Maintenance of the one line holding va in c. */
enum coh__maint { COH__CLEAN, COH__INVAL, COH__FLUSH };
int coh__cache_maint_line(coh_machine *m, struct coh__cache *c, coh_addr_t va, enum coh__maint op);
int coh__cache_locate(coh_machine *m, const struct coh__cache *c, coh_addr_t va, bool report,
                      struct coh__line **out);
void coh__cache_prefetch(coh_machine *m, unsigned cpu, coh_addr_t va, coh_addr_t pa);
/* Calls fn on every valid line of every CPU's cache (except `skip`) caching
 * the physical line of pa. Lines are visited in (cpu, set, way) order. */
void coh__for_each_copy(coh_machine *m, coh_addr_t pa, int skip_cpu,
                        void (*fn)(coh_machine *m, struct coh__cache *c, struct coh__line *l,
                                   void *arg),
                        void *arg);

#endif
