# weld print on core modules: text layout and errors.
. "$WELD_ROOT/tests/tap.sh"
# (module (func (export "f") (param i32) (result i32) block (result i32) local.get 0 br 0 end))
printf '\000asm\001\000\000\000\001\006\001\140\001\177\001\177\003\002\001\000\007\005\001\001f\000\000\012\013\001\011\000\002\177\040\000\014\000\013\013' > "$T/m.wasm"
cat > "$T/want.wat" <<'WAT'
(module
  (type (;0;) (func (param i32) (result i32)))
  (export "f" (func 0))
  (func (;0;) (type 0) (param i32) (result i32)
    block (result i32) ;; label = @1
      local.get 0
      br 0 (;@1;)
    end
  )
)
WAT
"$WELD" print "$T/m.wasm" > "$T/out.wat" 2>"$T/err"
if cmp -s "$T/out.wat" "$T/want.wat"; then ok "print lays out a module"; else fail "print lays out a module" "$(diff "$T/out.wat" "$T/want.wat")"; fi
expect_ok "print -o writes a file" "$WELD" print "$T/m.wasm" -o "$T/o.wat"
if cmp -s "$T/o.wat" "$T/want.wat"; then ok "print -o output matches stdout"; else fail "print -o output matches stdout"; fi
printf '\000asm\001\000\000\000\012\004\001\002\000' > "$T/bad.wasm"
expect_fail "print rejects a malformed module" "code section" "$WELD" print "$T/bad.wasm"
expect_fail "print needs an input" "missing input" "$WELD" print

# the dylink.0 section in its own syntax (mem-info and needed subsections)
printf '\000\141\163\155\001\000\000\000\000\042\010\144\171\154\151\156\153\056\060\001\004\020\004\003\000\002\021\002\007\154\151\142\141\056\163\157\007\154\151\142\142\056\163\157' > "$T/dyl.wasm"
cat > "$T/dyl-want.wat" <<'WAT'
(module
  (@dylink.0
    (mem-info (memory 16 4) (table 3 0))
    (needed "liba.so" "libb.so")
  )
)
WAT
"$WELD" print "$T/dyl.wasm" > "$T/dyl.wat" 2>"$T/err"
if cmp -s "$T/dyl.wat" "$T/dyl-want.wat"; then ok "print shows dylink.0 as mem-info and needed"; else fail "print shows dylink.0 as mem-info and needed" "$(diff "$T/dyl.wat" "$T/dyl-want.wat")"; fi
tap_done
