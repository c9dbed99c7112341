#!/bin/sh
# SIMD benchmark: programs written with wasm_simd128.h (tests/bench/simd/*.c, compiled to the
# committed *.wasm by tests/bench/simd/build.sh with clang-14 -O2 -msimd128) run by
# `weld run`, and the same sources compiled natively with gcc -O2 through an SSE2 mapping of
# the intrinsics (wasm_simd128_sse2.h). Prints the CPU time of each and weld's ratio to
# native (the native time is one call's, averaged over 10 calls), from one run; the two
# builds' checksums must agree.
# usage: tests/bench/simd.sh [WELD]
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
WELD=${1:-$ROOT/$BUILD/weld}
D=$ROOT/tests/bench/simd
echo "== SIMD programs: weld run vs native SSE2 (gcc -O2), CPU time of one run"
case $(uname -m) in
  x86_64|i?86) ;;
  *) echo "simd: the native reference needs SSE2 (x86), not $(uname -m)"; exit 0 ;;
esac
if ! command -v gcc >/dev/null 2>&1; then echo "simd: gcc is not installed"; exit 0; fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
status=0
secs() { sed -n 's/.*: \([0-9.]*\) s CPU.*/\1/p' "$1"; }
for b in "blur 2000" "matmul 1000" "dot 120000"; do
  set -- $b
  if ! gcc -O2 -std=c11 -msse2 "$D/native_main.c" "$D/$1.c" -o "$T/$1" 2>"$T/cc.err"; then
    echo "$1: native build failed: $(head -n 3 "$T/cc.err")"; status=1; continue
  fi
  "$T/$1" "$2" 10 >"$T/n.out" 2>"$T/n.err"
  if ! "$WELD" run --time "$D/$1.wasm" --invoke bench "$2" >"$T/w.out" 2>"$T/w.err"; then
    echo "$1: weld run failed: $(head -n 3 "$T/w.err")"; status=1; continue
  fi
  if ! cmp -s "$T/n.out" "$T/w.out"; then
    echo "$1: checksums differ: native $(cat "$T/n.out"), weld $(cat "$T/w.out")"; status=1; continue
  fi
  n=$(secs "$T/n.err"); w=$(secs "$T/w.err")
  echo "$1 ($2 rounds, checksum $(cat "$T/w.out")): native $n s, weld $w s, ratio $(echo "$w / $n" | bc -l | cut -c1-6)x"
done
exit $status
