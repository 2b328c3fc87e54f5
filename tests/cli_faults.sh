#!/usr/bin/env bash
# What cohsim promises under faults and hostile input (docs/faults.md):
# --jobs workers that die or cannot report are exit 3 naming the worker,
# never a crash; workers die with their parent; --report never writes
# through a planted name nor replaces a non-regular file, and a bad path
# fails before the run; numbers read one way; options out of range and
# replay schedules that do not fit the run are exit 2 with a message;
# every stdout write failure is exit 3 with a message; --json is valid
# UTF-8 whatever the file names.
#   usage: bash cli_faults.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
TMP=$(mktemp -d)
LONG_PID=
cleanup() {
	[ -n "$LONG_PID" ] && kill -9 "$LONG_PID" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
fails=0
checks=0
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}
ok() { checks=$((checks + 1)); }
expect_exit() {
	local want=$1
	shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	ok
	[ "$got" -eq "$want" ] || fail "exit $got, want $want: $* (stderr: $(head -c 300 "$TMP/err"))"
}
expect_grep() {
	ok
	grep -Eq -- "$2" "$1" || fail "$3 (no /$2/ in: $(head -c 400 "$1"))"
}
# children PID: the pids whose parent is PID (from /proc, no procps needed)
children() {
	cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep .
}
# wait_children PID N: until PID has N children (at most 10 s)
wait_children() {
	local i
	for i in $(seq 100); do
		[ "$(children "$1" | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
# A run that explores for a long time, with two workers.
LONG=(run dm-io-vmap --variant fixed --strategy random --budget 1000000000 --jobs 2 --quiet)

# ---- 1. a worker that cannot report: exit 2/3, never a crash ----
"$BIN" run dm-io-vmap --jobs 2 --disk /nonexistent/d >/dev/null 2>&-
rc=$?
ok
[ "$rc" -eq 2 ] || fail "--jobs 2 --disk with stderr closed: exit $rc, want 2"

# ---- 4. a dead worker: exit 3, naming the worker and the signal ----
"$BIN" "${LONG[@]}" >"$TMP/out" 2>"$TMP/err" &
LONG_PID=$!
ok
if wait_children "$LONG_PID" 2; then
	kill -9 "$(children "$LONG_PID" | head -n 1)"
	# the parent must notice and stop the other worker: at most 10 s
	for i in $(seq 100); do
		kill -0 "$LONG_PID" 2>/dev/null || break
		[ -d /proc/"$LONG_PID" ] && grep -q '^State:.*Z' /proc/"$LONG_PID"/status && break
		sleep 0.1
	done
	if kill -0 "$LONG_PID" 2>/dev/null && ! grep -q '^State:.*Z' /proc/"$LONG_PID"/status; then
		fail "a worker killed by SIGKILL: the parent goes on running"
		for k in $(children "$LONG_PID"); do kill -9 "$k"; done
		kill -9 "$LONG_PID"
	fi
	wait "$LONG_PID"
	rc=$?
	LONG_PID=
	[ "$rc" -eq 3 ] || fail "a worker killed by SIGKILL: exit $rc, want 3"
	expect_grep "$TMP/err" "worker [0-9]+ of 2 \(pid [0-9]+\) was killed by signal 9" \
		"a dead worker: the message does not say which worker and how"
	[ ! -s "$TMP/out" ] || fail "a dead worker: a report on stdout"
else
	fail "the long run did not start two workers"
fi

# ---- 3. workers die with their parent ----
"$BIN" "${LONG[@]}" >/dev/null 2>&1 &
LONG_PID=$!
ok
if wait_children "$LONG_PID" 2; then
	kids=$(children "$LONG_PID")
	kill -9 "$LONG_PID"
	wait "$LONG_PID" 2>/dev/null
	LONG_PID=
	for i in $(seq 50); do
		alive=0
		for k in $kids; do kill -0 "$k" 2>/dev/null && alive=1; done
		[ "$alive" -eq 0 ] && break
		sleep 0.1
	done
	[ "$alive" -eq 0 ] || {
		fail "workers outlive their parent (kill -9)"
		for k in $kids; do kill -9 "$k" 2>/dev/null; done
	}
else
	fail "the long run did not start two workers"
fi

# ---- 6. --report: no planted names, no devices, bad paths fail first ----
echo "victim" >"$TMP/victim"
ln -s "$TMP/victim" "$TMP/r.html.tmp"
expect_exit 1 "$BIN" run kmap-high-get --report "$TMP/r.html" --quiet
ok
[ "$(cat "$TMP/victim")" = "victim" ] || fail "--report wrote through a symlink at P.tmp"
[ -f "$TMP/r.html" ] && [ ! -L "$TMP/r.html" ] || fail "--report: no regular file written"
ls "$TMP" | grep -q 'r\.html\.' && [ "$(ls "$TMP" | grep -c 'r\.html\.')" -eq 1 ] ||
	fail "--report leaves a temporary file"
ln -s "$TMP/victim" "$TMP/link.html"
expect_exit 2 "$BIN" run kmap-high-get --report "$TMP/link.html"
ok
[ "$(cat "$TMP/victim")" = "victim" ] || fail "--report replaced a symlink's target"
# a non-regular file (never /dev/null itself: a broken build would replace it)
mkfifo "$TMP/fifo"
expect_exit 2 timeout 20 "$BIN" run kmap-high-get --report "$TMP/fifo"
ok
[ -p "$TMP/fifo" ] || fail "--report replaced a FIFO by a regular file"
expect_grep "$TMP/err" "not a regular file" "--report onto a FIFO: no reason given"
mkdir "$TMP/adir"
# a long run: the bad path must fail before it
expect_exit 2 timeout 20 "$BIN" "${LONG[@]}" --report "$TMP/adir"
expect_grep "$TMP/err" "adir" "--report onto a folder: the message does not name it"
[ ! -s "$TMP/out" ] || fail "--report onto a folder: output on stdout"

# ---- 11, 12. options: precise errors, numbers read one way ----
expect_exit 2 "$BIN" run dm-io-vmap --strategy pct --depth 9
expect_grep "$TMP/err" "--depth" "--depth 9: the message does not name the option"
expect_exit 2 "$BIN" run dm-io-vmap --jobs 65
expect_grep "$TMP/err" "--jobs" "--jobs 65: the message does not name the option"
expect_exit 2 "$BIN" run dm-io-vmap --time 1e-300
expect_exit 2 "$BIN" run dm-io-vmap --budget ' -1'
expect_exit 2 "$BIN" run dm-io-vmap --budget 1e3
expect_exit 1 "$BIN" run dm-io-vmap --seed 010 --quiet
expect_grep "$TMP/out" "seed 10$" "--seed 010 is not read as decimal 10"
expect_exit 1 "$BIN" run dm-io-vmap --seed 0x10 --quiet
expect_grep "$TMP/out" "seed 16$" "--seed 0x10 is not read as 16"
expect_exit 2 "$BIN" replay dm-io-vmap --schedule 'v1:999999=1'
expect_grep "$TMP/err" "only [0-9]+ choices" "a schedule past the end: no reason given"
expect_exit 2 "$BIN" replay dm-io-vmap --schedule 'v1:0=99'
expect_grep "$TMP/err" "only [0-9]+ options" "a schedule value out of range: no reason given"
expect_exit 2 "$BIN" replay dm-io-vmap --schedule 'v1:' --strategy pct
expect_exit 2 "$BIN" replay dm-io-vmap --schedule 'v1:' --max-steps 5000

# nothing explored is not "no finding", exit 0
expect_exit 2 "$BIN" run dm-io-vmap --variant fixed --strategy random --budget 3 --shard 5/10
expect_grep "$TMP/err" "no schedule was explored" "0 schedules: no warning"
expect_grep "$TMP/out" "nothing explored" "0 schedules: the summary says otherwise"

# ---- 5. pct: --jobs changes nothing in the output ----
"$BIN" run kmap-high-get --strategy pct --seed 7 --budget 400 >"$TMP/pct1" 2>/dev/null
for j in 2 3; do
	"$BIN" run kmap-high-get --strategy pct --seed 7 --budget 400 --jobs $j >"$TMP/pctj" 2>/dev/null
	ok
	cmp -s "$TMP/pct1" "$TMP/pctj" || fail "pct: --jobs $j gives another output than --jobs 1"
done

# ---- 13. write failures: a message and exit 3 ----
if [ -w /dev/full ]; then
	for cmd in version help list "run dm-io-vmap"; do
		# shellcheck disable=SC2086
		"$BIN" $cmd >/dev/full 2>"$TMP/err"
		rc=$?
		ok
		[ "$rc" -eq 3 ] || fail "cohsim $cmd >/dev/full: exit $rc, want 3"
		expect_grep "$TMP/err" "cannot write standard output" "cohsim $cmd >/dev/full: no message"
	done
fi

# ---- 14. --json is valid UTF-8 whatever the file name ----
name=$(printf '%s/bad\xff\xfename.litmus' "$TMP")
cp "$SRC/examples/litmus/arm926-dma-cleaned.litmus" "$name"
"$BIN" litmus "$name" --json >"$TMP/json" 2>/dev/null
ok
iconv -f UTF-8 -t UTF-8 "$TMP/json" >/dev/null 2>&1 || fail "--json is not valid UTF-8 for a non-UTF-8 file name"
expect_grep "$TMP/json" 'bad\\u00ff\\u00fename' "--json does not escape non-UTF-8 bytes as \\u00XX"

echo "cli_faults: $checks checks, $fails failures"
[ "$fails" -eq 0 ]
