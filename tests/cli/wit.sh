# weld wit: resolve, print, JSON, worlds, features, errors with carets, round trips.
. "$WELD_ROOT/tests/tap.sh"

# a package directory with a dependency directory and a dependency file
mkdir -p "$T/pkg/deps/io" "$T/pkg/deps"
cat > "$T/pkg/main.wit" <<'W'
package demo:app@1.0.0;

/// Things the app offers.
interface api {
  use wasi:io/streams@0.2.0.{output-stream};
  use demo:util/text.{shout as loud};
  write: func(s: borrow<output-stream>, what: loud);
}

world app {
  @unstable(feature = extra)
  import extra: func();
  export api;
}
W
cat > "$T/pkg/deps/io/streams.wit" <<'W'
package wasi:io@0.2.0;

interface streams {
  resource output-stream;
}
W
cat > "$T/pkg/deps/util.wit" <<'W'
package demo:util;

interface text {
  type shout = string;
}
W
cat > "$T/expect.wit" <<'W'
package demo:app@1.0.0;

/// Things the app offers.
interface api {
  use wasi:io/streams@0.2.0.{output-stream};
  use demo:util/text.{shout as loud};

  write: func(s: borrow<output-stream>, what: loud);
}

world app {
  import wasi:io/streams@0.2.0;
  import demo:util/text;

  export api;
}
package wasi:io@0.2.0 {
  interface streams {
    resource output-stream;
  }
}


package demo:util {
  interface text {
    type shout = string;
  }
}
W
expect_ok "directory with deps/ resolves" "$WELD" wit "$T/pkg"
if cmp -s "$T/out" "$T/expect.wit"; then ok "prints canonical WIT"; else fail "prints canonical WIT" "$(diff "$T/out" "$T/expect.wit")"; fi
cp "$T/out" "$T/printed.wit"
expect_ok "printed WIT parses again" "$WELD" wit "$T/printed.wit"
if cmp -s "$T/out" "$T/printed.wit"; then ok "printing is a fixed point"; else fail "printing is a fixed point" "$(diff "$T/out" "$T/printed.wit")"; fi
expect_ok "round trip gives an equal resolve (--check)" "$WELD" wit "$T/pkg" --check
"$WELD" wit "$T/pkg" --json > "$T/a.json" 2>&1 && "$WELD" wit "$T/printed.wit" --json > "$T/b.json" 2>&1
if cmp -s "$T/a.json" "$T/b.json"; then ok "round trip gives the same JSON"; else fail "round trip gives the same JSON"; fi
if grep -q '"worlds": \[' "$T/a.json" && grep -q '"packages": \[' "$T/a.json" && grep -q '"interface-0"' "$T/a.json"; then
  ok "--json has wit-parser's layout"; else fail "--json has wit-parser's layout" "$(head -20 "$T/a.json")"; fi
expect_ok "--world selects a world" "$WELD" wit "$T/pkg" --world app
if grep -q '^world app' "$T/out" && ! grep -q '^interface' "$T/out"; then ok "--world prints only the world"; else fail "--world prints only the world" "$(cat "$T/out")"; fi
expect_fail "--world with an unknown name" "world \`nope\` not found" "$WELD" wit "$T/pkg" --world nope
"$WELD" wit "$T/pkg" --main-only > "$T/plain"
"$WELD" wit "$T/pkg" --main-only --features extra > "$T/feat"
"$WELD" wit "$T/pkg" --main-only --all-features > "$T/all"
if ! grep -q 'extra: func' "$T/plain" && grep -q 'import extra: func();' "$T/feat" && cmp -s "$T/feat" "$T/all"; then
  ok "--features and --all-features open @unstable gates"; else fail "--features and --all-features open @unstable gates" "$(cat "$T/feat")"; fi
expect_ok "-o writes a file" "$WELD" wit "$T/pkg" -o "$T/o.wit"
if cmp -s "$T/o.wit" "$T/expect.wit"; then ok "-o output equals stdout output"; else fail "-o output equals stdout output"; fi

# errors: file:line:col, the line, a caret under the span, what was expected
printf 'package a:b;\ninterface i {\n  record r { a: u32 ] }\n}\n' > "$T/bad.wit"
"$WELD" wit "$T/bad.wit" > /dev/null 2> "$T/err"; rc=$?
if [ "$rc" -eq 1 ] && grep -q "bad.wit:3:21: expected \`,\` or \`}\` after a record field, found \`\]\`" "$T/err" \
   && grep -q '^    3 |   record r { a: u32 \] }$' "$T/err" && grep -qx "      | $(printf '%20s' '')^" "$T/err"; then
  ok "syntax error: location, source line and caret"; else fail "syntax error: location, source line and caret" "rc=$rc $(cat "$T/err")"; fi
printf 'package a:b;\ninterface i {\n  use wasi:io/streams@0.2.0.{input-stream};\n}\n' > "$T/dangling.wit"
expect_fail "dangling use names the missing package" "dangling.wit:3:7: package \`wasi:io@0.2.0\` not found" "$WELD" wit "$T/dangling.wit"
printf 'package a:b;\ninterface i {\n  use c:d/x@1.0.0.{t};\n}\npackage c:d@1.1.0 { interface x { type t = u8; } }\n' > "$T/ver.wit"
expect_fail "version mismatch names both versions" "asks for version 1.0.0 but the package found is version 1.1.0" "$WELD" wit "$T/ver.wit"
printf 'package a:b;\ninterface i { type t = nope; }\n' > "$T/undef.wit"
expect_fail "undefined type" "undef.wit:2:24: type \`nope\` does not exist" "$WELD" wit "$T/undef.wit"
expect_fail "missing path" "no such file or directory" "$WELD" wit "$T/does-not-exist"
expect_fail "no PATH is a usage error" "missing PATH" "$WELD" wit
printf '\377\376garbage\000' > "$T/bin.wit"
"$WELD" wit "$T/bin.wit" > /dev/null 2>&1; rc=$?
[ "$rc" -eq 1 ] && ok "binary garbage is rejected, not a crash" || fail "binary garbage is rejected, not a crash" "rc=$rc"

printf '\000asm\001\000\000\000' > "$T/x.wasm"
expect_fail "a core module is named as such" "a WebAssembly core module; expected WIT text" "$WELD" wit "$T/x.wasm"

# round trip every package directory of wit/ and fixtures/wit/
n=0 bad=0
for d in "$WELD_ROOT"/wit "$WELD_ROOT"/fixtures/wit/*; do
  [ -d "$d" ] || [ -f "$d" ] || continue
  [ -d "$d" ] || case "$d" in *.wit) ;; *) continue ;; esac
  n=$((n + 1))
  if "$WELD" wit "$d" --check > "$T/rt1.wit" 2>"$T/rterr" && "$WELD" wit "$T/rt1.wit" > "$T/rt2.wit" 2>>"$T/rterr" \
     && cmp -s "$T/rt1.wit" "$T/rt2.wit"; then :; else bad=$((bad + 1)); echo "# round trip failed: $d"; sed 's/^/# /' "$T/rterr"; fi
done
if [ "$n" -eq 0 ]; then skip "round trip of wit/ and fixtures/wit/" "no WIT packages in wit/ or fixtures/wit/ yet"
elif [ "$bad" -eq 0 ]; then ok "round trip of $n packages in wit/ and fixtures/wit/"
else fail "round trip of wit/ and fixtures/wit/ ($bad of $n failed)"; fi

# interop: the WIT jco prints for real components resolves (against the WASI packages of wit/,
# or of WIT_WASI_DIR: package directories, or a package whose deps/ holds them)
JCO=${JCO:-${JCO_HOME:-/nonexistent}/node_modules/.bin/jco}
RW=${WELD_REALWORLD_DIR:-/nonexistent}
GREETER="$WELD_ROOT/../shared/realworld/src/wit/greeter.wit"
if [ ! -x "$JCO" ] || [ ! -d "$RW" ] || ! ls "$RW"/*.wasm > /dev/null 2>&1; then
  skip "jco wit output of real components resolves" "jco or $RW not available"
elif [ ! -d "${WIT_WASI_DIR:-$WELD_ROOT/wit}" ] || [ ! -f "$GREETER" ]; then
  skip "jco wit output of real components resolves" "needs the WASI packages in wit/ (or WIT_WASI_DIR) and $GREETER"
else
  W=${WIT_WASI_DIR:-$WELD_ROOT/wit}
  [ -d "$W/deps" ] && W="$W/deps"
  n=0 bad=0 same=0
  for f in "$RW"/*.wasm; do
    b=$(basename "$f" .wasm)
    mkdir -p "$T/jco/$b/deps"
    # jco takes seconds per file: its output is cached in the build directory
    cache="${WELD_BUILD:-$T}/jco-wit/$b.wit"
    if [ ! -s "$cache" ] || [ "$f" -nt "$cache" ]; then
      mkdir -p "$(dirname "$cache")"
      "$JCO" wit "$f" > "$cache.tmp" 2>/dev/null && mv "$cache.tmp" "$cache" || { rm -f "$cache.tmp"; continue; }
    fi
    cp "$cache" "$T/jco/$b/root.wit"
    n=$((n + 1))
    # the deps: wit/'s packages at the versions the component asks for
    for v in $(grep -o 'wasi:[a-z-]*/[a-z-]*@[0-9.]*' "$T/jco/$b/root.wit" | sed 's/.*@//' | sort -u); do
      if [ ! -d "$T/wasi-$v" ]; then
        for p in "$W"/*/; do
          q="$T/wasi-$v/$(basename "$p")"; mkdir -p "$q"
          for w in "$p"*.wit; do sed "s/\(wasi:[a-z-]*\(\/[a-z-]*\)\{0,1\}\)@0\.2\.[0-9]*/\1@$v/g" "$w" > "$q/$(basename "$w")"; done
        done
      fi
      for p in "$T/wasi-$v"/*; do ln -sfn "$p" "$T/jco/$b/deps/$(basename "$p")"; done
    done
    cp "$GREETER" "$T/jco/$b/deps/greeter.wit"
    if "$WELD" wit "$T/jco/$b" --main-only > "$T/jco/$b.out" 2> "$T/jco/$b.err"; then
      # jco ends its output with one more newline than the printer
      printf '\n' >> "$T/jco/$b.out"
      cmp -s "$T/jco/$b.out" "$T/jco/$b/root.wit" && same=$((same + 1))
    else
      bad=$((bad + 1)); echo "# $b: $(head -1 "$T/jco/$b.err")"
    fi
  done
  [ "$bad" -eq 0 ] && ok "jco wit output of $n real components resolves" || fail "jco wit output of real components resolves ($bad of $n failed)"
  echo "# weld reprints $same of $n exactly as jco printed them (the rest gain imports their WASI dependencies need)"
fi
tap_done
