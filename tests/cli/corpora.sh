# The WIT and component corpora are complete and well formed: every invalid component
# fixture has its one-line expectation and rule comment, the WASI packages are all at
# one version, and (when this weld has the `wit` command) every WIT package resolves.
. "$WELD_ROOT/tests/tap.sh"
INV="$FIX/components-invalid"

n=0 bad=""
for w in "$INV"/*.wat; do
  n=$((n + 1)); b=$(basename "$w" .wat); e="$INV/$b.expect"
  if [ ! -s "$e" ] || [ "$(wc -l < "$e")" -ne 1 ]; then bad="$bad $b(expect)"; continue; fi
  head -n1 "$w" | grep -q '^;; ..' || bad="$bad $b(rule comment)"
  grep -q '^(component' "$w" || bad="$bad $b(no component)"
done
[ "$n" -ge 150 ] && ok "at least 150 invalid component fixtures ($n)" || fail "at least 150 invalid component fixtures" "found $n"
[ -z "$bad" ] && ok "each invalid fixture has a rule comment and a one-line .expect" || fail "each invalid fixture has a rule comment and a one-line .expect" "$bad"
orphans=""
for e in "$INV"/*.expect; do [ -f "${e%.expect}.wat" ] || orphans="$orphans $(basename "$e")"; done
[ -z "$orphans" ] && ok "no .expect without its .wat" || fail "no .expect without its .wat" "$orphans"

# every WASI package directory names the same version in its package line
vers=$(cat "$WELD_ROOT"/wit/deps/*/*.wit | sed -n 's/^package wasi:[a-z-]*@\([0-9.]*\);/\1/p' | sort -u)
pkgs=$(for d in "$WELD_ROOT"/wit/deps/*/; do grep -l '^package wasi:' "$d"*.wit >/dev/null && basename "$d"; done | tr '\n' ' ')
[ "$vers" = 0.2.12 ] && ok "WASI packages all at 0.2.12" || fail "WASI packages all at 0.2.12" "versions: $vers"
[ "$pkgs" = "cli clocks filesystem http io random sockets " ] && ok "WASI packages present: $pkgs" || fail "WASI packages present" "$pkgs"

if "$WELD" help wit >/dev/null 2>&1; then
  for p in wit fixtures/wit/types.wit fixtures/wit/resources.wit fixtures/wit/streams.wit \
           fixtures/wit/docs-escapes.wit fixtures/wit/gates.wit fixtures/wit/nested-packages.wit \
           fixtures/wit/app; do
    expect_ok "weld wit $p resolves" "$WELD" wit "$WELD_ROOT/$p"
  done
  expect_ok "weld wit wit --world command" "$WELD" wit "$WELD_ROOT/wit" --world command
  expect_ok "weld wit wit --world proxy" "$WELD" wit "$WELD_ROOT/wit" --world proxy
else
  skip "weld wit resolves wit/ and fixtures/wit" "this weld has no wit command"
fi
tap_done
