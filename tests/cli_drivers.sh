#!/usr/bin/env bash
# The command line on the driver scenarios (the reference NIC, barriers
# and write buffers): each buggy variant finds its bug on its default arch
# (exit 1), with the device's line and the cause; the Replay command
# reproduces the finding byte for byte; fixed variants are clean and
# complete (exit 0); --json is byte-identical between runs; --keep-going
# adds the oracle's stale-read behind DMA-API-debug's report.
#   usage: bash cli_drivers.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
. "$(dirname "$0")/lib.sh"

run_exit 0 "$BIN" list
for sc in simnet-tx-doorbell simnet-rx-shared-line simnet-rx-reuse simnet-tx-maperr simnet-tx-own simblk-dir simblk-rmb; do
	expect_grep "$TMP/out" "^$sc\$" "list names $sc"
done

block() { awk '/^====/{n++} n==1' "$1"; }
for spec in "simnet-tx-doorbell stale-dma" "simnet-rx-shared-line lost-write" \
	"simnet-rx-reuse api-misuse" "simnet-tx-maperr bad-access" "simnet-tx-own stale-dma" "simblk-dir lost-write" "simblk-rmb stale-read"; do
	set -- $spec
	run_exit 1 "$BIN" run "$1"
	expect_grep "$TMP/out" "^BUG: cohsim: $2" "$1 buggy finds $2"
	cp "$TMP/out" "$TMP/first"
	cmd=$(grep -E '^Replay: ' "$TMP/out" | head -1 | sed 's/^Replay: cohsim //')
	# shellcheck disable=SC2086
	eval "run_exit 1 \"\$BIN\" $cmd"
	check
	[ "$(block "$TMP/first")" = "$(block "$TMP/out")" ] || fail "$1: replay differs"
	run_exit 0 "$BIN" run "$1" --variant fixed
	expect_grep "$TMP/out" "no finding;.* complete" "$1 fixed is clean and complete"
done

# the missing barrier: the device's fetch at its own line, the cause names
# the write buffer and the doorbell, the timeline the explorer's choice
run_exit 1 "$BIN" run simnet-tx-doorbell
expect_grep "$TMP/out" "dma-read .*src/kernel/io/simnet.c:[0-9]+" "the device's own line"
expect_grep "$TMP/out" "still in cpu0's write buffer" "the cause names the write buffer"
expect_grep "$TMP/out" "The register write, by task xmit" "the doorbell is shown"
# a device's finding has no VA: the header gives the PA and the device
expect_grep "$TMP/out" "^BUG: cohsim: stale-dma at PA 0x[0-9a-f]+ by the device$" "the header names PA and device"
expect_grep "$TMP/out" "leaves a store in the write buffer" "the timeline marks the choice"
# a missing dma_rmb(): the early load at the driver's line, the cause names
# both loads and the barrier; not on ARMv5 or x86 (loads in order)
run_exit 1 "$BIN" run simblk-rmb
expect_grep "$TMP/out" "^BUG: cohsim: stale-read at VA 0x[0-9a-f]+ PA 0x[0-9a-f]+ on cpu0" "simblk-rmb header"
expect_grep "$TMP/out" "load .*src/scenarios/simblk_drv.c:[0-9]+" "the id's load at the driver's line"
expect_grep "$TMP/out" "satisfied ahead of its previous load at event #[0-9]+ \\(src/scenarios/simblk_drv.c" "the cause names the earlier load"
expect_grep "$TMP/out" "no read barrier \\(dma_rmb\\(\\), rmb\\(\\)\\)" "the cause names dma_rmb"
expect_grep "$TMP/out" "The earlier load it went ahead of" "the earlier load is shown"
expect_grep "$TMP/out" "satisfies this load early" "the timeline marks the choice"
run_exit 0 "$BIN" run simblk-rmb --arch xscale
run_exit 0 "$BIN" run simblk-rmb --arch x86
run_exit 1 "$BIN" run simnet-tx-maperr
expect_grep "$TMP/out" "^BUG: cohsim: bad-access at PA 0xffffffff by the device$" "bad-access header"
expect_grep "$TMP/out" "^Exposed by the device, event" "exposed by the device, not a task"
# random and pct find it too; coherent memory is not buffered on ARMv5/x86
run_exit 1 "$BIN" run simnet-tx-doorbell --strategy random --budget 50
run_exit 1 "$BIN" run simnet-tx-doorbell --strategy pct --budget 50
run_exit 0 "$BIN" run simnet-tx-doorbell --arch xscale
run_exit 0 "$BIN" run simnet-tx-doorbell --arch x86

# the missing dma_wmb(): the OWN store overtook the descriptor's body in the
# write buffer; the NIC's read of the body at its own line; not on x86
run_exit 1 "$BIN" run simnet-tx-own
expect_grep "$TMP/out" "dma-read .*src/kernel/io/simnet.c:[0-9]+" "tx-own: the device's own line"
expect_grep "$TMP/out" "reached memory ahead of it" "tx-own: the cause names the overtaking"
expect_grep "$TMP/out" "The store that overtook it, by task xmit" "tx-own: the OWN store is shown"
expect_grep "$TMP/out" "drains a store ahead of older ones" "tx-own: the timeline marks the choice"
run_exit 0 "$BIN" run simnet-tx-own --arch x86
run_exit 0 "$BIN" run simnet-tx-own --arch xscale

# the block controller: the swapped direction's invalidation at the driver's
# map, then the controller's read of the sector at its own line
run_exit 1 "$BIN" run simblk-dir --keep-going
expect_grep "$TMP/out" "2 findings \(lost-write,stale-dma\)" "simblk-dir: both findings"
expect_grep "$TMP/out" "sbd_rw +src/scenarios/simblk_dir.c:[0-9]+" "simblk-dir: the map's line"
expect_grep "$TMP/out" "dma-read .*src/kernel/io/simblk.c:[0-9]+" "simblk-dir: the device's own line"
run_exit 0 "$BIN" run simblk-dir --arch x86

# --json: byte-identical stdout
run_exit 1 "$BIN" run simnet-tx-doorbell --json
cp "$TMP/out" "$TMP/json1"
run_exit 1 "$BIN" run simnet-tx-doorbell --json
check
cmp -s "$TMP/json1" "$TMP/out" || fail "--json differs between runs"
expect_grep "$TMP/out" '"kind": ?"stale-dma"' "--json names the kind"

# behind DMA-API-debug's report, the oracle's stale read (ARMv5)
run_exit 1 "$BIN" run simnet-rx-reuse --keep-going
expect_grep "$TMP/out" "2 findings \(api-misuse,stale-read\)" "reuse: both findings"
run_exit 1 "$BIN" run simnet-rx-shared-line --arch xscale
expect_grep "$TMP/out" "^BUG: cohsim: stale-read" "shared line on ARMv5: stale-read"

# the unchecked mapping: the NIC at the error address, then dma-debug
run_exit 1 "$BIN" run simnet-tx-maperr --keep-going
expect_grep "$TMP/out" "outside memory \(DMA_MAPPING_ERROR" "maperr: the device's bad access"
expect_grep "$TMP/out" "failed to check map error" "maperr: dma-debug's missing check"

finish cli_drivers
