# weld compose ROOT.wasm [-c CONFIG] under wasm-compose's rules, on the small components of
# fixtures/compose-rules: the root's own arguments (`root:`), `definitions:`, instance
# imports merged into their union, an import satisfied by an item of another kind, a root
# with nothing to compose, per-dependency `import:`, the flags, and the configuration's
# errors with their file:line:col; and the WAC language (`weld compose FILE.wac`): let/new,
# arguments, `...`, access expressions, export/as, errors with line:col and a caret.
# Composed components run in weld (`weld run --invoke`);
# `weld wit` of a composition is compared with `jco wit` of the same file when jco is there.
. "$WELD_ROOT/tests/tap.sh"
R="$FIX/compose-rules"
JCO=${JCO:-${JCO_HOME:-/nonexistent}/node_modules/.bin/jco}

# expect_grep DESC PATTERN FILE: FILE contains PATTERN
expect_grep() {
  if grep -q -- "$2" "$3"; then ok "$1"; else fail "$1" "$(head -c 2000 "$3")"; fi
}
# expect_run DESC WANT FILE CALL: `weld run FILE --invoke CALL` prints WANT
expect_run() {
  if out=$("$WELD" run "$3" --invoke "$4" 2>"$T/err") && [ "$out" = "$2" ]; then ok "$1"
  else fail "$1" "got '$out' (want '$2') $(head -3 "$T/err")"; fi
}
# expect_wit_same DESC FILE: `weld wit FILE` equals `jco wit FILE` (but for blank lines)
expect_wit_same() {
  if [ ! -x "$JCO" ] || ! command -v node >/dev/null 2>&1; then
    skip "$1" "jco or node not available (JCO=$JCO)"
    return
  fi
  "$WELD" wit "$2" > "$T/weld.wit" 2>&1
  "$JCO" wit "$2" > "$T/jco.wit" 2>&1
  if diff -u -B "$T/jco.wit" "$T/weld.wit" > "$T/wit.diff"; then ok "$1"
  else fail "$1" "$(head -20 "$T/wit.diff")"; fi
}
# conf NAME: writes stdin to $T/NAME.yml
conf() { cat > "$T/$1.yml"; }

# ---- the root's own arguments -----------------------------------------------------------------
conf root <<Y
dependencies:
  one: $R/num1.wasm
  two: $R/num2.wasm
instantiations:
  root:
    arguments:
      "t:r/num": two
Y
expect_ok "root: instantiations.root gives the root's own arguments" \
  "$WELD" compose "$R/app.wasm" -c "$T/root.yml" -o "$T/root.wasm"
expect_run "root: the root's import is the dependency its argument names (two: 2 + 100)" 102 "$T/root.wasm" 'run()'
expect_wit_same "root: weld wit equals jco wit of the composition" "$T/root.wasm"
conf root-dep <<Y
dependencies: { two: $R/num2.wasm }
instantiations:
  root:
    dependency: two
Y
expect_fail "root: its instantiation takes no dependency, with line:col" \
  "root-dep.yml:4:17: instantiation \`root\`: the root component's instantiation takes only \`arguments\`" \
  "$WELD" compose "$R/app.wasm" -c "$T/root-dep.yml" -o "$T/x.wasm"

# ---- instantiations are made when first used -----------------------------------------------------
conf lazy <<Y
dependencies:
  one: $R/num1.wasm
  two: $R/num2.wasm
instantiations:
  "t:r/num": { dependency: two }
  unused: { dependency: one }
Y
expect_ok "instantiations: an import resolves through the instantiation of its name" \
  "$WELD" compose "$R/app.wasm" -c "$T/lazy.yml" -o "$T/lazy.wasm"
expect_run "instantiations: ... which instantiates its dependency (two: 2 + 100)" 102 "$T/lazy.wasm" 'run()'
"$WELD" graph "$T/lazy.wasm" --format json > "$T/lazy.json" 2>&1
if grep -q '"component": "two"' "$T/lazy.json" && ! grep -q '"component": "one"' "$T/lazy.json"; then
  ok "instantiations: one nothing uses is not instantiated, nor its component embedded"
else fail "instantiations: one nothing uses is not instantiated, nor its component embedded" "$(cat "$T/lazy.json")"; fi

# ---- definitions --------------------------------------------------------------------------------
conf defs <<Y
definitions: [$R/num2.wasm]
Y
expect_ok "definitions: a definition's instance export satisfies the root's import" \
  "$WELD" compose "$R/app.wasm" -c "$T/defs.yml" -o "$T/defs.wasm"
expect_run "definitions: the composition runs with the definition's get (2 + 100)" 102 "$T/defs.wasm" 'run()'
"$WELD" graph "$T/defs.wasm" --format json > "$T/defs.json" 2>&1
n=$(grep -c '"component": "num2"' "$T/defs.json" || true)
[ "$n" -eq 1 ] && ok "definitions: the definition is instantiated once, under its file stem" ||
  fail "definitions: the definition is instantiated once, under its file stem" "$(cat "$T/defs.json")"
conf defs-rel <<Y
definitions: [num1.wasm]
search-paths: [$R]
Y
expect_ok "definitions: a relative path is found in the search paths" \
  "$WELD" compose "$R/app.wasm" -c "$T/defs-rel.yml" -o "$T/defs-rel.wasm"
expect_run "definitions: ... and used (1 + 100)" 101 "$T/defs-rel.wasm" 'run()'
conf defs-dep <<Y
definitions: [$R/num2.wasm]
dependencies:
  "t:r/num": $R/num1.wasm
Y
expect_ok "definitions: come before a dependency of the import's name" \
  "$WELD" compose "$R/app.wasm" -c "$T/defs-dep.yml" -o "$T/defs-dep.wasm"
expect_run "definitions: ... so the definition's get runs (2 + 100)" 102 "$T/defs-dep.wasm" 'run()'
conf defs-bad <<Y
definitions: $R/num2.wasm
Y
expect_fail "definitions: not a list, with line:col" "defs-bad.yml:1:14: definitions: expected a list, found a scalar" \
  "$WELD" compose "$R/app.wasm" -c "$T/defs-bad.yml" -o "$T/x.wasm"
conf defs-missing <<Y
definitions:
  - nowhere.wasm
Y
expect_fail "definitions: a missing file, with line:col" "defs-missing.yml:2:5: definition: file \`nowhere.wasm\` not found" \
  "$WELD" compose "$R/app.wasm" -c "$T/defs-missing.yml" -o "$T/x.wasm"

# ---- instance imports merged into their union ---------------------------------------------------------
conf union <<Y
dependencies:
  "t:r/ua": $R/ua.wasm
  "t:r/ub": $R/ub.wasm
Y
expect_ok "union: two importers using different functions of t:r/ops compose" \
  "$WELD" compose "$R/duo.wasm" -c "$T/union.yml" -o "$T/union.wasm"
"$WELD" print "$T/union.wasm" > "$T/union.wat" 2>&1
n=$(grep -c '^  (import "t:r/ops"' "$T/union.wat" || true)
[ "$n" -eq 1 ] && ok "union: one t:r/ops import serves both" || fail "union: one t:r/ops import serves both" "$n imports"
sed -n '1,/(import "t:r\/ops"/p' "$T/union.wat" > "$T/union-type.wat"
if grep -q '(export (;0;) "a" (func' "$T/union-type.wat" && grep -q '(export (;1;) "b" (func' "$T/union-type.wat"; then
  ok "union: its type exports a (ua's) then b (ub's)"
else fail "union: its type exports a (ua's) then b (ub's)" "$(cat "$T/union-type.wat")"; fi
expect_ok "union: the composition validates" "$WELD" validate "$T/union.wasm"
expect_wit_same "union: weld wit equals jco wit of the composition" "$T/union.wasm"
cat > "$T/union-run.yaml" <<Y
components: { u: $T/union.wasm, ops: $R/ops.wasm }
exports: [u/run]
Y
expect_ok "union: the merged import is satisfied by one t:r/ops {a, b} provider" \
  "$WELD" compose "$T/union-run.yaml" -o "$T/union-run.wasm"
expect_run "union: it runs: (a=1 + 10) + (b=2 + 20)" 33 "$T/union-run.wasm" 'run()'
conf union-bad <<Y
dependencies:
  "t:r/ua": $R/ua.wasm
  "t:r/ub": $R/ub-bad.wasm
Y
expect_fail "union: a function both use with different types is refused, naming it" \
  'both import `t:r/ops` with types that do not agree: func `a` is `func() -> u32` for instance `t:r/ua` and `func(x: u32) -> u32` for instance `t:r/ub`' \
  "$WELD" compose "$R/duo.wasm" -c "$T/union-bad.yml" -o "$T/x.wasm"

# ---- an import satisfied by an item of another kind ------------------------------------------------
conf kind <<Y
dependencies:
  g: $R/get3.wasm
instantiations:
  root:
    arguments:
      "t:r/num": { instance: g, export: get }
Y
expect_fail "kind: an instance import given a function export, naming both kinds" \
  'kind.yml:6:7: type mismatch: import `t:r/num` of instance `$input` is an instance import, found a func (export `get`' \
  "$WELD" compose "$R/app.wasm" -c "$T/kind.yml" -o "$T/x.wasm"
conf kind2 <<Y
dependencies:
  get: $R/num1.wasm
  "t:r/num": $R/num2.wasm
Y
expect_fail "kind: a function import given a whole instance, naming both kinds" \
  'import `get` of instance `$input` is a func import, found an instance (the whole instance of instance `get`' \
  "$WELD" compose "$R/fimp.wasm" -c "$T/kind2.yml" -o "$T/x.wasm"

# ---- nothing to compose --------------------------------------------------------------------------------
expect_fail "no instance imports: an error, not a copy" "does not import any instances" \
  "$WELD" compose "$R/leaf.wasm" -d "$R/num1.wasm" -o "$T/x.wasm"
[ ! -e "$T/x.wasm" ] && ok "no instance imports: nothing is written" || fail "no instance imports: nothing is written"
expect_fail "no dependency satisfies the root: wasm-compose's \"no dependencies found\"" \
  "no dependencies of component \`$R/app.wasm\` were found" \
  "$WELD" compose "$R/app.wasm" -o "$T/x.wasm"

# ---- import a dependency instead of embedding it --------------------------------------------------------
conf imp <<Y
dependencies:
  "t:r/num": { path: $R/num2.wasm, import: num-impl }
Y
expect_ok "import: a dependency with an import name composes" \
  "$WELD" compose "$R/app.wasm" -c "$T/imp.yml" -o "$T/imp.wasm"
"$WELD" print "$T/imp.wasm" > "$T/imp.wat" 2>&1
expect_grep "import: the dependency is imported as a component under that name" '^  (import "num-impl" (component' "$T/imp.wat"
n=$(grep -c '^  (component ' "$T/imp.wat" || true)
[ "$n" -eq 1 ] && ok "import: only the root is embedded" || fail "import: only the root is embedded" "$n embedded components"
expect_ok "import: the output validates" "$WELD" validate "$T/imp.wasm"
conf imp-bad <<Y
dependencies:
  "t:r/num":
    path: $R/num2.wasm
    import: [x]
Y
expect_fail "import: not a string, with line:col" "imp-bad.yml:4:13: dependency import: expected a string, found a list" \
  "$WELD" compose "$R/app.wasm" -c "$T/imp-bad.yml" -o "$T/x.wasm"

# ---- the flags ---------------------------------------------------------------------------------------
expect_ok "--import-dependencies: composes" \
  "$WELD" compose "$R/app.wasm" -d "$R/num2.wasm" --import-dependencies -o "$T/idep.wasm"
"$WELD" print "$T/idep.wasm" > "$T/idep.wat" 2>&1
if grep -q '^  (import "num2" (component' "$T/idep.wat" && grep -q '^  (import "input" (component' "$T/idep.wat" &&
   ! grep -q '^  (component ' "$T/idep.wat"; then ok "--import-dependencies: every component imported, none embedded"
else fail "--import-dependencies: every component imported, none embedded" "$(grep -n '(import\|^  (component' "$T/idep.wat")"; fi
"$WELD" compose "$R/app.wasm" -d "$R/num2.wasm" -o "$T/val.wasm" 2>/dev/null
expect_ok "--skip-validation: composes" \
  "$WELD" compose "$R/app.wasm" -d "$R/num2.wasm" --skip-validation -o "$T/noval.wasm"
cmp -s "$T/val.wasm" "$T/noval.wasm" && ok "--skip-validation: the same bytes as the validated composition" ||
  fail "--skip-validation: the same bytes as the validated composition"
mkdir -p "$T/sp"
cp "$R/get3.wasm" "$T/sp/num.wasm"
(cd "$T" && "$WELD" compose "$R/plain.wasm" --search-path sp -o "$T/sp.wasm") > "$T/out" 2>"$T/err" &&
  ok "--search-path: a relative directory, from the working directory, holds num.wasm" ||
  fail "--search-path: a relative directory, from the working directory, holds num.wasm" "$(cat "$T/err")"
expect_run "--search-path: the root's \`num\` import is that component (3 + 200)" 203 "$T/sp.wasm" 'run()'
expect_fail "--disallow-imports: an import no dependency satisfies is an error" \
  'a dependency named `t:r/num` (imported by .*app.wasm) could not be found and instance imports are not allowed' \
  "$WELD" compose "$R/app.wasm" --disallow-imports -o "$T/x.wasm"
conf disallow <<Y
disallow-imports: true
Y
expect_fail "disallow-imports: the configuration's key does the same" "instance imports are not allowed" \
  "$WELD" compose "$R/app.wasm" -c "$T/disallow.yml" -o "$T/x.wasm"

# ---- configuration errors: file:line:col of the offending key, what was expected ---------------------------
conf e1 <<Y
dependencies:
  one:
    path: $R/num1.wasm
    imports: x
Y
expect_fail "error: an unknown dependency key" 'e1.yml:4:5: dependency: unknown key `imports` (expected one of `path`, `import`)' \
  "$WELD" compose "$R/app.wasm" -c "$T/e1.yml" -o "$T/x.wasm"
conf e2 <<Y
instantiations:
  p: { dependency: nothing }
Y
expect_fail "error: an instantiation of an unknown dependency" 'e2.yml:2:20: instantiation `p`: unknown dependency `nothing` (expected a name under `dependencies`' \
  "$WELD" compose "$R/app.wasm" -c "$T/e2.yml" -o "$T/x.wasm"
conf e3 <<Y
dependencies: { two: $R/num2.wasm }
instantiations:
  root:
    arguments:
      "t:r/nope": two
Y
expect_fail "error: an argument for an import the component lacks" 'e3.yml:5:7: argument `t:r/nope`: component .*app.wasm has no import named `t:r/nope`' \
  "$WELD" compose "$R/app.wasm" -c "$T/e3.yml" -o "$T/x.wasm"
conf e4 <<Y
instantiations:
  root:
    arguments:
      "t:r/num": ghost
Y
expect_fail "error: an argument naming no instance, dependency or file" 'e4.yml:4:18: argument `t:r/num`: instance `ghost`: expected an instantiation, a dependency or a file `ghost.wasm`' \
  "$WELD" compose "$R/app.wasm" -c "$T/e4.yml" -o "$T/x.wasm"
conf e5 <<Y
skip-validation: maybe
Y
expect_fail "error: a flag that is not a boolean" 'e5.yml:1:18: skip-validation: expected true or false, found `maybe`' \
  "$WELD" compose "$R/app.wasm" -c "$T/e5.yml" -o "$T/x.wasm"
conf e6 <<Y
instantiations:
  root:
    arguments: [x]
Y
expect_fail "error: arguments that are not a mapping" 'e6.yml:3:16: arguments: expected a mapping, found a list' \
  "$WELD" compose "$R/app.wasm" -c "$T/e6.yml" -o "$T/x.wasm"
conf e7 <<Y
dependencies:
  root: $R/num1.wasm
Y
expect_fail "error: a dependency named like the root" 'e7.yml:2:3: dependency `root`: the name is the root component' \
  "$WELD" compose "$R/app.wasm" -c "$T/e7.yml" -o "$T/x.wasm"
conf e8 <<Y
dependencies:
  two: { import: x }
Y
expect_fail "error: a dependency without a path" 'e8.yml:2:8: dependency `two`: missing key `path`' \
  "$WELD" compose "$R/app.wasm" -c "$T/e8.yml" -o "$T/x.wasm"

# ---- resources imported through several interfaces ---------------------------------------------------
# ra imports t:r/types and t:r/use-a (use types.{thing}); rb imports t:r/types and t:r/use-b
conf res <<Y
dependencies:
  "t:r/ra": $R/ra.wasm
  "t:r/rb": $R/rb.wasm
Y
expect_ok "resources: two importers of t:r/types and of interfaces using its thing compose" \
  "$WELD" compose "$R/rduo.wasm" -c "$T/res.yml" -o "$T/res.wasm"
"$WELD" print "$T/res.wasm" | sed -n '1,/^  (component/p' > "$T/res-top.wat"
order=$(grep -o '^  (import "[^"]*"' "$T/res-top.wat" | sed 's/.*"\(.*\)"/\1/' | paste -sd' ')
[ "$order" = "t:r/types t:r/use-a t:r/use-b" ] && ok "resources: the imports keep WIT order: types before the interfaces using it" ||
  fail "resources: the imports keep WIT order: types before the interfaces using it" "$order"
n=$(grep -c '(type (sub resource))' "$T/res-top.wat" || true)
m=$(grep -c 'alias outer 1 1 (type' "$T/res-top.wat" || true)
[ "$n" -eq 1 ] && [ "$m" -eq 2 ] && ok "resources: one thing, aliased by both users" ||
  fail "resources: one thing, aliased by both users" "$n resources, $m aliases of the outer thing"
expect_ok "resources: the composition validates" "$WELD" validate "$T/res.wasm"
expect_wit_same "resources: weld wit equals jco wit of the composition" "$T/res.wasm"
cat > "$T/res-run.yaml" <<Y
components: { u: $T/res.wasm, p: $R/rprov.wasm }
exports: [u/run]
Y
expect_ok "resources: a provider of types, use-a and use-b satisfies the three imports" \
  "$WELD" compose "$T/res-run.yaml" -o "$T/res-run.wasm"
expect_run "resources: it runs: ra drops a thing (5) + rb's size(make-b()) (20)" 25 "$T/res-run.wasm" 'run()'
# rb2 uses make-b and size of t:r/use-a; ra uses make-a: the union keeps thing once, first
conf res2 <<Y
dependencies:
  "t:r/ra": $R/ra.wasm
  "t:r/rb": $R/rb2.wasm
Y
expect_ok "resources: two views of t:r/use-a with its thing compose into their union" \
  "$WELD" compose "$R/rduo.wasm" -c "$T/res2.yml" -o "$T/res2.wasm"
"$WELD" print "$T/res2.wasm" | sed -n '1,/^  (component/p' > "$T/res2-top.wat"
exports=$(sed -n '/^  (type (;2;)/,/^  )/p' "$T/res2-top.wat" | grep -o '(export (;[0-9]*;) "[^"]*"' | sed 's/.*"\(.*\)"/\1/' | paste -sd' ')
[ "$exports" = "thing make-a make-b size" ] && ok "resources: the union's order: thing, ra's make-a, then rb2's make-b and size" ||
  fail "resources: the union's order: thing, ra's make-a, then rb2's make-b and size" "$exports"
expect_ok "resources: the union validates (one thing for both views)" "$WELD" validate "$T/res2.wasm"
expect_wit_same "resources: weld wit equals jco wit of the union" "$T/res2.wasm"
cat > "$T/res2-run.yaml" <<Y
components: { u: $T/res2.wasm, p: $R/rprov2.wasm }
exports: [u/run]
Y
expect_ok "resources: a provider of the whole t:r/use-a satisfies the union" \
  "$WELD" compose "$T/res2-run.yaml" -o "$T/res2-run.wasm"
expect_run "resources: it runs (5 + 20)" 25 "$T/res2-run.wasm" 'run()'
cat > "$T/res2-short.yaml" <<Y
components: { u: $T/res2.wasm, p: $R/rprov.wasm }
exports: [u/run]
Y
expect_fail "resources: a provider lacking what the union adds is refused, naming it" 'missing expected export `make-b`' \
  "$WELD" compose "$T/res2-short.yaml" -o "$T/x.wasm"

# ---- the WAC language (weld compose FILE.wac) -------------------------------------------------------
mkdir -p "$T/wac/deps/t"
cp "$R/ops.wasm" "$T/wac/deps/t/ops.wasm"
D="--dep t:ua=$R/ua.wasm --dep t:ub=$R/ub.wasm --dep t:duo=$R/duo.wasm --dep t:app=$R/app.wasm --dep t:get3=$R/get3.wasm"
cat > "$T/wac/duo.wac" <<'W'
// ops from deps/t/ops.wasm; the others from --dep
package example:duo;

let ops = new t:ops {};
let ua = new t:ua { t:r/ops: ops };             /* the whole instance: its t:r/ops export */
let ub = new t:ub { "t:r/ops": ops["t:r/ops"] };
let duo = new t:duo { "t:r/ua": ua.ua, "t:r/ub": ub };
export duo.run;
W
expect_ok "wac: let/new with named arguments, access expressions, export" \
  "$WELD" compose "$T/wac/duo.wac" $D -o "$T/wac/duo.wasm"
expect_run "wac: the composition runs: (1 + 10) + (2 + 20)" 33 "$T/wac/duo.wasm" 'run()'
expect_wit_same "wac: weld wit equals jco wit of the composition" "$T/wac/duo.wasm"
cat > "$T/wac/open.wac" <<'W'
package example:open;
let ua = new t:ua { ... };
let ub = new t:ub { ... };
let duo = new t:duo { "t:r/ua": ua, "t:r/ub": ub };
export duo.run as total;
W
expect_ok "wac: \`...\` leaves the imports no argument names as imports" \
  "$WELD" compose "$T/wac/open.wac" $D -o "$T/wac/open.wasm"
"$WELD" wit "$T/wac/open.wasm" > "$T/wac/open.wit" 2>&1
if grep -q 'import t:r/ops;' "$T/wac/open.wit" && grep -q 'export total: func() -> u32;' "$T/wac/open.wit"; then
  ok "wac: one t:r/ops import (the union of ua's and ub's), run exported as total"
else fail "wac: one t:r/ops import (the union of ua's and ub's), run exported as total" "$(cat "$T/wac/open.wit")"; fi
# wac_fail DESC PATTERN TEXT: TEXT as $T/wac/e.wac fails with PATTERN
wac_fail() {
  printf '%s\n' "$3" > "$T/wac/e.wac"
  expect_fail "$1" "$2" "$WELD" compose "$T/wac/e.wac" $D -o "$T/x.wasm"
}
wac_fail "wac error: no package declaration" 'e.wac:1:1: expected `package ns:name;` first, found `let`' 'let x = new t:ua { ... };'
wac_fail "wac error: an undefined name" 'e.wac:3:8: undefined name `y` (expected a name bound by `let`)' \
  "$(printf 'package a:b;\nlet x = new t:ua { ... };\nexport y.ua;')"
wac_fail "wac error: an import without an argument and no \`...\`" 'e.wac:2:5: instance `x` (package t:ua): import `t:r/ops` has no argument' \
  "$(printf 'package a:b;\nlet x = new t:ua { };\nexport x.ua;')"
wac_fail "wac error: an export the instance lacks" 'e.wac:3:10: instance `x` has no export `nope`' \
  "$(printf 'package a:b;\nlet x = new t:ua { ... };\nexport x.nope;')"
wac_fail "wac error: an unterminated string" 'e.wac:2:20: unterminated string' \
  "$(printf 'package a:b;\nlet x = new t:ua { "t:r/ops: y };')"
wac_fail "wac error: a package with no --dep and no deps/ file" 'e.wac:2:13: package `t:nope`: no --dep t:nope=PATH' \
  "$(printf 'package a:b;\nlet x = new t:nope { };')"
wac_fail "wac error: a missing semicolon" 'e.wac:3:1: expected `;` after the `let` statement, found `export`' \
  "$(printf 'package a:b;\nlet x = new t:ua { ... }\nexport x.ua;')"
wac_fail "wac error: an argument for an import the package lacks" 'e.wac:3:20: package `t:ua` has no import `bogus`' \
  "$(printf 'package a:b;\nlet o = new t:ops {};\nlet x = new t:ua { bogus: o };')"
wac_fail "wac error: exporting an instance without a name" 'e.wac:3:8: exporting the instance `x` needs a name (`as NAME`)' \
  "$(printf 'package a:b;\nlet x = new t:ua { ... };\nexport x;')"
wac_fail "wac error: an instance import given a function, naming both kinds" \
  'e.wac:3:21: type mismatch: import `t:r/num` of instance `x` is an instance import, found a func (export `get`' \
  "$(printf 'package a:b;\nlet g = new t:get3 {};\nlet x = new t:app { t:r/num: g.get };\nexport x.run;')"
printf 'package a:b;\nlet x = new t:ua { ... };\nexport x.nope;\n' > "$T/wac/e.wac"
"$WELD" compose "$T/wac/e.wac" $D -o "$T/x.wasm" 2> "$T/wac/caret.err"
if grep -q '^    3 | export x.nope;' "$T/wac/caret.err" && grep -q '^      |          \^' "$T/wac/caret.err"; then
  ok "wac: errors quote the line with a caret under the column"
else fail "wac: errors quote the line with a caret under the column" "$(cat "$T/wac/caret.err")"; fi
tap_done
