#!/usr/bin/env bash
# bench_fsx.sh - `cohsim fsx` at length (docs/fsx.md): the long runs the
# tests leave out.
#   bash bench/bench_fsx.sh BUILD_DIR [OPS] [SEEDS]
# 1. Every fix on: OPS operations (default 10000) on each of the 8 arch
#    profiles with seeds 1..SEEDS (default 3): the findings (none is the
#    goal), operations per second (wall, ratio to x86 in the same run) and
#    simulated accesses per operation.
# 2. One seed fix off at a time: the operation during which fsx first
#    reports, for seeds 1..6 (at most 5000 operations each).
set -uo pipefail
dir=${1:?usage: bench_fsx.sh BUILD_DIR [OPS] [SEEDS]}
ops=${2:-10000}
seeds=${3:-3}
bin=$dir/cohsim
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); f=d["fsx"]; print(eval(sys.argv[2]))' "$@"; }

echo "every fix on: $ops operations per run, seeds 1..$seeds"
printf '%-10s %5s %-22s %9s %8s %10s\n' arch seed findings "ops/s" ratio "acc/op"
base=
for arch in x86 cortex-a9 armv6 mips-r4k sh4 parisc xscale arm926; do
	for s in $(seq "$seeds"); do
		"$bin" fsx --arch "$arch" --seed "$s" --ops "$ops" --json >"$tmp/j" 2>"$tmp/e"
		rate=$(sed -n 's/.*: \([0-9.]*\) operations\/s$/\1/p' "$tmp/e")
		[ -z "$base" ] && [ "$arch" = x86 ] && base=$rate
		kinds=$(field "$tmp/j" '",".join(x["kind"] for x in d["findings"]) or "clean"')
		done_=$(field "$tmp/j" 'f["ops_done"]')
		acc=$(field "$tmp/j" 'f["accesses"] // max(1, f["ops_done"])')
		[ "$kinds" != clean ] && kinds="$kinds@$done_"
		printf '%-10s %5s %-22s %9s %8s %10s\n' "$arch" "$s" "$kinds" "$rate" \
			"$(awk -v a="$rate" -v b="${base:-0}" 'BEGIN{printf (b > 0 ? "%.2f" : "-"), a / b}')" "$acc"
	done
done

echo
echo "one fix off: the operation of the first report (seeds 1..6, at most 5000 operations)"
while read -r label args; do
	line="$label:"
	for s in 1 2 3 4 5 6; do
		# shellcheck disable=SC2086
		"$bin" fsx --seed "$s" --ops 5000 $args --json >"$tmp/j" 2>/dev/null
		at=$(field "$tmp/j" 'f.get("finding_op", "-")')
		line="$line $at"
	done
	echo "$line"
done <<'EOF'
dio-invalidate-in-complete --fix dio-invalidate-in-complete=off
dio-invalidate-before-write --journal --fix dio-invalidate-before-write=off
dio-invalidate-after-sync-write --journal --fix dio-invalidate-after-sync-write=off --fix dio-invalidate-in-complete=off
perform-write-flush --arch armv6 --kernel 2.6.32 --fix perform-write-flush=off
EOF
