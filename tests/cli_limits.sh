#!/usr/bin/env bash
# Limits that hold inside long work (docs/faults.md): --time ends a long
# setup and a long execution of a litmus test, not only the search between
# executions; --max-memory bounds the host memory of a run, which then
# fails with exit 3 and a message instead of taking the host's memory.
#   usage: bash cli_limits.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
. "$(dirname "$0")/lib.sh"

# ---- --time inside long operations ----
# 400 flushes of a 1 GiB mapping take most of a minute (a cortex-a9 flush
# walks every line); with --time 1 the run ends after about a second. The
# outer `timeout` only keeps a broken build from hanging the suite.
flushes() {
	printf 'arch cortex-a9\nmem-size 0x40000000\nmap 0x40000000 0 0x40000000\n'
	[ "$1" = thread ] && printf 'thread t cpu0\n'
	for _ in $(seq 400); do printf 'flush 0x40000000 0x40000000\n'; done
	[ "$1" = thread ] && printf 'end\n'
}
for where in setup thread; do
	flushes "$where" >"$TMP/$where.litmus"
	run_exit 2 timeout 60 "$BIN" litmus "$TMP/$where.litmus" --time 1
	expect_grep "$TMP/err" "stopped by --time" "--time 1 in the $where"
	expect_grep "$TMP/out" "nothing explored; 0 schedules" "--time 1 in the $where: the result"
done

# ---- --max-memory ----
run_exit 0 "$BIN" litmus "$SRC/examples/litmus/arm926-dma-cleaned.litmus" --max-memory 64
if grep -q "not enforced" "$TMP/err"; then
	echo "cli_limits: --max-memory is not enforced under ASan: its checks skipped"
else
	# page-size 256: 8 Mi pages mapped, but the mappings are blocks (mmu.c)
	# and nothing is touched: well within 64 MiB (it took over 600 MB)
	printf 'arch arm926\npage-size 256\nmem-size 0x40000000\nmap 0x40000000 0 0x40000000\nmap 0x80000000 0 0x40000000\n' >"$TMP/pages.litmus"
	run_exit 0 timeout 60 "$BIN" litmus "$TMP/pages.litmus" --max-memory 64
	# 512 MiB written by a device: touched memory, over the bound
	printf 'arch arm926\nmem-size 0x40000000\ndma-write 0 0x20000000 0x5a\n' >"$TMP/touch.litmus"
	run_exit 3 timeout 60 "$BIN" litmus "$TMP/touch.litmus" --max-memory 64
	expect_grep "$TMP/err" "out of host memory" "--max-memory 64: the failure"
	expect_grep "$TMP/err" "limited to 64 MiB.*--max-memory" "--max-memory 64: the note"
	run_exit 0 "$BIN" run kmap-high-get --variant fixed --budget 20 --jobs 2 --max-memory 64
fi
run_exit 2 "$BIN" run kmap-high-get --max-memory 10
expect_grep "$TMP/err" "from 64 to 2\^30" "--max-memory 10"

finish cli_limits
