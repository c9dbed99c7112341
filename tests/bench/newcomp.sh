#!/bin/bash
# weld new against jco new on the largest core module at hand: componentize-js's
# StarlingMonkey engine (starlingmonkey_embedding.debug.wasm, 13 MB, with its embedded
# world), fused with jco's preview1 reactor adapter, in one run each; the ratio of the
# wall times and the sizes of the two components are printed. weld must not be slower.
WELD=${1:-build/weld}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WELD_CACHE=${WELD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/weld}
NMOD=${JCO_HOME:-$WELD_CACHE/npm}/node_modules
SM=$NMOD/@bytecodealliance/componentize-js/lib/starlingmonkey_embedding.debug.wasm
AD=$NMOD/@bytecodealliance/jco/lib/wasi_snapshot_preview1.reactor.wasm
if ! command -v node >/dev/null 2>&1 || [ ! -f "$SM" ] || [ ! -f "$AD" ]; then
  echo "bench new: skipped: needs node, jco and componentize-js in $NMOD (tests/corpus/collect.sh installs them)"
  exit 0
fi
. "$ROOT/fixtures/tools/npm-tools.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
now() { date +%s.%N; }
t0=$(now)
"$WELD" new "$SM" --adapt "wasi_snapshot_preview1=$AD" --ignore-extra-exports -o "$T/w.wasm" 2>"$T/err" ||
  { echo "bench new: weld new failed: $(cat "$T/err")"; exit 1; }
t1=$(now)
jco new "$SM" --wasi-reactor -o "$T/j.wasm" >/dev/null 2>"$T/err" || { echo "bench new: jco new failed: $(cat "$T/err")"; exit 1; }
t2=$(now)
ws=$(stat -c %s "$T/w.wasm") js=$(stat -c %s "$T/j.wasm") in=$(stat -c %s "$SM")
awk -v a="$t0" -v b="$t1" -v c="$t2" -v ws="$ws" -v js="$js" -v insz="$in" 'BEGIN {
  w = (b - a) * 1000; j = (c - b) * 1000
  printf "bench new: StarlingMonkey core module (%.1f MB) + preview1 reactor adapter: weld new %.0f ms, jco new %.0f ms (jco/weld %.1fx)\n", insz / 1e6, w, j, j / w
  printf "  component size: weld %d bytes, jco %d bytes (weld/jco %.4f)\n", ws, js, ws / js
  exit !(w <= j)
}'
