# weld validate on components: every invalid fixture of fixtures/components-invalid is
# rejected, with exactly the message (and offset) wasmparser gives unless the fixture is
# listed in known-differences.txt with the reason; every valid component (fixtures and
# the interop corpus) is accepted; the printer fixtures that break a rule are rejected
# for that rule. The reference (jco 1.35's validator) runs with every feature on but cm64
# (it refuses `i64` resource representations), so weld does too here; wasmparser's default
# set is tests/cli/validate_rules.sh's.
. "$WELD_ROOT/tests/tap.sh"
INV="$FIX/components-invalid"
KNOWN="$INV/known-differences.txt"

# "weld: error: FILE: offset 0x1a: MESSAGE" -> "MESSAGE (at offset 0x1a)", wasmparser's form
as_wasmparser() {
  sed -E 's/^weld: error: .*: offset (0x[0-9a-f]+): (.*)$/\2 (at offset \1)/'
}

total=0 rejected=0 exact=0 differ=0
for w in "$INV"/*.wat; do
  b=$(basename "$w" .wat)
  total=$((total + 1))
  if [ ! -f "$INV/$b.wasm" ]; then fail "invalid $b: has its binary $b.wasm (regen.sh)"; continue; fi
  "$WELD" validate --features all --no-features cm64 "$INV/$b.wasm" > "$T/out" 2> "$T/err"; rc=$?
  if [ "$rc" -ne 1 ]; then fail "invalid $b is rejected" "exit $rc: $(cat "$T/err")"; continue; fi
  rejected=$((rejected + 1))
  got=$(as_wasmparser < "$T/err")
  want=$(cat "$INV/$b.expect")
  if [ "$got" = "$want" ]; then
    exact=$((exact + 1))
    if grep -q "^$b " "$KNOWN"; then
      fail "invalid $b: listed in known-differences.txt but now matches exactly (remove it)"
    else
      ok "invalid $b is rejected with wasmparser's message"
    fi
  elif grep -q "^$b " "$KNOWN"; then
    differ=$((differ + 1))
    ok "invalid $b is rejected (message differs, known: $(grep "^$b " "$KNOWN" | cut -d' ' -f2-))"
  else
    fail "invalid $b is rejected with wasmparser's message" "want: $want
got:  $got"
  fi
done
echo "# invalid component fixtures: $rejected/$total rejected, $exact/$total with exactly wasmparser's message and offset"

# every listed known difference names an existing fixture
stale=""
while read -r name _; do
  case "$name" in ''|'#'*) continue ;; esac
  [ -f "$INV/$name.wat" ] || stale="$stale $name"
done < "$KNOWN"
[ -z "$stale" ] && ok "known-differences.txt names existing fixtures" || fail "known-differences.txt names existing fixtures" "$stale"

# valid components shipped in the repository
for f in "$FIX"/demo/*.wasm "$FIX"/ctypes/*.wasm "$FIX"/components/types.wasm "$FIX"/components/start-value.wasm; do
  expect_ok "valid $(basename "$f") is accepted" "$WELD" validate --features all --no-features cm64 "$f"
done

# printer fixtures that break a rule on purpose (wasmparser rejects them the same way)
expect_fail "canon.wasm: async option on a sync function type" \
  'offset 0xe5: the `async` canonical option requires an async function type' \
  "$WELD" validate --features all --no-features cm64 "$FIX/components/canon.wasm"
expect_fail "threads.wasm: thread.spawn-ref of a non-shared type" \
  'offset 0x55: spawn type must be shared' "$WELD" validate --features all --no-features cm64 "$FIX/components/threads.wasm"
expect_fail "link.wasm: an outer alias names a core module the outer component defines later" \
  'offset 0x27c: unknown module 0: module index out of bounds' "$WELD" validate --features all --no-features cm64 "$FIX/components/link.wasm"

# the interop corpus: every component jco ships and ../shared/realworld builds
if [ -n "$WELD_CORPUS_LIST" ] && [ -s "$WELD_CORPUS_LIST" ]; then
  n=0 good=0 bad=""
  while read -r f; do
    case "$f" in */fixtures/*) continue ;; esac
    head -c 8 "$f" | od -An -tx1 | grep -q '0d 00 01 00' || continue
    n=$((n + 1))
    if "$WELD" validate --features all --no-features cm64 "$f" > /dev/null 2> "$T/err"; then good=$((good + 1))
    else bad="$bad
$(cat "$T/err")"; fi
  done < "$WELD_CORPUS_LIST"
  [ "$n" -gt 0 ] && [ "$good" -eq "$n" ] && ok "corpus components accepted: $good/$n" ||
    fail "corpus components accepted: $good/$n" "$bad"
else
  skip "corpus components are accepted" "interop corpus not available (tests/corpus/collect.sh needs node and npm)"
fi
tap_done
