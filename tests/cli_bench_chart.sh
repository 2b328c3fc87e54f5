#!/usr/bin/env bash
# bench/chart.py draws the ratios of a benchmark run (bash bench/run.sh
# keeps the run in build/bench.txt and the chart in build/bench.svg): one bar
# per ratio, grouped by benchmark, "faster" to the left of 1x and "slower"
# to the right, hex numbers not taken for ratios. Checked on a fixed sample
# run (tests/data/bench-sample.txt): the benchmarks themselves never run in
# the tests.
#   usage: bash cli_bench_chart.sh BIN SRCDIR
set -u
SRC=$2
python3 - "$SRC/bench/chart.py" "$SRC/tests/data/bench-sample.txt" <<'PY'
import subprocess, sys
import xml.etree.ElementTree as ET
svg = subprocess.run([sys.executable, sys.argv[1], sys.argv[2]], check=True,
                     capture_output=True, text=True).stdout
root = ET.fromstring(svg)
ns = "{http://www.w3.org/2000/svg}"
bars = [r for r in root.iter(ns + "rect") if r.get("class") == "bar"]
titles = [r.find(ns + "title").text for r in bars]
texts = [t.text for t in root.iter(ns + "text")]
mid = float([l for l in root.iter(ns + "line")][0].get("x1"))
fails = []
def check(ok, what):
    if not ok:
        fails.append(what)
check(len(bars) == 10, "10 bars, got %d: %s" % (len(bars), titles))
check("bench_cache" in texts and "bench_sched" in texts, "no group titles")
check("bench_nothing" not in texts, "a benchmark without ratios is drawn")
check(not any("cafe" in t or "0x1000" in t for t in titles), "a hex number taken as a ratio")
fast = [b for b, t in zip(bars, titles) if "faster" in t]
slow = [b for b, t in zip(bars, titles) if "852.5x slower" in t]
check(fast and float(fast[0].get("x")) + float(fast[0].get("width")) <= mid + 0.5,
      "a 'faster' bar is not left of 1x")
check(slow and float(slow[0].get("x")) >= mid - 0.5, "a 'slower' bar is not right of 1x")
check(any(t.startswith("random, 100000 schedules: 1.82x") for t in titles), "labels: %s" % titles)
for f in fails:
    print("FAIL:", f, file=sys.stderr)
print("cli_bench_chart: %d failed" % len(fails))
sys.exit(1 if fails else 0)
PY
