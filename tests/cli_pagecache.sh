#!/usr/bin/env bash
# The command line on the page-cache scenario: perform-write-alias's buggy
# variant finds the lost write on its default arch (exit 1) and its Replay
# command reproduces the finding block byte for byte; the fixed variant,
# and the buggy one on a kernel with the fix (--kernel 2.6.33), are clean;
# a --disk host file holds the file system after the run.
#   usage: bash cli_pagecache.sh BIN SRCDIR
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
has '^perform-write-alias$' "list names perform-write-alias"
has 'perform-write-flush' "list names its switch"

run 1 run perform-write-alias --variant buggy
has '^BUG: cohsim: lost-write' "buggy finds the lost write"
cmd=$(grep -E '^Replay: ' "$TMP/out" | head -1 | sed 's/^Replay: cohsim //')
cp "$TMP/out" "$TMP/first"
# shellcheck disable=SC2086
eval "run 1 $cmd"
block() { awk '/^====/{n++} n==1' "$1"; }
checks=$((checks + 1))
[ "$(block "$TMP/first")" = "$(block "$TMP/out")" ] || fail "replay differs"

run 0 run perform-write-alias --variant fixed
run 0 run perform-write-alias --variant buggy --kernel 2.6.33
run 0 run perform-write-alias --variant buggy --arch cortex-a9

# the file system on a host image: the image is only read (docs/faults.md)
run 0 run perform-write-alias --variant fixed --disk "$TMP/disk" --budget 1
checks=$((checks + 1))
[ ! -e "$TMP/disk.0" ] || fail "--disk wrote the image"

echo "cli_pagecache: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
