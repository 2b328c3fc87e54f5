#!/usr/bin/env bash
# Builds the fuzz harnesses (fuzz/build.sh) and runs each for SECONDS
# (default 60) on its seed corpus, one after the other, then prints a summary.
#   fuzz/run.sh [SECONDS] [litmus|schedule|options ...]
# New inputs go to build-fuzz/corpus/NAME (the seeds in fuzz/corpus/NAME are
# only read); crashes, leaks and timeouts to build-fuzz/artifacts/NAME/ and the
# log to build-fuzz/NAME.log. Save a crash's minimal repro under
# fuzz/regress/NAME/ once fixed (ctest fuzz_corpus_NAME replays it).
# Exit 1 when a harness found something.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
names=("$@")
[ ${#names[@]} -eq 0 ] && names=(litmus schedule options)
out=$(bash fuzz/build.sh) || exit 3
declare -A maxlen=([litmus]=4096 [schedule]=256 [options]=512)
status=0
summary=()
for h in "${names[@]}"; do
	mkdir -p "$out/corpus/$h" "$out/artifacts/$h"
	log=$out/$h.log
	echo "fuzz_$h: ${secs}s, log in $log" >&2
	# -close_fd_mask=3: the harnesses' own error messages are not the point
	# (libFuzzer and the sanitizers still report on the real stderr)
	"$out/fuzz_$h" "$out/corpus/$h" "fuzz/corpus/$h" -dict="fuzz/$h.dict" \
		-max_len="${maxlen[$h]}" -max_total_time="$secs" -timeout=5 -rss_limit_mb=2048 \
		-close_fd_mask=3 -print_final_stats=1 -artifact_prefix="$out/artifacts/$h/" \
		>"$log" 2>&1
	rc=$?
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(echo "$last" | grep -o 'cov: [0-9]*' | cut -d' ' -f2)
	ft=$(echo "$last" | grep -o 'ft: [0-9]*' | cut -d' ' -f2)
	corp=$(echo "$last" | grep -o 'corp: [0-9]*' | cut -d' ' -f2)
	found=$(find "$out/artifacts/$h" -type f | wc -l)
	[ $rc -ne 0 ] || [ "$found" -ne 0 ] && status=1
	summary+=("$(printf '%-14s %10s execs %8s exec/s  cov %5s  ft %6s  corpus %5s  artifacts %s  rc %s' \
		"fuzz_$h" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$found" "$rc")")
done
printf '%s\n' "${summary[@]}"
exit $status
