#!/bin/bash
# `make demo`: weld composes components written in two languages into one deployable file.
#   fixtures/demo/app-c.wasm    a C application (imports weld:demo/text, exports describe),
#                               with the WASI preview1 adapter (Rust) fused in
#   fixtures/demo/text-js.wasm  a JavaScript text provider on the QuickJS engine (itself a
#                               composition of nested components and core modules)
# compose-specs/demo.yaml plugs the provider into the application. The demo shows the
# inputs, the spec, the composed component's world and graph (recovered from the binary),
# checks it (weld validates before writing; the bytes round-trip through weld's tree), and,
# when node is installed, transpiles it with jco and runs it. (weld's own component runtime
# does not exist yet: running goes through jco.)
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
line; echo "running it on node (jco transpile)"; line
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  source "$ROOT/fixtures/tools/npm-tools.sh"
  npm_tools_install
  echo "-- the world, as the reference tools print it (jco wit demo.wasm):"
  jco wit "$tmp/demo.wasm" | sed 's/^/   /'
  mkdir -p "$tmp/run" && ln -s "$JCO_HOME/node_modules" "$tmp/run/node_modules"
  printf '%s\t%s\t%s\t%s\n' "$tmp/demo.wasm" "$tmp/run/demo" "describe:hello composed world" \
    "describe:one two three four" > "$tmp/list"
  out=$(cd "$tmp/run" && node --experimental-wasm-extended-const "$ROOT/tests/tools/transpile-run.mjs" < "$tmp/list")
  case $out in
    ok*) echo "-- describe(\"hello composed world\"), describe(\"one two three four\"):"
         echo "   ${out##*	}" | sed 's/) /)\n   /' ;;
    *) echo "   $out"; exit 1 ;;
  esac
else
  echo "   node is not installed: skipped (weld's component runtime is not there yet)"
fi
