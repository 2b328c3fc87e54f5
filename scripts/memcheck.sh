#!/usr/bin/env bash
# CI: a few runs that create tasks, under valgrind's memcheck; any error
# fails (the task stacks are registered with valgrind, src/sched/ctx.c).
#   scripts/memcheck.sh [BUILD_DIR]   (default build/, made by scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build}/cohsim
vg=(valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite)
run() {
	local rc=0
	"${vg[@]}" "$bin" "$@" >/dev/null || rc=$?
	# 0 or 1 (findings) are the run's own answers; 9 is memcheck's
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
		echo "memcheck: cohsim $* exited $rc" >&2
		exit 1
	fi
}
run run kmap-lock-irq --variant fixed --budget 20 --quiet
run run kmap-high-get --budget 50 --quiet
run run dm-io-vmap --quiet
run litmus examples/litmus/arm926-race-dma-double-buffer.litmus --quiet
echo "memcheck: clean"
