#!/usr/bin/env bash
# Builds the libFuzzer harnesses into build-fuzz/ (or $FUZZ_BUILD_DIR):
#   build-fuzz/fuzz_litmus  build-fuzz/fuzz_schedule  build-fuzz/fuzz_options
# The library sources are compiled with clang and the harness flags straight
# into build-fuzz/obj (the default CMake builds are not touched). Incremental:
# an object is rebuilt when its source or any header is newer.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${FUZZ_BUILD_DIR:-$root/build-fuzz}
CC=${CC_FUZZ:-clang}
mkdir -p "$out/obj"
flags=(-std=c11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
       -fno-omit-frame-pointer -D_GNU_SOURCE -DCOHSIM_SANITIZE=1
       "-fmacro-prefix-map=$root/=" -I"$root/include" -I"$root/src" -I"$root/tools/cohsim")
newest_header=$(find include src tools/cohsim -name '*.h' -printf '%T@\n' | sort -n | tail -1)

objs=()
compile() { # SRC -> object path in $obj
	local src=$1 o
	o=$out/obj/$(echo "$src" | tr / _).o
	if [ ! -e "$o" ] || [ "$src" -nt "$o" ] ||
	   awk -v h="$newest_header" -v t="$(stat -c %Y "$o")" 'BEGIN{exit !(h > t)}'; then
		"$CC" "${flags[@]}" -c "$src" -o "$o"
	fi
	obj=$o
}

lib=()
while IFS= read -r src; do
	compile "$src"
	lib+=("$obj")
done < <(find src -name '*.c' -o -name '*.S' | sort) # each .S is #if'd on its arch
if [ ! -e "$out/libcohsim-fuzz.a" ] || [ -n "$(find "${lib[@]}" -newer "$out/libcohsim-fuzz.a")" ]; then
	rm -f "$out/libcohsim-fuzz.a"
	ar rcs "$out/libcohsim-fuzz.a" "${lib[@]}"
fi

for h in litmus schedule options; do
	extra=()
	if [ $h = options ]; then
		for f in options options_parse; do
			compile tools/cohsim/$f.c
			extra+=("$obj")
		done
	fi
	compile "fuzz/fuzz_$h.c"
	[ -e "$out/fuzz_$h" ] && [ -z "$(find "$obj" "${extra[@]}" "$out/libcohsim-fuzz.a" -newer "$out/fuzz_$h")" ] &&
		continue
	"$CC" "${flags[@]}" -fsanitize=fuzzer "$obj" "${extra[@]}" "$out/libcohsim-fuzz.a" -lm \
		-o "$out/fuzz_$h"
done
echo "$out"
