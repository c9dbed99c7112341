#!/bin/bash
# Interpreter benchmark: each tests/bench/rt/NAME.c is built natively (clang-14 -O2, else
# cc -O2) and its committed NAME.wasm (build.sh, clang-14 -O2 wasm32-wasi) is run by
# `weld run`; both call bench(N) and print its checksum, which must agree. Reports the CPU
# time of each (the best of $BENCH_REPS runs, default 3), their ratio, and the geometric
# mean of the ratios. With WASM3= and/or IWASM= (binaries built by hand, outside the
# repository), a second table runs the same programs on weld, wasm3 and WAMR's iwasm, all
# timed as whole processes in the same run. Exits 1 when a checksum differs or a run fails.
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

# Other interpreters, when their binaries are given (built by hand outside the repository):
# WASM3=path/to/wasm3, IWASM=path/to/iwasm (WAMR, fast interpreter). Every engine is timed
# the same way here, as the CPU time of its whole process (loading included; the modules
# are small), best of $REPS, and its checksum checked against the native one.
ENGINES=""
[ -n "${WASM3:-}" ] && ENGINES="$ENGINES wasm3"
[ -n "${IWASM:-}" ] && ENGINES="$ENGINES iwasm"
[ -z "$ENGINES" ] && exit $status
proc_cpu() { # CPU seconds (user + system) of the whole process "$@"; its stdout in $T/out
  local TIMEFORMAT='%3U %3S' t
  t=$( { time "$@" >"$T/out" 2>"$T/err"; } 2>&1 ) || { cat "$T/err" >&2; return 1; }
  echo "$t" | awk '{ print $1 + $2 }'
}
best_proc() {
  local b="" t
  for _ in $(seq "$REPS"); do
    t=$(proc_cpu "$@") || return 1
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc -l)" = 1 ]; then b=$t; fi
  done
  echo "$b"
}
# the checksum an engine printed, as an unsigned 32-bit decimal
checksum() {
  case $1 in
    weld) v=$(sed -n 's/^i32:\(-\{0,1\}[0-9]*\)$/\1/p' "$T/out") ;;
    wasm3) v=$(cat "$T/out" "$T/err" | sed -n 's/^Result: \(-\{0,1\}[0-9]*\).*/\1/p') ;;
    iwasm) v=$(sed -n 's/^0x\([0-9a-fA-F]*\):i32$/\1/p' "$T/out"); [ -n "$v" ] && v=$((16#$v)) ;;
  esac
  [ -n "$v" ] && echo $(( (v % 4294967296 + 4294967296) % 4294967296 ))
}
echo "== interpreters side by side: CPU seconds of the whole process, best of $REPS, and the ratio to native"
printf '%-10s %8s' program native
for e in weld $ENGINES; do printf ' %8s %8s' "$e" ratio; done; echo
declare -A lsum cnt
for p in $PROGS; do
  n=${p%%:*} arg=${p#*:}
  [ -x "$T/$n" ] || continue
  nt=$(best "$T/$n" "$arg") || continue
  want=$(sed -n 's/^i32:\(-\{0,1\}[0-9]*\)$/\1/p' "$T/out"); want=$(( (want % 4294967296 + 4294967296) % 4294967296 ))
  [ "$(echo "$nt > 0" | bc -l)" = 1 ] || nt=0.001
  printf '%-10s %8.3f' "$n" "$nt"
  for e in weld $ENGINES; do
    case $e in
      weld) cmd=("$WELD" run "$D/$n.wasm" --invoke bench "$arg") ;;
      wasm3) cmd=("$WASM3" --func bench "$D/$n.wasm" "$arg") ;;
      iwasm) cmd=("$IWASM" -f bench "$D/$n.wasm" "$arg") ;;
    esac
    if ! t=$(best_proc "${cmd[@]}"); then printf ' %8s %8s' failed -; status=1; continue; fi
    got=$(checksum "$e")
    if [ "$got" != "$want" ]; then printf ' %8s %8s' "bad" "sum"; echo "$n: $e checksum ${got:-none}, native $want" >&2; status=1; continue; fi
    r=$(echo "$t / $nt" | bc -l)
    lsum[$e]=$(echo "${lsum[$e]:-0} + l($r)" | bc -l); cnt[$e]=$(( ${cnt[$e]:-0} + 1 ))
    printf ' %8.3f %7.2fx' "$t" "$r"
  done
  echo
done
printf '%-10s %8s' geomean ""
for e in weld $ENGINES; do
  if [ "${cnt[$e]:-0}" -gt 0 ]; then printf ' %8s %7.2fx' "" "$(echo "e(${lsum[$e]} / ${cnt[$e]})" | bc -l)"
  else printf ' %8s %8s' "" -; fi
done
echo
exit $status
