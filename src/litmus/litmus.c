/*
 * litmus.c - the parsed litmus test as an object: created empty for the
 * reader, freed whole, read through the accessors of cohsim/litmus.h.
 *
 * Interface: coh__litmus_new() (parse.c fills it), coh_litmus_free(), the
 * coh_litmus_* accessors, and coh__litmus_error(), the one format of every
 * litmus error ("NAME:LINE: what").
 *
 * Invariants: a coh_litmus the reader hands out is immutable; it owns its
 * name, expectation, operation lists, thread and sync names, and
 * coh_litmus_free() releases them all. Accessors past the end return NULL.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "litmus/parse_impl.h"

void coh__litmus_error(coh_litmus_error *err, const char *name, unsigned line, const char *fmt, ...)
{
	if (!err)
		return;
	char what[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	err->line = line;
	if (line)
		snprintf(err->message, sizeof(err->message), "%s:%u: %s", name, line, what);
	else
		snprintf(err->message, sizeof(err->message), "%s: %s", name, what);
}

coh_litmus *coh__litmus_new(const char *name)
{
	coh_litmus *lt = calloc(1, sizeof(*lt));
	if (!lt)
		return NULL;
	lt->name = strdup(name);
	lt->ncpus = 1;
	lt->seed = 1;
	if (!lt->name) {
		free(lt);
		return NULL;
	}
	return lt;
}

void coh_litmus_free(coh_litmus *lt)
{
	if (!lt)
		return;
	free(lt->setup.ops);
	for (size_t i = 0; i < lt->nthreads; i++) {
		free(lt->thread_ops[i].ops);
		free(lt->thread_names[i]);
	}
	for (size_t i = 0; i < lt->nsync; i++)
		free(lt->sync_names[i]);
	free(lt->expect);
	free(lt->name);
	free(lt);
}

/* ---- accessors ---- */

const char *coh_litmus_name(const coh_litmus *lt)
{
	return lt->name;
}

const coh_arch *coh_litmus_arch(const coh_litmus *lt)
{
	return lt->arch;
}

const char *coh_litmus_expect(const coh_litmus *lt)
{
	return lt->expect;
}

const coh_litmus_op *coh_litmus_setup(const coh_litmus *lt, size_t *nops)
{
	*nops = lt->setup.n;
	return lt->setup.ops;
}

size_t coh_litmus_thread_count(const coh_litmus *lt)
{
	return lt->nthreads;
}

const coh_litmus_thread *coh_litmus_thread_at(const coh_litmus *lt, size_t i)
{
	return i < lt->nthreads ? &lt->threads[i] : NULL;
}

size_t coh_litmus_sync_count(const coh_litmus *lt)
{
	return lt->nsync;
}

const char *coh_litmus_sync_name(const coh_litmus *lt, size_t i)
{
	return i < lt->nsync ? lt->sync_names[i] : NULL;
}
