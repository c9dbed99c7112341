# WASI programs (fixtures/wasi/*.c, committed as .wasm built by fixtures/wasi/build.sh) run
# by `weld run` and the same sources compiled natively with cc: stdout, stderr, exit code
# and the files left in the granted directory must be identical.
. "$WELD_ROOT/tests/tap.sh"
W="$WELD_ROOT/fixtures/wasi"
if ! command -v cc >/dev/null 2>&1; then
  skip "WASI programs against native builds" "no C compiler (cc) to build the native side"; tap_bail
fi

# The tree under a directory: each path with its type and, for files, the content's hash.
tree() {
  (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while read -r p; do
     if [ -d "$p" ]; then echo "$p/"; else echo "$p $(cksum < "$p")"; fi; done)
}

# seed DIR: the directory contents every program starts from
seed() {
  rm -rf "$1"; mkdir -p "$1/data/old"
  printf 'input file\nsecond line\n' > "$1/data/input.txt"
  printf 'kept\n' > "$1/data/keep.txt"
}

# compare NAME STDIN ENV ARGS...: ENV is a space-separated list of NAME=VALUE
compare() {
  name=$1 stdin=$2 envs=$3; shift 3
  desc="$name${*:+ $*}: weld run matches the native build"
  [ -x "$T/native/$name" ] || cc -O2 -w -o "$T/native/$name" "$W/$name.c" ||
    { fail "$desc" "cc could not build $name.c"; return; }
  [ -f "$W/$name.wasm" ] || { fail "$desc" "$W/$name.wasm is missing (run fixtures/wasi/build.sh)"; return; }
  seed "$T/n"; seed "$T/w"
  set -f
  wargs=""
  for e in $envs; do wargs="$wargs --env $e"; done
  (cd "$T/n" && exec env -i $envs "$T/native/$name" "$@" < "${stdin:-/dev/null}" > "$T/n.out" 2> "$T/n.err"); nrc=$?
  (cd "$T/w" && env -i "$WELD" run --dir data $wargs "$W/$name.wasm" -- "$@" < "${stdin:-/dev/null}" > "$T/w.out" 2> "$T/w.err"); wrc=$?
  set +f
  tree "$T/n/data" > "$T/n.tree"; tree "$T/w/data" > "$T/w.tree"
  why=""
  [ "$nrc" = "$wrc" ] || why="exit code: native $nrc, weld $wrc"
  cmp -s "$T/n.out" "$T/w.out" || why="$why
stdout differs: $(diff "$T/n.out" "$T/w.out" | head -20)"
  if [ "$name" = abort ] && [ $# -gt 0 ]; then
    grep -q "trap: unreachable" "$T/w.err" || why="$why
weld's stderr lacks the trap message: $(cat "$T/w.err")"
  else
    cmp -s "$T/n.err" "$T/w.err" || why="$why
stderr differs: $(diff "$T/n.err" "$T/w.err" | head -20)"
  fi
  cmp -s "$T/n.tree" "$T/w.tree" || why="$why
files differ: $(diff "$T/n.tree" "$T/w.tree" | head -20)"
  if [ -z "$why" ]; then ok "$desc"; else fail "$desc" "$why"; fi
}

mkdir -p "$T/native"
printf 'the quick brown fox\njumps over\n\n  the lazy dog  \nno newline at the end' > "$T/stdin.txt"
head -c 300000 /dev/zero | tr '\0' 'x' | fold -w 77 > "$T/big.txt"

compare hello "" ""
compare args "" "" one "two words" "" "--dash" "üñí©ødé"
compare args "" ""
compare env "" "WELD_T_A=1 WELD_T_B=x=y WELD_T_EMPTY=" WELD_T_A WELD_T_B WELD_T_EMPTY HOME
compare files "" "" data
compare clock "" ""
compare exitcode "" "" 0
compare exitcode "" "" 3
compare exitcode "" "" 255
compare exitcode "" "" 7 return
compare stdin "$T/stdin.txt" ""
compare stdin "$T/big.txt" ""
compare alloc "" ""
compare errors "" "" data
compare abort "" "" yes
compare abort "" ""
compare dirs "" ""

# poll(2) on stdin, a pipe whose writer waits a second: weld's poll_oneoff times out and
# then waits for the data as the native build does
desc="pollin: poll on a delayed pipe, weld run matches the native build"
if cc -O2 -w -o "$T/native/pollin" "$W/pollin.c"; then
  nout=$( (sleep 1; echo hi) | "$T/native/pollin" 2>&1 ); nrc=$?
  wout=$( (sleep 1; echo hi) | "$WELD" run "$W/pollin.wasm" 2>&1 ); wrc=$?
  if [ "$nrc" = "$wrc" ] && [ "$nout" = "$wout" ]; then ok "$desc"
  else fail "$desc" "native ($nrc): $nout
weld ($wrc): $wout"; fi
else
  fail "$desc" "cc could not build pollin.c"
fi
tap_done
