#!/usr/bin/env bash
# `cpack -G DEB` builds a Debian package of cohsim, and it installs into a
# scratch root (dpkg-deb -x) where the binary runs, finds its library and
# its examples, and the man pages, headers, cohsim.pc and CMake package are
# in place.
#   usage: bash cli_package.sh BIN SRCDIR
set -u
BIN=$1
BUILD=$(cd "$(dirname "$BIN")" && pwd)
if ! command -v cpack >/dev/null || ! command -v dpkg-deb >/dev/null; then
	echo "cli_package: SKIPPED: no cpack or dpkg-deb"
	exit 77
fi
. "$(dirname "$0")/lib.sh"

(cd "$TMP" && cpack -G DEB --config "$BUILD/CPackConfig.cmake" -B "$TMP/pkg") >"$TMP/log" 2>&1
check
deb=$(ls "$TMP"/pkg/cohsim_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { fail "cpack made no .deb: $(tail -5 "$TMP/log")"; echo "cli_package: 0 passed"; exit 1; }
check
dpkg-deb -f "$deb" Package Version | tr '\n' ' ' | grep -q "Package: cohsim Version: $("$BIN" --version | cut -d' ' -f2)" ||
	fail "the package's name or version is wrong: $(dpkg-deb -f "$deb" Package Version)"
R=$TMP/root
dpkg-deb -x "$deb" "$R"
for f in usr/bin/cohsim usr/include/cohsim/scenario.h usr/share/man/man1/cohsim.1 \
	usr/share/man/man5/cohsim-litmus.5 usr/share/bash-completion/completions/cohsim \
	usr/share/cohsim/examples/litmus/vivt-alias-stale-read.litmus; do
	check
	[ -e "$R/$f" ] || fail "not in the package: /$f"
done
check
pc=$(find "$R" -name cohsim.pc | head -n 1)
inc=$([ -n "$pc" ] && PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags-only-I cohsim | sed 's/^ *-I//; s/ *$//')
[ -n "$inc" ] && [ -f "$inc/cohsim/scenario.h" ] ||
	fail "cohsim.pc in the package does not point into its root ($inc)"
check
find "$R" -name cohsimConfig.cmake | grep -q . || fail "no CMake package in the package"
check
"$R/usr/bin/cohsim" --version >/dev/null 2>&1 || fail "the packaged binary does not run (its library?)"
check
"$R/usr/bin/cohsim" litmus "$R/usr/share/cohsim/examples/litmus/vivt-alias-stale-read.litmus" >/dev/null 2>&1
[ $? -eq 1 ] || fail "the packaged binary does not find the stale read"

finish cli_package
