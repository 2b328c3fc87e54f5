/*
 * stack.c - call chains: the shadow stack of COH_FRAME() frames, copied into
 * events, and printed.
 *
 * Interface: COH_FRAME() (cohsim/machine.h) pushes a frame; the scheduler
 * saves and restores coh__frame_top per task; coh__event() calls
 * coh__stack_capture() while the machine's stacks are on.
 * Invariants: coh__frame_top is NULL outside a task and at a task's start;
 * a captured chain holds names and lines only (static strings), so it
 * outlives the frames and is the same in every run and every build; the
 * machine keeps captured chains until its next reset (equal consecutive
 * chains are stored once).
 */
#include <stdlib.h>
#include <string.h>

#include "machine/machine_impl.h"

coh_frame *coh__frame_top;

#define STACKS_PER_BLOCK 256

/* Chains are stored in blocks that never move, so an event's pointer stays
 * valid while the store grows; a reset rewinds and keeps the blocks. */
struct coh__stack_block {
	struct coh__stack_block *next;
	unsigned used;
	coh_stack s[STACKS_PER_BLOCK];
};

static bool same_chain(const coh_stack *s)
{
	unsigned n = 0;
	const coh_frame *f = coh__frame_top;
	for (; f && n < s->n; f = f->up, n++)
		if (f->func != s->f[n].func || f->file != s->f[n].file || f->line != s->f[n].line)
			return false;
	if (n < s->n)
		return false;
	unsigned more = 0;
	for (; f; f = f->up)
		more++;
	return more == s->more;
}

const coh_stack *coh__stack_capture(coh_machine *m)
{
	if (m->stk_last && !m->stk_origin && !m->stk_last->queued && same_chain(m->stk_last))
		return m->stk_last; /* a loop's next line: the chain it had */
	struct coh__stack_block *b = m->stk_cur;
	if (!b || b->used == STACKS_PER_BLOCK) {
		struct coh__stack_block *next = b ? b->next : m->stk_blocks;
		if (!next) {
			next = calloc(1, sizeof(*next));
			if (!next)
				return NULL;
			if (b)
				b->next = next;
			else
				m->stk_blocks = next;
		}
		next->used = 0;
		m->stk_cur = b = next;
	}
	coh_stack *st = &b->s[b->used++];
	st->n = 0;
	st->more = 0;
	for (const coh_frame *f = coh__frame_top; f; f = f->up) {
		if (st->n == COH_STACK_MAX) {
			st->more++;
			continue;
		}
		st->f[st->n].func = f->func;
		st->f[st->n].file = f->file;
		st->f[st->n].line = f->line;
		st->n++;
	}
	st->queued = 0;
	const coh_stack *o = m->stk_origin;
	if (o && o->n && st->n < COH_STACK_MAX) {
		st->queued = st->n + 1;
		for (unsigned i = 0; i < o->n && st->n < COH_STACK_MAX; i++)
			st->f[st->n++] = o->f[i];
	}
	m->stk_last = st;
	return st;
}

void coh__stack_store_reset(coh_machine *m)
{
	m->stk_cur = NULL;
	m->stk_last = NULL;
	m->stk_origin = NULL;
}

void coh__stack_store_free(coh_machine *m)
{
	for (struct coh__stack_block *b = m->stk_blocks, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	m->stk_blocks = m->stk_cur = NULL;
	m->stk_last = NULL;
}

void coh_stack_print(const coh_stack *s, const char *indent, FILE *out)
{
	int w = 0;
	for (unsigned i = 0; i < s->n; i++) {
		int l = (int)strlen(s->f[i].func);
		if (l > w)
			w = l;
	}
	for (unsigned i = 0; i < s->n; i++) {
		if (s->queued && i + 1 == s->queued)
			fprintf(out, "%squeued by:\n", indent);
		fprintf(out, "%s%-*s  %s:%u\n", indent, w, s->f[i].func, s->f[i].file,
		        s->f[i].line);
	}
	if (s->more)
		fprintf(out, "%s... %u outer frame%s left off\n", indent, s->more,
		        s->more == 1 ? "" : "s");
}

int coh_stack_format(const coh_stack *s, bool with_site, char *buf, size_t size)
{
	size_t used = 0;
	int total = 0;
	if (size)
		buf[0] = 0;
	for (unsigned i = 0; i < s->n; i++) {
		const struct coh_stack_frame *f = &s->f[i];
		int n;
		if (s->queued && i + 1 == s->queued) {
			n = snprintf(buf + used, size - used, "%s(queued by)", i ? " <- " : "");
			if (n < 0)
				return n;
			total += n;
			used = (size_t)total < size ? (size_t)total : (size ? size - 1 : 0);
		}
		if (with_site && i + 1 == s->n && !s->more)
			n = snprintf(buf + used, size - used, "%s%s (%s:%u)", i ? " <- " : "",
			             f->func, f->file, f->line);
		else
			n = snprintf(buf + used, size - used, "%s%s", i ? " <- " : "", f->func);
		if (n < 0)
			return n;
		total += n;
		used = (size_t)total < size ? (size_t)total : (size ? size - 1 : 0);
	}
	if (s->more) {
		int n = snprintf(buf + used, size - used, " <- ...");
		if (n > 0)
			total += n;
	}
	return total;
}
