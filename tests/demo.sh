#!/bin/sh
# `make demo`: what weld sees in the shipped multi-language components of fixtures/demo:
# a JavaScript text provider on the QuickJS engine (C) and a C application with the WASI
# adapter (Rust) fused in. Each later stage of weld makes this demo do more of the job.
WELD=${1:-build/weld}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
set -e
for c in text-js app-c; do
  f="$ROOT/fixtures/demo/$c.wasm"
  echo "================================================================"
  echo "weld dump fixtures/demo/$c.wasm"
  echo "================================================================"
  "$WELD" dump "$f"
  echo
done
echo "================================================================"
echo "round trip: weld parse fixtures/demo/text-js.wasm -o /tmp/... and compare"
echo "================================================================"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for c in text-js app-c; do
  "$WELD" parse "$ROOT/fixtures/demo/$c.wasm" -o "$tmp/$c.wasm"
  if cmp -s "$ROOT/fixtures/demo/$c.wasm" "$tmp/$c.wasm"; then
    echo "$c.wasm: re-encoded from weld's tree, byte for byte identical ($(wc -c < "$tmp/$c.wasm") bytes)"
  else
    echo "$c.wasm: re-encoded output differs from the input"; exit 1
  fi
done
