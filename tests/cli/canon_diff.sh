# The differential Canonical ABI test (fixtures/canon, made by tests/canon/gen.py and
# fixtures/canon/build.sh): every export run-N of the generated components round-trips
# values of one of 89 value types through weld's lift and lower (tests/canon/diff_run.c,
# the host's echo-N returning a copy of its argument), and the results must equal what
# jco's transpiled components returned:
#   roundtrip.wasm   host -> run-N (utf8, or utf16) -> host echo-N   (expected.txt)
#   chain.wasm       host -> run-N (utf8) -> run-N (utf16) -> run-N (utf8) -> host echo-N,
#                    the inner calls fused guest to guest              (expected-chain.txt)
# The latin1+utf16 forms, which jco cannot run, must return their own arguments.
. "$WELD_ROOT/tests/tap.sh"
C="$WELD_ROOT/fixtures/canon"
BIN="$WELD_BUILD/tests/canon_diff"
SETS="roundtrip:values.txt:expected.txt chain:values-chain.txt:expected-chain.txt
roundtrip-latin1:values-latin1.txt: chain-latin1:values-chain-latin1.txt:"

# the committed fixtures are what the generator makes, and valid components
if command -v python3 >/dev/null 2>&1; then
  python3 "$WELD_ROOT/tests/canon/gen.py" "$T" 2>/dev/null
  why=""
  for g in $SETS; do
    IFS=: read -r s v e <<< "$g"
    cmp -s "$T/$s.wat" "$C/$s.wat" || why="$why $s.wat"
    cmp -s "$T/$s.values.txt" "$C/$v" || why="$why $v"
  done
  if [ -z "$why" ]; then ok "fixtures/canon match tests/canon/gen.py"
  else fail "fixtures/canon match tests/canon/gen.py" "differ:$why (run fixtures/canon/build.sh)"; fi
else
  skip "fixtures/canon match tests/canon/gen.py" "no python3 (stands for 1 check)"
fi
njco=0 nfun=0
for g in $SETS; do
  IFS=: read -r s v e <<< "$g"
  expect_ok "$s.wasm validates" "$WELD" validate "$C/$s.wasm"
  [ -n "$e" ] && njco=$((njco + $(grep -c . "$C/$v")))
  nfun=$((nfun + $(cut -f1 "$C/$v" | uniq | wc -l)))
done
if [ "$njco" -ge 10000 ]; then ok "at least 10,000 values against jco ($njco)"
else fail "at least 10,000 values against jco" "the fixtures have $njco"; fi

if [ ! -x "$BIN" ]; then
  skip "canon_diff: the generated components under weld" \
    "$BIN not built (needs include/weld/wave.h; make unit) (stands for $((nfun + 4)) checks)"
  tap_bail
fi
# the runner's TAP lines (named by group), then its summary checked
for g in $SETS; do
  IFS=: read -r s v e <<< "$g"
  want=$(grep -c . "$C/$v")
  "$BIN" --known "$C/known-differences.txt" "$C/$s.wasm" "$C/$v" ${e:+"$C/$e"} > "$T/$s.out" 2> "$T/$s.err"
  rc=$?
  sed "s/^\(\(not \)\{0,1\}ok\) [0-9]* - /\1 - $s: /" "$T/$s.out" | tap_relay
  sum=$(grep '^# compared' "$T/$s.out")
  what=${e:+"jco's results"}
  what=${what:-"the arguments"}
  if [ "$rc" -ne 0 ] || [ -z "$sum" ]; then
    fail "$s: the runner finished" "exit $rc: $(tail -n 5 "$T/$s.err")"
  else
    set -- $(echo "$sum" | sed 's/^# compared \([0-9]*\) values, \([0-9]*\) differ.*/\1 \2/')
    if [ "$1" -eq "$want" ] && [ "$2" -eq 0 ]; then ok "$s: $1 values equal $what"
    else fail "$s: $1 values compared (want $want), $2 differ from $what"; fi
  fi
done
tap_done
