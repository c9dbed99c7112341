#!/bin/bash
# Interop corpus (tests/corpus/collect.sh): for every file,
#   - `weld parse` writes it back byte for byte, and `weld parse --check` finds the tree
#     read back equal to the first;
#   - `weld print` prints exactly what the reference printer (jco print) prints.
# One TAP line per file and check. Reference prints are cached by content hash in
# $WELD_CACHE/ref-print. Known differences are listed, with their reason, in
# tests/corpus/known-differences.txt (lines "CHECK BASENAME REASON") and reported as SKIP.
# Set WELD_CORPUS=0 to leave the corpus out (it needs node and npm the first time).
. "$WELD_ROOT/tests/tap.sh"
if [ "${WELD_CORPUS:-1}" = 0 ]; then
  skip "interop corpus" "WELD_CORPUS=0"
  tap_bail
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  skip "interop corpus" "node and npm are not installed"
  tap_bail
fi
if [ -n "$WELD_CORPUS_LIST" ]; then list=$(cat "$WELD_CORPUS_LIST")
else list=$(bash "$WELD_ROOT/tests/corpus/collect.sh" 2>"$T/collect.err"); fi || {
  fail "collect the interop corpus" "$(tail -20 "$T/collect.err")"
  tap_bail
}
source "$WELD_ROOT/fixtures/tools/npm-tools.sh"
REF=$WELD_CACHE/ref-print-v2
mkdir -p "$REF"
KNOWN="$WELD_ROOT/tests/corpus/known-differences.txt"
known() { [ -f "$KNOWN" ] && grep -m1 "^$1 $2 " "$KNOWN" | cut -d' ' -f3-; }

# reference prints for files not seen before, in one node process
: > "$T/todo"
for f in $list; do
  h=$(sha256sum "$f" | cut -c1-32)
  [ -f "$REF/$h.wat" ] || [ -f "$REF/$h.wat.err" ] || printf '%s\t%s\n' "$f" "$REF/$h.wat" >> "$T/todo"
done
[ -s "$T/todo" ] && node "$WELD_ROOT/tests/tools/wasm-tools-batch.mjs" print < "$T/todo" 2>/dev/null

n=0 same=0 equal=0 reenc=0 printed=0
for f in $list; do
  b=$(basename "$f")
  n=$((n + 1))
  if "$WELD" parse "$f" -o "$T/out.wasm" 2>"$T/err" && cmp -s "$f" "$T/out.wasm"; then
    ok "round trip identical: $b"; same=$((same + 1))
  elif r=$(known roundtrip "$b") && [ -n "$r" ]; then skip "round trip identical: $b" "$r"
  else fail "round trip identical: $b" "$(head -3 "$T/err")"; fi
  if "$WELD" parse "$f" --check >"$T/out" 2>"$T/err"; then
    ok "round trip equal trees: $b"; equal=$((equal + 1))
  else fail "round trip equal trees: $b" "$(head -3 "$T/err" "$T/out")"; fi
  # every function body (nested modules' too) re-encoded from its decoded instructions:
  # byte-identical, or a fixed point of the writer where the input's encodings are not minimal
  if "$WELD" parse "$f" --reencode --check >"$T/out" 2>"$T/err" && grep -q "equal trees" "$T/out"; then
    ok "re-encoded round trip equal trees: $b"; reenc=$((reenc + 1))
  else fail "re-encoded round trip equal trees: $b" "$(head -3 "$T/err" "$T/out")"; fi
  h=$(sha256sum "$f" | cut -c1-32)
  if [ ! -f "$REF/$h.wat" ]; then
    skip "print as jco: $b" "the reference printer rejects it: $(head -1 "$REF/$h.wat.err" 2>/dev/null)"
  elif "$WELD" print "$f" -o "$T/out.wat" 2>"$T/err" && cmp -s "$REF/$h.wat" "$T/out.wat"; then
    ok "print as jco: $b"; printed=$((printed + 1))
  elif r=$(known print "$b") && [ -n "$r" ]; then skip "print as jco: $b" "$r"
  else
    fail "print as jco: $b" "$(diff "$REF/$h.wat" "$T/out.wat" 2>&1 | head -6; head -3 "$T/err")"
  fi
done
echo "# corpus: $n files; byte-identical round trip $same/$n; equal trees $equal/$n; re-encoded equal trees $reenc/$n; print identical to jco $printed/$n"
tap_done
