#!/usr/bin/env python3
"""chart.py - an SVG chart of the ratios a benchmark run printed.

usage: chart.py RUN.txt > CHART.svg   (bench/run.sh writes both in build/)

Every line of the run that holds a ratio ("1.40x", "32.2x slower") gives
one bar per ratio, labelled with the line's leading words and grouped under
its benchmark ("== bench_NAME"). Bars are on a log scale around 1x, so a
ratio and its inverse are equally long; the value is printed beside each.
Hex numbers (0x...) are not ratios. The chart is one self-contained SVG.
"""
import math
import re
import sys
from xml.sax.saxutils import escape

RATIO = re.compile(r"(?<![0-9A-Za-z.])(\d+(?:\.\d+)?)x(?![0-9a-fA-F])(\s+(?:faster|slower))?")


def parse(text):
    groups, cur = [], None
    for line in text.splitlines():
        if line.startswith("== "):
            cur = (line[3:].strip(), [])
            groups.append(cur)
            continue
        found = list(RATIO.finditer(line))
        if not found or cur is None:
            continue
        text = line.strip()
        colon = text.find(": ")
        if 0 < colon < 60:
            label = text[:colon]
        else:
            label = re.split(r"\s\d|\(", text, maxsplit=1)[0].strip() or text[:30]
        for k, m in enumerate(found):
            v = float(m.group(1))
            if v <= 0:
                continue
            word = (m.group(2) or "").strip()
            name = label if len(found) == 1 else "%s [%d]" % (label, k + 1)
            cur[1].append((name, v, word))
    return [g for g in groups if g[1]]


def chart(groups):
    row, left, width = 18, 330, 420
    rows = sum(len(g[1]) + 2 for g in groups)
    height = 40 + rows * row
    vals = [abs(math.log10(v)) for g in groups for (_, v, _) in g[1]] or [1]
    scale = (width / 2 - 60) / max(max(vals), 0.5)
    mid = left + width / 2
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="11">' % (left + width + 20, height),
           '<text x="10" y="20" font-size="14">cohsim benchmark ratios '
           '(log scale, 1x at the line)</text>',
           '<line x1="%.0f" y1="30" x2="%.0f" y2="%d" stroke="#888"/>' % (mid, mid, height)]
    y = 40
    for name, bars in groups:
        out.append('<text x="10" y="%d" font-weight="bold">%s</text>' % (y + 12, escape(name)))
        y += row
        for label, v, word in bars:
            lv = math.log10(v) * (-1 if word == "faster" else 1)
            x0, x1 = sorted((mid, mid + lv * scale))
            out.append('<text x="10" y="%d">%s</text>' % (y + 12, escape(label[:52])))
            out.append('<rect class="bar" x="%.1f" y="%d" width="%.1f" height="%d" fill="%s">'
                       '<title>%s: %gx %s</title></rect>'
                       % (x0, y + 3, max(x1 - x0, 1), row - 6,
                          "#4a90d9" if lv < 0 else "#e67e22", escape(label), v, word))
            out.append('<text x="%.1f" y="%d">%gx %s</text>'
                       % (max(x1, mid) + 4, y + 12, v, escape(word)))
            y += row
        y += row
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    groups = parse(open(sys.argv[1], encoding="utf-8").read())
    if not groups:
        sys.exit("chart.py: no ratios in " + sys.argv[1])
    sys.stdout.write(chart(groups))


if __name__ == "__main__":
    main()
