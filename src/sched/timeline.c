/*
 * timeline.c - the report's timeline: every context's steps of one
 * execution in global order (the sched layer's step log, s->glog), cut
 * to a window around the finding, with loops collapsed and the explorer's
 * choices marked.
 *
 * Interface (sched_impl.h): coh__timeline(s, around) returns the text
 * (malloc'd), up to the finding's event `around` (0: the end of the run).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine/machine_impl.h"
#include "sched/sched_impl.h"

/* What a step did, in a few words: a machine op names its event; a DMA
 * (a litmus thread standing for the device) is the device's. */
static void step_what(coh_sched *s, const struct coh__gstep *g, char *what, size_t size)
{
	coh_event e;
	bool mem = strcmp(g->op, "mem") == 0 && coh_machine_event(s->m, g->ev + 1, &e);
	if (mem && (e.kind == COH_EV_DMA_READ || e.kind == COH_EV_DMA_WRITE))
		snprintf(what, size, "the device %s pa=0x%llx len=%u",
		         e.kind == COH_EV_DMA_READ ? "reads" : "writes", (unsigned long long)e.pa,
		         e.len);
	else if (mem && (e.kind == COH_EV_MMIO_READ || e.kind == COH_EV_MMIO_WRITE))
		snprintf(what, size, "%s pa=0x%llx", coh_event_kind_name(e.kind),
		         (unsigned long long)e.pa);
	else if (mem && e.kind == COH_EV_BARRIER)
		snprintf(what, size, "barrier %s", e.value == COH_BARRIER_DMB ? "dmb" : "dsb");
	else if (mem && e.kind != COH_EV_NOTE)
		snprintf(what, size, "%s va=0x%llx", coh_event_kind_name(e.kind),
		         (unsigned long long)e.va);
	else if (strcmp(g->op, "deviation") == 0)
		snprintf(what, size, "%s", g->obj ? g->obj : "?");
	else if (strcmp(g->op, "device") == 0)
		snprintf(what, size, "the device completes %s", g->obj ? g->obj : "I/O");
	else if (g->obj)
		snprintf(what, size, "%s(%s)", g->op, g->obj);
	else
		snprintf(what, size, "%s", g->op);
}

static bool is_mem(const struct coh__gstep *g)
{
	return strcmp(g->op, "mem") == 0;
}

static bool is_dev(const struct coh__gstep *g)
{
	return strcmp(g->op, "deviation") == 0;
}

/* The kind of a machine step's event, or -1 if it aged out. */
static int mem_kind(const coh_sched *s, const struct coh__gstep *g)
{
	coh_event e;
	return coh_machine_event(s->m, g->ev + 1, &e) ? (int)e.kind : -1;
}

/* The steps [i, end) that one timeline line shows: a loop's run of one
 * machine step, or a task's run of sync steps, or one step. */
static uint64_t line_end(const coh_sched *s, uint64_t i, uint64_t end)
{
	const struct coh__gstep *a = &s->glog[i % COH__GLOG];
	uint64_t j = i + 1;
	if (is_dev(a))
		return j;
	for (; j < end; j++) {
		const struct coh__gstep *b = &s->glog[j % COH__GLOG];
		if (is_dev(b) || b->task != a->task)
			break;
		if (is_mem(a) ? !(is_mem(b) && b->file == a->file && b->line == a->line &&
		                  mem_kind(s, a) == mem_kind(s, b))
		              : is_mem(b))
			break;
	}
	return j;
}

#define WINDOW_BEFORE 16 /* timeline lines up to the finding */
#define WINDOW_AFTER 4   /* steps after it */
#define WINDOW_REACH 64  /* lines back to the explorer's last choice */

char *coh__timeline(coh_sched *s, uint64_t around)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	if (!f)
		return NULL;
	static const char *const ctxname[] = {"process", "softirq", "hardirq"};
	uint64_t have = s->nglog < COH__GLOG ? s->nglog : COH__GLOG;
	uint64_t lo = s->nglog - have, hi = s->nglog; /* [lo, hi) still held */
	uint64_t end = hi;
	if (around) {
		end = lo;
		while (end < hi && s->glog[end % COH__GLOG].ev < around)
			end++;
		end = end + WINDOW_AFTER < hi ? end + WINDOW_AFTER : hi;
	}
	/* the line starts in [lo, end), oldest first */
	uint64_t starts[COH__GLOG] = {0};
	size_t nl = 0;
	for (uint64_t i = lo; i < end; i = line_end(s, i, end))
		starts[nl++] = i;
	/* the last WINDOW_BEFORE lines, back to the last choice if it is near */
	size_t from = nl > WINDOW_BEFORE ? nl - WINDOW_BEFORE : 0;
	for (size_t k = nl; k-- > 0 && nl - k <= WINDOW_REACH;)
		if (is_dev(&s->glog[starts[k] % COH__GLOG])) {
			if (k < from)
				from = k;
			break;
		}
	fprintf(f,
	        "timeline %s (every context's steps in global order; > the explorer's "
	        "choices):\n",
	        around ? "up to the finding" : "at the end of the execution");
	if (from < nl && starts[from] > lo)
		fprintf(f, "    ... %llu earlier steps\n", (unsigned long long)starts[from]);
	for (size_t k = from; k < nl; k++) {
		uint64_t i = starts[k], j = k + 1 < nl ? starts[k + 1] : end;
		const struct coh__gstep *g = &s->glog[i % COH__GLOG];
		const struct coh__gstep *last = &s->glog[(j - 1) % COH__GLOG];
		char one[96], what[160];
		step_what(s, g, one, sizeof(one));
		if (j - i == 1)
			snprintf(what, sizeof(what), "%s", one);
		else if (is_mem(g))
			snprintf(what, sizeof(what), "%llu x %s ..", (unsigned long long)(j - i),
			         one);
		else
			snprintf(what, sizeof(what), "%llu sync steps: %s .. %s",
			         (unsigned long long)(j - i), one,
			         last->obj ? last->obj : last->op);
		char cpu[16] = "-";
		if (g->cpu != UINT32_MAX && strncmp(one, "the device ", 11) != 0)
			snprintf(cpu, sizeof(cpu), "cpu%u", g->cpu);
		if (is_dev(g))
			fprintf(f, "  > #%-5llu %-4s %-10s %s\n", (unsigned long long)g->step, cpu,
			        g->task ? g->task : "-", what);
		else if (g->file)
			fprintf(f, "    #%-5llu %-4s %-10s %-44s %s:%u\n",
			        (unsigned long long)g->step, cpu, g->task ? g->task : "-", what,
			        g->file, g->line);
		else
			fprintf(f, "    #%-5llu %-4s %-10s %s\n", (unsigned long long)g->step, cpu,
			        g->task ? g->task : "-", what);
	}
	if (end < hi)
		fprintf(f, "    ... %llu later steps\n", (unsigned long long)(hi - end));
	fprintf(f, "tasks at the end:\n");
	for (unsigned id = 0; id < s->ntasks; id++) {
		coh_task *t = NULL;
		for (unsigned i = 0; i < COH__SLOTS && !t; i++)
			if (s->slots[i] && s->slots[i]->st != COH__T_FREE && s->slots[i]->id == id)
				t = s->slots[i];
		if (!t)
			continue;
		fprintf(f, "  task '%s' cpu%u %s, %s", t->name, t->cpu, ctxname[t->ctxk],
		        coh__task_state_name(t));
		if (t->st == COH__T_BLOCKED)
			fprintf(f, " on %s '%s' at %s:%u", t->wait_kind,
			        t->wait_name ? t->wait_name : "?",
			        t->wait_file ? t->wait_file : "?", t->wait_line);
		fputc('\n', f);
	}
	fclose(f);
	return buf;
}
