#!/bin/bash
# `make demo`: weld composes components written in two languages into one deployable file.
#   fixtures/demo/app-c.wasm    a C application (imports weld:demo/text, exports describe),
#                               with the WASI preview1 adapter (Rust) fused in
#   fixtures/demo/text-js.wasm  a JavaScript text provider on the QuickJS engine (itself a
#                               composition of nested components and core modules)
# compose-specs/demo.yaml plugs the provider into the application. The demo shows the
# inputs, the spec, the composed component's world and graph (recovered from the binary),
# checks it (weld validates before writing; the bytes round-trip through weld's tree), and
# runs it in weld's own runtime: the C code calls the JavaScript engine's export through a
# fused call between the two components, its WASI imports served by weld's WASI 0.2 host.
WELD=${1:-build/weld}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
set -e
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
line() { echo "================================================================"; }
outer() { "$WELD" dump "$1" | grep -E '^  (import|export) "' | sed 's/^  /   /'; }

line; echo "the inputs"; line
for c in app-c text-js; do
  f="$ROOT/fixtures/demo/$c.wasm"
  n=$("$WELD" dump "$f" | grep -cE '^ +(component|core module) [0-9]+ at ' || true)
  echo "fixtures/demo/$c.wasm: $(wc -c < "$f") bytes, $n nested components and core modules"
  outer "$f"
done
echo
line; echo "the spec: compose-specs/demo.yaml"; line
grep -v '^#' "$ROOT/compose-specs/demo.yaml"
echo
line; echo "weld compose compose-specs/demo.yaml -o demo.wasm"; line
start=$(date +%s%N)
"$WELD" compose "$ROOT/compose-specs/demo.yaml" -o "$tmp/demo.wasm"
end=$(date +%s%N)
echo "   composed, validated and written in $(( (end - start) / 1000000 )) ms: $(wc -c < "$tmp/demo.wasm") bytes"
echo "-- the composed component's world, as WIT (weld wit demo.wasm):"
"$WELD" wit "$tmp/demo.wasm" | sed 's/^/   /'
echo "-- validated (weld validate demo.wasm):"
"$WELD" validate "$tmp/demo.wasm" && echo "   valid: the component model's rules and every nested core module"
echo "-- what it needs of its host (weld audit demo.wasm --deny 'wasi:sockets/*'):"
"$WELD" audit "$tmp/demo.wasm" --deny 'wasi:sockets/*' | sed "s|$tmp/||; s/^/   /"
echo "-- its graph, recovered from the binary (weld graph demo.wasm --format mermaid):"
"$WELD" graph "$tmp/demo.wasm" --format mermaid > "$tmp/graph.mmd"
grep -v 'wasi:' "$tmp/graph.mmd" | sed 's/^/   /'
echo "   (and $(grep -c -- '-->|"wasi:' "$tmp/graph.mmd") edges from the $(grep -c '\[/"import wasi:' "$tmp/graph.mmd") wasi: imports, left out here)"
echo "-- round trip (weld parse --check):"
"$WELD" parse "$tmp/demo.wasm" --check | sed "s|$tmp/||; s/^/   /"

echo
line; echo "running it in weld's own runtime (weld run --invoke)"; line
for input in "hello composed world" "one two three four"; do
  echo "-- weld run demo.wasm --invoke 'describe(\"$input\")':"
  start=$(date +%s%N)
  out=$("$WELD" run "$tmp/demo.wasm" --invoke "describe(\"$input\")")
  end=$(date +%s%N)
  echo "   $out    ($(( (end - start) / 1000000 )) ms: load, validate, instantiate, call)"
done
