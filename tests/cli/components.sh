# weld parse/dump on components: byte-identical round trips of every fixture (and of the
# real components when they have been built), nested modules in dumps, and malformed inputs
# rejected with their offset.
. "$WELD_ROOT/tests/tap.sh"
C="$FIX/components"
for w in "$C"/*.wasm; do
  b=$(basename "$w" .wasm)
  if "$WELD" parse "$w" -o "$T/$b.wasm" 2>"$T/err" && cmp -s "$w" "$T/$b.wasm"; then
    ok "parse round trip of $b is byte-identical"
  else
    fail "parse round trip of $b is byte-identical" "$(cat "$T/err")"
  fi
  if "$WELD" parse "$w" --check >"$T/out" 2>&1 && grep -q "identical bytes, equal trees" "$T/out"; then
    ok "parse --check $b: equal trees"
  else
    fail "parse --check $b: equal trees" "$(cat "$T/out")"
  fi
  if "$WELD" parse "$w" --reencode --check >"$T/out" 2>&1 && grep -q "equal trees" "$T/out"; then
    ok "parse --reencode --check $b: equal trees"
  else
    fail "parse --reencode --check $b: equal trees" "$(cat "$T/out")"
  fi
done

# the dump lists sections and, recursively, nested components and modules
if "$WELD" dump "$C/link.wasm" >"$T/dump" 2>"$T/err" &&
   grep -q '^  component 0 at 0x' "$T/dump" &&
   grep -q '^    core module 0 at 0x.*5 exports' "$T/dump" &&
   grep -q '^      export "m" memory 0' "$T/dump" &&
   grep -q '^  import "\[method\]counter.bump" func' "$T/dump"; then
  ok "dump shows nested components and modules with their imports and exports"
else
  fail "dump shows nested components and modules with their imports and exports" "$(cat "$T/dump" "$T/err")"
fi
if "$WELD" dump --json "$C/link.wasm" >"$T/dump.json" 2>"$T/err" &&
   grep -q '"kind": "core module"' "$T/dump.json" && grep -q '"section": "component"' "$T/dump.json"; then
  ok "dump --json shows nested modules"
else
  fail "dump --json shows nested modules" "$(cat "$T/err")"
fi

# malformed inputs: an error naming the offset, and a non-zero exit
head -c 300 "$C/link.wasm" > "$T/truncated.wasm"
expect_fail "truncated component is rejected with its offset" "offset 0x" \
  "$WELD" parse "$T/truncated.wasm" -o "$T/x.wasm"
printf '\000asm\015\000\001\000\015\000' > "$T/badid.wasm"
expect_fail "unknown section id is rejected" "offset 0x8: unknown section id 13" \
  "$WELD" dump "$T/badid.wasm"
printf '\000asm\015\000\001\000\007\200\200\200\200\200' > "$T/badleb.wasm"
expect_fail "bad LEB128 section size is rejected" "offset 0x9: type section" \
  "$WELD" dump "$T/badleb.wasm"
printf '\000asm\015\000\001\000\001\012\000asm\001\000\000\000\040\000' > "$T/badmod.wasm"
expect_fail "an error in a nested module names its file offset" "offset 0x12" \
  "$WELD" parse "$T/badmod.wasm" --check
[ -f "$T/x.wasm" ] && fail "no output file is left behind on error" || ok "no output file is left behind on error"

# real components built from several languages (built from ../shared/realworld into the interop corpus)
RW=${WELD_REALWORLD_DIR:-/nonexistent}
set -- "$RW"/*.wasm
if [ -f "$1" ]; then
  n=0 bad=""
  for w in "$@"; do
    case "$w" in *.core.wasm) continue ;; esac
    n=$((n + 1))
    "$WELD" parse "$w" -o "$T/rw.wasm" 2>>"$T/rwerr" && cmp -s "$w" "$T/rw.wasm" || bad="$bad $(basename "$w")"
    "$WELD" parse "$w" --reencode --check 2>>"$T/rwerr" | grep -q "equal trees" || bad="$bad $(basename "$w")(reencoded)"
  done
  [ -z "$bad" ] && ok "$n real components round-trip byte-identical (and to equal trees re-encoded)" || fail "real components round-trip byte-identical" "differ:$bad $(cat "$T/rwerr")"
else
  skip "real components round-trip byte-identical" "no components in $RW (the interop corpus builds them from ../shared/realworld: see tests/run.sh)"
fi
tap_done
