# WASI 0.2 commands under `weld run` (weld's WASI 0.2 host, weld/wasi2.h):
#  - the real command components of the interop corpus ($WELD_REALWORLD_DIR) print what
#    `jco run` prints; a componentize-js command (fixtures/wasi2/hello.js, built once into
#    $WELD_CACHE/wasi2/) runs;
#  - fixtures/wasi2/probe.wasm (a command component) and probe.core.wasm (the same program
#    as a preview1 module) give the same stdout, stderr, exit code and files;
#  - every fixtures/wasi program as a command component (fixtures/wasi2/wasi/NAME.wasm)
#    behaves as its preview1 module, the sandbox probes included (a refused escape is EPERM
#    through the preview1 adapter, ENOTCAPABLE from weld's preview1 host);
#  - missing imports are reported before anything runs, traps exit 134 with a backtrace.
. "$WELD_ROOT/tests/tap.sh"
W2="$WELD_ROOT/fixtures/wasi2"
W1="$WELD_ROOT/fixtures/wasi"

tree() {
  (cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while read -r p; do
     if [ -L "$p" ]; then echo "$p -> $(readlink "$p")"
     elif [ -d "$p" ]; then echo "$p/"; else echo "$p $(cksum < "$p")"; fi; done)
}

seed() {
  rm -rf "$1"; mkdir -p "$1/data/old"
  printf 'input file\nsecond line\n' > "$1/data/input.txt"
  printf 'kept\n' > "$1/data/keep.txt"
}

# same DESC COMPONENT CORE STDIN ENV ARGS...: both run in a fresh tree with data/ granted;
# stdout, stderr (ENOTCAPABLE read as EPERM), exit code and data/ must be identical.
same() {
  desc=$1 comp=$2 core=$3 stdin=$4 envs=$5; shift 5
  seed "$T/c"; seed "$T/p"
  set -f
  wargs=""
  for e in $envs; do wargs="$wargs --env $e"; done
  (cd "$T/c" && "$WELD" run --dir data $wargs "$comp" -- "$@" < "${stdin:-/dev/null}" > "$T/c.out" 2> "$T/c.err"); crc=$?
  (cd "$T/p" && "$WELD" run --dir data $wargs "$core" -- "$@" < "${stdin:-/dev/null}" > "$T/p.out" 2> "$T/p.err"); prc=$?
  set +f
  sed -i 's/ENOTCAPABLE/EPERM/g' "$T/p.out" "$T/p.err"
  tree "$T/c/data" > "$T/c.tree"; tree "$T/p/data" > "$T/p.tree"
  why=""
  [ "$crc" = "$prc" ] || why="exit code: component $crc, core $prc"
  cmp -s "$T/c.out" "$T/p.out" || why="$why
stdout differs:
$(diff "$T/p.out" "$T/c.out" | head -20)"
  cmp -s "$T/c.err" "$T/p.err" || why="$why
stderr differs:
$(diff "$T/p.err" "$T/c.err" | head -10)"
  cmp -s "$T/c.tree" "$T/p.tree" || why="$why
files differ:
$(diff "$T/p.tree" "$T/c.tree" | head -10)"
  if [ -z "$why" ]; then ok "$desc"; else fail "$desc" "$why"; fi
}

# ---- the real command components of the interop corpus ----------------------------------
RW=${WELD_REALWORLD_DIR:-}
for name in hello-cmd features-cmd; do
  c="$RW/$name.wasm"
  if [ -z "$RW" ] || [ ! -f "$c" ]; then
    skip "$name: weld run prints what jco run prints" "realworld components not built (${RW:-WELD_REALWORLD_DIR unset})"
    continue
  fi
  case $name in
    hello-cmd) want='hello from C' ;;
    features-cmd) want='sum=89479424.0 dot=-11040 collatz=849637 deep=40 sat=2147483647 buf=x' ;;
  esac
  if [ -n "${JCO:-}" ] && [ -x "$JCO" ]; then
    want=$(cd "$T" && timeout 120 "$JCO" run "$c" 2>/dev/null) || want="(jco run failed)"
  fi
  got=$(cd "$T" && "$WELD" run "$c" 2>"$T/err"); rc=$?
  if [ "$rc" = 0 ] && [ "$got" = "$want" ] && [ ! -s "$T/err" ]; then ok "$name: weld run prints what jco run prints"
  else fail "$name: weld run prints what jco run prints" "exit $rc
want: $want
got:  $got
$(head -5 "$T/err")"; fi
done

# ---- a componentize-js command (imports wasi:sockets and wasi:http too) ----------------
JSC="${WELD_CACHE:-}/wasi2/hello-js.wasm"
if [ -n "${WELD_CACHE:-}" ] && [ -n "${JCO_HOME:-}" ] && [ -d "$JCO_HOME/node_modules/@bytecodealliance/componentize-js" ]; then
  if [ ! -f "$JSC" ]; then # built once (about a minute), kept in the cache
    mkdir -p "$T/js" "$(dirname "$JSC")" && cp -r "$WELD_ROOT/wit" "$W2/hello.js" "$T/js/" &&
      (cd "$T/js" && node "$WELD_ROOT/fixtures/tools/jco.mjs" componentize hello.js --wit wit --world-name command \
        -o hello-js.wasm > "$T/js.log" 2>&1) && cp "$T/js/hello-js.wasm" "$JSC"
  fi
  got=$(cd "$T" && "$WELD" run "$JSC" 2>&1); rc=$?
  [ "$rc" = 0 ] && [ "$got" = "hello from js" ] && ok "a componentize-js command runs (sockets, http imports bound)" ||
    fail "a componentize-js command runs (sockets, http imports bound)" "exit $rc: $got $(tail -3 "$T/js.log" 2>/dev/null)"
else
  skip "a componentize-js command runs (sockets, http imports bound)" "componentize-js not installed (JCO_HOME)"
fi

# ---- the probe: component against its preview1 module -----------------------------------
printf 'one\ntwo\nthree\n' > "$T/stdin.txt"
same "probe: component and preview1 module agree (files, dirs, clocks, random, env, args, stdin)" \
  "$W2/probe.wasm" "$W2/probe.core.wasm" "$T/stdin.txt" "WELD_PROBE=42 WELD_B=two" data 0
same "probe: exit code 1" "$W2/probe.wasm" "$W2/probe.core.wasm" "" "" data 1
out=$(cd "$T" && printf 'abc\n' | "$WELD" run --env WELD_PROBE=x "$W2/probe.wasm" 2>/dev/null)
case $out in
  *"getenv WELD_PROBE=x"*"stdin: 4 bytes, 1 lines"*"random: differs"*) ok "probe: environment, stdin and random through the 0.2 host" ;;
  *) fail "probe: environment, stdin and random through the 0.2 host" "$out" ;;
esac

# ---- fixtures/wasi programs as components ------------------------------------------------
printf 'line one\nline two\n' > "$T/in.txt"
same "hello: component = preview1 module" "$W2/wasi/hello.wasm" "$W1/hello.wasm" "" ""
same "args: component = preview1 module" "$W2/wasi/args.wasm" "$W1/args.wasm" "" "" a "b c" ""
same "env: component = preview1 module" "$W2/wasi/env.wasm" "$W1/env.wasm" "" "HOME=/home/x LANG=C EMPTY="
same "stdin: component = preview1 module" "$W2/wasi/stdin.wasm" "$W1/stdin.wasm" "$T/in.txt" ""
same "files: component = preview1 module" "$W2/wasi/files.wasm" "$W1/files.wasm" "" ""
same "clock: component = preview1 module" "$W2/wasi/clock.wasm" "$W1/clock.wasm" "" ""
# (alloc.wasm is left out: through the adapter it traps, out of bounds, under jco run too)
same "errors: component = preview1 module" "$W2/wasi/errors.wasm" "$W1/errors.wasm" "" ""
for code in 0 1; do
  same "exitcode $code: component = preview1 module" "$W2/wasi/exitcode.wasm" "$W1/exitcode.wasm" "" "" "$code"
done
# the preview1 adapter turns proc_exit(N != 0) into wasi:cli/exit err: 1, as jco run exits
out=$(cd "$T" && "$WELD" run "$W2/wasi/exitcode.wasm" 3 2>&1); rc=$?
[ "$rc" = 1 ] && [ "$out" = "exiting with 3atexit handler ran" ] &&
  ok "exitcode 3 through the preview1 adapter exits 1 (as jco run)" ||
  fail "exitcode 3 through the preview1 adapter exits 1 (as jco run)" "exit $rc: $out"

# ---- the sandbox through wasi:filesystem --------------------------------------------------
S="$W2/wasi/sandbox.wasm"
mkdir -p "$T/sb/box/sub" "$T/sb/outside"
echo "the secret" > "$T/sb/secret.txt"
echo "kept inside" > "$T/sb/box/keep.txt"
echo "in sub" > "$T/sb/box/sub/file.txt"
ln -s ../ "$T/sb/box/up"
ln -s /etc "$T/sb/box/abs"
ln -s loop "$T/sb/box/loop"
ln -s sub "$T/sb/box/in"
ln -s ../keep.txt "$T/sb/box/sub/back"
ln -s ../../secret.txt "$T/sb/box/sub/out"
ln -s "$T/sb/secret.txt" "$T/sb/box/absfile"
ln -s ../outside "$T/sb/box/outdir"
probe() {
  desc=$1 want=$2; shift 2
  out=$(cd "$T/sb" && "$WELD" run --dir box "$S" "$@" 2>&1)
  if [ "$out" = "$want" ]; then ok "sandbox (0.2): $desc"; else fail "sandbox (0.2): $desc" "expected: $want
got: $out"; fi
}
probe "'..' out of the preopen is refused" "open box/../secret.txt: EPERM" open box/../secret.txt
probe "'..' after descending still cannot leave" "open box/sub/../../secret.txt: EPERM" open box/sub/../../secret.txt
probe "'..' that stays inside works" 'open box/sub/../keep.txt: ok "kept inside"' open box/sub/../keep.txt
probe "an absolute host path is unreachable" "open /etc/passwd: ENOTCAPABLE" open /etc/passwd
probe "a symlink to '..' cannot be followed out" "open box/up/secret.txt: EPERM" open box/up/secret.txt
probe "a symlink to an absolute directory is refused" "open box/abs/passwd: EPERM" open box/abs/passwd
probe "a symlink to an absolute file is refused" "open box/absfile: EPERM" open box/absfile
probe "a symlink whose target climbs out is refused" "open box/sub/out: EPERM" open box/sub/out
probe "a symlink inside the preopen is followed" 'open box/sub/back: ok "kept inside"' open box/sub/back
probe "a symlinked directory inside is followed" 'open box/in/file.txt: ok "in sub"' open box/in/file.txt
probe "a symlink loop is ELOOP" "open box/loop: ELOOP" open box/loop
probe "lstat of an escaping link itself is allowed" "lstat box/up: ok" lstat box/up
probe "stat through an escaping link is refused" "stat box/up: EPERM" stat box/up
probe "readlink shows the link's text" 'readlink box/up: ok "../"' readlink box/up
probe "listing the parent is refused" "list box/..: EPERM" list box/..
probe "listing through a link out is refused" "list box/outdir: EPERM" list box/outdir
probe "creating a file through a link out is refused" "create box/outdir/new.txt: EPERM" create box/outdir/new.txt
probe "mkdir through '..' is refused" "mkdir box/../made: EPERM" mkdir box/../made
probe "mkdir through a link out is refused" "mkdir box/up/made: EPERM" mkdir box/up/made
probe "unlink through a link out is refused" "unlink box/up/secret.txt: EPERM" unlink box/up/secret.txt
probe "rename out of the preopen is refused" "rename box/keep.txt box/../stolen.txt: EPERM" rename box/keep.txt box/../stolen.txt
probe "rename in from outside is refused" "rename box/../secret.txt box/stolen.txt: EPERM" rename box/../secret.txt box/stolen.txt
probe "a hard link to an outside file is refused" "link box/../secret.txt box/hard: EPERM" link box/../secret.txt box/hard
probe "a hard link through a link out is refused" "link box/up/secret.txt box/hard: EPERM" link box/up/secret.txt box/hard
probe "creating an absolute symlink is refused" "symlink /etc/passwd box/evil: EPERM" symlink /etc/passwd box/evil
probe "an ungranted sibling directory is unreachable" "list outside: ENOTCAPABLE" list outside
if [ -e "$T/sb/made" ] || [ -e "$T/sb/stolen.txt" ] || [ -e "$T/sb/outside/new.txt" ] || [ -e "$T/sb/box/hard" ] ||
   [ -e "$T/sb/box/evil" ] || ! [ -f "$T/sb/secret.txt" ] || ! [ -f "$T/sb/box/keep.txt" ]; then
  fail "sandbox (0.2): the refused operations changed nothing on the host" "$(cd "$T/sb" && find . | sort)"
else ok "sandbox (0.2): the refused operations changed nothing on the host"; fi
out=$(cd "$T/sb" && "$WELD" run --dir box::/data "$S" open /data/keep.txt open box/keep.txt 2>&1)
[ "$out" = "$(printf 'open /data/keep.txt: ok "kept inside"\nopen box/keep.txt: ENOTCAPABLE')" ] &&
  ok "sandbox (0.2): --dir HOST::GUEST grants HOST under the name GUEST only" ||
  fail "sandbox (0.2): --dir HOST::GUEST grants HOST under the name GUEST only" "$out"
expect_fail "sandbox (0.2): --dir of a missing directory is a usage error" "cannot open directory" \
  "$WELD" run --dir "$T/nope" "$S"

# ---- versions --------------------------------------------------------------------------
# a pollable of wasi:io/poll@0.2.12 (from monotonic-clock@0.2.12) borrowed by poll@0.2.0's
# ready(): the runtime accepts the handle only if both versions bind to one host type
expect_ok "two patch versions of wasi:io/poll bind to the same host resource type" \
  "$WELD" run "$W2/versions.wasm"

# ---- errors --------------------------------------------------------------------------------
(cd "$T" && "$WELD" run "$W2/wasi/abort.wasm" x > "$T/out" 2> "$T/err"); rc=$?
if [ "$rc" = 134 ] && grep -q "trap: unreachable" "$T/err" && grep -q "#0 " "$T/err" &&
   grep -q "wasi:cli/run@0.2.*#run" "$T/err" && [ "$(cat "$T/out")" = "before abort" ]; then
  ok "a trap exits 134 with its message and backtrace"
else fail "a trap exits 134 with its message and backtrace" "exit $rc: $(cat "$T/err")"; fi
(cd "$T" && "$WELD" run "$W2/missing.wasm" > "$T/out" 2> "$T/err"); rc=$?
if [ "$rc" = 1 ] && grep -q "1 import(s) not provided" "$T/err" && grep -q "import demo:absent/api@1.0.0: func .hello." "$T/err" &&
   ! grep -q "random" "$T/err" && [ ! -s "$T/out" ]; then
  ok "missing imports are reported (in WIT terms) before anything runs"
else fail "missing imports are reported (in WIT terms) before anything runs" "exit $rc: $(cat "$T/err")"; fi
expect_fail "a component that is no command is refused before it runs" "without a wasi:cli/run export" \
  "$WELD" run "$WELD_ROOT/fixtures/crt/counter.wasm"
# --deny / --allow: a component whose imports break the policy does not run
H="$WELD_ROOT/fixtures/wasi2/wasi/hello.wasm"
expect_fail "--deny refuses a component importing a denied interface, naming it" \
  "wasi:filesystem/preopens@0.2.[0-9]*: denied by \`wasi:filesystem/\*\`" "$WELD" run "$H" --deny 'wasi:filesystem/*'
[ ! -s "$T/out" ] && ok "a refused component prints nothing of its own" || fail "a refused component prints nothing of its own" "$(cat "$T/out")"
expect_fail "--allow refuses the imports no pattern allows" "not allowed (no --allow pattern matches)" \
  "$WELD" run "$H" --allow 'wasi:cli/*' --allow 'wasi:io/*'
expect_ok "a component whose imports conform runs" "$WELD" run "$H" --deny 'wasi:sockets/*' --allow 'wasi:*'
grep -q "hello, world" "$T/out" && ok "... and prints its output" || fail "... and prints its output" "$(cat "$T/out")"
expect_fail "--deny on a core module is a usage error" "judge a component's imports" \
  "$WELD" run "$WELD_ROOT/fixtures/wasi/hello.wasm" --deny 'wasi:*'
tap_done
