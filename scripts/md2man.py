#!/usr/bin/env python3
"""md2man.py - turns one of our Markdown docs into a man page, so that the
page and the doc have one source (docs/litmus.md -> cohsim-litmus(5)).

usage: md2man.py SOURCE.md NAME SECTION "ONE-LINE SUMMARY" > NAME.SECTION

It knows the Markdown the docs use: # headings, paragraphs, indented and
fenced code, "- " lists, | tables | (kept as aligned text), `code` (bold),
**bold**, [text](link) (the text). No date goes in: the page is the same
bytes for the same doc.
"""
import re
import sys


def esc(s):
    s = s.replace("\\", "\\e").replace("-", "\\-")
    return s


def inline(s):
    s = esc(s)
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", s)
    s = re.sub(r"\*\*([^*]+)\*\*", r"\\fB\1\\fR", s)
    s = re.sub(r"`([^`]+)`", r"\\fB\1\\fR", s)
    return s


def line_out(out, s):
    # a line must not start with a control character
    if s.startswith(".") or s.startswith("'"):
        s = "\\&" + s
    out.append(s)


def convert(md, name, section, summary):
    out = ['.TH %s %s "" "cohsim" "cohsim manual"' % (name.upper(), section),
           ".SH NAME", "%s \\- %s" % (esc(name), esc(summary))]
    lines = md.split("\n")
    i = 0
    para = []

    def flush():
        if para:
            out.append(".PP")
            line_out(out, inline(" ".join(para)))
            para.clear()

    first_heading = True
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("```"):
            flush()
            out += [".PP", ".RS 4", ".nf"]
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                line_out(out, esc(lines[i]))
                i += 1
            out += [".fi", ".RE"]
            i += 1
            continue
        if ln.startswith("    ") and not para:
            flush()
            out += [".PP", ".RS 4", ".nf"]
            while i < len(lines) and (lines[i].startswith("    ") or
                                      (lines[i] == "" and i + 1 < len(lines) and
                                       lines[i + 1].startswith("    "))):
                line_out(out, esc(lines[i][4:]))
                i += 1
            out += [".fi", ".RE"]
            continue
        m = re.match(r"^(#+) (.*)", ln)
        if m:
            flush()
            level = len(m.group(1))
            if first_heading and level == 1:
                first_heading = False
                out.append(".SH DESCRIPTION")
            elif level <= 2:
                out.append(".SH " + inline(m.group(2)).upper())
            else:
                out.append(".SS " + inline(m.group(2)))
            i += 1
            continue
        if ln.startswith("|"):
            flush()
            rows = []
            while i < len(lines) and lines[i].startswith("|"):
                cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
                if not all(re.fullmatch(r":?-+:?", c) for c in cells):
                    rows.append([re.sub(r"\*\*|`", "", c) for c in cells])
                i += 1
            widths = [max(len(r[k]) if k < len(r) else 0 for r in rows)
                      for k in range(max(len(r) for r in rows))]
            out += [".PP", ".RS 2", ".nf"]
            for r in rows:
                text = "  ".join(c.ljust(widths[k]) for k, c in enumerate(r)).rstrip()
                line_out(out, esc(text))
            out += [".fi", ".RE"]
            continue
        m = re.match(r"^(\s*)[-*] (.*)", ln)
        if m:
            flush()
            item = [m.group(2)]
            i += 1
            while i < len(lines) and lines[i].startswith("  ") and \
                    not re.match(r"^\s*[-*] ", lines[i]):
                item.append(lines[i].strip())
                i += 1
            out.append(".IP \\(bu 2")
            line_out(out, inline(" ".join(item)))
            continue
        if ln.strip() == "":
            flush()
            i += 1
            continue
        para.append(ln.strip())
        i += 1
    flush()
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    md = open(sys.argv[1], encoding="utf-8").read()
    sys.stdout.write(convert(md, sys.argv[2], sys.argv[3], sys.argv[4]))


if __name__ == "__main__":
    main()
