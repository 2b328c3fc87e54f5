/*
 * syncobj.c - deterministic identities for sync objects.
 *
 * A lock or wait queue may be a static, a field of the program's ctx, or
 * allocated in setup; its host address may differ between executions. The
 * explorer needs names that do not (sleep-set footprints compare objects
 * across executions), so each object gets, on its first use in an
 * execution, the next number of that execution.
 */
#include "sched/sched_impl.h"

uint32_t coh__obj_id(coh_sched *s, struct coh__syncobj *o)
{
	if (o->epoch != s->epoch) {
		o->epoch = s->epoch;
		o->id = s->next_obj++;
	}
	return o->id;
}
