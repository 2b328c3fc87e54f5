/*
 * atomic.c - atomic_t. Each operation is one preemption point followed by
 * an indivisible read-modify-write; the value lives in host memory (it is a
 * synchronisation variable, not data subject to the cache model).
 */
#include "sched/sched_impl.h"

void coh_atomic_init(coh_atomic *a, int v)
{
	*a = (coh_atomic){0};
	a->counter = v;
}

static const char *const opname[] = {"atomic_read",      "atomic_set",  "atomic_add_return",
                                     "atomic_fetch_add", "atomic_xchg", "atomic_cmpxchg"};

int coh__atomic_op(coh_atomic *a, enum coh__atomic_opcode op, int v, int old, const char *file,
                   unsigned line)
{
	coh_sched *s = coh__cur_sched;
	if (s && s->cur) {
		coh__point(s, opname[op], NULL, file, line);
		coh__fp_obj(s, &a->o, op != COH__ATOMIC_READ);
	}
	int prev = a->counter;
	switch (op) {
	case COH__ATOMIC_READ:
		return prev;
	case COH__ATOMIC_SET:
		a->counter = v;
		return v;
	case COH__ATOMIC_ADD_RETURN:
		a->counter = (int)((unsigned)prev + (unsigned)v);
		return a->counter;
	case COH__ATOMIC_FETCH_ADD:
		a->counter = (int)((unsigned)prev + (unsigned)v);
		return prev;
	case COH__ATOMIC_XCHG:
		a->counter = v;
		return prev;
	case COH__ATOMIC_CMPXCHG:
		if (prev == old)
			a->counter = v;
		return prev;
	}
	return prev;
}
