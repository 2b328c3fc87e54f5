#!/usr/bin/env bash
# `cohsim merge`: four --shard I/4 runs, run through GNU parallel, merge into
# the result of one unsharded run: schedule counts add up, a finding found by
# several shards is counted once, complete only when every shard is there and
# complete, and the exit status is the whole's. Inputs that are not results
# of the same run are refused with exit 2.
#   usage: bash cli_merge.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
if ! command -v parallel >/dev/null; then
	echo "cli_merge: SKIPPED: no GNU parallel (bash scripts/deps.sh installs it)"
	exit 77
fi
. "$(dirname "$0")/lib.sh"
# same A.json B.json: the results agree but for elapsed_s and merged
same() {
	check
	python3 - "$1" "$2" <<'PY' || fail "$1 and $2 differ"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    for k in ("elapsed_s", "merged", "shard"):
        d.pop(k, None)
if a != b:
    print(json.dumps(a)[:600], "\n", json.dumps(b)[:600], file=sys.stderr)
sys.exit(0 if a == b else 1)
PY
}

# ---- a scenario with a finding, explored completely ----
RUN="run kmap-high-get --strategy dfs --keep-going --json"
parallel --will-cite --halt never "$BIN" $RUN --shard {}/4 ">" "$TMP/s{}.json" ::: 0 1 2 3 2>/dev/null
"$BIN" $RUN >"$TMP/whole.json" 2>/dev/null
run_exit 1 "$BIN" merge "$TMP"/s3.json "$TMP"/s1.json "$TMP"/s0.json "$TMP"/s2.json
cp "$TMP/out" "$TMP/merged.json"
same "$TMP/merged.json" "$TMP/whole.json"
check
python3 -c "import json,sys; d=json.load(open('$TMP/merged.json')); sys.exit(0 if d['merged']==4 and d['complete'] and len(d['findings'])==1 else 1)" ||
	fail "the merged result is not 4 shards, complete, one finding"
check
[ "$(grep -c '"kind":"lost-write"' "$TMP"/s?.json | awk -F: '{s+=$2} END {print s}')" -gt 1 ] ||
	fail "the test needs a finding found by several shards"
# the order of the files does not matter
"$BIN" merge "$TMP"/s0.json "$TMP"/s1.json "$TMP"/s2.json "$TMP"/s3.json >"$TMP/m2.json" 2>/dev/null
check
cmp -s "$TMP/m2.json" "$TMP/merged.json" || fail "merge depends on the order of its files"
# a missing shard: not complete
run_exit 1 "$BIN" merge "$TMP"/s0.json "$TMP"/s1.json "$TMP"/s2.json
check
grep -q '"complete":false' "$TMP/out" || fail "three shards of four merge as complete"

# ---- a clean run: exit 0, complete ----
RUN="run kmap-high-get --variant fixed --strategy dfs --preemptions 1 --json"
parallel --will-cite "$BIN" $RUN --shard {}/4 ">" "$TMP/c{}.json" ::: 0 1 2 3 2>/dev/null
"$BIN" $RUN >"$TMP/cwhole.json" 2>/dev/null
run_exit 0 "$BIN" merge "$TMP"/c?.json
same "$TMP/out" "$TMP/cwhole.json"

# ---- litmus shards ----
LIT=$SRC/examples/litmus/cortex-a9-race-lost-update.litmus
parallel --will-cite "$BIN" litmus "$LIT" --keep-going --json --shard {}/2 ">" "$TMP/l{}.json" ::: 0 1 2>/dev/null
"$BIN" litmus "$LIT" --keep-going --json >"$TMP/lwhole.json" 2>/dev/null
wholerc=$?
run_exit "$wholerc" "$BIN" merge "$TMP"/l0.json "$TMP"/l1.json
same "$TMP/out" "$TMP/lwhole.json"

# ---- bad inputs ----
run_exit 2 "$BIN" merge "$TMP"/s0.json "$TMP"/s0.json
check
grep -q "given twice" "$TMP/err" || fail "a shard given twice is not named"
run_exit 2 "$BIN" merge "$TMP"/s0.json "$TMP"/c1.json
check
grep -q '"variant" differs' "$TMP/err" || fail "results of other runs are not refused"
printf '{"scenario":' >"$TMP/cut.json"
run_exit 2 "$BIN" merge "$TMP/cut.json"
check
grep -q "cut.json: not JSON: byte" "$TMP/err" || fail "a cut file is not reported with its offset"
echo '{"a":1}' >"$TMP/other.json"
run_exit 2 "$BIN" merge "$TMP/other.json"
run_exit 2 "$BIN" merge "$TMP/none.json"
run_exit 2 "$BIN" merge
check
[ ! -s "$TMP/out" ] || fail "a refused merge printed something"

finish cli_merge
