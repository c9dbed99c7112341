#!/bin/bash
# Instruction counts of the interpreter on three benchmarks, from valgrind's callgrind:
# unlike CPU time they repeat exactly for the same binary and input whatever else the
# machine is doing, so a change's effect shows apart from noise. Each count is compared
# with the one recorded in tests/bench/rt/callgrind.txt (the counts of the commit named
# there); `--record` writes the current counts into that file.
# usage: tests/bench/rt/callgrind.sh [WELD] [--record]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
D=$ROOT/tests/bench/rt
WELD=$ROOT/build/weld record=
for a in "$@"; do case $a in --record) record=1 ;; *) WELD=$a ;; esac; done
BASE=$D/callgrind.txt
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
if ! command -v valgrind >/dev/null 2>&1; then echo "== callgrind: valgrind is not installed"; exit 0; fi
# program and argument: smaller than the timed runs, callgrind runs about 50 times slower
PROGS="fib:30 crc32:50 hash:50"
echo "== interpreter instructions (callgrind Ir, whole run of weld run --invoke bench N)"
printf '%-10s %16s %16s %8s\n' program recorded now ratio
status=0
: > "$T/new"
for p in $PROGS; do
  n=${p%%:*} arg=${p#*:}
  if ! valgrind --tool=callgrind --callgrind-out-file="$T/cg" "$WELD" run "$D/$n.wasm" --invoke bench "$arg" \
       >"$T/out" 2>"$T/err"; then
    echo "$n: weld run under valgrind failed: $(tail -n 3 "$T/err")"; status=1; continue
  fi
  ir=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$T/cg")
  [ -n "$ir" ] || { echo "$n: no summary in callgrind's output"; status=1; continue; }
  echo "$n $arg $ir" >> "$T/new"
  old=$(awk -v n="$n" -v a="$arg" '$1 == n && $2 == a { print $3 }' "$BASE" 2>/dev/null)
  if [ -n "$old" ]; then
    printf '%-10s %16s %16s %7.3fx\n' "$n($arg)" "$old" "$ir" "$(echo "$ir / $old" | bc -l)"
  else
    printf '%-10s %16s %16s %8s\n' "$n($arg)" - "$ir" -
  fi
done
[ -f "$BASE" ] && sed -n 's/^# recorded at /   (recorded at /p' "$BASE" | sed 's/$/)/'
if [ -n "$record" ] && [ "$status" = 0 ]; then
  { echo "# recorded at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown) by tests/bench/rt/callgrind.sh --record"
    echo "# program argument Ir"
    cat "$T/new"; } > "$BASE.tmp" && mv "$BASE.tmp" "$BASE"
  echo "recorded in $BASE"
fi
exit $status
