#!/usr/bin/env bash
# Help that helps: `cohsim help COMMAND` and `cohsim COMMAND --help` print
# that command's usage and only its options; `cohsim arch` lists the
# profiles; an unknown scenario, variant, arch or fix switch names the
# valid ones (exit 2, nothing on stdout).
#   usage: bash cli_help.sh BIN SRCDIR
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
# has WANT_EXIT PATTERN CMD... : exit status, and PATTERN in stdout+stderr
has() {
	local want=$1 pat=$2
	shift 2
	checks=$((checks + 1))
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	[ "$got" -eq "$want" ] || fail "$*: exit $got, want $want"
	grep -Eq -- "$pat" "$TMP/out" "$TMP/err" || fail "$*: no /$pat/ in: $(head -c 300 "$TMP/out" "$TMP/err")"
	if [ "$want" -eq 2 ] && [ -s "$TMP/out" ]; then fail "$*: bad usage, yet stdout"; fi
}

has 0 '^usage: cohsim run SCENARIO' "$BIN" help run
has 0 '^  --no-lockdep ' "$BIN" help run
has 0 '^usage: cohsim litmus FILE' "$BIN" litmus --help
has 0 '^usage: cohsim replay SCENARIO' "$BIN" replay kmap-high-get --help
has 0 '^usage: cohsim arch list' "$BIN" help arch
has 0 '^xscale +VIVT' "$BIN" arch
has 2 "unknown command 'nope'" "$BIN" help nope
# a command's help lists only its own options
checks=$((checks + 1))
"$BIN" help litmus | grep -q -- '--disk' && fail "litmus help lists --disk"
checks=$((checks + 1))
"$BIN" help list | grep -q -- '--seed' && fail "list help lists --seed"
# unknown names come with the valid ones
has 2 "unknown scenario 'nope'; the scenarios: dm-cache-shared-metadata dm-cache-power-cut dm-cache-data-flush dm-cache-block-size dm-io-vmap" "$BIN" run nope
has 2 "no variant 'nope'; its variants: buggy fixed" "$BIN" run kmap-high-get --variant nope
has 2 "unknown arch; the profiles: xscale arm926" "$BIN" run kmap-high-get --arch nope
has 2 "no fix switch 'nope'; its switches: kmap-high-get kmap-lock-irqsafe" "$BIN" run kmap-high-get --fix nope=on
# an option for another strategy than the one that runs is an error
has 2 "--depth is pct's depth; it does not apply to strategy dfs" "$BIN" run kmap-high-get --depth 3
has 2 "--preemptions is dfs's preemption bound; it does not apply to strategy pct" "$BIN" run kmap-high-get --strategy pct --preemptions 1
has 2 "--budget .* does not apply to the replay of one schedule" "$BIN" replay kmap-high-get --schedule 'v1:' --budget 3
has 2 "--depth is pct's depth; it does not apply to strategy random" "$BIN" litmus "$2/examples/litmus/arm926-race-dma-stale-dma.litmus" --strategy random --depth 3
has 0 "strategy pct" "$BIN" run kmap-high-get --variant fixed --strategy pct --depth 3 --budget 5
# --por: dfs only; said with the result (text and JSON), same finding, fewer schedules
has 2 "--por is dfs's partial-order reduction; it does not apply to strategy random" "$BIN" run kmap-high-get --strategy random --por
has 1 "partial-order reduction: bound-aware sleep sets \(--por\)" "$BIN" litmus "$2/examples/litmus/cortex-a9-race-lost-update.litmus" --preemptions 2 --por
has 1 '"por":\{"cut":0\}' "$BIN" litmus "$2/examples/litmus/cortex-a9-race-lost-update.litmus" --preemptions 2 --por --json
has 1 "1 finding \(expect-failed\); 8 schedules, complete" "$BIN" litmus "$2/examples/litmus/cortex-a9-race-lost-update.litmus" --preemptions 2 --keep-going --por
has 1 "1 finding \(expect-failed\); 9 schedules, complete" "$BIN" litmus "$2/examples/litmus/cortex-a9-race-lost-update.litmus" --preemptions 2 --keep-going
# with --por, shards add up to the whole (5 + 3) and --jobs 2 gives it
has 1 "; 5 schedules, complete" "$BIN" litmus "$2/examples/litmus/cortex-a9-race-lost-update.litmus" --preemptions 2 --keep-going --por --shard 0/2
has 1 "; 3 schedules, complete" "$BIN" litmus "$2/examples/litmus/cortex-a9-race-lost-update.litmus" --preemptions 2 --keep-going --por --shard 1/2
has 1 "; 8 schedules, complete" "$BIN" litmus "$2/examples/litmus/cortex-a9-race-lost-update.litmus" --preemptions 2 --keep-going --por --jobs 2
# --disk on a scenario without disks does not apply; with disks it backs them
has 2 "--disk does not apply: scenario 'kmap-high-get' makes no disk" "$BIN" run kmap-high-get --disk "$TMP/d"
checks=$((checks + 1))
[ ! -e "$TMP/d.0" ] || fail "--disk on kmap-high-get made a file"
has 1 "1 finding \(stale-read\)" "$BIN" run dm-io-vmap --disk "$TMP/d"
checks=$((checks + 1))
[ ! -e "$TMP/d.0" ] || fail "--disk on dm-io-vmap wrote a file (images are only read)"

echo "cli_help: $checks checks, $fails failed"
[ "$fails" -eq 0 ]
