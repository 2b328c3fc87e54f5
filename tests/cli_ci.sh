#!/usr/bin/env bash
# CI and batch use: `cohsim litmus` on several files or a directory prints
# demo's result table; --junit FILE.xml (demo, litmus, run) writes a JUnit
# test case per row with the finding reports as failure text; --tap prints
# TAP as kselftest does. Exit statuses keep the contract; files are written
# whole or not at all.
#   usage: bash cli_ci.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
. "$(dirname "$0")/lib.sh"
# junit_check FILE 'python expression over root (the <testsuites>) and cases' MESSAGE
junit_check() {
	check
	python3 - "$1" "$2" <<'PY' || fail "$3"
import sys
import xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.findall("./testsuite/testcase")
ok = eval(sys.argv[2])
if not ok:
    print("junit check failed:", sys.argv[2], ET.tostring(root)[:400], file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}
LIT=$SRC/examples/litmus
nlit=$(ls "$LIT"/*.litmus | wc -l)

# ---- demo --tap / --junit ----
run_exit 0 "$BIN" demo --tap --junit "$TMP/demo.xml"
check
head -n 2 "$TMP/out" | tr '\n' ' ' | grep -Eq '^TAP version 13 1\.\.[0-9]+ $' || fail "demo --tap: no TAP header and plan"
plan=$(sed -n '2s/^1\.\.//p' "$TMP/out")
check
[ "$(grep -Ec '^(not )?ok [0-9]+ ' "$TMP/out")" = "$plan" ] || fail "demo --tap: the plan is not the number of tests"
check
! grep -q '^not ok' "$TMP/out" || fail "demo --tap: a test is not ok"
junit_check "$TMP/demo.xml" "root.get('tests') == '$plan' and root.get('failures') == '0' and len(cases) == $plan" \
	"demo --junit: not one passing test case per row"
junit_check "$TMP/demo.xml" "[s.get('name') for s in root] == ['scenarios', 'litmus'] and len(root[1]) == $nlit" \
	"demo --junit: not a suite per table"

# ---- litmus on a directory: demo's table ----
run_exit 0 "$BIN" litmus "$LIT"
check
[ "$(grep -c ' ok$' "$TMP/out")" = "$nlit" ] || fail "litmus DIR: not a passing row per file"
check
grep -q "^litmus: $nlit tests, $nlit as expected, 0 FAIL\$" "$TMP/out" || fail "litmus DIR: no summary"
check
sed -n 2p "$TMP/out" | grep -Eq '^file +arch +expected +result +schedules complete verdict$' ||
	fail "litmus DIR: not demo's table header"

# ---- several files: a failing expectation and a bad file ----
sed 's/^# expect: stale-read/# expect: clean/' "$LIT/vivt-alias-stale-read.litmus" >"$TMP/wrong.litmus"
run_exit 1 "$BIN" litmus "$LIT/vivt-alias-flushed.litmus" "$TMP/wrong.litmus" --junit "$TMP/l.xml" --tap
check
grep -q "^ok 1 litmus: $LIT/vivt-alias-flushed.litmus\$" "$TMP/out" || fail "litmus --tap: no ok line for the passing file"
check
grep -q "^not ok 2 litmus: $TMP/wrong.litmus\$" "$TMP/out" || fail "litmus --tap: no not-ok line"
check
grep -q "^# .*expected clean, got stale-read" "$TMP/out" || fail "litmus --tap: no diagnostic"
junit_check "$TMP/l.xml" "root.get('failures') == '1' and 'BUG: cohsim: stale-read' in cases[1].find('failure').text" \
	"litmus --junit: the failure does not carry the report"
printf 'arch xscale\nbogus line\n' >"$TMP/bad.litmus"
run_exit 2 "$BIN" litmus "$LIT/vivt-alias-flushed.litmus" "$TMP/bad.litmus" --junit "$TMP/b.xml"
check
grep -q "bad.litmus:2" "$TMP/err" || fail "a bad file in a batch: no FILE:LINE message"
junit_check "$TMP/b.xml" "root.get('errors') == '1' and cases[1].find('error') is not None" \
	"a bad file is not a JUnit error"
run_exit 2 "$BIN" litmus "$LIT" --json
mkdir "$TMP/empty"
run_exit 2 "$BIN" litmus "$TMP/empty"
check
grep -q "no .litmus file in it" "$TMP/err" || fail "an empty directory is not refused"
run_exit 2 "$BIN" litmus "$LIT" "$LIT/vivt-alias-flushed.litmus" --report "$TMP/r.html"

# ---- run --tap / --junit ----
run_exit 1 "$BIN" run kmap-high-get --tap --junit "$TMP/run.xml"
check
[ "$(head -n 3 "$TMP/out" | tr '\n' '|')" = "TAP version 13|1..1|not ok 1 run: kmap-high-get (buggy) on xscale|" ] ||
	fail "run --tap: $(head -n 3 "$TMP/out")"
junit_check "$TMP/run.xml" "len(cases) == 1 and 'lost-write' in cases[0].find('failure').get('message') and 'Replay: cohsim replay' in cases[0].find('failure').text" \
	"run --junit: no failure with the report"
run_exit 0 "$BIN" run kmap-high-get --variant fixed --tap
check
grep -q '^ok 1 run: kmap-high-get (fixed) on xscale$' "$TMP/out" || fail "run --tap: a clean run is not ok"
run_exit 1 "$BIN" litmus "$LIT/vivt-alias-stale-read.litmus" --tap
check
grep -q "^not ok 1 litmus: $LIT/vivt-alias-stale-read.litmus on xscale\$" "$TMP/out" || fail "litmus FILE --tap"

# ---- contract ----
run_exit 2 "$BIN" run kmap-high-get --tap --json
run_exit 2 "$BIN" run kmap-high-get --junit "$TMP/no/dir/x.xml"
check
[ ! -s "$TMP/out" ] || fail "an unwritable --junit still printed the report"
run_exit 2 "$BIN" list --junit "$TMP/x.xml"

finish cli_ci
