#!/bin/bash
# WIT against the reference tools (jco's wasm-tools):
#  - world extraction: for every component of the interop corpus (jco's and
#    componentize-js's, ../shared/realworld's, fixtures/), `weld wit C.wasm` prints exactly
#    what `jco wit C.wasm` prints; components jco cannot read are reported as SKIP;
#  - WIT packages as binaries: for every world of every package of wit/, fixtures/wit and
#    the demo, the reference tools build the same component from `weld wit --wasm`'s
#    binary as from the WIT text (`jco wit` itself refuses package binaries: "Unexpected
#    wit package"), so they read the same world from both.
# Known differences: tests/corpus/known-differences.txt ("wit BASENAME REASON").
. "$WELD_ROOT/tests/tap.sh"
if [ "${WELD_CORPUS:-1}" = 0 ]; then skip "WIT interop" "WELD_CORPUS=0"; tap_bail; fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  skip "WIT interop" "node and npm are not installed"; tap_bail
fi
if [ -n "$WELD_CORPUS_LIST" ]; then list=$(cat "$WELD_CORPUS_LIST")
else list=$(bash "$WELD_ROOT/tests/corpus/collect.sh" 2>"$T/collect.err"); fi || {
  fail "collect the interop corpus" "$(tail -20 "$T/collect.err")"; tap_bail
}
source "$WELD_ROOT/fixtures/tools/npm-tools.sh"
KNOWN="$WELD_ROOT/tests/corpus/known-differences.txt"
known() { [ -f "$KNOWN" ] && grep -m1 "^$1 $2 " "$KNOWN" | cut -d' ' -f3-; }

# 1. world extraction, components only
: > "$T/todo"; k=0
for f in $list; do
  od -An -tx1 -N8 "$f" | grep -q '0d 00 01 00' || continue
  # invalid on purpose (tests/cli/validate_components.sh checks weld rejects them)
  case "$f" in */components-invalid/*) continue ;; esac
  k=$((k + 1)); printf '%s\t%s\n' "$f" "$T/ref$k.wit" >> "$T/todo"
done
node "$WELD_ROOT/tests/tools/wasm-tools-batch.mjs" wit < "$T/todo" 2>/dev/null
n=0 same=0 k=0
while IFS=$'\t' read -r f ref; do
  b=$(basename "$f"); k=$((k + 1))
  if [ -f "$ref.err" ]; then skip "wit as jco: $b" "jco wit rejects it: $(head -1 "$ref.err" | cut -c1-120)"; continue; fi
  n=$((n + 1))
  if "$WELD" wit "$f" > "$T/out.wit" 2>"$T/err" && cmp -s "$ref" "$T/out.wit"; then
    ok "wit as jco: $b"; same=$((same + 1))
  elif r=$(known wit "$b") && [ -n "$r" ]; then skip "wit as jco: $b" "$r"
  else fail "wit as jco: $b" "$(diff "$ref" "$T/out.wit" 2>&1 | head -6; head -3 "$T/err")"; fi
done < "$T/todo"
echo "# world extraction: weld wit identical to jco wit on $same/$n components jco reads"

# 2. packages encoded by weld read by the reference tools as the source
: > "$T/pk"; k=0
for src in "$WELD_ROOT"/fixtures/wit/*.wit "$WELD_ROOT/fixtures/wit/app" "$WELD_ROOT/wit" "$WELD_ROOT/fixtures/demo/wit"; do
  k=$((k + 1))
  if ! "$WELD" wit "$src" --wasm -o "$T/p$k.wasm" 2>"$T/err"; then fail "wit --wasm: $src" "$(cat "$T/err")"; continue; fi
  for w in $("$WELD" wit "$src" --main-only | sed -n 's/^world \([^ ]*\) {$/\1/p'); do
    printf '%s\t%s\t%s\n' "$T/p$k.wasm" "$w" "$T/p$k.$w.bin" >> "$T/pk"
    printf '%s\t%s\t%s\n' "$src" "$w" "$T/p$k.$w.txt" >> "$T/pk"
    echo "$k $w $src" >> "$T/pklist"
  done
done
node "$WELD_ROOT/tests/tools/wit-embed.mjs" < "$T/pk" 2>/dev/null
n=0 same=0
while read -r k w src; do
  n=$((n + 1)); b="$(basename "$src") $w"
  if [ -f "$T/p$k.$w.bin" ] && cmp -s "$T/p$k.$w.bin" "$T/p$k.$w.txt"; then ok "wit --wasm read as the source: $b"; same=$((same + 1))
  elif r=$(known wit-wasm "$(basename "$src"):$w") && [ -n "$r" ]; then skip "wit --wasm read as the source: $b" "$r"
  else fail "wit --wasm read as the source: $b" "$(cat "$T/p$k.$w.bin.err" 2>/dev/null | head -3; diff "$T/p$k.$w.txt" "$T/p$k.$w.bin" 2>&1 | head -6)"; fi
done < "$T/pklist"
echo "# packages: the reference tools read the same world from weld's binary as from the text for $same/$n worlds"
tap_done
