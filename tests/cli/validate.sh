# weld validate: valid, invalid and malformed modules, usage errors, and the large real
# modules jco and componentize-js ship (when installed).
. "$WELD_ROOT/tests/tap.sh"
# (func (result i32) i32.const 1)
printf '\000asm\001\000\000\000\001\005\001\140\000\001\177\003\002\001\000\012\006\001\004\000\101\001\013' > "$T/ok.wasm"
# (func (result i32) f64.const 0) : a type mismatch at the end, offset 0x21
printf '\000asm\001\000\000\000\001\005\001\140\000\001\177\003\002\001\000\012\015\001\013\000\104\000\000\000\000\000\000\000\000\013' > "$T/bad.wasm"
# truncated
printf '\000asm\001\000\000\000\001\005\001\140' > "$T/short.wasm"

expect_ok "a valid module is accepted" "$WELD" validate "$T/ok.wasm"
if "$WELD" validate -v "$T/ok.wasm" | grep -q 'valid (27 bytes, 1 functions'; then
  ok "--verbose prints a summary"; else fail "--verbose prints a summary"; fi
expect_fail "a type mismatch names the function, offset and rule" \
  'func 0 at 0x21: type mismatch: expected i32 on the stack, found f64' "$WELD" validate "$T/bad.wasm"
"$WELD" validate "$T/bad.wasm" 2>/dev/null; rc=$?
[ "$rc" -eq 1 ] && ok "an invalid module exits 1" || fail "an invalid module exits 1" "exit $rc"
expect_fail "a truncated module is malformed" "unexpected end" "$WELD" validate "$T/short.wasm"
expect_fail "a missing file is an error" "cannot open" "$WELD" validate "$T/none.wasm"
"$WELD" validate 2>/dev/null; rc=$?
[ "$rc" -eq 2 ] && ok "no input is a usage error" || fail "no input is a usage error" "exit $rc"
expect_fail "an unknown option is a usage error" "unknown option" "$WELD" validate --frob "$T/ok.wasm"

# large real modules: all must validate
n=0
NM=${JCO_HOME:-/nonexistent}/node_modules
for f in "$NM"/@bytecodealliance/componentize-js/lib/starlingmonkey_embedding.wasm \
         "$NM"/@bytecodealliance/jco-transpile/vendor/wasm-tools.core.wasm \
         "$NM"/@bytecodealliance/jco/lib/wasi_snapshot_preview1.command.wasm; do
  if [ -f "$f" ]; then
    expect_ok "real module $(basename "$f") validates" "$WELD" validate "$f"
    n=$((n + 1))
  fi
done
[ "$n" -gt 0 ] || skip "real modules validate" "jco's node_modules are not installed (interop corpus: see tests/run.sh)"
tap_done
