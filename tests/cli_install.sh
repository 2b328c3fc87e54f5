#!/usr/bin/env bash
# Bring your own scenario: `cmake --install` into a temporary prefix gives
# the binary, libcohsim (shared and static), headers, cohsim.pc and the CMake
# package; examples/scenario builds out of tree with its Makefile
# (pkg-config) and its CMakeLists.txt (find_package), and runs through
# --load in list, run, replay and demo; `cohsim new` writes a project that
# builds and finds its bug; bad objects get exit 2 and the reason.
#   usage: bash cli_install.sh BIN SRCDIR
set -u
BIN=$1
SRC=$2
BUILD=$(cd "$(dirname "$BIN")" && pwd)
. "$(dirname "$0")/lib.sh"

P=$TMP/prefix
run_exit 0 cmake --install "$BUILD" --prefix "$P"
for f in bin/cohsim lib/libcohsim.a lib/pkgconfig/cohsim.pc lib/cmake/cohsim/cohsimConfig.cmake \
	include/cohsim/scenario.h include/cohsim/linux.h share/bash-completion/completions/cohsim; do
	check
	[ -e "$P/$f" ] || fail "not installed: $f"
done
check
ls "$P"/lib/libcohsim.so.* >/dev/null 2>&1 || fail "not installed: libcohsim.so"
C=$P/bin/cohsim
run_exit 0 "$C" --version
export PKG_CONFIG_PATH=$P/lib/pkgconfig
run_exit 0 pkg-config --modversion cohsim
check
[ "$(cat "$TMP/out")" = "$("$C" --version | cut -d' ' -f2)" ] || fail "cohsim.pc has another version"

# ---- the example, out of tree, both ways ----
cp -r "$SRC/examples/scenario" "$TMP/ex"
run_exit 0 make -C "$TMP/ex"
run_exit 0 cmake -S "$TMP/ex" -B "$TMP/ex/build" -DCMAKE_PREFIX_PATH="$P"
run_exit 0 cmake --build "$TMP/ex/build"
cd "$TMP/ex" || exit 1
run_exit 0 "$C" list --load my_scenario.so
expect_grep "$TMP/out" "^my-scenario$" "list --load does not show the scenario"
expect_grep "$TMP/out" "^kmap-high-get$" "list --load hides the built-ins"
run_exit 1 "$C" run --load ./my_scenario.so my-scenario
expect_grep "$TMP/out" "^BUG: cohsim: stale-dma" "the loaded scenario does not find its bug"
replay=$(sed -n 's/^Replay: //p' "$TMP/out")
check
case $replay in *--schedule*) ;; *) fail "no replay command: $replay" ;; esac
run_exit 0 "$C" run --load build/my_scenario.so my-scenario --variant fixed
expect_grep "$TMP/out" "no finding; .* complete" "the fixed variant is not clean and complete"
run_exit 1 "$C" replay --load ./my_scenario.so my-scenario --schedule 'v1:'
run_exit 0 "$C" demo --load ./my_scenario.so
expect_grep "$TMP/out" "^my-scenario +buggy +xscale .* ok$" "demo --load: no ok row for the loaded scenario"

# ---- cohsim new ----
cd "$TMP" || exit 1
run_exit 0 "$C" new my-drv
run_exit 0 make -C my-drv
run_exit 1 "$C" run --load ./my-drv/my-drv.so my-drv
expect_grep "$TMP/out" "^BUG: cohsim: stale-dma" "the new project does not find its bug"
run_exit 0 "$C" run --load ./my-drv/my-drv.so --load ./ex/my_scenario.so my-drv --variant fixed
run_exit 0 cmake -S my-drv -B my-drv/build -DCMAKE_PREFIX_PATH="$P"
run_exit 0 cmake --build my-drv/build
check
[ -f my-drv/build/my-drv.so ] || fail "the new project's CMake build gives no my-drv.so"
run_exit 2 "$C" new my-drv
run_exit 2 "$C" new Bad_Name

# ---- bad objects ----
echo "not an object" >"$TMP/text.so"
run_exit 2 "$C" list --load "$TMP/text.so"
expect_grep "$TMP/err" "text.so: not a loadable shared object" "a text file is not refused"
echo 'int nothing_here;' >"$TMP/empty.c"
cc -shared -fPIC -o "$TMP/empty.so" "$TMP/empty.c"
run_exit 2 "$C" list --load "$TMP/empty.so"
expect_grep "$TMP/err" "no scenarios in it" "an object without scenarios is not refused"
cat >"$TMP/abi.c" <<'C'
#include "cohsim/scenario.h"
COH_API const struct coh_scenario_module cohsim_scenario_module = {999, sizeof(coh_scenario), 0, 0};
C
cc -shared -fPIC -o "$TMP/abi.so" "$TMP/abi.c" $(pkg-config --cflags cohsim)
run_exit 2 "$C" list --load "$TMP/abi.so"
expect_grep "$TMP/err" "built for scenario ABI 999" "another ABI is not refused"
sed 's/"my-scenario"/"kmap-high-get"/' "$TMP/ex/my_scenario.c" >"$TMP/clash.c"
cc -shared -fPIC -o "$TMP/clash.so" "$TMP/clash.c" $(pkg-config --cflags --libs cohsim)
run_exit 2 "$C" run --load "$TMP/clash.so" kmap-high-get
expect_grep "$TMP/err" "'kmap-high-get' has the name of a built-in scenario" "a clash is not refused"
run_exit 2 "$C" list --load "$TMP/ex/my_scenario.so" --load "$TMP/ex/build/my_scenario.so"
expect_grep "$TMP/err" "already loaded" "loading the same scenario twice is not refused"
check
[ ! -s "$TMP/out" ] || fail "a refused --load printed on stdout"

finish cli_install
