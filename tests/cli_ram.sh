#!/usr/bin/env bash
# Physical memory as boards have it, from the command line: a litmus file
# may use any PA below 2^40 without declaring memory, or declare its banks
# with `ram BASE SIZE`; bad ram lines are FILE:LINE errors with exit 2;
# frames cost host memory only when touched (a test touching both ends of
# the 2^40 space stays small).
#   usage: bash cli_ram.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
. "$(dirname "$0")/lib.sh"

# the PXA example: RAM at 0xa0000000, a stale read found there
run_exit 1 "$BIN" litmus "$SRC/examples/litmus/xscale-pxa-ram-stale-read.litmus"
expect_grep "$TMP/out" "stale-read at VA 0xc0000000 PA 0xa0100000" "stale read at the PXA address"
run_exit 1 "$BIN" litmus --json "$SRC/examples/litmus/xscale-pxa-ram-stale-read.litmus"
cp "$TMP/out" "$TMP/a.json"
run_exit 1 "$BIN" litmus --json "$SRC/examples/litmus/xscale-pxa-ram-stale-read.litmus"
check
cmp -s "$TMP/out" "$TMP/a.json" || fail "two runs differ"

# undeclared memory: both ends of the PA space, found stale at the top
cat >"$TMP/ends.litmus" <<'L'
# expect: stale-read
arch cortex-a9
map 0x10000 0x0 0x1000
map 0x20000 0xfffffff000 0x1000
store 0x10000 u32 1
load 0x20ff8 u64
dma-write 0xfffffffff8 8 0x77
load 0x20ff8 u64
L
for arch in cortex-a9 xscale; do
	/usr/bin/time -f "%M" -o "$TMP/rss" "$BIN" litmus --arch "$arch" "$TMP/ends.litmus" \
		>"$TMP/out" 2>"$TMP/err"
	st=$?
	check
	[ "$st" -eq 1 ] || fail "$arch: ends.litmus exit $st ($(head -c 300 "$TMP/err"))"
	expect_grep "$TMP/out" "PA 0xfffffffff8" "$arch: stale read at the top of the PA space"
	# a dense 2^40 memory or shadow could not stay under 400 MB (ASan included)
	check
	rss=$(tail -1 "$TMP/rss")
	[ "$rss" -lt 400000 ] || fail "$arch: max RSS $rss KiB for two touched frames"
done

# bad ram lines: FILE:LINE: problem, exit 2
bad() { # LINE-NUMBER MESSAGE-PATTERN TEXT
	printf '%b' "$3" >"$TMP/bad.litmus"
	run_exit 2 "$BIN" litmus "$TMP/bad.litmus"
	expect_grep "$TMP/err" "bad.litmus:$1: .*$2" "bad ram line: $3"
}
bad 3 "overlaps the bank of line 2" 'arch xscale\nram 0xa0000000 0x4000000\nram 0xa2000000 0x1000\n'
bad 2 "beyond the physical address space" 'arch xscale\nram 0xfffffff000 0x2000\n'
bad 2 "not aligned to the page size" 'arch xscale\nram 0xa0000800 0x1000\n'
bad 2 "is empty" 'arch xscale\nram 0xa0000000 0\n'
bad 2 "bad number" 'arch xscale\nram 0xa000000g 0x1000\n'
bad 3 "exclude each other" 'arch xscale\nmem-size 0x100000\nram 0xa0000000 0x1000\n'
bad 3 "outside the declared ram banks" 'arch xscale\nram 0xa0000000 0x1000\nmap 0x1000 0xa0001000 0x1000\n'
bad 3 "outside the declared ram banks" 'arch xscale\nram 0xa0000000 0x1000\ndma-read 0x0 4\n'
bad 2 "beyond the physical address space" 'arch xscale\nmap 0x1000 0x10000000000 0x1000\n'

finish cli_ram
