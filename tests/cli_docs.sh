#!/usr/bin/env bash
# The example scenario shown in docs/scenarios.md is the file that
# test_example_scenario runs, word for word.
# Usage: cli_docs.sh COHSIM_BIN SRCDIR
set -u
src=$2
doc=$src/docs/scenarios.md
file=$src/examples/scenario/my_scenario.c
shown=$(awk '/^```c$/{on=1; next} /^```$/{if(on){exit}} on' "$doc")
if [ "$shown" != "$(cat "$file")" ]; then
	echo "docs/scenarios.md shows a different example than examples/scenario/my_scenario.c:"
	diff <(printf '%s\n' "$shown") "$file"
	exit 1
fi
echo "cli_docs: 1 passed, 0 failed"
