/*
 * sched_impl.h - the scheduler's insides, shared by the files of src/sched.
 * Never installed.
 *
 * Invariants:
 * - s->cur is the context running now (NULL on the host stack). Only it
 *   touches simulated state; every switch goes through coh__dispatch().
 * - cpu->hardirq / cpu->softirq / cpu->curr form each CPU's context stack,
 *   top first. cpu->curr is the process task that holds the CPU; it stays
 *   there while it spins on a lock, and leaves when it sleeps or ends.
 * - Entities (tasks, IRQ lines, softirqs, I/O completions) have keys that
 *   depend only on the execution's history, never on host addresses.
 * - Every recorded choice has n >= 2; value 0 is the default.
 */
#ifndef COHSIM_SCHED_IMPL_H
#define COHSIM_SCHED_IMPL_H

#include "cohsim/sched.h"
#include "sched/ctx.h"

#define COH__SLOTS 64       /* tasks + IRQ/softirq handler instances */
#define COH__LOG 8          /* timeline entries kept per task */
#define COH__FP_OBJS 8      /* objects in a footprint before it turns global */
#define COH__MAX_PENDING 32 /* softirqs and I/O completions pending */

enum coh__tstate { COH__T_FREE, COH__T_RUNNABLE, COH__T_BLOCKED, COH__T_DONE };

struct coh__step_log {
	uint64_t step;
	uint64_t ev; /* machine event count at the point: the op is ev + 1 */
	unsigned cpu;
	const char *op; /* "spin_lock", "mem" (then the event names it), ... */
	const char *obj;
	const char *file;
	unsigned line;
};

/* The steps of all contexts in global order (the report's timeline window),
 * and the non-default choices as marker steps (op "deviation"). */
#define COH__GLOG 1024
struct coh__gstep {
	uint64_t step;
	uint64_t ev; /* machine event count at the point: the op is ev + 1 */
	const char *task;
	unsigned cpu;
	uint8_t ctxk;
	const char *op, *obj, *file;
	unsigned line;
};

/* lockdep.c: lock classes, their IRQ usage and their order */
#define COH__LD_CLASSES 64
#define COH__LD_HELD 16
enum coh__ld_usage {
	COH__LD_IN_HARDIRQ,
	COH__LD_HARDIRQ_ON,
	COH__LD_IN_SOFTIRQ,
	COH__LD_SOFTIRQ_ON,
	COH__LD_USAGES
};
struct coh__ld_use { /* the first time a class was used so */
	bool seen;
	const char *task;
	enum coh_ctx ctx;
	unsigned cpu;
	const char *file;
	unsigned line;
	const coh_stack *stack; /* when the machine's stacks are on */
};
struct coh__ld_class {
	const char *name;
	struct coh__ld_use use[COH__LD_USAGES];
};
struct coh__lockdep {
	unsigned nclass;
	bool reported; /* one report per execution */
	uint64_t gen;  /* counts changes: classes, usages, edges, reports */
	struct coh__ld_class cls[COH__LD_CLASSES];
	bool edge_seen[COH__LD_CLASSES][COH__LD_CLASSES]; /* [a][b]: b taken holding a */
	struct coh__ld_use edge[COH__LD_CLASSES][COH__LD_CLASSES];
};

struct coh_task {
	unsigned slot;
	unsigned id; /* creation order in this execution */
	const char *name;
	unsigned cpu;
	enum coh_ctx ctxk;
	coh_task_fn fn;
	void *arg;
	unsigned irq; /* hardirq: the line */
	struct coh__ctx ctx;
	enum coh__tstate st;
	bool spinning; /* blocked on a spinlock: keeps its CPU */
	int preempt, bh;
	bool irqs_off;
	int state; /* COH_TASK_RUNNING / _UNINTERRUPTIBLE (wait queues) */
	bool yielded;
	unsigned locks; /* spinlocks held (for the exit check) */
	struct {        /* lock classes held, in order (lockdep.c) */
		unsigned cls;
		const char *file;
		unsigned line;
	} held[COH__LD_HELD];
	unsigned nheld;
	void *data; /* coh_task_set_data */
	/* what it is blocked on, for deadlock reports */
	const char *wait_kind;
	const char *wait_name;
	const void *wait_obj;
	coh_task *wait_holder;
	const char *wait_file;
	unsigned wait_line;
	struct coh__step_log log[COH__LOG];
	unsigned nlog;
};

/* A footprint: what one segment of execution (between two recorded
 * scheduling choices) touched. Used by DFS sleep sets. */
struct coh__fp {
	bool global; /* conflicts with everything */
	int cpu;     /* -1 none yet */
	bool mem;    /* touched the machine */
	unsigned nobj;
	uint64_t obj[COH__FP_OBJS]; /* (class << 56) | id */
	uint8_t wr[COH__FP_OBJS];
};

enum coh__cand_type { COH__C_TASK, COH__C_IRQ, COH__C_SOFTIRQ, COH__C_IO };

struct coh__cand {
	enum coh__cand_type type;
	unsigned key; /* stable entity key */
	coh_task *task;
	unsigned cpu, irq, pidx;
};

/* A choice point as a strategy sees it. */
struct coh__choice_pt {
	enum coh_choice_kind kind;
	unsigned n;
	bool free;                    /* any value costs no preemption */
	const struct coh__cand *cand; /* SCHED only: n candidates, [0] default */
};

struct coh__recorded {
	uint8_t kind;
	unsigned n, value;
};

/* A strategy: decides each choice of an execution. */
struct coh__strategy {
	void *st;
	unsigned (*choose)(void *st, coh_sched *s, const struct coh__choice_pt *pt, size_t idx);
};

struct coh__pending {
	coh_task_fn fn;
	void *arg;
	const char *name;
	unsigned cpu;
	unsigned seq;
	const coh_stack *origin; /* the chain that queued it (stacks on only) */
};

#define COH__RECENT_LINES 4

struct coh__cpu {
	coh_task *curr, *softirq, *hardirq;
	uint32_t irq_pending; /* bit i: IRQ line i is pending here */
	uint64_t runnable;    /* bit i: slot i holds a runnable process task of this CPU */
	/* the lines this CPU loaded or stored last (distinct line VAs, a ring):
	 * what its prefetcher may fetch again while a device works */
	coh_addr_t recent[COH__RECENT_LINES];
	unsigned nrecent;
	coh_task *last_proc; /* the process task it ran last (the switch hook's prev) */
};

struct coh__irq {
	coh_irq_handler handler;
	void *arg;
	const char *name;
};

enum coh__run_status {
	COH__RUN_OK,
	COH__RUN_DEADLOCK,
	COH__RUN_LIVELOCK,
	COH__RUN_ABORT,
	COH__RUN_TIMEOUT, /* the explorer's deadline passed: the execution is cut */
};

struct coh_sched {
	coh_machine *m;
	coh_check *chk;
	unsigned ncpus;
	struct coh__ctx host;
	size_t stack_size;
	coh_task *slots[COH__SLOTS];
	uint64_t blocked; /* bit i: slots[i] is COH__T_BLOCKED */
	unsigned ntasks;  /* ids handed out this execution */
	coh_task *cur;
	struct coh__cpu cpu[COH_MAX_CPUS];
	struct coh__irq irq[COH_MAX_IRQS];
	struct coh__pending softirq[COH__MAX_PENDING];
	unsigned nsoftirq;
	struct coh__pending io[COH__MAX_PENDING];
	unsigned nio, io_seq, softirq_seq;
	uint64_t epoch; /* execution number, for lazy sync-object ids */
	uint32_t next_obj;
	uint64_t steps, max_steps;
	/* The explorer's time limit (CLOCK_MONOTONIC seconds; 0 = none),
	 * checked every few hundred steps and inside long machine operations;
	 * time_up says it cut the last execution (or its setup). */
	double deadline;
	bool time_up;
	uint64_t nlogged; /* timeline entries so far: their global order */
	enum coh__run_status status;
	bool running; /* between setup and the end of the tasks */
	bool in_hook; /* suppresses nested preemption points */
	bool in_device;
	coh_switch_hook switch_hook; /* coh_sched_set_switch_hook */
	void *switch_ctx;
	coh_task_hook task_hook; /* coh_sched_set_task_hook */
	void *task_ctx;
	/* choices */
	struct coh__strategy strat;
	struct coh__recorded *rec;
	size_t nrec, caprec;
	bool evictions;
	bool speculation;                 /* set by the explorer before each run */
	unsigned max_evictions, nevicted; /* the bound (0: none), taken so far */
	unsigned faults;
	bool abort_req;
	/* footprint of the current segment, and of the last finished one;
	 * kept only when footprints is set (by the explorer, for sleep sets) */
	bool footprints;
	struct coh__fp fp;
	coh_task *seg_owner; /* entity chosen at the last recorded SCHED choice */
	bool seg_switched;   /* another entity ran in this segment */
	uint64_t seg_ev;     /* machine event count at the segment start */
	size_t seg_nfind;    /* findings at the segment start */
	struct coh__fp last_fp;
	bool slept_reported; /* one sleep-in-atomic report per execution */
	/* where the sched layer reported its findings: key per finding index */
	char report_site[64][96];
	uint64_t run_max_entities;
	bool lockdep; /* check lock classes (default on) */
	struct coh__gstep glog[COH__GLOG];
	uint64_t nglog; /* entries written; glog[i % COH__GLOG] */
	struct coh__lockdep ld;
	const coh_watcher *watch; /* NULL: nobody watches (watch.c) */
	uint64_t watch_ev;        /* machine events handed to the watcher so far */
};

/* watch.c: the explorer's watcher, if any (s->watch != NULL) */
void coh__watch_begin(coh_sched *s);
/* Hands the machine events since the last call to the watcher, as done by
 * who (NULL: the host; device: the I/O completion named dev). */
void coh__watch_events(coh_sched *s, const coh_task *who, const char *dev);
void coh__watch_step(coh_sched *s, const coh_task *t, const char *op, const char *obj,
                     const char *file, unsigned line);
void coh__watch_end(coh_sched *s);

/* sched.c */
extern coh_sched *coh__cur_sched;
/* Ends the execution with status st, from the running context (does not
 * return to it) or, with no running task, at once. */
void coh__end_run(coh_sched *s, enum coh__run_status st);
/* sched_hooks.c: the machine's hooks set (init) and cleared (fini); has
 * the deadline (s->deadline, 0: none) passed? */
int coh__sched_init(coh_sched *s, coh_machine *m, coh_check *chk, size_t stack_size);
void coh__sched_fini(coh_sched *s);
bool coh__past_deadline(const coh_sched *s);
/* One execution of prog with strategy strat; returns 0 or setup's status. */
/* In atomic context: preemption or bottom halves off, IRQs off, or not a
 * process context. */
static inline bool coh__task_atomic(const coh_task *t)
{
	return t->preempt > 0 || t->bh > 0 || t->irqs_off || t->ctxk != COH_CTX_PROCESS;
}

/* Sets t's state, keeping its CPU's runnable mask (candidates() in sched.c
 * reads it instead of scanning every slot) and the mask of blocked slots
 * (coh__wake_obj). Every state change goes here. */
static inline void coh__task_set_state(coh_sched *s, coh_task *t, enum coh__tstate st)
{
	t->st = st;
	if (st == COH__T_BLOCKED)
		s->blocked |= 1ull << t->slot;
	else
		s->blocked &= ~(1ull << t->slot);
	if (t->ctxk != COH_CTX_PROCESS)
		return;
	if (st == COH__T_RUNNABLE)
		s->cpu[t->cpu].runnable |= 1ull << t->slot;
	else
		s->cpu[t->cpu].runnable &= ~(1ull << t->slot);
}

/* sched_report.c: "runnable", "spinning", "sleeping", "done" or "free". */
const char *coh__task_state_name(const coh_task *t);

/* evict.c: evictions and speculative fills as choices. */
void coh__maybe_evict(coh_sched *s, unsigned cpu);
void coh__maybe_speculate(coh_sched *s);
void coh__note_recent_access(coh_sched *s);

int coh__sched_run(coh_sched *s, const coh_program *prog, const struct coh__strategy *strat,
                   uint64_t max_steps, bool evictions, unsigned faults);
/* A preemption point of the running context (what: the op about to run). */
void coh__point(coh_sched *s, const char *op, const char *obj, const char *file, unsigned line);
/* Blocks the running context on obj until coh__wake_obj(obj) or
 * coh__wake(t) makes it runnable again. spinning: keeps its CPU. */
void coh__block(coh_sched *s, bool spinning, const char *kind, const char *name, const void *obj,
                coh_task *holder, const char *file, unsigned line);
void coh__wake(coh_sched *s, coh_task *t);
void coh__wake_obj(coh_sched *s, const void *obj);
/* sched_report.c: a finding of this layer at file:line (the dedup site);
 * sleep-in-atomic; deadlock (every task not done is blocked or held off
 * its CPU), reported with no running task. */
coh_finding *coh__report(coh_sched *s, enum coh_finding_kind kind, const char *file, unsigned line,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Sleep-in-atomic check for an operation that may sleep. */
void coh__check_sleep(coh_sched *s, const char *what, const char *file, unsigned line);
void coh__report_deadlock(coh_sched *s);
/* footprint.c: a segment's footprint, for sleep sets */
void coh__fp_reset(struct coh__fp *fp, int cpu);
void coh__segment_begin(coh_sched *s, const struct coh__cand *c);
/* Ends the current segment: its footprint becomes s->last_fp. */
void coh__segment_end(coh_sched *s);
/* Footprint: the running segment touched sync object o. */
void coh__fp_obj(coh_sched *s, struct coh__syncobj *o, bool write);
void coh__fp_global(coh_sched *s);
/* Footprint: the running segment read (or changed) lockdep's graph. */
void coh__fp_lockdep(coh_sched *s, bool write);
bool coh__fp_independent(const struct coh__fp *a, const struct coh__fp *b);
/* Writes the timeline of the last execution into a malloc'd string: the
 * steps of every context in global order, around machine event `around`
 * (0: the end of the execution), runs of one step collapsed, the choices
 * the explorer made marked; then each task's state. */
char *coh__timeline(coh_sched *s, uint64_t around);
/* Appends a step to the global log (sched.c). */
void coh__glog(coh_sched *s, const char *op, const char *obj, const char *file, unsigned line);

/* lockdep.c */
void coh__lockdep_reset(struct coh__lockdep *ld);
void coh__lockdep_acquire(coh_sched *s, const char *name, const char *file, unsigned line,
                          bool trylock);
void coh__lockdep_release(coh_sched *s, const char *name);

/* task.c */
coh_task *coh__task_alloc(coh_sched *s, const char *name, unsigned cpu, enum coh_ctx ctxk,
                          coh_task_fn fn, void *arg);
void coh__task_start(coh_sched *s, coh_task *t); /* arms its context */
void coh__tasks_free(coh_sched *s);
/* context.c: runs the task hook (created, or exiting as t) */
void coh__task_hook(coh_sched *s, coh_task *t, bool exiting);

/* choice.c */
unsigned coh__choose_pt(coh_sched *s, const struct coh__choice_pt *pt);
/* What a schedule string carries besides the choices: the options that
 * change which choices exist. */
#define COH__DEFAULT_MAX_STEPS 100000
struct coh__sched_flags {
	bool evictions;
	bool speculation;       /* speculative fills before I/O completions */
	unsigned max_evictions; /* 0: no bound */
	unsigned faults;
	uint64_t max_steps;
};
/* Encodes recorded choices as a schedule string (malloc'd). */
char *coh__schedule_encode(const struct coh__recorded *rec, size_t n,
                           const struct coh__sched_flags *fl);
/* Parses a schedule string into (index, value) deviations. */
struct coh__deviation {
	size_t idx;
	unsigned value;
};
int coh__schedule_parse(const char *str, struct coh__deviation **devs, size_t *ndev,
                        struct coh__sched_flags *fl);
/* A strategy that replays deviations (and 0 elsewhere). */
struct coh__replay {
	const struct coh__deviation *devs;
	size_t ndev, next;
};
void coh__replay_strategy(struct coh__replay *r, struct coh__strategy *out);

/* sync objects */
uint32_t coh__obj_id(coh_sched *s, struct coh__syncobj *o);

/* splitmix64: the one PRNG */
static inline uint64_t coh__mix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#endif
