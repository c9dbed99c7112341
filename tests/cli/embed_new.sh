# weld embed and weld new: core modules to components. Fixtures (fixtures/new, WAT sources
# and build.sh) cover the naming conventions and the error cases; with node and jco
# present, weld's and jco's outputs are checked against each other (each tool accepts the
# other's embedded module, weld's components read under jco, and `weld wit` of weld's
# component equals `jco wit` of jco's), and so are the real core modules of
# $WELD_REALWORLD_DIR (reactors fused with jco's preview1 reactor adapter; the commands,
# which need the command adapter's exports lifted, are not done yet).
. "$WELD_ROOT/tests/tap.sh"
N="$FIX/new"

# ---- weld alone ----
expect_ok "new --wit: rich world (resources, records, variants, lists, used types, \$root import)" \
  "$WELD" new "$N/rich.core.wasm" --wit "$N/rich.wit" -o "$T/rich.wasm"
expect_ok "the rich component validates" "$WELD" validate "$T/rich.wasm"
if "$WELD" wit "$T/rich.wasm" > "$T/rich.wit" 2>"$T/err" && grep -q 'import test:rich/types@1.0.0;' "$T/rich.wit" &&
   grep -q 'import log: func(msg: string);' "$T/rich.wit" && grep -q 'export run: func(n: u32) -> tuple<u32, string>;' "$T/rich.wit" &&
   grep -q 'export test:rich/api@1.0.0;' "$T/rich.wit"; then ok "the rich component's world"
else fail "the rich component's world" "$(cat "$T/err" "$T/rich.wit")"; fi
if "$WELD" wit "$T/rich.wasm" --json > "$T/rich.json" 2>"$T/err" &&
   python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
api=[i for i in d['interfaces'] if i['name']=='api'][0]
assert sorted(api['functions'])==['area','many','mirror'], api['functions']
assert 'pair' in api['types'] and 'point' in api['types']
" "$T/rich.json" 2>>"$T/err"; then ok "the exported interface keeps its functions and named types"
else fail "the exported interface keeps its functions and named types" "$(cat "$T/err")"; fi

expect_ok "new --wit: an exported resource (intrinsics, destructor, methods, static)" \
  "$WELD" new "$N/counter.core.wasm" --wit "$N/counter.wit" -o "$T/counter.wasm"
expect_ok "the resource component validates" "$WELD" validate "$T/counter.wasm"
if "$WELD" wit "$T/counter.wasm" --json > "$T/counter.json" 2>"$T/err" &&
   python3 -c "
import json,sys
d=json.load(open(sys.argv[1]))
api=[i for i in d['interfaces'] if i['name']=='api'][0]
assert sorted(api['functions'])==['[constructor]counter','[method]counter.bump','[method]counter.name','[static]counter.merge','total'], api['functions']
assert list(api['types'])==['counter']
" "$T/counter.json" 2>>"$T/err"; then ok "the exported resource and its functions"
else fail "the exported resource and its functions" "$(cat "$T/err")"; fi
if "$WELD" print "$T/counter.wasm" | grep -q '(resource (rep i32) (dtor'; then ok "the resource has the module's destructor"
else fail "the resource has the module's destructor"; fi

expect_ok "embed greeter world" "$WELD" embed "$N/greeter.core.wasm" --wit "$N/greeter.wit" --world greeter -o "$T/g.embed.wasm"
expect_ok "the embedded module validates" "$WELD" validate "$T/g.embed.wasm"
if "$WELD" dump "$T/g.embed.wasm" | grep -q '"component-type"'; then ok "embed adds a component-type section"
else fail "embed adds a component-type section"; fi
expect_ok "new from the embedded module" "$WELD" new "$T/g.embed.wasm" -o "$T/g1.wasm"
expect_ok "new --wit --world in one step" "$WELD" new "$N/greeter.core.wasm" --wit "$N/greeter.wit" --world greeter -o "$T/g2.wasm"
if cmp -s "$T/g1.wasm" "$T/g2.wasm"; then ok "embed then new equals new --wit"; else fail "embed then new equals new --wit"; fi
expect_ok "re-embedding replaces the section" "$WELD" embed "$T/g.embed.wasm" --wit "$N/greeter.wit" --world greeter -o "$T/g.embed2.wasm"
if cmp -s "$T/g.embed.wasm" "$T/g.embed2.wasm"; then ok "embedding twice gives the same module"; else fail "embedding twice gives the same module"; fi
expect_ok "string encoding utf16" "$WELD" new "$N/greeter.core.wasm" --wit "$N/greeter.wit" --world greeter --string-encoding utf16 -o "$T/g16.wasm"
if "$WELD" print "$T/g16.wasm" | grep -q 'string-encoding=utf16'; then ok "utf16 reaches the canon options"
else fail "utf16 reaches the canon options"; fi

expect_ok "new: world-level types used by an import and an export" "$WELD" new "$N/worldtypes.core.wasm" --wit "$N/worldtypes.wit" -o "$T/wt.wasm"
expect_ok "the world-types component validates" "$WELD" validate "$T/wt.wasm"

# ---- the newer core names (cm32p2) ----
expect_ok "new: cm32p2 names (imports, exports, _post, _memory, _realloc, _initialize, @1)" \
  "$WELD" new "$N/cm32p2.core.wasm" --wit "$N/rich.wit" -o "$T/cm.wasm"
expect_ok "the cm32p2 component validates" "$WELD" validate "$T/cm.wasm"
if "$WELD" print "$T/cm.wasm" | grep -q 'post-return' && "$WELD" print "$T/cm.wasm" | grep -q '"cm32p2_initialize"'; then
  ok "cm32p2: post-return and initialize found"
else fail "cm32p2: post-return and initialize found"; fi

# ---- --realloc synthesize ----
expect_ok "new --realloc synthesize: a string parameter without the module's cabi_realloc" \
  "$WELD" new "$N/echo.core.wasm" --wit "$N/echo.wit" --realloc synthesize -o "$T/echo.wasm"
expect_ok "the component with weld's realloc validates" "$WELD" validate "$T/echo.wasm"
if "$WELD" print "$T/echo.wasm" | grep -q '(realloc'; then ok "the lift uses the synthesized realloc"
else fail "the lift uses the synthesized realloc"; fi
expect_ok "--realloc synthesize leaves a module's own cabi_realloc alone" \
  "$WELD" new "$N/greeter.core.wasm" --wit "$N/greeter.wit" --world greeter --realloc synthesize -o "$T/g3.wasm"
if cmp -s "$T/g3.wasm" "$T/g1.wasm"; then ok "... the same component as without it"; else fail "... the same component as without it"; fi
expect_fail "new: --realloc takes synthesize" 'takes `synthesize`' "$WELD" new "$N/echo.core.wasm" --realloc bump -o "$T/e.wasm"

# ---- error cases ----
err() { # NAME PATTERN
  expect_fail "new $1: $2" "$2" "$WELD" new "$N/$1.core.wasm" --wit "$N/greeter.wit" --world greeter -o "$T/e.wasm"
  [ -e "$T/e.wasm" ] && fail "new $1 writes nothing" || ok "new $1 writes nothing"
}
err err-import-func 'core import `demo:greeter/names@0.1.0` `get-nome`: interface .* has no function'
err err-import-module 'core import `other:pkg/thing` `f` matches nothing that world `greeter` imports'
err err-import-type 'offset 0x[0-9a-f]*: core import `demo:greeter/names@0.1.0` `get-name` has type (func (result i32)), but .* needs (func (param i32))'
err err-import-memory 'core import `env` `memory` is not a function'
err err-missing-export 'exports `greet`, but the core module exports no function `greet` (func (param i32 i32) (result i32))'
err err-export-type 'core export `greet` has type (func (param i32) (result i32)), but .* needs (func (param i32 i32) (result i32))'
err err-extra-export 'core export `frob` matches nothing that world `greeter` exports'
err err-no-memory 'must export `memory`'
err err-no-realloc 'must export `cabi_realloc`'
sed 's/\[resource-rep\]counter/[resource-rep]countr/' "$N/counter.wat" > "$T/c.wat"
if command -v wat2wasm >/dev/null && wat2wasm "$T/c.wat" -o "$T/c.wasm" 2>/dev/null; then
  expect_fail "new: an [export] intrinsic naming no exported resource" 'core import `\[export\]test:counter/api@0.1.0` `\[resource-rep\]countr` names no resource' \
    "$WELD" new "$T/c.wasm" --wit "$N/counter.wit" -o "$T/e.wasm"
else skip "new: an [export] intrinsic naming no exported resource" "wat2wasm not installed"; fi
expect_fail "new: a preview1 import without an adapter" 'core import `wasi_snapshot_preview1` `fd_write` matches nothing .*fuse a preview1 adapter' \
  "$WELD" new "$N/p1.core.wasm" --wit "$N/greeter.wit" --world greeter -o "$T/e.wasm"
expect_fail "new: an adapter without a component-type section" 'the adapter has no `component-type` section' \
  "$WELD" new "$N/p1.core.wasm" --wit "$N/greeter.wit" --world greeter --adapt "wasi_snapshot_preview1=$N/echo.core.wasm" -o "$T/e.wasm"
expect_fail "new: --adapt takes NAME=FILE" 'takes NAME=ADAPTER.wasm' "$WELD" new "$N/p1.core.wasm" --adapt x.wasm -o "$T/e.wasm"
expect_fail "new without a component-type section" 'no `component-type` section' "$WELD" new "$N/greeter.core.wasm" -o "$T/e.wasm"
expect_fail "embed: a package with two worlds needs --world" 'pick one with --world' "$WELD" embed "$N/greeter.core.wasm" --wit "$N/greeter.wit" -o "$T/e.wasm"
expect_fail "embed: unknown world" 'nope' "$WELD" embed "$N/greeter.core.wasm" --wit "$N/greeter.wit" --world nope -o "$T/e.wasm"
expect_fail "embed: unknown string encoding" 'unknown string encoding' "$WELD" embed "$N/greeter.core.wasm" --wit "$N/greeter.wit" --world greeter --string-encoding ebcdic -o "$T/e.wasm"
expect_fail "new: a component is not a core module" 'not a core module' "$WELD" new "$T/rich.wasm" -o "$T/e.wasm"
expect_fail "new: -o is required" 'expected -o' "$WELD" new "$N/greeter.core.wasm"

# ---- against jco ----
JCO_CHECKS_FIX=45
RW_CHECKS=30 # 4 for each of the 7 real core modules, and a run for each of the 2 commands
if ! command -v node >/dev/null 2>&1 || [ ! -f "${JCO_HOME:-$HOME/.cache/weld/npm}/node_modules/@bytecodealliance/jco/package.json" ]; then
  skip "weld and jco agree on fixtures/new ($JCO_CHECKS_FIX checks)" "node or jco not installed"
  skip "weld new on the real core modules agrees with jco ($RW_CHECKS checks)" "node or jco not installed"
  skip "weld's components composed and run on node (7 checks)" "node or jco not installed"
  tap_bail
fi
. "$WELD_ROOT/fixtures/tools/npm-tools.sh"
# the WIT text of a component, blank lines dropped (jco ends with an empty line)
jwit() { jco wit "$1" > "$2.raw" 2>"$T/jerr" && sed '/^$/d' "$2.raw" > "$2"; }
wwit() { "$WELD" wit "$1" > "$2.raw" 2>"$T/werr" && sed '/^$/d' "$2.raw" > "$2"; }
agree() { # DESC CORE WIT WORLD
  desc=$1 core=$2 wit=$3 world=$4 b=$T/$(basename "$core" .core.wasm)
  if jco embed "$core" --wit "$wit" -n "$world" -o "$b.j.embed.wasm" >/dev/null 2>"$T/jerr" &&
     jco new "$b.j.embed.wasm" -o "$b.j.wasm" >/dev/null 2>>"$T/jerr"; then ok "$desc: jco embed + new"
  else fail "$desc: jco embed + new" "$(cat "$T/jerr")"; return; fi
  expect_ok "$desc: weld new accepts jco's embedded module" "$WELD" new "$b.j.embed.wasm" -o "$b.wj.wasm"
  expect_ok "$desc: weld embed" "$WELD" embed "$core" --wit "$wit" --world "$world" -o "$b.w.embed.wasm"
  if jco new "$b.w.embed.wasm" -o "$b.jw.wasm" >/dev/null 2>"$T/jerr"; then ok "$desc: jco new accepts weld's embedded module"
  else fail "$desc: jco new accepts weld's embedded module" "$(cat "$T/jerr")"; fi
  "$WELD" new "$b.w.embed.wasm" -o "$b.w.wasm" 2>"$T/werr"
  expect_ok "$desc: weld validate" "$WELD" validate "$b.w.wasm"
  if jwit "$b.w.wasm" "$b.w-by-jco.wit"; then ok "$desc: jco reads weld's component"
  else fail "$desc: jco reads weld's component" "$(cat "$T/werr" "$T/jerr")"; fi
  if wwit "$b.w.wasm" "$b.w.wit" && jwit "$b.j.wasm" "$b.j.wit" && cmp -s "$b.w.wit" "$b.j.wit"; then
    ok "$desc: weld wit of weld's component equals jco wit of jco's"
  else fail "$desc: weld wit of weld's component equals jco wit of jco's" "$(cat "$T/werr" "$T/jerr"; diff "$b.w.wit" "$b.j.wit")"; fi
}
agree "fixture rich" "$N/rich.core.wasm" "$N/rich.wit" rich
agree "fixture counter" "$N/counter.core.wasm" "$N/counter.wit" counters
agree "fixture worldtypes (world-level types)" "$N/worldtypes.core.wasm" "$N/worldtypes.wit" wl
agree "fixture cm32p2 (newer core names)" "$N/cm32p2.core.wasm" "$N/rich.wit" rich
agree "fixture greeter" "$N/greeter.core.wasm" "$N/greeter.wit" greeter

# jco's dummy modules for each fixture world (the newer cm32p2 names, resource intrinsics
# R_drop/R_new/R_rep/R_dtor): weld new gives the WIT jco new gives
for spec in rich.wit:rich counter.wit:counters greeter.wit:greeter greeter.wit:name-provider worldtypes.wit:wl echo.wit:echo \
            handlers.wit:server handlers.wit:server2 handlers.wit:server3 handlers.wit:all; do
  wit=${spec%%:*} world=${spec##*:}
  if jco embed --dummy --wit "$N/$wit" -n "$world" -o "$T/d-$world.wasm" >/dev/null 2>"$T/jerr" &&
     jco new "$T/d-$world.wasm" -o "$T/dj-$world.wasm" >/dev/null 2>>"$T/jerr" &&
     "$WELD" new "$T/d-$world.wasm" -o "$T/dw-$world.wasm" 2>"$T/werr" && "$WELD" validate "$T/dw-$world.wasm" 2>>"$T/werr" &&
     wwit "$T/dw-$world.wasm" "$T/dw-$world.wit" && jwit "$T/dj-$world.wasm" "$T/dj-$world.wit" &&
     cmp -s "$T/dw-$world.wit" "$T/dj-$world.wit"; then
    ok "jco's dummy module for $world: weld new validates and gives jco's WIT"
  else fail "jco's dummy module for $world: weld new validates and gives jco's WIT" "$(cat "$T/jerr" "$T/werr"; diff "$T/dw-$world.wit" "$T/dj-$world.wit" 2>&1 | head -5)"; fi
done

RW=${WELD_REALWORLD_DIR:-$WELD_CACHE/realworld-out}
if ! ls "$RW"/*.core.wasm >/dev/null 2>&1; then
  skip "weld new on the real core modules agrees with jco ($RW_CHECKS checks)" "no real core modules in $RW"
  skip "weld's components composed and run on node (7 checks)" "no real core modules in $RW"
  tap_bail
fi
AD_R=${JCO_HOME:-$WELD_CACHE/npm}/node_modules/@bytecodealliance/jco/lib/wasi_snapshot_preview1.reactor.wasm
AD_C=${AD_R%.reactor.wasm}.command.wasm
for core in "$RW"/*.core.wasm; do
  name=$(basename "$core" .core.wasm)
  case $name in
    names-*) world=name-provider ;;
    greeter-*) world=greeter ;;
    *) world= ;;
  esac
  adapt= made=$name
  if "$WELD" print "$core" 2>/dev/null | grep -q '(import "wasi_snapshot_preview1"'; then
    ad=$AD_R
    # a module without a world of its own exporting _start is a command (as jco new --wasi-command)
    if [ -z "$world" ]; then ad=$AD_C; made=${name%-c}-cmd; fi
    [ -f "$ad" ] || { skip "real $name: weld new" "no preview1 adapter at $ad"; continue; }
    adapt="--adapt wasi_snapshot_preview1=$ad"
  fi
  wit_args="--wit $N/greeter.wit --world $world"
  [ -n "$world" ] || wit_args=
  b=$T/rw-$name
  # shellcheck disable=SC2086
  expect_ok "real $name: weld new ${world:+--world $world} ${adapt:+--adapt $(basename "$ad")}" "$WELD" new "$core" $wit_args $adapt -o "$b.wasm"
  expect_ok "real $name: weld validate" "$WELD" validate "$b.wasm"
  if jwit "$b.wasm" "$b.by-jco.wit"; then ok "real $name: jco reads weld's component"
  else fail "real $name: jco reads weld's component" "$(cat "$T/jerr")"; fi
  if [ -f "$RW/$made.wasm" ] && wwit "$b.wasm" "$b.w.wit" && jwit "$RW/$made.wasm" "$b.j.wit" && cmp -s "$b.w.wit" "$b.j.wit"; then
    ok "real $name: weld wit equals jco wit of $made.wasm"
  else fail "real $name: weld wit equals jco wit of $made.wasm" "$(cat "$T/werr" "$T/jerr"; diff "$b.w.wit" "$b.j.wit")"; fi
  if [ -z "$world" ]; then
    # the command runs under jco (node), printing what jco's own component prints
    jco run "$b.wasm" > "$b.out" 2>&1; jco run "$RW/$made.wasm" > "$b.jout" 2>&1
    if [ -s "$b.out" ] && cmp -s "$b.out" "$b.jout"; then ok "real $name: weld's command runs like $made.wasm: $(head -1 "$b.out")"
    else fail "real $name: weld's command runs like $made.wasm" "$(head -5 "$b.out"; echo ---; head -5 "$b.jout")"; fi
  fi
done

# weld's reactor components composed (weld plug) and run on node: greeter x names
NMOD=${JCO_HOME:-$WELD_CACHE/npm}/node_modules
if [ -d "$NMOD/@bytecodealliance/preview2-shim" ] && [ -f "$T/rw-greeter-c.wasm" ]; then
  mkdir -p "$T/run"
  ln -s "$NMOD" "$T/run/node_modules"
  : > "$T/list"
  for g in greeter-c greeter-rust; do
    for n in names-c names-cpp names-rust; do
      [ -f "$T/rw-$g.wasm" ] && [ -f "$T/rw-$n.wasm" ] || continue
      if "$WELD" plug "$T/rw-$g.wasm" --plug "$T/rw-$n.wasm" -o "$T/run/$g+$n.wasm" 2>"$T/err"; then
        printf '%s\t%s\t%s\n' "$T/run/$g+$n.wasm" "$T/run/out-$g+$n" "greet:Hello" >> "$T/list"
      else fail "weld plug of weld's $g and $n" "$(cat "$T/err")"; fi
    done
  done
  cp "$T/echo.wasm" "$T/run/echo.wasm"
  printf '%s\t%s\t%s\t%s\n' "$T/run/echo.wasm" "$T/run/out-echo" "echo:hello-realloc" "echo:again" >> "$T/list"
  (cd "$T/run" && node --experimental-wasm-extended-const "$WELD_ROOT/tests/tools/transpile-run.mjs" \
    < "$T/list" > "$T/results" 2>"$T/node.err")
  while IFS="$(printf '\t')" read -r file _out _call; do
    name=$(basename "$file" .wasm)
    case $name in *+names-c) want="Hello, C!" ;; *+names-cpp) want="Hello, C++!" ;; echo) want="hello-realloc again" ;; *) want="Hello, Rust!" ;; esac
    line=$(grep -F "	$file	" "$T/results" | head -1)
    got=${line#*"$file"	}
    case $line in
      ok*) case $got in "$want"*) ok "weld's $name runs on node: $got" ;; *) fail "weld's $name runs on node" "expected '$want', got '$got'" ;; esac ;;
      *) fail "weld's $name runs on node" "${line:-no result} $(tail -3 "$T/node.err")" ;;
    esac
  done < "$T/list"
  # the same compositions in weld's own runtime (same expected greetings as on node)
  while IFS="$(printf '\t')" read -r file _out call; do
    name=$(basename "$file" .wasm)
    case $name in *+names-c) want="Hello, C!" ;; *+names-cpp) want="Hello, C++!" ;; echo) continue ;; *) want="Hello, Rust!" ;; esac
    got=$("$WELD" run "$file" --invoke 'greet("Hello")' 2>"$T/err")
    case $got in "\"$want"*) ok "weld's $name runs in weld: $got" ;;
      *) fail "weld's $name runs in weld" "expected '$want', got '$got' $(head -3 "$T/err")" ;; esac
  done < "$T/list"
else
  skip "weld's components composed and run on node and in weld (13 checks)" "preview2-shim or the real components missing"
fi
tap_done
