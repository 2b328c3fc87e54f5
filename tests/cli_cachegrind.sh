#!/usr/bin/env bash
# The cross-check of `cohsim trace --cachegrind-compat` with cachegrind: for
# small C programs (tests/trace_progs: streaming, strided with straddling
# read-modify-writes, random, a matrix transpose) and four LRU
# geometries, cohsim's D1 read and write miss counts (and access counts) on
# the program's lackey trace must equal cachegrind's D1mr, D1mw, Dr, Dw on
# the same program, exactly. Skipped (exit 0, with a message) where valgrind
# or a C compiler is missing.
#   usage: bash cli_cachegrind.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
if ! command -v valgrind >/dev/null; then
	echo "SKIP: valgrind is not installed (scripts/deps.sh installs it)"
	exit 0
fi
CC=${CC:-cc}
if ! command -v "$CC" >/dev/null; then
	echo "SKIP: no C compiler ($CC)"
	exit 0
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fails=0
fail() {
	echo "FAIL: $*" >&2
	fails=$((fails + 1))
}

# Lines of at least 32 bytes: cachegrind needs a line as long as the
# longest register (32 bytes with AVX). Its I1 and LL get D1's line size:
# it cuts long accesses to the smallest of the three.
# Each program meets two or three of the four geometries and each geometry
# two or three programs (every pair would double the test's time).
geoms_of() {
	case $1 in
	stream) echo "32768,8,64 4096,1,64" ;;
	strided) echo "16384,4,32 65536,16,128 32768,8,64" ;;
	random) echo "4096,1,64 65536,16,128" ;;
	transpose) echo "32768,8,64 16384,4,32" ;;
	esac
}
for prog in stream strided random transpose; do
	# static: no dynamic loader at start-up, a shorter trace
	if ! "$CC" -O1 -static -o "$TMP/$prog" "$SRC/tests/trace_progs/$prog.c" 2>/dev/null; then
		"$CC" -O1 -o "$TMP/$prog" "$SRC/tests/trace_progs/$prog.c" || {
			fail "$prog: does not compile"
			continue
		}
	fi
	valgrind --tool=lackey --trace-mem=yes --log-file="$TMP/$prog.lackey" "$TMP/$prog" \
		>/dev/null 2>&1 || fail "$prog: lackey failed"
	for g in $(geoms_of "$prog"); do
		line=${g##*,}
		valgrind --tool=cachegrind --cache-sim=yes --D1="$g" --I1=32768,8,"$line" \
			--LL=8388608,16,"$line" --cachegrind-out-file="$TMP/cg.out" "$TMP/$prog" \
			>/dev/null 2>"$TMP/cg.err" || {
			fail "$prog $g: cachegrind failed: $(tail -3 "$TMP/cg.err")"
			continue
		}
		# events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw
		want=$(awk '/^events:/ { for (i = 2; i <= NF; i++) col[$i] = i - 1 }
			/^summary:/ { print "Dr " $(col["Dr"] + 1) " D1mr " $(col["D1mr"] + 1) \
				" Dw " $(col["Dw"] + 1) " D1mw " $(col["D1mw"] + 1) }' "$TMP/cg.out")
		got=$("$BIN" trace "$TMP/$prog.lackey" --d1 "$g" --cachegrind-compat --quiet |
			sed -n 's/^cachegrind: //p')
		if [ -z "$want" ] || [ "$got" != "$want" ]; then
			fail "$prog --d1 $g: cohsim '$got', cachegrind '$want'"
		else
			echo "ok: $prog --d1 $g: $got"
		fi
	done
done

# The same trace without --cachegrind-compat: a straddling access is two
# line accesses, so strided (8 bytes at 60 mod 64) counts more misses than
# cachegrind's one per access; M is a load and a store.
if [ -f "$TMP/strided.lackey" ]; then
	"$BIN" trace "$TMP/strided.lackey" --d1 32768,8,64 --json --stats --quiet >"$TMP/real.json" ||
		fail "strided without compat: exit $?"
	"$BIN" trace "$TMP/strided.lackey" --d1 32768,8,64 --json --stats --cachegrind-compat --quiet \
		>"$TMP/cg.json" || fail "strided with compat: exit $?"
	python3 - "$TMP/real.json" "$TMP/cg.json" <<'PY' || fail "strided: real vs compat counts"
import json, sys
real = json.load(open(sys.argv[1]))
cg = json.load(open(sys.argv[2]))
r, c = real["stats"][0], cg["cachegrind"]
assert r["read_misses"] > c["D1mr"], (r["read_misses"], c["D1mr"])
assert r["stores"] == cg["stats"][0]["stores"] + real["modifies"], (r["stores"], real["modifies"])
assert real["findings"] == [] and cg["findings"] == []
PY
fi

[ "$fails" -eq 0 ] || exit 1
