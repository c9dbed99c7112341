# weld audit: imports against --deny/--allow globs and YAML policies.
. "$WELD_ROOT/tests/tap.sh"
N="$FIX/audit/nested.wasm"

expect_ok "no import matches the deny pattern" "$WELD" audit "$N" --deny 'wasi:filesystem/*'
grep -q 'all 2 imports conform' "$T/out" && ok "conformance is reported" || fail "conformance is reported" "$(cat "$T/out")"

"$WELD" audit "$N" --deny 'wasi:sockets/*' > "$T/out" 2>"$T/err"
[ $? = 1 ] && ok "a denied import exits 1" || fail "a denied import exits 1"
if grep -q '^wasi:sockets/tcp@0.2.0: denied by `wasi:sockets/\*`; needed by nested components: component 0, component 1, component 1/component 0$' "$T/out"; then
  ok "the denied import names the rule and every nested component that imports it"
else fail "the denied import names the rule and every nested component that imports it" "$(cat "$T/out")"; fi

"$WELD" audit "$N" --deny 'wasi:*@0.2.*' > "$T/out" 2>"$T/err"
[ "$(wc -l < "$T/out")" = 2 ] && ok "every offending import is listed" || fail "every offending import is listed" "$(cat "$T/out")"

expect_ok "a versionless pattern matches every version" "$WELD" audit "$N" --allow 'wasi:sockets/tcp' --allow 'wasi:cli/*'
"$WELD" audit "$N" --allow 'wasi:cli/*' > "$T/out" 2>"$T/err"
if [ $? = 1 ] && grep -q 'wasi:sockets/tcp@0.2.0: not allowed' "$T/out"; then ok "with --allow, an unmatched import breaks the policy"
else fail "with --allow, an unmatched import breaks the policy" "$(cat "$T/out" "$T/err")"; fi
"$WELD" audit "$N" --allow 'wasi:*' --deny 'wasi:cli/stdout@0.2.0' > "$T/out" 2>"$T/err"
if [ $? = 1 ] && grep -q 'stdout@0.2.0: denied' "$T/out" && ! grep -q sockets "$T/out"; then ok "deny wins over allow"
else fail "deny wins over allow" "$(cat "$T/out")"; fi

# YAML policies
printf 'allow:\n  - "wasi:cli/*"\n  - wasi:sockets/*\ndeny: wasi:sockets/udp*\n' > "$T/p.yaml"
expect_ok "a YAML policy the component conforms to" "$WELD" audit "$N" --policy "$T/p.yaml"
printf 'deny:\n  - "wasi:sockets/*"\n' > "$T/d.yaml"
"$WELD" audit "$N" --policy "$T/d.yaml" > "$T/out" 2>&1
[ $? = 1 ] && ok "a YAML deny list" || fail "a YAML deny list" "$(cat "$T/out")"
printf 'deny:\n  - wasi:sockets/*\nallwo: [x]\n' > "$T/bad.yaml"
expect_fail "an unknown policy key is named with its line and column" 'bad.yaml:3:1: expected `allow` or `deny`, found `allwo`' "$WELD" audit "$N" --policy "$T/bad.yaml"
printf 'deny: [ "a", \n' > "$T/broken.yaml"
expect_fail "broken YAML is reported with its position" 'broken.yaml:[0-9]*:[0-9]*:' "$WELD" audit "$N" --policy "$T/broken.yaml"
printf 'deny:\n  key: value\n' > "$T/map.yaml"
expect_fail "a mapping where a list belongs" 'takes a list' "$WELD" audit "$N" --policy "$T/map.yaml"

# usage and input errors
expect_fail "no policy is a usage error" "no policy" "$WELD" audit "$N"
printf '\0asm\1\0\0\0' > "$T/core.wasm"
expect_fail "a core module is not a component" "not a component" "$WELD" audit "$T/core.wasm" --deny x
printf '\0asm\x0d\0\x01\0\x0a\x09\x01' > "$T/bad.wasm"
expect_fail "a malformed component is rejected with its offset" "offset" "$WELD" audit "$T/bad.wasm" --deny x
tap_done
