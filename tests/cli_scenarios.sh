#!/usr/bin/env bash
# The command-line contract of `cohsim list`, `run`, `replay` and `demo` for
# the built-in scenarios (DESIGN.md): buggy variants find their bug on their
# default arch (exit 1), fixed ones are clean (exit 0); every printed Replay
# command reproduces its finding block byte for byte; stdout is
# byte-identical across runs (--json included); --json is one object
# with the contract's fields; --fix, --report, --shard; bad input exits 2
# with a message on stderr and nothing on stdout.
#   usage: bash cli_scenarios.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
checks=0

fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}
# ok: counts one check (the test that follows it)
ok() { checks=$((checks + 1)); }

# expect_exit CODE CMD... : runs CMD, stdout to $TMP/out, stderr to $TMP/err
expect_exit() {
	local want=$1
	shift
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	ok
	[ "$got" -eq "$want" ] || fail "exit $got, want $want: $* (stderr: $(head -c 300 "$TMP/err"))"
}
# expect_grep FILE PATTERN MESSAGE (grep -E)
expect_grep() {
	ok
	grep -Eq -- "$2" "$1" || fail "$3 (no /$2/ in: $(head -c 400 "$1"))"
}

SCENARIOS="dm-cache-shared-metadata dm-io-vmap kmap-high-get kmap-lock-irq"
# the finding kind of the buggy variant on its default arch (the demo rows)
kind_of() {
	case $1 in
	dm-io-vmap | dm-cache-shared-metadata) echo "stale-read" ;;
	kmap-high-get) echo "lost-write" ;;
	kmap-lock-irq) echo "lock-inversion" ;;
	esac
}
arch_of() {
	case $1 in
	dm-io-vmap) echo "parisc" ;;
	dm-cache-shared-metadata) echo "cortex-a9" ;;
	*) echo "xscale" ;;
	esac
}
# the fix switches of each scenario
fixes_of() {
	case $1 in
	dm-io-vmap) echo "dm-io-vmap-flush dm-io-vmap-invalidate" ;;
	dm-cache-shared-metadata) echo "dm-cache-shared-metadata" ;;
	kmap-high-get | kmap-lock-irq) echo "kmap-high-get kmap-lock-irqsafe" ;;
	esac
}
# a bound that keeps the fixed variants' exhaustive dfs small
small() {
	case $1 in
	dm-io-vmap) echo "--budget 20" ;;
	dm-cache-shared-metadata) echo "--budget 5" ;;
	*) echo "--budget 100" ;;
	esac
}

# ---- list: every scenario with its variants, fix switches, default arch ----
expect_exit 0 "$BIN" list
[ -s "$TMP/err" ] && fail "list writes to stderr: $(cat "$TMP/err")"
for s in $SCENARIOS; do
	# the scenario's paragraph
	awk -v s="$s" 'BEGIN{RS="";ORS="\n"} $1 == s' "$TMP/out" >"$TMP/para"
	ok
	[ -s "$TMP/para" ] || {
		fail "list does not name $s"
		continue
	}
	expect_grep "$TMP/para" "^  default arch: $(arch_of "$s")\$" "list: $s default arch"
	expect_grep "$TMP/para" "^  variants: .* buggy \(" "list: $s has no buggy variant"
	expect_grep "$TMP/para" "^  variants: .* fixed \(" "list: $s has no fixed variant"
	expect_grep "$TMP/para" "^  fix switches:\$" "list: $s has no fix switches section"
	for f in $(fixes_of "$s"); do
		expect_grep "$TMP/para" "^    $f +[^ ]" "list: $s lacks fix switch $f with its help"
	done
done
expect_exit 2 "$BIN" list extra
[ ! -s "$TMP/out" ] || fail "list extra: wrote to stdout"

# ---- run: buggy finds its bug (exit 1), fixed is clean (exit 0) ----
for s in $SCENARIOS; do
	k=$(kind_of "$s")
	a=$(arch_of "$s")
	expect_exit 1 "$BIN" run "$s" --variant buggy
	expect_grep "$TMP/out" "^BUG: cohsim: $k( |\$)" "$s buggy: no $k report"
	expect_grep "$TMP/out" "^cohsim: $s \(buggy\) on $a: [0-9]+ findings? \($k\); " "$s buggy: summary"
	expect_grep "$TMP/out" "^Replay: cohsim replay $s --variant buggy --arch $a --schedule '[^']+'\$" \
		"$s buggy: no replay command"
	expect_exit 1 "$BIN" run "$s" # buggy is the default variant
	expect_grep "$TMP/out" "^cohsim: $s \(buggy\) on $a: " "$s: the default variant is not buggy"
	expect_exit 0 "$BIN" run "$s" --variant fixed
	expect_grep "$TMP/out" "^cohsim: $s \(fixed\) on $a: no finding; [0-9]+ schedules?, complete, strategy dfs, seed 1\$" \
		"$s fixed: not a complete clean dfs"
	ok
	[ "$(wc -l <"$TMP/out")" -eq 1 ] || fail "$s fixed: more than the summary line on stdout"
	ok
	grep -q ' s$' "$TMP/out" && fail "$s fixed: a timing on stdout"
done
expect_exit 0 "$BIN" run kmap-high-get --variant fixed --strategy dfs --preemptions 2
expect_grep "$TMP/out" "no finding; [0-9]+ schedules, complete, strategy dfs" \
	"kmap-high-get fixed --preemptions 2: not complete"
expect_exit 1 "$BIN" run kmap-high-get --variant buggy --quiet
ok
[ "$(wc -l <"$TMP/out")" -eq 1 ] || fail "--quiet prints more than the summary line"

# ---- every printed Replay command reproduces its finding block ----
# A finding block: from its opening '====' line to its 'Replay:' line. The one
# line of a block that legitimately differs in a replay is "(found after N
# schedules; ...)": N counts the search's schedules, and a replay runs one.
# The summary line differs too (strategy replay, 1 schedule): not in a block.
blocks() { # FILE PREFIX: writes PREFIX.1, PREFIX.2, ...
	rm -f "$2".*
	awk -v out="$2" '
		/^=+$/ && !inb { inb = 1; n++; f = out "." n }
		inb && !/^\((found after [0-9]+ schedules?|shrunk from [0-9]+ to)/ { print > f }
		/^Replay: / && inb { inb = 0; close(f) }' "$1"
}
nrep=0
for s in $SCENARIOS; do
	for opts in "" "--strategy random --seed 3 $(small "$s")" "--strategy pct --seed 5 $(small "$s")" \
		"--keep-going $(small "$s")" "--strategy random --keep-going $(small "$s")" \
		"--arch arm926" "--variant fixed --fix $(fixes_of "$s" | cut -d' ' -f1)=off"; do
		# shellcheck disable=SC2086
		"$BIN" run "$s" $opts >"$TMP/orig" 2>/dev/null
		blocks "$TMP/orig" "$TMP/O"
		grep '^Replay: ' "$TMP/orig" | sort -u >"$TMP/cmds"
		while IFS= read -r line; do
			cmd=${line#Replay: cohsim }
			eval "\"\$BIN\" $cmd" >"$TMP/rep" 2>"$TMP/rep.err"
			rc=$?
			ok
			[ "$rc" -eq 1 ] || fail "'$cmd' exits $rc, not 1: $(head -c 300 "$TMP/rep.err")"
			expect_grep "$TMP/rep" "; 1 schedule, not complete, strategy replay, seed " \
				"'$cmd': the summary is not a replay's"
			blocks "$TMP/rep" "$TMP/R"
			for b in "$TMP"/O.*; do
				grep -qxF "$line" "$b" || continue
				found=no
				for r in "$TMP"/R.*; do
					[ -e "$r" ] && cmp -s "$b" "$r" && found=yes
				done
				ok
				[ $found = yes ] || fail "'$cmd' does not reproduce its finding ($s $opts): $(diff "$b" "$TMP/R.1" 2>&1 | head -6)"
				nrep=$((nrep + 1))
			done
		done <"$TMP/cmds"
	done
done
ok
[ "$nrep" -ge 20 ] || fail "only $nrep replayed findings checked"
# a run's summary and its replay's differ only in the count and the strategy
"$BIN" run kmap-lock-irq >"$TMP/orig" 2>/dev/null
line=$(grep '^Replay: ' "$TMP/orig")
eval "\"\$BIN\" ${line#Replay: cohsim }" >"$TMP/rep" 2>/dev/null
ok
diff <(grep -v '^(found after' "$TMP/orig" | sed '$d') <(grep -v '^(found after' "$TMP/rep" | sed '$d') >/dev/null ||
	fail "a replay's output differs from the run's beyond the summary line"

# ---- determinism: byte-identical stdout across runs ----
for s in $SCENARIOS; do
	b=$(small "$s")
	for opts in "--strategy random $b" "--strategy pct $b" "--strategy dfs $b" \
		"--strategy random $b --jobs 2" "--strategy pct $b --jobs 2" \
		"--strategy random $b --seed 9 --keep-going"; do
		for v in buggy fixed; do
			# shellcheck disable=SC2086
			"$BIN" run "$s" --variant $v $opts >"$TMP/a" 2>/dev/null
			# shellcheck disable=SC2086
			"$BIN" run "$s" --variant $v $opts >"$TMP/b" 2>/dev/null
			ok
			[ -s "$TMP/a" ] && cmp -s "$TMP/a" "$TMP/b" || fail "stdout differs between runs: $s $v $opts"
		done
	done
done
# a finding under --jobs 2 is the one of --jobs 1 (dfs)
"$BIN" run kmap-high-get >"$TMP/a" 2>/dev/null
"$BIN" run kmap-high-get --jobs 2 >"$TMP/b" 2>/dev/null
ok
cmp -s "$TMP/a" "$TMP/b" || fail "kmap-high-get: --jobs 2 finds another report than --jobs 1"

# ---- --json: one valid object with the contract's fields ----
check_json() { # FILE SCENARIO VARIANT ARCH STRATEGY SEED KIND|clean
	ok
	python3 - "$@" <<'EOF' || fail "--json $2 $3 $5: $(head -c 300 "$TMP/json.err")"
import json, sys
path, sc, var, arch, strat, seed, kind = sys.argv[1:]
try:
    d = json.load(open(path))
except Exception as e:
    sys.exit("not JSON: %s" % e)
want = {"scenario": sc, "variant": var, "arch": arch, "strategy": strat, "seed": int(seed)}
for k in ("scenario", "variant", "arch", "strategy", "seed", "schedules", "complete", "findings"):
    if k not in d:
        sys.exit("missing field %s" % k)
for k, v in want.items():
    if d[k] != v:
        sys.exit("%s is %r, want %r" % (k, d[k], v))
if not isinstance(d["schedules"], int) or d["schedules"] < 1 or not isinstance(d["complete"], bool):
    sys.exit("bad schedules/complete")
if "elapsed_s" in d:
    sys.exit("elapsed_s on stdout: not deterministic")
if not isinstance(d["findings"], list):
    sys.exit("bad findings")
for f in d["findings"]:
    for k in ("kind", "schedule", "message"):
        if not isinstance(f.get(k), str) or not f[k]:
            sys.exit("finding without %s: %r" % (k, f))
kinds = {f["kind"] for f in d["findings"]}
if kind == "clean":
    if kinds:
        sys.exit("findings in a clean run: %r" % kinds)
elif kind not in kinds:
    sys.exit("no %s finding: %r" % (kind, kinds))
EOF
}
for s in $SCENARIOS; do
	a=$(arch_of "$s")
	expect_exit 1 "$BIN" run "$s" --json
	ok
	python3 -m json.tool "$TMP/out" >/dev/null 2>&1 || fail "$s --json: json.tool rejects it"
	cp "$TMP/out" "$TMP/j1"
	check_json "$TMP/j1" "$s" buggy "$a" dfs 1 "$(kind_of "$s")" 2>"$TMP/json.err"
	# the JSON findings' schedules are the text report's
	"$BIN" run "$s" >"$TMP/text" 2>/dev/null
	ok
	[ "$(python3 -c 'import json,sys; print("\n".join(f["schedule"] for f in json.load(open(sys.argv[1]))["findings"]))' "$TMP/j1")" = \
		"$(sed -n 's/^Schedule: //p' "$TMP/text")" ] || fail "$s: --json schedules are not the text report's"
	"$BIN" run "$s" --json >"$TMP/j2" 2>/dev/null
	ok
	cmp -s "$TMP/j1" "$TMP/j2" || fail "$s --json differs between runs"
	# shellcheck disable=SC2046
	expect_exit 0 "$BIN" run "$s" --variant fixed --json --strategy random --seed 7 $(small "$s")
	cp "$TMP/out" "$TMP/j1"
	check_json "$TMP/j1" "$s" fixed "$a" random 7 clean 2>"$TMP/json.err"
	# shellcheck disable=SC2046
	"$BIN" run "$s" --variant fixed --json --strategy random --seed 7 $(small "$s") >"$TMP/j2" 2>/dev/null
	ok
	cmp -s <(sed 's/"elapsed_s":[0-9.e+-]*//' "$TMP/j1") <(sed 's/"elapsed_s":[0-9.e+-]*//' "$TMP/j2") ||
		fail "$s fixed --json differs between runs beyond elapsed_s"
done

# ---- --fix: the whole fix turns the buggy variant clean; bad switches ----
expect_exit 0 "$BIN" run kmap-high-get --variant buggy --fix kmap-high-get=on
expect_grep "$TMP/out" "no finding; [0-9]+ schedules, complete" "kmap-high-get --fix kmap-high-get=on"
expect_exit 0 "$BIN" run kmap-lock-irq --variant buggy --fix kmap-lock-irqsafe=on
expect_grep "$TMP/out" "no finding; [0-9]+ schedules, complete" "kmap-lock-irq --fix kmap-lock-irqsafe=on"
expect_exit 0 "$BIN" run dm-io-vmap --variant buggy --fix dm-io-vmap-flush=on
expect_grep "$TMP/out" "no finding; [0-9]+ schedules, complete" "dm-io-vmap --fix dm-io-vmap-flush=on"
expect_exit 1 "$BIN" run kmap-high-get --variant fixed --fix kmap-high-get=off
expect_grep "$TMP/out" "lost-write" "kmap-high-get fixed --fix kmap-high-get=off: no lost-write"
expect_grep "$TMP/out" "^Replay: .* --fix kmap-high-get=off --schedule " "the replay command drops --fix"

# ---- bad input: exit 2, a clear message on stderr, nothing on stdout ----
bad() { # STDERR-PATTERN ARGS...
	local pat=$1
	shift
	expect_exit 2 "$BIN" "$@"
	ok
	[ ! -s "$TMP/out" ] || fail "'$*' wrote to stdout"
	expect_grep "$TMP/err" "$pat" "'$*': unclear message"
}
bad "no fix switch 'bogus'" run kmap-high-get --variant buggy --fix bogus=on
bad "no fix switch 'bogus'" replay kmap-high-get --variant buggy --arch xscale --fix bogus=on --schedule 'v1:'
bad "expected NAME=on or NAME=off" run kmap-high-get --fix kmap-high-get
bad "unknown scenario 'no-such-scenario'" run no-such-scenario
bad "unknown scenario 'no-such-scenario'" replay no-such-scenario --schedule 'v1:'
bad "no variant 'nope'" run kmap-high-get --variant nope
bad "no variant 'nope'" replay kmap-high-get --variant nope --schedule 'v1:'
bad "--arch 'vax': unknown arch" run kmap-high-get --arch vax
bad "--shard '2/2'" run kmap-high-get --shard 2/2
bad "--shard '1'" run kmap-high-get --shard 1
bad "--shard 'a/b'" run kmap-high-get --shard a/b
bad "--strategy 'bfs'" run kmap-high-get --strategy bfs
bad "expected one scenario name" run
bad "expected one scenario name" run kmap-high-get kmap-lock-irq
bad "--schedule" run kmap-high-get --schedule 'v1:'
bad "--schedule STRING is required" replay kmap-high-get
for sched in garbage 'v9:xyz' 'v1:-1' 'v1:1,,2' 'v1'; do
	bad "--schedule '$sched': not a schedule string" replay kmap-high-get --variant buggy --arch xscale --schedule "$sched"
done

# ---- --report FILE.html: whole, or not at all ----
expect_exit 1 "$BIN" run kmap-high-get --report "$TMP/r.html"
ok
head -n 1 "$TMP/r.html" | grep -qx '<!DOCTYPE html>' || fail "--report: does not start with <!DOCTYPE html>"
ok
[ "$(tail -c 8 "$TMP/r.html")" = "</html>" ] || fail "--report: does not end with </html>"
expect_grep "$TMP/r.html" "lost-write" "--report: no finding kind"
expect_grep "$TMP/out" "lost-write" "--report: the text report is not on stdout"
ok
[ ! -e "$TMP/r.html.tmp" ] || fail "--report leaves its .tmp file"
expect_exit 0 "$BIN" run kmap-lock-irq --variant fixed --report "$TMP/clean.html"
ok
[ "$(tail -c 8 "$TMP/clean.html")" = "</html>" ] || fail "--report of a clean run is not complete"
expect_exit 2 "$BIN" run kmap-high-get --report /nonexistent/dir/x.html
ok
[ ! -s "$TMP/out" ] || fail "--report to an unwritable path: output on stdout"
expect_grep "$TMP/err" "/nonexistent/dir/x.html" "--report to an unwritable path: message does not name it"
ok
[ ! -e /nonexistent/dir/x.html ] && [ ! -e /nonexistent/dir/x.html.tmp ] || fail "--report: partial file"
mkdir "$TMP/adir"
"$BIN" run kmap-high-get --report "$TMP/adir" >"$TMP/out" 2>"$TMP/err"
rc=$?
ok
[ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] || fail "--report onto a directory: exit $rc"
ok
[ ! -e "$TMP/adir.tmp" ] && [ -d "$TMP/adir" ] && [ ! -s "$TMP/out" ] || fail "--report onto a directory: partial file or output"

# ---- --shard 0/2 + 1/2 = the whole dfs, each complete ----
count() { sed -n 's/.*; \([0-9]*\) schedules\{0,1\}, complete, .*/\1/p' "$TMP/out"; }
for s in kmap-high-get kmap-lock-irq dm-io-vmap; do
	for p in "--preemptions 1" "--preemptions 0"; do
		# shellcheck disable=SC2086
		expect_exit 0 "$BIN" run "$s" --variant fixed --strategy dfs $p
		whole=$(count)
		# shellcheck disable=SC2086
		expect_exit 0 "$BIN" run "$s" --variant fixed --strategy dfs $p --shard 0/2
		h0=$(count)
		# shellcheck disable=SC2086
		expect_exit 0 "$BIN" run "$s" --variant fixed --strategy dfs $p --shard 1/2
		h1=$(count)
		ok
		[ -n "$whole" ] && [ -n "$h0" ] && [ -n "$h1" ] && [ "$((h0 + h1))" -eq "$whole" ] ||
			fail "$s $p: shards '$h0' + '$h1' != whole '$whole' (or not complete)"
	done
done
expect_exit 0 "$BIN" run kmap-high-get --variant fixed --strategy dfs --preemptions 2
whole=$(count)
expect_exit 0 "$BIN" run kmap-high-get --variant fixed --strategy dfs --preemptions 2 --shard 0/2
h0=$(count)
expect_exit 0 "$BIN" run kmap-high-get --variant fixed --strategy dfs --preemptions 2 --shard 1/2
h1=$(count)
ok
[ -n "$whole" ] && [ -n "$h0" ] && [ -n "$h1" ] && [ "$((h0 + h1))" -eq "$whole" ] ||
	fail "kmap-high-get --preemptions 2: shards '$h0' + '$h1' != whole '$whole'"

# ---- kernel releases and arches: --kernel, and highmem scenarios refuse an
# arch without highmem instead of running ARM-only code on it ----
expect_exit 1 "$BIN" run dm-io-vmap --arch cortex-a9 --kernel 2.6.31
expect_grep "$TMP/out" "^BUG: cohsim: stale-read" "dm-io-vmap on cortex-a9 in 2.6.31 (no unmapped-highmem fallback)"
expect_grep "$TMP/out" "^Replay: cohsim replay dm-io-vmap .*--kernel 2.6.31" "the replay command keeps --kernel"
expect_exit 0 "$BIN" run dm-io-vmap --arch cortex-a9 --kernel 2.6.34
expect_exit 1 "$BIN" run dm-io-vmap --variant flush-only --arch armv6
expect_grep "$TMP/out" "^BUG: cohsim: stale-read" "dm-io-vmap flush-only armv6: the read half"
expect_exit 1 "$BIN" run dm-io-vmap --variant fixed --arch mips-r4k
for a in parisc mips-r4k sh4 x86 armv6; do
	for s in kmap-high-get kmap-lock-irq; do
		expect_exit 2 "$BIN" run "$s" --arch "$a"
		expect_grep "$TMP/err" "scenario $s needs highmem, and arch $a .* has none" "$s on $a: no highmem message"
	done
done
for k in 2.6.30 3.0.0 2.6 x 2.6.35.1; do
	expect_exit 2 "$BIN" run dm-io-vmap --kernel "$k"
	expect_grep "$TMP/err" "--kernel" "--kernel $k: the message names the option"
done

# ---- demo: every row ok, deterministic, no times when not on a terminal ----
expect_exit 0 "$BIN" demo
cp "$TMP/out" "$TMP/demo1"
"$BIN" demo >"$TMP/demo2" 2>/dev/null
ok
cmp -s "$TMP/demo1" "$TMP/demo2" || fail "demo stdout differs between runs"
for s in $SCENARIOS; do
	for v in buggy fixed; do
		expect_grep "$TMP/demo1" "^$s +$v +$(arch_of "$s") " "demo has no $s $v row on $(arch_of "$s")"
	done
done
# every built-in scenario's rows (the list may hold more than SCENARIOS)
ALL=$("$BIN" list | grep -E '^[a-z0-9-]+$' | tr '\n' ' ')
rows=$(grep -Ec "^($(echo $ALL | tr ' ' '|')) " "$TMP/demo1")
ok
[ "$rows" -ge 6 ] || fail "demo: only $rows scenario rows"
ok
grep -E "^($(echo $ALL | tr ' ' '|')) " "$TMP/demo1" | grep -Ev ' +- ok$' >"$TMP/badrows" &&
	fail "demo rows not ok or with a time column: $(cat "$TMP/badrows")"
ok
grep -E '\.litmus ' "$TMP/demo1" | grep -Ev ' ok$' >"$TMP/badrows" && fail "demo litmus rows not ok: $(cat "$TMP/badrows")"
expect_grep "$TMP/demo1" "^scenarios: $rows runs, $rows as expected, 0 FAIL\$" "demo scenario summary"

if [ "$fails" -ne 0 ]; then
	echo "cli_scenarios: $fails of $checks checks failed" >&2
	exit 1
fi
echo "cli_scenarios: $checks checks passed"
