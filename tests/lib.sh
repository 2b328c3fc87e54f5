# lib.sh - what the newer tests/cli_*.sh share: a temporary folder, counted
# checks, run_exit and expect_grep, and the closing line ctest reads.
# Source it once BIN and SRC are set:  . "$(dirname "$0")/lib.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
checks=0
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}
check() { checks=$((checks + 1)); }
# run_exit WANT CMD...: stdout to $TMP/out, stderr to $TMP/err
run_exit() {
	local want=$1
	shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	check
	[ "$got" -eq "$want" ] || fail "exit $got, want $want: $* ($(head -c 400 "$TMP/err"))"
}
# expect_grep FILE PATTERN MESSAGE (grep -E)
expect_grep() {
	check
	grep -Eq -- "$2" "$1" || fail "$3 (no /$2/ in: $(head -c 300 "$1"))"
}
# finish NAME: "NAME: N passed, M failed", and the status
finish() {
	echo "$1: $((checks - fails)) passed, $fails failed"
	[ "$fails" -eq 0 ]
}
