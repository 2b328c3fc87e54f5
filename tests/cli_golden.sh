#!/usr/bin/env bash
# Golden reports: the text and JSON report of each built-in scenario and of
# a few litmus tests, byte for byte (but elapsed_s), against tests/golden/.
# Each run twice (the same bytes); the files were written by another build
# directory than the one under test, so a chain that held an address, or a
# path of the build, would differ. The reports must carry the call chain,
# both sides and the cause.
#   usage: bash cli_golden.sh BIN SRCDIR
#   COHSIM_UPDATE_GOLDEN=1 bash cli_golden.sh BIN SRCDIR   rewrites the files
#   (after a change that moves a reported line: read the diff, then commit)
set -u
BIN=$1
SRC=$2
GOLD=$SRC/tests/golden
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
checks=0
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# name | command (run from SRCDIR, so that paths in the reports are relative)
CASES='kmap-high-get|run kmap-high-get
dm-io-vmap|run dm-io-vmap
dm-io-vmap-write|run dm-io-vmap --variant invalidate-only --arch xscale
kmap-lock-irq|run kmap-lock-irq
kmap-lock-irq-no-lockdep|run kmap-lock-irq --no-lockdep
litmus-race-lost-update|litmus examples/litmus/cortex-a9-race-lost-update.litmus
litmus-dma-no-inval|litmus examples/litmus/cortex-a9-dma-no-inval-stale-read.litmus
litmus-sh4-alias-lost-write|litmus examples/litmus/sh4-alias-lost-write.litmus
litmus-dma-wait|litmus examples/litmus/cortex-a9-race-dma-wait-no-maint.litmus --keep-going'

cd "$SRC" || exit 2
while IFS='|' read -r name cmd; do
	for fmt in txt json; do
		extra=""
		[ $fmt = json ] && extra="--json"
		# shellcheck disable=SC2086
		"$BIN" $cmd $extra 2>/dev/null | sed -E 's/"elapsed_s":[0-9.]+/"elapsed_s":0/' >"$TMP/a"
		# shellcheck disable=SC2086
		"$BIN" $cmd $extra 2>/dev/null | sed -E 's/"elapsed_s":[0-9.]+/"elapsed_s":0/' >"$TMP/b"
		checks=$((checks + 1))
		cmp -s "$TMP/a" "$TMP/b" || fail "$name.$fmt: two runs differ"
		if [ "${COHSIM_UPDATE_GOLDEN:-}" = 1 ]; then
			cp "$TMP/a" "$GOLD/$name.$fmt"
			continue
		fi
		checks=$((checks + 1))
		cmp -s "$TMP/a" "$GOLD/$name.$fmt" ||
			fail "$name.$fmt differs from tests/golden (COHSIM_UPDATE_GOLDEN=1 rewrites it):
$(diff "$GOLD/$name.$fmt" "$TMP/a" | head -20)"
	done
done <<<"$CASES"

# what the golden reports must say (so that a rewrite cannot drop it)
must() { # FILE PATTERN WHAT
	checks=$((checks + 1))
	grep -Eq -- "$2" "$GOLD/$1" || fail "$1 lacks $3 (/$2/)"
}
# kmap-high-get: both sides with their chains, and the remap as the cause
must kmap-high-get.txt '^Exposed by task rx on cpu0, event #' "the exposing side"
must kmap-high-get.txt '^    dma_map_page +src/kernel/dma/mapping.c:[0-9]+$' "dma_map_page in the chain"
must kmap-high-get.txt '^    rx_task +src/scenarios/kmap_high_get.c:44$' "the scenario's call line"
must kmap-high-get.txt '^The latest data was written by task user on cpu0, event #' "the other side"
must kmap-high-get.txt '^Cause: VA 0xbfe01000 was remapped from PA 0x80000 to 0x82000 at event #[0-9]+ \(map_new_virtual <- kmap_high <- kmap <- user_task\), task user, while task rx was switched out in coh__cache_line <- ' "the remap as the cause"
must kmap-high-get.txt '^  > #[0-9]+ +cpu0 rx +preempted' "the preemption in the timeline"
must kmap-high-get.json '"stack":\[\{"func":"coh__cache_line","file":"src/kernel/arch/cacheflush.c","line":[0-9]+\}' "a JSON stack"
must kmap-high-get.json '"cause":"VA 0xbfe01000 was remapped' "the JSON cause"
# dm-io-vmap: the device's read reaches back to dm_io() and the scenario
must dm-io-vmap.txt '^    queued by:$' "the chain that queued the I/O"
must dm-io-vmap.txt '^    dm_io +src/kernel/md/dm-io.c:[0-9]+$' "dm_io in the chain"
must dm-io-vmap.txt '^    chunk_io +src/scenarios/dm_io_vmap.c:[0-9]+$' "the scenario in the chain"
must dm-io-vmap.txt '^Cause: the device wrote PA 0x[0-9a-f]+ at event #[0-9]+ \(transfer <- device_work <- .* <- dm_io <- chunk_io <- area_io\) after cpu0.s line for VA 0xe0000000 was filled \(event #[0-9]+\), and the line was not invalidated' "the missing invalidate as the cause (the read half)"
must dm-io-vmap-write.txt '^Cause: task snapshot on cpu0 stored to VA 0x[0-9a-f]+ at event #[0-9]+ \(write_exception <- snapshot_task\) into a write-back line; the line was not cleaned' "the missing clean as the cause (the write half)"
# kmap-lock-irq: lockdep's two sides; without it, the deadlock
must kmap-lock-irq.txt '^\{IN-HARDIRQ\} taken in hardirq: task nic-irq \(hardirq context\)' "the IRQ side"
must kmap-lock-irq.txt '^\{HARDIRQ-ON\} taken with hardirqs on: task worker \(process context\)' "the process side"
must kmap-lock-irq.txt '^    kmap_high_get +src/kernel/mm/highmem.c:[0-9]+$' "kmap_high_get in the IRQ chain"
must kmap-lock-irq.json '"lock_sides":\[\{"what":"\{IN-HARDIRQ\} taken in hardirq","lock":"kmap_lock","task":"nic-irq","context":"hardirq","cpu":0,"file":"src/kernel/mm/highmem.c","line":[0-9]+,"stack":\[\{"func":"kmap_high_get"' "the JSON IRQ side with its chain"
must kmap-lock-irq.json '\{"what":"\{HARDIRQ-ON\} taken with hardirqs on","lock":"kmap_lock","task":"worker","context":"process",.*"stack":\[\{"func":"lock_kmap"' "the JSON process side with its chain"
must kmap-lock-irq-no-lockdep.txt "^every task is blocked: .*held by 'worker', which took it at src/kernel/mm/highmem.c:[0-9]+\.$" "the deadlock with the holder's line"
# litmus: a thread is the frame; the DMA case names the missing invalidate
must litmus-race-lost-update.txt '^    a +examples/litmus/cortex-a9-race-lost-update.litmus:[0-9]+$' "the thread frame"
must litmus-dma-wait.txt '^    #[0-9]+ +cpu0 dev +wait_for_completion\(go\) +examples/litmus/cortex-a9-race-dma-wait-no-maint.litmus:20$' "the wait in the timeline"
must litmus-dma-wait.txt '^    #[0-9]+ +- +dev +the device reads pa=0x200000 len=4$' "the DMA thread as the device"
must litmus-dma-wait.txt "^replay: cohsim litmus examples/litmus/cortex-a9-race-dma-wait-no-maint.litmus --keep-going --schedule 'v1:'$" "the replay keeps going"
must litmus-dma-no-inval.txt '^Cause: the device wrote PA 0x200000 at event #4 after cpu0.s line for VA 0xc0000000 was filled \(event #3\), and the line was not invalidated' "the missing invalidate"

echo "cli_golden: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
