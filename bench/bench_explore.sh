#!/usr/bin/env bash
# bench_explore.sh - how fast and how evenly the explorer works
# (docs/benchmarks.md, "bench_explore"):
#   bash bench/bench_explore.sh BUILD_DIR [ROUNDS] [BASELINE_COHSIM]
# Figures, each the median of ROUNDS (default 3) runs, every round running
# every configuration once (a slow spell of the host hits all a little):
#   dfs      schedules per CPU second of kmap-high-get fixed and dm-io-vmap fixed, dfs,
#            bound 2, until complete;
#   random   schedules per CPU second of kmap-high-get fixed, random (evictions on, as
#            random always has them), 3000 schedules; ratio to dfs;
#   jobs     wall time of kmap-high-get fixed, dfs bound 3, --jobs 1 against
#            --jobs 2 (the speed-up; at most 2x on 2 cores, less on a
#            loaded host), the split of the schedules between the two
#            workers (as --shard 0/2 and 1/2) and the speed-up their CPU
#            times allow, and whether the outputs are identical;
#   shards   the schedules of each of 16 --shard runs of kmap-high-get fixed,
#            dfs bound 3: the largest as a share of the total (ideal 1/16 =
#            6.25%), and the total against the unsharded run's.
# With BASELINE_COHSIM (another build's cohsim, e.g. of the commit before a
# change), the dfs and random rates are also measured with it, interleaved,
# and printed as after/before ratios.
set -euo pipefail
dir=${1:?usage: bench_explore.sh BUILD_DIR [ROUNDS] [BASELINE_COHSIM]}
rounds=${2:-3}
base=${3:-}
bin=$dir/cohsim
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# rate BIN NAME ARGS...: appends "schedules per CPU second" of one run to
# $tmp/NAME (CPU time, user + system, is what a loaded host distorts least)
rate() {
	local b=$1 name=$2
	shift 2
	local n
	n=$(/usr/bin/time -f '%U %S' -o "$tmp/time" "$b" "$@" 2>/dev/null |
		grep -o '[0-9]* schedules' | head -1 | cut -d' ' -f1) || true
	awk -v n="$n" '{t = $1 + $2; printf "%.0f\n", n / (t > 0.005 ? t : 0.005)}' \
		"$tmp/time" >>"$tmp/$name"
}
DFS_K=(run kmap-high-get --variant fixed --strategy dfs --preemptions 2 --quiet)
DFS_D=(run dm-io-vmap --variant fixed --strategy dfs --preemptions 2 --quiet)
RND_K=(run kmap-high-get --variant fixed --strategy random --budget 3000 --quiet)
J=(run kmap-high-get --variant fixed --strategy dfs --preemptions 3)
for r in $(seq "$rounds"); do
	rate "$bin" dfs_k "${DFS_K[@]}"
	rate "$bin" dfs_d "${DFS_D[@]}"
	rate "$bin" rnd_k "${RND_K[@]}"
	if [ -n "$base" ]; then
		rate "$base" bdfs_k "${DFS_K[@]}"
		rate "$base" bdfs_d "${DFS_D[@]}"
		rate "$base" brnd_k "${RND_K[@]}"
	fi
	t0=$(now)
	"$bin" "${J[@]}" --jobs 1 >"$tmp/j1.out" 2>/dev/null || true
	t1=$(now)
	"$bin" "${J[@]}" --jobs 2 >"$tmp/j2.out" 2>/dev/null || true
	t2=$(now)
	echo "$t0 $t1 $t2" | awk '{printf "%.3f\n", ($2 - $1) / ($3 - $2)}' >>"$tmp/jobs"
	cmp -s "$tmp/j1.out" "$tmp/j2.out" || echo "differ" >>"$tmp/jobs_differ"
done
m() { median <"$tmp/$1"; }
echo "explorer schedules per CPU second (median of $rounds rounds; load: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '  %-44s %8s/s\n' "kmap-high-get fixed, dfs bound 2" "$(m dfs_k)"
printf '  %-44s %8s/s\n' "dm-io-vmap fixed, dfs bound 2" "$(m dfs_d)"
printf '  %-44s %8s/s  random/dfs %sx\n' "kmap-high-get fixed, random" "$(m rnd_k)" \
	"$(awk -v a="$(m rnd_k)" -v b="$(m dfs_k)" 'BEGIN {printf "%.2f", a / b}')"
if [ -n "$base" ]; then
	for k in dfs_k dfs_d rnd_k; do
		printf '  %-44s %8s/s -> %8s/s  after/before %sx\n' "baseline: $k" "$(m b$k)" "$(m $k)" \
			"$(awk -v a="$(m $k)" -v b="$(m b$k)" 'BEGIN {printf "%.2f", a / b}')"
	done
fi
echo "--jobs 2 against --jobs 1, kmap-high-get fixed, dfs bound 3: $(m jobs)x speed-up," \
	"outputs $([ -e "$tmp/jobs_differ" ] && echo DIFFER || echo identical)"

for i in 0 1; do
	/usr/bin/time -f '%U %S' -o "$tmp/t$i" "$bin" "${J[@]}" --shard "$i/2" 2>/dev/null |
		grep -o '[0-9]* schedules' | cut -d' ' -f1 >"$tmp/n$i"
done
/usr/bin/time -f '%U %S' -o "$tmp/tw" "$bin" "${J[@]}" >/dev/null 2>&1 || true
awk '{print $1 + $2}' "$tmp/t0" "$tmp/t1" "$tmp/tw" | paste -sd' ' |
	awk -v a="$(cat "$tmp/n0")" -v b="$(cat "$tmp/n1")" '{m = $1 > $2 ? $1 : $2
	printf "--jobs 2 split: %d + %d schedules; CPU %.2fs + %.2fs against %.2fs for --jobs 1: %.2fx speed-up on 2 idle cores\n", a, b, $1, $2, $3, $3 / m}'
whole=$("$bin" "${J[@]}" 2>/dev/null | grep -o '[0-9]* schedules' | cut -d' ' -f1)
for i in $(seq 0 15); do
	"$bin" "${J[@]}" --shard "$i/16" 2>/dev/null | grep -o '[0-9]* schedules' | cut -d' ' -f1
done >"$tmp/shards"
awk -v whole="$whole" '{s += $1; if ($1 > m) m = $1}
	END {printf "16 shards, kmap-high-get fixed, dfs bound 3: largest %d of %d schedules (%.1f%%, ideal 6.25%%); total/unsharded %.2fx\n", m, s, 100 * m / s, s / whole}' "$tmp/shards"
