#!/bin/bash
# Composing a chain of 10, 100 and 1,000 small components (distinct definitions, each
# importing the previous link's interface and exporting its own) with `weld compose` from a
# generated spec: the whole command (read, spec, link, type checks, encode, validate).
# The 1,000 chain must take under 1 s, and time must grow linearly (CPU time, best of 3).
WELD=${1:-build/weld}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TEMPLATE="$ROOT/fixtures/compose/link.wasm"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C
# gen N: $tmp/N/link-XXXX.wasm and $tmp/N/chain.yaml
gen() {
  n=$1 d="$tmp/$1"
  mkdir -p "$d"
  {
    echo "components:"
    for ((i = 1; i <= n; i++)); do printf '  l%d: link-%04d.wasm\n' "$i" "$i"; done
    echo "instances:"
    echo "  l1: { component: l1 }"
    for ((i = 2; i <= n; i++)); do
      printf '  l%d: { component: l%d, args: { "t:chain/s%04d@0.1.0": l%d } }\n' "$i" "$i" "$((i - 1))" "$((i - 1))"
    done
    printf 'exports: [l%d/t:chain/s%04d@0.1.0]\n' "$n" "$n"
    echo "options: { auto-plug: false }"
  } > "$d/chain.yaml"
  for ((i = 1; i <= n; i++)); do
    sed "s/s0001/s$(printf %04d "$i")/; s/s0000/s$(printf %04d $((i - 1)))/" "$TEMPLATE" > "$d/link-$(printf %04d "$i").wasm"
  done
}
# cpu N: the best CPU time (user + sys, seconds) of 3 runs of the composition
cpu() {
  best=
  for r in 1 2 3; do
    t=$( { /usr/bin/time -f '%U %S' "$WELD" compose "$tmp/$1/chain.yaml" -o "$tmp/$1/out.wasm" >/dev/null; } 2>&1 | tail -1 |
         awk '{ printf "%.3f", $1 + $2 }')
    [ -f "$tmp/$1/out.wasm" ] || { echo "bench compose: the $1 chain did not compose" >&2; return 1; }
    if [ -z "$best" ] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
  done
  echo "$best"
}
if [ ! -x /usr/bin/time ]; then
  # without GNU time: wall clock through bash
  cpu() {
    s=$(date +%s%N); "$WELD" compose "$tmp/$1/chain.yaml" -o "$tmp/$1/out.wasm" >/dev/null || return 1
    e=$(date +%s%N); awk -v n=$((e - s)) 'BEGIN { printf "%.3f", n / 1e9 }'
  }
fi
status=0
declare -A T
for n in 10 100 1000; do
  gen "$n"
  T[$n]=$(cpu "$n") || { status=1; continue; }
  size=$(stat -c %s "$tmp/$n/out.wasm")
  printf 'bench compose: chain of %4d components: %6.3f s CPU (%d bytes out)\n' "$n" "${T[$n]}" "$size"
done
[ $status -eq 0 ] || exit 1
awk -v a="${T[100]}" -v b="${T[1000]}" 'BEGIN {
  printf "  1000 chain / 100 chain: %.1fx (linear: 10x)\n", (a > 0 ? b / a : 0) }'
# the limit: the 1,000 chain under 1 s; growth: 1000 vs 100 within 20x (linear with noise)
awk -v t="${T[1000]}" 'BEGIN { exit !(t < 1.0) }' || { echo "bench compose: the 1,000 chain took ${T[1000]} s (limit 1 s)"; exit 1; }
awk -v a="${T[100]}" -v b="${T[1000]}" 'BEGIN { exit !(b <= 20 * (a > 0.01 ? a : 0.01)) }' ||
  { echo "bench compose: growth from 100 to 1,000 is not linear"; exit 1; }
