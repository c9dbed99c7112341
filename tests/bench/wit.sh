#!/bin/sh
# Resolving and printing all of wit/ (the WASI 0.2 packages) must take well under 20 ms.
# WIT_BENCH_DIR overrides the package directory.
WELD=${1:-build/weld}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIR=${WIT_BENCH_DIR:-$ROOT/wit}
if [ ! -d "$DIR" ]; then
  echo "bench wit: skipped: no WIT packages in $DIR"
  exit 0
fi
out=$("$WELD" wit "$DIR" --time --repeat 100 2>&1 >/dev/null) || { echo "bench wit: $out"; exit 1; }
ms=$(echo "$out" | sed -n 's/.*: \([0-9.]*\) ms each.*/\1/p')
cpu=$(echo "$out" | sed -n 's/.* \([0-9.]*\) ms of CPU time each.*/\1/p')
echo "bench wit: resolve + print of $DIR: $ms ms wall, $cpu ms CPU (limit 20 ms)"
echo "  $out"
# the limit holds for the CPU time (wall time also counts other processes on a busy machine)
awk -v m="$cpu" 'BEGIN { exit !(m < 20) }'
