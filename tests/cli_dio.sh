#!/usr/bin/env bash
# The command line on the direct-I/O and AIO scenarios (seed 3): `list`
# names them with their switches; dio-invalidate's buggy variant gives the
# kiocb's use-after-free (the slab checker) and, on other schedules, the
# stale buffered read (the block-copy oracle); its Replay command
# reproduces the finding block byte for byte; the fixed variants are clean;
# aio-dio-invalidate-completion's buggy read is stale, 332391a alone
# sleeps in atomic context; --json names the kind.
#   usage: bash cli_dio.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
. "$(dirname "$0")/lib.sh"

run_exit 0 "$BIN" list
expect_grep "$TMP/out" '^dio-invalidate$' "list names dio-invalidate"
expect_grep "$TMP/out" '^aio-dio-invalidate-completion$' "list names aio-dio-invalidate-completion"
expect_grep "$TMP/out" 'dio-invalidate-before-write' "list names the seed's switch"
expect_grep "$TMP/out" 'dio-complete-no-irq-invalidate' "list names ffe51f0142a9's switch"

block() { awk '/^====/{n++} n==1' "$1"; }
# buggy: the use-after-free, and the replay of its finding
run_exit 1 "$BIN" run dio-invalidate --strategy dfs --preemptions 1
expect_grep "$TMP/out" '^BUG: cohsim: use-after-free' "dio-invalidate buggy: use-after-free"
expect_grep "$TMP/out" 'cache kiocb' "the use-after-free names the kiocb cache"
expect_grep "$TMP/out" 'dio_bio_end_aio' "the second completion comes from the bio's end_io"
cmd=$(grep -E '^Replay: ' "$TMP/out" | head -1 | sed 's/^Replay: cohsim //')
cp "$TMP/out" "$TMP/first"
# shellcheck disable=SC2086
eval "run_exit 1 \"$BIN\" $cmd"
check
[ "$(block "$TMP/first")" = "$(block "$TMP/out")" ] || fail "dio-invalidate buggy: replay differs"
# the stale buffered read of the sync write, which pct (seed 3) meets first
run_exit 1 "$BIN" run dio-invalidate --strategy pct --budget 40 --seed 3 --json
expect_grep "$TMP/out" '"kind":"stale-read"' "dio-invalidate buggy: stale-read (json)"
expect_grep "$TMP/out" 'served from page cache of inode 1' "the stale copy is a page-cache page"

run_exit 0 "$BIN" run dio-invalidate --variant fixed --strategy dfs --preemptions 0
expect_grep "$TMP/out" 'no finding; [0-9]+ schedules, complete' "dio-invalidate fixed: complete, clean"
run_exit 1 "$BIN" run dio-invalidate --variant mmap-source --strategy dfs --preemptions 0
expect_grep "$TMP/out" '^BUG: cohsim: stale-read' "mmap-source: the documented stale-read"

run_exit 1 "$BIN" run aio-dio-invalidate-completion --arch x86
expect_grep "$TMP/out" '^BUG: cohsim: stale-read' "aio-dio-invalidate-completion buggy: stale-read"
run_exit 0 "$BIN" run aio-dio-invalidate-completion --variant fixed --arch x86
run_exit 1 "$BIN" run aio-dio-invalidate-completion --variant in-complete-only --arch x86 \
	--preemptions 1
expect_grep "$TMP/out" '^BUG: cohsim: sleep-in-atomic' "332391a alone: sleep in atomic"
finish cli_dio
