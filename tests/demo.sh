#!/bin/sh
# `make demo`: what weld sees in the shipped multi-language components of fixtures/demo:
#   text-js.wasm  a JavaScript text provider on the QuickJS engine (the engine is C):
#                 itself a composition of nested components and core modules
#   app-c.wasm    a C application with the WASI preview1 adapter (Rust) fused in
# For each: the outer component's sections, imports and exports, the tree of nested
# components and core modules, and a byte-exact round trip through weld's tree.
# Each later stage of weld makes this demo do more of the main job.
WELD=${1:-build/weld}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
set -e
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for c in text-js app-c; do
  f="$ROOT/fixtures/demo/$c.wasm"
  echo "================================================================"
  echo "fixtures/demo/$c.wasm"
  echo "================================================================"
  "$WELD" dump "$f" > "$tmp/dump"
  echo "-- the outer component (weld dump):"
  # everything before the first nested component or module
  awk '/^  (component|core module) [0-9]+ at /{exit} {print}' "$tmp/dump"
  echo "-- nested components and core modules:"
  grep -E '^ +(component|core module) [0-9]+ at ' "$tmp/dump" | head -40
  n=$(grep -cE '^ +(component|core module) [0-9]+ at ' "$tmp/dump" || true)
  [ "$n" -gt 40 ] && echo "   ... ($n in all; \`weld dump\` lists each with its imports and exports)"
  echo "-- round trip (weld parse: decode, then encode from weld's tree):"
  "$WELD" parse "$f" -o "$tmp/$c.wasm"
  if cmp -s "$f" "$tmp/$c.wasm"; then
    echo "   byte for byte identical ($(wc -c < "$tmp/$c.wasm") bytes)"
  else
    echo "   the re-encoded output differs from the input"; exit 1
  fi
  echo "-- the first lines of \`weld print\` (the WAT text, as jco print writes it):"
  "$WELD" print "$f" -o "$tmp/$c.wat"
  head -n 12 "$tmp/$c.wat"
  echo "   ... ($(wc -l < "$tmp/$c.wat") lines)"
  echo
done
