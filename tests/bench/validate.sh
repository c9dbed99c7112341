#!/bin/sh
# Validation throughput on the large real core modules jco and componentize-js ship
# (2.4 to 13 MB) and on the large components ../shared/realworld builds (the 12 MB
# StarlingMonkey JS components, QuickJS), one core, best of repeated runs. Reference
# figures on this machine: V8's WebAssembly.validate 160-270 MB/s, WAMR 70-120 MB/s, wabt's
# wasm-validate 8-14 MB/s. For a component, the line "(core modules only)" is the core
# validator alone on its nested modules: component-level checks should add almost nothing.
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
WELD_CACHE=${WELD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/weld}
NM=${JCO_NODE_MODULES:-$WELD_CACHE/npm/node_modules}
set --
for f in "$NM"/@bytecodealliance/*/lib/*.wasm "$NM"/@bytecodealliance/*/vendor/*.wasm; do
  [ -f "$f" ] || continue
  [ "$(stat -c %s "$f")" -ge 2000000 ] && set -- "$@" "$f"
done
RW_OUT=${WELD_REALWORLD_OUT:-$WELD_CACHE/realworld-out}
for f in "$RW_OUT"/*.wasm; do
  [ -f "$f" ] || continue
  [ "$(stat -c %s "$f")" -ge 1000000 ] && set -- "$@" "$f"
done
if [ $# -eq 0 ]; then echo "validate: no modules under $NM (install jco there)"; exit 0; fi
echo "== validation throughput (decode + validate every function body, one core)"
exec "$ROOT/$BUILD/bench_validate" "$@"
