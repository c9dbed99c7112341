#!/bin/sh
# Rebuilds the committed tests/bench/rt/*.wasm from their C sources: clang-14 -O2 for
# wasm32-wasi (Debian's wasi-libc for qsort, memcpy...), bulk memory on, linked by
# wasm-ld-14 directly (the clang driver would also run binaryen's wasm-opt when it is
# installed). Each module exports `bench` and imports nothing, so no WASI host is needed.
# `make bench` uses the committed files and needs no wasm toolchain.
set -e
D=$(cd "$(dirname "$0")" && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
RT=$(clang-14 --target=wasm32-wasi -print-libgcc-file-name)
for c in "$D"/*.c; do
  n=$(basename "$c" .c)
  [ "$n" = native_main ] && continue
  clang-14 --target=wasm32-wasi -O2 -mbulk-memory -c -o "$T/$n.o" "$c"
  wasm-ld-14 -m wasm32 -L/usr/lib/wasm32-wasi --no-entry --export=bench --strip-all \
    "$T/$n.o" -lc "$RT" -o "$D/$n.wasm"
  echo "$n.wasm: $(stat -c %s "$D/$n.wasm") bytes"
done
