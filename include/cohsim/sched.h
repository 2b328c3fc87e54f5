/*
 * cohsim/sched.h - deterministic tasks, kernel sync primitives, the one
 * choice interface, and the explorer that searches schedules.
 *
 * Model. A *program* (coh_program) is one execution: setup() creates tasks
 * and registers IRQ handlers, the tasks run to completion interleaved on
 * simulated CPUs, finish() checks the outcome. The explorer runs the program
 * many times, each time resolving every nondeterministic choice (which task
 * runs at a preemption point, when a pending IRQ fires, which pending I/O
 * completion arrives next, spontaneous eviction / speculative fill, injected
 * faults) through coh_choose(). The sequence of choices is the *schedule*; its
 * string form ("v1:...") replays the execution exactly.
 *
 * Contexts. Every piece of simulated code runs in a context, as in Linux:
 * - COH_CTX_PROCESS: a task made with coh_task_create(); may sleep.
 * - COH_CTX_SOFTIRQ: a handler raised with coh_softirq_raise(); runs with
 *   bottom halves disabled on its CPU; may not sleep.
 * - COH_CTX_HARDIRQ: a handler registered with coh_request_irq() and
 *   delivered after coh_irq_raise(); runs to completion on its CPU with IRQs
 *   off, on top of whatever it interrupted; may not sleep.
 * A process task is pinned to one CPU. While a task is in atomic context
 * (spinlock held, preempt or bh disabled, IRQs off) no other task of its CPU
 * runs; tasks of other CPUs interleave with it freely.
 *
 * Preemption points: before every public machine operation (load, store,
 * maintenance, DMA...), at every sync operation, and at coh_preempt_point().
 * Code between two points runs atomically. Sync objects (locks, atomics,
 * wait queues) live in host memory and are not cached: only data placed in
 * the simulated machine is subject to the cache model.
 *
 * Findings this layer reports through the checker: deadlock (every live task
 * blocked; the report lists what each waits on), livelock (step bound hit),
 * sleep-in-atomic, and BUG (unlock of a lock not held, task exits holding a
 * lock or with IRQs off, double complete of a non-reinit'd object is fine).
 *
 * One scheduler runs at a time per process (the API below finds it through
 * a process-global "current" pointer, set while coh_explore() or
 * coh_sched_run_once() runs). Worker processes made by --jobs each have their
 * own. Nothing here is thread-safe.
 *
 * Source locations: the sync API is made of macros that pass __FILE__ and
 * __LINE__ to the real function (coh__spin_lock(l, __FILE__, __LINE__)).
 * This costs two words per call, is exact even after inlining, needs no
 * debug info or unwinder at run time (libdw/libunwind would be slow on every
 * step and vary with build flags), and is deterministic, so replay reports
 * stay byte-identical across builds of the same source.
 *
 * Ownership: the explorer owns machine, checker, scheduler and all tasks; a
 * program must not keep pointers to them beyond one execution. Task stacks
 * are reused between executions; a task cut short by a deadlock or a step
 * bound is simply abandoned (its stack is reset), so tasks must not own host
 * resources that need freeing: keep those in the program's ctx, set up and
 * torn down outside coh_explore().
 */
#ifndef COHSIM_SCHED_H
#define COHSIM_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cohsim/check.h"
#include "cohsim/common.h"
#include "cohsim/machine.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct coh_sched coh_sched;
typedef struct coh_task coh_task;
typedef void (*coh_task_fn)(void *arg);

enum coh_ctx { COH_CTX_PROCESS, COH_CTX_SOFTIRQ, COH_CTX_HARDIRQ };

/* ---- the program: one execution ---- */

typedef struct coh_program {
	const char *name; /* for reports; may be NULL */
	void *ctx;        /* passed to the callbacks, owned by the caller */
	/* Configures the fresh machine (maps, initial memory), creates tasks,
	 * registers IRQ handlers. Runs on the host stack, outside any task:
	 * machine operations here are not preemption points. Non-zero = error
	 * (the explorer stops with that status). */
	int (*setup)(void *ctx, coh_sched *s);
	/* After every task ended (not after a deadlock or livelock): the final
	 * check, e.g. coh_check_report(.., COH_F_EXPECT_FAILED, ..). May be NULL. */
	void (*finish)(void *ctx, coh_sched *s);
} coh_program;

/* ---- tasks (call from setup or from a running task) ---- */

/* Creates a process-context task on cpu that will run fn(arg). name must
 * outlive the execution (a literal, or owned by the program ctx). Returns
 * NULL if cpu is out of range or the task limit (COH_MAX_TASKS unfinished
 * process tasks) is hit. */
#define COH_MAX_TASKS 32
COH_API coh_task *coh_task_create(coh_sched *s, const char *name, unsigned cpu, coh_task_fn fn,
                                  void *arg);

COH_API coh_machine *coh_sched_machine(coh_sched *s);
/* True once the explorer's time limit (coh_explore_config.time_s) has passed
 * during this execution: a long setup() should then stop and return
 * COH_ETIMEDOUT (the execution is not counted). Inside tasks the scheduler
 * checks the limit itself, at preemption points and in long operations. */
COH_API bool coh_sched_time_is_up(coh_sched *s);
COH_API coh_check *coh_sched_check(coh_sched *s);
/* The scheduler of the running execution, or NULL. */
COH_API coh_sched *coh_sched_current(void);
/* The running context (a task, or an IRQ/softirq handler instance); NULL on
 * the host stack (setup, finish). */
COH_API coh_task *coh_current(void);
COH_API const char *coh_task_name(const coh_task *t);
COH_API unsigned coh_task_cpu(const coh_task *t);
COH_API enum coh_ctx coh_task_context(const coh_task *t);
/* The CPU of the running context (0 on the host stack). */
COH_API unsigned coh_this_cpu(void);
/* Ends the running execution at the next scheduling point, as a BUG() does
 * in the kernel model: the tasks are abandoned, finish() is not called. */
COH_API void coh_sched_abort(coh_sched *s);
/* Number of scheduling steps taken so far in this execution. */
COH_API uint64_t coh_sched_steps(const coh_sched *s);

/* A per-task pointer for the layer above (the kernel's task_struct). NULL
 * when a task is created; owned by whoever sets it. */
COH_API void coh_task_set_data(coh_task *t, void *data);
COH_API void *coh_task_data(const coh_task *t);

/* The context-switch hook: fn(cpu, prev, next, ctx) runs when cpu starts
 * running a process-context task `next` other than the last process task
 * it ran (`prev`, NULL at the CPU's first one). It runs at the switch
 * itself, before next runs, as next on next's CPU (coh_current() is next),
 * with preemption points suppressed: its machine operations happen at once.
 * IRQ and softirq handlers do not count, so a return from one to the task
 * it interrupted is no switch. One hook per scheduler; call from setup
 * (every execution starts with none). fn NULL removes it. */
typedef void (*coh_switch_hook)(unsigned cpu, coh_task *prev, coh_task *next, void *ctx);
COH_API void coh_sched_set_switch_hook(coh_sched *s, coh_switch_hook fn, void *ctx);

/* The task hook: fn(t, exiting, ctx) runs when coh_task_create() has made
 * the process task t (exiting false, before t first runs; from setup or
 * from the creating task) and when t's function has returned (exiting
 * true, as t, before its end is seen). Preemption points are suppressed
 * inside. A task abandoned by a deadlock, a step bound or an abort gets no
 * exit call. One hook per scheduler; call from setup (every execution
 * starts with none). fn NULL removes it. */
typedef void (*coh_task_hook)(coh_task *t, bool exiting, void *ctx);
COH_API void coh_sched_set_task_hook(coh_sched *s, coh_task_hook fn, void *ctx);

/* ---- preemption points, contexts, IRQs ---- */

#define coh_preempt_point() coh__preempt_point(__FILE__, __LINE__)
/* A spin-wait hint: the next point prefers to run another task, so that
 * busy-wait loops make progress under every strategy. */
#define coh_cpu_relax() coh__cpu_relax(__FILE__, __LINE__)
/* A sleep point that must not be reached in atomic context (might_sleep()). */
#define coh_might_sleep() coh__might_sleep(__FILE__, __LINE__)
/* Gives the CPU up: a preemption point, and a sleep if the task's state was
 * set to sleeping by coh_prepare_to_wait() and no wake_up came since. */
#define coh_schedule() coh__schedule(__FILE__, __LINE__)

COH_API void coh_preempt_disable(void);
COH_API void coh_preempt_enable(void); /* a preemption point when it drops to 0 */
COH_API void coh_local_irq_disable(void);
COH_API void coh_local_irq_enable(void);
COH_API unsigned long coh_local_irq_save(void);
COH_API void coh_local_irq_restore(unsigned long flags);
COH_API bool coh_irqs_disabled(void);
COH_API void coh_local_bh_disable(void);
COH_API void coh_local_bh_enable(void);
COH_API bool coh_in_atomic(void);    /* spinlock/preempt/bh/irq-off or irq context */
COH_API bool coh_in_interrupt(void); /* hardirq or softirq context */

typedef void (*coh_irq_handler)(unsigned irq, void *arg);
#define COH_MAX_IRQS 16
/* request_irq(): registers handler for line irq (< COH_MAX_IRQS). Returns 0
 * or COH_EINVAL / COH_EBUSY. Call from setup. */
COH_API int coh_request_irq(coh_sched *s, unsigned irq, coh_irq_handler handler, void *arg,
                            const char *name);
/* Makes irq pending on cpu (a device asserting the line). The handler runs
 * at a later preemption point where that CPU has IRQs enabled; when is a
 * choice. A line already pending is not queued twice (level semantics). */
COH_API void coh_irq_raise(coh_sched *s, unsigned irq, unsigned cpu);
/* raise_softirq(): fn(arg) will run in softirq context on cpu, at a choice
 * point where cpu has IRQs on and bottom halves enabled. */
COH_API void coh_softirq_raise(coh_sched *s, unsigned cpu, coh_task_fn fn, void *arg,
                               const char *name);
/* A pending I/O completion: the device will run fn(arg) at some later point
 * (it typically DMAs and raises an IRQ). Pending completions arrive in an
 * order chosen by the schedule. fn runs atomically, as the actor "device",
 * and must not block. */
COH_API void coh_io_complete_later(coh_sched *s, coh_task_fn fn, void *arg, const char *name);

/* Runs fn(arg) now, as the device reacting to a register access: atomic
 * (no preemption points inside), actor "device", no site and no call chain
 * of the task that made the access (the device's code sets its own).
 * Nested calls just call fn. */
COH_API void coh_device_call(coh_sched *s, coh_task_fn fn, void *arg);

/* ---- the one choice interface ---- */

enum coh_choice_kind {
	COH_CHOICE_SCHED, /* who runs: a task, an IRQ, a softirq, an I/O completion */
	COH_CHOICE_EVICT, /* spontaneous eviction / speculative fill (0 = none) */
	COH_CHOICE_FAULT, /* injected fault (0 = no fault, 1 = fail) */
	COH_CHOICE_DATA,  /* a free choice of the program (e.g. litmus alternatives) */
	/* a store entered a CPU's write buffer: 0 = the buffer drains now,
	 * 1 = the store is late (stays until a barrier forces it), 2 = it
	 * drains alone, overtaking older late stores (when there are some) */
	COH_CHOICE_WBUF,
	/* a load of bufferable memory after another with no read barrier
	 * between, when the device wrote its bytes in between: 0 = it sees
	 * memory now, 1 = it was satisfied early (docs/drivers.md) */
	COH_CHOICE_RLOAD,
	COH_CHOICE_KIND_COUNT
};

/* Returns a value in [0, n); 0 is always the "default" (no preemption, no
 * eviction, no fault). n <= 1 returns 0 and records nothing. Every call is
 * recorded in the schedule; call it only from deterministic places. */
COH_API unsigned coh_choose(coh_sched *s, enum coh_choice_kind kind, unsigned n);

enum coh_fault {
	COH_FAULT_IO = 0,    /* an I/O request fails with -EIO */
	COH_FAULT_ALLOC = 1, /* an allocation fails */
	COH_FAULT_INVAL = 2, /* a cache invalidation silently does nothing */
	COH_FAULT_COUNT
};
/* Should the operation fail here? Always false unless the explorer config
 * enables this fault kind; then a choice. */
COH_API bool coh_inject_fault(coh_sched *s, enum coh_fault kind);

/* ---- sync primitives (kernel semantics; every operation is a preemption
 * point; objects must be initialised with their _init, or zeroed) ---- */

struct coh__syncobj {
	uint64_t epoch; /* the execution the id below belongs to */
	uint32_t id;    /* deterministic per-execution id (for POR, reports) */
};

typedef struct coh_spinlock {
	struct coh__syncobj o;
	coh_task *owner;
	const char *name;
	const char *file; /* where the owner took it */
	unsigned line;
} coh_spinlock;

typedef struct coh_mutex {
	struct coh__syncobj o;
	coh_task *owner;
	const char *name;
	const char *file;
	unsigned line;
} coh_mutex;

typedef struct coh_rwsem {
	struct coh__syncobj o;
	int readers;      /* > 0: readers hold it */
	coh_task *writer; /* a writer holds it */
	unsigned writers_waiting;
	const char *name;
} coh_rwsem;

typedef struct coh_wait_entry {
	coh_task *task;
	struct coh_wait_entry *next;
	bool queued;
} coh_wait_entry;

typedef struct coh_wait_queue_head {
	struct coh__syncobj o;
	coh_wait_entry *head; /* FIFO */
	const char *name;
} coh_wait_queue_head;

typedef struct coh_completion {
	struct coh__syncobj o;
	unsigned done;
	coh_wait_queue_head wait;
	const char *name;
} coh_completion;

typedef struct coh_atomic {
	struct coh__syncobj o;
	int counter;
} coh_atomic;

COH_API void coh_spin_lock_init(coh_spinlock *l, const char *name);
COH_API void coh_mutex_init(coh_mutex *m, const char *name);
COH_API void coh_init_rwsem(coh_rwsem *r, const char *name);
COH_API void coh_init_waitqueue_head(coh_wait_queue_head *wq, const char *name);
COH_API void coh_init_completion(coh_completion *c, const char *name);
COH_API void coh_reinit_completion(coh_completion *c);
COH_API void coh_atomic_init(coh_atomic *a, int v);
COH_API bool coh_spin_is_locked(const coh_spinlock *l);
COH_API bool coh_mutex_is_locked(const coh_mutex *m);

#define COH__S __FILE__, __LINE__
#define coh_spin_lock(l) coh__spin_lock(l, COH__S)
#define coh_spin_unlock(l) coh__spin_unlock(l, COH__S)
#define coh_spin_trylock(l) coh__spin_trylock(l, COH__S)
#define coh_spin_lock_irq(l) coh__spin_lock_irq(l, COH__S)
#define coh_spin_unlock_irq(l) coh__spin_unlock_irq(l, COH__S)
#define coh_spin_lock_irqsave(l, flags) ((flags) = coh__spin_lock_irqsave(l, COH__S))
#define coh_spin_unlock_irqrestore(l, flags) coh__spin_unlock_irqrestore(l, flags, COH__S)
#define coh_spin_lock_bh(l) coh__spin_lock_bh(l, COH__S)
#define coh_spin_unlock_bh(l) coh__spin_unlock_bh(l, COH__S)
#define coh_mutex_lock(m) coh__mutex_lock(m, COH__S)
#define coh_mutex_trylock(m) coh__mutex_trylock(m, COH__S)
#define coh_mutex_unlock(m) coh__mutex_unlock(m, COH__S)
#define coh_down_read(r) coh__down_read(r, COH__S)
#define coh_up_read(r) coh__up_read(r, COH__S)
/* down_read_non_owner / up_read_non_owner (kernel/rwsem.c): released by
 * another context than the one that took it; no lockdep annotation. */
#define coh_down_read_non_owner(r) coh__down_read_non_owner(r, COH__S)
#define coh_up_read_non_owner(r) coh__up_read_non_owner(r, COH__S)
#define coh_down_write(r) coh__down_write(r, COH__S)
#define coh_up_write(r) coh__up_write(r, COH__S)
#define coh_downgrade_write(r) coh__downgrade_write(r, COH__S)
/* Task states for coh_prepare_to_wait. */
#define COH_TASK_RUNNING 0
#define COH_TASK_UNINTERRUPTIBLE 2
#define coh_prepare_to_wait(wq, e, state) coh__prepare_to_wait(wq, e, state, COH__S)
#define coh_finish_wait(wq, e) coh__finish_wait(wq, e, COH__S)
#define coh_wake_up(wq) coh__wake_up(wq, false, COH__S)
#define coh_wake_up_all(wq) coh__wake_up(wq, true, COH__S)
/* wait_event(wq, cond): the kernel macro, built from the pieces above. */
#define coh_wait_event(wq, cond)                                                                   \
	do {                                                                                       \
		coh_wait_entry coh__we = {0};                                                      \
		for (;;) {                                                                         \
			coh_prepare_to_wait(&(wq), &coh__we, COH_TASK_UNINTERRUPTIBLE);            \
			if (cond)                                                                  \
				break;                                                             \
			coh_schedule();                                                            \
		}                                                                                  \
		coh_finish_wait(&(wq), &coh__we);                                                  \
	} while (0)
#define coh_complete(c) coh__complete(c, false, COH__S)
#define coh_complete_all(c) coh__complete(c, true, COH__S)
#define coh_wait_for_completion(c) coh__wait_for_completion(c, COH__S)
#define coh_try_wait_for_completion(c) coh__try_wait_for_completion(c, COH__S)
#define coh_completion_done(c) ((c)->done != 0)
#define coh_atomic_read(a) coh__atomic_op(a, COH__ATOMIC_READ, 0, 0, COH__S)
#define coh_atomic_set(a, v) ((void)coh__atomic_op(a, COH__ATOMIC_SET, v, 0, COH__S))
#define coh_atomic_add(v, a) ((void)coh__atomic_op(a, COH__ATOMIC_ADD_RETURN, v, 0, COH__S))
#define coh_atomic_sub(v, a) ((void)coh__atomic_op(a, COH__ATOMIC_ADD_RETURN, -(v), 0, COH__S))
#define coh_atomic_inc(a) coh_atomic_add(1, a)
#define coh_atomic_dec(a) coh_atomic_sub(1, a)
#define coh_atomic_add_return(v, a) coh__atomic_op(a, COH__ATOMIC_ADD_RETURN, v, 0, COH__S)
#define coh_atomic_sub_return(v, a) coh__atomic_op(a, COH__ATOMIC_ADD_RETURN, -(v), 0, COH__S)
#define coh_atomic_inc_return(a) coh_atomic_add_return(1, a)
#define coh_atomic_dec_return(a) coh_atomic_sub_return(1, a)
#define coh_atomic_fetch_add(v, a) coh__atomic_op(a, COH__ATOMIC_FETCH_ADD, v, 0, COH__S)
#define coh_atomic_dec_and_test(a) (coh_atomic_dec_return(a) == 0)
#define coh_atomic_inc_and_test(a) (coh_atomic_inc_return(a) == 0)
#define coh_atomic_sub_and_test(v, a) (coh_atomic_sub_return(v, a) == 0)
#define coh_atomic_xchg(a, v) coh__atomic_op(a, COH__ATOMIC_XCHG, v, 0, COH__S)
#define coh_atomic_cmpxchg(a, old, new) coh__atomic_op(a, COH__ATOMIC_CMPXCHG, new, old, COH__S)

/* The functions behind the macros (file/line: the caller's site). */
enum coh__atomic_opcode {
	COH__ATOMIC_READ,
	COH__ATOMIC_SET,
	COH__ATOMIC_ADD_RETURN,
	COH__ATOMIC_FETCH_ADD,
	COH__ATOMIC_XCHG,
	COH__ATOMIC_CMPXCHG
};
COH_API void coh__preempt_point(const char *file, unsigned line);
COH_API void coh__cpu_relax(const char *file, unsigned line);
COH_API void coh__might_sleep(const char *file, unsigned line);
COH_API void coh__schedule(const char *file, unsigned line);
COH_API void coh__spin_lock(coh_spinlock *l, const char *file, unsigned line);
COH_API void coh__spin_unlock(coh_spinlock *l, const char *file, unsigned line);
COH_API int coh__spin_trylock(coh_spinlock *l, const char *file, unsigned line);
COH_API void coh__spin_lock_irq(coh_spinlock *l, const char *file, unsigned line);
COH_API void coh__spin_unlock_irq(coh_spinlock *l, const char *file, unsigned line);
COH_API unsigned long coh__spin_lock_irqsave(coh_spinlock *l, const char *file, unsigned line);
COH_API void coh__spin_unlock_irqrestore(coh_spinlock *l, unsigned long flags, const char *file,
                                         unsigned line);
COH_API void coh__spin_lock_bh(coh_spinlock *l, const char *file, unsigned line);
COH_API void coh__spin_unlock_bh(coh_spinlock *l, const char *file, unsigned line);
COH_API void coh__mutex_lock(coh_mutex *m, const char *file, unsigned line);
COH_API int coh__mutex_trylock(coh_mutex *m, const char *file, unsigned line);
COH_API void coh__mutex_unlock(coh_mutex *m, const char *file, unsigned line);
COH_API void coh__down_read(coh_rwsem *r, const char *file, unsigned line);
COH_API void coh__up_read(coh_rwsem *r, const char *file, unsigned line);
COH_API void coh__down_read_non_owner(coh_rwsem *r, const char *file, unsigned line);
COH_API void coh__up_read_non_owner(coh_rwsem *r, const char *file, unsigned line);
COH_API void coh__down_write(coh_rwsem *r, const char *file, unsigned line);
COH_API void coh__up_write(coh_rwsem *r, const char *file, unsigned line);
COH_API void coh__downgrade_write(coh_rwsem *r, const char *file, unsigned line);
COH_API void coh__prepare_to_wait(coh_wait_queue_head *wq, coh_wait_entry *e, int state,
                                  const char *file, unsigned line);
COH_API void coh__finish_wait(coh_wait_queue_head *wq, coh_wait_entry *e, const char *file,
                              unsigned line);
COH_API void coh__wake_up(coh_wait_queue_head *wq, bool all, const char *file, unsigned line);
COH_API void coh__complete(coh_completion *c, bool all, const char *file, unsigned line);
COH_API void coh__wait_for_completion(coh_completion *c, const char *file, unsigned line);
COH_API bool coh__try_wait_for_completion(coh_completion *c, const char *file, unsigned line);
COH_API int coh__atomic_op(coh_atomic *a, enum coh__atomic_opcode op, int v, int old,
                           const char *file, unsigned line);

/* ---- schedules ---- */

/*
 * A schedule string: "v1" [flags] ":" items. flags: 'e' eviction choices
 * were enabled (speculative fills too), 'p' only speculative fills at I/O
 * completions, 'f' + hex mask of enabled faults, 's' + the step bound when
 * it is not the default; replay takes these from the string, not the
 * config. items: comma-separated
 * deviations from the default choice, each "<gap>" (value 1) or
 * "<gap>=<value>", where gap is the number of recorded choices since the
 * previous deviation (the first counts from 0). "v1:" is the run in which
 * every choice took its default. Example: "v1e:3,0=2,17".
 */
#define COH_SCHEDULE_VERSION "v1"

/* ---- watching executions (timelines, trace files) ---- */

/* Who did an event or a step. */
typedef struct coh_watch_who {
	const char *name; /* the task or handler; for the device, its I/O completion's name */
	int cpu;          /* -1: the device */
	enum coh_ctx ctx; /* the context (COH_CTX_PROCESS for the device) */
	unsigned task_id; /* creation order in the execution; UINT32_MAX for the device */
} coh_watch_who;

/*
 * A watcher sees every execution the explorer runs in process, in order:
 * begin, then the steps and machine events as they happen, then end. who is
 * NULL for what runs on the host stack (setup, finish). Strings and events
 * live only during the call. Events come complete (a load with its PA and
 * value) and in order, at the next scheduling point; their numbers are
 * consecutive, but for one operation that made more events than the
 * machine's trace holds (256), whose oldest are lost. Every callback may be
 * NULL. It costs the machine nothing: events are read back from its trace.
 */
typedef struct coh_watcher {
	void *arg;
	void (*begin)(void *arg);
	/* A context reaches a scheduling point and runs on: op is "mem" before a
	 * machine operation (its events follow), else the sync operation
	 * ("spin_lock", "complete", ...) with obj the object's name or NULL;
	 * "exit" when the context's function has returned. */
	void (*step)(void *arg, const coh_watch_who *who, const char *op, const char *obj,
	             const char *file, unsigned line);
	void (*event)(void *arg, const coh_event *ev, const coh_watch_who *who);
	/* The execution ended; its findings are in coh_sched_check(s). */
	void (*end)(void *arg, coh_sched *s);
} coh_watcher;

/* ---- the explorer ---- */

enum coh_strategy {
	COH_STRATEGY_RANDOM,
	COH_STRATEGY_PCT,
	COH_STRATEGY_DFS,
	COH_STRATEGY_REPLAY, /* one execution of config.schedule */
};
/* "random", "pct", "dfs", "replay"; parse returns -1 for an unknown name. */
COH_API const char *coh_strategy_name(enum coh_strategy s);
COH_API int coh_strategy_parse(const char *name);

typedef struct coh_explore_config {
	enum coh_strategy strategy; /* default random */
	uint64_t seed;              /* default 1 */
	uint64_t budget;            /* max schedules; default 10000 for every
	                               strategy; 0 = unlimited (dfs: until complete) */
	double time_s;              /* wall-clock limit; 0 = none. Only stops exploring */
	unsigned depth;             /* pct depth d (default 2) */
	int preemptions;            /* dfs preemption bound; < 0 = unbounded, with sleep
	                               sets (default 3); iterative: the last bound */
	unsigned jobs;              /* worker processes (default 1 = in process) */
	unsigned shard_index;       /* this shard, 0-based ... */
	unsigned shard_count;       /* ... of this many (default 1) */
	bool keep_going;            /* collect distinct findings instead of stopping */
	bool lockdep;               /* lock classes: IRQ usage and order (default true) */
	const char *schedule;       /* for COH_STRATEGY_REPLAY */
	uint64_t max_steps;         /* per execution; over it = livelock (default 100000) */
	/* Spontaneous eviction / speculative fill choices at each memory access.
	 * -1 = strategy default: on for random and pct (taken with probability
	 * 1/evict_one_in), off for dfs (they multiply the space); 0 off; 1 on. */
	int evictions;
	/* Speculative fill choices before each I/O completion only: a CPU that
	 * fills speculatively (arch speculative_fill) may fetch again a line it
	 * touched last while the device works. Few choice points, so dfs can
	 * afford them. Always on with evictions; 1 turns them on alone, 0 keeps
	 * them off; -1 (the default) is off, or the scenario's default for
	 * coh_scenario_run(). */
	int speculation;
	unsigned evict_one_in; /* default 16 */
	/* At most this many evictions and fills taken per execution (0 = no
	 * bound). With a bound, eviction choices are on for every strategy
	 * unless evictions = 0, and dfs does not charge them to the preemption
	 * bound: a complete dfs then covers every schedule within the
	 * preemption bound combined with every choice of at most this many
	 * evictions/fills at any accesses. Kept in the schedule string ("eN"). */
	unsigned max_evictions;
	unsigned faults;   /* bitmask of (1u << coh_fault) allowed; default 0 */
	bool shrink;       /* shrink found schedules (default true) */
	bool por;          /* dfs sleep sets where sound (default true) */
	bool progress;     /* progress line on stderr if stdout+stderr are ttys (true) */
	size_t stack_size; /* per task; default 64 KiB (256 KiB under ASan) */
	/* Called after each complete execution, in process (jobs == 1 only):
	 * its canonical schedule string and whether it had a finding. */
	void (*on_execution)(void *arg, const char *schedule, bool failed);
	void *on_execution_arg;
	/* Sees every execution run in process (jobs == 1 only); NULL = none.
	 * Meant for one replayed schedule: it costs a call per event. */
	const coh_watcher *watch;
	/* Iterative bounding (dfs only): run the bounds preemptions_from,
	 * preemptions_from + 1, ... up to `preemptions` (< 0: no upper end),
	 * each a whole dfs, until a finding (unless keep_going), the budget,
	 * the time limit, or a bound with no execution that needs it (then no
	 * execution needs more: the search is complete). Bound b counts and
	 * reports only executions with exactly b preemptions (the first,
	 * every one with at most preemptions_from): the others ran, and were
	 * counted, at a lower bound. So the shallowest finding comes first,
	 * and the totals of a run complete at bound P equal a plain run's at
	 * P. budget and time_s cover all bounds together. */
	bool iterative;
	unsigned preemptions_from;
	/* dfs with a preemption bound: sleep sets under the bound too, with the
	 * bound-aware rule (docs/sched.md, "Partial-order reduction under a
	 * bound"); needs por. Default false. */
	bool por_bounded;
} coh_explore_config;

COH_API void coh_explore_config_init(coh_explore_config *cfg);

typedef struct coh_explore_finding {
	enum coh_finding_kind kind;
	char *key;            /* dedup key: kind@file:line (or kind@pa) */
	char *schedule;       /* shrunk, canonical; replays this report */
	char *report;         /* the text report (coh_finding_print + timeline) */
	char *json;           /* the same as one JSON object */
	uint64_t found_at;    /* schedules run when it was first found (1-based) */
	unsigned shrunk_from; /* deviations before shrinking */
	unsigned deviations;  /* deviations after */
	uint64_t unit;        /* the unit of work it was first found in (docs/sched.md):
	                         the same in every shard, so merging shards keeps the
	                         copy an unsharded run keeps (the lowest unit) */
	/* dfs: the preemptions of the execution that first found it (before
	 * shrinking); iterative: the bound it was found at is
	 * max(preemptions, preemptions_from). */
	unsigned preemptions;
} coh_explore_finding;

/* dfs: the schedules explored with exactly `bound` preemptions. */
typedef struct coh_explore_bound {
	unsigned bound;
	uint64_t schedules; /* complete executions with exactly this many preemptions */
	uint64_t findings;  /* findings first found in such an execution */
	bool complete;      /* every execution with this many preemptions ran */
} coh_explore_bound;

typedef struct coh_explore_result {
	uint64_t schedules;   /* complete executions explored */
	uint64_t pruned;      /* dfs executions cut by sleep sets */
	bool complete;        /* dfs: the space within the bound was exhausted */
	bool stopped_by_time; /* the time limit ended it */
	double elapsed_s;     /* wall clock; not deterministic */
	/* PCT: bound of the last run: P(find a depth-d bug) >= 1/(n*k^(d-1)). */
	unsigned pct_n, pct_d;
	uint64_t pct_k;
	double pct_probability;
	uint64_t max_steps_seen;
	coh_explore_finding *findings; /* in deterministic order */
	size_t nfindings;
	/* COH_STRATEGY_REPLAY only: the machine's counters at the end of the
	 * execution (coh_machine_stats); zero for the other strategies. */
	coh_stats stats;
	/* Why coh_explore() failed, when a sentence says more than its status
	 * (COH_EWORKER: which worker, and how it died); else empty. */
	char error[192];
	/* dfs: bounds[b] for b = 0 .. the most preemptions an explored
	 * execution had (iterative: .. bound_reached); NULL otherwise. In a
	 * plain dfs each row is complete when the run is. */
	coh_explore_bound *bounds;
	size_t nbounds;
	int bound_reached; /* iterative: the last bound explored; else -1 */
	bool por_bounded;  /* dfs ran with a bound and bound-aware sleep sets */
} coh_explore_result;

/*
 * Runs the program under the strategy. Creates one machine (from mcfg) and
 * one checker, reset for each execution. Returns 0 (whether or not findings
 * were found), or a negative COH_E* status (bad config, bad schedule string:
 * COH_EINVAL; setup failure: its status; a --jobs worker that died, or whose
 * results are missing or corrupt: COH_EWORKER, with res->error saying which).
 * Workers die with the calling process (PR_SET_PDEATHSIG). res is filled in either case and
 * must be released with coh_explore_result_free().
 */
COH_API int coh_explore(const coh_explore_config *cfg, const coh_machine_config *mcfg,
                        const coh_program *prog, coh_explore_result *res);
COH_API void coh_explore_result_free(coh_explore_result *res);
/* Writes each finding's report and a summary line ("schedules: N complete"),
 * and for an iterative run a line with each bound and whether it was
 * complete. Deterministic (no timings). */
COH_API void coh_explore_result_print(const coh_explore_result *res, FILE *out);
/* Parses "I/N", 0 <= I < N (e.g. "$SLURM_ARRAY_TASK_ID/$N" with
 * --array=0-(N-1)), into index and count. Returns 0 or COH_EINVAL. */
COH_API int coh_shard_parse(const char *s, unsigned *index, unsigned *count);

#ifdef __cplusplus
}
#endif
#endif
