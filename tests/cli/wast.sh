# weld wast and the text format reader: a small script run in full, errors with line:col,
# then every top-level .wast of the spec testsuite (${WELD_SPEC_DIR:-../shared/spec}, read in
# place) compared per file with the wast2json-based runner (build/tests/spec_runner on
# wast2json's output, cached in $WELD_BUILD/spec-json like tests/spec/spec.sh), and the
# round trip `weld print` then `weld parse` of every module wast2json wrote, against its
# original bytes.
. "$WELD_ROOT/tests/tap.sh"
BUILD=${WELD_BUILD:-$WELD_ROOT/build}
SPEC=${WELD_SPEC_DIR:-$WELD_ROOT/../shared/spec}
RUNNER=$BUILD/tests/spec_runner

# ---- a small script: every command kind, one deliberate failure ----
cat > "$T/s.wast" <<'WAST'
(module $m
  (func (export "add") (param $a i32) (param $b i32) (result i32)
    (i32.add (local.get $a) (local.get $b)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func $loop (export "loop") (call $loop))
  (func (export "nan") (result f32) (f32.div (f32.const 0) (f32.const 0)))
  (func (export "v") (result v128) (v128.const i32x4 1 -1 0x10 0))
  (global (export "g") i64 (i64.const -7)))
(register "m" $m)
(module (import "m" "add" (func $add (param i32 i32) (result i32)))
  (func (export "twice") (param i32) (result i32) (call $add (local.get 0) (local.get 0))))
(assert_return (invoke "twice" (i32.const 21)) (i32.const 42))
(assert_return (invoke $m "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke $m "nan") (f32.const nan:canonical))
(assert_return (invoke $m "v") (v128.const i32x4 1 0xffffffff 16 0))
(assert_return (get $m "g") (i64.const -7))
(assert_trap (invoke $m "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_exhaustion (invoke $m "loop") "call stack exhausted")
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_malformed (module quote "(func i32.const 0x)") "unknown operator")
(assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
(assert_unlinkable (module (import "m" "nope" (func))) "unknown import")
(assert_uninstantiable (module (func $t unreachable) (start $t)) "unreachable")
(assert_return (invoke $m "add" (i32.const 1) (i32.const 1)) (i32.const 3))
WAST
"$WELD" wast "$T/s.wast" > "$T/out" 2>&1
rc=$?
if grep -q "s.wast: 15 passed, 1 failed" "$T/out" && [ $rc -eq 1 ]; then ok "wast runs every command kind: 15 passed, the wrong expectation failed (exit 1)"
else fail "wast runs every command kind: 15 passed, the wrong expectation failed (exit 1)" "rc $rc: $(cat "$T/out")"; fi
if grep -q "s.wast:24:1: failed: assert_return add: result 0: expected i32:0x00000003, got i32:0x00000002" "$T/out"; then ok "wast names the failing command by line:col with expected and actual values"
else fail "wast names the failing command by line:col with expected and actual values" "$(cat "$T/out")"; fi
"$WELD" wast -t "$T/s.wast" > "$T/tap" 2>&1
if grep -q "^1\.\.16$" "$T/tap" && [ "$(grep -c '^ok ' "$T/tap")" = 15 ] && grep -q "^not ok 16 " "$T/tap"; then ok "wast -t prints TAP with a plan"
else fail "wast -t prints TAP with a plan" "$(cat "$T/tap")"; fi
printf '(module\n  (func (export "f") (result i32)\n    (i32.add (i32.const 1) (i32.konst 2))))\n' > "$T/bad.wat"
expect_fail "a text error names line:col and what was expected" "bad.wat:3:29: .*unknown operator 'i32.konst' (expected an instruction)" "$WELD" parse "$T/bad.wat" -o "$T/bad.wasm"
if grep -q "\^\^\^\^" "$T/err"; then ok "the text error has a caret line under the token"; else fail "the text error has a caret line under the token" "$(cat "$T/err")"; fi
[ -e "$T/bad.wasm" ] && fail "no output on a text error" || ok "no output on a text error"
printf '(assert_return (invoke "f") (i32.const 1)\n' > "$T/bad.wast"
expect_fail "an unclosed script command is a syntax error" "bad.wast:2:1: .*expected ')'" "$WELD" wast "$T/bad.wast"
printf '(module (func (export "f") (result i32) (i32.const 7)))\n' > "$T/f.wat"
"$WELD" run "$T/f.wat" --invoke f > "$T/run" 2>&1
if grep -q "^i32:7$" "$T/run"; then ok "commands that take a .wasm take a .wat (weld run --invoke)"; else fail "commands that take a .wasm take a .wat (weld run --invoke)" "$(cat "$T/run")"; fi

# ---- the spec testsuite ----
if [ ! -d "$SPEC" ]; then
  skip "spec testsuite scripts and round trip" "no testsuite at $SPEC (set WELD_SPEC_DIR)" 2
  tap_bail
fi
have_ref=1
if ! command -v wast2json >/dev/null 2>&1; then have_ref=0; why="wast2json (wabt) is not installed"
elif [ ! -x "$RUNNER" ]; then have_ref=0; why="$RUNNER is not built (make unit)"; fi
OUT=$BUILD/spec-json
if [ $have_ref = 1 ]; then
  mkdir -p "$OUT"
  for f in "$SPEC"/*.wast; do
    n=$(basename "$f" .wast); j="$OUT/$n/$n.json"
    if [ ! -f "$j" ] || [ "$f" -nt "$j" ]; then printf '%s\n' "$f"; fi
  done | xargs -r -P 2 -I{} sh -c '
    n=$(basename "$1" .wast); d="$2/$n"; rm -rf "$d"; mkdir -p "$d"
    (cd "$d" && wast2json "$1" -o "$n.json" 2>wast2json.err) || rm -f "$d/$n.json"' sh {} "$OUT"
fi
tw=0; tf=0; tr=0; trf=0; files=0; worse=0
for f in "$SPEC"/*.wast; do
  n=$(basename "$f" .wast)
  line=$("$WELD" wast --wasm2 "$f" 2>&1 | tail -n 1)
  wp=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\1/p')
  wf=$(printf '%s\n' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed$/\2/p')
  [ -n "$wp" ] || { fail "wast $n.wast" "$line"; continue; }
  files=$((files + 1)); tw=$((tw + wp)); tf=$((tf + wf))
  if [ $have_ref = 1 ] && [ -f "$OUT/$n/$n.json" ]; then
    rline=$("$RUNNER" "$OUT/$n/$n.json" 2>&1 | grep "^# $n.wast:")
    rp=$(printf '%s\n' "$rline" | sed -n 's/^# [^:]*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
    rf=$(printf '%s\n' "$rline" | sed -n 's/^# [^:]*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
    rp=${rp:-0}; rf=${rf:-0}; tr=$((tr + rp)); trf=$((trf + rf))
    d="wast $n.wast: weld $wp passed, $wf failed; the wast2json runner $rp passed, $rf failed"
    if [ "$wf" -le "$rf" ] && [ "$wp" -ge "$rp" ]; then ok "$d"
    else worse=$((worse + 1)); fail "$d" "$("$WELD" wast --wasm2 "$f" 2>&1 | grep ': failed: ' | head -n 5)"; fi
  else
    if [ "$wf" -eq 0 ]; then ok "wast $n.wast: $wp passed, 0 failed (no reference: ${why:-wast2json cannot convert it})"
    else fail "wast $n.wast: $wp passed, $wf failed" "$("$WELD" wast --wasm2 "$f" 2>&1 | grep ': failed: ' | head -n 5)"; fi
  fi
done
echo "# spec scripts: $files files; weld wast $tw passed, $tf failed; the wast2json runner $tr passed, $trf failed; $worse files where weld did worse"

# ---- round trip: weld print, then weld parse, gives back each module's bytes ----
# Modules that wast2json copied from a (module binary ...) form may use longer LEB128s than
# needed; those count as equal when the result is the bytes weld parse --reencode writes
# for the original (every LEB128 minimal), and are counted separately.
if [ $have_ref = 0 ]; then
  skip "round trip of the spec modules through the text format" "$why"
  tap_bail
fi
# Binary-form modules whose encoding the text format cannot express: they are counted as
# a SKIP with the reason, not compared.
inexpressible() {
  case $1 in
    binary/binary.12[56].wasm|binary/binary.13[58].wasm|binary/binary.147.wasm|binary/binary.15[28].wasm|\
    binary/binary.16[148].wasm) echo "an empty section (count 0)" ;;
    binary/binary.120.wasm) echo "a local group of count 0" ;;
    binary/binary.5[01].wasm) echo "a data segment with an explicit memory index 0 (flags 2)" ;;
    custom/custom.1.wasm) echo "empty sections between custom sections" ;;
    *) return 1 ;;
  esac
}
find "$OUT" -maxdepth 2 -name '*.wasm' | sort > "$T/mods"
nskip=0
total=0; same=0; canon=0; differ=0; noparse=0
: > "$T/bad"
while IFS= read -r m; do
  "$WELD" print "$m" > "$T/rt.wat" 2>/dev/null || continue
  if why_not=$(inexpressible "${m#"$OUT"/}"); then nskip=$((nskip + 1)); echo "# not compared: ${m#"$OUT"/}: $why_not"; continue; fi
  total=$((total + 1))
  if ! "$WELD" parse "$T/rt.wat" -o "$T/rt.wasm" 2>"$T/rt.err"; then
    noparse=$((noparse + 1)); echo "does not parse: ${m#"$OUT"/}: $(head -n 1 "$T/rt.err")" >> "$T/bad"
  elif cmp -s "$m" "$T/rt.wasm"; then same=$((same + 1))
  elif "$WELD" parse --reencode "$m" -o "$T/canon.wasm" 2>/dev/null && cmp -s "$T/canon.wasm" "$T/rt.wasm"; then
    canon=$((canon + 1))
  else differ=$((differ + 1)); echo "bytes differ: ${m#"$OUT"/}" >> "$T/bad"; fi
done < "$T/mods"
d="round trip: of $total printable spec modules, $same come back byte-identical from weld print | weld parse and $canon equal to their minimal-LEB128 re-encoding ($differ differ, $noparse do not parse)"
if [ $((same + canon)) -eq "$total" ]; then ok "$d"; else fail "$d" "$(head -n 20 "$T/bad")"; fi
[ $nskip -gt 0 ] && skip "round trip of $nskip binary-form modules" "the text format cannot express their encoding (listed above)" "$nskip"
tap_done
