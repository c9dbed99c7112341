# Sourced by CLI test scripts: small TAP helpers around the weld binary ($WELD).
#   ok DESC / fail DESC [DETAIL] / skip DESC REASON [COUNT]
#   expect_ok DESC CMD...          : CMD exits 0
#   expect_fail DESC PATTERN CMD...: CMD exits non-zero and its stderr matches PATTERN
#   CMD | tap_relay                : passes another TAP producer's lines on, counting its
#                                    results and dropping its plan
#   tap_done                       : the plan "1..N"; every script ends with it, and one
#                                    that stops early on purpose calls it first (tap_bail)
#   tap_bail                       : tap_done, then exit 0
# The test driver (tests/run.sh) fails a script whose plan is missing or does not match
# the results it printed, so a script that dies half-way is a failure, not a short pass.
# A SKIP that stands for more than one check says so: "(stands for N checks)".
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
FIX="$WELD_ROOT/fixtures"
: > "$T/.tap"
# results are counted in a file, so that checks made in subshells (pipelines) count too
ok() { echo "ok - $1"; echo >> "$T/.tap"; }
fail() { echo "not ok - $1"; echo >> "$T/.tap"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/# /'; return 0; }
skip() {
  if [ -n "$3" ] && [ "$3" != 1 ]; then echo "ok - $1 # SKIP $2 (stands for $3 checks)"
  else echo "ok - $1 # SKIP $2"; fi
  echo >> "$T/.tap"
}
expect_ok() {
  d=$1; shift
  if "$@" >"$T/out" 2>"$T/err"; then ok "$d"; else fail "$d" "$(cat "$T/err")"; fi
}
expect_fail() {
  d=$1 pat=$2; shift 2
  if "$@" >"$T/out" 2>"$T/err"; then fail "$d" "exited 0"
  elif grep -q -- "$pat" "$T/err"; then ok "$d"
  else fail "$d" "stderr does not match '$pat': $(cat "$T/err")"; fi
}
tap_relay() {
  awk -v c="$T/.tap" '/^1\.\.[0-9]/ { next } /^(not )?ok/ { print "" >> c } { print }'
}
tap_done() { echo "1..$(wc -l < "$T/.tap" | tr -d ' ')"; }
tap_bail() { tap_done; exit 0; }
