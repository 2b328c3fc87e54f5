/*
 * timeline.h - one execution captured for pictures: lanes (a CPU's
 * contexts, the device, the host's setup), the steps and machine events in
 * global order, and the findings of that execution. Filled by the
 * explorer's watcher (coh_watcher) during one replay; written as the SVG
 * timeline of --report FILE.html (timeline_svg.c) and as a Chrome
 * trace-event file for --trace FILE.json (trace_json.c).
 *
 * Ownership: a cli_timeline owns copies of every string it holds, so it
 * outlives the program and scenario that produced it.
 */
#ifndef COHSIM_TIMELINE_H
#define COHSIM_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "cohsim/check.h"
#include "cohsim/sched.h"

#define CLI_TL_MAX_ITEMS 20000 /* kept per execution: the last ones */

enum cli_tl_lane_kind { CLI_TL_HOST, CLI_TL_CONTEXT, CLI_TL_DEVICE };

struct cli_tl_lane {
	enum cli_tl_lane_kind kind;
	const char *name;
	int cpu; /* -1: the device or host */
	enum coh_ctx ctx;
	unsigned first; /* order of first appearance, for a stable sort */
};

struct cli_tl_item {
	uint64_t seq;  /* position on the time axis, from 0 */
	unsigned lane; /* index into lanes */
	bool is_event; /* a machine event, else a scheduling step */
	coh_event ev;  /* is_event */
	const char *op, *obj, *file;
	unsigned line;
};

/* A switch on a CPU from one context to another that runs again later. */
struct cli_tl_switch {
	uint64_t seq; /* the first item of the context switched to */
	unsigned from, to;
	bool interrupt; /* to a softirq or hardirq handler */
};

struct cli_timeline {
	char *schedule; /* the replayed schedule */
	char *replay;   /* the command line that replays it (may be NULL) */
	bool of_finding;
	unsigned line_size;
	struct cli_tl_lane *lanes;
	size_t nlanes;
	struct cli_tl_item *items; /* a ring until cli_timeline_finish() */
	size_t nitems, head;
	uint64_t seq, dropped;
	uint64_t last_no; /* the newest machine event seen */
	uint64_t lost;    /* events that aged out of the machine's trace unseen */
	struct cli_tl_switch *switches;
	size_t nswitches;
	coh_finding *findings; /* schedule and detail are NULL */
	size_t nfindings;
	char **pool;
	size_t npool;
	coh_watcher watcher;
	bool failed; /* out of memory while capturing */
};

/* A fresh timeline whose watcher (&tl->watcher) captures the last
 * execution it sees. NULL when out of memory. */
struct cli_timeline *cli_timeline_new(void);
void cli_timeline_free(struct cli_timeline *tl);
/* Sets the schedule and replay command shown with it; 0 or -1. */
int cli_timeline_set_replay(struct cli_timeline *tl, const char *schedule, const char *replay,
                            bool of_finding);
/* After the run: orders the items and lanes and finds the switches. 0, or
 * -1 if the capture ran out of memory or saw no execution. */
int cli_timeline_finish(struct cli_timeline *tl);

/* Does the item touch the cache line [pa, pa + tl->line_size) or its
 * alias line at va? */
bool cli_timeline_touches(const struct cli_timeline *tl, const struct cli_tl_item *it,
                          coh_addr_t line_pa, coh_addr_t line_va);
/* Where a finding shows on the time axis: the event that exposed it when it
 * has an address (a stale read, DMA, lost write, bad access); else (a
 * deadlock, BUG, misuse found by the scheduler or the model) the end of the
 * execution, the last item. NULL when there is no item. */
const struct cli_tl_item *cli_timeline_finding_at(const struct cli_timeline *tl,
                                                  const coh_finding *f);
/* One line describing an item: what, addresses, bytes, file:line. */
void cli_timeline_describe(const struct cli_timeline *tl, const struct cli_tl_item *it, char *buf,
                           size_t size);
/* The short label of an item ("store", "spin_lock", ...). */
const char *cli_timeline_label(const struct cli_tl_item *it);
/* The lane's name as shown: "cpu0 rx_thread", "cpu1 hardirq dma_irq", ... */
void cli_timeline_lane_name(const struct cli_tl_lane *l, char *buf, size_t size);

/* Writers. */
void cli_timeline_svg(FILE *out, const struct cli_timeline *tl);
void cli_timeline_trace_json(FILE *out, const struct cli_timeline *tl, const char *title);

#endif
