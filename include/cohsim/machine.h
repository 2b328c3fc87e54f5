/*
 * cohsim/machine.h - the simulated machine: physical memory, page tables,
 * per-CPU L1 data caches that hold real data, and a DMA engine.
 *
 * Ownership: coh_machine_create() allocates a machine that the caller frees
 * with coh_machine_destroy(). Arch profiles are static and never freed.
 * Every function that can fail returns 0 or a negative COH_E* status;
 * coh_strerror() names it. A VA that is not mapped yields COH_EFAULT and a
 * `bad-access` report to the attached oracle, never a host crash.
 *
 * Determinism: the machine has no clock and no pointer-dependent ordering.
 * Its one PRNG (random replacement) is seeded by the config.
 */
#ifndef COHSIM_MACHINE_H
#define COHSIM_MACHINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cohsim/arch.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef uint64_t coh_addr_t; /* a virtual or physical address */

enum coh_status {
	COH_OK = 0,
	COH_EINVAL = -1,  /* bad argument: unaligned, zero length, bad size */
	COH_ENOMEM = -2,  /* host allocation failed */
	COH_EFAULT = -3,  /* VA not mapped, or PA outside memory */
	COH_EEXIST = -4,  /* mapping overlaps an existing one */
	COH_ERANGE = -5,  /* CPU or address space out of range */
	COH_EDEADLK = -6, /* the scheduler found every task blocked */
	COH_EIO = -7,     /* an injected or real I/O error */
	COH_EBUSY = -8,
	COH_EAGAIN = -9,
	COH_EWORKER = -10,   /* a --jobs worker process died or could not report */
	COH_ETIMEDOUT = -11, /* the explorer's time limit ended an operation (--time) */
};

COH_API const char *coh_strerror(int status);

/* Page attributes of a mapping. */
enum coh_attr {
	COH_ATTR_WB = 0,       /* cached, write-back (the cache's own policy) */
	COH_ATTR_WT = 1,       /* cached, write-through */
	COH_ATTR_UNCACHED = 2, /* bypasses the cache */
	/* bypasses the cache, and stores go through the CPU's write buffer
	 * (ARMv6+ "normal non-cacheable": coherent DMA memory): they reach
	 * memory late, at a barrier (coh_barrier) or when the buffer is full,
	 * and in any order between two barriers; the CPU's own loads see them
	 * at once. See wbuf.c. */
	COH_ATTR_BUFFERABLE = 3,
};

typedef struct coh_machine coh_machine;

#define COH_PA_LIMIT (1ull << 40) /* every physical address is below this */
#define COH_MAX_RAM_BANKS 16

/* A bank of RAM: [base, base+size), page-aligned, below COH_PA_LIMIT. */
struct coh_ram_bank {
	coh_addr_t base;
	uint64_t size;
};

/*
 * Physical memory. Frames cost host memory only once they are touched, so
 * declared memory may be large and may sit anywhere below 2^40 (a board's
 * real RAM address). What is declared is what may be mapped or reached by
 * DMA (COH_EFAULT outside it):
 * - nram > 0: the banks ram[0..nram) (disjoint; mem_size is ignored);
 * - else mem_size > 0: one bank [0, mem_size);
 * - else (mem_size 0): undeclared, any PA below COH_PA_LIMIT.
 */
typedef struct coh_machine_config {
	const coh_arch *arch; /* required */
	unsigned ncpus;       /* 1..COH_MAX_CPUS; default 1 */
	size_t mem_size;      /* bytes of physical memory from PA 0; default 4 MiB; 0: undeclared */
	unsigned nram;        /* banks in ram[]; 0: mem_size says */
	struct coh_ram_bank ram[COH_MAX_RAM_BANKS];
	size_t lowmem_size; /* PA below this is lowmem; default mem_size / 2, or all
	                       of it where the arch has no highmem */
	unsigned page_size; /* 0: the arch's page size */
	uint64_t seed;      /* seeds random replacement */
	bool oracle;        /* keep the event trace for the oracle; default true */
} coh_machine_config;

#define COH_MAX_CPUS 8
#define COH_KERNEL_AS 0 /* the kernel address space, visible from every CPU */

/* Fills *cfg with defaults for the arch (arch may be NULL: x86). */
COH_API void coh_machine_config_init(coh_machine_config *cfg, const coh_arch *arch);
COH_API int coh_machine_create(const coh_machine_config *cfg, coh_machine **out);
COH_API void coh_machine_destroy(coh_machine *m);
/* Back to the state right after create: memory zero, caches empty, only the
 * kernel address space, empty trace, event counter zero. Cheap: only memory
 * that was written is cleared. */
COH_API void coh_machine_reset(coh_machine *m);

COH_API const coh_arch *coh_machine_arch(const coh_machine *m);
COH_API unsigned coh_machine_ncpus(const coh_machine *m);
COH_API unsigned coh_machine_page_size(const coh_machine *m);
/* The end of the highest RAM bank (COH_PA_LIMIT when undeclared). */
COH_API size_t coh_machine_mem_size(const coh_machine *m);
COH_API coh_addr_t coh_machine_highmem_start(const coh_machine *m);

/*
 * Address spaces. Address space 0 is the kernel's. A CPU translates through
 * its current address space first, then through the kernel's, as a user
 * process sees the kernel half of the VA space.
 */
COH_API int coh_as_create(coh_machine *m, unsigned *asid_out);
COH_API int coh_cpu_set_as(coh_machine *m, unsigned cpu, unsigned asid);
/* Page-aligned va, pa and len; an overlap with a live mapping is COH_EEXIST. */
COH_API int coh_map(coh_machine *m, unsigned asid, coh_addr_t va, coh_addr_t pa, size_t len,
                    enum coh_attr attr);
/* Removes the pages of [va, va+len) that are mapped. Cache lines stay. */
COH_API int coh_unmap(coh_machine *m, unsigned asid, coh_addr_t va, size_t len);
COH_API int coh_translate(coh_machine *m, unsigned cpu, coh_addr_t va, coh_addr_t *pa,
                          enum coh_attr *attr);

/*
 * CPU memory access through the cache. size for load/store is 1, 2, 4 or 8
 * (little-endian). read/write move any number of bytes, line by line.
 */
COH_API int coh_load(coh_machine *m, unsigned cpu, coh_addr_t va, unsigned size, uint64_t *val);
COH_API int coh_store(coh_machine *m, unsigned cpu, coh_addr_t va, unsigned size, uint64_t val);
COH_API int coh_read(coh_machine *m, unsigned cpu, coh_addr_t va, void *buf, size_t len);
COH_API int coh_write(coh_machine *m, unsigned cpu, coh_addr_t va, const void *buf, size_t len);

/*
 * Cache maintenance by VA on the lines that cover [va, va+len). They act on
 * cpu's cache only, or on every CPU's when the arch broadcasts maintenance.
 * On a virtually tagged cache they need no mapping; on a physically tagged
 * one an unmapped VA is a bad access.
 */
COH_API int coh_cache_clean(coh_machine *m, unsigned cpu, coh_addr_t va, size_t len);
COH_API int coh_cache_inval(coh_machine *m, unsigned cpu, coh_addr_t va, size_t len);
COH_API int coh_cache_flush(coh_machine *m, unsigned cpu, coh_addr_t va, size_t len);
COH_API int coh_cache_flush_all(coh_machine *m, unsigned cpu);
/* Spontaneous eviction of the line holding va (written back if dirty);
 * nothing happens when no line holds it. */
COH_API int coh_cache_evict(coh_machine *m, unsigned cpu, coh_addr_t va);
/* Speculative fill of va's line from memory if it is absent and cacheable. */
COH_API int coh_cache_prefetch(coh_machine *m, unsigned cpu, coh_addr_t va);
/* The line size of the L1 data cache, for line-by-line maintenance loops. */
COH_API unsigned coh_cache_line_size(const coh_machine *m);

/* Is a valid line for va present in cpu's cache? (-1 for an unmapped VA on a
 * physically tagged cache.) If dirty is not NULL, it says whether it is dirty. */
COH_API int coh_cache_present(coh_machine *m, unsigned cpu, coh_addr_t va, bool *dirty);

/* The device side: DMA straight to and from physical memory, snooping the
 * caches only when the arch's DMA is coherent. */
COH_API int coh_dma_read(coh_machine *m, coh_addr_t pa, void *buf, size_t len);
COH_API int coh_dma_write(coh_machine *m, coh_addr_t pa, const void *buf, size_t len);
/* As coh_dma_read, but the oracle does not judge the bytes: a device's
 * poll of a flag whose old value it tolerates (a descriptor it does not
 * own yet). The device must read again with coh_dma_read what it acts on. */
COH_API int coh_dma_poll(coh_machine *m, coh_addr_t pa, void *buf, size_t len);

/*
 * Write buffers and barriers (wbuf.c). Each CPU has a write buffer of
 * COH_WBUF_ENTRIES stores to COH_ATTR_BUFFERABLE memory. Whether a store
 * drains at once, stays ("late") or drains alone ahead of older late
 * stores (stores between two barriers are not ordered) is asked of the
 * access hook's owner (the explorer's COH_CHOICE_WBUF; without one it
 * drains at once).
 * coh_barrier() is a public operation (an event, a preemption point) that
 * drains cpu's buffer, as ARM's dsb and dmb do for a device observer.
 * coh_wbuf_drain() drains without an operation of its own (the barrier a
 * lock or an atomic implies). coh_mmio() records an MMIO access of a
 * device register at pa (outside memory): an event and a preemption point;
 * the kernel runs the device's callback. It is posted: it does not wait for
 * the buffer, so a register write can overtake earlier buffered stores.
 */
#define COH_WBUF_ENTRIES 8
enum coh_barrier_kind {
	COH_BARRIER_DSB, /* data synchronization barrier: mb(), wmb() */
	COH_BARRIER_DMB, /* data memory barrier: rmb(), dma_wmb(), smp_mb() on SMP */
};
COH_API int coh_barrier(coh_machine *m, unsigned cpu, enum coh_barrier_kind kind);
COH_API int coh_wbuf_drain(coh_machine *m, unsigned cpu);
COH_API unsigned coh_wbuf_pending(const coh_machine *m, unsigned cpu);
COH_API int coh_mmio(coh_machine *m, unsigned cpu, coh_addr_t pa, unsigned size, uint64_t val,
                     bool write);

/* Back doors for tests and block backends: raw memory, no cache, no oracle. */
COH_API int coh_mem_peek(const coh_machine *m, coh_addr_t pa, void *buf, size_t len);
COH_API int coh_mem_poke(coh_machine *m, coh_addr_t pa, const void *buf, size_t len);

/*
 * Attribution. The machine tags every event with the current actor (a task
 * or CPU name) and source site; reports print them. The strings must outlive
 * the run (string literals, or names owned by the caller).
 */
COH_API void coh_machine_set_site(coh_machine *m, const char *file, unsigned line);
COH_API void coh_machine_set_actor(coh_machine *m, const char *actor);

/* ---- statistics ---- */

/* Maintenance and spontaneous cache operations, by kind (coh_cpu_stats.ops). */
enum coh_op_kind {
	COH_OP_CLEAN,     /* coh_cache_clean */
	COH_OP_INVAL,     /* coh_cache_inval */
	COH_OP_FLUSH,     /* coh_cache_flush */
	COH_OP_FLUSH_ALL, /* coh_cache_flush_all */
	COH_OP_EVICT,     /* coh_cache_evict (spontaneous) */
	COH_OP_PREFETCH,  /* coh_cache_prefetch (speculative) */
	COH_OP_KIND_COUNT
};
/* "clean", "inval", "flush", "flush-all", "evict", "prefetch". */
COH_API const char *coh_op_kind_name(enum coh_op_kind kind);

/*
 * What one CPU did to its cache since the machine was created or reset.
 * Hits and misses count line accesses: a load or store that straddles two
 * lines is two of them, each a hit or a miss. Accesses through an uncached
 * mapping are neither; they count as uncached.
 */
typedef struct coh_cpu_stats {
	uint64_t loads, stores;          /* operations: coh_load/coh_read, coh_store/coh_write */
	uint64_t read_hits, read_misses; /* cached line accesses of loads */
	uint64_t write_hits,
	    write_misses; /* of stores (a miss allocates only with write_allocate) */
	uint64_t uncached_reads, uncached_writes; /* line accesses that bypassed the cache */
	uint64_t fills;                  /* lines filled from memory (misses and prefetches) */
	uint64_t writebacks;             /* dirty segments written to memory, snoops included */
	uint64_t evictions;              /* valid lines displaced to make room for a fill */
	uint64_t ops[COH_OP_KIND_COUNT]; /* operations issued by this CPU */
	uint64_t oracle_checks;          /* loads, write-backs and discards the oracle checked */
} coh_cpu_stats;

typedef struct coh_stats {
	unsigned ncpus;
	coh_cpu_stats cpu[COH_MAX_CPUS];
	uint64_t dma_reads, dma_writes;           /* device operations */
	uint64_t dma_read_bytes, dma_write_bytes; /* memory to device, device to memory */
	uint64_t dma_oracle_checks;               /* DMA reads the oracle checked */
} coh_stats;

/* Copies the machine's counters into *out. They count from creation or the
 * last coh_machine_reset(); keeping them costs a few increments per access. */
COH_API void coh_machine_stats(const coh_machine *m, coh_stats *out);

/*
 * Call chains. A function of the kernel model (or of a scenario) that opens
 * with COH_FRAME(); pushes a frame on the running task's shadow stack and
 * pops it when it returns (a cleanup variable: every return path pops).
 * The frames live on the task's own host stack; the scheduler keeps the top
 * per task across switches. A frame's line starts at the COH_FRAME() line
 * and follows the sites its function sets (KSITE, the sim_* accessors),
 * so a caller's frame names the last line it reached before the call.
 * Events capture the chain only while coh_machine_set_stacks() is on (the
 * explorer turns it on for the replay a report is made from), so a search
 * pays one branch per event. Names and lines only, never addresses. The
 * machine keeps the captured chains until its next reset.
 */
typedef struct coh_frame {
	struct coh_frame *up; /* the caller's frame; NULL at the base */
	const char *func, *file;
	unsigned line;
} coh_frame;

COH_API extern coh_frame *coh__frame_top; /* the running task's innermost frame */

static inline void coh__frame_pop(coh_frame *f)
{
	coh__frame_top = f->up;
}

/* The running frame reached file:line (if it is that file's frame). */
static inline void coh__frame_at(const char *file, unsigned line)
{
	coh_frame *f = coh__frame_top;
	if (f && file && (f->file == file || strcmp(f->file, file) == 0))
		f->line = line;
}

#define COH_FRAME()                                                                                \
	coh_frame coh__frame __attribute__((cleanup(coh__frame_pop))) = {coh__frame_top, __func__, \
	                                                                 __FILE__, __LINE__};      \
	coh__frame_top = &coh__frame

#define COH_STACK_MAX 12 /* frames an event keeps, innermost first */

typedef struct coh_stack {
	unsigned n;      /* frames in f[] */
	unsigned more;   /* outer frames left off */
	unsigned queued; /* f[queued-1..] is the chain that queued the work; 0: none */
	struct coh_stack_frame {
		const char *func, *file;
		unsigned line;
	} f[COH_STACK_MAX];
} coh_stack;

/* Events record the running chain while on (default off). */
COH_API void coh_machine_set_stacks(coh_machine *m, bool on);
/* Writes the chain of s innermost first, KASAN style, one frame a line:
 * indent, function, file:line. */
COH_API void coh_stack_print(const coh_stack *s, const char *indent, FILE *out);
/* The chain on one line, "inner <- outer <- ...": names only, or with the
 * outermost frame's file:line when with_site. Returns snprintf's count. */
COH_API int coh_stack_format(const coh_stack *s, bool with_site, char *buf, size_t size);

/* ---- the event trace ---- */

enum coh_event_kind {
	COH_EV_LOAD,
	COH_EV_STORE,
	COH_EV_CLEAN,
	COH_EV_INVAL,
	COH_EV_FLUSH,
	COH_EV_FLUSH_ALL,
	COH_EV_EVICT,
	COH_EV_PREFETCH,
	COH_EV_FILL,      /* a line filled from memory */
	COH_EV_WRITEBACK, /* dirty data of a line written to memory */
	COH_EV_DISCARD,   /* a line dropped by invalidation */
	COH_EV_DMA_READ,
	COH_EV_DMA_WRITE,
	COH_EV_MAP,
	COH_EV_UNMAP,
	COH_EV_NOTE,       /* a note from a higher layer (kernel step, task switch) */
	COH_EV_BARRIER,    /* coh_barrier: value is its coh_barrier_kind */
	COH_EV_DRAIN,      /* a buffered store reached memory */
	COH_EV_MMIO_READ,  /* a device register read (pa: the register) */
	COH_EV_MMIO_WRITE, /* a device register write */
};

typedef struct coh_event {
	uint64_t no; /* 1-based, in global order; 0 = none */
	enum coh_event_kind kind;
	int cpu; /* -1 for the device */
	coh_addr_t va, pa;
	uint32_t len;
	uint64_t value; /* the value of a load or store; the byte of DMA */
	const char *actor;
	const char *file;
	unsigned line;
	const char *note; /* COH_EV_NOTE only */
	/* The call chain, NULL unless stacks were on; owned by the machine,
	 * valid until coh_machine_reset() or coh_machine_destroy(). */
	const coh_stack *stack;
} coh_event;

COH_API const char *coh_event_kind_name(enum coh_event_kind kind);
/* Number of events so far. */
COH_API uint64_t coh_machine_events(const coh_machine *m);
/* Copies the last at most n events, oldest first; returns how many. */
COH_API size_t coh_machine_trace_tail(const coh_machine *m, coh_event *out, size_t n);
/* Looks up one event if the trace still holds it; false if it aged out. */
COH_API bool coh_machine_event(const coh_machine *m, uint64_t no, coh_event *out);
/* Records a note event from a higher layer; returns its number. */
COH_API uint64_t coh_machine_note(coh_machine *m, int cpu, const char *note);
/* Formats one event on one line, without newline. */
COH_API int coh_event_format(const coh_event *ev, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
