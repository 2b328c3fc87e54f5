#!/usr/bin/env bash
# The command-line contract of `cohsim litmus`, `arch list`, `demo`, `version`
# and the shared options (DESIGN.md): exit codes 0/1/2, --json is one valid
# JSON object, stdout is byte-identical across runs (but elapsed_s), errors
# are FILE:LINE: messages.
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
for field in '"scenario":"'"$EX"'/cortex-a9-inval-lost-write.litmus"' '"variant":null' \
	'"arch":"cortex-a9"' '"strategy":"sequential"' '"seed":1' '"schedules":1' \
	'"complete":true' '"elapsed_s":' '"kind":"lost-write"' '"line":8'; do
	grep -qF "$field" "$TMP/out" || fail "--json lacks $field"
done
expect_exit 0 "$BIN" litmus "$EX/x86-coherent-dma.litmus" --json
valid_json "$TMP/out" || fail "clean --json output is not valid JSON"
grep -qF '"findings":[]' "$TMP/out" || fail "clean --json: findings not empty"
expect_exit 1 "$BIN" litmus "$EX/sh4-alias-lost-write.litmus" --json --seed 7
grep -qF '"seed":7' "$TMP/out" || fail "--seed is not reported"

# ---- determinism: byte-identical stdout, except elapsed_s ----
for f in "$EX"/*.litmus; do
	for mode in "" "--json"; do
		# shellcheck disable=SC2086
		"$BIN" litmus "$f" $mode 2>/dev/null | sed 's/"elapsed_s":[0-9.e+-]*//' >"$TMP/a"
		# shellcheck disable=SC2086
		"$BIN" litmus "$f" $mode 2>/dev/null | sed 's/"elapsed_s":[0-9.e+-]*//' >"$TMP/b"
		cmp -s "$TMP/a" "$TMP/b" || fail "stdout differs between runs: $f $mode"
	done
done

# ---- --arch: x86's coherent DMA hides every DMA bug of the examples ----
for f in arm926-dma-stale-dma xscale-store-allocate-stale-dma armv6-smp-clean-local \
	cortex-a9-dma-no-inval-stale-read; do
	expect_exit 1 "$BIN" litmus "$EX/$f.litmus"
	expect_exit 0 "$BIN" litmus "$EX/$f.litmus" --arch x86
done

# ---- arch list: every profile with its geometry ----
expect_exit 0 "$BIN" arch list
for a in xscale arm926 armv6 mips-r4k sh4 parisc cortex-a9 x86; do
	grep -q "^$a " "$TMP/out" || fail "arch list lacks $a"
done
[ "$(grep -c . "$TMP/out")" -eq 9 ] || fail "arch list: not a header and 8 profiles"
grep -q "^armv6 .* 2 non-coherent" "$TMP/out" || fail "arch list: armv6 should have 2 colours"
grep -q "^x86 .* coherent " "$TMP/out" || fail "arch list: x86 DMA should be coherent"

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
COHSIM_EXAMPLES=$TMP/nothing-here "$BIN" demo >/dev/null 2>&1
[ $? -eq 2 ] || fail "demo without examples does not exit 2"

if [ "$fails" -ne 0 ]; then
	echo "$fails failure(s)" >&2
	exit 1
fi
echo "cli_litmus: all passed"
