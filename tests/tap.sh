# Sourced by CLI test scripts: small TAP helpers around the weld binary ($WELD).
#   ok DESC / fail DESC [DETAIL] / skip DESC REASON
#   expect_ok DESC CMD...        : CMD exits 0
#   expect_fail DESC PATTERN CMD...: CMD exits non-zero and its stderr matches PATTERN
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
FIX="$WELD_ROOT/fixtures"
ok() { echo "ok - $1"; }
fail() { echo "not ok - $1"; [ -n "$2" ] && printf '%s\n' "$2" | sed 's/^/# /'; return 0; }
skip() { echo "ok - $1 # SKIP $2"; }
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
