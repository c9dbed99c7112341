# Go guests made components with weld new (fixtures/go: committed .wasm, rebuilt by its
# build.sh with Go 1.26, clang and wabt; the tests need none of them):
#  - a Go command (wasip1) fused with jco's preview1 command adapter runs in weld as the
#    core module does (stdout, stderr, exit code, files); with node and jco, also as
#    jco runs it, and its WIT is the WIT of jco new's component;
#  - a Go reactor (-buildmode=c-shared, //go:wasmexport with the Canonical ABI written
#    by hand) exporting weld:gotext/text, composed with a C component that imports it
#    (weld plug) and run in weld, and on node;
#  - @wasm-fmt/gofmt's TinyGo module (from the interop corpus, tests/corpus/collect.sh)
#    with fixtures/go/gofmt's glue: formats Go source in weld as the npm package does on node.
. "$WELD_ROOT/tests/tap.sh"
G="$FIX/go"
NMOD=${JCO_HOME:-${WELD_CACHE:-$HOME/.cache/weld}/npm}/node_modules
AD_R=$NMOD/@bytecodealliance/jco/lib/wasi_snapshot_preview1.reactor.wasm
AD_C=$NMOD/@bytecodealliance/jco/lib/wasi_snapshot_preview1.command.wasm
HAVE_JCO=
if command -v node >/dev/null 2>&1 && [ -f "$NMOD/@bytecodealliance/jco/package.json" ]; then
  HAVE_JCO=1
  . "$WELD_ROOT/fixtures/tools/npm-tools.sh"
fi
jwit() { jco wit "$1" > "$2.raw" 2>"$T/jerr" && sed '/^$/d' "$2.raw" > "$2"; }
wwit() { "$WELD" wit "$1" > "$2.raw" 2>"$T/werr" && sed '/^$/d' "$2.raw" > "$2"; }

# ---- errors (weld alone) ----
expect_fail "new: a function imported twice with two types" \
  'core import `wasi_snapshot_preview1` `fd_write` is imported twice with different types' \
  "$WELD" new "$G/dup-types.core.wasm" --wit "$G/go.wit" --world go-text -o "$T/e.wasm"
[ -e "$T/e.wasm" ] && fail "... writes nothing" || ok "... writes nothing"

# --ignore-extra-exports: a core export the world does not name is left out (as
# wit-component does) rather than refused
expect_ok "new --ignore-extra-exports: the export frob matching nothing is left out" \
  "$WELD" new "$FIX/new/err-extra-export.core.wasm" --wit "$FIX/new/greeter.wit" --world greeter --ignore-extra-exports -o "$T/extra.wasm"
if "$WELD" validate "$T/extra.wasm" 2>"$T/err" && ! "$WELD" print "$T/extra.wasm" | grep -q '^  (export .*"frob"' &&
   "$WELD" wit "$T/extra.wasm" | grep -q 'export greet: func(greeting: string) -> string;'; then ok "... the component validates and exports greet only"
else fail "... the component validates and exports greet only" "$(cat "$T/err")"; fi

# a resource defined at world level (fixtures/new/wlres): its drop is `$root`
# `[resource-drop]thing`, lowered with canon resource.drop of the world's type import
N=$FIX/new
expect_ok "new: a world-level resource used by an export" "$WELD" new "$N/wlres.core.wasm" --wit "$N/wlres.wit" -o "$T/wlres.wasm"
expect_ok "the world-level resource component validates" "$WELD" validate "$T/wlres.wasm"
if wwit "$T/wlres.wasm" "$T/wlres.wit" && grep -q '^  resource thing {$' "$T/wlres.wit" &&
   grep -q '^  export make: func(n: u32) -> thing;$' "$T/wlres.wit" &&
   "$WELD" print "$T/wlres.wasm" | grep -q '(import "thing" (type (;0;) (sub resource)))' &&
   "$WELD" print "$T/wlres.wasm" | grep -q '(canon resource.drop 0)'; then ok "... imports the resource type and drops through it"
else fail "... imports the resource type and drops through it" "$(cat "$T/werr" "$T/wlres.wit")"; fi

# worlds merged: a world including two others, and a module with two component-type
# sections (worlds a and b of include.wit, the second added under another name)
expect_ok "new: a world made of two included worlds" "$WELD" new "$N/include.core.wasm" --wit "$N/include.wit" --world both -o "$T/both.wasm"
if "$WELD" embed "$N/include.core.wasm" --wit "$N/include.wit" --world a -o "$T/ia.wasm" 2>"$T/err" &&
   "$WELD" embed "$N/include.core.wasm" --wit "$N/include.wit" --world b -o "$T/ib.wasm" 2>>"$T/err" &&
   python3 -c '
import sys
def leb(d, i):
    r = s = 0
    while True:
        b = d[i]; i += 1; r |= (b & 0x7f) << s; s += 7
        if b < 0x80: return r, i
def uleb(v):
    out = bytearray()
    while True:
        b = v & 0x7f; v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v: return bytes(out)
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
i = 8
while i < len(b):
    sid = b[i]; n, j = leb(b, i + 1); body = b[j:j + n]; i = j + n
    nl, k = leb(body, 0)
    if sid == 0 and body[k:k + nl].startswith(b"component-type"):
        name = b"component-type:second"
        sec = bytes([len(name)]) + name + body[k + nl:]
        open(sys.argv[3], "wb").write(a + b"\x00" + uleb(len(sec)) + sec)
' "$T/ia.wasm" "$T/ib.wasm" "$T/two.wasm" 2>>"$T/err"; then ok "a module with two component-type sections (worlds a and b)"
else fail "a module with two component-type sections (worlds a and b)" "$(cat "$T/err")"; fi
expect_ok "new: the two worlds merged" "$WELD" new "$T/two.wasm" -o "$T/two.w.wasm"
cmp -s "$T/two.w.wasm" "$T/both.wasm" && ok "... the component of world both, byte for byte" || fail "... the component of world both, byte for byte"

if [ ! -f "$AD_C" ] || [ ! -f "$AD_R" ]; then
  skip "Go guests with jco's preview1 adapters" "jco's adapters not installed under $NMOD" 59
  tap_bail
fi

# ---- 1. the Go command ----
expect_ok "new: Go command + preview1 command adapter" \
  "$WELD" new "$G/gocmd.core.wasm" --adapt "wasi_snapshot_preview1=$AD_C" -o "$T/gocmd.wasm"
expect_ok "the Go command component validates" "$WELD" validate "$T/gocmd.wasm"
dups=$("$WELD" print "$G/gocmd.core.wasm" | grep -c '(import "wasi_snapshot_preview1" "fd_write"')
once=$("$WELD" print "$T/gocmd.wasm" | grep -c '(import "wasi_snapshot_preview1" "fd_write"')
[ "$dups" = 2 ] && [ "$once" = 1 ] && ok "fd_write, imported twice by the Go module, is imported once in the component" ||
  fail "fd_write, imported twice by the Go module, is imported once in the component" "core: $dups, component: $once"
printf 'hello\nworld\nthird line\n' > "$T/in.txt"
# run FILE DIR NAME ARGS...: in a fresh DIR with in.txt, preopened as /d; out/err/rc kept
runin() {
  f=$1 d=$2 n=$3; shift 3
  rm -rf "$d"; mkdir -p "$d"; cp "$T/in.txt" "$d/"
  "$WELD" run --dir "$d::/d" --env GREETING=hi "$f" "$@" > "$T/$n.out" 2> "$T/$n.err"
  echo $? > "$T/$n.rc"
}
same_run() { # DESC A B [RC-A RC-B]: stdout, stderr equal; exit codes as given (default equal)
  d=$1 a=$2 b=$3
  ra=$(cat "$T/$a.rc") rb=$(cat "$T/$b.rc")
  if [ -z "$4" ]; then [ "$ra" = "$rb" ]; else [ "$ra" = "$4" ] && [ "$rb" = "$5" ]; fi
  rc_ok=$?
  if [ $rc_ok = 0 ] && cmp -s "$T/$a.out" "$T/$b.out" && cmp -s "$T/$a.err" "$T/$b.err" && [ -s "$T/$a.out" ]; then
    ok "$d: $(head -1 "$T/$a.out"), exit $ra/$rb"
  else fail "$d" "$(diff "$T/$a.out" "$T/$b.out"; diff "$T/$a.err" "$T/$b.err"; echo "exit $ra $rb")"; fi
}
runin "$G/gocmd.core.wasm" "$T/d-core" core /d/in.txt /d/out.txt
runin "$T/gocmd.wasm" "$T/d-comp" comp /d/in.txt /d/out.txt
same_run "the component runs as the core module (stdout, stderr, exit)" core comp
grep -q '^  3| third line$' "$T/comp.out" && grep -q 'GREETING="hi"' "$T/comp.out" && grep -q '^args: /d/in.txt /d/out.txt$' "$T/comp.out" &&
  grep -q 'gocmd: 3 lines' "$T/comp.err" && ok "the component read the file, the environment and the arguments" ||
  fail "the component read the file, the environment and the arguments" "$(cat "$T/comp.out" "$T/comp.err")"
if cmp -s "$T/d-core/out.txt" "$T/d-comp/out.txt" && grep -q '^THIRD LINE$' "$T/d-comp/out.txt"; then ok "both wrote the same file"
else fail "both wrote the same file"; fi
runin "$G/gocmd.core.wasm" "$T/d-core" core2 /d/missing.txt
runin "$T/gocmd.wasm" "$T/d-comp" comp2 /d/missing.txt
# exit code 2 through wasi:cli/exit@0.2's result: any failure is err, exit 1
same_run "a missing file: same output; exit 2 from the module, 1 from the component (wasi:cli/exit carries ok/err)" core2 comp2 2 1

# ---- 2. the Go reactor and a C component that uses it ----
expect_ok "new: Go reactor --wit go.wit --world go-text + reactor adapter, --realloc-via-memory-grow" \
  "$WELD" new "$G/gotext.core.wasm" --wit "$G/go.wit" --world go-text --adapt "wasi_snapshot_preview1=$AD_R" --realloc-via-memory-grow -o "$T/gotext.wasm"
expect_ok "the Go reactor component validates" "$WELD" validate "$T/gotext.wasm"
if wwit "$T/gotext.wasm" "$T/gotext.wit" && grep -q '^  export weld:gotext/text@0.1.0;$' "$T/gotext.wit"; then ok "it exports weld:gotext/text"
else fail "it exports weld:gotext/text" "$(cat "$T/werr" "$T/gotext.wit")"; fi
TX='weld:gotext/text@0.1.0'
"$WELD" run "$T/gotext.wasm" --invoke "$TX#shout(\"hello, go\")" --invoke "$TX#tally([{name: \"apple\", count: 2}, {name: \"pear\", count: 5}])" \
  --invoke "$TX#shout(\"\")" --invoke "$TX#tally([])" --invoke "$TX#shout(\"grüße\")" > "$T/inv" 2>"$T/err"
cat > "$T/want" <<'EOF'
"HELLO, GO (9)"
[{name: "APPLE", count: 4}, {name: "PEAR", count: 10}, {name: "total", count: 14}]
" (0)"
[{name: "total", count: 0}]
"GRÜßE (7)"
EOF
if cmp -s "$T/inv" "$T/want"; then ok "the Go exports run in weld: strings, lists of records, empty ones, UTF-8"
else fail "the Go exports run in weld: strings, lists of records, empty ones, UTF-8" "$(cat "$T/err"; diff "$T/inv" "$T/want")"; fi
"$WELD" new "$G/gotext.core.wasm" --wit "$G/go.wit" --world go-text --adapt "wasi_snapshot_preview1=$AD_R" -o "$T/gotext-rl.wasm" 2>"$T/err"
expect_fail "without --realloc-via-memory-grow the Go runtime traps (its cabi_realloc called during _initialize)" \
  'wasmexport function called before runtime initialization\|trap' "$WELD" run "$T/gotext-rl.wasm" --invoke "$TX#shout(\"x\")"
expect_ok "new: the C user of world text-user" "$WELD" new "$G/user.core.wasm" --wit "$G/go.wit" --world text-user -o "$T/user.wasm"
expect_ok "plug: the C user with the Go reactor" "$WELD" plug "$T/user.wasm" --plug "$T/gotext.wasm" -o "$T/composed.wasm"
expect_ok "the composition validates" "$WELD" validate "$T/composed.wasm"
got=$("$WELD" run "$T/composed.wasm" --invoke 'run("gopher")' --invoke 'run("")' 2>"$T/err")
want='"GOPHER (6) | GOPHER:2 C:40 total:42"
" (0) | :2 C:40 total:42"'
[ "$got" = "$want" ] && ok "C calls Go in weld: $(echo "$got" | head -1)" || fail "C calls Go in weld" "got: $got $(cat "$T/err")"

# ---- 3. gofmt (TinyGo) from @wasm-fmt/gofmt ----
GOFMT=
if [ -n "$WELD_CORPUS_LIST" ] && [ -s "$WELD_CORPUS_LIST" ]; then GOFMT=$(grep '/gofmt/gofmt.wasm$' "$WELD_CORPUS_LIST" | head -1); fi
[ -n "$GOFMT" ] || GOFMT=${WELD_CACHE:-$HOME/.cache/weld}/corpus/gofmt/gofmt.wasm
# the text of a WAVE string result, or "err: TEXT" for err("TEXT")
unwave() { python3 -c '
import sys,re
s=sys.stdin.read().strip()
m=re.fullmatch(r"(ok|err)\((\".*\")\)", s, re.S)
if not m: sys.exit("not a result of a string: "+s[:200])
body=m.group(2)[1:-1]
out=re.sub(r"\\u\{([0-9a-fA-F]+)\}|\\(.)", lambda x: chr(int(x.group(1),16)) if x.group(1) else {"n":"\n","t":"\t","r":"\r"}.get(x.group(2), x.group(2)), body)
sys.stdout.write(("error: " if m.group(1)=="err" else "")+out)'; }
wave() { python3 -c '
import sys
s=open(sys.argv[1]).read()
e=s.replace("\\","\\\\").replace("\"","\\\"").replace("\n","\\n").replace("\t","\\t").replace("\r","\\r")
sys.stdout.write("format(\""+e+"\")")' "$1"; }
printf 'package main\nimport (\n"fmt"\n  "os"\n)\ntype T struct{A int;Bee string}\nfunc main(){\nif len(os.Args)>1{fmt.Println( "x" ,T{1,"y"})}\n}\n' > "$T/u.go"
printf 'package main\nfunc {' > "$T/bad.go"
if [ ! -f "$GOFMT" ]; then
  skip "gofmt (TinyGo) as a component (10 checks)" "no gofmt.wasm in the interop corpus (tests/corpus/collect.sh)"
else
  expect_ok "new: gofmt.wasm with fixtures/go/gofmt's glue (--adapt)" "$WELD" new "$GOFMT" --adapt "gofmt=$G/gofmt/glue.wasm" -o "$T/gofmt.wasm"
  expect_ok "the gofmt component validates" "$WELD" validate "$T/gofmt.wasm"
  if wwit "$T/gofmt.wasm" "$T/gofmt.wit" && grep -q '^  export format: func(source: string) -> result<string, string>;$' "$T/gofmt.wit"; then
    ok "its world is gofmt.wit's"; else fail "its world is gofmt.wit's" "$(cat "$T/werr" "$T/gofmt.wit")"; fi
  for src in u.go bad.go "$G/cmd/main.go"; do
    case $src in /*) f=$src ;; *) f=$T/$src ;; esac
    n=$(basename "$src")
    "$WELD" run "$T/gofmt.wasm" --invoke "$(wave "$f")" 2>"$T/err" | unwave > "$T/$n.weld" 2>>"$T/err"
    [ -s "$T/$n.weld" ] && ok "gofmt in weld on $n: $(head -1 "$T/$n.weld")" || fail "gofmt in weld on $n" "$(cat "$T/err")"
    if [ -n "$HAVE_JCO" ] && [ -f "$NMOD/@wasm-fmt/gofmt/gofmt_node.js" ]; then
      JCO_HOME=${NMOD%/node_modules} node --input-type=module -e '
import { readFileSync } from "node:fs";
const { format } = await import(process.env.JCO_HOME + "/node_modules/@wasm-fmt/gofmt/gofmt_node.js");
try { process.stdout.write(format(readFileSync(process.argv[1], "utf8"))); }
catch (e) { process.stdout.write("error: " + e.message); }' "$f" > "$T/$n.node" 2>"$T/err"
      cmp -s "$T/$n.weld" "$T/$n.node" && ok "... the same as @wasm-fmt/gofmt on node" ||
        fail "... the same as @wasm-fmt/gofmt on node" "$(diff "$T/$n.weld" "$T/$n.node" | head; cat "$T/err")"
    else skip "... the same as @wasm-fmt/gofmt on node" "node or @wasm-fmt/gofmt not installed"; fi
  done
  # the formatter is idempotent: the committed Go sources are gofmt-clean
  cmp -s "$T/main.go.weld" "$G/cmd/main.go" && ok "fixtures/go/cmd/main.go is gofmt-clean by the component" ||
    fail "fixtures/go/cmd/main.go is gofmt-clean by the component" "$(diff "$T/main.go.weld" "$G/cmd/main.go" | head)"
fi

# ---- against jco ----
if [ -z "$HAVE_JCO" ]; then
  skip "Go guests against jco" "node or jco not installed" 33
  tap_bail
fi
# jco new from the same inputs: the same WIT; jco reads weld's components
jco new "$G/gocmd.core.wasm" --wasi-command -o "$T/gocmd.j.wasm" >/dev/null 2>"$T/jerr" && ok "jco new: the Go command" || fail "jco new: the Go command" "$(cat "$T/jerr")"
jco embed "$G/gotext.core.wasm" --wit "$G/go.wit" -n go-text -o "$T/gotext.j.embed.wasm" >/dev/null 2>"$T/jerr" &&
  jco new "$T/gotext.j.embed.wasm" --wasi-reactor -o "$T/gotext.j.wasm" >/dev/null 2>>"$T/jerr" && ok "jco embed + new: the Go reactor" ||
  fail "jco embed + new: the Go reactor" "$(cat "$T/jerr")"
jco embed "$G/user.core.wasm" --wit "$G/go.wit" -n text-user -o "$T/user.j.embed.wasm" >/dev/null 2>"$T/jerr" &&
  jco new "$T/user.j.embed.wasm" -o "$T/user.j.wasm" >/dev/null 2>>"$T/jerr" && ok "jco embed + new: the C user" ||
  fail "jco embed + new: the C user" "$(cat "$T/jerr")"
# world-level resources and a world made by including others: jco's embedding of the
# same module, and jco's dummy modules (newer core names: `thing_drop`)
jco embed "$N/wlres.core.wasm" --wit "$N/wlres.wit" -n wl -o "$T/wlres.j.embed.wasm" >/dev/null 2>"$T/jerr" &&
  jco new "$T/wlres.j.embed.wasm" -o "$T/wlres.j.wasm" >/dev/null 2>>"$T/jerr" && ok "jco embed + new: the world-level resource" ||
  fail "jco embed + new: the world-level resource" "$(cat "$T/jerr")"
for spec in wlres.wit:wl include.wit:both; do
  wit=${spec%%:*} world=${spec##*:}
  if jco embed --dummy --wit "$N/$wit" -n "$world" -o "$T/d-$world.wasm" >/dev/null 2>"$T/jerr" &&
     jco new "$T/d-$world.wasm" -o "$T/dj-$world.wasm" >/dev/null 2>>"$T/jerr" &&
     "$WELD" new "$T/d-$world.wasm" -o "$T/dw-$world.wasm" 2>"$T/werr" && "$WELD" validate "$T/dw-$world.wasm" 2>>"$T/werr" &&
     wwit "$T/dw-$world.wasm" "$T/dw-$world.wit" && jwit "$T/dj-$world.wasm" "$T/dj-$world.wit" &&
     cmp -s "$T/dw-$world.wit" "$T/dj-$world.wit"; then
    ok "jco's dummy module for $world ($wit): weld new validates and gives jco's WIT"
  else fail "jco's dummy module for $world ($wit): weld new validates and gives jco's WIT" "$(cat "$T/jerr" "$T/werr"; diff "$T/dw-$world.wit" "$T/dj-$world.wit" 2>&1 | head -5)"; fi
done
if jco new "$T/two.wasm" -o "$T/two.j.wasm" >/dev/null 2>"$T/jerr" && wwit "$T/two.w.wasm" "$T/two.w.wit" &&
   jwit "$T/two.j.wasm" "$T/two.j.wit" && cmp -s "$T/two.w.wit" "$T/two.j.wit"; then
  ok "the two component-type sections under jco new: jco's WIT is weld's"
else fail "the two component-type sections under jco new: jco's WIT is weld's" "$(cat "$T/jerr"; diff "$T/two.w.wit" "$T/two.j.wit")"; fi
for n in wlres gocmd gotext user; do
  if jwit "$T/$n.wasm" "$T/$n.by-jco.wit"; then ok "jco reads weld's $n component"; else fail "jco reads weld's $n component" "$(cat "$T/jerr")"; fi
  if wwit "$T/$n.wasm" "$T/$n.w.wit" && jwit "$T/$n.j.wasm" "$T/$n.j.wit" && cmp -s "$T/$n.w.wit" "$T/$n.j.wit"; then
    ok "$n: weld wit of weld's component equals jco wit of jco's"
  else fail "$n: weld wit of weld's component equals jco wit of jco's" "$(cat "$T/werr" "$T/jerr"; diff "$T/$n.w.wit" "$T/$n.j.wit")"; fi
done
# the command under jco run (the preopen set by a module jco imports first) and the core
# module under node's WASI: the same as in weld
jrun() { # FILE NAME ARGS...
  f=$1 n=$2; shift 2
  d=$T/d-$n; rm -rf "$d"; mkdir -p "$d"; cp "$T/in.txt" "$d/"
  printf 'import { _addPreopen } from "%s";\n_addPreopen("/d", "%s");\n' \
    "$NMOD/@bytecodealliance/preview2-shim/dist/nodejs/filesystem.js" "$d" > "$T/setup-$n.mjs"
  GREETING=hi jco run --jco-import "$T/setup-$n.mjs" "$f" "$@" > "$T/$n.out" 2> "$T/$n.err"
  echo $? > "$T/$n.rc"
}
runin "$T/gocmd.wasm" "$T/d-comp3" comp3 /d/in.txt /d/out.txt
runin "$G/gocmd.core.wasm" "$T/d-core3" core3 /d/in.txt /d/out.txt
jrun "$T/gocmd.wasm" jcomp /d/in.txt /d/out.txt
same_run "weld's Go command under jco run: as in weld" comp3 jcomp
cmp -s "$T/d-jcomp/out.txt" "$T/d-comp3/out.txt" && ok "... and wrote the same file" || fail "... and wrote the same file"
jrun "$T/gocmd.j.wasm" jjcomp /d/in.txt /d/out.txt
same_run "jco's own Go command component under jco run: as weld's" comp3 jjcomp
rm -rf "$T/d-node"; mkdir -p "$T/d-node"; cp "$T/in.txt" "$T/d-node/"
node "$WELD_ROOT/tests/tools/wasi-run.mjs" --dir "$T/d-node::/d" --env GREETING=hi "$G/gocmd.core.wasm" -- /d/in.txt /d/out.txt \
  > "$T/node.out" 2> "$T/node.err.raw"; echo $? > "$T/node.rc"
grep -v 'ExperimentalWarning\|--trace-warnings' "$T/node.err.raw" > "$T/node.err"
same_run "the Go core module under node's WASI: as in weld" core3 node
cmp -s "$T/d-node/out.txt" "$T/d-core3/out.txt" && ok "... and wrote the same file" || fail "... and wrote the same file"

# the reactor and the composition on node (jco transpile): the results weld gives
if [ -d "$NMOD/@bytecodealliance/preview2-shim" ]; then
  mkdir -p "$T/run"
  ln -s "$NMOD" "$T/run/node_modules"
  cp "$T/gotext.wasm" "$T/composed.wasm" "$T/run/"
  printf '%s\t%s\t%s\t%s\n' "$T/run/gotext.wasm" "$T/run/o-gotext" "text.shout:hello go" "text.shout:grüße" > "$T/list"
  printf '%s\t%s\t%s\n' "$T/run/composed.wasm" "$T/run/o-composed" "run:gopher" >> "$T/list"
  (cd "$T/run" && node "$WELD_ROOT/tests/tools/transpile-run.mjs" < "$T/list" > "$T/results" 2>"$T/node.err")
  line=$(grep -F "$T/run/gotext.wasm" "$T/results")
  [ "$line" = "ok	$T/run/gotext.wasm	HELLO GO (8) GRÜßE (7)" ] && ok "weld's Go reactor on node: as in weld" ||
    fail "weld's Go reactor on node: as in weld" "$line $(tail -3 "$T/node.err")"
  line=$(grep -F "$T/run/composed.wasm" "$T/results")
  [ "$line" = "ok	$T/run/composed.wasm	GOPHER (6) | GOPHER:2 C:40 total:42" ] && ok "weld's C+Go composition on node: as in weld" ||
    fail "weld's C+Go composition on node: as in weld" "$line $(tail -3 "$T/node.err")"
else
  skip "weld's Go reactor and composition on node (2 checks)" "preview2-shim not installed"
fi

# ---- measure: every real core module of $WELD_REALWORLD_DIR and the Go fixtures ----
# The same embedded module into weld new and jco new (each with jco's preview1 adapter
# where it imports preview1): weld's validates, jco reads it, its WIT is jco's, it is no
# larger than jco's, and it runs as jco runs it. The sizes are printed as a table.
RW=${WELD_REALWORLD_DIR:-${WELD_CACHE:-$HOME/.cache/weld}/realworld-out}
if ! ls "$RW"/*.core.wasm >/dev/null 2>&1; then
  skip "weld new against jco new on the real core modules" "no real core modules in $RW" 11
  tap_bail
fi
: > "$T/sizes"
nmod=0 nall=0
# (the name providers first: the greeters are run plugged into names-c)
for core in "$RW"/names-*.core.wasm $(ls "$RW"/*.core.wasm | grep -v '/names-') "$G/gocmd.core.wasm" "$G/gotext.core.wasm" "$G/user.core.wasm"; do
  name=$(basename "$core" .core.wasm)
  wit= world= kind=reactor extra=
  case $name in
    names-*) wit=$FIX/new/greeter.wit world=name-provider ;;
    greeter-*) wit=$FIX/new/greeter.wit world=greeter ;;
    gotext) wit=$G/go.wit world=go-text extra=--realloc-via-memory-grow ;;
    user) wit=$G/go.wit world=text-user ;;
    *) kind=command ;;
  esac
  b=$T/m-$name
  if [ -n "$wit" ]; then "$WELD" embed "$core" --wit "$wit" --world "$world" -o "$b.in.wasm" 2>"$T/err"
  else cp "$core" "$b.in.wasm"; fi
  adapt= jflag=
  if "$WELD" print "$core" 2>/dev/null | grep -q '(import "wasi_snapshot_preview1"'; then
    if [ $kind = command ]; then adapt="--adapt wasi_snapshot_preview1=$AD_C" jflag=--wasi-command
    else adapt="--adapt wasi_snapshot_preview1=$AD_R" jflag=--wasi-reactor; fi
  fi
  nall=$((nall + 1))
  # shellcheck disable=SC2086
  if ! "$WELD" new "$b.in.wasm" $adapt $extra -o "$b.w.wasm" 2>"$T/err"; then fail "measure $name: weld new" "$(cat "$T/err")"; continue; fi
  # shellcheck disable=SC2086
  if ! jco new "$b.in.wasm" $jflag -o "$b.j.wasm" >/dev/null 2>"$T/jerr"; then fail "measure $name: jco new" "$(cat "$T/jerr")"; continue; fi
  good=1 why=
  "$WELD" validate "$b.w.wasm" 2>"$T/err" || { good=; why="weld validate: $(cat "$T/err")"; }
  jwit "$b.w.wasm" "$b.wj.wit" || { good=; why="$why; jco wit of weld's: $(head -3 "$T/jerr")"; }
  { wwit "$b.w.wasm" "$b.w.wit" && jwit "$b.j.wasm" "$b.j.wit" && cmp -s "$b.w.wit" "$b.j.wit"; } ||
    { good=; why="$why; WIT differs: $(diff "$b.w.wit" "$b.j.wit" | head -5)"; }
  ws=$(stat -c %s "$b.w.wasm") js=$(stat -c %s "$b.j.wasm")
  [ "$ws" -le "$js" ] || { good=; why="$why; larger than jco's"; }
  printf '# %-12s %-8s %9d %9d %7.4f\n' "$name" "$kind" "$ws" "$js" "$(awk -v a="$ws" -v b="$js" 'BEGIN { print a / b }')" >> "$T/sizes"
  # runs as jco runs it: commands under jco run, name providers on node, greeters plugged
  # into weld's names-c component and run on node; the Go fixtures are run above
  case $name in
    hello-c|features-c)
      "$WELD" run "$b.w.wasm" > "$b.wout" 2>&1; jco run "$b.w.wasm" > "$b.jout" 2>&1
      { [ -s "$b.wout" ] && cmp -s "$b.wout" "$b.jout"; } || { good=; why="$why; run: $(diff "$b.wout" "$b.jout" | head -5)"; } ;;
    names-*|greeter-*)
      f=$b.w.wasm call='names.getName' winv='demo:greeter/names@0.1.0#get-name()'
      if [ "$world" = greeter ]; then
        "$WELD" plug "$b.w.wasm" --plug "$T/m-names-c.w.wasm" -o "$b.plug.wasm" 2>"$T/err" || why="$why; plug: $(cat "$T/err")"
        f=$b.plug.wasm call='greet:Hello' winv='greet("Hello")'
      fi
      mkdir -p "$T/mrun"; [ -e "$T/mrun/node_modules" ] || ln -s "$NMOD" "$T/mrun/node_modules"
      cp "$f" "$T/mrun/$name.wasm"
      printf '%s\t%s\t%s\n' "$T/mrun/$name.wasm" "$T/mrun/o-$name" "$call" | (cd "$T/mrun" && node "$WELD_ROOT/tests/tools/transpile-run.mjs") > "$b.node" 2>"$T/err"
      wgot=$("$WELD" run "$f" --invoke "$winv" 2>>"$T/err" | python3 -c 'import sys,json; print(json.loads(sys.stdin.read().strip()))' 2>>"$T/err")
      [ -n "$wgot" ] && [ "$(cat "$b.node")" = "ok	$T/mrun/$name.wasm	$wgot" ] ||
        { good=; why="$why; run: weld '$wgot', node '$(cat "$b.node")' $(tail -2 "$T/err")"; } ;;
  esac
  ran="runs as on jco"
  case $core in "$G"/*) ran="(runs compared above)" ;; esac
  if [ -n "$good" ]; then nmod=$((nmod + 1)); ok "measure $name ($kind): validates, jco reads it, jco's WIT, $ws <= $js bytes, $ran"
  else fail "measure $name ($kind)" "$why"; fi
done
[ "$nmod" = "$nall" ] && ok "weld new agrees with jco new on $nmod/$nall core modules" || fail "weld new agrees with jco new on $nmod/$nall core modules"
echo "# module       kind      weld new   jco new  weld/jco (bytes)"
cat "$T/sizes"
tap_done
