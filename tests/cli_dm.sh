#!/usr/bin/env bash
# `cohsim dm SCRIPT` (docs/dm.md): the transcript of a script, power cuts
# and what survives them, the synthetic superblock-last switch found by dfs
# over every cut point of a commit and clean with it on, replay of a
# finding, determinism, --disk files, and bad input (FILE:LINE, exit 2).
#   usage: bash cli_dm.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
. "$(dirname "$0")/lib.sh"
EX=$SRC/examples/dm

# the example with a power cut after a FLUSH: the flushed blocks are back,
# the unflushed overwrite is lost (the default choice) or kept (another seed)
run_exit 0 "$BIN" dm "$EX/cache-crash.dm"
expect_grep "$TMP/out" '^7: create c: ok$' "create runs dev_create, load and resume"
expect_grep "$TMP/out" '^12: crash: power cut with 1 write not durable; restarted$' "crash"
expect_grep "$TMP/out" '^14: verify c 0\+8 0x11: ok \(0x11\)$' "the flushed block survives"
expect_grep "$TMP/out" '^16: status c: 0 256 cache 2/4 promotions 0 demotions 0 dirty 2$' "status"
expect_grep "$TMP/out" 'no finding; 1 schedule' "one execution by default"
cp "$TMP/out" "$TMP/first"
run_exit 0 "$BIN" dm "$EX/cache-crash.dm"
check
cmp -s "$TMP/out" "$TMP/first" || fail "the same script and seed give another output"
run_exit 0 "$BIN" dm "$EX/cache-crash.dm" --strategy dfs
expect_grep "$TMP/out" 'no finding; 2 schedules, complete' "dfs: the write lost and kept"
expect_grep "$TMP/out" '^15: read c 16\+8: ok \(0x22\)$' "the unflushed overwrite is lost by default"
seen_kept=no
for seed in 1 2 3 4 5 6; do
	"$BIN" dm "$EX/cache-crash.dm" --seed $seed 2>/dev/null | grep -q '^15: read c 16+8: ok (0x33)$' &&
		seen_kept=yes
done
check
[ $seen_kept = yes ] || fail "no seed of 1..6 keeps the unflushed write"

# every cut point of one commit: fixed clean, buggy loses the commit
run_exit 0 "$BIN" dm "$EX/commit-power-cut.dm" --strategy dfs
expect_grep "$TMP/out" 'no finding; [0-9]+ schedules, complete' "fixed commit survives every cut"
run_exit 1 "$BIN" dm "$EX/commit-power-cut.dm" --strategy dfs --variant buggy
expect_grep "$TMP/out" '^BUG: cohsim: lost-durable-write' "buggy commit: lost-durable-write"
expect_grep "$TMP/out" "dm-cache metadata on md after a power cut: a mapping root \(block [0-9]+\) that fails its checksum" \
	"the ledger names the metadata device"
expect_grep "$TMP/out" '^19: create c: error -84: cache: Error creating metadata object$' \
	"the metadata fails its checksums: the table does not load"
replay=$(sed -n 's/^Replay: //p' "$TMP/out" | head -1)
check
case $replay in "cohsim dm "*" --schedule "*) ;; *) fail "no replay line: $replay" ;; esac
eval "run_exit 1 \"$BIN\" ${replay#cohsim }"
expect_grep "$TMP/out" '^BUG: cohsim: lost-durable-write' "the replay finds it again"
run_exit 1 "$BIN" dm "$EX/commit-power-cut.dm" --strategy dfs --fix dm-cache-superblock-last=off
run_exit 1 "$BIN" dm "$EX/commit-power-cut.dm" --strategy dfs --variant buggy --json
expect_grep "$TMP/out" '"kind":"lost-durable-write"' "--json: the kind"
check
head -1 "$TMP/out" | grep -q '^{"scenario":' || fail "--json: the object comes first"
check
! grep -Eq '^[0-9]+: ' "$TMP/out" || fail "--json prints no transcript"

# a create whose resume fails removes the device (libdevmapper's revert):
# I/O to it then fails, and no cut point leaves the script waiting forever
run_exit 1 "$BIN" dm "$EX/commit-power-cut.dm" --strategy dfs --variant buggy --keep-going
expect_grep "$TMP/out" '1 finding \(lost-durable-write\); [0-9]+ schedules, complete' \
	"--keep-going: no deadlock after a failed resume"
run_exit 1 "$BIN" dm "$EX/commit-power-cut.dm" --variant buggy --schedule 'v1:1701,2,0,0'
expect_grep "$TMP/out" '^19: create c: error -84: resume failed; the device was removed$' \
	"a cut leaves an array block failing its checksum: resume fails, the device goes"
expect_grep "$TMP/out" '^20: verify c 0\+8: error: no such device$' "I/O to it fails"
# a create whose table does not load: no device; a suspended device's I/O
# would wait for a resume no later line can make: refused
printf 'disk md 128\ndisk cd 32\ndisk od 256\n' >"$TMP/gone.dm"
printf 'create c 0 256 cache /dev/md /dev/cd /dev/od %s 1 writeback default 0\n' 8 >>"$TMP/gone.dm"
printf 'write c 8 8 0x11\nremove c\n' >>"$TMP/gone.dm"
printf 'create c 0 256 cache /dev/md /dev/cd /dev/od %s 1 writeback default 0\n' 16 >>"$TMP/gone.dm"
printf 'read c 0 8\nflush c\n' >>"$TMP/gone.dm"
run_exit 0 "$BIN" dm "$TMP/gone.dm"
expect_grep "$TMP/out" '^7: create c: error -22: cache: Error creating metadata object$' \
	"another block size: the table does not load"
expect_grep "$TMP/out" '^8: read c 0\+8: error: no such device$' "a read of no device"
expect_grep "$TMP/out" '^9: flush c: error: no such device$' "a flush of no device"
printf 'disk sda 64\ncreate l 0 64 linear /dev/sda 0\nsuspend l\nwrite l 0 8 0x11\n' >"$TMP/susp.dm"
printf 'flush l\nresume l\nread l 0 8\n' >>"$TMP/susp.dm"
run_exit 0 "$BIN" dm "$TMP/susp.dm" --strategy dfs
expect_grep "$TMP/out" '^4: write l 0\+8: error: the device is suspended' "a write to a suspended device"
expect_grep "$TMP/out" '^5: flush l: error: the device is suspended' "a flush to a suspended device"
expect_grep "$TMP/out" '^7: read l 0\+8: ok \(0x00\)$' "after resume: the refused write left nothing"

# the seed-5 reload without the fix: the block-copy oracle's stale read
cat >"$TMP/reload.dm" <<'EOF'
disk md 128
disk cd 32
disk od 256
create c 0 256 cache md cd od 8 1 writeback default 0
write c 8 8 0x11
flush c
reload c 0 256 cache md cd od 8 1 writeback default 0
write c 16 8 0x22
flush c
resume c
status c
EOF
run_exit 1 "$BIN" dm "$TMP/reload.dm" --fix dm-cache-shared-metadata=off
expect_grep "$TMP/out" '^BUG: cohsim: stale-read' "reload with two metadata objects"
run_exit 0 "$BIN" dm "$TMP/reload.dm"
expect_grep "$TMP/out" '^11: status c: 0 256 cache 2/4' "the shared object keeps both blocks"
# a second open with another block size fails cleanly (seed 5's same_params)
printf 'disk md 128\ndisk cd 64\ndisk od 256\ncreate c 0 256 cache md cd od 8 0 default 0\nreload c 0 256 cache md cd od 16 0 default 0\n' >"$TMP/bs.dm"
run_exit 0 "$BIN" dm "$TMP/bs.dm"
expect_grep "$TMP/out" '^5: reload c: error -22: cache: Error creating metadata object$' \
	"a reload with another block size is refused"

# dm-cache-check-block-size: the device re-created with another block size
cat >"$TMP/bsize.dm" <<'EOF'
disk md 128
disk cd 32
disk od 256
create c 0 256 cache md cd od 8 1 writeback default 0
write c 8 8 0x11
remove c
create c 0 256 cache md cd od 16 1 writeback default 0
read c 16 8
EOF
run_exit 0 "$BIN" dm "$TMP/bsize.dm"
expect_grep "$TMP/out" '^7: create c: error -22' "fixed: metadata of another block size is refused"
run_exit 0 "$BIN" dm "$TMP/bsize.dm" --fix dm-cache-check-block-size=off
expect_grep "$TMP/out" '^7: create c: error -22' "seed 5's same_params refuses it too"
run_exit 1 "$BIN" dm "$TMP/bsize.dm" --variant buggy
expect_grep "$TMP/out" 'the metadata maps cblock 0 to oblock 1 \(16 sectors a block\), but cd sector 0 holds bytes written there for origin sector 8' \
	"buggy: the provenance checker finds the remapped block"
expect_grep "$TMP/out" '^8: read c 16\+8: ok \(0x11\) -> stale-read$' "buggy: the read returns sector 8's bytes"

# dm-cache-flush-before-commit: a cut between the commit and the data's flush
cat >"$TMP/df.dm" <<'EOF'
disk md 128
disk cd 32
disk od 256
write /dev/cd 0 8 0xcc fua
create c 0 256 cache md cd od 8 1 writeback default 0
write c 0 8 0x11
arm-crash
flush c
crash
create c 0 256 cache md cd od 8 1 writeback default 0
read c 0 8
EOF
run_exit 0 "$BIN" dm "$TMP/df.dm" --strategy dfs
expect_grep "$TMP/out" 'no finding; [0-9]+ schedules, complete' "fixed: the data is flushed before the commit"
run_exit 1 "$BIN" dm "$TMP/df.dm" --strategy dfs --fix dm-cache-flush-before-commit=off
expect_grep "$TMP/out" 'cd sector 0 holds bytes never written there for it' \
	"without the flush first: the mapping outlives its data"
expect_grep "$TMP/out" '^11: read c 0\+8: ok \(0xcc\) -> stale-read$' "the read returns the cache's old bytes"

# the built-in scenarios of the two switches
run_exit 1 "$BIN" run dm-cache-data-flush
expect_grep "$TMP/out" '^BUG: cohsim: stale-read' "dm-cache-data-flush buggy"
run_exit 0 "$BIN" run dm-cache-data-flush --variant fixed
expect_grep "$TMP/out" 'no finding; [0-9]+ schedules, complete' "dm-cache-data-flush fixed"
run_exit 1 "$BIN" run dm-cache-block-size
run_exit 0 "$BIN" run dm-cache-block-size --variant fixed
expect_grep "$TMP/out" 'no finding; [0-9]+ schedules?, complete' "dm-cache-block-size fixed"

# --report, --trace, --junit, --tap as `cohsim run` writes them
run_exit 1 "$BIN" dm "$EX/commit-power-cut.dm" --strategy dfs --variant buggy \
	--report "$TMP/r.html" --trace "$TMP/t.json" --junit "$TMP/j.xml"
check
[ -s "$TMP/r.html" ] && grep -q 'lost-durable-write' "$TMP/r.html" || fail "--report: no page"
check
[ -s "$TMP/t.json" ] && head -c 1 "$TMP/t.json" | grep -q '[{[]' || fail "--trace: no JSON"
expect_grep "$TMP/j.xml" '<failure message="1 finding' "--junit: the failure"
expect_grep "$TMP/out" '^19: create c: error -84: cache: Error creating metadata object$' \
	"the transcript is still printed"
run_exit 1 "$BIN" dm "$EX/commit-power-cut.dm" --strategy dfs --variant buggy --tap
check
head -1 "$TMP/out" | grep -q '^TAP version 13$' || fail "--tap: TAP first"
expect_grep "$TMP/out" '^not ok 1 run: .*commit-power-cut.dm \(buggy\)' "--tap: the failed row"
check
! grep -Eq '^[0-9]+: ' "$TMP/out" || fail "--tap prints no transcript"
run_exit 0 "$BIN" dm "$EX/cache-crash.dm" --tap
expect_grep "$TMP/out" '^ok 1 run: ' "--tap: a clean run"
run_exit 2 "$BIN" dm "$EX/cache-crash.dm" --report "$TMP/nodir/r.html"

# linear, raw disks, fua
cat >"$TMP/lin.dm" <<'EOF'
disk sda 64
disk sdb 64
disk sdc 64
create l 0 32 linear /dev/sda 16; 32 32 linear sdb 0
write l 30 4 0x5a fua
read /dev/sda 46 2
read /dev/sdb 0 2
write /dev/sdc 0 2 0x33 fua
write /dev/sdc 2 2 0x44
crash
read /dev/sdb 0 2
verify /dev/sdc 0 2 0x33
read /dev/sdc 2 2
EOF
run_exit 0 "$BIN" dm "$TMP/lin.dm"
expect_grep "$TMP/out" '^6: read /dev/sda 46\+2: ok \(0x5a\)$' "linear maps onto sda"
expect_grep "$TMP/out" '^11: read /dev/sdb 0\+2: ok \(0x5a\)$' "a FUA write through dm survives"
expect_grep "$TMP/out" '^12: verify /dev/sdc 0\+2 0x33: ok \(0x33\)$' "a FUA write survives"
expect_grep "$TMP/out" '^13: read /dev/sdc 2\+2: ok \(0x00\)$' "an unflushed one is lost"
# the record follows a linear table: a raw write under it is seen through it
cat >"$TMP/lin2.dm" <<'EOF'
disk sda 64
disk sdb 64
create l 0 32 linear /dev/sda 16; 32 32 linear sdb 0
write l 30 4 0x5a
write /dev/sda 47 1 0x77
read l 30 4
flush l
crash
read /dev/sda 46 2
read /dev/sdb 0 2
EOF
run_exit 0 "$BIN" dm "$TMP/lin2.dm" --strategy dfs
expect_grep "$TMP/out" '^6: read l 30\+4: ok \(mixed\)$' "a read through linear sees the raw write"
expect_grep "$TMP/out" 'no finding; 2 schedules, complete' "the flush reached sda, not sdb"
# torn writes: any prefix of a write's sectors survives
printf 'disk sdc 64\ntorn-writes\nwrite /dev/sdc 0 16 0x33\ncrash\nread /dev/sdc 0 16\n' >"$TMP/torn.dm"
run_exit 0 "$BIN" dm "$TMP/torn.dm" --strategy dfs
expect_grep "$TMP/out" '^2: torn-writes: a power cut may keep any prefix' "torn-writes line"
expect_grep "$TMP/out" 'no finding; 81 schedules, complete' "two 8-sector bios: 9 x 9 outcomes"
run_exit 0 "$BIN" dm "$TMP/torn.dm" --seed 2
expect_grep "$TMP/out" '^5: read /dev/sdc 0\+16: ok \(mixed\)$' "a torn write reads back mixed"
sed 's/^arm-crash/torn-writes\narm-crash/' "$EX/commit-power-cut.dm" >"$TMP/cpt.dm"
# (9 outcomes for each 4 KiB block of a commit: dfs explores 7,395
# schedules, ~17 s of CPU; here 200 random ones)
run_exit 0 "$BIN" dm "$TMP/cpt.dm" --strategy random --budget 200
expect_grep "$TMP/out" 'no finding; 200 schedules, not complete' "a commit survives torn writes"
printf 'disk sdc 64\nwrite /dev/sdc 0 2 0x33\nflush /dev/sdc\ncrash\nread /dev/sdc 0 2\n' >"$TMP/f.dm"
run_exit 0 "$BIN" dm "$TMP/f.dm" --strategy dfs
expect_grep "$TMP/out" '^5: read /dev/sdc 0\+2: ok \(0x33\)$' "a flushed write survives"
expect_grep "$TMP/out" 'no finding; 1 schedule, complete' "nothing to choose after a flush"

# --disk: images seed the disks and are only read
run_exit 0 "$BIN" dm "$EX/cache-crash.dm" --disk "$TMP/d"
check
[ ! -e "$TMP/d.0" ] && [ ! -e "$TMP/d.2" ] || fail "--disk wrote an image"
cmp -s <(sed -n '1,/^cohsim/p' "$TMP/out") <(sed -n '1,/^cohsim/p' "$TMP/first") ||
	fail "--disk changes the transcript"

# bad input: FILE:LINE: problem, exit 2
bad() {
	local want=$1
	shift
	printf '%b' "$*" >"$TMP/bad.dm"
	run_exit 2 "$BIN" dm "$TMP/bad.dm"
	expect_grep "$TMP/err" "$want" "bad script: $*"
}
D='disk md 128\ndisk cd 32\ndisk od 256\n'
bad 'bad.dm:1: unknown verb .frob.' 'frob c\n'
bad 'bad.dm:4: bad table: unknown target type .stripe.' "${D}create c 0 8 stripe md\n"
bad "bad.dm:4: unknown device '/dev/sdz'" "${D}create c 0 8 linear /dev/sdz 0\n"
bad 'bad.dm:4: wrong number of arguments' "${D}resume\n"
bad 'bad.dm:4: bad table: linear takes 2 arguments' "${D}create c 0 8 linear md\n"
bad 'bad.dm:4: bad table: target at 8, expected 0' "${D}create c 8 8 linear md 0\n"
bad 'bad.dm:4: linear offset 200 out of range' "${D}create c 0 8 linear md 200\n"
bad 'bad.dm:4: bad table: linear md 124 \+ 8 runs past' "${D}create c 0 8 linear md 124\n"
bad 'bad.dm:4: unknown device .c.' "${D}resume c\n"
bad 'bad.dm:5: sectors 4 to 11 are past the end of c' "${D}create c 0 8 linear md 0\nwrite c 4 8 1\n"
bad 'bad.dm:5: pattern 256 out of range' "${D}create c 0 8 linear md 0\nwrite c 0 1 256\n"
bad 'bad.dm:5: count .x. is not a number' "${D}create c 0 8 linear md 0\nread c 0 x\n"
bad 'bad.dm:5: device .c. exists already' "${D}create c 0 8 linear md 0\ncreate c 0 8 linear md 0\n"
bad 'bad.dm:6: unknown device .c.' "${D}create c 0 8 linear md 0\ncrash\nread c 0 1\n"
bad 'bad.dm:3: .disk. lines come before' 'disk md 8\nflush /dev/md\ndisk cd 8\n'
bad 'bad.dm:4: bad table: cache policy .default. has 1 arguments, #args says 0' \
	"${D}create c 0 8 cache md cd od 8 0 default 0 x\n"
bad 'bad.dm:1: disk size 4 out of range' 'disk md 4\n'
bad 'bad.dm:1: no disk declared' '# nothing\n'
bad 'bad.dm:4: bad table: cache block size 12 is not a multiple of 8' \
	"${D}create c 0 8 cache md cd od 12 0 default 0\n"
bad 'bad.dm:4: cache block size 256 out of range' "${D}create c 0 8 cache md cd od 256 0 default 0\n"
bad 'bad.dm:1: wrong number of arguments' 'torn-writes now\n'
run_exit 2 "$BIN" dm "$TMP/missing.dm"
expect_grep "$TMP/err" 'cannot open' "a missing script"
run_exit 2 "$BIN" dm
run_exit 2 "$BIN" dm "$EX/cache-crash.dm" --strategy nope
finish cli_dm
