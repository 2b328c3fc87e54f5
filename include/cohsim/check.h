/*
 * cohsim/check.h - the oracle and the findings it reports.
 *
 * The oracle keeps, for every physical byte, the value a coherent machine
 * would hold: the last value stored by a CPU or written by the device, in
 * global order. It checks every CPU load, every DMA read and every
 * write-back or discard of a cache line against it. Bytes never written are
 * undefined and never reported.
 *
 * Ownership: coh_check_create() attaches a checker to a machine; destroy the
 * checker before the machine. Findings are owned by the checker and live
 * until coh_check_reset() or coh_check_destroy().
 */
#ifndef COHSIM_CHECK_H
#define COHSIM_CHECK_H

#include <stdio.h>

#include "cohsim/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

enum coh_finding_kind {
	COH_F_STALE_READ,      /* a load returned a value other than the latest */
	COH_F_STALE_DMA,       /* the device read memory older than the latest */
	COH_F_LOST_WRITE,      /* a write-back or discard destroyed the latest value */
	COH_F_BAD_ACCESS,      /* access through an unmapped VA */
	COH_F_EXPECT_FAILED,   /* a litmus `expect` or scenario check did not hold */
	COH_F_DEADLOCK,        /* every task blocked */
	COH_F_LIVELOCK,        /* the step bound was reached */
	COH_F_SLEEP_IN_ATOMIC, /* sleeping with a spinlock held or IRQs off */
	COH_F_BUG,             /* a BUG_ON in the model */
	COH_F_API_MISUSE,      /* DMA-API-debug style misuse */
	COH_F_USE_AFTER_FREE,  /* access to a freed slab object, or use of a freed model object */
	COH_F_LOCK_INVERSION,  /* lockdep: IRQ-safe/unsafe usage or lock order broken */
	COH_F_DOUBLE_FREE,     /* kfree / kmem_cache_free of an object already freed */
	COH_F_OUT_OF_BOUNDS,   /* access to a slab red zone or a slot never allocated */
	COH_F_LOST_DURABLE_WRITE, /* after a power cut: a write acknowledged durable is gone */
	COH_F_KIND_COUNT
};

/* "stale-read", "lost-write", ... */
COH_API const char *coh_finding_kind_name(enum coh_finding_kind kind);

#define COH_FINDING_MAX_BYTES 16
#define COH_FINDING_TRACE 40

/* One side of a lock-inversion, as lockdep prints it: an acquisition of a
 * lock class, by whom, in which context, where, and its call chain. The
 * strings live as long as the program's (lock and task names) or the
 * finding (what); stack as long as the event stacks. */
typedef struct coh_lock_side {
	char what[128];      /* "{IN-HARDIRQ} taken in hardirq", "now", ... */
	const char *lock;    /* the class taken */
	const char *held;    /* the class held while it was taken; NULL: none */
	const char *task;    /* the task or handler */
	const char *context; /* "process", "softirq" or "hardirq" */
	unsigned cpu;
	const char *file; /* the lock call */
	unsigned line;
	const coh_stack *stack; /* NULL when stacks were off */
} coh_lock_side;

typedef struct coh_finding {
	enum coh_finding_kind kind;
	int cpu; /* -1: the device or none */
	coh_addr_t va, pa;
	bool has_addr;
	unsigned len; /* bytes in expected/seen (at most COH_FINDING_MAX_BYTES) */
	uint8_t expected[COH_FINDING_MAX_BYTES];
	uint8_t seen[COH_FINDING_MAX_BYTES];
	/* The event that exposed it (the load, the DMA read, the maintenance op). */
	coh_event trigger;
	/* The event that wrote the latest version; writer.no == 0 if unknown. */
	coh_event writer;
	bool writer_aged_out; /* writer.no is known, the details aged out */
	/* The stale copy: a cache line, or memory. */
	bool stale_is_line;
	int stale_cpu;
	unsigned stale_set, stale_way;
	coh_addr_t stale_line_va; /* the alias VA it was filled through */
	coh_addr_t stale_line_pa;
	uint64_t stale_since; /* event that filled the line, or last wrote memory */
	coh_event stale_fill; /* that fill event (its source line); no == 0 if aged out */
	char message[256];    /* one line: what happened, in words */
	/* The cause the trace shows, in words ("" if none is recognised), and
	 * the event it turns on (a remap; cause_event.no == 0 if none). */
	char cause[640];
	coh_event cause_event;
	/* Lifetime findings (use-after-free, double-free, out-of-bounds): the
	 * slab object involved, as KASAN names it. */
	bool has_object;
	coh_addr_t obj_va, obj_pa; /* its first byte */
	unsigned obj_size;         /* bytes asked for; 0: a slot never allocated */
	const char *obj_cache;     /* "kmalloc-32", or a kmem_cache's name */
	long long obj_offset;      /* the bad address minus obj_va */
	coh_event alloc_site;      /* the allocation (a note event); no == 0: none */
	coh_event free_site;       /* the (first) free; no == 0: not freed */
	/* lock-inversion: the acquisition that broke lockdep's rule, and the
	 * earlier one it conflicts with (nlock_sides == 2), or none (0). */
	coh_lock_side lock_sides[2];
	unsigned nlock_sides;
	coh_event tail[COH_FINDING_TRACE];
	unsigned ntail;
	/* Higher layers may attach a schedule string and a longer report. */
	char *schedule;
	char *detail;
} coh_finding;

typedef struct coh_check coh_check;

typedef struct coh_check_config {
	bool oracle;           /* check values; off = only bad-access and API findings */
	unsigned max_findings; /* findings kept per run; default 64 */
} coh_check_config;

COH_API void coh_check_config_init(coh_check_config *cfg);
COH_API int coh_check_create(coh_machine *m, const coh_check_config *cfg, coh_check **out);
COH_API void coh_check_destroy(coh_check *c);
/* Forgets all shadow state and findings (call after coh_machine_reset). */
COH_API void coh_check_reset(coh_check *c);

COH_API size_t coh_check_count(const coh_check *c);
COH_API const coh_finding *coh_check_get(const coh_check *c, size_t i);
/* Adds a finding from a higher layer; trigger and tail are filled from the
 * machine's trace. Returns the stored copy, or NULL when the cap is hit. */
COH_API coh_finding *coh_check_report(coh_check *c, enum coh_finding_kind kind, int cpu,
                                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The machine this checker is attached to. */
COH_API coh_machine *coh_check_machine(const coh_check *c);

/* Writes a sanitizer-style text report, or one JSON object. */
COH_API void coh_finding_print(const coh_finding *f, FILE *out);
COH_API void coh_finding_print_json(const coh_finding *f, FILE *out);
/* Writes s as a JSON string literal, with quotes. */
COH_API void coh_json_string(FILE *out, const char *s);
/* Sets f->schedule / f->detail (copied; freed with the finding). */
COH_API int coh_finding_set_schedule(coh_finding *f, const char *schedule);
COH_API int coh_finding_set_detail(coh_finding *f, const char *detail);

#ifdef __cplusplus
}
#endif
#endif
