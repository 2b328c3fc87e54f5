#!/usr/bin/env bash
# --disk FILE (docs/faults.md): FILE.N seeds disk N of every execution, of
# every --jobs worker and of every shard alike, and is never written; a
# name that cannot be used fails before the run with exit 2.
#   usage: bash cli_disk.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
. "$(dirname "$0")/lib.sh"

RUN=(run dm-io-vmap --variant fixed --strategy random --budget 120)
head -c 200000 /dev/urandom >"$TMP/d.0"
sum0=$(cksum <"$TMP/d.0")

# ---- one image for every worker and every execution ----
run_exit 0 "$BIN" "${RUN[@]}" --disk "$TMP/d" --jobs 1
cp "$TMP/out" "$TMP/jobs1"
run_exit 0 "$BIN" "${RUN[@]}" --disk "$TMP/d" --jobs 2
check
cmp -s "$TMP/out" "$TMP/jobs1" || fail "--disk with --jobs 2 differs from --jobs 1"
check
[ "$(cksum <"$TMP/d.0")" = "$sum0" ] || fail "--disk: the seed file was written"
check
[ ! -e "$TMP/d.1" ] || fail "--disk: a file was created for a disk without one"

# ---- shards sharing one prefix, at the same time ----
for i in 0 1; do
	"$BIN" "${RUN[@]}" --disk "$TMP/d" --shard $i/2 >"$TMP/alone.$i" 2>/dev/null
done
"$BIN" "${RUN[@]}" --disk "$TMP/d" --shard 0/2 --jobs 2 >"$TMP/both.0" 2>/dev/null &
pid=$!
"$BIN" "${RUN[@]}" --disk "$TMP/d" --shard 1/2 --jobs 2 >"$TMP/both.1" 2>/dev/null
wait "$pid"
for i in 0 1; do
	check
	cmp -s "$TMP/both.$i" "$TMP/alone.$i" || fail "shard $i/2 beside the other differs"
done
check
[ "$(cksum <"$TMP/d.0")" = "$sum0" ] || fail "--disk: shards wrote the seed file"

# ---- a symlink is read through, its target never written ----
ln -s "$TMP/d.0" "$TMP/link.0"
run_exit 0 "$BIN" "${RUN[@]}" --disk "$TMP/link"
check
[ "$(cksum <"$TMP/d.0")" = "$sum0" ] || fail "--disk: written through a symlink"

# ---- names that cannot be used: exit 2 before the run ----
mkfifo "$TMP/fifo.0"
run_exit 2 timeout 20 "$BIN" "${RUN[@]}" --disk "$TMP/fifo"
expect_grep "$TMP/err" "fifo.0 is not a regular file" "a FIFO as a disk image"
mkdir "$TMP/dir.0"
run_exit 2 "$BIN" "${RUN[@]}" --disk "$TMP/dir"
expect_grep "$TMP/err" "dir.0 is not a regular file" "a folder as a disk image"
run_exit 2 "$BIN" "${RUN[@]}" --disk "$TMP/none/d"
expect_grep "$TMP/err" "folder .*none: No such file" "a prefix in a missing folder"
check
[ ! -e "$TMP/none" ] || fail "--disk created a folder"
run_exit 2 "$BIN" "${RUN[@]}" --disk "$TMP/"
head -c 3000000 /dev/zero >"$TMP/big.0"
run_exit 2 "$BIN" "${RUN[@]}" --disk "$TMP/big"
expect_grep "$TMP/err" "holds 3000000 bytes, more than the disk's" "an image larger than the disk"

finish cli_disk
