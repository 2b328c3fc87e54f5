/*
 * finding.c - findings as text (sanitizer style) and as JSON.
 *
 * The text report reads like KASAN's: a banner with the kind and the
 * address, the bytes expected and seen, who wrote the latest version, which
 * copy was stale and since when, the tail of the event trace, and the
 * schedule that replays it when a higher layer attached one.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_impl.h"

const char *coh_finding_kind_name(enum coh_finding_kind kind)
{
	static const char *const names[COH_F_KIND_COUNT] = {
	    [COH_F_STALE_READ] = "stale-read",
	    [COH_F_STALE_DMA] = "stale-dma",
	    [COH_F_LOST_WRITE] = "lost-write",
	    [COH_F_BAD_ACCESS] = "bad-access",
	    [COH_F_EXPECT_FAILED] = "expect-failed",
	    [COH_F_DEADLOCK] = "deadlock",
	    [COH_F_LIVELOCK] = "livelock",
	    [COH_F_SLEEP_IN_ATOMIC] = "sleep-in-atomic",
	    [COH_F_BUG] = "bug",
	    [COH_F_API_MISUSE] = "api-misuse",
	    [COH_F_USE_AFTER_FREE] = "use-after-free",
	    [COH_F_LOCK_INVERSION] = "lock-inversion",
	    [COH_F_DOUBLE_FREE] = "double-free",
	    [COH_F_OUT_OF_BOUNDS] = "out-of-bounds",
	    [COH_F_LOST_DURABLE_WRITE] = "lost-durable-write",
	};
	return (unsigned)kind < COH_F_KIND_COUNT ? names[kind] : "?";
}

static void print_bytes(FILE *out, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%s%02x", i ? " " : "", b[i]);
}

static void print_event(FILE *out, const char *indent, const coh_event *e)
{
	char buf[256];
	coh_event_format(e, buf, sizeof(buf));
	fprintf(out, "%s%s\n", indent, buf);
}

/* "task rx on cpu0", "the device", "cpu1" */
static void print_who(FILE *out, const coh_event *e)
{
	if (e->cpu < 0 && (e->kind == COH_EV_DMA_READ || e->kind == COH_EV_DMA_WRITE ||
	                   (e->actor && strcmp(e->actor, "device") == 0)))
		fprintf(out, "the device");
	else if (e->actor)
		fprintf(out, "task %s", e->actor);
	else
		fprintf(out, "cpu%d", e->cpu);
	if (e->actor && e->cpu >= 0)
		fprintf(out, " on cpu%d", e->cpu);
}

/* One side of a finding: who, the event, and its call chain. */
static void print_side(FILE *out, const char *what, const coh_event *e)
{
	fprintf(out, "\n%s ", what);
	print_who(out, e);
	fprintf(out, ", event #%" PRIu64 ":\n", e->no);
	print_event(out, "  ", e);
	if (e->stack && e->stack->n)
		coh_stack_print(e->stack, "    ", out);
}

/* Events a and b form a run: the same step of a loop over addresses. */
static bool same_step(const coh_event *a, const coh_event *b)
{
	return a->kind == b->kind && a->cpu == b->cpu && a->actor == b->actor &&
	       a->file == b->file && a->line == b->line && a->len == b->len &&
	       a->kind != COH_EV_NOTE && a->kind != COH_EV_LOAD && a->kind != COH_EV_STORE &&
	       b->no == a->no + 1;
}

/* The trace window, a loop's run of 3 or more equal steps on one line. */
static void print_window(FILE *out, const coh_event *ev, unsigned n)
{
	for (unsigned i = 0; i < n;) {
		unsigned j = i + 1;
		while (j < n && same_step(&ev[j - 1], &ev[j]) &&
		       ev[j].va - ev[j - 1].va == ev[i + 1].va - ev[i].va)
			j++;
		if (j - i < 3) {
			for (; i < j; i++)
				print_event(out, "  ", &ev[i]);
			continue;
		}
		const coh_event *a = &ev[i], *b = &ev[j - 1];
		char who[48];
		if (a->actor)
			snprintf(who, sizeof(who), "cpu%d/%s", a->cpu, a->actor);
		else
			snprintf(who, sizeof(who), "cpu%d", a->cpu);
		fprintf(out,
		        "  #%" PRIu64 "-%" PRIu64 " %s  %u x %s va=0x%08" PRIx64 "..0x%08" PRIx64
		        " pa=0x%08" PRIx64 "..0x%08" PRIx64 " len=%u",
		        a->no, b->no, who, j - i, coh_event_kind_name(a->kind), a->va, b->va, a->pa,
		        b->pa, a->len);
		if (a->file)
			fprintf(out, "  (%s:%u)", a->file, a->line);
		fprintf(out, "\n");
		i = j;
	}
}

/* The object of a lifetime finding, and where the bad address lies
 * relative to it, as KASAN says it; then its allocation and free sites. */
static void print_object(FILE *out, const coh_finding *f)
{
	const char *cache = f->obj_cache ? f->obj_cache : "?";
	if (!f->obj_size) {
		fprintf(out,
		        "\nThe address is in a slot of cache %s at VA 0x%" PRIx64 " (PA 0x%" PRIx64
		        ") that was never allocated\n",
		        cache, f->obj_va, f->obj_pa);
		return;
	}
	long long off = f->obj_offset;
	fprintf(out,
	        "\nThe object: the %u-byte region [VA 0x%" PRIx64 ", 0x%" PRIx64 ") (PA 0x%" PRIx64
	        ") of cache %s;\n  the address is ",
	        f->obj_size, f->obj_va, f->obj_va + f->obj_size, f->obj_pa, cache);
	if (off < 0)
		fprintf(out, "%lld bytes to the left of it\n", -off);
	else if (off >= (long long)f->obj_size)
		fprintf(out, "%lld bytes to the right of it\n", off - (long long)f->obj_size);
	else
		fprintf(out, "%lld bytes inside it\n", off);
	if (f->alloc_site.no) {
		fprintf(out, "\nAllocated by:\n");
		print_event(out, "  ", &f->alloc_site);
	}
	if (f->free_site.no) {
		fprintf(out, "\nFreed by:\n");
		print_event(out, "  ", &f->free_site);
	}
}

/* One side of a lock-inversion, as lockdep's splat gives it. */
static void print_lock_side(FILE *out, const coh_lock_side *l)
{
	fprintf(out, "\n%s: task %s (%s context) on cpu%u at %s:%u\n", l->what, l->task, l->context,
	        l->cpu, l->file ? l->file : "?", l->line);
	if (l->stack && l->stack->n)
		coh_stack_print(l->stack, "    ", out);
}

static const char *rule = "==================================================================";

void coh_finding_print(const coh_finding *f, FILE *out)
{
	fprintf(out, "%s\n", rule);
	fprintf(out, "BUG: cohsim: %s", coh_finding_kind_name(f->kind));
	/* a device's access, or a DMA-API check of a DMA address, has no VA */
	if (f->has_addr && f->va)
		fprintf(out, " at VA 0x%" PRIx64 " PA 0x%" PRIx64, f->va, f->pa);
	else if (f->has_addr)
		fprintf(out, " at PA 0x%" PRIx64, f->pa);
	if (f->cpu >= 0)
		fprintf(out, " on cpu%d", f->cpu);
	else if (f->kind == COH_F_STALE_DMA || f->has_addr)
		fprintf(out, " by the device");
	fprintf(out, "\n\n%s\n", f->message);
	/* a deadlock or livelock is the state of the tasks, not the last access */
	bool whole_run = f->kind == COH_F_DEADLOCK || f->kind == COH_F_LIVELOCK ||
	                 f->kind == COH_F_LOCK_INVERSION || f->kind == COH_F_SLEEP_IN_ATOMIC ||
	                 f->kind == COH_F_BUG;
	if (f->trigger.no && !whole_run)
		print_side(out, "Exposed by", &f->trigger);
	if (f->has_object)
		print_object(out, f);
	if (f->len) {
		fprintf(out, "\n  expected: ");
		print_bytes(out, f->expected, f->len);
		fprintf(out, "\n  seen:     ");
		print_bytes(out, f->seen, f->len);
		fprintf(out, "\n");
	}
	if (f->writer.no && !f->writer_aged_out)
		print_side(out, "The latest data was written by", &f->writer);
	else if (f->writer.no)
		fprintf(out,
		        "\nThe latest data was written by event #%" PRIu64
		        " (its details aged out of the trace)\n",
		        f->writer.no);
	if (f->stale_is_line) {
		/* a discarded line held the latest data: it was not the stale copy */
		bool discarded =
		    f->kind == COH_F_LOST_WRITE && f->trigger.kind != COH_EV_WRITEBACK &&
		    f->trigger.kind != COH_EV_EVICT && f->trigger.kind != COH_EV_CLEAN &&
		    f->trigger.kind != COH_EV_FLUSH && f->trigger.kind != COH_EV_FLUSH_ALL;
		fprintf(out,
		        "\n%s: cpu%d L1 set %u way %u, filled through VA 0x%" PRIx64
		        " (PA 0x%" PRIx64 ") at event #%" PRIu64 "\n",
		        discarded ? "The discarded line" : "The stale copy", f->stale_cpu,
		        f->stale_set, f->stale_way, f->stale_line_va, f->stale_line_pa,
		        f->stale_since);
		if (f->stale_fill.no && f->stale_fill.file)
			fprintf(out, "  filled at %s:%u\n", f->stale_fill.file, f->stale_fill.line);
	}
	if (f->cause[0])
		fprintf(out, "\nCause: %s.\n", f->cause);
	if (f->cause_event.no && f->cause_event.stack && f->cause_event.stack->n)
		print_side(out,
		           f->cause_event.kind == COH_EV_MMIO_WRITE ? "The register write, by"
		           : f->cause_event.kind == COH_EV_STORE ? "The store that overtook it, by"
		           : f->cause_event.kind == COH_EV_LOAD
		               ? "The earlier load it went ahead of, by"
		               : "The remap, by",
		           &f->cause_event);
	if (f->ntail) {
		fprintf(out, "\nThe trace up to it (last %u events):\n", f->ntail);
		print_window(out, f->tail, f->ntail);
	}
	for (unsigned i = 0; i < f->nlock_sides && i < 2; i++)
		print_lock_side(out, &f->lock_sides[i]);
	if (f->detail)
		fprintf(out, "\n%s", f->detail);
	if (f->schedule && f->schedule[0])
		fprintf(out, "\nSchedule: %s\n", f->schedule);
	fprintf(out, "%s\n", rule);
}

/* The length of the valid UTF-8 sequence at s (1..4), or 0 if s does not
 * start one (overlong forms, surrogates and code points past U+10FFFF are
 * not valid). */
static unsigned utf8_len(const unsigned char *s)
{
	unsigned n;
	uint32_t cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (unsigned i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
	if (cp < min[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Valid JSON whatever the bytes: a byte that is not part of valid UTF-8
 * (a file name on a Latin-1 system) is written as \u00XX, its value read as
 * a Latin-1 code point. */
void coh_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	const unsigned char *p = (const unsigned char *)s;
	while (p && *p) {
		unsigned char ch = *p;
		unsigned n = utf8_len(p);
		if (n > 1) {
			fwrite(p, 1, n, out);
			p += n;
			continue;
		}
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch == '\t')
			fputs("\\t", out);
		else if (ch < 0x20 || n == 0)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
		p++;
	}
	fputc('"', out);
}

static void json_bytes(FILE *out, const char *name, const uint8_t *b, unsigned n)
{
	fprintf(out, ",\"%s\":\"", name);
	for (unsigned i = 0; i < n; i++)
		fprintf(out, "%02x", b[i]);
	fputc('"', out);
}

static void json_stack(FILE *out, const coh_stack *st)
{
	fprintf(out, ",\"stack\":[");
	for (unsigned i = 0; st && i < st->n; i++) {
		fprintf(out, "%s{\"func\":", i ? "," : "");
		coh_json_string(out, st->f[i].func);
		fprintf(out, ",\"file\":");
		coh_json_string(out, st->f[i].file);
		fprintf(out, ",\"line\":%u}", st->f[i].line);
	}
	fputc(']', out);
	if (st && st->more)
		fprintf(out, ",\"stack_more\":%u", st->more);
	if (st && st->queued) /* stack[i] for i >= this queued the work */
		fprintf(out, ",\"stack_queued_from\":%u", st->queued - 1);
}

static void json_event_body(FILE *out, const coh_event *e)
{
	char buf[256];
	coh_event_format(e, buf, sizeof(buf));
	fprintf(out, "{\"event\":%" PRIu64 ",\"text\":", e->no);
	coh_json_string(out, buf);
	if (e->actor) {
		fprintf(out, ",\"task\":");
		coh_json_string(out, e->actor);
	}
	fprintf(out, ",\"cpu\":%d", e->cpu);
	if (e->line)
		fprintf(out, ",\"line\":%u", e->line);
	if (e->file) {
		fprintf(out, ",\"file\":");
		coh_json_string(out, e->file);
	}
	json_stack(out, e->stack);
	fputc('}', out);
}

static void json_event(FILE *out, const char *name, const coh_event *e)
{
	fprintf(out, ",\"%s\":", name);
	json_event_body(out, e);
}

void coh_finding_print_json(const coh_finding *f, FILE *out)
{
	fprintf(out, "{\"kind\":\"%s\"", coh_finding_kind_name(f->kind));
	fprintf(out, ",\"message\":");
	coh_json_string(out, f->message);
	fprintf(out, ",\"schedule\":");
	if (f->schedule)
		coh_json_string(out, f->schedule);
	else
		fprintf(out, "null");
	if (f->trigger.line)
		fprintf(out, ",\"line\":%u", f->trigger.line);
	if (f->cpu >= 0)
		fprintf(out, ",\"cpu\":%d", f->cpu);
	if (f->has_addr)
		fprintf(out, ",\"va\":\"0x%" PRIx64 "\",\"pa\":\"0x%" PRIx64 "\"", f->va, f->pa);
	if (f->len) {
		json_bytes(out, "expected", f->expected, f->len);
		json_bytes(out, "seen", f->seen, f->len);
	}
	if (f->trigger.no)
		json_event(out, "trigger", &f->trigger);
	if (f->writer.no && !f->writer_aged_out)
		json_event(out, "writer", &f->writer);
	if (f->cause[0]) {
		fprintf(out, ",\"cause\":");
		coh_json_string(out, f->cause);
	}
	if (f->cause_event.no)
		json_event(out, "cause_event", &f->cause_event);
	if (f->nlock_sides) {
		fprintf(out, ",\"lock_sides\":[");
		for (unsigned i = 0; i < f->nlock_sides && i < 2; i++) {
			const coh_lock_side *l = &f->lock_sides[i];
			fprintf(out, "%s{\"what\":", i ? "," : "");
			coh_json_string(out, l->what);
			fprintf(out, ",\"lock\":");
			coh_json_string(out, l->lock ? l->lock : "?");
			if (l->held) {
				fprintf(out, ",\"held\":");
				coh_json_string(out, l->held);
			}
			fprintf(out, ",\"task\":");
			coh_json_string(out, l->task ? l->task : "?");
			fprintf(out, ",\"context\":");
			coh_json_string(out, l->context ? l->context : "?");
			fprintf(out, ",\"cpu\":%u,\"file\":", l->cpu);
			coh_json_string(out, l->file ? l->file : "?");
			fprintf(out, ",\"line\":%u", l->line);
			json_stack(out, l->stack);
			fputc('}', out);
		}
		fputc(']', out);
	}
	if (f->ntail) {
		fprintf(out, ",\"trace\":[");
		for (unsigned i = 0; i < f->ntail; i++) {
			if (i)
				fputc(',', out);
			json_event_body(out, &f->tail[i]);
		}
		fputc(']', out);
	}
	if (f->has_object) {
		fprintf(out,
		        ",\"object\":{\"va\":\"0x%" PRIx64 "\",\"pa\":\"0x%" PRIx64
		        "\",\"size\":%u,\"offset\":%lld,\"cache\":",
		        f->obj_va, f->obj_pa, f->obj_size, f->obj_offset);
		coh_json_string(out, f->obj_cache ? f->obj_cache : "?");
		fputc('}', out);
		if (f->alloc_site.no)
			json_event(out, "allocated", &f->alloc_site);
		if (f->free_site.no)
			json_event(out, "freed", &f->free_site);
	}
	if (f->stale_is_line)
		fprintf(out,
		        ",\"stale_copy\":{\"cpu\":%d,\"set\":%u,\"way\":%u,\"va\":\"0x%" PRIx64
		        "\",\"pa\":\"0x%" PRIx64 "\",\"filled_at\":%" PRIu64,
		        f->stale_cpu, f->stale_set, f->stale_way, f->stale_line_va,
		        f->stale_line_pa, f->stale_since);
	if (f->stale_is_line && f->stale_fill.no && f->stale_fill.file) {
		fprintf(out, ",\"fill_file\":");
		coh_json_string(out, f->stale_fill.file);
		fprintf(out, ",\"fill_line\":%u", f->stale_fill.line);
	}
	if (f->stale_is_line)
		fputc('}', out);
	fputc('}', out);
}

static int set_str(char **dst, const char *s)
{
	char *copy = s ? strdup(s) : NULL;
	if (s && !copy)
		return COH_ENOMEM;
	free(*dst);
	*dst = copy;
	return COH_OK;
}

int coh_finding_set_schedule(coh_finding *f, const char *schedule)
{
	return set_str(&f->schedule, schedule);
}

int coh_finding_set_detail(coh_finding *f, const char *detail)
{
	return set_str(&f->detail, detail);
}
