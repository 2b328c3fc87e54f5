#!/usr/bin/env bash
# bench_trace.sh - how fast does `cohsim trace` replay a real program's trace,
# against cachegrind simulating the same program? (docs/benchmarks.md)
#   bash bench/bench_trace.sh BUILD_DIR [SIDE]
# The program is tests/trace_progs/transpose.c with an SIDE x SIDE matrix
# (default 1024), built static. Its lackey trace is made first (not timed).
# Figures, each the best of 5 runs:
#   cohsim   `cohsim trace FILE --d1 32768,8,64 --cachegrind-compat`, oracle
#            on: data accesses per second, reading and parsing included;
#   cachegrind  `valgrind --tool=cachegrind --cache-sim=yes` on the program:
#            its data accesses (Dr + Dw) per second of its whole run, and per
#            second of its run minus `valgrind --tool=none` on the same
#            program (start-up and translation left out);
#   native   the program alone (its whole run, start-up included).
# Needs valgrind and a C compiler; prints a note and exits 0 without them.
set -euo pipefail
dir=${1:?usage: bench_trace.sh BUILD_DIR [SIDE]}
side=${2:-1024}
src=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v valgrind >/dev/null || ! command -v cc >/dev/null; then
	echo "bench_trace: skipped (needs valgrind and cc)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O1 -static -DSIDE="$side" -o "$tmp/prog" "$src/tests/trace_progs/transpose.c" 2>/dev/null ||
	cc -O1 -DSIDE="$side" -o "$tmp/prog" "$src/tests/trace_progs/transpose.c"
valgrind --tool=lackey --trace-mem=yes --log-file="$tmp/t.lackey" "$tmp/prog" >/dev/null 2>&1

now() { date +%s.%N; }
# best TIMES CMD...: the shortest wall time of TIMES runs, in seconds
best() {
	local n=$1 b=
	shift
	for _ in $(seq "$n"); do
		local t0 t1
		t0=$(now)
		"$@" >/dev/null 2>&1
		t1=$(now)
		b=$(echo "$t1 $t0 ${b:-1e9}" | awk '{d = $1 - $2; print (d < $3 ? d : $3)}')
	done
	echo "$b"
}

"$dir/cohsim" trace "$tmp/t.lackey" --d1 32768,8,64 --cachegrind-compat --quiet >"$tmp/co.out"
valgrind --tool=cachegrind --cache-sim=yes --D1=32768,8,64 --I1=32768,8,64 --LL=8388608,16,64 \
	--cachegrind-out-file="$tmp/cg.out" "$tmp/prog" >/dev/null 2>&1
acc=$(awk '/^summary:/ { print $5 + $8 }' "$tmp/cg.out")
ours=$(sed -n 's/^cachegrind: Dr \([0-9]*\) D1mr [0-9]* Dw \([0-9]*\) .*/\1 \2/p' "$tmp/co.out" |
	awk '{ print $1 + $2 }')
lines=$(wc -l <"$tmp/t.lackey")
mb=$(du -m "$tmp/t.lackey" | cut -f1)

t_co=$(best 5 "$dir/cohsim" trace "$tmp/t.lackey" --d1 32768,8,64 --cachegrind-compat --quiet)
t_cg=$(best 5 valgrind --tool=cachegrind --cache-sim=yes --D1=32768,8,64 --I1=32768,8,64 \
	--LL=8388608,16,64 --cachegrind-out-file=/dev/null "$tmp/prog")
t_none=$(best 5 valgrind --tool=none "$tmp/prog")
t_nat=$(best 5 "$tmp/prog")

echo "program: transpose ${side}x${side} (static): $acc data accesses (cachegrind Dr+Dw;" \
	"cohsim counts $ours); lackey trace: $lines lines, $mb MB"
awk -v a="$acc" -v l="$lines" -v co="$t_co" -v cg="$t_cg" -v no="$t_none" -v nat="$t_nat" 'BEGIN {
	r_co = a / co / 1e6; r_cg = a / cg / 1e6
	sim = cg - no; r_sim = sim > 0 ? a / sim / 1e6 : 0
	printf "%-34s %9s %12s\n", "", "seconds", "M data acc/s"
	printf "%-34s %9.3f %12.2f   (%.2f M trace lines/s)\n", "cohsim trace (oracle on, parsing)", co, r_co, l / co / 1e6
	printf "%-34s %9.3f %12.2f\n", "cachegrind, whole run", cg, r_cg
	printf "%-34s %9.3f %12s\n", "valgrind --tool=none", no, "-"
	printf "%-34s %9.3f %12.2f\n", "cachegrind minus none", sim, r_sim
	printf "%-34s %9.3f %12.2f\n", "native program", nat, a / nat / 1e6
	printf "cohsim trace vs cachegrind: %.2fx its whole-run rate, %.2fx its rate without start-up\n",
		r_co / r_cg, (r_sim > 0 ? r_co / r_sim : 0)
}'
