/*
 * timeline.c - captures one execution for the pictures (timeline.h).
 *
 * The explorer calls the watcher for every execution it runs in process;
 * begin() forgets the previous one, so what remains is the last: the
 * replay of the reported schedule. Items are kept in global order, one per
 * machine event and one per scheduling step other than "mem" (whose event
 * follows as an item of its own). At most CLI_TL_MAX_ITEMS items are kept:
 * the last ones, as a ring, with the number dropped counted; events the
 * machine's trace lost before the watcher read them are counted apart.
 *
 * Lanes are keyed by (CPU, context kind, name), the device by its I/O
 * completion's name, and the host (setup, finish) has one lane. Their order
 * is fixed at the end: host, then by CPU, context kind and first
 * appearance, then devices. Strings are copied into a pool, so nothing
 * points into the program that ran.
 */
#include <stdlib.h>
#include <string.h>

#include "timeline.h"

static const char *intern(struct cli_timeline *tl, const char *s)
{
	if (!s)
		return NULL;
	for (size_t i = tl->npool; i-- > 0;)
		if (strcmp(tl->pool[i], s) == 0)
			return tl->pool[i];
	char **p = realloc(tl->pool, (tl->npool + 1) * sizeof(*p));
	if (!p) {
		tl->failed = true;
		return NULL;
	}
	tl->pool = p;
	if (!(p[tl->npool] = strdup(s))) {
		tl->failed = true;
		return NULL;
	}
	return p[tl->npool++];
}

static void intern_event(struct cli_timeline *tl, coh_event *e)
{
	e->actor = intern(tl, e->actor);
	e->file = intern(tl, e->file);
	e->note = intern(tl, e->note);
}

static unsigned lane_of(struct cli_timeline *tl, const coh_watch_who *who)
{
	enum cli_tl_lane_kind kind = !who           ? CLI_TL_HOST
	                             : who->cpu < 0 ? CLI_TL_DEVICE
	                                            : CLI_TL_CONTEXT;
	const char *name = who ? who->name : "setup";
	int cpu = who ? who->cpu : -1;
	enum coh_ctx ctx = who ? who->ctx : COH_CTX_PROCESS;
	if (!name)
		name = "?";
	for (size_t i = 0; i < tl->nlanes; i++) {
		const struct cli_tl_lane *l = &tl->lanes[i];
		if (l->kind == kind && l->cpu == cpu && l->ctx == ctx && strcmp(l->name, name) == 0)
			return (unsigned)i;
	}
	struct cli_tl_lane *l = realloc(tl->lanes, (tl->nlanes + 1) * sizeof(*l));
	if (!l) {
		tl->failed = true;
		return 0;
	}
	tl->lanes = l;
	l[tl->nlanes] =
	    (struct cli_tl_lane){kind, intern(tl, name), cpu, ctx, (unsigned)tl->nlanes};
	if (!l[tl->nlanes].name)
		l[tl->nlanes].name = "?";
	return (unsigned)tl->nlanes++;
}

static struct cli_tl_item *item_new(struct cli_timeline *tl)
{
	if (!tl->items) {
		tl->items = calloc(CLI_TL_MAX_ITEMS, sizeof(*tl->items));
		if (!tl->items) {
			tl->failed = true;
			return NULL;
		}
	}
	struct cli_tl_item *it;
	if (tl->nitems < CLI_TL_MAX_ITEMS) {
		it = &tl->items[tl->nitems++];
	} else {
		it = &tl->items[tl->head];
		tl->head = (tl->head + 1) % CLI_TL_MAX_ITEMS;
		tl->dropped++;
	}
	memset(it, 0, sizeof(*it));
	it->seq = tl->seq++;
	return it;
}

static void w_begin(void *arg)
{
	struct cli_timeline *tl = arg;
	tl->nitems = tl->head = 0;
	tl->seq = tl->dropped = tl->last_no = tl->lost = 0;
	tl->nlanes = 0;
	free(tl->findings);
	tl->findings = NULL;
	tl->nfindings = 0;
	tl->line_size = 0;
}

static void w_step(void *arg, const coh_watch_who *who, const char *op, const char *obj,
                   const char *file, unsigned line)
{
	struct cli_timeline *tl = arg;
	if (strcmp(op, "mem") == 0)
		return;
	unsigned lane = lane_of(tl, who);
	struct cli_tl_item *it = item_new(tl);
	if (!it)
		return;
	it->lane = lane;
	it->op = intern(tl, op);
	it->obj = intern(tl, obj);
	it->file = intern(tl, file);
	it->line = line;
}

static void w_event(void *arg, const coh_event *ev, const coh_watch_who *who)
{
	struct cli_timeline *tl = arg;
	if (ev->no > tl->last_no + 1) /* aged out of the machine's trace */
		tl->lost += ev->no - tl->last_no - 1;
	tl->last_no = ev->no;
	unsigned lane = lane_of(tl, who);
	struct cli_tl_item *it = item_new(tl);
	if (!it)
		return;
	it->lane = lane;
	it->is_event = true;
	it->ev = *ev;
	intern_event(tl, &it->ev);
	it->file = it->ev.file;
	it->line = it->ev.line;
}

static void w_end(void *arg, coh_sched *s)
{
	struct cli_timeline *tl = arg;
	const coh_check *chk = coh_sched_check(s);
	size_t n = coh_check_count(chk);
	tl->line_size = coh_cache_line_size(coh_sched_machine(s));
	free(tl->findings);
	tl->findings = n ? calloc(n, sizeof(*tl->findings)) : NULL;
	tl->nfindings = 0;
	if (n && !tl->findings) {
		tl->failed = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		coh_finding *f = &tl->findings[tl->nfindings++];
		*f = *coh_check_get(chk, i);
		f->schedule = f->detail = NULL;
		intern_event(tl, &f->trigger);
		intern_event(tl, &f->writer);
		for (unsigned k = 0; k < f->ntail && k < COH_FINDING_TRACE; k++)
			intern_event(tl, &f->tail[k]);
	}
}

struct cli_timeline *cli_timeline_new(void)
{
	struct cli_timeline *tl = calloc(1, sizeof(*tl));
	if (!tl)
		return NULL;
	tl->watcher = (coh_watcher){tl, w_begin, w_step, w_event, w_end};
	return tl;
}

void cli_timeline_free(struct cli_timeline *tl)
{
	if (!tl)
		return;
	for (size_t i = 0; i < tl->npool; i++)
		free(tl->pool[i]);
	free(tl->pool);
	free(tl->lanes);
	free(tl->items);
	free(tl->switches);
	free(tl->findings);
	free(tl->schedule);
	free(tl->replay);
	free(tl);
}

int cli_timeline_set_replay(struct cli_timeline *tl, const char *schedule, const char *replay,
                            bool of_finding)
{
	free(tl->schedule);
	free(tl->replay);
	tl->schedule = schedule ? strdup(schedule) : NULL;
	tl->replay = replay ? strdup(replay) : NULL;
	tl->of_finding = of_finding;
	return (schedule && !tl->schedule) || (replay && !tl->replay) ? -1 : 0;
}

static int lane_order(const struct cli_tl_lane *a, const struct cli_tl_lane *b)
{
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->cpu != b->cpu)
		return a->cpu < b->cpu ? -1 : 1;
	if (a->ctx != b->ctx)
		return a->ctx < b->ctx ? -1 : 1;
	return a->first < b->first ? -1 : a->first > b->first;
}

static int lane_cmp(const void *a, const void *b)
{
	return lane_order(a, b);
}

int cli_timeline_finish(struct cli_timeline *tl)
{
	if (tl->failed || !tl->line_size)
		return -1;
	if (tl->head) { /* the ring wrapped: put it in order */
		struct cli_tl_item *lin = malloc(tl->nitems * sizeof(*lin));
		if (!lin)
			return -1;
		for (size_t i = 0; i < tl->nitems; i++)
			lin[i] = tl->items[(tl->head + i) % tl->nitems];
		free(tl->items);
		tl->items = lin;
		tl->head = 0;
	}
	/* sort the lanes, then renumber the items' lanes */
	unsigned *map = malloc((tl->nlanes ? tl->nlanes : 1) * sizeof(*map));
	bool *exited = calloc(tl->nlanes ? tl->nlanes : 1, sizeof(*exited));
	if (!map || !exited) {
		free(map);
		free(exited);
		return -1;
	}
	qsort(tl->lanes, tl->nlanes, sizeof(*tl->lanes), lane_cmp);
	for (size_t i = 0; i < tl->nlanes; i++)
		map[tl->lanes[i].first] = (unsigned)i;
	for (size_t i = 0; i < tl->nitems; i++)
		tl->items[i].lane = map[tl->items[i].lane];
	/* switches: per CPU, a change of context while the first has not exited */
	free(tl->switches);
	tl->switches = NULL;
	tl->nswitches = 0;
	int prev[COH_MAX_CPUS];
	for (unsigned c = 0; c < COH_MAX_CPUS; c++)
		prev[c] = -1;
	int rc = 0;
	for (size_t i = 0; i < tl->nitems && !rc; i++) {
		const struct cli_tl_item *it = &tl->items[i];
		const struct cli_tl_lane *l = &tl->lanes[it->lane];
		if (l->kind != CLI_TL_CONTEXT || l->cpu < 0 || l->cpu >= COH_MAX_CPUS)
			continue;
		int *p = &prev[l->cpu];
		if (*p >= 0 && *p != (int)it->lane && !exited[*p]) {
			struct cli_tl_switch *sw =
			    realloc(tl->switches, (tl->nswitches + 1) * sizeof(*sw));
			if (!sw) {
				rc = -1;
				break;
			}
			tl->switches = sw;
			sw[tl->nswitches++] = (struct cli_tl_switch){
			    it->seq, (unsigned)*p, it->lane, l->ctx != COH_CTX_PROCESS};
		}
		*p = (int)it->lane;
		/* a handler delivered again is a new instance on the same lane */
		exited[it->lane] = !it->is_event && it->op && strcmp(it->op, "exit") == 0;
	}
	free(map);
	free(exited);
	return rc;
}

static bool overlaps(coh_addr_t a, uint64_t alen, coh_addr_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

bool cli_timeline_touches(const struct cli_timeline *tl, const struct cli_tl_item *it,
                          coh_addr_t line_pa, coh_addr_t line_va)
{
	if (!it->is_event)
		return false;
	const coh_event *e = &it->ev;
	uint64_t len = e->len ? e->len : 1;
	bool pa = e->pa && overlaps(e->pa, len, line_pa, tl->line_size);
	bool va = e->va && overlaps(e->va, len, line_va, tl->line_size);
	switch (e->kind) {
	case COH_EV_NOTE:
		return false;
	case COH_EV_FLUSH_ALL:
		return true;
	case COH_EV_DMA_READ:
	case COH_EV_DMA_WRITE:
	case COH_EV_FILL:
	case COH_EV_WRITEBACK:
	case COH_EV_DISCARD:
		return pa;
	default: /* accesses, maintenance and mappings: by PA, or through the alias */
		return pa || va;
	}
}

const struct cli_tl_item *cli_timeline_finding_at(const struct cli_timeline *tl,
                                                  const coh_finding *f)
{
	if (f->has_addr && f->trigger.no) {
		/* items' event numbers grow with their position: binary search */
		size_t lo = 0, hi = tl->nitems;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2, k = mid;
			while (k < hi && !tl->items[k].is_event)
				k++;
			if (k == hi) {
				hi = mid;
			} else if (tl->items[k].ev.no == f->trigger.no) {
				return &tl->items[k];
			} else if (tl->items[k].ev.no < f->trigger.no) {
				lo = k + 1;
			} else {
				hi = mid;
			}
		}
	}
	return tl->nitems ? &tl->items[tl->nitems - 1] : NULL;
}

const char *cli_timeline_label(const struct cli_tl_item *it)
{
	return it->is_event ? coh_event_kind_name(it->ev.kind) : it->op;
}

void cli_timeline_lane_name(const struct cli_tl_lane *l, char *buf, size_t size)
{
	static const char *const ctx[] = {"", "softirq ", "hardirq "};
	switch (l->kind) {
	case CLI_TL_HOST:
		snprintf(buf, size, "host: %s", l->name);
		break;
	case CLI_TL_DEVICE:
		snprintf(buf, size, "device: %s", l->name);
		break;
	default:
		snprintf(buf, size, "cpu%d %s%s", l->cpu, ctx[l->ctx], l->name);
	}
}

void cli_timeline_describe(const struct cli_timeline *tl, const struct cli_tl_item *it, char *buf,
                           size_t size)
{
	char lane[96];
	cli_timeline_lane_name(&tl->lanes[it->lane], lane, sizeof(lane));
	int n;
	if (it->is_event) {
		const coh_event *e = &it->ev;
		n = snprintf(buf, size, "t=%llu event #%llu %s (%s)", (unsigned long long)it->seq,
		             (unsigned long long)e->no, coh_event_kind_name(e->kind), lane);
		if (n >= 0 && (size_t)n < size && e->kind == COH_EV_NOTE && e->note)
			n += snprintf(buf + n, size - (size_t)n, ": %s", e->note);
		else if (n >= 0 && (size_t)n < size && e->kind != COH_EV_FLUSH_ALL)
			n += snprintf(buf + n, size - (size_t)n,
			              " va=0x%llx pa=0x%llx len=%u value=0x%llx",
			              (unsigned long long)e->va, (unsigned long long)e->pa, e->len,
			              (unsigned long long)e->value);
	} else {
		n = snprintf(buf, size, "t=%llu %s%s%s%s (%s)", (unsigned long long)it->seq, it->op,
		             it->obj ? "(" : "", it->obj ? it->obj : "", it->obj ? ")" : "", lane);
	}
	if (n >= 0 && (size_t)n < size && it->file)
		snprintf(buf + n, size - (size_t)n, " at %s:%u", it->file, it->line);
}
