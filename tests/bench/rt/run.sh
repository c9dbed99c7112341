#!/bin/sh
# Interpreter quick benchmark: the same code run natively (gcc -O2) and by `weld run`,
# CPU time of each and their ratio. Needs clang-14 (wasm32 target) and wat2wasm.
# usage: tests/bench/rt/run.sh [BUILD_DIR]
set -e
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
BUILD=${1:-$ROOT/build}
D=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
wat2wasm "$D/fib.wat" -o "$T/fib.wasm"
clang-14 --target=wasm32 -O2 -nostdlib -Wl,--no-entry -o "$T/sort_hash.wasm" "$D/sort_hash.c"
sed 's/__attribute__((export_name("bench"))) //' "$D/sort_hash.c" > "$T/sort_hash_native.c"
gcc -O2 "$D/native_main.c" "$T/sort_hash_native.c" -o "$T/sort_hash"
gcc -O2 "$D/native_main.c" "$D/fib_native.c" -o "$T/fib"
secs() { sed -n 's/.*: \([0-9.]*\) s CPU.*/\1/p' "$1"; }
for b in "fib fib 35" "sort_hash bench 100"; do
  set -- $b
  "$T/$1" "$3" >"$T/n.out" 2>"$T/n.err"
  "$BUILD/weld" run --time "$T/$1.wasm" --invoke "$2" "$3" >"$T/w.out" 2>"$T/w.err"
  cmp -s "$T/n.out" "$T/w.out" || { echo "$1: results differ"; exit 1; }
  n=$(secs "$T/n.err"); w=$(secs "$T/w.err")
  echo "$1: native $n s, weld $w s, ratio $(echo "$w / $n" | bc -l | cut -c1-5)x"
done
