# weld wit on binaries: --wasm encodes a package, decoding gives the package back, deps/
# may hold .wasm packages, components print their world; errors.
. "$WELD_ROOT/tests/tap.sh"

# round trip: --wasm, then decode, prints what the source prints
for src in "$FIX"/wit/*.wit "$FIX/wit/app" "$WELD_ROOT/wit" "$FIX/demo/wit"; do
  b=$(basename "$src")
  if "$WELD" wit "$src" --wasm -o "$T/p.wasm" 2>"$T/err" && "$WELD" wit "$src" --main-only > "$T/a.wit" &&
     "$WELD" wit "$T/p.wasm" --main-only > "$T/b.wit" 2>>"$T/err" && cmp -s "$T/a.wit" "$T/b.wit"; then
    ok "wit --wasm then decode prints the source's text: $b"
  else fail "wit --wasm then decode prints the source's text: $b" "$(cat "$T/err"; diff "$T/a.wit" "$T/b.wit" | head -8)"; fi
done
# the decoded text, dependencies included, resolves and has every interface and world of
# the source
for src in "$FIX"/wit/types.wit "$FIX"/wit/gates.wit "$FIX"/wit/docs-escapes.wit "$FIX/wit/app"; do
  b=$(basename "$src")
  "$WELD" wit "$src" --wasm -o "$T/p.wasm" && "$WELD" wit "$T/p.wasm" > "$T/b.wit" 2>"$T/err"
  if "$WELD" wit "$T/b.wit" --check > /dev/null 2>>"$T/err" &&
     [ "$("$WELD" wit "$src" --main-only | grep -cE '^(interface|world) ')" = "$(sed '/^package .* {$/,$d' "$T/b.wit" | grep -cE '^(interface|world) ')" ]; then
    ok "wit --wasm then decode resolves with the same items: $b"
  else fail "wit --wasm then decode resolves with the same items: $b" "$(cat "$T/err")"; fi
done

# docs and gates travel in package-docs
"$WELD" wit "$FIX/wit/gates.wit" --wasm -o "$T/g.wasm"
if "$WELD" wit "$T/g.wasm" > "$T/g.wit" && grep -q '@since(version = 0.2.0)' "$T/g.wit" &&
   grep -q 'Feature gates' "$T/g.wit" && grep -q '@deprecated(version = 0.2.0)' "$T/g.wit"; then
  ok "docs and gates decoded from package-docs"
else fail "docs and gates decoded from package-docs" "$(head -20 "$T/g.wit")"; fi

# --json works on a decoded package and on a component
expect_ok "wit --json on a binary package" "$WELD" wit "$T/g.wasm" --json
if grep -q '"name": "stable-api"' "$T/out"; then ok "decoded JSON names the interface"; else fail "decoded JSON names the interface" "$(head -5 "$T/out")"; fi
expect_ok "wit --json on a component" "$WELD" wit "$FIX/targets/calc.wasm" --json

# a dependency given as a .wasm package in deps/
mkdir -p "$T/app/deps" "$T/dep"
cp -r "$FIX/wit/app/"*.wit "$T/app/"
cp -r "$FIX/wit/app/deps/"* "$T/app/deps/"
"$WELD" wit "$FIX/wit/app/deps/logging.wit" --wasm -o "$T/logging.wasm"
rm "$T/app/deps/logging.wit"
cp "$T/logging.wasm" "$T/app/deps/logging.wasm"
if "$WELD" wit "$T/app" --main-only > "$T/a.wit" 2>"$T/err" && "$WELD" wit "$FIX/wit/app" --main-only > "$T/b.wit" &&
   cmp -s "$T/a.wit" "$T/b.wit"; then
  ok "deps/ entry as a .wasm package resolves as its text"
else fail "deps/ entry as a .wasm package resolves as its text" "$(cat "$T/err"; diff "$T/b.wit" "$T/a.wit" | head)"; fi

# an ordinary component prints its world as root:component
cat > "$T/calc.expect" <<'W'
package root:component;

world root {
  import fixture:targets/log@0.1.0;

  export fixture:targets/math@0.1.0;
}
W
if "$WELD" wit "$FIX/targets/calc.wasm" > "$T/calc.wit" 2>"$T/err" && cmp -s "$T/calc.expect" "$T/calc.wit"; then
  ok "a component's world as WIT"
else fail "a component's world as WIT" "$(cat "$T/err"; diff "$T/calc.expect" "$T/calc.wit")"; fi

# errors
expect_fail "--wasm without -o is a usage error" "needs -o" "$WELD" wit "$FIX/wit/types.wit" --wasm
"$WELD" wit "$FIX/wit/types.wit" --wasm 2>/dev/null
if [ $? = 2 ]; then ok "--wasm without -o exits 2"; else fail "--wasm without -o exits 2"; fi
printf '\0asm\x0d\0\x01\0\x07\x05\x01' > "$T/bad.wasm"
expect_fail "a truncated binary is rejected with its offset" "offset" "$WELD" wit "$T/bad.wasm"
printf '\0asm\1\0\0\0' > "$T/bad.core.wasm"
expect_fail "a core module has no world" "component\|version\|preamble" "$WELD" wit "$T/bad.core.wasm"
cp "$T/bad.wasm" "$T/app/deps/broken.wasm"
expect_fail "a broken .wasm in deps/ names the file" "broken.wasm" "$WELD" wit "$T/app"
tap_done
