# weld run --invoke: results, traps with backtraces, fuel, memory limit, usage errors.
. "$WELD_ROOT/tests/tap.sh"
if ! command -v wat2wasm >/dev/null 2>&1; then
  skip "weld run" "wat2wasm (wabt) is not installed"; tap_bail
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
wat2wasm --debug-names "$T/m.wat" -o "$T/m.wasm" || { fail "wat2wasm builds the test module"; tap_bail; }

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
expect_fail "a module without _start (and no --invoke) is an error" "no exported function \"_start\"" "$WELD" run "$T/m.wasm"

# WASI commands: _start, proc_exit, traps, link errors, bad guest pointers, --invoke with WASI
cat > "$T/w.wat" <<'W'
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\n")
  (func $write (param $iov i32) (result i32)
    (call $fd_write (i32.const 1) (local.get $iov) (i32.const 1) (i32.const 0)))
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
    (drop (call $write (i32.const 0)))
    (call $exit (i32.const 42)))
  (func (export "efault") (result i32)
    (i32.store (i32.const 0) (i32.const 65534)) (i32.store (i32.const 4) (i32.const 3))
    (call $write (i32.const 0)))
  (func (export "efault_iov") (result i32) (call $write (i32.const 65532)))
  (func (export "badf") (result i32)
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
    (call $fd_write (i32.const 77) (i32.const 0) (i32.const 1) (i32.const 8))))
W
cat > "$T/t.wat" <<'W'
(module (func $inner unreachable) (func (export "_start") (call $inner)))
W
cat > "$T/u.wat" <<'W'
(module (import "env" "host_thing" (func (param i32))) (func (export "_start")))
W
cat > "$T/v.wat" <<'W'
(module (import "wasi_snapshot_preview1" "no_such_call" (func)) (func (export "_start")))
W
cat > "$T/x.wat" <<'W'
(module (import "wasi_snapshot_preview1" "fd_write" (func (param i64))) (func (export "_start")))
W
for f in w t u v x; do wat2wasm --debug-names "$T/$f.wat" -o "$T/$f.wasm" || fail "wat2wasm $f.wat"; done
out=$("$WELD" run "$T/w.wasm" 2>"$T/err"); rc=$?
[ "$out" = hi ] && [ $rc = 42 ] && ok "_start writes through fd_write and exits with proc_exit's code" ||
  fail "_start writes through fd_write and exits with proc_exit's code" "rc=$rc out=$out $(cat "$T/err")"
"$WELD" run "$T/t.wasm" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 134 ] && grep -q "trap: unreachable" "$T/err" && grep -q "#0 inner" "$T/err" &&
  ok "a trap in _start prints message and backtrace and exits 134" ||
  fail "a trap in _start prints message and backtrace and exits 134" "rc=$rc $(cat "$T/err")"
expect_fail "an import outside WASI is a link error naming it" '"env" "host_thing"' "$WELD" run "$T/u.wasm"
expect_fail "an unknown WASI function is a link error naming it" '"wasi_snapshot_preview1" "no_such_call"' "$WELD" run "$T/v.wasm"
expect_fail "a WASI import of the wrong type is a link error" "incompatible import type" "$WELD" run "$T/x.wasm"
out=$("$WELD" run "$T/w.wasm" --invoke efault 2>&1)
[ "$out" = "i32:21" ] && ok "a buffer out of bounds gives EFAULT (21)" || fail "a buffer out of bounds gives EFAULT (21)" "$out"
out=$("$WELD" run "$T/w.wasm" --invoke efault_iov 2>&1)
[ "$out" = "i32:21" ] && ok "an iovec array out of bounds gives EFAULT" || fail "an iovec array out of bounds gives EFAULT" "$out"
out=$("$WELD" run "$T/w.wasm" --invoke badf 2>&1)
[ "$out" = "i32:8" ] && ok "an unknown descriptor gives EBADF (8)" || fail "an unknown descriptor gives EBADF (8)" "$out"
tap_done
