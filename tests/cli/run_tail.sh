# weld run --invoke on tail calls: a return_call loop of 10^7 iterations and mutual
# recursion in constant stack (the same recursion with call exhausts it), a tail call to a
# WASI host function, exact fuel, backtraces, and the proposal named when a typed
# reference is refused.
. "$WELD_ROOT/tests/tap.sh"
if ! command -v wat2wasm >/dev/null 2>&1; then
  skip "weld run with tail calls" "wat2wasm (wabt) is not installed" 10; tap_bail
fi
cat > "$T/t.wat" <<'W'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (func $count (export "count") (param i64 i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else (return_call $count (i64.sub (local.get 0) (i64.const 1))
                                (i64.add (local.get 1) (i64.const 1))))))
  (func $count_call (export "count_call") (param i64 i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (local.get 1))
      (else (call $count_call (i64.sub (local.get 0) (i64.const 1))
                              (i64.add (local.get 1) (i64.const 1))))))
  (func $even (export "even") (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 1))
      (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
  (func $odd (param i64) (result i32)
    (if (result i32) (i64.eqz (local.get 0)) (then (i32.const 0))
      (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))
  (func $quit (export "quit") (param i32) (return_call $exit (local.get 0)))
  (func $boom (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func $tail (export "tail") (param i32) (result i32) (return_call $boom (local.get 0)))
  (func $outer (export "outer") (param i32) (result i32) (call $tail (local.get 0))))
W
wat2wasm --enable-tail-call --debug-names "$T/t.wat" -o "$T/t.wasm" ||
  { fail "wat2wasm builds the test module"; tap_bail; }

out=$("$WELD" run "$T/t.wasm" --invoke count 10000000 3 2>&1)
[ "$out" = "i64:10000003" ] && ok "a return_call loop of 10^7 iterations runs" ||
  fail "a return_call loop of 10^7 iterations runs" "$out"
out=$("$WELD" run "$T/t.wasm" --invoke even 10000001 2>&1)
[ "$out" = "i32:0" ] && ok "mutual recursion by return_call, 10^7 deep" ||
  fail "mutual recursion by return_call, 10^7 deep" "$out"
expect_fail "the same recursion with call exhausts the stack" "call stack exhausted" \
  "$WELD" run "$T/t.wasm" --invoke count_call 10000000 3
"$WELD" run "$T/t.wasm" --invoke quit 7 >/dev/null 2>&1
rc=$?
[ "$rc" = 7 ] && ok "a tail call to a WASI host function (proc_exit 7)" ||
  fail "a tail call to a WASI host function (proc_exit 7)" "exit code $rc"
# count n: 10 instructions an iteration (local.get, i64.eqz, if, then in the else arm
# local.get, i64.const, i64.sub, local.get, i64.const, i64.add, return_call), then 4
out=$("$WELD" run --fuel 10004 "$T/t.wasm" --invoke count 1000 0 2>&1)
[ "$out" = "i64:1000" ] && ok "--fuel with exactly the instructions a tail-call loop executes" ||
  fail "--fuel with exactly the instructions a tail-call loop executes" "$out"
expect_fail "--fuel one instruction short traps" "all fuel consumed" \
  "$WELD" run --fuel 10003 "$T/t.wasm" --invoke count 1000 0
expect_fail "a trap in a tail callee" "trap: integer divide by zero" \
  "$WELD" run "$T/t.wasm" --invoke outer 0
if grep -q '#0 boom' "$T/err" && grep -q '#1 outer' "$T/err" && ! grep -q 'tail' "$T/err"; then
  ok "the backtrace holds the tail callee in place of its caller"
else fail "the backtrace holds the tail callee in place of its caller" "$(cat "$T/err")"; fi

# a typed function reference (function-references proposal): refused, named
printf '\0asm\1\0\0\0\1\6\1\140\1\143\160\0' > "$T/fr.wasm"
expect_fail "a typed reference is refused naming function-references" \
  "0x63 (a typed reference of the function-references proposal: not supported)" \
  "$WELD" run "$T/fr.wasm" --invoke f
printf '\0asm\1\0\0\0\1\4\1\137\0\0' > "$T/gc.wasm"
expect_fail "a struct type is refused naming gc" "the gc proposal's: not supported" \
  "$WELD" run "$T/gc.wasm" --invoke f
tap_done
