#!/bin/sh
# The core spec testsuite: converts each top-level .wast of ${WELD_SPEC_DIR:-../shared/spec}
# with wast2json (cached in $WELD_BUILD/spec-json, redone when the .wast is newer) and runs
# its commands with spec_runner (execution included), by the Wasm 2.0 rules. Then the
# same for the proposals in $WELD_SPEC_PROPOSALS (default: tail-call extended-const
# multi-memory memory64 relaxed-simd exception-handling; "none" for none), with the
# proposals' rules. memory64's and exception-handling's suites predate multi-memory, so
# they run without that feature; exception-handling's (the legacy try/catch/rethrow/
# delegate, which is what wabt converts) needs wast2json --enable-exceptions and runs
# with execution, assert_exception included. Prints TAP.
ROOT=${WELD_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${WELD_BUILD:-$ROOT/build}
SPEC=${WELD_SPEC_DIR:-$ROOT/../shared/spec}
PROPOSALS=${WELD_SPEC_PROPOSALS:-tail-call extended-const multi-memory memory64 relaxed-simd exception-handling}
OUT=$BUILD/spec-json
RUNNER=$BUILD/tests/spec_runner
WELD_ROOT=$ROOT . "$ROOT/tests/tap.sh"
if ! command -v wast2json >/dev/null 2>&1; then
  skip "spec testsuite" "wast2json (wabt) is not installed"; tap_bail
fi
if [ ! -d "$SPEC" ]; then
  skip "spec testsuite" "no testsuite at $SPEC (set WELD_SPEC_DIR)"; tap_bail
fi
if [ ! -x "$RUNNER" ]; then
  fail "spec testsuite: $RUNNER is not built (make spec)"; tap_done; exit 1
fi

# convert SRC_DIR OUT_DIR FLAGS: wast2json what is missing or stale, four at a time, and
# set the positional parameters to the JSON files (failures are reported as not ok)
JSONS=
convert() {
  src=$1 out=$2 flags=$3
  mkdir -p "$out"
  for f in "$src"/*.wast; do
    [ -f "$f" ] || continue
    n=$(basename "$f" .wast)
    j="$out/$n/$n.json"
    if [ ! -f "$j" ] || [ "$f" -nt "$j" ]; then printf '%s\n' "$f"; fi
  done | xargs -r -P 4 -I{} sh -c '
    n=$(basename "$1" .wast); d="$2/$n"; rm -rf "$d"; mkdir -p "$d"
    (cd "$d" && wast2json $3 "$1" -o "$n.json" 2>wast2json.err) || rm -f "$d/$n.json"' \
    sh {} "$out" "$flags"
  JSONS=
  for f in "$src"/*.wast; do
    [ -f "$f" ] || continue
    n=$(basename "$f" .wast)
    if [ -f "$out/$n/$n.json" ]; then JSONS="$JSONS $out/$n/$n.json"
    else skip "$n.wast" "wast2json cannot convert it: $(head -n 1 "$out/$n/wast2json.err" 2>/dev/null)"; fi
  done
}

rc=0
convert "$SPEC" "$OUT" ""
# shellcheck disable=SC2086
{ "$RUNNER" $JSONS || echo "# spec_runner exited with an error" > "$T/failed"; } | tap_relay
for p in $PROPOSALS; do
  [ "$p" = none ] && continue
  if [ ! -d "$SPEC/proposals/$p" ]; then
    skip "proposals/$p" "not in $SPEC/proposals"; continue
  fi
  case $p in
    exception-handling) convert "$SPEC/proposals/$p" "$OUT/proposals/$p" "--enable-exceptions" ;;
    *) convert "$SPEC/proposals/$p" "$OUT/proposals/$p" "--enable-all" ;;
  esac
  # shellcheck disable=SC2086
  case $p in
    memory64) features="--proposals=extended-const --exec" ;;
    exception-handling) features="--proposals=exceptions --exec" ;;
    threads) features=--proposals=extended-const ;;
    *) features=--proposals ;;
  esac
  # the interpreter executes the relaxed-SIMD instructions, several memories, 64-bit
  # memories, tail calls and extended constant expressions: run those suites' commands too
  case $p in relaxed-simd|multi-memory|tail-call|extended-const) features="$features --exec" ;; esac

  { "$RUNNER" $features $JSONS || echo "# spec_runner exited with an error" > "$T/failed"; } | tap_relay
done
tap_done
[ -f "$T/failed" ] && rc=1
exit $rc
