#!/usr/bin/env bash
# The command-line contract of `cohsim litmus`, `arch list`, `demo`, `version`
# and the shared options (DESIGN.md): exit codes 0/1/2, --json is one valid
# JSON object, stdout is byte-identical across runs, errors
# are FILE:LINE: messages; threads are explored (dfs by default, random,
# pct), every printed replay command reproduces its finding byte for byte,
# the same seed gives the same stdout, and dfs shards cover the whole.
#   usage: bash cli_litmus.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
EX=$SRC/examples/litmus
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# expect_exit CODE CMD... : runs CMD, stdout to $TMP/out, stderr to $TMP/err
expect_exit() {
	local want=$1
	shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	[ "$got" -eq "$want" ] || fail "exit $got, want $want: $* (stderr: $(head -c 300 "$TMP/err"))"
}

valid_json() {
	if command -v python3 >/dev/null; then
		python3 -m json.tool "$1" >/dev/null 2>&1
	else
		head -c 1 "$1" | grep -q '{' && grep -q '"findings":\[' "$1"
	fi
}

# ---- exit codes ----
expect_exit 0 "$BIN" litmus "$EX/vivt-alias-flushed.litmus"
grep -q "no finding" "$TMP/out" || fail "clean run: no summary line"
expect_exit 1 "$BIN" litmus "$EX/vivt-alias-stale-read.litmus"
grep -q "BUG: cohsim: stale-read" "$TMP/out" || fail "stale-read report missing"
grep -q "(line 10)" "$TMP/out" || fail "the report does not name litmus line 10"
expect_exit 1 "$BIN" litmus "$EX/vivt-alias-stale-read.litmus" --quiet
[ "$(wc -l <"$TMP/out")" -eq 1 ] || fail "--quiet prints more than the summary line"
expect_exit 2 "$BIN" litmus "$TMP/does-not-exist.litmus"
grep -q "does-not-exist.litmus: cannot open" "$TMP/err" || fail "missing file message"
expect_exit 2 "$BIN" litmus
expect_exit 2 "$BIN" litmus a.litmus b.litmus
expect_exit 2 "$BIN" frobnicate
expect_exit 2 "$BIN"
expect_exit 0 "$BIN" --help
grep -q "cohsim litmus" "$TMP/out" || fail "--help does not list litmus"
expect_exit 0 "$BIN" version
grep -Eq '^cohsim [0-9]+\.[0-9]+\.[0-9]+$' "$TMP/out" || fail "version format"

# ---- malformed files: FILE:LINE: message, exit 2, nothing on stdout ----
check_bad() { # TEXT LINE SUBSTRING
	printf '%b' "$1" >"$TMP/bad.litmus"
	expect_exit 2 "$BIN" litmus "$TMP/bad.litmus" --json
	grep -q "^$TMP/bad.litmus:$2: .*$3" "$TMP/err" || fail "bad input '$1': stderr '$(cat "$TMP/err")', want line $2: $3"
	[ ! -s "$TMP/out" ] || fail "bad input '$1' wrote to stdout"
}
check_bad 'arch x86\nfrob 1\n' 2 "unknown operation 'frob'"
check_bad 'arch x86\nstore 0xzz u8 1\n' 2 "bad number '0xzz'"
check_bad 'arch x86\nmap 0x1001 0 0x1000\n' 2 "not page-aligned"
check_bad 'arch x86\nmap 0x1000 0 0x1000\nmap 0x1000 0x2000 0x1000\n' 3 "overlaps the mapping of line 2"
check_bad 'arch pdp11\n' 1 "unknown arch 'pdp11' (valid: xscale"
check_bad 'arch x86\ncpu1: load 0 u8\n' 2 "cpu1 is out of range"
check_bad 'arch x86\nstore 0 u12 1\n' 2 "bad size 'u12'"
check_bad 'arch x86\nstore 0 6 1\n' 2 "not a power of two"
check_bad 'load 0 u8\n' 1 "'arch NAME' must be the first directive"
check_bad 'arch x86\nthread t cpu0\n' 2 "thread 't' has no 'end'"
check_bad 'arch x86\nthread t cpu0\nwait go\nend\n' 3 "wait for 'go', which no thread signals"
check_bad 'arch x86\nsignal go\n' 2 "'signal' outside a thread"
head -c 3000 /dev/urandom >"$TMP/bad.litmus"
"$BIN" litmus "$TMP/bad.litmus" >/dev/null 2>&1
[ $? -eq 2 ] || fail "random bytes: exit is not 2"

# ---- shared options: validated, exit 2 on bad values ----
f=$EX/vivt-alias-flushed.litmus
for bad in "--seed x" "--seed -1" "--budget 0" "--time -3" "--time abc" "--depth 0" \
	"--preemptions many" "--jobs 0" "--shard 2/2" "--shard 1" "--strategy bfs" \
	"--arch vax" "--json=1" "--nope" "-j" "--seed"; do
	# shellcheck disable=SC2086
	expect_exit 2 "$BIN" litmus "$f" $bad
	grep -q "^cohsim litmus: " "$TMP/err" || fail "option error '$bad' without a 'cohsim litmus:' message"
done
expect_exit 2 "$BIN" arch list --json
expect_exit 2 "$BIN" litmus "$f" --variant buggy
for good in "--seed 0x10" "--budget 5" "--time 1.5" "--depth 3" "--preemptions 0" \
	"--jobs 2" "--shard 0/2" "--strategy=dfs" "--keep-going" "--report=$TMP/r.html"; do
	# shellcheck disable=SC2086
	expect_exit 0 "$BIN" litmus "$f" $good
done

# ---- --json: one valid object with the contract's fields ----
expect_exit 1 "$BIN" litmus "$EX/cortex-a9-inval-lost-write.litmus" --json
valid_json "$TMP/out" || fail "--json output is not valid JSON"
grep -qF elapsed "$TMP/out" && fail "--json has the (non-deterministic) elapsed time on stdout"
for field in '"scenario":"'"$EX"'/cortex-a9-inval-lost-write.litmus"' '"variant":null' \
	'"arch":"cortex-a9"' '"strategy":"dfs"' '"seed":1' '"schedules":1' \
	'"complete":true' '"kind":"lost-write"' '"line":8'; do
	grep -qF "$field" "$TMP/out" || fail "--json lacks $field"
done
expect_exit 0 "$BIN" litmus "$EX/x86-coherent-dma.litmus" --json
valid_json "$TMP/out" || fail "clean --json output is not valid JSON"
grep -qF '"findings":[]' "$TMP/out" || fail "clean --json: findings not empty"
expect_exit 1 "$BIN" litmus "$EX/sh4-alias-lost-write.litmus" --json --seed 7
grep -qF '"seed":7' "$TMP/out" || fail "--seed is not reported"

# ---- determinism: byte-identical stdout, --json included ----
for f in "$EX"/*.litmus; do
	for mode in "" "--json"; do
		# shellcheck disable=SC2086
		"$BIN" litmus "$f" $mode 2>/dev/null >"$TMP/a"
		# shellcheck disable=SC2086
		"$BIN" litmus "$f" $mode 2>/dev/null >"$TMP/b"
		cmp -s "$TMP/a" "$TMP/b" || fail "stdout differs between runs: $f $mode"
	done
done

# ---- --arch: x86's coherent DMA hides every DMA bug of the examples ----
for f in arm926-dma-stale-dma xscale-store-allocate-stale-dma armv6-smp-clean-local \
	cortex-a9-dma-no-inval-stale-read; do
	expect_exit 1 "$BIN" litmus "$EX/$f.litmus"
	expect_exit 0 "$BIN" litmus "$EX/$f.litmus" --arch x86
done

# ---- threads: explored by dfs (default), random and pct ----
race=$EX/cortex-a9-race-lost-update.litmus
dma=$EX/arm926-race-dma-stale-dma.litmus
alias=$EX/xscale-race-alias-stale-read.litmus
clean=$EX/arm926-race-dma-double-buffer.litmus
for f in "$race" "$dma" "$alias"; do
	for s in "" "--strategy dfs" "--strategy random" "--strategy pct"; do
		# shellcheck disable=SC2086
		expect_exit 1 "$BIN" litmus "$f" $s
		grep -q "^BUG: cohsim: " "$TMP/out" || fail "$f $s: no report"
		grep -q "^replay: cohsim litmus $f " "$TMP/out" || fail "$f $s: no replay command"
		grep -q "strategy ${s#--strategy }" "$TMP/out" || [ -z "$s" ] || fail "$f $s: strategy not in the summary"
	done
done
expect_exit 1 "$BIN" litmus "$race"
grep -q "strategy dfs" "$TMP/out" || fail "the default strategy is not dfs"
grep -q "task 'a' cpu0" "$TMP/out" || fail "the report has no timeline of thread a"
for f in "$clean" "$EX/xscale-race-alias-smp.litmus"; do
	expect_exit 0 "$BIN" litmus "$f"
	grep -q "no finding; [0-9]* schedules, complete, strategy dfs" "$TMP/out" || fail "$f: not complete under dfs: $(cat "$TMP/out")"
	expect_exit 0 "$BIN" litmus "$f" --json
	grep -qF '"complete":true' "$TMP/out" || fail "$f --json: not complete"
done
expect_exit 0 "$BIN" litmus "$clean" --strategy random --budget 50
grep -q "50 schedules, not complete, strategy random" "$TMP/out" || fail "random --budget 50: $(cat "$TMP/out")"
expect_exit 0 "$BIN" litmus "$clean" --strategy pct --depth 3 --budget 20
grep -q "20 schedules, not complete, strategy pct" "$TMP/out" || fail "pct --budget 20"
grep -q "pct bound" "$TMP/err" || fail "pct: no bound on stderr"
expect_exit 0 "$BIN" litmus "$EX/vivt-alias-flushed.litmus" --strategy random
grep -q "1 schedule, complete, strategy random" "$TMP/out" || fail "no threads: not one complete execution"
# without threads there is nothing to schedule: no timeline, schedule or replay command
expect_exit 1 "$BIN" litmus "$EX/vivt-alias-stale-read.litmus"
grep -Eq "^(Schedule:|replay:|timeline)" "$TMP/out" && fail "no threads, yet a schedule, replay or timeline: $(cat "$TMP/out")"
grep -q '"replay"' <("$BIN" litmus "$EX/vivt-alias-stale-read.litmus" --json 2>/dev/null) && fail "no threads, yet a JSON replay"

# ---- every printed replay command reproduces its finding byte for byte ----
# (the report: from the '====' line to the replay command, inclusive)
block() { sed -n '/^==================================================================$/,/^replay: /p' "$1"; }
n=0
for f in "$race" "$dma" "$alias" "$EX/vivt-alias-stale-read.litmus"; do
	for s in "" "--strategy random --seed 3" "--strategy pct --seed 5" "--keep-going" "--arch armv6"; do
		# shellcheck disable=SC2086
		"$BIN" litmus "$f" $s >"$TMP/orig" 2>/dev/null
		grep '^replay: ' "$TMP/orig" >"$TMP/cmds" || continue
		while IFS= read -r line; do
			cmd=${line#replay: cohsim }
			eval "\"\$BIN\" $cmd" >"$TMP/rep" 2>"$TMP/rep.err"
			[ $? -eq 1 ] || fail "replay '$cmd' does not exit 1: $(cat "$TMP/rep.err")"
			grep -q "strategy replay" "$TMP/rep" || fail "replay '$cmd': strategy is not replay"
			# the finding whose replay line this is, in the original and in the replay
			awk -v l="$line" 'BEGIN{RS="";ORS="\n\n"} index($0, l)' "$TMP/orig" >"$TMP/a"
			awk -v l="$line" 'BEGIN{RS="";ORS="\n\n"} index($0, l)' "$TMP/rep" >"$TMP/b"
			[ -s "$TMP/a" ] && cmp -s "$TMP/a" "$TMP/b" || fail "replay '$cmd' does not reproduce the report: $(diff "$TMP/a" "$TMP/b" | head -5)"
			n=$((n + 1))
		done <"$TMP/cmds"
	done
done
[ "$n" -ge 12 ] || fail "only $n replay commands checked"
"$BIN" litmus "$dma" >"$TMP/orig" 2>/dev/null
block "$TMP/orig" | grep -q "^Schedule: v1" || fail "the report does not show its schedule"
# --json: the finding carries its schedule and replay command
expect_exit 1 "$BIN" litmus "$dma" --json
valid_json "$TMP/out" || fail "threaded --json is not valid JSON"
grep -qF '"replay":"cohsim litmus '"$dma"' --schedule '"'"'v1' "$TMP/out" || fail "--json finding has no replay command"
grep -qF '"schedule":"v1' "$TMP/out" || fail "--json finding has no schedule"
grep -qF '"line":15' "$TMP/out" || fail "--json finding has no line"
# bad replays
expect_exit 2 "$BIN" litmus "$race" --schedule 'v9:xyz'
grep -q "not a schedule string" "$TMP/err" || fail "bad schedule: $(cat "$TMP/err")"
expect_exit 2 "$BIN" litmus "$race" --schedule 'v1:2' --strategy dfs
expect_exit 0 "$BIN" litmus "$race" --schedule 'v1:'
grep -q "no finding; 1 schedule, not complete, strategy replay" "$TMP/out" || fail "replay of v1: $(cat "$TMP/out")"

# ---- same seed: byte-identical stdout; stdout has no timings ----
for s in "--strategy random --seed 11 --keep-going --budget 300" \
	"--strategy pct --seed 11 --keep-going --budget 300" "--keep-going" "--jobs 2"; do
	for f in "$race" "$clean"; do
		# shellcheck disable=SC2086
		"$BIN" litmus "$f" $s >"$TMP/a" 2>/dev/null
		# shellcheck disable=SC2086
		"$BIN" litmus "$f" $s >"$TMP/b" 2>/dev/null
		cmp -s "$TMP/a" "$TMP/b" || fail "stdout differs between runs: $f $s"
		grep -q " s$\|/s\b" "$TMP/a" && fail "timings on stdout: $f $s"
	done
done
"$BIN" litmus "$race" --strategy random --seed 1 --budget 300 --keep-going >"$TMP/a" 2>/dev/null
"$BIN" litmus "$race" --strategy random --seed 2 --budget 300 --keep-going >"$TMP/b" 2>/dev/null
grep -q "300 schedules" "$TMP/a" || fail "random --keep-going --budget 300 did not run 300"

# ---- --shard 0/2 and 1/2 together run exactly the schedules of the whole dfs ----
count() { sed -n 's/.*; \([0-9]*\) schedules\{0,1\}, .*/\1/p' "$TMP/out"; }
for f in "$clean" "$EX/xscale-race-alias-smp.litmus"; do
	for p in "" "--preemptions 1" "--preemptions 0"; do
		# shellcheck disable=SC2086
		expect_exit 0 "$BIN" litmus "$f" $p
		whole=$(count)
		# shellcheck disable=SC2086
		expect_exit 0 "$BIN" litmus "$f" $p --shard 0/2
		h0=$(count)
		# shellcheck disable=SC2086
		expect_exit 0 "$BIN" litmus "$f" $p --shard 1/2
		h1=$(count)
		[ -n "$whole" ] && [ "$((h0 + h1))" -eq "$whole" ] || fail "$f $p: shards $h0 + $h1 != whole $whole"
		# shellcheck disable=SC2086
		expect_exit 0 "$BIN" litmus "$f" $p --jobs 2
		[ "$(count)" = "$whole" ] || fail "$f $p: --jobs 2 ran $(count), not $whole"
	done
done
# a finding under --jobs 2 is the one of --jobs 1
"$BIN" litmus "$race" >"$TMP/a" 2>/dev/null
"$BIN" litmus "$race" --jobs 2 >"$TMP/b" 2>/dev/null
cmp -s "$TMP/a" "$TMP/b" || fail "--jobs 2 finds another report than --jobs 1"

# ---- arch list: every profile with its geometry ----
expect_exit 0 "$BIN" arch list
for a in xscale arm926 armv6 mips-r4k sh4 parisc cortex-a9 x86; do
	grep -q "^$a " "$TMP/out" || fail "arch list lacks $a"
done
[ "$(grep -c . "$TMP/out")" -eq 9 ] || fail "arch list: not a header and 8 profiles"
grep -q "^armv6 .* 2 non-coherent" "$TMP/out" || fail "arch list: armv6 should have 2 colours"
grep -q "^x86 .* coherent " "$TMP/out" || fail "arch list: x86 DMA should be coherent"
grep -Eq "^xscale .* ARMv5 +yes " "$TMP/out" || fail "arch list: xscale runs ARMv5 code with highmem"
grep -Eq "^parisc .* PA-RISC +no " "$TMP/out" || fail "arch list: parisc has PA-RISC code, no highmem"

# ---- demo: every example as expected, deterministic, exit 0 ----
expect_exit 0 "$BIN" demo
grep -q " 0 FAIL" "$TMP/out" || fail "demo reports failures"
n=$(ls "$EX"/*.litmus | wc -l)
[ "$(grep -c '\.litmus ' "$TMP/out")" -eq "$n" ] || fail "demo does not list every example"
cp "$TMP/out" "$TMP/demo1"
"$BIN" demo >"$TMP/demo2" 2>/dev/null
cmp -s "$TMP/demo1" "$TMP/demo2" || fail "demo stdout differs between runs"
# found relative to the executable, from any working directory
(cd / && "$BIN" demo >/dev/null 2>&1) || fail "demo fails outside the source tree"
# a wrong expectation makes its row FAIL and the exit status non-zero
mkdir -p "$TMP/ex"
cp "$EX/vivt-alias-flushed.litmus" "$TMP/ex/"
sed 's/# expect: stale-read/# expect: clean/' "$EX/vivt-alias-stale-read.litmus" >"$TMP/ex/wrong.litmus"
COHSIM_EXAMPLES=$TMP/ex "$BIN" demo >"$TMP/out" 2>/dev/null
[ $? -eq 1 ] || fail "demo with a wrong expectation does not exit 1"
grep -q "^wrong.litmus .*FAIL$" "$TMP/out" || fail "demo does not mark the wrong row FAIL"
# several expected kinds: the row keeps going and finds each
mkdir -p "$TMP/ex2"
cp "$EX/cortex-a9-race-dma-wait-no-maint.litmus" "$TMP/ex2/"
COHSIM_EXAMPLES=$TMP/ex2 "$BIN" demo >"$TMP/out" 2>/dev/null
grep -q "^cortex-a9-race-dma-wait-no-maint.litmus .*stale-dma, stale-read  *stale-dma,stale-read .* ok$" "$TMP/out" ||
	fail "demo: a row expecting two kinds is not ok: $(grep wait-no-maint "$TMP/out")"
COHSIM_EXAMPLES=$TMP/nothing-here "$BIN" demo >/dev/null 2>&1
[ $? -eq 2 ] || fail "demo without examples does not exit 2"

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)" >&2
	exit 1
fi
echo "cli_litmus: all passed"
