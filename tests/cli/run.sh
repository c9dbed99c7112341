# weld run --invoke: results, traps with backtraces, fuel, memory limit, usage errors.
. "$WELD_ROOT/tests/tap.sh"
if ! command -v wat2wasm >/dev/null 2>&1; then
  skip "weld run" "wat2wasm (wabt) is not installed"; exit 0
fi
cat > "$T/m.wat" <<'W'
(module
  (memory 1)
  (func $fib (export "fib") (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2))
      (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1)))
                     (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $div (export "div") (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))
  (func $via (export "via") (param i32) (result i32) (call $div (i32.const 1) (local.get 0)))
  (func (export "spin") (loop $l (br $l)))
  (func (export "count") (param $n i32) (result i32) (local $i i32)
    (loop $l
      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (local.get $i))
  (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
  (func (export "mix") (param i64 f64) (result f64 i64) (local.get 1) (local.get 0)))
W
wat2wasm --debug-names "$T/m.wat" -o "$T/m.wasm" || { fail "wat2wasm builds the test module"; exit 0; }

out=$("$WELD" run "$T/m.wasm" --invoke fib 20 2>&1)
[ "$out" = "i32:6765" ] && ok "fib 20 prints i32:6765" || fail "fib 20 prints i32:6765" "$out"
out=$("$WELD" run "$T/m.wasm" --invoke mix -5 2.5 2>&1)
[ "$out" = "$(printf 'f64:2.5\ni64:-5')" ] && ok "multiple results, one a line" || fail "multiple results, one a line" "$out"
expect_fail "a trap prints its message" "trap: integer divide by zero" "$WELD" run "$T/m.wasm" --invoke div 1 0
"$WELD" run "$T/m.wasm" --invoke via 0 2>"$T/err" >/dev/null
if grep -q '#0 div' "$T/err" && grep -q '#1 via' "$T/err"; then ok "the backtrace names the frames, innermost first"
else fail "the backtrace names the frames, innermost first" "$(cat "$T/err")"; fi
expect_fail "--fuel stops an endless loop" "all fuel consumed" "$WELD" run --fuel 100000 "$T/m.wasm" --invoke spin
# count 1000: 1000 loop iterations of 7 instructions, then 1 (local.get)
out=$("$WELD" run --fuel 7001 "$T/m.wasm" --invoke count 1000 2>&1)
[ "$out" = "i32:1000" ] && ok "--fuel with exactly the instructions executed runs" || fail "--fuel with exactly the instructions executed runs" "$out"
expect_fail "--fuel one block short traps" "all fuel consumed" "$WELD" run --fuel 7000 "$T/m.wasm" --invoke count 1000
expect_fail "--fuel one loop iteration short traps" "all fuel consumed" "$WELD" run --fuel 6994 "$T/m.wasm" --invoke count 1000
out=$("$WELD" run --max-memory 128K "$T/m.wasm" --invoke grow 1 2>&1)
[ "$out" = "i32:1" ] && ok "memory grows within --max-memory" || fail "memory grows within --max-memory" "$out"
out=$("$WELD" run --max-memory 128K "$T/m.wasm" --invoke grow 2 2>&1)
[ "$out" = "i32:-1" ] && ok "memory.grow past --max-memory fails with -1" || fail "memory.grow past --max-memory fails with -1" "$out"
expect_fail "a wrong argument count is a usage error" "takes 1 argument" "$WELD" run "$T/m.wasm" --invoke fib
expect_fail "an argument of the wrong form is a usage error" "is not a valid i32" "$WELD" run "$T/m.wasm" --invoke fib x
expect_fail "an unknown export is an error" 'no exported function "nope"' "$WELD" run "$T/m.wasm" --invoke nope
expect_fail "--invoke is required" "missing --invoke" "$WELD" run "$T/m.wasm"
