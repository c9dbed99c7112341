# weld compose / plug / graph on the small components of fixtures/compose: transitive
# plugging, semver matching, merged imports, resources crossing instances, shared and
# repeated instances, wasm-compose's format, pictures, and every error with its position.
# (Running the results on node: tests/cli/compose_run.sh.)
. "$WELD_ROOT/tests/tap.sh"
C="$FIX/compose"

# expect_grep DESC PATTERN FILE: FILE contains PATTERN
expect_grep() {
  if grep -q -- "$2" "$3"; then ok "$1"; else fail "$1" "$(head -c 2000 "$3")"; fi
}
# spec NAME: writes stdin to $T/NAME.yaml
spec() { cat > "$T/$1.yaml"; }

# ---- plug: direct, transitive, semver ------------------------------------------------------
expect_ok "plug: calc with adder (0.2.1 satisfies 0.2.0)" \
  "$WELD" plug "$C/calc.wasm" --plug "$C/adder.wasm" -o "$T/calc.wasm"
expect_ok "the composed component round-trips through weld's reader and writer" \
  "$WELD" parse "$T/calc.wasm" --check
"$WELD" plug "$C/calc.wasm" --plug "$C/adder.wasm" -o "$T/calc2.wasm" 2>/dev/null
if cmp -s "$T/calc.wasm" "$T/calc2.wasm"; then ok "composing twice gives the same bytes"
else fail "composing twice gives the same bytes"; fi
"$WELD" graph "$T/calc.wasm" --format json > "$T/calc.json" 2>&1
expect_grep "graph recovers the instances of a composed binary from its name section" \
  '"kind": "instance", "name": "adder", "component": "adder"' "$T/calc.json"
expect_grep "graph recovers the edge satisfying calc's import" '"import": "t:math/add@0.2.0", "export": "t:math/add@0.2.1"' "$T/calc.json"

expect_ok "plug: transitive (quad <- doubler <- adder)" \
  "$WELD" plug "$C/quad.wasm" --plug "$C/doubler.wasm" --plug "$C/adder.wasm" -o "$T/quad.wasm"
"$WELD" graph "$T/quad.wasm" --format mermaid > "$T/quad.mmd" 2>&1
expect_grep "transitive: the doubler's import is satisfied by the adder" \
  '|"t:math/add@0.2.0 <- t:math/add@0.2.1"|' "$T/quad.mmd"
"$WELD" plug "$C/quad.wasm" --plug "$C/adder.wasm" --plug "$C/doubler.wasm" -o "$T/quad-b.wasm" 2>/dev/null
expect_ok "transitive plugging does not depend on the order of the plugs" "$WELD" parse "$T/quad-b.wasm" --check

"$WELD" plug "$C/calc.wasm" --plug "$C/adder.wasm" --plug "$C/adder-023.wasm" --plug "$C/adder-030.wasm" \
  --explain > "$T/semver.txt" 2>&1
expect_grep "semver: the highest compatible version is taken" \
  'taken: `adder-023` export `t:math/add@0.2.3` (the highest compatible version)' "$T/semver.txt"
expect_grep "semver: 0.3.0 does not satisfy 0.2.0 (explained)" \
  '`adder-030` (adder-030): no export named `t:math/add@0.2.0` or a semver-compatible version' "$T/semver.txt"
expect_fail "semver: a 0.3.0 plug satisfies nothing for a 0.2.0 import" "satisfies no import" \
  "$WELD" plug "$C/calc.wasm" --plug "$C/adder-030.wasm" -o "$T/x.wasm"
expect_fail "semver: a prerelease matches only exactly" "satisfies no import" \
  "$WELD" plug "$C/calc.wasm" --plug "$C/adder-pre.wasm" -o "$T/x.wasm"
expect_fail "semver: 0.0.x matches only exactly" "satisfies no import" \
  "$WELD" plug "$C/zero-user.wasm" --plug "$C/zero.wasm" -o "$T/x.wasm"
expect_ok "plug: a resource type crosses instances (counter-user <- counter)" \
  "$WELD" plug "$C/counter-user.wasm" --plug "$C/counter.wasm" -o "$T/counter.wasm"
"$WELD" plug "$C/calc.wasm" --plug "$C/adder.wasm" --explain > "$T/explain.txt" 2>&1
expect_grep "plug --explain without -o prints the candidates" \
  '`adder` export `t:math/add@0.2.1`: candidate (semver-compatible version)' "$T/explain.txt"

# ---- plug errors ---------------------------------------------------------------------------------
expect_fail "error: type mismatch, explained function by function" \
  'func `add`: expected `func(a: u32, b: u32) -> u32`, found `func(a: u32, b: u32) -> u64` (from instance `adder-bad`' \
  "$WELD" plug "$C/calc.wasm" --plug "$C/adder-bad.wasm" -o "$T/x.wasm"
expect_fail "error: a cycle, with its path" 'dependency cycle: `socket` -> `pong` -> `socket`' \
  "$WELD" plug "$C/ping.wasm" --plug "$C/pong.wasm" -o "$T/x.wasm"
expect_fail "error: an ambiguous match lists the candidates" \
  'ambiguous match for import `t:math/add@0.2.0` of instance `socket`: candidates `adder` (export `t:math/add@0.2.1`), `adder-2`' \
  "$WELD" plug "$C/calc.wasm" --plug "$C/adder.wasm" --plug "$C/adder.wasm" -o "$T/x.wasm"
expect_fail "error: a missing plug file" "nope.wasm" \
  "$WELD" plug "$C/calc.wasm" --plug "$C/nope.wasm" -o "$T/x.wasm"
printf '\000asm\001\000\000\000' > "$T/core.wasm"
expect_fail "error: a core module is not a component" "is not a component" \
  "$WELD" plug "$C/calc.wasm" --plug "$T/core.wasm" -o "$T/x.wasm"
[ ! -e "$T/x.wasm" ] && ok "failed compositions leave no output file" || fail "failed compositions leave no output file"
if "$WELD" plug "$C/calc.wasm" 2>/dev/null; then fail "plug without --plug is a usage error"
else [ $? -eq 2 ] && ok "plug without --plug is a usage error (exit 2)" || fail "plug without --plug is a usage error (exit 2)"; fi

# ---- weld's YAML spec ------------------------------------------------------------------------------
spec shared <<Y
components:
  tally: $C/tally.wasm
  ticker: $C/ticker.wasm
instances:
  counter: { component: tally }
  a: { component: ticker, args: { "t:tally/tally@0.1.0": counter } }
  b:
    component: ticker
    args:
      "t:tally/tally@0.1.0": { instance: counter, export: "t:tally/tally@0.1.0" }
exports:
  - { instance: a, export: tick, as: tick-a }
  - { instance: b, export: tick, as: tick-b }
Y
expect_ok "spec: one instance feeds two importers (shared)" "$WELD" compose "$T/shared.yaml" -o "$T/shared.wasm"
"$WELD" graph "$T/shared.wasm" --format json > "$T/shared.json" 2>&1
n=$(grep -c '"from": 0, ' "$T/shared.json" || true)
[ "$n" -ge 2 ] && ok "shared: the tally instance has two outgoing edges" || fail "shared: the tally instance has two outgoing edges" "$(cat "$T/shared.json")"
expect_grep "exports are renamed with \`as\`" '"kind": "export", "name": "tick-b"' "$T/shared.json"
spec multi <<Y
components:
  tally: $C/tally.wasm
  ticker: $C/ticker.wasm
instances:
  t1: { component: tally }
  t2: { component: tally }
  a: { component: ticker, args: { "t:tally/tally@0.1.0": t1 } }
  b: { component: ticker, args: { "t:tally/tally@0.1.0": t2 } }
exports:
  - { instance: a, export: tick, as: tick-a }
  - { instance: b, export: tick, as: tick-b }
Y
expect_ok "spec: a component instantiated twice" "$WELD" compose "$T/multi.yaml" -o "$T/multi.wasm"
"$WELD" graph "$T/multi.wasm" --format json > "$T/multi.json" 2>&1
n=$(grep -c '"component": "tally"' "$T/multi.json" || true)
[ "$n" -eq 2 ] && ok "multiple instantiation: two instances of one embedded definition" || fail "multiple instantiation: two instances of one embedded definition" "$(cat "$T/multi.json")"
n=$(grep -c "^  (component " <("$WELD" print "$T/multi.wasm") || true)
[ "$n" -eq 2 ] && ok "multiple instantiation: each definition is embedded once" || fail "multiple instantiation: each definition is embedded once" "$n definitions"

spec merged <<Y
components:
  a: $C/logger-user-a.wasm
  b: $C/logger-user-b.wasm
  adder: $C/adder.wasm
exports: [a/a, b/b]
Y
expect_ok "spec: auto-plug by interface name, imports merged across instances" \
  "$WELD" compose "$T/merged.yaml" -o "$T/merged.wasm"
"$WELD" graph "$T/merged.wasm" --format json > "$T/merged.json" 2>&1
n=$(grep -c '"kind": "import", "name": "t:host/log@0.1.0"' "$T/merged.json" || true)
[ "$n" -eq 1 ] && ok "merged imports: t:host/log is imported once" || fail "merged imports: t:host/log is imported once" "$(cat "$T/merged.json")"
n=$(grep -c '"import": "t:host/log@0.1.0"' "$T/merged.json" || true)
[ "$n" -eq 2 ] && ok "merged imports: the one import feeds both instances" || fail "merged imports: the one import feeds both instances" "$n"
spec merged-bad <<Y
components:
  b: $C/logger-user-b.wasm
  bad: $C/logger-bad.wasm
Y
expect_fail "error: merged imports whose types disagree" \
  'merged-bad.yaml:3:3: instances `b` and `bad` both import `t:host/log@0.1.0` with types that do not agree: func `log` is `func(x: u32)` for instance `b` and `func(x: u64)` for instance `bad`' \
  "$WELD" compose "$T/merged-bad.yaml" -o "$T/x.wasm"
spec noimports <<Y
components:
  b: $C/logger-user-b.wasm
options:
  no-imports: true
Y
expect_fail "error: no-imports with an unsatisfied import" 'import `t:host/log@0.1.0` of instance `b`' \
  "$WELD" compose "$T/noimports.yaml" -o "$T/x.wasm"
spec noauto <<Y
components:
  calc: $C/calc.wasm
  adder: $C/adder.wasm
options:
  auto-plug: false
Y
"$WELD" compose "$T/noauto.yaml" -o "$T/noauto.wasm" 2>/dev/null
"$WELD" graph "$T/noauto.wasm" --format json > "$T/noauto.json" 2>&1
expect_grep "auto-plug: false leaves the import to the composition" '"kind": "import", "name": "t:math/add@0.2.0"' "$T/noauto.json"
mkdir -p "$T/sub/lib" && cp "$C/adder.wasm" "$T/sub/lib/" && spec sub/search <<Y
components:
  calc: $C/calc.wasm
  adder: adder.wasm
options:
  search-paths: [lib]
Y
expect_ok "spec: search-paths find a component" "$WELD" compose "$T/sub/search.yaml" -o "$T/search.wasm"
cp "$C/calc.wasm" "$C/adder.wasm" "$T/sub/" && spec sub/relative <<Y
components: { calc: calc.wasm, adder: adder.wasm }
Y
expect_ok "spec: paths are relative to the spec" "$WELD" compose "$T/sub/relative.yaml" -o "$T/relative.wasm"
expect_ok "graph on a spec (dot)" "$WELD" graph "$T/shared.yaml" --format dot -o "$T/shared.dot"
expect_grep "graph: the dot text names the instances and edges" 'label="t:tally/tally@0.1.0"' "$T/shared.dot"
if command -v dot >/dev/null 2>&1; then
  "$WELD" graph "$T/shared.yaml" --svg "$T/shared.svg" 2>"$T/err"
  expect_grep "graph --svg renders through Graphviz" '<svg' "$T/shared.svg"
else
  skip "graph --svg renders through Graphviz" "graphviz (dot) is not installed"
fi

# ---- spec errors with line:col ------------------------------------------------------------------
spec badkey <<Y
components:
  calc: $C/calc.wasm
instancez: {}
Y
expect_fail "error: an unknown top-level key, with line:col" \
  "badkey.yaml:3:1: spec: unknown key \`instancez\` (expected one of \`components\`" "$WELD" compose "$T/badkey.yaml" -o "$T/x.wasm"
spec badkey2 <<Y
components:
  calc: $C/calc.wasm
instances:
  c: { component: calc, argz: {} }
Y
expect_fail "error: an unknown instance key, with line:col" "badkey2.yaml:4:25: instance: unknown key \`argz\`" \
  "$WELD" compose "$T/badkey2.yaml" -o "$T/x.wasm"
spec badtype <<Y
components:
  - $C/calc.wasm
Y
expect_fail "error: a wrong type, with line:col" "badtype.yaml:2:3: components: expected a mapping, found a list" \
  "$WELD" compose "$T/badtype.yaml" -o "$T/x.wasm"
spec badbool <<Y
components: { calc: $C/calc.wasm }
options: { auto-plug: maybe }
Y
expect_fail "error: a boolean option that is not one" "badbool.yaml:2:23: auto-plug: expected true or false, found \`maybe\`" \
  "$WELD" compose "$T/badbool.yaml" -o "$T/x.wasm"
printf 'components:\n  calc: [unclosed\n' > "$T/syntax.yaml"
expect_fail "error: YAML syntax, with line:col" "syntax.yaml:3:1: YAML: " "$WELD" compose "$T/syntax.yaml" -o "$T/x.wasm"
spec missing <<Y
components:
  calc: $C/calc.wasm
  ghost: nope/ghost.wasm
Y
expect_fail "error: a missing component file, with line:col" "missing.yaml:3:10: component \`ghost\`: file \`nope/ghost.wasm\` not found" \
  "$WELD" compose "$T/missing.yaml" -o "$T/x.wasm"
spec unkinst <<Y
components: { calc: $C/calc.wasm }
instances:
  c: { component: calc, args: { "t:math/add@0.2.0": nowhere } }
Y
expect_fail "error: an unknown instance, with line:col" "unkinst.yaml:3:53: argument \`t:math/add@0.2.0\`: unknown instance \`nowhere\`" \
  "$WELD" compose "$T/unkinst.yaml" -o "$T/x.wasm"
spec unkcomp <<Y
components: { calc: $C/calc.wasm }
instances:
  c: { component: calculator }
Y
expect_fail "error: an unknown component, with line:col" "unkcomp.yaml:3:19: instance \`c\`: unknown component \`calculator\`" \
  "$WELD" compose "$T/unkcomp.yaml" -o "$T/x.wasm"
spec unkimport <<Y
components: { calc: $C/calc.wasm, adder: $C/adder.wasm }
instances:
  adder: { component: adder }
  c: { component: calc, args: { "t:math/sub@0.2.0": adder } }
Y
expect_fail "error: an argument for an import the component lacks" "unkimport.yaml:4:33: instance \`c\` (component calc) has no import \`t:math/sub@0.2.0\`" \
  "$WELD" compose "$T/unkimport.yaml" -o "$T/x.wasm"
spec unkexport <<Y
components: { calc: $C/calc.wasm }
exports: [calc/runn]
Y
expect_fail "error: exporting what the instance lacks" "unkexport.yaml:2:11: instance \`calc\` (component calc) has no export \`runn\`" \
  "$WELD" compose "$T/unkexport.yaml" -o "$T/x.wasm"
spec mismatch <<Y
components: { calc: $C/calc.wasm, bad: $C/adder-bad.wasm }
instances:
  bad: { component: bad }
  c: { component: calc, args: { "t:math/add@0.2.0": bad } }
Y
expect_fail "error: a type mismatch on an explicit argument, at its line:col" \
  "mismatch.yaml:4:33: type mismatch: import \`t:math/add@0.2.0\` of instance \`c\`, func \`add\`" \
  "$WELD" compose "$T/mismatch.yaml" -o "$T/x.wasm"
spec cycle <<Y
components: { ping: $C/ping.wasm, pong: $C/pong.wasm }
instances:
  a: { component: ping, args: { "t:cyc/pong@0.1.0": b } }
  b: { component: pong, args: { "t:cyc/ping@0.1.0": a } }
Y
expect_fail "error: a cycle through explicit arguments, with its path" 'dependency cycle: `a` -> `b` -> `a`' \
  "$WELD" compose "$T/cycle.yaml" -o "$T/x.wasm"
spec ambiguous <<Y
components: { calc: $C/calc.wasm, adder: $C/adder.wasm }
instances:
  c: { component: calc }
  x: { component: adder }
  y: { component: adder }
Y
expect_fail "error: ambiguous auto-plug in a spec" 'candidates `x` (export `t:math/add@0.2.1`), `y` (export `t:math/add@0.2.1`)' \
  "$WELD" compose "$T/ambiguous.yaml" -o "$T/x.wasm"

# ---- wasm-compose's format -------------------------------------------------------------------------
expect_ok "wasm-compose form: ROOT -d DEFINITION" \
  "$WELD" compose "$C/quad.wasm" -d "$C/doubler.wasm" -d "$C/adder.wasm" -o "$T/wc-quad.wasm"
"$WELD" graph "$T/wc-quad.wasm" --format json > "$T/wc.json" 2>&1
expect_grep "wasm-compose form: definitions resolve transitively" '"name": "adder", "component": "adder"' "$T/wc.json"
cat > "$T/wc.yml" <<Y
dependencies:
  plus: $C/adder.wasm
instantiations:
  \$input:
    arguments:
      "t:math/add@0.2.0": { instance: p, export: "t:math/add@0.2.1" }
  p:
    dependency: plus
Y
expect_ok "wasm-compose form: a configuration with dependencies and instantiations" \
  "$WELD" compose "$C/calc.wasm" -c "$T/wc.yml" -o "$T/wc-calc.wasm"
printf 'dependencies: {}\nsearch-path: [x]\n' > "$T/wc-bad.yml"
expect_fail "wasm-compose form: an unknown configuration key, with line:col" "wc-bad.yml:2:1: configuration: unknown key \`search-path\`" \
  "$WELD" compose "$C/calc.wasm" -c "$T/wc-bad.yml" -o "$T/x.wasm"
expect_fail "wasm-compose form: --no-imports with an import left" "imports are not allowed" \
  "$WELD" compose "$C/calc.wasm" --no-imports -o "$T/x.wasm"
expect_ok "--import-components: the definitions become component imports, validated" \
  "$WELD" compose "$C/calc.wasm" -d "$C/adder.wasm" --import-components -o "$T/imp.wasm"
"$WELD" print "$T/imp.wasm" > "$T/imp.wat" 2>&1
if grep -q '(import "adder" (component' "$T/imp.wat" && grep -q '(import "input" (component' "$T/imp.wat" &&
   ! grep -q '^  (component ' "$T/imp.wat"; then
  ok "--import-components: adder and the root imported by name, no definition embedded"
else fail "--import-components: adder and the root imported by name, no definition embedded" "$(grep -n '(import\|^  (component' "$T/imp.wat" | head)"; fi
expect_ok "--import-components: the output validates" "$WELD" validate "$T/imp.wasm"
if [ "$(wc -c < "$T/imp.wasm")" -lt "$(wc -c < "$C/calc.wasm")" ]; then
  ok "--import-components: the output is smaller than the root it no longer embeds"
else fail "--import-components: the output is smaller than the root it no longer embeds" "$(wc -c "$T/imp.wasm" "$C/calc.wasm")"; fi
expect_ok "wasm-compose form: --skip-validation" \
  "$WELD" compose "$C/calc.wasm" -d "$C/adder.wasm" --skip-validation -o "$T/skip.wasm"

# ---- the real components, when they have been built -------------------------------------------------
R=${WELD_REALWORLD_DIR:-}
if [ -n "$R" ] && [ -f "$R/greeter-c.wasm" ] && [ -f "$R/names-rust.wasm" ]; then
  expect_ok "real components: greeter-c with names-rust (WASI imports merged)" \
    "$WELD" plug "$R/greeter-c.wasm" --plug "$R/names-rust.wasm" -o "$T/real.wasm"
  "$WELD" graph "$T/real.wasm" --format json > "$T/real.json" 2>&1
  n=$(grep -c '"kind": "import", "name": "wasi:filesystem/types@0.2.12"' "$T/real.json" || true)
  [ "$n" -eq 1 ] && ok "real components: one wasi:filesystem/types import serves both" || fail "real components: one wasi:filesystem/types import serves both" "$n"
else
  skip "real components: greeter-c with names-rust (WASI imports merged)" "realworld components not built (${R:-WELD_REALWORLD_DIR unset})"
  skip "real components: one wasi:filesystem/types import serves both" "realworld components not built"
fi

# ---- the shipped examples ------------------------------------------------------------------------
for s in "$WELD_ROOT"/compose-specs/*.yaml; do
  expect_ok "compose-specs/$(basename "$s") composes" "$WELD" compose "$s" -o "$T/example.wasm"
done
expect_ok "compose-specs/wasm-compose.yml composes calc.wasm" \
  "$WELD" compose "$C/calc.wasm" -c "$WELD_ROOT/compose-specs/wasm-compose.yml" -o "$T/example.wasm"

# import-dependencies in weld's YAML spec, on the demo's real components (C and JavaScript)
cat > "$T/idep.yaml" <<Y
components:
  app: $WELD_ROOT/fixtures/demo/app-c.wasm
  text: $WELD_ROOT/fixtures/demo/text-js.wasm
instances:
  app: { component: app, args: { "weld:demo/text@0.1.0": text } }
  text: { component: text }
exports:
  - app/describe
options:
  import-dependencies: true
Y
expect_ok "import-dependencies: the demo composes with both components imported" \
  "$WELD" compose "$T/idep.yaml" -o "$T/idep.wasm"
expect_ok "import-dependencies: the demo's composition validates" "$WELD" validate "$T/idep.wasm"
if [ "$(wc -c < "$T/idep.wasm")" -lt 100000 ] &&
   "$WELD" print "$T/idep.wasm" | grep -q '(import "text" (component'; then
  ok "import-dependencies: the 1.6 MB JavaScript component is imported, not embedded"
else fail "import-dependencies: the 1.6 MB JavaScript component is imported, not embedded" "$(wc -c < "$T/idep.wasm") bytes"; fi
tap_done
