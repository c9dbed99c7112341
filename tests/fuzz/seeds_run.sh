#!/bin/sh
# Seeds for fuzz_run: the binary modules of the spec testsuite (../shared/spec or
# $WELD_SPEC_DIR), converted by wast2json into directory $1.
set -e
OUT=$1
SPEC=${WELD_SPEC_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/../shared/spec}
mkdir -p "$OUT"
command -v wast2json >/dev/null || { echo "seeds_run.sh: wast2json (wabt) is not installed" >&2; exit 0; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
for w in "$SPEC"/*.wast; do
  n=$(basename "$w" .wast)
  case $n in simd_*) continue ;; esac
  mkdir -p "$T/$n"
  wast2json --enable-all "$w" -o "$T/$n/$n.json" >/dev/null 2>&1 || continue
  for m in "$T/$n"/*.wasm; do [ -f "$m" ] && cp "$m" "$OUT/$n-$(basename "$m")"; done
done
echo "seeds_run.sh: $(ls "$OUT" | wc -l) spec modules in $OUT" >&2
