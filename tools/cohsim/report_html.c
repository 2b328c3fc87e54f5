/*
 * report_html.c - `--report FILE.html`: the run as one self-contained HTML
 * page (no external files): the summary, the SVG timeline of one execution
 * (timeline_svg.c, with a few lines of inline script), then each finding's
 * report with its event trace and per-task timeline, and the JSON object.
 *
 * The page is written through cli_outfile_write() (outfile.c): to a fresh
 * temporary file renamed over FILE, so a reader never sees half a report.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "timeline.h"

static const char *style =
    "body{font-family:sans-serif;margin:2em;max-width:70em}"
    "pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:90%}"
    "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .6em;"
    "text-align:left}.bug{color:#a00}.ok{color:#070}";

static void page(FILE *out, const struct cli_result *r)
{
	char kinds[256];
	cli_result_kinds(r, kinds, sizeof(kinds));
	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>cohsim: ", out);
	cli_xml_escape(out, r->scenario);
	fprintf(out, "</title><style>%s</style></head><body>\n<h1>cohsim: ", style);
	cli_xml_escape(out, r->scenario);
	fputs("</h1>\n<table>\n", out);
	fputs("<tr><th>variant</th><td>", out);
	cli_xml_escape(out, r->variant ? r->variant : "-");
	fputs("</td></tr>\n<tr><th>arch</th><td>", out);
	cli_xml_escape(out, r->arch);
	fputs("</td></tr>\n<tr><th>strategy</th><td>", out);
	cli_xml_escape(out, r->strategy);
	fprintf(out,
	        "</td></tr>\n<tr><th>seed</th><td>%llu</td></tr>\n"
	        "<tr><th>schedules</th><td>%llu%s</td></tr>\n"
	        "<tr><th>result</th><td class=\"%s\">",
	        (unsigned long long)r->seed, (unsigned long long)r->schedules,
	        r->complete ? " (complete)" : "", r->nfindings ? "bug" : "ok");
	cli_xml_escape(out, kinds);
	fputs("</td></tr>\n</table>\n", out);
	if (r->timeline)
		cli_timeline_svg(out, r->timeline);
	for (size_t i = 0; i < r->nfindings; i++) {
		fprintf(out, "<h2 class=\"bug\">Finding %zu: %s</h2>\n<pre>", i + 1,
		        coh_finding_kind_name(r->findings[i].kind));
		cli_xml_escape(out, r->findings[i].text);
		fputs("</pre>\n<details><summary>JSON</summary><pre>", out);
		cli_xml_escape(out, r->findings[i].json);
		fputs("</pre></details>\n", out);
	}
	fputs("</body></html>\n", out);
}

static void write_page(FILE *out, const void *r)
{
	page(out, r);
}

int cli_result_write_html(const char *path, const struct cli_result *r)
{
	return cli_outfile_write("--report", path, write_page, r);
}
