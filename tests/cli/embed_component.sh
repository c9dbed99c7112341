# The README's "Embedding components" example: the C block under that heading is extracted,
# compiled against the library as `make install` installs it (pkg-config) and run on the
# greeter and counter fixtures of fixtures/crt/.
. "$WELD_ROOT/tests/tap.sh"
for t in pkg-config make cc; do
  command -v $t >/dev/null 2>&1 || { fail "the README component embedding example" "$t is not installed"; tap_bail; }
done
awk '/^## Embedding components/{e=1} e&&/^```c$/{c=1;next} c&&/^```$/{exit} c{print}' "$WELD_ROOT/README.md" > "$T/embed.c"
[ -s "$T/embed.c" ] && ok "README.md has a C block under 'Embedding components'" ||
  { fail "README.md has a C block under 'Embedding components'"; tap_bail; }
build=$(basename "${WELD_BUILD:-$WELD_ROOT/build}")
san=""; [ "$build" = build-san ] && san="SANITIZE=1"
if make -s -C "$WELD_ROOT" install BUILD="$build" $san DESTDIR="$T/inst" PREFIX=/usr >"$T/make.log" 2>&1; then
  ok "make install DESTDIR=... PREFIX=/usr"
else fail "make install DESTDIR=... PREFIX=/usr" "$(tail -5 "$T/make.log")"; tap_bail; fi
flags=$(PKG_CONFIG_PATH="$T/inst/usr/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$T/inst" pkg-config --cflags --libs --static weld) ||
  { fail "pkg-config finds the installed weld.pc"; tap_bail; }
sanflags=""; [ -n "$san" ] && sanflags="-fsanitize=address,undefined"
if cc -std=c11 -Wall -Wextra -Werror $sanflags "$T/embed.c" $flags -o "$T/embed" 2>"$T/cc.log"; then
  ok "the example compiles against the installed library with -Wall -Wextra -Werror"
else fail "the example compiles against the installed library with -Wall -Wextra -Werror" "$(head -20 "$T/cc.log")"; tap_bail; fi
"$T/embed" "$FIX/crt/greet.wasm" "$FIX/crt/counter.wasm" > "$T/out" 2>"$T/err"; rc=$?
want='greet("Hello") = "Hello, embedder!"
inc() = 41
inc() = 42
drops() = 1'
if [ $rc = 0 ] && [ "$(cat "$T/out")" = "$want" ]; then
  ok "the example implements an import, calls an export, uses and drops a guest resource"
else fail "the example implements an import, calls an export, uses and drops a guest resource" "rc=$rc
$(cat "$T/out" "$T/err")"; fi
tap_done
