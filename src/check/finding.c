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

static const char *rule = "==================================================================";

void coh_finding_print(const coh_finding *f, FILE *out)
{
	fprintf(out, "%s\n", rule);
	fprintf(out, "BUG: cohsim: %s", coh_finding_kind_name(f->kind));
	if (f->has_addr)
		fprintf(out, " at VA 0x%" PRIx64 " PA 0x%" PRIx64, f->va, f->pa);
	if (f->cpu >= 0)
		fprintf(out, " on cpu%d", f->cpu);
	else if (f->kind == COH_F_STALE_DMA)
		fprintf(out, " by the device");
	fprintf(out, "\n\n%s\n", f->message);
	if (f->trigger.no) {
		fprintf(out, "\nExposed by:\n");
		print_event(out, "  ", &f->trigger);
	}
	if (f->len) {
		fprintf(out, "\n  expected: ");
		print_bytes(out, f->expected, f->len);
		fprintf(out, "\n  seen:     ");
		print_bytes(out, f->seen, f->len);
		fprintf(out, "\n");
	}
	if (f->writer.no) {
		fprintf(out, "\nThe latest version was written by event #%" PRIu64 "%s\n",
		        f->writer.no,
		        f->writer_aged_out ? " (its details aged out of the trace)" : ":");
		if (!f->writer_aged_out)
			print_event(out, "  ", &f->writer);
	}
	if (f->stale_is_line)
		fprintf(out,
		        "\nThe stale copy: cpu%d L1 set %u way %u, filled through VA 0x%" PRIx64
		        " (PA 0x%" PRIx64 ") at event #%" PRIu64 "\n",
		        f->stale_cpu, f->stale_set, f->stale_way, f->stale_line_va,
		        f->stale_line_pa, f->stale_since);
	if (f->stale_is_line && f->stale_fill.no && f->stale_fill.file)
		fprintf(out, "  filled at %s:%u\n", f->stale_fill.file, f->stale_fill.line);
	if (f->ntail) {
		fprintf(out, "\nLast %u events:\n", f->ntail);
		for (unsigned i = 0; i < f->ntail; i++)
			print_event(out, "  ", &f->tail[i]);
	}
	if (f->detail)
		fprintf(out, "\n%s", f->detail);
	if (f->schedule)
		fprintf(out, "\nSchedule: %s\n", f->schedule);
	fprintf(out, "%s\n", rule);
}

void coh_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", out);
		else if (ch == '\t')
			fputs("\\t", out);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
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

static void json_event(FILE *out, const char *name, const coh_event *e)
{
	char buf[256];
	coh_event_format(e, buf, sizeof(buf));
	fprintf(out, ",\"%s\":{\"event\":%" PRIu64 ",\"text\":", name, e->no);
	coh_json_string(out, buf);
	if (e->line)
		fprintf(out, ",\"line\":%u", e->line);
	if (e->file) {
		fprintf(out, ",\"file\":");
		coh_json_string(out, e->file);
	}
	fputc('}', out);
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
