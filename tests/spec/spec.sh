#!/bin/sh
# The core spec testsuite: converts each top-level .wast of ${WELD_SPEC_DIR:-../shared/spec}
# with wast2json (cached in $WELD_BUILD/spec-json, redone when the .wast is newer) and runs
# the commands that need no interpreter with spec_runner. Prints TAP.
ROOT=${WELD_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${WELD_BUILD:-$ROOT/build}
SPEC=${WELD_SPEC_DIR:-$ROOT/../shared/spec}
OUT=$BUILD/spec-json
RUNNER=$BUILD/tests/spec_runner
if ! command -v wast2json >/dev/null 2>&1; then
  echo "ok 1 - spec testsuite # SKIP wast2json (wabt) is not installed"; echo "1..1"; exit 0
fi
if [ ! -d "$SPEC" ]; then
  echo "ok 1 - spec testsuite # SKIP no testsuite at $SPEC (set WELD_SPEC_DIR)"; echo "1..1"; exit 0
fi
if [ ! -x "$RUNNER" ]; then
  echo "not ok 1 - spec testsuite: $RUNNER is not built (make spec)"; echo "1..1"; exit 1
fi
mkdir -p "$OUT"
# convert what is missing or stale, four at a time
for f in "$SPEC"/*.wast; do
  n=$(basename "$f" .wast)
  j="$OUT/$n/$n.json"
  if [ ! -f "$j" ] || [ "$f" -nt "$j" ]; then printf '%s\n' "$f"; fi
done | xargs -r -P 4 -I{} sh -c '
  n=$(basename "$1" .wast); d="$2/$n"; rm -rf "$d"; mkdir -p "$d"
  (cd "$d" && wast2json "$1" -o "$n.json" 2>wast2json.err) || rm -f "$d/$n.json"' sh {} "$OUT"
set --
for f in "$SPEC"/*.wast; do
  n=$(basename "$f" .wast)
  if [ -f "$OUT/$n/$n.json" ]; then set -- "$@" "$OUT/$n/$n.json"
  else echo "not ok - $n.wast: wast2json failed: $(head -n 3 "$OUT/$n/wast2json.err" 2>/dev/null)"; fi
done
exec "$RUNNER" "$@"
