# The README's "Embedding" example: the C block under that heading is extracted, compiled
# against the library as `make install` installs it (headers, libweld.a, weld.pc found by
# pkg-config) and run on fixtures/embed/guest.wat.
. "$WELD_ROOT/tests/tap.sh"
for t in wat2wasm pkg-config make cc; do
  command -v $t >/dev/null 2>&1 || { skip "the README embedding example" "$t is not installed"; tap_bail; }
done
awk '/^## Embedding/{e=1} e&&/^```c$/{c=1;next} c&&/^```$/{exit} c{print}' "$WELD_ROOT/README.md" > "$T/embed.c"
[ -s "$T/embed.c" ] && ok "README.md has a C block under 'Embedding'" || { fail "README.md has a C block under 'Embedding'"; tap_bail; }
build=$(basename "${WELD_BUILD:-$WELD_ROOT/build}")
san=""; [ "$build" = build-san ] && san="SANITIZE=1"
if make -s -C "$WELD_ROOT" install BUILD="$build" $san DESTDIR="$T/inst" PREFIX=/usr >"$T/make.log" 2>&1; then
  ok "make install DESTDIR=... PREFIX=/usr"
else fail "make install DESTDIR=... PREFIX=/usr" "$(tail -5 "$T/make.log")"; tap_bail; fi
flags=$(PKG_CONFIG_PATH="$T/inst/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$T/inst" pkg-config --cflags --libs --static weld) ||
  { fail "pkg-config finds the installed weld.pc"; tap_bail; }
case "$flags" in *"$T/inst/usr/include"*) ok "pkg-config points into the installed tree" ;;
  *) fail "pkg-config points into the installed tree" "$flags" ;; esac
sanflags=""; [ -n "$san" ] && sanflags="-fsanitize=address,undefined"
if cc -std=c11 -Wall -Wextra -Werror $sanflags "$T/embed.c" $flags -o "$T/embed" 2>"$T/cc.log"; then
  ok "the example compiles against the installed library with -Wall -Wextra -Werror"
else fail "the example compiles against the installed library with -Wall -Wextra -Werror" "$(head -20 "$T/cc.log")"; tap_bail; fi
wat2wasm --debug-names "$FIX/embed/guest.wat" -o "$T/guest.wasm" || { fail "wat2wasm guest.wat"; tap_bail; }
"$T/embed" "$T/guest.wasm" > "$T/out" 2>"$T/err"; rc=$?
want='hello from the guest
greet(21) = 42
memory: 65536 bytes; at 32: "hello from the guest"
trap: integer divide by zero'
if [ $rc = 0 ] && [ "$(head -4 "$T/out")" = "$want" ]; then ok "the example links WASI and a host function, calls, reads memory, gets the trap"
else fail "the example links WASI and a host function, calls, reads memory, gets the trap" "rc=$rc
$(cat "$T/out" "$T/err")"; fi
grep -q '#0 divide' "$T/out" && grep -q '#1 boom' "$T/out" && ok "the trap's backtrace names the Wasm frames" ||
  fail "the trap's backtrace names the Wasm frames" "$(cat "$T/out")"
tap_done
