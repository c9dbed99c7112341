# weld print on components prints what `jco print` prints: each fixture against the
# reference text fixtures/regen.sh stored beside it; output files are written atomically.
. "$WELD_ROOT/tests/tap.sh"
for w in "$FIX"/components/*.wasm; do
  b=$(basename "$w" .wasm)
  golden="${w%.wasm}.print.wat"
  if [ ! -f "$golden" ]; then
    fail "print $b matches jco print" "missing $golden (run fixtures/regen.sh)"
  elif "$WELD" print "$w" >"$T/$b.wat" 2>"$T/err" && cmp -s "$golden" "$T/$b.wat"; then
    ok "print $b matches jco print"
  else
    fail "print $b matches jco print" "$(diff "$golden" "$T/$b.wat" | head -5; cat "$T/err")"
  fi
done
if "$WELD" print "$FIX/components/link.wasm" -o "$T/link.wat" && cmp -s "$T/link.wat" "$FIX/components/link.print.wat"; then
  ok "print -o writes the same text to a file"
else
  fail "print -o writes the same text to a file"
fi
printf '\000asm\015\000\001\000\007\200\200\200\200\200' > "$T/badleb.wasm"
expect_fail "print rejects a malformed component with its offset" "offset 0x9: type section" \
  "$WELD" print "$T/badleb.wasm"
tap_done
