# weld run with SIMD: v128 arguments and results on the command line, and the programs of
# tests/bench/simd (clang-14 -O2 -msimd128, committed .wasm) give the same checksums as
# the same sources compiled natively with SSE2 (gcc), on small inputs.
. "$WELD_ROOT/tests/tap.sh"
if ! command -v wat2wasm >/dev/null 2>&1; then
  skip "weld run with SIMD" "wat2wasm (wabt) is not installed"; tap_bail
fi
cat > "$T/m.wat" <<'W'
(module
  (func (export "add") (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
  (func (export "sum") (param v128) (result i32)
    (i32.add (i32x4.extract_lane 0 (local.get 0)) (i32x4.extract_lane 3 (local.get 0)))))
W
wat2wasm "$T/m.wat" -o "$T/m.wasm" || { fail "wat2wasm builds the test module"; tap_bail; }
out=$("$WELD" run "$T/m.wasm" --invoke add 0x00000004000000030000000200000001 0xff 2>&1)
[ "$out" = "v128:0x00000004000000030000000200000100" ] && ok "v128 arguments and result" \
  || fail "v128 arguments and result" "$out"
out=$("$WELD" run "$T/m.wasm" --invoke sum 0x7000000000000000000000000000000a 2>&1)
[ "$out" = "i32:1879048202" ] && ok "lane 0 is the low end of a v128 argument" \
  || fail "lane 0 is the low end of a v128 argument" "$out"
expect_fail "a v128 argument of the wrong form is a usage error" "is not a valid v128" \
  "$WELD" run "$T/m.wasm" --invoke sum 12

D=$WELD_ROOT/tests/bench/simd
case $(uname -m) in x86_64|i?86) sse2=1 ;; *) sse2= ;; esac
for b in "blur 3" "matmul 2" "dot 50"; do
  set -- $b
  if [ -z "$sse2" ] || ! command -v gcc >/dev/null 2>&1; then
    skip "$1.wasm agrees with native SSE2" "needs gcc on x86"; continue
  fi
  if ! gcc -O2 -std=c11 -msse2 "$D/native_main.c" "$D/$1.c" -o "$T/$1" 2>"$T/cc.err"; then
    fail "$1: native build" "$(cat "$T/cc.err")"; continue
  fi
  n=$("$T/$1" "$2" 2>/dev/null); w=$("$WELD" run "$D/$1.wasm" --invoke bench "$2" 2>&1)
  [ -n "$n" ] && [ "$n" = "$w" ] && ok "$1.wasm ($2 rounds) agrees with native SSE2: $w" \
    || fail "$1.wasm ($2 rounds) agrees with native SSE2" "native $n, weld $w"
done
tap_done
