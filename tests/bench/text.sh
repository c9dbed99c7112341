#!/bin/bash
# Reading the text format: a generated module of about 10 MB of WAT (folded and flat code,
# symbolic names, memory accesses, float and v128 literals), parsed and encoded once by
# `weld parse` and once by wabt's wat2wasm; prints each one's CPU time and MB/s.
WELD=${1:-build/weld}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
awk 'BEGIN {
  print "(module (memory 1) (global $g (mut i32) (i32.const 0))"
  for (i = 0; i < 20000; i++) {
    printf "(func $f%d (export \"f%d\") (param $a i32) (param $b i64) (result i32) (local $t f64)\n", i, i
    printf "  (local.set $t (f64.add (f64.const 0x1.8p3) (f64.convert_i64_s (local.get $b))))\n"
    printf "  (i32.store offset=16 align=4 (local.get $a) (i32.add (global.get $g) (i32.const %d)))\n", i
    printf "  block $out\n    local.get $a\n    br_if $out\n    v128.const i32x4 1 2 3 %d\n    drop\n  end\n", i
    printf "  (if (result i32) (i32.eqz (local.get $a))\n    (then (i32.load (i32.const 8)))\n"
    printf "    (else (call $f%d (i32.sub (local.get $a) (i32.const 1)) (local.get $b)))))\n", i
  }
  print ")"
}' > "$T/big.wat"
size=$(stat -c %s "$T/big.wat")
TIMEFORMAT=%U
w=$( { time "$WELD" parse "$T/big.wat" -o "$T/weld.wasm" >/dev/null 2>"$T/werr"; } 2>&1 )
if [ ! -s "$T/weld.wasm" ]; then echo "bench text: weld parse failed: $(cat "$T/werr")"; exit 1; fi
mbs() { awk -v s="$size" -v t="$1" 'BEGIN { if (t > 0) printf "%.1f", s / 1e6 / t; else print "inf" }'; }
echo "bench text: parse $((size / 1000)) KB of WAT: weld parse ${w}s CPU ($(mbs "$w") MB/s)"
if command -v wat2wasm >/dev/null 2>&1; then
  r=$( { time wat2wasm "$T/big.wat" -o "$T/wabt.wasm" >/dev/null 2>&1; } 2>&1 )
  same=differ; cmp -s "$T/weld.wasm" "$T/wabt.wasm" && same="are byte-identical"
  echo "  wat2wasm ${r}s CPU ($(mbs "$r") MB/s); the two outputs $same"
else
  echo "  wat2wasm: not installed (no comparison)"
fi
