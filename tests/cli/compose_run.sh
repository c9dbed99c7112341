# Composed components run on node: each is transpiled by jco (which validates it) and its
# exports are called (tests/tools/transpile-run.mjs, one node process for all). Covers the
# small fixtures (transitive, semver, a resource across instances, shared and repeated
# instances, wasm-compose's format), the demo spec, and every greeter of
# ../shared/realworld (C, Rust, JS on StarlingMonkey and on QuickJS) composed with every
# names provider (C, C++, Rust, JS). Skips when node, jco or the real components are missing.
. "$WELD_ROOT/tests/tap.sh"
C="$FIX/compose"
NM="${JCO_HOME:-}/node_modules"
if ! command -v node >/dev/null 2>&1 || [ ! -f "$NM/@bytecodealliance/jco/dist/api.js" ] ||
   [ ! -d "$NM/@bytecodealliance/preview2-shim" ]; then
  skip "composed components run on node" "node or jco/preview2-shim not installed (JCO_HOME=${JCO_HOME:-unset})"
  tap_bail
fi
mkdir -p "$T/run"
ln -s "$NM" "$T/run/node_modules"
: > "$T/list"
: > "$T/expect"
# weld_ NAME WAVE-CALL...: the same file also runs in weld (weld run --invoke), each call
# printing a WAVE value; their results, strings unquoted, joined by spaces, must equal
# jco's on node for that file
: > "$T/weld"
weld_() {
  name=$1; shift
  for c in "$@"; do printf '%s\t%s\n' "$name" "$c" >> "$T/weld"; done
}
# case NAME EXPECTED CALL... : the composed $T/run/NAME.wasm, its calls and expected results
case_() {
  name=$1 want=$2; shift 2
  printf '%s\t%s' "$T/run/$name.wasm" "$T/run/out-$name" >> "$T/list"
  for c in "$@"; do printf '\t%s' "$c" >> "$T/list"; done
  printf '\n' >> "$T/list"
  printf '%s\t%s\n' "$T/run/$name.wasm" "$want" >> "$T/expect"
}
# compose_ DESC NAME CMD...: run a composition; on success register nothing (case_ does)
compose_() {
  d=$1; shift
  if "$@" >"$T/out" 2>"$T/err"; then ok "$d"; else fail "$d" "$(cat "$T/err")"; fi
}
cat > "$T/semver.yaml" <<Y
components: { calc: $C/calc.wasm, old: $C/adder.wasm, new: $C/adder-023.wasm }
exports: [calc/run]
Y
cat > "$T/shared.yaml" <<Y
components: { tally: $C/tally.wasm, ticker: $C/ticker.wasm }
instances:
  counter: { component: tally }
  a: { component: ticker, args: { "t:tally/tally@0.1.0": counter } }
  b: { component: ticker, args: { "t:tally/tally@0.1.0": counter } }
exports: [{ instance: a, export: tick, as: tick-a }, { instance: b, export: tick, as: tick-b }]
Y
cat > "$T/multi.yaml" <<Y
components: { tally: $C/tally.wasm, ticker: $C/ticker.wasm }
instances:
  t1: { component: tally }
  t2: { component: tally }
  a: { component: ticker, args: { "t:tally/tally@0.1.0": t1 } }
  b: { component: ticker, args: { "t:tally/tally@0.1.0": t2 } }
exports: [{ instance: a, export: tick, as: tick-a }, { instance: b, export: tick, as: tick-b }]
Y
compose_ "compose calc + adder" "$WELD" plug "$C/calc.wasm" --plug "$C/adder.wasm" -o "$T/run/calc.wasm"
case_ calc 6 run:5
weld_ calc 'run(5)'
compose_ "compose quad <- doubler <- adder (transitive)" \
  "$WELD" plug "$C/quad.wasm" --plug "$C/doubler.wasm" --plug "$C/adder.wasm" -o "$T/run/quad.wasm"
case_ quad 12 run:3
weld_ quad 'run(3)'
compose_ "compose with the highest compatible version" "$WELD" compose "$T/semver.yaml" -o "$T/run/semver.wasm"
case_ semver 1006 run:5
weld_ semver 'run(5)'
compose_ "compose counter-user <- counter (resource)" \
  "$WELD" plug "$C/counter-user.wasm" --plug "$C/counter.wasm" -o "$T/run/counter.wasm"
case_ counter 7 run:5
weld_ counter 'run(5)'
compose_ "compose two tickers sharing one tally" "$WELD" compose "$T/shared.yaml" -o "$T/run/shared.wasm"
case_ shared "1 2 3" tickA tickB tickA
weld_ shared 'tick-a()' 'tick-b()' 'tick-a()'
compose_ "compose two tickers with a tally each" "$WELD" compose "$T/multi.yaml" -o "$T/run/multi.wasm"
case_ multi "1 1 2" tickA tickB tickA
weld_ multi 'tick-a()' 'tick-b()' 'tick-a()'
compose_ "compose compose-specs/shared.yaml" "$WELD" compose "$WELD_ROOT/compose-specs/shared.yaml" -o "$T/run/shared-example.wasm"
case_ shared-example "1 2 1 3" tickA tickB tickC tickA
weld_ shared-example 'tick-a()' 'tick-b()' 'tick-c()' 'tick-a()'
compose_ "compose in wasm-compose's form" \
  "$WELD" compose "$C/quad.wasm" -d "$C/doubler.wasm" -d "$C/adder.wasm" -o "$T/run/wc-quad.wasm"
case_ wc-quad 20 run:5
weld_ wc-quad 'run(5)'
compose_ "compose the demo spec (C app + JS text provider)" \
  "$WELD" compose "$WELD_ROOT/compose-specs/demo.yaml" -o "$T/run/demo.wasm"
case_ demo "HELLO COMPOSED WORLD (3 words)" "describe:hello composed world"
weld_ demo 'describe("hello composed world")'

# a chain of 40 distinct links after a start (fixtures/compose/link.wasm renamed per link,
# as the benchmark does): step(x) = x + 40
mkdir -p "$T/chain"
{
  echo "components:"
  echo "  start: $C/chain-start.wasm"
  for i in $(seq 1 40); do printf '  l%d: link-%04d.wasm\n' "$i" "$i"; done
  echo "options: { auto-plug: true }"
} > "$T/chain/chain.yaml"
for i in $(seq 1 40); do
  LC_ALL=C sed "s/s0001/s$(printf %04d "$i")/; s/s0000/s$(printf %04d $((i - 1)))/" "$C/link.wasm" \
    > "$T/chain/link-$(printf %04d "$i").wasm"
done
compose_ "compose a chain of 40 links (auto-plugged)" "$WELD" compose "$T/chain/chain.yaml" -o "$T/run/chain.wasm"
case_ chain 42 "s0040.step:2"
weld_ chain 's0040#step(2)'

R=${WELD_REALWORLD_DIR:-}
if [ -n "$R" ] && [ -f "$R/.built" ]; then
  for g in greeter-c greeter-rust greeter-js greeter-qjs; do
    for n in names-c names-cpp names-rust names-js; do
      case $n in names-c) lang=C ;; names-cpp) lang=C++ ;; names-rust) lang=Rust ;; *) lang=JavaScript ;; esac
      if [ -f "$R/$g.wasm" ] && [ -f "$R/$n.wasm" ]; then
        compose_ "compose $g with $n" "$WELD" plug "$R/$g.wasm" --plug "$R/$n.wasm" -o "$T/run/$g+$n.wasm"
        case_ "$g+$n" "Hello, $lang!" greet:Hello
        weld_ "$g+$n" 'greet("Hello")'
      else
        skip "compose $g with $n" "$R/$g.wasm or $R/$n.wasm not built"
      fi
    done
  done
  # each greeter composed by a YAML spec (weld compose) with the C++ names provider
  for g in greeter-c greeter-rust greeter-js greeter-qjs; do
    if [ -f "$R/$g.wasm" ] && [ -f "$R/names-cpp.wasm" ]; then
      printf 'components: { app: %s, names: %s }\ninstances:\n  names: { component: names }\n  app: { component: app, args: { "demo:greeter/names@0.1.0": names } }\nexports: [app/greet]\n' \
        "$R/$g.wasm" "$R/names-cpp.wasm" > "$T/$g-spec.yaml"
      compose_ "compose $g with names-cpp from a YAML spec" "$WELD" compose "$T/$g-spec.yaml" -o "$T/run/spec-$g.wasm"
      case_ "spec-$g" "Hello, C++!" greet:Hello
      weld_ "spec-$g" 'greet("Hello")'
    fi
  done
  # the names providers alone
  for n in names-c names-cpp names-rust names-js; do
    case $n in names-c) lang=C ;; names-cpp) lang=C++ ;; names-rust) lang=Rust ;; *) lang=JavaScript ;; esac
    if [ -f "$R/$n.wasm" ]; then
      cp "$R/$n.wasm" "$T/run/$n.wasm"
      case_ "$n" "$lang" names.getName
      weld_ "$n" 'demo:greeter/names@0.1.0#get-name()'
    fi
  done
else
  skip "every realworld greeter composed with every names provider" "realworld components not built (${R:-WELD_REALWORLD_DIR unset}/.built missing)"
fi

# transpile (jco validates) and run them all in one node process; QuickJS needs extended-const
(cd "$T/run" && node --experimental-wasm-extended-const "$WELD_ROOT/tests/tools/transpile-run.mjs" \
  < "$T/list" > "$T/results" 2>"$T/node.err")
while IFS="$(printf '\t')" read -r file want; do
  name=$(basename "$file" .wasm)
  line=$(grep -F "	$file	" "$T/results" | head -1)
  got=${line#*"$file"	}
  case $line in
    ok*) case $got in
           "$want"*) ok "$name: jco transpiles it and it runs on node: $got" ;;
           *) fail "$name: runs on node" "expected '$want', got '$got'" ;;
         esac ;;
    *) fail "$name: jco transpiles it and it runs on node" "${line:-no result} $(tail -3 "$T/node.err")" ;;
  esac
done < "$T/expect"

# the same files in weld's own runtime (all of a file's calls in one `weld run`, on one
# instance, as jco makes them), compared with what jco printed for them
weld_ok=0
while IFS="$(printf '\t')" read -r name call; do
  printf '%s\n' "$call" >> "$T/calls-$name"
done < "$T/weld"
for f in "$T"/calls-*; do
  [ -f "$f" ] || continue
  name=${f##*/calls-}
  file="$T/run/$name.wasm"
  line=$(grep -F "	$file	" "$T/results" | head -1)
  jco_got=${line#*"$file"	}
  set --
  while read -r call; do set -- "$@" --invoke "$call"; done < "$f"
  if out=$("$WELD" run "$file" "$@" 2>"$T/weld.err"); then
    got=$(printf '%s\n' "$out" | sed 's/^"\(.*\)"$/\1/' | paste -sd' ')
    if [ "$got" = "$jco_got" ]; then ok "$name: runs in weld with jco's result: $got"; weld_ok=$((weld_ok + 1))
    else fail "$name: runs in weld with jco's result" "weld '$got', jco '$jco_got'"; fi
  else
    fail "$name: runs in weld" "exit $? $(head -3 "$T/weld.err")"
  fi
done
echo "# $weld_ok components ran in weld with the same results as on jco"
tap_done
