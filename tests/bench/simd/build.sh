#!/bin/sh
# Rebuilds the committed SIMD benchmark programs (*.wasm) from their sources with clang-14:
# freestanding wasm32 (no libc, no WASI), -O2 -msimd128, exporting `bench`.
# usage: tests/bench/simd/build.sh
set -e
D=$(cd "$(dirname "$0")" && pwd)
for p in blur matmul dot; do
  clang-14 --target=wasm32 -O2 -msimd128 -nostdlib -Wl,--no-entry -Wl,--export=bench \
    -o "$D/$p.wasm" "$D/$p.c"
done
