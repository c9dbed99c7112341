# The differential Canonical ABI test: every export run-N of fixtures/canon/roundtrip.wasm
# (tests/canon/gen.py: 89 value types, utf8 and utf16) round-trips values through weld's
# lift and lower (tests/canon/diff_run.c, with host echo imports), and the results must
# equal what jco's transpiled component returned (fixtures/canon/expected.txt, from
# tests/canon/jco_run.mjs). The latin1+utf16 functions, which jco cannot run, must return
# their arguments. fixtures/canon/build.sh regenerates the fixtures.
. "$WELD_ROOT/tests/tap.sh"
C="$WELD_ROOT/fixtures/canon"
BIN="$WELD_BUILD/tests/canon_diff"
nv=$(grep -c . "$C/values.txt") nl=$(grep -c . "$C/values-latin1.txt")
nf=$(cut -f1 "$C/values.txt" | uniq | wc -l | tr -d ' ')
nfl=$(cut -f1 "$C/values-latin1.txt" | uniq | wc -l | tr -d ' ')
# the committed fixtures are what the generator makes, and valid components
if command -v python3 >/dev/null 2>&1; then
  python3 "$WELD_ROOT/tests/canon/gen.py" "$T" 2>/dev/null
  why=""
  for s in roundtrip roundtrip-latin1; do cmp -s "$T/$s.wat" "$C/$s.wat" || why="$why $s.wat"; done
  cmp -s "$T/roundtrip.values.txt" "$C/values.txt" || why="$why values.txt"
  cmp -s "$T/roundtrip-latin1.values.txt" "$C/values-latin1.txt" || why="$why values-latin1.txt"
  if [ -z "$why" ]; then ok "fixtures/canon match tests/canon/gen.py"
  else fail "fixtures/canon match tests/canon/gen.py" "differ:$why (run fixtures/canon/build.sh)"; fi
else
  skip "fixtures/canon match tests/canon/gen.py" "no python3 (stands for 1 check)"
fi
expect_ok "roundtrip.wasm validates" "$WELD" validate "$C/roundtrip.wasm"
expect_ok "roundtrip-latin1.wasm validates" "$WELD" validate "$C/roundtrip-latin1.wasm"
if [ ! -x "$BIN" ]; then
  skip "canon_diff: $nv values against jco, $nl latin1+utf16 values" \
    "$BIN not built (needs include/weld/wave.h; make unit) (stands for $((nf + nfl + 3)) checks)"
  exit 0
fi
# run NAME ARGS...: the runner's TAP lines, then its summary checked
run() {
  name=$1; shift
  "$BIN" --known "$C/known-differences.txt" "$@" > "$T/$name.out" 2> "$T/$name.err"
  rc=$?
  grep -v '^1\.\.' "$T/$name.out" | sed "s/^\(\(not \)\{0,1\}ok\) [0-9]* - /\1 - $name: /"
  sum=$(grep '^# compared' "$T/$name.out")
  if [ "$rc" -ne 0 ] || [ -z "$sum" ]; then
    fail "$name: the runner finished" "exit $rc: $(tail -n 5 "$T/$name.err")"
  else
    n=$(echo "$sum" | sed 's/^# compared \([0-9]*\) values, \([0-9]*\) differ.*/\1 \2/')
    set -- $n
    if [ "$1" -ge "$want" ] && [ "$2" -eq 0 ]; then ok "$name: $1 values compared, none differ"
    else fail "$name: $1 values compared (want $want), $2 differ"; fi
  fi
}
if [ "$nv" -ge 10000 ]; then ok "at least 10,000 values against jco ($nv)"
else fail "at least 10,000 values against jco" "values.txt has $nv"; fi
want=$nv run jco "$C/roundtrip.wasm" "$C/values.txt" "$C/expected.txt"
want=$nl run latin1 "$C/roundtrip-latin1.wasm" "$C/values-latin1.txt"
