#!/bin/sh
# The test driver of `make check`: runs every cmocka unit test binary, every CLI test script
# in tests/cli/ and the spec testsuite runner, reads their TAP output, and ends with one
# summary line "N passed, N failed, N skipped" (skips are listed by name above it).
# Each producer must print one TAP plan "1..N" matching its results, or it counts as failed;
# a skipped line counts as the checks it says it stands for ("(stands for N checks)").
#   BUILD  build directory (build or build-san)
#   ONLY   unit | cli | spec : run one group
BUILD=${BUILD:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
export WELD="$ROOT/$BUILD/weld" WELD_ROOT="$ROOT" WELD_BUILD="$ROOT/$BUILD"
export CMOCKA_MESSAGE_OUTPUT=TAP
# The interop corpus (reference tools from npm, real components built from ../shared/realworld)
# lives outside the repository, in $WELD_CACHE; it is gathered once here for every group.
# WELD_CORPUS=0 leaves it out: the tests that need it then report SKIP with the reason.
export WELD_CACHE=${WELD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/weld}
export JCO_HOME="$WELD_CACHE/npm" WELD_REALWORLD_DIR="$WELD_CACHE/realworld-out"
export JCO="$JCO_HOME/node_modules/.bin/jco"
LOG=$(mktemp -d)
trap 'rm -rf "$LOG"' EXIT
passed=0 failed=0 skipped=0
if [ "${WELD_CORPUS:-1}" != 0 ] && [ "$ONLY" != unit ] && [ -z "$WELD_CORPUS_LIST" ]; then
  if command -v node >/dev/null && command -v npm >/dev/null &&
     bash "$ROOT/tests/corpus/collect.sh" > "$LOG/corpus.list" 2> "$LOG/corpus.err"; then
    export WELD_CORPUS_LIST="$LOG/corpus.list"
  else
    echo "interop corpus not available (tests that need it will SKIP):"
    tail -n 5 "$LOG/corpus.err" 2>/dev/null | sed 's/^/  /'
  fi
fi
: > "$LOG/skips"
: > "$LOG/failures"

# run_tap GROUP NAME COMMAND...: runs a TAP producer and adds up its results
run_tap() {
  group=$1 name=$2; shift 2
  out="$LOG/out"
  "$@" > "$out" 2>"$LOG/err"
  rc=$?
  lines=$(grep -c '^ok ' "$out" | tr -d ' ')
  sl=$(grep -c '^ok .*# *SKIP' "$out" | tr -d ' ')
  f=$(grep -c '^not ok ' "$out" | tr -d ' ')
  p=$((lines - sl))
  # a SKIP line stands for one check unless it says "(stands for N checks)"
  s=$(grep '^ok .*# *SKIP' "$out" |
      sed -n 's/.*(stands for \([0-9][0-9]*\) checks\{0,1\}).*/\1/p; t; s/.*/1/p' |
      awk '{ n += $1 } END { print n + 0 }')
  grep '^ok .*# *SKIP' "$out" | sed "s|^|  skipped: $group/$name: |" >> "$LOG/skips"
  grep '^not ok ' "$out" | sed "s|^|  FAILED: $group/$name: |" >> "$LOG/failures"
  # the plan: exactly one "1..N" line, N equal to the results printed; a producer that
  # stops half-way (a crash, an early exit) prints none or the wrong one
  plans=$(grep -c '^1\.\.[0-9]' "$out" | tr -d ' ')
  planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$out" | tail -n 1)
  ran=$((lines + f))
  if [ "$plans" -ne 1 ] || [ "$planned" -ne "$ran" ]; then
    f=$((f + 1))
    if [ "$plans" -eq 0 ]; then why="no TAP plan: it stopped before its end"
    elif [ "$plans" -gt 1 ]; then why="$plans TAP plans, one expected"
    else why="planned $planned checks, printed $ran"; fi
    echo "  FAILED: $group/$name: $why" >> "$LOG/failures"
  elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    # a crash or an error outside any test counts as one failure
    f=1
    echo "  FAILED: $group/$name: exited with status $rc" >> "$LOG/failures"
    tail -n 5 "$LOG/err" | sed 's/^/    /' >> "$LOG/failures"
  fi
  # the spec runner's per-file summaries ("# NAME.wast: N passed, M failed")
  [ "$group" = spec ] && grep '^# [^ ]*\.wast: ' "$out" | sed 's/^# /  /'
  printf '%-40s %5d passed, %d failed, %d skipped\n' "$group/$name" "$p" "$f" "$s"
  passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
}

if [ -z "$ONLY" ] || [ "$ONLY" = unit ]; then
  for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    run_tap unit "$(basename "$t")" "$t"
  done
fi
if [ -z "$ONLY" ] || [ "$ONLY" = cli ]; then
  for t in tests/cli/*.sh; do
    [ -f "$t" ] || continue
    run_tap cli "$(basename "$t" .sh)" bash "$t"
  done
fi
if [ -z "$ONLY" ] || [ "$ONLY" = spec ]; then
  for t in tests/spec/*.sh; do
    [ -f "$t" ] || continue
    run_tap spec "$(basename "$t" .sh)" bash "$t"
  done
fi

cat "$LOG/skips"
cat "$LOG/failures"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
