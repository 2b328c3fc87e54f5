/*
 * trace_json.c - `--trace FILE.json`: one execution in the Chrome
 * trace-event format (the JSON object form), which Perfetto and
 * chrome://tracing open.
 *
 * Mapping: a process per CPU ("cpu0", ...), one for the devices and one for
 * the host; a thread per lane (timeline.h). Every item is a complete event
 * ("ph":"X") of duration 1 at ts = its position on the time axis (units are
 * steps, shown as microseconds: the simulation has no clock), with its
 * file:line, addresses and value in args. Context switches are instant
 * events on the lane switched away from; each finding is a global instant
 * event at its trigger. Deterministic: same execution, same bytes.
 */
#include <inttypes.h>
#include <string.h>

#include "timeline.h"

enum { PID_HOST = 1000, PID_DEVICE = 1001 };

static int pid_of(const struct cli_tl_lane *l)
{
	return l->kind == CLI_TL_HOST ? PID_HOST : l->kind == CLI_TL_DEVICE ? PID_DEVICE : l->cpu;
}

static void meta(FILE *out, bool *first, const char *what, int pid, size_t tid, const char *name)
{
	fprintf(out, "%s\n{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%d,\"tid\":%zu,\"args\":{\"name\":",
	        *first ? "" : ",", what, pid, tid);
	coh_json_string(out, name);
	fputs("}}", out);
	*first = false;
}

static const char *category(const struct cli_tl_item *it)
{
	if (!it->is_event)
		return "sync";
	switch (it->ev.kind) {
	case COH_EV_LOAD:
	case COH_EV_STORE:
		return "access";
	case COH_EV_DMA_READ:
	case COH_EV_DMA_WRITE:
		return "dma";
	case COH_EV_FILL:
	case COH_EV_WRITEBACK:
	case COH_EV_DISCARD:
	case COH_EV_EVICT:
	case COH_EV_PREFETCH:
		return "cache";
	case COH_EV_NOTE:
		return "note";
	case COH_EV_MAP:
	case COH_EV_UNMAP:
		return "map";
	default:
		return "maintenance";
	}
}

static void item(FILE *out, const struct cli_timeline *tl, const struct cli_tl_item *it)
{
	const struct cli_tl_lane *l = &tl->lanes[it->lane];
	char name[160];
	if (it->is_event || !it->obj)
		snprintf(name, sizeof(name), "%s", cli_timeline_label(it));
	else
		snprintf(name, sizeof(name), "%s(%s)", it->op, it->obj);
	fputs(",\n{\"ph\":\"X\",\"name\":", out);
	coh_json_string(out, name);
	fprintf(out,
	        ",\"cat\":\"%s\",\"ts\":%" PRIu64 ",\"dur\":1,\"pid\":%d,\"tid\":%u,\"args\":{",
	        category(it), it->seq, pid_of(l), it->lane + 1);
	const char *sep = "";
	if (it->file) {
		char site[256];
		snprintf(site, sizeof(site), "%s:%u", it->file, it->line);
		fputs("\"site\":", out);
		coh_json_string(out, site);
		sep = ",";
	}
	if (it->is_event) {
		const coh_event *e = &it->ev;
		fprintf(out, "%s\"event\":%" PRIu64, sep, e->no);
		if (e->kind == COH_EV_NOTE) {
			fputs(",\"note\":", out);
			coh_json_string(out, e->note ? e->note : "");
		} else if (e->kind != COH_EV_FLUSH_ALL) {
			fprintf(out,
			        ",\"va\":\"0x%" PRIx64 "\",\"pa\":\"0x%" PRIx64 "\",\"len\":%u,"
			        "\"value\":\"0x%" PRIx64 "\"",
			        e->va, e->pa, e->len, e->value);
		}
	}
	fputs("}}", out);
}

void cli_timeline_trace_json(FILE *out, const struct cli_timeline *tl, const char *title)
{
	bool first = true;
	fputs("{\"displayTimeUnit\":\"ns\",\"otherData\":{\"tool\":\"cohsim\",\"run\":", out);
	coh_json_string(out, title ? title : "");
	fputs(",\"schedule\":", out);
	coh_json_string(out, tl->schedule ? tl->schedule : "");
	fprintf(out, ",\"dropped\":%" PRIu64 ",\"lost\":%" PRIu64 "},\"traceEvents\":[",
	        tl->dropped, tl->lost);
	/* processes, then a thread per lane (sorted: their order in the UI) */
	for (size_t i = 0; i < tl->nlanes; i++) {
		const struct cli_tl_lane *l = &tl->lanes[i];
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = pid_of(&tl->lanes[j]) == pid_of(l);
		if (!seen) {
			char pname[32];
			if (l->kind == CLI_TL_CONTEXT)
				snprintf(pname, sizeof(pname), "cpu%d", l->cpu);
			else
				snprintf(pname, sizeof(pname), "%s",
				         l->kind == CLI_TL_HOST ? "host" : "devices");
			meta(out, &first, "process_name", pid_of(l), 0, pname);
		}
		char name[128];
		cli_timeline_lane_name(l, name, sizeof(name));
		meta(out, &first, "thread_name", pid_of(l), i + 1, name);
	}
	if (first) { /* no lane: keep the list well-formed */
		meta(out, &first, "process_name", PID_HOST, 0, "host");
	}
	for (size_t i = 0; i < tl->nitems; i++)
		item(out, tl, &tl->items[i]);
	for (size_t i = 0; i < tl->nswitches; i++) {
		const struct cli_tl_switch *sw = &tl->switches[i];
		char to[128];
		cli_timeline_lane_name(&tl->lanes[sw->to], to, sizeof(to));
		fprintf(out,
		        ",\n{\"ph\":\"i\",\"s\":\"t\",\"name\":\"%s\",\"ts\":%" PRIu64
		        ",\"pid\":%d,\"tid\":%u,\"args\":{\"to\":",
		        sw->interrupt ? "interrupted" : "preempted", sw->seq,
		        pid_of(&tl->lanes[sw->from]), sw->from + 1);
		coh_json_string(out, to);
		fputs("}}", out);
	}
	for (size_t i = 0; i < tl->nfindings; i++) {
		const coh_finding *f = &tl->findings[i];
		const struct cli_tl_item *at = cli_timeline_finding_at(tl, f);
		uint64_t ts = at ? at->seq : 0;
		fprintf(out,
		        ",\n{\"ph\":\"i\",\"s\":\"g\",\"name\":\"%s\",\"ts\":%" PRIu64
		        ",\"pid\":%d,\"tid\":0,\"args\":{\"message\":",
		        coh_finding_kind_name(f->kind), ts, PID_HOST);
		coh_json_string(out, f->message);
		fputs("}}", out);
	}
	fputs("\n]}\n", out);
}
