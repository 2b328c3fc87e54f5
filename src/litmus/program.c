/*
 * program.c - a litmus test as an explorer program: the setup ops run on
 * the host stack, each thread becomes a task on its CPU, and the explorer
 * (src/sched) interleaves the tasks at every machine operation.
 *
 * Interface: coh_litmus_program_create() wraps a parsed test; pass
 * coh_litmus_program_get() to coh_explore(). The wrapper holds only what the
 * callbacks need (the test, one argument per task, one completion per name
 * of signal/wait, the last setup error); the completions are set up again
 * by each execution's setup, and everything else an execution changes lives
 * in the explorer's machine, so the same wrapper serves every execution, in
 * process and in --jobs workers.
 */
#include <stdlib.h>

#include "cohsim/sched.h"
#include "litmus/litmus_impl.h"

struct litmus_task {
	coh_litmus_program *p; /* its completions change */
	size_t index;          /* of the thread */
	uint8_t *scratch;      /* for its DMA ops: the longest one's length */
};

struct coh_litmus_program {
	coh_program prog;
	const coh_litmus *lt;
	struct litmus_task tasks[COH__LITMUS_MAX_THREADS];
	coh_completion sync[COH__LITMUS_MAX_SYNC]; /* signal NAME: complete() */
	bool has_error;
	coh_litmus_error err;
};

/* The body of the task of one thread. */
static void thread_fn(void *arg)
{
	const struct litmus_task *t = arg;
	const coh_litmus *lt = t->p->lt;
	const coh_litmus_thread *th = &lt->threads[t->index];
	coh_sched *s = coh_sched_current();
	coh_machine *m = coh_sched_machine(s);
	coh_check *chk = coh_sched_check(s);
	/* the thread is the one frame of its call chain, at its op's line */
	coh_frame frame = {coh__frame_top, th->name, coh_litmus_name(lt), 0};
	coh__frame_top = &frame;
	for (size_t i = 0; i < th->nops; i++) {
		const coh_litmus_op *op = &th->ops[i];
		frame.line = op->line;
		/* the machine's hook makes every other op a preemption point */
		if (op->code == COH_LOP_MAP || op->code == COH_LOP_UNMAP)
			coh__preempt_point(NULL, op->line);
		/* signal/wait are sync points of the scheduler, not machine ops */
		coh_completion *c = &t->p->sync[op->sync];
		if (op->code == COH_LOP_SIGNAL) {
			coh__complete(c, false, coh_litmus_name(lt), op->line);
			continue;
		}
		if (op->code == COH_LOP_WAIT) {
			coh__wait_for_completion(c, coh_litmus_name(lt), op->line);
			continue;
		}
		coh_litmus_error err;
		int st = coh__litmus_exec(lt, m, chk, op, &err, t->scratch);
		if (st) {
			coh_check_report(chk, COH_F_BUG, (int)th->cpu,
			                 "%s (thread '%s', in this interleaving)", err.message,
			                 th->name);
			break;
		}
	}
	coh__frame_top = frame.up;
}

static int setup(void *ctx, coh_sched *s)
{
	coh_litmus_program *p = ctx;
	const coh_litmus *lt = p->lt;
	coh_machine *m = coh_sched_machine(s);
	coh_check *chk = coh_sched_check(s);
	p->has_error = false;
	for (size_t i = 0; i < lt->nsync; i++)
		coh_init_completion(&p->sync[i], lt->sync_names[i]);
	coh_machine_set_actor(m, NULL);
	for (size_t i = 0; i < lt->setup.n; i++) {
		/* a setup of a million ops honours the time limit too */
		if (i % 1024 == 1023 && coh_sched_time_is_up(s))
			return COH_ETIMEDOUT;
		int st = coh_litmus_exec(lt, m, chk, &lt->setup.ops[i], &p->err);
		if (st) {
			p->has_error = true;
			return st;
		}
	}
	for (size_t t = 0; t < lt->nthreads; t++) {
		const coh_litmus_thread *th = &lt->threads[t];
		if (!coh_task_create(s, th->name, th->cpu, thread_fn, &p->tasks[t])) {
			coh__litmus_error(&p->err, lt->name, th->line,
			                  "cannot create the task of thread '%s' on cpu%u",
			                  th->name, th->cpu);
			p->has_error = true;
			return COH_EINVAL;
		}
	}
	return COH_OK;
}

int coh_litmus_program_create(const coh_litmus *lt, coh_litmus_program **out)
{
	*out = NULL;
	if (!lt)
		return COH_EINVAL;
	coh_litmus_program *p = calloc(1, sizeof(*p));
	if (!p)
		return COH_ENOMEM;
	p->lt = lt;
	p->prog.name = lt->name;
	p->prog.ctx = p;
	p->prog.setup = setup;
	p->prog.finish = NULL;
	for (size_t t = 0; t < lt->nthreads; t++) {
		uint64_t longest = 1;
		for (size_t i = 0; i < lt->threads[t].nops; i++) {
			const coh_litmus_op *op = &lt->threads[t].ops[i];
			if ((op->code == COH_LOP_DMA_READ || op->code == COH_LOP_DMA_WRITE) &&
			    op->len > longest)
				longest = op->len;
		}
		p->tasks[t] = (struct litmus_task){p, t, malloc(longest)};
		if (!p->tasks[t].scratch) {
			coh_litmus_program_free(p);
			return COH_ENOMEM;
		}
	}
	*out = p;
	return COH_OK;
}

void coh_litmus_program_free(coh_litmus_program *p)
{
	if (!p)
		return;
	for (size_t t = 0; t < COH__LITMUS_MAX_THREADS; t++)
		free(p->tasks[t].scratch);
	free(p);
}

const coh_program *coh_litmus_program_get(const coh_litmus_program *p)
{
	return &p->prog;
}

const char *coh_litmus_program_error(const coh_litmus_program *p)
{
	return p->has_error ? p->err.message : NULL;
}
