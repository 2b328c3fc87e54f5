#!/usr/bin/env bash
# `cohsim fsx` (docs/fsx.md): short runs with every fix on are clean on
# several arches, with one task and with two; a fix turned off
# (dio-invalidate-in-complete, 332391a) is found, with the operation log,
# and the replay command printed reproduces the report byte for byte; the
# same arguments give byte-identical stdout, JSON included; bad options
# exit 2 with a message.
#   usage: bash cli_fsx.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
. "$(dirname "$0")/lib.sh"

# clean short runs
for arch in cortex-a9 x86 armv6 mips-r4k; do
	run_exit 0 "$BIN" fsx --arch "$arch" --ops 150 --seed 2
	expect_grep "$TMP/out" "^cohsim: fsx on $arch: no finding" "fsx on $arch: clean"
	expect_grep "$TMP/out" '^fsx: final check after sync and drop: every file as expected' \
		"fsx on $arch: the final whole-file check ran"
	expect_grep "$TMP/err" 'operations/s' "the rate goes to stderr"
	# O_SYNC writes ran, each checked against the disk (a write whose
	# bytes were not on the medium when write(2) returned would mismatch)
	expect_grep "$TMP/out" ' swrite [1-9]' "fsx on $arch: O_SYNC writes"
done
# VIVT: read(2) after a munmapped shared write; with file_read_actor's slow
# way only (kmap, no kunmap_atomic flush) the kmap alias served old lines
for arch in xscale arm926; do
	run_exit 0 "$BIN" fsx --arch "$arch" --ops 200 --seed 1
	expect_grep "$TMP/out" "^cohsim: fsx on $arch: no finding" "fsx on $arch (VIVT): clean"
done
run_exit 0 "$BIN" fsx --tasks 2 --files 3 --ops 150 --seed 3
expect_grep "$TMP/out" '^fsx: 150 operations of 150 on 3 files by 2 tasks' "two tasks, three files"
expect_grep "$TMP/out" 'no finding' "two tasks: clean"
run_exit 0 "$BIN" fsx --journal --ops 150 --seed 4
expect_grep "$TMP/out" 'no finding' "--journal with the seed's fix: clean"

# a fix off is found, reported with the log and the bytes, and replayed
run_exit 1 "$BIN" fsx --ops 300 --seed 3 --fix dio-invalidate-in-complete=off
cp "$TMP/out" "$TMP/found"
expect_grep "$TMP/out" '^BUG: cohsim: (stale-read|expect-failed)' "332391a off: found"
expect_grep "$TMP/out" '^fsx: the operations before it' "the operation log is printed"
expect_grep "$TMP/out" '^  #[0-9]+ +fsx0 awrite f0 ' "the log shows the AIO write"
expect_grep "$TMP/out" '^Replay: cohsim fsx --arch cortex-a9 --ops 300 --seed 3 --tasks 1 --files 1 --fix dio-invalidate-in-complete=off$' \
	"the replay command names every argument"
cmd=$(grep -m1 '^Replay: ' "$TMP/found" | sed 's/^Replay: cohsim //')
# shellcheck disable=SC2086
run_exit 1 "$BIN" $cmd
check
cmp -s "$TMP/out" "$TMP/found" || fail "the replay command does not reproduce the report"

# a mismatch of the good copy itself: expected and actual bytes
run_exit 1 "$BIN" fsx --ops 300 --seed 3 --fix dio-invalidate-in-complete=off
if grep -q '^fsx: MISMATCH' "$TMP/out"; then
	expect_grep "$TMP/out" '^  expected .*\[[0-9a-f]{2}\]' "the expected bytes, the first differing marked"
	expect_grep "$TMP/out" '^  actual  .*\[[0-9a-f]{2}\]' "the actual bytes"
fi

# determinism: text and JSON twice, byte-identical
for fmt in "" --json; do
	# shellcheck disable=SC2086
	"$BIN" fsx --ops 120 --seed 5 --tasks 2 $fmt >"$TMP/a" 2>/dev/null
	# shellcheck disable=SC2086
	"$BIN" fsx --ops 120 --seed 5 --tasks 2 $fmt >"$TMP/b" 2>/dev/null
	check
	cmp -s "$TMP/a" "$TMP/b" || fail "fsx $fmt: two runs differ"
done
check
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=d["fsx"]; assert f["ops_done"]==120 and f["tasks"]==2 and "findings" in d' "$TMP/a" ||
	fail "fsx --json: not the expected object"
"$BIN" fsx --ops 300 --seed 3 --fix dio-invalidate-in-complete=off --json >"$TMP/j" 2>/dev/null
check
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=d["fsx"]; assert d["findings"] and f["log"] and f["replay"].startswith("cohsim fsx ")' "$TMP/j" ||
	fail "fsx --json with a finding: no log or replay"

# bad input: exit 2 and a message
for bad in "--tasks 0" "--tasks 9" "--files 9" "--ops 0" "--ops x" "--tasks 3 --files 2" \
	"--fix no-such-fix=on" "--budget 3" "extra" "--strategy bogus"; do
	# shellcheck disable=SC2086
	run_exit 2 "$BIN" fsx $bad
	expect_grep "$TMP/err" 'cohsim' "fsx $bad: a message"
done
expect_grep "$TMP/err" 'strategy' "a bad strategy is named"

finish cli_fsx
