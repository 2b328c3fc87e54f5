#!/usr/bin/env bash
# Runs every benchmark: bash bench/run.sh [NAME...]
# Builds a release tree in build/ first. Each bench_* program (or
# bench/bench_*.sh script, given the build directory) prints its own
# figures as ratios against a baseline measured in the same run. Benchmarks
# are never part of the tests.
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
done
