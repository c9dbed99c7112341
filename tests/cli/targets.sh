# weld targets: a component against a WIT world (fixtures/targets, built by its build.sh).
. "$WELD_ROOT/tests/tap.sh"
F="$FIX/targets"

expect_ok "a component built for the world conforms" "$WELD" targets "$F/calc.wasm" --wit "$F/wit" --world calc
grep -q 'conforms to world `calc`' "$T/out" && ok "conformance is reported" || fail "conformance is reported" "$(cat "$T/out")"
expect_ok "a world named by its full id" "$WELD" targets "$F/calc.wasm" --wit "$F/wit" --world fixture:targets/calc@0.1.0

"$WELD" targets "$F/calc-no-export.wasm" --wit "$F/wit" --world calc > "$T/out" 2>"$T/err"
if [ $? = 1 ] && grep -qx 'missing export: world `calc` has `export fixture:targets/math@0.1.0;`, the component does not export it' "$T/out"; then
  ok "a missing export is named in WIT terms"
else fail "a missing export is named in WIT terms" "$(cat "$T/out" "$T/err")"; fi

"$WELD" targets "$F/calc-more-imports.wasm" --wit "$F/wit" --world calc > "$T/out" 2>"$T/err"
if [ $? = 1 ] && grep -qx 'extra import: `import fixture:targets/net@0.1.0;`: world `calc` does not offer it' "$T/out"; then
  ok "an extra import is named in WIT terms"
else fail "an extra import is named in WIT terms" "$(cat "$T/out" "$T/err")"; fi

"$WELD" targets "$F/calc-other-types.wasm" --wit "$F/wit" --world calc > "$T/out" 2>"$T/err"
if [ $? = 1 ] && grep -q 'fixture:targets/math@0.1.0.*record field `a` expected primitive `u32` found primitive `u64`' "$T/out"; then
  ok "a type mismatch names the export, the field and both types"
else fail "a type mismatch names the export, the field and both types" "$(cat "$T/out" "$T/err")"; fi

# the world with more imports accepts the component built for calc (imports are a subset)
expect_ok "imports may be a subset of the world's" "$WELD" targets "$F/calc.wasm" --wit "$F/wit" --world calc-more-imports
# a world with fewer exports than the component has
expect_ok "exports may be a superset of the world's" "$WELD" targets "$F/calc.wasm" --wit "$F/wit" --world calc-no-export

# WASI 0.2: imported interfaces with resources
expect_ok "a WASI command conforms to wasi:cli's command world" "$WELD" targets "$F/command.wasm" --wit "$WELD_ROOT/wit" --world command
"$WELD" targets "$F/calc.wasm" --wit "$WELD_ROOT/wit" --world command > "$T/out" 2>"$T/err"
if [ $? = 1 ] && grep -q '^extra import: `import fixture:targets/log@0.1.0;`' "$T/out" &&
   grep -q '^missing export: world `command` has `export wasi:cli/run@0.2.12;`' "$T/out"; then
  ok "every extra import and missing export is listed"
else fail "every extra import and missing export is listed" "$(cat "$T/out" "$T/err")"; fi
RW=${WELD_REALWORLD_DIR:-}
if [ -f "$RW/hello-cmd.wasm" ]; then
  expect_ok "the C wasi:cli command of ../shared/realworld conforms" "$WELD" targets "$RW/hello-cmd.wasm" --wit "$WELD_ROOT/wit" --world command
else skip "the C wasi:cli command of ../shared/realworld conforms" "realworld components not built (WELD_REALWORLD_DIR)"; fi

# usage and input errors
expect_fail "several worlds need --world" "choose one with --world" "$WELD" targets "$F/calc.wasm" --wit "$F/wit"
expect_fail "an unknown world" "not found" "$WELD" targets "$F/calc.wasm" --wit "$F/wit" --world nope
expect_fail "missing --wit" "missing --wit" "$WELD" targets "$F/calc.wasm"
printf 'package a:b;\nworld w { import x: func() }\n' > "$T/bad.wit"
expect_fail "a WIT error shows file:line:col" 'bad.wit:2:' "$WELD" targets "$F/calc.wasm" --wit "$T/bad.wit"
printf '\0asm\1\0\0\0' > "$T/core.wasm"
expect_fail "a core module is not a component" "not a component" "$WELD" targets "$T/core.wasm" --wit "$F/wit" --world calc
tap_done
