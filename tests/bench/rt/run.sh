#!/bin/bash
# Interpreter benchmark: each tests/bench/rt/NAME.c is built natively (clang-14 -O2, else
# cc -O2) and its committed NAME.wasm (build.sh, clang-14 -O2 wasm32-wasi) is run by
# `weld run`; both call bench(N) and print its checksum, which must agree. Reports the CPU
# time of each (the best of $BENCH_REPS runs, default 3), their ratio, and the geometric
# mean of the ratios. Exits 1 when a checksum differs or a run fails.
# usage: tests/bench/rt/run.sh [WELD]
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
WELD=${1:-$ROOT/build/weld}
D=$(cd "$(dirname "$0")" && pwd)
REPS=${BENCH_REPS:-3}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CC_NATIVE=cc
command -v clang-14 >/dev/null && CC_NATIVE=clang-14
# program and its argument (sized for about 0.1 s of native CPU time)
PROGS="fib:38 sieve:40 nbody:2000000 mandel:1000 hash:1000 qsort:6 memmove:1000000
vm:40000 matmul:200 crc32:1000 sort_hash:100"
secs() { sed -n 's/.*: \([0-9.]*\) s CPU.*/\1/p' "$1"; }
best() { # best CPU time of REPS runs of "$@"; the output of the last run in $T/out
  local b="" t
  for _ in $(seq "$REPS"); do
    "$@" >"$T/out" 2>"$T/err" || { cat "$T/err" >&2; return 1; }
    t=$(secs "$T/err")
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  echo "$b"
}
echo "== interpreter: CPU seconds, best of $REPS ($CC_NATIVE -O2 native vs weld run)"
printf '%-10s %10s %10s %8s\n' program native weld ratio
status=0 logsum=0 count=0
for p in $PROGS; do
  n=${p%%:*} arg=${p#*:}
  if ! $CC_NATIVE -O2 -I"$D" "$D/native_main.c" "$D/$n.c" -o "$T/$n" -lm; then
    echo "$n: native build failed"; status=1; continue
  fi
  nt=$(best "$T/$n" "$arg") || { echo "$n: native run failed"; status=1; continue; }
  cp "$T/out" "$T/native.out"
  wt=$(best "$WELD" run --time "$D/$n.wasm" --invoke bench "$arg") || { echo "$n: weld run failed"; status=1; continue; }
  if ! cmp -s "$T/native.out" "$T/out"; then
    echo "$n: checksums differ: native $(cat "$T/native.out"), weld $(cat "$T/out")"; status=1; continue
  fi
  [ "$(echo "$nt > 0" | bc -l)" = 1 ] || nt=0.001
  r=$(echo "$wt / $nt" | bc -l)
  logsum=$(echo "$logsum + l($r)" | bc -l); count=$((count + 1))
  printf '%-10s %10.3f %10.3f %7.2fx\n' "$n" "$nt" "$wt" "$r"
done
[ $count -gt 0 ] && printf '%-10s %10s %10s %7.2fx  (%d programs)\n' geomean "" "" "$(echo "e($logsum / $count)" | bc -l)" $count
exit $status
