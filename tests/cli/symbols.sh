# libweld.a exports nothing but the weld_* API: every other global symbol of the library's
# objects is made local when the archive is built (Makefile), so an embedder's program
# cannot collide with or call the library's internals.
. "$WELD_ROOT/tests/tap.sh"
LIB="$WELD_BUILD/libweld.a"
if ! command -v nm >/dev/null 2>&1; then skip "libweld.a exports only weld_* symbols" "nm (binutils) is not installed"; tap_bail; fi
nm -g --defined-only "$LIB" 2>"$T/err" | awk 'NF == 3 { print $3 }' | sort -u > "$T/syms"
n=$(grep -c . "$T/syms")
[ "$n" -gt 0 ] && ok "libweld.a defines $n global symbols" || fail "libweld.a defines global symbols" "$(cat "$T/err")"
others=$(grep -v '^weld_' "$T/syms")
if [ -z "$others" ]; then ok "all $n of them are weld_*"
else fail "only weld_* symbols are exported" "$(echo "$others" | head -20 | tr '\n' ' ')"; fi
# every function the public headers declare (as the compiler lists their prototypes) is there
for h in "$WELD_ROOT"/include/weld/*.h; do echo "#include <weld/$(basename "$h")>"; done > "$T/all.c"
if ${CC:-cc} -std=c11 -D_DEFAULT_SOURCE -I"$WELD_ROOT/include" -I"$WELD_ROOT/src" -aux-info "$T/aux" \
     -fsyntax-only "$T/all.c" 2>"$T/err"; then
  grep '/include/weld/' "$T/aux" | grep -v '\*/ static ' | sed 's/^.*\*\/ //' |
    grep -o '\bweld_[a-z0-9_]* (' | sed 's/ ($//' | sort -u > "$T/decl"
  nd=$(grep -c . "$T/decl")
  missing=$(comm -23 "$T/decl" "$T/syms")
  if [ "$nd" -gt 0 ] && [ -z "$missing" ]; then ok "all $nd functions the public headers declare are defined in libweld.a"
  else fail "every function the public headers declare is defined in libweld.a" "$nd declared; missing: $(echo "$missing" | head -20 | tr '\n' ' ')"; fi
else
  fail "the public headers compile together" "$(head -5 "$T/err")"
fi
tap_done
