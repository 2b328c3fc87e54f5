#!/usr/bin/env bash
# Runs every benchmark: bash bench/run.sh [NAME...]
# Builds a release tree in build/ first. Each bench_* program (or
# bench/bench_*.sh script, given the build directory) prints its own
# figures as ratios against a baseline measured in the same run. Benchmarks
# are never part of the tests. The run is kept in build/bench.txt and its
# ratios drawn in build/bench.svg (bench/chart.py).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=$(bash scripts/build.sh)
benches=("$@")
if [ ${#benches[@]} -eq 0 ]; then
  for b in "$dir"/bench/bench_* bench/bench_*.sh; do benches+=("$(basename "$b" .sh)"); done
fi
for b in "${benches[@]}"; do
  echo "== $b"
  if [ -f "bench/$b.sh" ]; then
    bash "bench/$b.sh" "$dir" # a script: the build directory is its argument
  else
    "$dir/bench/$b"
  fi
  echo
done | tee "$dir/bench.txt"
if python3 bench/chart.py "$dir/bench.txt" >"$dir/bench.svg.tmp"; then
  mv "$dir/bench.svg.tmp" "$dir/bench.svg"
  echo "chart of the ratios: $dir/bench.svg" >&2
else
  rm -f "$dir/bench.svg.tmp"
fi
