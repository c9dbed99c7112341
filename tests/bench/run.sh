#!/bin/bash
# `make bench`: throughput of weld's stages. Decoding is measured on the largest real
# files of the interop corpus (tests/corpus/collect.sh gathers them outside the
# repository); then every other tests/bench/*.sh runs with the weld binary as $1.
# Figures are from one run on this machine: compare ratios, not absolute times.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
WELD=${1:-$ROOT/$BUILD/weld}
status=0
if list=$(bash "$ROOT/tests/corpus/collect.sh"); then
  # the corpus files of 2 MB and more, largest first
  big=$(for f in $list; do printf '%s %s\n' "$(stat -c %s "$f")" "$f"; done | sort -rn | awk '$1 >= 2000000 {print $2}')
  echo "== decode throughput (one core; frame: sections and bodies framed; decode: every instruction decoded)"
  "$ROOT/$BUILD/bench_decode" $big || status=1
else
  echo "bench: the interop corpus could not be gathered (needs node and npm)"; status=1
fi
for b in "$ROOT"/tests/bench/*.sh; do
  [ "$(basename "$b")" = run.sh ] && continue
  bash "$b" "$WELD" || status=1
done
exit $status
