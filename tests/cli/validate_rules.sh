# weld validate on the component model's limits and rules, case by case:
# - type size and nesting bounds as wasmparser applies them (effective type size under
#   1000000, every type, component types included, nested at most 100 deep), on components
#   written by tests/tools/gen-type-limits.c, each checked for its verdict, its message and
#   offset (wasmparser 0.263's, as `wasm-tools validate` 1.263 reports them), and its CPU
#   time (bound: 2 s);
# - the valid and invalid rule fixtures of fixtures/validate-rules (NAME.wat, its binary
#   NAME.wasm, NAME.expect: "valid", or wasmparser's message and offset; regen.sh).
. "$WELD_ROOT/tests/tap.sh"
GEN="$T/gen-type-limits"
RULES="$FIX/validate-rules"

if ! ${CC:-cc} -std=c11 -O2 -o "$GEN" "$WELD_ROOT/tests/tools/gen-type-limits.c" 2> "$T/cc.err"; then
  fail "gen-type-limits.c compiles" "$(cat "$T/cc.err")"
  tap_bail
fi

# cpu SECONDS_VAR CMD...: run CMD with its stderr in $T/err, the CPU seconds (user + sys)
# it took in SECONDS_VAR, its exit status in rc
cpu() {
  var=$1; shift
  local t0 t1
  t0=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  "$@" > "$T/out" 2> "$T/err"; rc=$?
  # children's times reach the shell once they are waited for
  t1=$(awk '{print $14 + $15 + $16 + $17}' /proc/$$/stat)
  eval "$var=\$(awk -v a=$t0 -v b=$t1 -v hz=$(getconf CLK_TCK) 'BEGIN { printf \"%.2f\", (b - a) / hz }')"
}
under() { awk -v s="$1" -v lim="$2" 'BEGIN { exit !(s < lim) }'; }

# check NAME WASM WANT: WANT is "valid" or the error text after "offset 0x..: "
check() {
  name=$1 wasm=$2 want=$3
  cpu secs "$WELD" validate "$wasm"
  size=$(wc -c < "$wasm")
  if [ "$want" = valid ]; then
    if [ "$rc" -eq 0 ]; then ok "$name: valid ($size bytes, ${secs}s CPU)"
    else fail "$name: valid" "exit $rc: $(cat "$T/err")"; fi
  else
    if [ "$rc" -eq 1 ] && grep -qF -- "$want" "$T/err"; then ok "$name: rejected with '$want' ($size bytes, ${secs}s CPU)"
    else fail "$name: rejected with '$want'" "exit $rc: $(cat "$T/err")"; fi
  fi
  if under "$secs" 2; then ok "$name: decided in under 2 s of CPU (${secs}s)"
  else fail "$name: decided in under 2 s of CPU" "took ${secs}s"; fi
}

LIMIT='effective type size exceeds the limit of 1000000'
# instance types that export the previous one twice: the effective size doubles per level
"$GEN" instances 28 > "$T/i28.wasm"
check "instance types exporting the previous one twice, 28 levels (560 bytes)" "$T/i28.wasm" "offset 0x16a: $LIMIT"
"$GEN" instances 19 > "$T/i19.wasm"
check "the same at 19 levels (effective size 1572863)" "$T/i19.wasm" "offset 0x16a: $LIMIT"
"$GEN" instances 18 > "$T/i18.wasm"
check "the same at 18 levels (effective size 786431, imported once)" "$T/i18.wasm" valid
# a megabyte of nested type definitions, then a chain that doubles the size
"$GEN" bulk 1000000 > "$T/bulk.wasm"
check "1 MB of instance types declaring chains of 90 nested tuples, each imported" "$T/bulk.wasm" valid
"$GEN" bulk-over 1000000 > "$T/bulk-over.wasm"
check "the same 1 MB followed by tuples of the previous tuple twice" "$T/bulk-over.wasm" "$LIMIT"
# nesting of defined types
"$GEN" depth 98 > "$T/d98.wasm"
check "98 nested lists (depth 99) exported (depth 100)" "$T/d98.wasm" valid
"$GEN" depth 99 > "$T/d99.wasm"
check "99 nested lists (depth 100) exported: the component's type is 101 deep" "$T/d99.wasm" "offset 0xf7: type nesting is too deep"
"$GEN" depth 100 > "$T/d100.wasm"
check "100 nested lists (depth 101)" "$T/d100.wasm" "offset 0xf4: type nesting is too deep"

# rule fixtures
n=0
if [ -d "$RULES" ]; then
  for w in "$RULES"/*.wat; do
    [ -e "$w" ] || continue
    b=$(basename "$w" .wat)
    n=$((n + 1))
    if [ ! -f "$RULES/$b.wasm" ] || [ ! -f "$RULES/$b.expect" ]; then
      fail "rule $b: has NAME.wasm and NAME.expect (regen.sh)"; continue
    fi
    want=$(cat "$RULES/$b.expect")
    flags=$(sed -n 's/^;; weld-flags: //p' "$w")
    # shellcheck disable=SC2086
    "$WELD" validate $flags "$RULES/$b.wasm" > "$T/out" 2> "$T/err"; rc=$?
    if [ "$want" = valid ]; then
      if [ "$rc" -eq 0 ]; then ok "rule $b: valid"; else fail "rule $b: valid" "exit $rc: $(cat "$T/err")"; fi
      continue
    fi
    got=$(sed -E 's/^weld: error: .*: offset (0x[0-9a-f]+): (.*)$/\2 (at offset \1)/' "$T/err")
    if [ "$rc" -eq 1 ] && [ "$got" = "$want" ]; then ok "rule $b: rejected with wasmparser's message and offset"
    else fail "rule $b: rejected with wasmparser's message and offset" "want: $want
got (exit $rc): $got"; fi
  done
fi
echo "# rule fixtures: $n"
tap_done
