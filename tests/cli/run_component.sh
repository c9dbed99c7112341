# weld run COMPONENT --invoke 'NAME(ARGS)': WAVE arguments and results of every kind,
# exported-instance names, bad arguments, unknown functions, traps, imports, usage.
. "$WELD_ROOT/tests/tap.sh"
C="$FIX/run-component/values.wasm"

# call DESC EXPR WANT: the call exits 0 and prints exactly WANT on stdout, nothing on stderr
call() {
  d=$1 expr=$2 want=$3
  out=$("$WELD" run "$C" --invoke "$expr" 2>"$T/err"); rc=$?
  if [ "$rc" -eq 0 ] && [ "$out" = "$want" ] && [ ! -s "$T/err" ]; then ok "$d"
  else fail "$d" "exit $rc, stdout [$out], stderr [$(cat "$T/err")], expected [$want]"; fi
}
# bad DESC EXPR CODE TEXT: the call exits CODE, prints nothing on stdout, stderr contains TEXT
bad() {
  d=$1 expr=$2 code=$3 text=$4
  out=$("$WELD" run "$C" --invoke "$expr" 2>"$T/err"); rc=$?
  if [ "$rc" -eq "$code" ] && [ -z "$out" ] && grep -qF -- "$text" "$T/err"; then ok "$d"
  else fail "$d" "exit $rc (expected $code), stdout [$out], stderr [$(cat "$T/err")], expected [$text]"; fi
}

call "a string through escapes and UTF-8" 'echo("hi\n\u{1F44B} \"q\"")' '"hi\n👋 \"q\""'
call "a multiline string argument" "$(printf 'echo("""\n  two\n  lines\n  """)')" '"two\nlines"'
call "a record argument (fields in any order)" 'point-sum({y: -5, x: 2})' '-3'
call "a record result" 'make-point(3, -4)' '{x: 3, y: -4}'
call "a list<u8> argument" 'len([1, 2, 3])' '3'
call "a list<u32> argument, u64 result" 'sum([1, 2, 4294967295])' '4294967298'
call "a list<u8> result" 'iota(5)' '[0, 1, 2, 3, 4]'
call "an empty list result" 'iota(0)' '[]'
call "a variant case without payload" 'classify(-3)' 'neg'
call "a variant case with payload" 'classify(7)' 'pos(7)'
call "result ok" 'check(5)' 'ok(10)'
call "result err" 'check(500)' 'err("too big")'
call "flags (printed in declaration order)" 'flags-id({exec, read,})' '{read, exec}'
call "empty flags" 'flags-id({})' '{}'
call "an enum" 'next-color(blue)' 'red'
call "a char" "upper('q')" "'Q'"
call "f64 from an integer literal" 'half(3)' '1.5'
call "f64 infinity" 'half(-inf)' '-inf'
call "tuples" 'swap((7, "x"))' '("x", 7)'
call "option some" 'maybe-len(some("abc"))' 'some(3)'
call "option none" 'maybe-len(none)' 'none'
call "a flat option argument" 'maybe-len("ab")' 'some(2)'
call "a trailing option argument left out" 'maybe-len()' 'none'
call "whitespace and comments around arguments" "$(printf 'point-sum( // p\n {x: 1, y: 1} )')" '2'
call "no result prints nothing" 'nothing()' ''
call "a bare name calls without arguments" 'nothing' ''
call "an exported instance's function, full name" 'weld:test/math@1.0.0#add(2, 3)' '5'
call "an exported instance's function, interface name" 'math#add(4, 5)' '9'

bad "a wrong argument type names the parameter and its WIT type" 'echo(3)' 1 \
  'argument `s`: expected `string`, found number 3'
"$WELD" run "$C" --invoke 'echo(3)' 2>"$T/err" >/dev/null
if grep -qF -- '--invoke:1:6:' "$T/err" && grep -qF '      |      ^' "$T/err"; then ok "the argument error points at its column"
else fail "the argument error points at its column" "$(cat "$T/err")"; fi
bad "an integer out of range" 'len([1, 256])' 1 'number 256 is out of range for `u8` (0 to 255)'
bad "a record with a missing field" 'point-sum({x: 1})' 1 'missing field `y` (of type `s32`)'
bad "an unknown variant case" 'next-color(purple)' 1 '`enum {red, green, blue}` has no case `purple`'
bad "too few arguments" 'div(1)' 1 'missing argument `b` (of type `u32`): the function takes 2 arguments (a: u32, b: u32)'
bad "too many arguments" 'echo("a", "b")' 1 'too many arguments: the function takes 1 argument (s: string)'
bad "an unclosed call" 'echo("a"' 1 'expected `)` to close the arguments of `echo`'
bad "an unknown function lists the exports" 'nope()' 1 'no exported function `nope`; the component exports:'
"$WELD" run "$C" --invoke 'nope()' 2>"$T/err" >/dev/null
if grep -qF '  echo: func(s: string) -> string' "$T/err" && grep -qF '  weld:test/math@1.0.0#add: func(a: u32, b: u32) -> u32' "$T/err"
then ok "the export list shows names and types"; else fail "the export list shows names and types" "$(cat "$T/err")"; fi
bad "a function of an unknown instance" 'nomath#add(1, 2)' 1 'no exported function `nomath#add`'

bad "a trap exits 134 with its message" 'div(1, 0)' 134 'weld: trap: integer divide by zero'
"$WELD" run "$C" --invoke 'div-via(0)' 2>"$T/err" >/dev/null
if grep -q '#0 div' "$T/err" && grep -q '#1 ' "$T/err"; then ok "a trap prints the backtrace, innermost first"
else fail "a trap prints the backtrace, innermost first" "$(cat "$T/err")"; fi

expect_fail "a component with imports lists the missing ones" 'import demo:greeter/names@0.1.0' \
  "$WELD" run "$FIX/crt/greet.wasm" --invoke 'greet("x")'
out=$("$WELD" run "$FIX/crt/greet-names.wasm" --invoke 'greet("Hello")' 2>&1)
[ "$out" = '"Hello, weld!"' ] && ok "a composed component runs" || fail "a composed component runs" "$out"
expect_fail "a component that is not a command needs --invoke" "give --invoke 'NAME(ARGS)'" "$WELD" run "$C"
expect_fail "arguments go inside the --invoke text" "go inside the --invoke text" "$WELD" run "$C" --invoke len 1
"$WELD" help run > "$T/help"
grep -q "COMPONENT --invoke 'NAME(ARGS)'" "$T/help" && ok "weld help run describes components" || fail "weld help run describes components"
expect_fail "--fuel stops an endless loop in a component" "weld: trap: all fuel consumed" \
  "$WELD" run --fuel 100000 "$C" --invoke 'spin()'
"$WELD" run --fuel 100000 "$C" --invoke 'spin()' 2>/dev/null; rc=$?
[ "$rc" -eq 134 ] && ok "running out of fuel exits 134" || fail "running out of fuel exits 134" "exit $rc"
tap_done
