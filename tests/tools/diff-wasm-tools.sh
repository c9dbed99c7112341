#!/usr/bin/env bash
# diff-wasm-tools.sh: weld validate against `wasm-tools validate` (the reference,
# wasmparser) on every component binary of the repository's fixtures, the real components
# of $WELD_REALWORLD_DIR and the generated limit cases of tests/tools/gen-type-limits.c,
# both with wasmparser's default features (FEATURES="all" for every feature on both sides).
# Prints each disagreement (verdict, or message and offset) and the counts; exits 1 when
# any verdict differs. Not part of `make check` (needs wasm-tools: cargo install
# wasm-tools). Run by `make diff-wasm-tools`.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WELD=${WELD:-$ROOT/build/weld}
WASM_TOOLS=${WASM_TOOLS:-$(command -v wasm-tools || echo "$HOME/.cargo/bin/wasm-tools")}
REAL=${WELD_REALWORLD_DIR:-${WELD_CACHE:-$HOME/.cache/weld}/realworld-out}
[ -x "$WASM_TOOLS" ] || { echo "diff-wasm-tools: wasm-tools not found (cargo install wasm-tools --locked)" >&2; exit 2; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
wf=() ; ww=()
if [ "${FEATURES:-}" = all ]; then wf=(--features all); ww=(--features all); fi
${CC:-cc} -std=c11 -O2 -o "$tmp/gen" "$ROOT/tests/tools/gen-type-limits.c" || exit 2
for a in "instances 18" "instances 19" "instances 28" "bulk 200000" "bulk-over 200000" "depth 98" "depth 99" "depth 100"; do
  "$tmp/gen" $a > "$tmp/gen-${a// /-}.wasm"
done
files=$( { ls "$ROOT"/fixtures/components-invalid/*.wasm "$ROOT"/fixtures/validate-rules/*.wasm \
  "$ROOT"/fixtures/components/*.wasm "$ROOT"/fixtures/demo/*.wasm "$ROOT"/fixtures/ctypes/*.wasm \
  "$tmp"/gen-*.wasm; find "$REAL" -name '*.wasm' 2>/dev/null; } 2>/dev/null )
total=0 same_verdict=0 same_msg=0 differ=0
for f in $files; do
  # components only (layer 1 in the preamble)
  [ "$(od -An -tx1 -j4 -N4 "$f" 2>/dev/null | tr -d ' ')" = 0d000100 ] || continue
  total=$((total + 1))
  w=$("$WELD" validate "${wf[@]}" "$f" 2>&1 >/dev/null | sed -E 's/^weld: error: .*: offset (0x[0-9a-f]+): (.*)$/\2 (at offset \1)/')
  # wasm-tools prints the context and the cause on separate lines: joined with a space
  r=$("$WASM_TOOLS" validate "${ww[@]}" "$f" 2>&1 | sed 's/^error: //' | tr '\n' ' ' | sed 's/ *$//')
  if [ -z "$w" ] && [ -z "$r" ]; then same_verdict=$((same_verdict + 1)); same_msg=$((same_msg + 1))
  elif [ -n "$w" ] && [ -n "$r" ]; then
    same_verdict=$((same_verdict + 1))
    if [ "$w" = "$r" ]; then same_msg=$((same_msg + 1)); else echo "MESSAGE ${f#$ROOT/}: weld: $w | wasm-tools: $r"; fi
  else
    differ=$((differ + 1))
    echo "VERDICT ${f#$ROOT/}: weld: ${w:-valid} | wasm-tools: ${r:-valid}"
  fi
done
echo "components: $total; same verdict: $same_verdict; same message and offset: $same_msg; verdicts differ: $differ"
[ "$differ" -eq 0 ]
