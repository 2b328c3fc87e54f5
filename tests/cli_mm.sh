#!/usr/bin/env bash
# The command line on the user-memory scenarios (seed 4): `list` names
# them with their switches; each buggy variant finds its bug on its
# default arch (exit 1) and its Replay command reproduces the finding
# block byte for byte; fixed variants are clean (exit 0); --json names the
# kind; the merged rule alone still misses the sibling's read; the seed's
# walk from an interrupt deadlocks.
#   usage: bash cli_mm.sh BIN SRCDIR
set -u
BIN=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
checks=0
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}
# run WANT_EXIT ARGS...: cohsim ARGS, stdout in $TMP/out
run() {
	local want=$1
	shift
	checks=$((checks + 1))
	"$BIN" "$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	[ "$got" -eq "$want" ] || fail "exit $got, want $want: cohsim $* ($(head -c 300 "$TMP/err"))"
}
has() {
	checks=$((checks + 1))
	grep -Eq -- "$1" "$TMP/out" || fail "$2 (no /$1/ in: $(head -c 300 "$TMP/out"))"
}

run 0 list
has '^flush-dcache-anon$' "list names flush-dcache-anon"
has '^flush-anon-page$' "list names flush-anon-page"
has 'gup-flush-anon-page' "list names the merged rule's switch"
has 'variants: +buggy \(no fix\) fixed \(gup-flush-anon-page, flush-dcache-anon\) merged' \
	"flush-dcache-anon variants"

# buggy / fixed on the default arch (xscale), and replay
for spec in "flush-dcache-anon buggy stale-read" "flush-dcache-anon merged stale-read" \
	"flush-dcache-anon irq lock-inversion" "flush-anon-page buggy stale-read" \
	"flush-anon-page dio-buggy stale-dma"; do
	set -- $spec
	run 1 run "$1" --variant "$2" --preemptions 2
	has "^BUG: cohsim: $3" "$1 $2 finds $3"
	cmd=$(grep -E '^Replay: ' "$TMP/out" | head -1 | sed 's/^Replay: cohsim //')
	cp "$TMP/out" "$TMP/first"
	# shellcheck disable=SC2086
	eval "run 1 $cmd"
	block() { awk '/^====/{n++} n==1' "$1"; }
	checks=$((checks + 1))
	[ "$(block "$TMP/first")" = "$(block "$TMP/out")" ] || fail "$1 $2: replay differs"
done
for spec in "flush-dcache-anon fixed" "flush-anon-page fixed" "flush-anon-page dio-fixed"; do
	set -- $spec
	run 0 run "$1" --variant "$2" --preemptions 1
done
# clean where the cache is physically indexed
run 0 run flush-dcache-anon --arch cortex-a9 --preemptions 0
run 0 run flush-anon-page --variant dio-buggy --arch x86 --preemptions 1
# --json
run 1 run flush-anon-page --json --preemptions 1
has '"kind": ?"stale-read"' "json names the kind"
# the seed switch alone is enough: get_user_pages calls flush_dcache_page
# too, and its anon_vma walk flushes the user alias as flush_anon_page would
run 0 run flush-dcache-anon --fix flush-dcache-anon=on --preemptions 1

if [ "$fails" -ne 0 ]; then
	echo "cli_mm: $fails of $checks checks failed" >&2
	exit 1
fi
echo "cli_mm: $checks checks passed"
