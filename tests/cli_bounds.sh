#!/usr/bin/env bash
# --preemptions beyond one bound: -1 (unbounded dfs, with sleep sets) and
# LO..HI / LO.. / LO,LO+1,... (iterative bounding: the shallowest finding
# first); --stats under dfs (the schedules by preemptions); shards of an
# iterative run merged; bad values refused.
#   usage: bash cli_bounds.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
. "$(dirname "$0")/lib.sh"
json() { # json FILE EXPR: EXPR (python, on d) must hold
	check
	python3 -c "import json,sys; d=json.load(open('$1')); sys.exit(0 if ($2) else 1)" ||
		fail "$1: not ($2): $(head -c 400 "$1")"
}

# ---- -1: unbounded, with sleep sets ----
cat >"$TMP/indep.litmus" <<'EOF'
# two threads on their own lines: every interleaving is equivalent
arch cortex-a9
cpus 2
map 0xc0000000 0x100000 0x1000
thread a cpu0
  store 0xc0000000 u32 1
  store 0xc0000004 u32 2
  load 0xc0000000 u32 expect 1
end
thread b cpu1
  store 0xc0000800 u32 3
  store 0xc0000804 u32 4
  load 0xc0000800 u32 expect 3
end
EOF
run_exit 0 "$BIN" litmus "$TMP/indep.litmus" --preemptions -1 --json
json "$TMP/out" "d['complete'] and d['schedules'] == 8"
run_exit 0 "$BIN" litmus "$TMP/indep.litmus" --preemptions=-1 --quiet
expect_grep "$TMP/out" "8 schedules, complete" "--preemptions=-1 is not unbounded"
# every interleaving, bound by bound, until no execution needs more
run_exit 0 "$BIN" litmus "$TMP/indep.litmus" --preemptions 0.. --json
json "$TMP/out" "d['complete'] and d['schedules'] == 70 and d['iterative'] == {'from': 0, 'to': None, 'reached': 7}"
json "$TMP/out" "[r['schedules'] for r in d['bounds']] == [2, 6, 18, 18, 18, 6, 2, 0]"
run_exit 0 "$BIN" litmus "$TMP/indep.litmus" --preemptions 1000 --quiet
expect_grep "$TMP/out" "70 schedules, complete" "a bound above every execution's is not 70"

# ---- iterative bounding: the shallowest finding first ----
run_exit 1 "$BIN" run kmap-high-get --strategy dfs --preemptions 0..3
expect_grep "$TMP/out" "^iterative bounding 0..3: bound 0 complete \(2 schedules\); bound 1 not complete \(7 schedules, 1 finding\)$" \
	"the iterative line"
expect_grep "$TMP/out" "1 finding \(lost-write\); 9 schedules, not complete" "the summary of an iterative run"
cp "$TMP/out" "$TMP/it.txt"
run_exit 1 "$BIN" run kmap-high-get --strategy dfs --preemptions 0,1,2,3
check
cmp -s "$TMP/out" "$TMP/it.txt" || fail "0,1,2,3 is not 0..3"
run_exit 1 "$BIN" run kmap-high-get --strategy dfs --preemptions 0..3 --json
json "$TMP/out" "d['iterative'] == {'from': 0, 'to': 3, 'reached': 1} and d['findings'][0]['found_at_bound'] == 1 and 'unit' not in d['findings'][0]"
# a clean variant: every bound complete, the schedules of a plain dfs
run_exit 0 "$BIN" run kmap-high-get --variant fixed --strategy dfs --preemptions 0..2 --json
cp "$TMP/out" "$TMP/fixed.json"
json "$TMP/fixed.json" "d['complete'] and d['schedules'] == 3043 and [r['schedules'] for r in d['bounds']] == [2, 149, 2892] and all(r['complete'] for r in d['bounds'])"
run_exit 0 "$BIN" run kmap-high-get --variant fixed --strategy dfs --preemptions 2 --stats --json
json "$TMP/out" "d['schedules'] == 3043 and 'iterative' not in d and [(r['schedules'], r['cumulative']) for r in d['bounds']] == [(2, 2), (149, 151), (2892, 3043)]"
# --jobs changes nothing
run_exit 0 "$BIN" run kmap-high-get --variant fixed --strategy dfs --preemptions 0..2 --json --jobs 2
check
cmp -s "$TMP/out" "$TMP/fixed.json" || fail "--jobs 2 changes an iterative run"

# ---- --stats: the table, deterministic ----
run_exit 0 "$BIN" run kmap-high-get --variant fixed --strategy dfs --preemptions 2 --stats
expect_grep "$TMP/out" "^schedules by preemptions \(bound 2; bars: log scale\):$" "the table's title"
expect_grep "$TMP/out" "^      1          149          151    x74.5        0      yes  #{18}$" "the row of bound 1"
expect_grep "$TMP/out" "^      2         2892         3043    x19.4        0      yes  #{30}$" "the row of bound 2"
cp "$TMP/out" "$TMP/stats.txt"
run_exit 0 "$BIN" run kmap-high-get --variant fixed --strategy dfs --preemptions 2 --stats --jobs 2
check
cmp -s "$TMP/out" "$TMP/stats.txt" || fail "the table depends on --jobs"
# a stop at the first finding cuts the rows where it cuts the count
run_exit 1 "$BIN" run kmap-high-get --strategy dfs --preemptions 3 --stats --json --jobs 2
json "$TMP/out" "sum(r['schedules'] for r in d['bounds']) == d['schedules'] and sum(r['findings'] for r in d['bounds']) == 1"
# random has no bounds
"$BIN" run kmap-high-get --strategy random --budget 50 --stats --json >"$TMP/out" 2>/dev/null
json "$TMP/out" "'bounds' not in d"

# ---- shards of an iterative run merge into the whole ----
RUN="run kmap-high-get --strategy dfs --preemptions 0..2 --keep-going --json"
for i in 0 1 2 3; do
	"$BIN" $RUN --shard "$i/4" >"$TMP/s$i.json" 2>/dev/null
done
"$BIN" $RUN >"$TMP/whole.json" 2>/dev/null
run_exit 1 "$BIN" merge "$TMP"/s0.json "$TMP"/s1.json "$TMP"/s2.json "$TMP"/s3.json
check
python3 - "$TMP/out" "$TMP/whole.json" <<'PY' || fail "merged shards of an iterative run differ from the whole"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    for k in ("elapsed_s", "merged"):
        d.pop(k, None)
sys.exit(0 if a == b and a["bounds"][1]["findings"] == 1 else 1)
PY
json "$TMP/s0.json" "any(':' in f['unit'] for f in d['findings'])"
# three of four: no row complete
run_exit 1 "$BIN" merge "$TMP"/s0.json "$TMP"/s1.json "$TMP"/s2.json
json "$TMP/out" "not d['complete'] and not any(r['complete'] for r in d['bounds'])"
# an iterative shard with a plain one: refused
"$BIN" run kmap-high-get --strategy dfs --preemptions 2 --keep-going --json --shard 1/4 >"$TMP/p1.json" 2>/dev/null
run_exit 2 "$BIN" merge "$TMP"/s0.json "$TMP"/p1.json
expect_grep "$TMP/err" '"bounds" or "iterative" differs' "a plain shard merged with an iterative one"

# ---- bad values ----
for v in 3..1 0,2 0,,1 1, -2 x 0..x ..3 1001 0..1001 ""; do
	run_exit 2 "$BIN" run kmap-high-get --strategy dfs --preemptions "$v"
	expect_grep "$TMP/err" "^cohsim run: --preemptions '$v': " "--preemptions '$v' is not refused by name"
done
run_exit 2 "$BIN" run kmap-high-get --strategy random --preemptions 0..2
expect_grep "$TMP/err" "does not apply to strategy random" "iterative bounding under random"
finish cli_bounds
