/*
 * mm_rig.h - what the test_mm*.c files share: the profiles, the one-execution
 * runner (run(): a kernel of the set version and fixes, the body's tasks on
 * the default schedule, the first finding's kind) and its state `t`, and an
 * mm with an anonymous buffer at UBUF. Static inline: each test file takes
 * what it uses.
 */
#ifndef COHSIM_TESTS_MM_RIG_H
#define COHSIM_TESTS_MM_RIG_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cohsim/scenario.h"

#include "run_once.h"

#define UBUF (TASK_UNMAPPED_BASE + 0x2000) /* colour 2: not frame 1's */
#define PSZ 4096ul

static const char *const profiles[] = {"xscale", "arm926", "armv6",     "mips-r4k",
                                       "sh4",    "parisc", "cortex-a9", "x86"};

/* ---- a one-execution runner ---- */

static struct {
	unsigned version;
	const char *fixes[4];
	void (*body)(coh_sched *s); /* from setup: makes the tasks */
	struct mm_struct *mm, *mm2;
	long v[32]; /* what the tasks saw */
	coh_completion child_done;
} t;

static inline int run_setup(void *ctx, coh_sched *s)
{
	(void)ctx;
	struct kernel_config kc;
	kernel_config_init(&kc);
	kc.version = t.version;
	kc.fixes = t.fixes;
	int r = kernel_init(s, &kc);
	if (r)
		return r;
	coh_init_completion(&t.child_done, "child_done");
	t.body(s);
	return 0;
}

/* Runs body's tasks once (the default schedule); returns the first
 * finding's kind name, or "clean". */
static inline const char *run(const char *arch, void (*body)(coh_sched *s))
{
	static char kind[32];
	t.body = body;
	memset(t.v, 0, sizeof(t.v));
	coh_program prog = {.name = "mm", .setup = run_setup};
	coh_explore_result res;
	run_once(arch, 1u << 20, &prog, &res);
	snprintf(kind, sizeof(kind), "%s",
	         res.nfindings ? coh_finding_kind_name(res.findings[0].kind) : "clean");
	if (res.nfindings && getenv("TEST_MM_VERBOSE"))
		fprintf(stderr, "%s\n", res.findings[0].report);
	coh_explore_result_free(&res);
	return kind;
}

static inline void setup_version(unsigned v)
{
	memset(&t, 0, sizeof(t));
	t.version = v;
}

static inline struct mm_struct *new_mm_with_buf(unsigned long len, unsigned long prot,
                                                unsigned long flags)
{
	struct mm_struct *mm = mm_alloc();
	assert_non_null(mm);
	unsigned long a = do_mmap(mm, UBUF, len, prot, flags | MAP_ANONYMOUS);
	assert_int_equal(a, UBUF);
	return mm;
}

#endif
