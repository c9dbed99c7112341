# Canonical ABI rules, one fixture each (fixtures/canon-traps/NAME.wat, assembled into
# NAME.wasm by fixtures/canon-traps/build.sh): the export f's core code breaks exactly one
# rule, so `weld run NAME.wasm --invoke 'f(ARGS)'` must trap (exit 134) with a message
# naming the rule. A few fixtures check what is NOT a trap (a nonzero bool is true,
# unknown flag bits are ignored, a borrow dropped in time). Every check runs again on the
# ASan/UBSan build when build-san/weld exists. Reentrance needs an import wired to the
# same instance's export, which `weld run` cannot do: canon_diff --reenter drives it.
. "$WELD_ROOT/tests/tap.sh"
D="$FIX/canon-traps"
SAN="$WELD_ROOT/build-san/weld"

# NAME;ARGS;trap;STDERR-PATTERN (grep -Ei)   or   NAME;ARGS;result;STDOUT (spaces ignored)
CASES='string-oob;;trap;out of bounds
list-oob;;trap;out of bounds
return-oob;;trap;out of bounds
list-misaligned;;trap;align
string-misaligned;;trap;align
return-misaligned;;trap;align
char-surrogate;;trap;char
char-too-large;;trap;char
utf8-invalid;;trap;utf-8
utf16-unpaired;;trap;utf-16
variant-discriminant;;trap;discriminant
option-discriminant;;trap;discriminant
result-discriminant;;trap;discriminant
enum-discriminant;;trap;discriminant
realloc-oob;"hello";trap;out of bounds
realloc-misaligned;[1, 2];trap;align
handle-after-drop;;trap;handle
handle-double-drop;;trap;handle
borrow-not-dropped;;trap;borrow
own-lent-transferred;;trap;lend|outstanding
bool-nonzero;;result;true
flags-unknown-bits;;result;{a,b,c}
flags-unknown-bits-only;;result;{}
borrow-dropped;;result;1'
ncases=$(printf '%s\n' "$CASES" | wc -l | tr -d ' ')

# every fixture must be a valid component
for w in "$D"/*.wat; do
  n=$(basename "$w" .wat)
  if [ ! -f "$D/$n.wasm" ]; then fail "$n.wasm exists" "run fixtures/canon-traps/build.sh"; continue; fi
  expect_ok "$n.wasm validates" "$WELD" validate "$D/$n.wasm"
done

# check WELD NAME ARGS KIND WANT: one run
check() {
  bin=$1 n=$2 args=$3 kind=$4 want=$5 tag=""
  [ "$bin" = "$SAN" ] && tag=" (ASan)"
  "$bin" run "$D/$n.wasm" --invoke "f($args)" > "$T/out" 2> "$T/err"
  rc=$?
  san=""
  grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer' "$T/err" && san="sanitizer report: $(head -n 5 "$T/err")"
  if [ "$kind" = trap ]; then
    desc="$n: f($args) traps naming the rule ('$want')$tag"
    if [ -n "$san" ]; then fail "$desc" "$san"
    elif [ "$rc" -ne 134 ]; then fail "$desc" "exit $rc, want 134; stdout: $(head -c 300 "$T/out"); stderr: $(head -c 300 "$T/err")"
    elif ! grep -qiE -- "$want" "$T/err"; then fail "$desc" "stderr lacks '$want': $(head -c 400 "$T/err")"
    else ok "$desc"; fi
  else
    desc="$n: f($args) returns $want$tag"
    # the result's WAVE, alone on the last line or after "->" or ":" (spaces ignored)
    got=$(grep . "$T/out" | tail -n 1 | tr -d ' \t')
    case "$got" in "$want"|*"->$want"|*":$want") same=1 ;; *) same="" ;; esac
    if [ -n "$san" ]; then fail "$desc" "$san"
    elif [ "$rc" -ne 0 ]; then fail "$desc" "exit $rc; stderr: $(head -c 400 "$T/err")"
    elif [ -z "$same" ]; then fail "$desc" "stdout: $(head -c 300 "$T/out")"
    else ok "$desc"; fi
  fi
}

BINS=$WELD
[ -x "$SAN" ] && ! [ "$SAN" -ef "$WELD" ] && BINS="$WELD $SAN"   # not twice under BUILD=build-san
for bin in $BINS; do
  [ -x "$bin" ] || continue
  "$bin" run "$D/bool-nonzero.wasm" --invoke 'f()' > "$T/probe.out" 2> "$T/probe.err"
  if grep -q 'not a core module' "$T/probe.err"; then
    skip "Canonical ABI trap fixtures under $bin run" \
      "this weld run does not run components (stands for $ncases checks)"
    continue
  fi
  printf '%s\n' "$CASES" | while IFS=';' read -r n args kind want; do
    check "$bin" "$n" "$args" "$kind" "$want"
  done
done

# reentrance, through the differential runner
BIN="$WELD_BUILD/tests/canon_diff"
if [ -x "$BIN" ]; then
  "$BIN" --reenter "$D/reenter.wasm" > "$T/re.out" 2> "$T/re.err"; rc=$?
  grep -E '^(not )?ok|^#' "$T/re.out" | tap_relay
  [ "$rc" -eq 0 ] || fail "reenter: canon_diff --reenter finished" "exit $rc: $(tail -n 5 "$T/re.err")"
else
  skip "reenter: an instance reentered through its import traps" "$BIN not built (needs include/weld/wave.h) (stands for 3 checks)"
fi
tap_done
