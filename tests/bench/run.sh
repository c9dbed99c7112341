#!/bin/bash
# `make bench`: throughput of weld's stages on the largest real files of the interop corpus
# (tests/corpus/collect.sh gathers them outside the repository). Figures are from one run on
# this machine: compare ratios, not absolute times.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
list=$(bash "$ROOT/tests/corpus/collect.sh")
# the corpus files of 2 MB and more, largest first
big=$(for f in $list; do printf '%s %s\n' "$(stat -c %s "$f")" "$f"; done | sort -rn | awk '$1 >= 2000000 {print $2}')
echo "== decode throughput (one core; framing = sections and bodies framed, decode = every instruction decoded)"
"$ROOT/$BUILD/bench_decode" $big
