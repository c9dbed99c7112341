# weld parse and weld dump on core modules: round trips, --check, errors.
. "$WELD_ROOT/tests/tap.sh"
# (module (type (func (param i32) (result i32))) (func (type 0) local.get 0) (export "id" (func 0))
#  (memory 1) (data (i32.const 8) "hi"))
printf '\000asm\001\000\000\000\001\006\001\140\001\177\001\177\003\002\001\000\005\003\001\000\001\007\006\001\002id\000\000\012\006\001\004\000\040\000\013\013\010\001\000\101\010\013\002hi' > "$T/m.wasm"
expect_ok "parse writes a module" "$WELD" parse "$T/m.wasm" -o "$T/out.wasm"
if cmp -s "$T/m.wasm" "$T/out.wasm"; then ok "parse output is byte-identical"; else fail "parse output is byte-identical"; fi
expect_ok "parse --reencode writes a module" "$WELD" parse --reencode "$T/m.wasm" -o "$T/re.wasm"
if cmp -s "$T/m.wasm" "$T/re.wasm"; then ok "re-encoded output is byte-identical"; else fail "re-encoded output is byte-identical"; fi
"$WELD" parse --check "$T/m.wasm" > "$T/check" 2>&1
if grep -q "identical bytes, equal trees" "$T/check"; then ok "parse --check reports identical bytes"; else fail "parse --check reports identical bytes" "$(cat "$T/check")"; fi
# a padded (non-minimal) function count: equal trees, different bytes, exit 0
printf '\000asm\001\000\000\000\001\004\001\140\000\000\003\003\201\000\000\012\004\001\002\000\013' > "$T/pad.wasm"
"$WELD" parse --check "$T/pad.wasm" > "$T/check" 2>&1
if grep -q "bytes differ (non-minimal input encoding; the output is a fixed point), equal trees" "$T/check"; then
  ok "parse --check canonicalises a non-minimal input"
else fail "parse --check canonicalises a non-minimal input" "$(cat "$T/check")"; fi
"$WELD" dump "$T/m.wasm" > "$T/dump"
if grep -q "^code  *0x00000021 *6 *1" "$T/dump" && grep -q "^data " "$T/dump"; then ok "dump lists sections with offsets, sizes and counts"
else fail "dump lists sections with offsets, sizes and counts" "$(cat "$T/dump")"; fi
"$WELD" dump --json "$T/m.wasm" > "$T/dump.json"
if grep -q '"section": "export"' "$T/dump.json" && grep -q '"count": 1' "$T/dump.json"; then ok "dump --json"
else fail "dump --json" "$(cat "$T/dump.json")"; fi
# errors
printf '\000asm\001\000\000\000\001\004\001\140\000' > "$T/trunc.wasm"
expect_fail "truncated module is rejected with an offset" "offset 0x8: type section: section size 4: unexpected end" "$WELD" parse "$T/trunc.wasm" -o "$T/x.wasm"
[ -e "$T/x.wasm" ] && fail "no output on error" || ok "no output on error"
expect_fail "not a wasm file" "not a WebAssembly binary" "$WELD" dump "$T/dump"
expect_fail "missing -o" "missing -o" "$WELD" parse "$T/m.wasm"
"$WELD" parse "$T/m.wasm" >/dev/null 2>&1; [ $? -eq 2 ] && ok "usage errors exit 2" || fail "usage errors exit 2"
"$WELD" parse "$T/trunc.wasm" -o "$T/x.wasm" >/dev/null 2>&1; [ $? -eq 1 ] && ok "malformed input exits 1" || fail "malformed input exits 1"

# several name sections (one malformed): --reencode re-encodes only the decoded one
printf '\000\141\163\155\001\000\000\000\000\005\001\140\001\177\000\004\004\001\160\000\001\007\005\001\001\164\001\000\000\011\004\156\141\155\145\002\020\000\000\000\011\004\156\141\155\145\002\020\000\000\000\002\001\151\000\011\004\156\141\155\145\002\020\000\151\000\011\004\156\141\155\145\020\002\000\107' > "$T/names2.wasm"
if "$WELD" parse "$T/names2.wasm" --reencode --check > "$T/out" 2>&1 && grep -q "equal trees" "$T/out"; then
  ok "reencode keeps extra name sections as read"
else
  fail "reencode keeps extra name sections as read" "$(cat "$T/out")"
fi
tap_done
