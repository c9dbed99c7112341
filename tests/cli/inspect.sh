# weld inspect: the tree, imports and exports, the world as WIT, producers, WASI needs.
. "$WELD_ROOT/tests/tap.sh"

expect_ok "inspect a component with nested components" "$WELD" inspect "$FIX/audit/nested.wasm"
cat > "$T/expect" <<'W'
tree:
  component: 533 bytes at offset 0x0
    import wasi:sockets/tcp@0.2.0 (instance)
    import wasi:cli/stdout@0.2.0 (instance)
    component 0: 84 bytes at offset 0x70
      import wasi:sockets/tcp@0.2.0 (instance)
    instance 0: instantiates component 0
    component 1: 246 bytes at offset 0xe6
      import wasi:sockets/tcp@0.2.0 (instance)
      component 0: 134 bytes at offset 0x124
        import wasi:sockets/tcp@0.2.0 (instance)
        import wasi:cli/stdout@0.2.0 (instance)
W
sed -n '/^tree:/,$p' "$T/out" > "$T/tree"
if cmp -s "$T/expect" "$T/tree"; then ok "the tree of nested components and instances, with sizes and offsets"
else fail "the tree of nested components and instances, with sizes and offsets" "$(diff "$T/expect" "$T/tree")"; fi
grep -qx 'WASI interfaces needed: wasi:sockets/tcp@0.2.0 wasi:cli/stdout@0.2.0' "$T/out" &&
  ok "the WASI interfaces it needs" || fail "the WASI interfaces it needs" "$(head -3 "$T/out")"

expect_ok "inspect a C component" "$WELD" inspect "$FIX/demo/app-c.wasm"
grep -q '^    export describe: func(input: string) -> string;$' "$T/out" &&
  ok "exports with their WIT types" || fail "exports with their WIT types" "$(head -25 "$T/out")"
grep -q 'core module 0: 26651 bytes' "$T/out" && grep -q 'import wasi_snapshot_preview1 fd_write (func)' "$T/out" &&
  ok "core modules with their own imports" || fail "core modules with their own imports" "$(grep -A3 'core module' "$T/out" | head)"
grep -q 'producers: language C99; processed-by Debian clang 14.0.6' "$T/out" &&
  ok "the producers section of a core module" || fail "the producers section of a core module" "$(grep producers "$T/out")"

expect_ok "inspect --json" "$WELD" inspect "$FIX/demo/app-c.wasm" --json
if command -v python3 >/dev/null; then
  if python3 -c '
import json,sys
d=json.load(open(sys.argv[1]))
t=d["tree"]
assert d["wasi"][0]=="wasi:io/error@0.2.12", d["wasi"]
assert t["children"][0]["kind"]=="core module" and t["children"][0]["size"]==26651
assert any(e["name"]=="describe" for e in t["exports"])
assert d["wit"]["worlds"][0]["name"]=="root"
' "$T/out" 2>"$T/err"; then ok "the JSON holds the tree, WASI needs and the world"
  else fail "the JSON holds the tree, WASI needs and the world" "$(cat "$T/err")"; fi
else skip "the JSON holds the tree, WASI needs and the world" "python3 is not installed"; fi

printf '\0asm\1\0\0\0' > "$T/core.wasm"
expect_fail "a core module is not a component" "not a component" "$WELD" inspect "$T/core.wasm"
printf '\0asm\x0d\0\x01\0\x04\x09\x01' > "$T/bad.wasm"
expect_fail "a malformed component is rejected with its offset" "offset" "$WELD" inspect "$T/bad.wasm"
expect_fail "missing COMPONENT" "missing COMPONENT" "$WELD" inspect
tap_done
