/*
 * timeline_svg.c - the picture in `--report FILE.html`: one execution as an
 * inline SVG timeline, with a few lines of script, no external file.
 *
 * Layout: time runs left to right, one column per item (timeline.h), one
 * lane per CPU context, per device and for the host's setup. Every item is
 * one element of class "ev" (a rect with its description as <title>, so
 * hovering shows it; clicking shows it in the panel below). A switch on a
 * CPU to a context while another still has work is a dashed line between
 * the two lanes: "preempt" between tasks, "irq" into an interrupt handler.
 * Under the lanes, one row per finding of the execution draws the history of
 * its stale line on the same axis (class "hist"): the fill, the writes by
 * each alias, maintenance, DMA, and the read or write-back that was caught,
 * with the finding's trigger, latest writer and stale fill marked.
 *
 * The script marks the page ready (body data-ready="1") once it has wired
 * the clicks, and any script error (body data-error), so a headless browser
 * can check the page. Output is deterministic: no clock, no addresses of
 * host objects.
 */
#include <inttypes.h>
#include <string.h>

#include "cli.h"
#include "timeline.h"

enum { LABEL_W = 230, LEFT = 6, LANE_H = 22, TOP = 28, HIST_H = 26 };

/* The CSS class of an item's kind. */
static const char *kind_class(const struct cli_tl_item *it)
{
	if (!it->is_event)
		return "sync";
	switch (it->ev.kind) {
	case COH_EV_LOAD:
		return "load";
	case COH_EV_STORE:
		return "store";
	case COH_EV_CLEAN:
	case COH_EV_INVAL:
	case COH_EV_FLUSH:
	case COH_EV_FLUSH_ALL:
		return "maint";
	case COH_EV_EVICT:
	case COH_EV_PREFETCH:
		return "spont";
	case COH_EV_FILL:
		return "fill";
	case COH_EV_WRITEBACK:
		return "wb";
	case COH_EV_DISCARD:
		return "discard";
	case COH_EV_DMA_READ:
	case COH_EV_DMA_WRITE:
		return "dma";
	case COH_EV_MAP:
	case COH_EV_UNMAP:
		return "map";
	default:
		return "note";
	}
}

static const char *style =
    ".tlw{display:flex;border:1px solid #ccc;background:#fff}"
    ".tl{overflow-x:auto;flex:1}.tlw svg{font:11px monospace;display:block}"
    ".lanebg{fill:#f7f7f7}.lanebg.odd{fill:#eef2f7}"
    ".lbl{fill:#222}.tick{stroke:#ddd}.ticklbl{fill:#888}"
    ".ev,.hist{stroke:#0003;cursor:pointer}.ev:hover,.hist:hover{stroke:#000;stroke-width:2}"
    ".sw{stroke-width:1.5;stroke-dasharray:3 2}.sw.preempt{stroke:#d35400}.sw.irq{stroke:#8e44ad}"
    ".trig{stroke:#c00;stroke-width:1;stroke-dasharray:2 3}"
    ".mark-trigger{stroke:#c00;stroke-width:3}.mark-writer{stroke:#070;stroke-width:3}"
    ".mark-since{stroke:#e67e22;stroke-width:3}"
    "#detail{font-family:monospace;background:#f6f6f6;padding:.5em;min-height:1.4em;"
    "white-space:pre-wrap}"
    ".legend span{display:inline-block;margin-right:1em}"
    ".legend i{display:inline-block;width:10px;height:10px;margin-right:3px;"
    "border:1px solid #0003}"
    "#replay{font-family:monospace;background:#f6f6f6;padding:.4em;display:inline-block}";

static const char *script =
    "(function(){"
    "window.addEventListener('error',function(e){document.body.dataset.error=String("
    "e.message);});"
    "var d=document.getElementById('detail');"
    "var els=document.querySelectorAll('.ev,.hist');"
    "for(var i=0;i<els.length;i++){els[i].addEventListener('click',function(){"
    "var t=this.querySelector('title');d.textContent=t?t.textContent:'';});}"
    "var b=document.getElementById('copy');"
    "if(b){b.addEventListener('click',function(){"
    "var t=document.getElementById('replay').textContent;"
    "try{navigator.clipboard.writeText(t);b.textContent='copied';}catch(e){"
    "var r=document.createRange();r.selectNodeContents(document.getElementById('replay'));"
    "var s=window.getSelection();s.removeAllRanges();s.addRange(r);}});}"
    "var m=document.querySelector('.mark-trigger');"
    "if(m){var c=document.querySelector('.tl');"
    "c.scrollLeft=Math.max(0,parseFloat(m.getAttribute('x'))-c.clientWidth/2);}"
    "document.body.dataset.events=String(document.querySelectorAll('.ev').length);"
    "document.body.dataset.ready='1';"
    "})();";

/* The kinds' colours and names: SVG fill, and the legend's swatches. */
static const char *const kinds[][3] = {
    {"load", "#4a90d9", "load"},       {"store", "#e67e22", "store"},
    {"fill", "#8fbce6", "fill"},       {"wb", "#b05fc6", "write-back"},
    {"discard", "#7f8c8d", "discard"}, {"maint", "#27ae60", "maintenance"},
    {"dma", "#c0392b", "DMA"},         {"spont", "#f1c40f", "evict/prefetch"},
    {"map", "#16a085", "map/unmap"},   {"sync", "#bbbbbb", "sync step"},
    {"note", "#dddddd", "note"},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static void kind_style(FILE *out)
{
	fputs("<style>", out);
	for (size_t i = 0; i < NKINDS; i++)
		fprintf(out, ".k-%s{fill:%s}.legend i.k-%s{background:%s}", kinds[i][0],
		        kinds[i][1], kinds[i][0], kinds[i][1]);
	fputs("</style>\n", out);
}

static unsigned col_width(size_t n)
{
	return n <= 400 ? 12 : n <= 2000 ? 6 : 3;
}

/* f (may be NULL): the finding whose trigger this is; its bytes are added. */
static void item_rect(FILE *out, const struct cli_timeline *tl, const struct cli_tl_item *it,
                      const char *cls, const char *mark, double x, double y, double w, double h,
                      size_t index, const coh_finding *f)
{
	char desc[512];
	cli_timeline_describe(tl, it, desc, sizeof(desc));
	fprintf(out,
	        "<rect class=\"%s k-%s%s%s\" data-i=\"%zu\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
	        "height=\"%.1f\"><title>",
	        cls, kind_class(it), mark ? " mark-" : "", mark ? mark : "", index, x, y, w, h);
	cli_xml_escape(out, desc);
	if (f) {
		fprintf(out, "\n%s: ", coh_finding_kind_name(f->kind));
		cli_xml_escape(out, f->message);
		for (int k = 0; k < 2 && f->len; k++) {
			fputs(k ? "\nseen:    " : "\nexpected:", out);
			for (unsigned b = 0; b < f->len && b < COH_FINDING_MAX_BYTES; b++)
				fprintf(out, " %02x", k ? f->seen[b] : f->expected[b]);
		}
	}
	fputs("</title></rect>\n", out);
}

/* The line of a finding's stale copy: the line itself, or the line of the
 * address when the stale copy was memory. */
static void finding_line(const struct cli_timeline *tl, const coh_finding *f, coh_addr_t *pa,
                         coh_addr_t *va)
{
	coh_addr_t mask = ~(coh_addr_t)(tl->line_size - 1);
	*pa = (f->stale_is_line ? f->stale_line_pa : f->pa) & mask;
	*va = (f->stale_is_line ? f->stale_line_va : f->va) & mask;
}

static void legend(FILE *out)
{
	fputs("<p class=\"legend\">", out);
	for (size_t i = 0; i < NKINDS; i++)
		fprintf(out, "<span><i class=\"k-%s\"></i>%s</span>", kinds[i][0], kinds[i][2]);
	fputs("<span>dashed lines: preemption (orange), interrupt (purple); dotted red: a "
	      "finding</span></p>\n",
	      out);
}

/* The lane and finding-row names: a column of their own that stays in
 * view while the timeline scrolls. */
static void labels(FILE *out, const struct cli_timeline *tl, double height)
{
	fprintf(out,
	        "<svg class=\"labels\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	        "height=\"%.0f\">\n",
	        LABEL_W, height);
	for (size_t i = 0; i < tl->nlanes; i++) {
		char name[128];
		double y = TOP + (double)i * LANE_H;
		cli_timeline_lane_name(&tl->lanes[i], name, sizeof(name));
		fprintf(out,
		        "<rect class=\"lanebg%s\" x=\"0\" y=\"%.0f\" width=\"%d\" height=\"%d\"/>"
		        "<text class=\"lbl lane\" x=\"4\" y=\"%.0f\">",
		        i % 2 ? " odd" : "", y, LABEL_W, LANE_H, y + LANE_H - 7);
		cli_xml_escape(out, name);
		fputs("</text>\n", out);
	}
	double y0 = TOP + (double)tl->nlanes * LANE_H + 10;
	for (size_t fi = 0; fi < tl->nfindings; fi++) {
		const coh_finding *f = &tl->findings[fi];
		coh_addr_t lpa, lva;
		finding_line(tl, f, &lpa, &lva);
		fprintf(out, "<text class=\"lbl hist-lbl\" x=\"4\" y=\"%.0f\">finding %zu: %s",
		        y0 + (double)fi * HIST_H + HIST_H - 9, fi + 1,
		        coh_finding_kind_name(f->kind));
		if (f->has_addr)
			fprintf(out, " line 0x%" PRIx64, lpa);
		fputs("<title>", out);
		cli_xml_escape(out, f->message);
		fputs("</title></text>\n", out);
	}
	fputs("</svg>", out);
}

void cli_timeline_svg(FILE *out, const struct cli_timeline *tl)
{
	size_t n = tl->nitems;
	unsigned cw = col_width(n);
	double width = LEFT + (double)n * cw + 20;
	double lanes_h = (double)tl->nlanes * LANE_H;
	double height = TOP + lanes_h + 10 + (double)tl->nfindings * HIST_H + 10;
	uint64_t seq0 = n ? tl->items[0].seq : 0;
#define XOF(seq) (LEFT + (double)((seq)-seq0) * cw)

	fprintf(out, "<style>%s</style>\n", style);
	kind_style(out);
	fputs("<h2>Timeline</h2>\n<p>", out);
	fputs(tl->of_finding ? "The execution of the first finding" : "The default execution", out);
	fputs(", schedule <code>", out);
	cli_xml_escape(out, tl->schedule ? tl->schedule : "?");
	fprintf(out,
	        "</code>: %zu events and steps in %zu lanes, %zu context switch%s. "
	        "Hover over an event for its file:line and bytes; click to keep it below.",
	        n, tl->nlanes, tl->nswitches, tl->nswitches == 1 ? "" : "es");
	if (tl->dropped)
		fprintf(out, " The first %" PRIu64 " items are not shown.", tl->dropped);
	if (tl->lost)
		fprintf(out,
		        " %" PRIu64 " events of operations that made more than the machine's "
		        "trace holds are not shown.",
		        tl->lost);
	fputs("</p>\n", out);
	if (tl->replay) {
		fputs("<p>Replay: <code id=\"replay\">", out);
		cli_xml_escape(out, tl->replay);
		fputs("</code> <button id=\"copy\" type=\"button\">copy</button></p>\n", out);
	}
	legend(out);
	fputs("<div class=\"tlw\">", out);
	labels(out, tl, height);
	fprintf(out,
	        "<div class=\"tl\"><svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" "
	        "width=\"%.0f\" height=\"%.0f\" data-items=\"%zu\" data-lanes=\"%zu\" "
	        "data-findings=\"%zu\">\n",
	        width, height, n, tl->nlanes, tl->nfindings);
	for (size_t i = 0; i < tl->nlanes; i++)
		fprintf(
		    out,
		    "<rect class=\"lanebg%s\" x=\"0\" y=\"%.0f\" width=\"%.0f\" height=\"%d\"/>\n",
		    i % 2 ? " odd" : "", TOP + (double)i * LANE_H, width, LANE_H);
	/* time ticks */
	unsigned every = cw >= 12 ? 10 : cw >= 6 ? 50 : 200;
	for (size_t i = 0; i < n; i += every) {
		double x = XOF(tl->items[i].seq);
		fprintf(out,
		        "<line class=\"tick\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%.0f\"/>"
		        "<text class=\"ticklbl\" x=\"%.1f\" y=\"%d\">%" PRIu64 "</text>\n",
		        x, TOP - 12, x, TOP + lanes_h, x + 2, TOP - 14, tl->items[i].seq);
	}
	/* the findings' triggers, across the lanes */
	for (size_t f = 0; f < tl->nfindings; f++) {
		const struct cli_tl_item *t = cli_timeline_finding_at(tl, &tl->findings[f]);
		if (t)
			fprintf(out,
			        "<line class=\"trig\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" "
			        "y2=\"%.0f\"/>\n",
			        XOF(t->seq) + cw / 2.0, TOP, XOF(t->seq) + cw / 2.0, height - 10);
	}
	/* switches */
	for (size_t i = 0; i < tl->nswitches; i++) {
		const struct cli_tl_switch *sw = &tl->switches[i];
		char from[128], to[128];
		cli_timeline_lane_name(&tl->lanes[sw->from], from, sizeof(from));
		cli_timeline_lane_name(&tl->lanes[sw->to], to, sizeof(to));
		double x = XOF(sw->seq);
		fprintf(out,
		        "<line class=\"sw %s\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\">"
		        "<title>t=%" PRIu64 ": ",
		        sw->interrupt ? "irq" : "preempt", x,
		        TOP + (double)sw->from * LANE_H + LANE_H / 2.0, x,
		        TOP + (double)sw->to * LANE_H + LANE_H / 2.0, sw->seq);
		cli_xml_escape(out, from);
		fputs(sw->interrupt ? " interrupted by " : " preempted by ", out);
		cli_xml_escape(out, to);
		fputs("</title></line>\n", out);
	}
	/* the items */
	for (size_t i = 0; i < n; i++) {
		const struct cli_tl_item *it = &tl->items[i];
		double y = TOP + (double)it->lane * LANE_H + 4;
		item_rect(out, tl, it, "ev", NULL, XOF(it->seq) + 1, y, cw - 2, LANE_H - 8, i,
		          NULL);
	}
	/* the history of each finding's line */
	double y0 = TOP + lanes_h + 10;
	for (size_t fi = 0; fi < tl->nfindings; fi++) {
		const coh_finding *f = &tl->findings[fi];
		double y = y0 + (double)fi * HIST_H;
		coh_addr_t lpa, lva;
		finding_line(tl, f, &lpa, &lva);
		const struct cli_tl_item *at = cli_timeline_finding_at(tl, f);
		for (size_t i = 0; i < n; i++) {
			const struct cli_tl_item *it = &tl->items[i];
			bool trig = it == at;
			bool wr = f->has_addr && it->is_event && f->writer.no &&
			          it->ev.no == f->writer.no;
			bool since = f->stale_is_line && it->is_event && f->stale_since &&
			             it->ev.no == f->stale_since;
			if (!trig && !wr && !since &&
			    !(f->has_addr && cli_timeline_touches(tl, it, lpa, lva)))
				continue;
			const char *mark = trig    ? "trigger"
			                   : wr    ? "writer"
			                   : since ? "since"
			                           : NULL;
			item_rect(out, tl, it, "hist", mark, XOF(it->seq) + 1, y + 4, cw - 2,
			          HIST_H - 10, i, trig ? f : NULL);
		}
	}
	fputs("</svg></div></div>\n<p>Selected: <span id=\"detail\">(click an event)</span></p>\n",
	      out);
	if (tl->nfindings)
		fputs("<p>Finding rows: the events on the stale line's physical address or its "
		      "alias; red outline: the access that exposed it; green: the latest "
		      "write; orange: the fill of the stale copy.</p>\n",
		      out);
	fprintf(out, "<script>%s</script>\n", script);
#undef XOF
}
