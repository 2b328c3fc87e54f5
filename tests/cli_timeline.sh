#!/usr/bin/env bash
# The pictures of a run: `--report FILE.html` draws the execution of the
# first finding as an SVG timeline (one lane per CPU context and device, one
# element per event, a history row per finding, the replay command), and
# `--trace FILE.json` writes the same execution as a Chrome trace-event file
# that parses, with the expected tracks and events. Both are deterministic
# (byte-identical across runs and --jobs), written whole or not at all, and
# leave stdout as it was.
#   usage: bash cli_timeline.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
. "$(dirname "$0")/lib.sh"

# trace_check FILE 'python expression over ev (the events) and names (the
# thread names)' MESSAGE
trace_check() {
	check
	python3 - "$1" "$2" <<'EOF' || fail "$3"
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
names = [e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"]
inst = [e["name"] for e in ev if e["ph"] == "i"]
X = [e for e in ev if e["ph"] == "X"]
ok = eval(sys.argv[2])
if not ok:
    print("trace check failed:", sys.argv[2], "threads:", names, "instants:", sorted(set(inst)),
          file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
}

# ---- kmap-high-get: a preemption between two tasks on one CPU ----
run_exit 1 "$BIN" run kmap-high-get --report "$TMP/r.html" --trace "$TMP/t.json"
cp "$TMP/out" "$TMP/out_pictures"
run_exit 1 "$BIN" run kmap-high-get
check
cmp -s "$TMP/out" "$TMP/out_pictures" || fail "--report/--trace change stdout"
H=$TMP/r.html
items=$(sed -n 's/.*<svg id="timeline"[^>]* data-items="\([0-9]*\)".*/\1/p' "$H")
check
[ -n "$items" ] && [ "$items" -gt 50 ] || fail "no timeline svg with its item count ($items)"
evs=$(grep -c '<rect class="ev ' "$H")
check
[ "$evs" = "$items" ] || fail "$evs event elements for $items items"
check
grep -q 'class="lbl lane"[^>]*>cpu0 rx<' "$H" && grep -q '>cpu0 user<' "$H" ||
	fail "the lanes of rx and user are missing"
check
grep -q '<line class="sw preempt"' "$H" || fail "the preemption of rx is not drawn"
check
grep -q 'finding 1: lost-write line 0x' "$H" || fail "no history row for the lost write"
check
grep -q '<rect class="hist k-[a-z]* mark-trigger"' "$H" || fail "the trigger is not marked"
check
grep -q '<rect class="hist k-store mark-writer"' "$H" || fail "the latest write is not marked"
check
grep -A3 '<rect class="hist k-[a-z]* mark-trigger"' "$H" | grep -q '^expected: 51 32 20 75' ||
	fail "the trigger does not show the bytes expected and seen"
check
grep -q '<code id="replay">cohsim replay kmap-high-get --variant buggy --arch xscale --schedule' "$H" ||
	fail "no replay command"
check
grep -q 'kmap_high_get.c:[0-9]' "$H" || fail "no scenario file:line in the events"
trace_check "$TMP/t.json" '"cpu0 rx" in names and "cpu0 user" in names and "host: setup" in names' \
	"the trace lacks the lanes"
trace_check "$TMP/t.json" "len(X) == $items" "the trace has not one event per item"
trace_check "$TMP/t.json" '"lost-write" in inst and "preempted" in inst' \
	"the trace lacks the finding or the preemption"
trace_check "$TMP/t.json" 'all("site" in e["args"] for e in X if e["cat"] == "access")' \
	"accesses lack their file:line"

# deterministic, and the same whatever --jobs
run_exit 1 "$BIN" run kmap-high-get --jobs 2 --report "$TMP/r2.html" --trace "$TMP/t2.json"
check
cmp -s "$H" "$TMP/r2.html" || fail "the page differs between runs (--jobs 2)"
check
cmp -s "$TMP/t.json" "$TMP/t2.json" || fail "the trace differs between runs (--jobs 2)"

# ---- an interrupt, a device, a deadlock ----
run_exit 1 "$BIN" run kmap-lock-irq --no-lockdep --trace "$TMP/irq.json" --report "$TMP/irq.html"
check
grep -A1 '<rect class="hist k-sync mark-trigger"' "$TMP/irq.html" | grep -q 'deadlock: every task is blocked' ||
	fail "a deadlock is not marked at the end of its execution"
trace_check "$TMP/irq.json" '"cpu0 hardirq nic-irq" in names and "interrupted" in inst and "deadlock" in inst' \
	"kmap-lock-irq: no interrupt lane, interruption or deadlock"
run_exit 1 "$BIN" run dm-io-vmap --variant invalidate-only --arch xscale --trace "$TMP/dma.json"
trace_check "$TMP/dma.json" 'any(n.startswith("device: ") for n in names) and any(e["cat"] == "dma" for e in X)' \
	"dm-io-vmap: no device lane with DMA"
trace_check "$TMP/dma.json" '"stale-dma" in inst' "dm-io-vmap: no stale-dma instant"

# ---- a clean run pictures the default execution ----
run_exit 0 "$BIN" run kmap-high-get --variant fixed --report "$TMP/c.html"
check
grep -q 'The default execution, schedule <code>v1:</code>' "$TMP/c.html" ||
	fail "a clean run does not picture the default execution"
check
grep -q 'data-findings="0"' "$TMP/c.html" || fail "a clean run shows finding rows"

# ---- litmus: threads are lanes ----
run_exit 1 "$BIN" litmus "$SRC/examples/litmus/xscale-race-alias-stale-read.litmus" \
	--trace "$TMP/l.json" --report "$TMP/l.html"
trace_check "$TMP/l.json" '"stale-read" in inst and len([n for n in names if n.startswith("cpu")]) >= 2' \
	"litmus: no thread lanes or no stale-read"
check
grep -q 'cohsim litmus .*xscale-race-alias-stale-read.litmus --schedule' "$TMP/l.html" ||
	fail "litmus: no replay command on the page"

# ---- whole or not at all; bad option ----
run_exit 2 "$BIN" run kmap-high-get --trace "$TMP/no/such/dir/t.json"
check
[ ! -s "$TMP/out" ] || fail "a failed --trace still printed the report"
check
grep -q -- "--trace $TMP/no/such/dir/t.json" "$TMP/err" || fail "the error does not name the file"
check
[ -z "$(ls -A "$TMP" | grep '^\.cohsim-')" ] || fail "a temporary file was left behind"
mkdir "$TMP/adir"
run_exit 2 "$BIN" run kmap-high-get --trace "$TMP/adir"
check
[ -z "$(ls -A "$TMP/adir")" ] && [ -z "$(ls -A "$TMP" | grep '^\.cohsim-')" ] ||
	fail "a --trace that names a directory left a file behind"
run_exit 2 "$BIN" run kmap-high-get --trace ""
run_exit 2 "$BIN" list --trace "$TMP/x.json"

finish cli_timeline
