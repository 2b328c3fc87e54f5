/*
 * fuzz_schedule.c - libFuzzer harness: arbitrary bytes as a schedule string
 * (include/cohsim/sched.h, docs/sched.md), parsed by coh__schedule_parse()
 * and, when they parse, replayed against a tiny program.
 *
 * Checks of the parser: a failure leaves no deviations; a success gives
 * deviations in strictly increasing order with values >= 1, and flags in
 * range (faults below 1 << COH_FAULT_COUNT); the deviations encoded again
 * (coh__schedule_encode) parse back to the same deviations and flags.
 *
 * The program replayed (coh_explore, strategy replay) has two tasks on two
 * CPUs that take a spinlock and a mutex, store and load a mapped page,
 * clean it, and hand over through a completion; a third task, an IRQ
 * handler and an I/O completion add every kind of choice, and a data
 * choice (coh_choose) and a fault (coh_inject_fault) are made. The string's
 * flags turn on eviction choices, faults and a step bound, so an odd but
 * valid string (huge gaps, out-of-range values, a step bound of 0) drives
 * the replay somewhere no search would. Replay must return 0, or COH_EINVAL
 * with a reason when the schedule does not fit the run, and give each
 * finding a schedule that itself parses.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cohsim/sched.h"
#include "sched/sched_impl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PAGE 0x10000

struct tiny {
	coh_spinlock lock;
	coh_mutex mutex;
	coh_completion done;
	coh_atomic count;
};

static struct tiny tiny;

static void irq_handler(unsigned irq, void *arg)
{
	(void)irq, (void)arg;
	coh_atomic_inc(&tiny.count);
}

static void io_done(void *arg)
{
	(void)arg;
	coh_sched *s = coh_sched_current();
	uint8_t b = 0x5a;
	coh_dma_write(coh_sched_machine(s), 0x4000, &b, 1);
	coh_irq_raise(s, 3, 1);
}

static void writer(void *arg)
{
	(void)arg;
	coh_sched *s = coh_sched_current();
	coh_machine *m = coh_sched_machine(s);
	coh_spin_lock(&tiny.lock);
	coh_store(m, 0, PAGE, 4, 0x1234);
	coh_spin_unlock(&tiny.lock);
	if (coh_inject_fault(s, COH_FAULT_IO))
		coh_atomic_inc(&tiny.count);
	coh_cache_clean(m, 0, PAGE, 64);
	coh_io_complete_later(s, io_done, NULL, "io");
	coh_complete(&tiny.done);
}

static void reader(void *arg)
{
	(void)arg;
	coh_sched *s = coh_sched_current();
	coh_machine *m = coh_sched_machine(s);
	uint64_t v;
	coh_mutex_lock(&tiny.mutex);
	coh_load(m, 1, PAGE, 4, &v);
	coh_mutex_unlock(&tiny.mutex);
	coh_wait_for_completion(&tiny.done);
	coh_cache_inval(m, 1, PAGE, 64);
	coh_load(m, 1, PAGE, 4, &v);
	if (coh_choose(s, COH_CHOICE_DATA, 3) == 2)
		coh_preempt_point();
}

static void third(void *arg)
{
	(void)arg;
	coh_sched *s = coh_sched_current();
	coh_mutex_lock(&tiny.mutex);
	coh_store(coh_sched_machine(s), 1, PAGE + 8, 8, 7);
	coh_mutex_unlock(&tiny.mutex);
}

static int setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	coh_spin_lock_init(&tiny.lock, "lock");
	coh_mutex_init(&tiny.mutex, "mutex");
	coh_init_completion(&tiny.done, "done");
	coh_atomic_init(&tiny.count, 0);
	int st = coh_map(coh_sched_machine(s), COH_KERNEL_AS, PAGE, 0x4000, 0x1000, COH_ATTR_WB);
	if (st)
		return st;
	if (coh_request_irq(s, 3, irq_handler, NULL, "irq3"))
		return COH_EINVAL;
	if (!coh_task_create(s, "writer", 0, writer, NULL) ||
	    !coh_task_create(s, "reader", 1, reader, NULL) ||
	    !coh_task_create(s, "third", 1, third, NULL))
		return COH_EINVAL;
	return 0;
}

static void check_parse(const char *str)
{
	struct coh__deviation *devs;
	size_t n;
	struct coh__sched_flags fl;
	int st = coh__schedule_parse(str, &devs, &n, &fl);
	if (st) {
		if (devs || n)
			abort();
		return;
	}
	if (fl.faults >= (1u << COH_FAULT_COUNT))
		abort();
	for (size_t i = 0; i < n; i++)
		if (devs[i].value == 0 || (i && devs[i].idx <= devs[i - 1].idx))
			abort();
	free(devs);
}

/* Round trip: the deviations encoded (coh__schedule_encode, what a search
 * prints) parse back to the same deviations and flags. Only for strings whose
 * last choice index is small (the encoder takes every recorded choice). */
static void round_trip(const struct coh__deviation *devs, size_t n,
                       const struct coh__sched_flags *fl)
{
	size_t len = n ? devs[n - 1].idx + 1 : 0;
	if (len > 4096)
		return;
	struct coh__recorded *rec = calloc(len ? len : 1, sizeof(*rec));
	if (!rec)
		return;
	for (size_t i = 0; i < n; i++)
		rec[devs[i].idx] = (struct coh__recorded){0, devs[i].value + 1, devs[i].value};
	char *enc = coh__schedule_encode(rec, len, fl);
	free(rec);
	if (!enc)
		return;
	struct coh__deviation *back;
	size_t nback;
	struct coh__sched_flags fl2;
	if (coh__schedule_parse(enc, &back, &nback, &fl2) != 0 || nback != n ||
	    fl2.evictions != fl->evictions || fl2.faults != fl->faults ||
	    fl2.max_steps != fl->max_steps) {
		fprintf(stderr, "fuzz_schedule: '%s' does not parse back\n", enc);
		abort();
	}
	for (size_t i = 0; i < n; i++)
		if (back[i].idx != devs[i].idx || back[i].value != devs[i].value)
			abort();
	free(back);
	free(enc);
}

static void replay(const char *str)
{
	coh_machine_config mcfg;
	coh_machine_config_init(&mcfg, coh_arch_find("cortex-a9"));
	mcfg.ncpus = 2;
	coh_explore_config cfg;
	coh_explore_config_init(&cfg);
	cfg.strategy = COH_STRATEGY_REPLAY;
	cfg.schedule = str;
	cfg.progress = false;
	cfg.keep_going = str[0] && (str[strlen(str) - 1] & 1);
	coh_program prog = {"tiny", NULL, setup, NULL};
	coh_explore_result res;
	int st = coh_explore(&cfg, &mcfg, &prog, &res);
	/* the string parsed, the program is fine: replay must run, or say
	 * why the schedule does not fit the run (past its end, a value out of
	 * range) */
	if (st && st != COH_ENOMEM && !(st == COH_EINVAL && res.error[0]))
		abort();
	for (size_t i = 0; i < res.nfindings; i++)
		check_parse(res.findings[i].schedule);
	coh_explore_result_free(&res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *str = malloc(size + 1);
	if (!str)
		return 0;
	memcpy(str, data, size);
	str[size] = 0;
	struct coh__deviation *devs;
	size_t n;
	struct coh__sched_flags fl;
	int st = coh__schedule_parse(str, &devs, &n, &fl);
	check_parse(str);
	if (st == 0) {
		round_trip(devs, n, &fl);
		free(devs);
		replay(str);
	}
	free(str);
	return 0;
}
