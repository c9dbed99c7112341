#!/bin/bash
# Component calls per second, weld's runtime against jco (transpiled to JS, on node), in
# one run on the same components (tests/bench/crt/: callee.wat, caller.wat; composed.wasm
# is caller.wasm plugged with callee.wasm by weld): host -> component calls with a short
# string, host -> component calls with a list of 1,000 records, and component -> component
# calls through the fused trampoline.  Usage: crt.sh WELD
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
dir=$ROOT/tests/bench/crt
echo "== component calls per second (weld vs jco on node, one run; ratio > 1: weld faster)"
weld=$("$ROOT/$BUILD/bench_crt" "$dir") || { echo "bench_crt failed"; exit 1; }
jco=""
if command -v node >/dev/null; then
  source "$ROOT/fixtures/tools/npm-tools.sh"
  npm_tools_install
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  ln -s "$JCO_HOME/node_modules" "$tmp/node_modules"
  jco=$(cd "$tmp" && node "$dir/jco_bench.mjs" "$dir" "$tmp/out") || jco=""
fi
printf '%-8s %14s %14s %8s\n' call weld jco ratio
for k in echo sum fused; do
  w=$(printf '%s\n' "$weld" | awk -v k=$k '$1 == k {print $2}')
  j=$(printf '%s\n' "$jco" | awk -v k=$k '$1 == k {print $2}')
  r=$( [ -n "$j" ] && awk -v w="$w" -v j="$j" 'BEGIN {printf "%.2fx", w / j}' || echo "-")
  printf '%-8s %14s %14s %8s\n' "$k" "$w" "${j:--}" "$r"
done
