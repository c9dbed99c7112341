#!/bin/bash
# `weld print` against the reference printer (jco print) on every binary `module` command of
# the core spec testsuite, one TAP line per .wast file. Uses the wast2json conversions that
# tests/spec/spec.sh caches in $WELD_BUILD/spec-json (it runs first) and the reference
# tools of the interop corpus (tests/run.sh); reference prints are cached by content hash
# in $WELD_CACHE/ref-print-v2.
. "$WELD_ROOT/tests/tap.sh"
JSON=$WELD_BUILD/spec-json
if [ ! -d "$JSON" ]; then skip "spec modules print as jco" "no wast2json output in $JSON"; tap_bail; fi
if [ -z "$JCO_HOME" ] || [ ! -d "$JCO_HOME/node_modules/@bytecodealliance/jco" ]; then
  skip "spec modules print as jco" "the reference tools are not installed (interop corpus: see tests/run.sh)"
  tap_bail
fi
REF=$WELD_CACHE/ref-print-v2
mkdir -p "$REF"
# the module files of each top-level .wast, with the hash of each
: > "$T/all"
for j in "$JSON"/*/*.json; do
  d=$(dirname "$j")
  grep '"type": "module"' "$j" | sed -n 's/.*"filename": "\([^"]*\.wasm\)".*/\1/p' |
    while read -r m; do printf '%s %s\n' "$(basename "$j" .json)" "$d/$m"; done >> "$T/all"
done
: > "$T/todo"
while read -r w f; do
  h=$(sha256sum "$f" | cut -c1-32)
  printf '%s %s %s\n' "$w" "$f" "$h" >> "$T/hashed"
  [ -f "$REF/$h.wat" ] || [ -f "$REF/$h.wat.err" ] || printf '%s\t%s\n' "$f" "$REF/$h.wat" >> "$T/todo"
done < "$T/all"
[ -s "$T/todo" ] && node "$WELD_ROOT/tests/tools/wasm-tools-batch.mjs" print < "$T/todo" 2>/dev/null
total=0 same=0
for w in $(cut -d' ' -f1 "$T/hashed" | sort -u); do
  n=0 good=0 first=""
  while read -r ww f h; do
    [ "$ww" = "$w" ] || continue
    n=$((n + 1))
    if [ -f "$REF/$h.wat" ] && "$WELD" print "$f" -o "$T/out.wat" 2>/dev/null && cmp -s "$REF/$h.wat" "$T/out.wat"; then
      good=$((good + 1))
    elif [ -z "$first" ]; then
      first="$(basename "$f"): $(diff "$REF/$h.wat" "$T/out.wat" 2>&1 | head -4 | tr '\n' ' ')"
    fi
  done < "$T/hashed"
  total=$((total + n)) same=$((same + good))
  if [ "$good" -eq "$n" ]; then ok "$w.wast: $good/$n modules print as jco"
  else fail "$w.wast: $good/$n modules print as jco" "$first"; fi
done
echo "# spec modules: $same/$total print identical to jco print"
tap_done
