#!/usr/bin/env bash
# The command-line contract of `cohsim trace` and of --stats (docs/trace.md):
# both trace formats, found by content or forced; FILE:LINE errors and exit 2
# on bad lines, bad maps and bad options; aliases made with --map give
# findings on a VIVT cache and none on a PIPT one; "cpu N" lines; --icache;
# the JSON "stats" list with its keys; byte-identical stdout; --stats on
# litmus, run and replay.
#   usage: bash cli_trace.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

expect_exit() {
	local want=$1
	shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	[ "$got" -eq "$want" ] || fail "exit $got, want $want: $* (stderr: $(head -c 300 "$TMP/err"))"
}

# json FILE EXPR: queues a check that EXPR holds of the JSON object d in
# FILE (a copy, taken now); check_json runs them all in one python3 (whose
# start-up is slow on a loaded machine).
njson=0
json() {
	njson=$((njson + 1))
	cp "$1" "$TMP/json.$njson"
	printf '%s\t%s\n' "$TMP/json.$njson" "$2" >>"$TMP/checks"
}
check_json() {
	[ -f "$TMP/checks" ] || return 0
	python3 - "$TMP/checks" <<'PY' || fail "JSON checks"
import json, sys
bad = 0
for line in open(sys.argv[1]):
    path, expr = line.rstrip("\n").split("\t", 1)
    try:
        d = json.load(open(path))
        ok = eval(expr)
    except Exception as e:
        ok, d = False, repr(e)
    if not ok:
        print("FAIL: JSON check %s: %s" % (expr, str(d)[:300]), file=sys.stderr)
        bad += 1
sys.exit(1 if bad else 0)
PY
}

# ---- a lackey trace ----
cat >"$TMP/t.lackey" <<'T'
==1234== Lackey, an example Valgrind tool
I  04016ca0,3
 S 1ffefffdd8,8
 L 1ffefffdd8,8
 M 0421e4d8,4
 L 0421e4fe,4
 S 00400000,32
==1234== 
T
expect_exit 0 "$BIN" trace "$TMP/t.lackey" --stats
grep -q '^trace: 2 loads, 2 stores, 1 modifies, 1 instruction fetches (skipped)' "$TMP/out" ||
	fail "lackey counts: $(cat "$TMP/out")"
grep -q '^cohsim: .*t.lackey (lackey) on x86: 5 accesses; no finding' "$TMP/out" ||
	fail "lackey summary: $(tail -1 "$TMP/out")"
grep -q '^stats cpu0: 3 loads, 3 stores' "$TMP/out" || fail "stats text: $(cat "$TMP/out")"
# 0421e4fe,4 straddles two 64-byte lines: two read line accesses, a hit in
# the line M brought in and a miss
grep -q '^  read:  2 hits, 2 misses' "$TMP/out" || fail "read hits/misses: $(cat "$TMP/out")"

expect_exit 0 "$BIN" trace "$TMP/t.lackey" --stats --json
cp "$TMP/out" "$TMP/a.json"
json "$TMP/a.json" 'd["format"] == "lackey" and d["accesses"] == 5 and d["findings"] == []'
json "$TMP/a.json" 'len(d["stats"]) == 1 and all(k in d["stats"][0] for k in ["loads", "stores", "read_hits", "read_misses", "write_hits", "write_misses", "fills", "writebacks", "evictions"])'
json "$TMP/a.json" 'd["stats"][0]["loads"] == 3 and d["stats"][0]["stores"] == 3 and d["stats"][0]["write_misses"] == 2'
json "$TMP/a.json" '"ops" in d["stats"][0] and d["device_stats"]["dma_read_bytes"] == 0'
"$BIN" trace "$TMP/t.lackey" --stats --json 2>/dev/null | sed 's/"elapsed_s":[0-9.]*//' >"$TMP/b1"
"$BIN" trace "$TMP/t.lackey" --stats --json 2>/dev/null | sed 's/"elapsed_s":[0-9.]*//' >"$TMP/b2"
cmp -s "$TMP/b1" "$TMP/b2" || fail "trace --json is not deterministic"
# stdin, and --icache
expect_exit 0 "$BIN" trace - --icache --json <"$TMP/t.lackey"
json "$TMP/out" 'd["loads"] == 2 and d["ifetches"] == 1 and d["accesses"] == 6'
# --cachegrind-compat: M is one read; the straddling load is one access, one miss
expect_exit 0 "$BIN" trace "$TMP/t.lackey" --cachegrind-compat
grep -q '^cachegrind: Dr 3 D1mr 2 Dw 2 D1mw 2$' "$TMP/out" || fail "compat counts: $(cat "$TMP/out")"

# ---- din ----
printf '2 0\n0 1000\n1 1004 a comment\n0 1006\n4 0\n0 1000\n' >"$TMP/t.din"
expect_exit 0 "$BIN" trace "$TMP/t.din" --json --stats
json "$TMP/out" 'd["format"] == "din" and d["loads"] == 3 and d["stores"] == 1 and d["flushes"] == 1'
# 1006 is read as 4 bytes at 1004; the flush empties the cache: the last load misses
json "$TMP/out" 'd["stats"][0]["read_misses"] == 2 and d["stats"][0]["ops"]["flush-all"] == 1'
expect_exit 2 "$BIN" trace "$TMP/t.din" --format lackey
grep -q "t.din:1: " "$TMP/err" || fail "forced format error: $(cat "$TMP/err")"

# ---- bad lines: FILE:LINE, exit 2 ----
bad_line() { # CONTENT LINE WHAT
	printf "$1" >"$TMP/bad.trace"
	expect_exit 2 "$BIN" trace "$TMP/bad.trace"
	grep -q "bad.trace:$2: .*$3" "$TMP/err" || fail "bad line '$1': $(cat "$TMP/err")"
}
bad_line ' L 1000,4\n X 1000,4\n' 2 'not a lackey access'
bad_line ' L 1000,4\n L zz,4\n' 2 'hex address'
bad_line ' L 1000\n' 1 "',SIZE'"
bad_line ' L 1000,0\n' 1 'size between'
bad_line ' L 1000,4 junk\n' 1 'unexpected text'
bad_line ' L ffffffffffffffff,8\n' 1 'wraps'
bad_line ' L 11112222333344445,4\n' 1 'hex address'
bad_line '0 1000\n7 1000\n' 2 'not a din record'
bad_line '0 10g0\n' 1 'hex address'
bad_line 'cpu x\n' 1 "cpu N"
bad_line 'cpu 1\n L 1000,4\n' 1 'the machine has 1'
expect_exit 2 "$BIN" trace "$TMP/missing.trace"
grep -q "missing.trace: No such file" "$TMP/err" || fail "missing file: $(cat "$TMP/err")"

# ---- options ----
expect_exit 2 "$BIN" trace "$TMP/t.lackey" --arch x86 --d1 32768,8,64
expect_exit 2 "$BIN" trace "$TMP/t.lackey" --d1 32768,3,64
expect_exit 2 "$BIN" trace "$TMP/t.lackey" --d1 32768,8,64,fifo
expect_exit 2 "$BIN" trace "$TMP/t.lackey" --cachegrind-compat --arch arm926
grep -q "LRU" "$TMP/err" || fail "compat on arm926: $(cat "$TMP/err")"
expect_exit 2 "$BIN" trace "$TMP/t.lackey" --cachegrind-compat --d1 32768,8,64,rr
expect_exit 2 "$BIN" trace "$TMP/t.lackey" --cachegrind-compat --cpus 2
expect_exit 2 "$BIN" trace "$TMP/t.lackey" --format xyz
expect_exit 2 "$BIN" trace
expect_exit 0 "$BIN" trace "$TMP/t.lackey" --d1 16384,4,32,random --quiet
grep -q '^cache: PIPT, 16384 B, 4-way, 32 B lines, random' "$TMP/out" || fail "--d1: $(cat "$TMP/out")"

# ---- aliases with --map: stale data on VIVT (xscale allocates on a store
# miss), none on PIPT ----
printf ' S 10000,4\n L 20000,4\n' >"$TMP/alias.trace"
expect_exit 1 "$BIN" trace "$TMP/alias.trace" --arch xscale --map 0x10000:0x100000:0x1000 \
	--map 0x20000:0x100000:0x1000
grep -q "stale-read" "$TMP/out" || fail "VIVT alias: $(head -5 "$TMP/out")"
expect_exit 0 "$BIN" trace "$TMP/alias.trace" --arch x86 --map 0x10000:0x100000:0x1000 \
	--map 0x20000:0x100000:0x1000
printf '# aliases\n0x10000:0x100000:0x1000\n0x20000:0x100000:4096:wb\n' >"$TMP/maps"
expect_exit 1 "$BIN" trace "$TMP/alias.trace" --arch xscale --map "$TMP/maps"
printf '0x10000:0x100000:0x1000\n0x20000:0x100001:0x1000\n' >"$TMP/badmaps"
expect_exit 2 "$BIN" trace "$TMP/alias.trace" --map "$TMP/badmaps"
grep -q "badmaps:2: .*multiples" "$TMP/err" || fail "bad map file: $(cat "$TMP/err")"
printf 'hello\n' >"$TMP/badmaps2"
expect_exit 2 "$BIN" trace "$TMP/alias.trace" --map "$TMP/badmaps2"
grep -q "badmaps2:1: expected VA:PA:LEN" "$TMP/err" || fail "bad map line: $(cat "$TMP/err")"
expect_exit 2 "$BIN" trace "$TMP/alias.trace" --map 0x10000:0x80000000:0x1000
expect_exit 2 "$BIN" trace "$TMP/alias.trace" --map nosuchfile

# ---- several CPUs: "cpu N" lines ----
printf ' S 10000,4\ncpu 1\n L 10000,4\n S 10000,4\ncpu 0\n L 10000,4\n' >"$TMP/smp.trace"
expect_exit 0 "$BIN" trace "$TMP/smp.trace" --cpus 2 --arch cortex-a9 --stats --json
json "$TMP/out" 'len(d["stats"]) == 2 and d["stats"][1]["loads"] == 1 and d["stats"][1]["stores"] == 1'
json "$TMP/out" 'd["stats"][0]["read_misses"] == 1 and d["findings"] == []'

# ---- --stats on litmus, run and replay ----
LT=$SRC/examples/litmus/vivt-alias-stale-read.litmus
expect_exit 1 "$BIN" litmus "$LT" --stats --json
json "$TMP/out" 'd["stats_schedule"].startswith("v1") and len(d["stats"]) >= 1 and "read_misses" in d["stats"][0]'
expect_exit 1 "$BIN" litmus "$LT" --stats
grep -q '^stats of the execution v1' "$TMP/out" || fail "litmus --stats text"
expect_exit 1 "$BIN" run kmap-high-get --stats --json
json "$TMP/out" 'd["stats_schedule"] == d["findings"][0]["schedule"] and d["device_stats"]["dma_write_bytes"] > 0'
sched=$(sed -n 's/.*"stats_schedule":"\([^"]*\)".*/\1/p' "$TMP/out")
sed -n 's/.*\("stats":.*\),"findings".*/\1/p' "$TMP/out" >"$TMP/run.stats"
expect_exit 1 "$BIN" replay kmap-high-get --schedule "$sched" --stats --json
sed -n 's/.*\("stats":.*\),"findings".*/\1/p' "$TMP/out" >"$TMP/replay.stats"
[ -s "$TMP/run.stats" ] && cmp -s "$TMP/run.stats" "$TMP/replay.stats" ||
	fail "replay --stats ($sched) differs from run --stats"
expect_exit 0 "$BIN" run kmap-high-get --variant fixed --stats --budget 20 --quiet
grep -q '^stats of the execution v1: (every choice the default)' "$TMP/out" ||
	fail "run --stats without finding: $(head -3 "$TMP/out")"
expect_exit 2 "$BIN" demo --stats

check_json
[ "$fails" -eq 0 ] || exit 1
