#!/bin/bash
# Builds the stdout-throughput program of tests/bench/wasi2.sh: writer.c to the wasm32-wasi
# (preview1) core module writer.wasm with clang-14 and Debian's wasi-libc, then to the
# command component writer-cmd.wasm with `jco new --wasi-command` (jco's preview1 command
# adapter), as fixtures/wasi2/build.sh builds the WASI 0.2 command fixtures.
set -e
cd "$(dirname "$0")"
. ../../../fixtures/tools/npm-tools.sh
npm_tools_install
CC=${WASI_CC:-clang-14}
$CC --target=wasm32-wasi -O2 -Wall -Wextra -Werror -Wl,--strip-debug writer.c -o writer.wasm
"$JCO_HOME/node_modules/.bin/jco" new writer.wasm --wasi-command -o writer-cmd.wasm
echo "writer.c -> writer.wasm, writer-cmd.wasm"
