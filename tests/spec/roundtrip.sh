#!/bin/sh
# Round-trips every binary module of the core spec testsuite through weld's reader and
# writer (TAP, one line per .wast file):
#   - each `module` must decode to an equal tree and come back byte-identical, or, when
#     its input used non-minimal encodings (binary-leb128.wast), come back as a fixed
#     point of the writer (weld parse --reencode --check: every function body is
#     re-encoded from its decoded instructions, not copied);
#   - each binary `assert_malformed` module is counted as rejected or not (a TAP comment:
#     some are left to the validator, so these are not failures here).
# Needs wast2json (wabt). The testsuite is read in place from $WELD_SPEC_DIR, default
# $WELD_ROOT/../shared/spec.
. "$WELD_ROOT/tests/tap.sh"
SPEC=${WELD_SPEC_DIR:-$WELD_ROOT/../shared/spec}
if [ ! -d "$SPEC" ]; then
  skip "spec round trip" "spec testsuite not found at $SPEC"
  tap_bail
fi
if ! command -v wast2json >/dev/null 2>&1; then
  skip "spec round trip" "wast2json (wabt) not installed"
  tap_bail
fi
total_mods=0 total_fixed=0 total_ident=0 total_equal=0 total_mal=0 total_rej=0
for wast in "$SPEC"/*.wast; do
  name=$(basename "$wast")
  dir="$T/${name%.wast}"
  mkdir -p "$dir"
  if ! wast2json "$wast" -o "$dir/t.json" >/dev/null 2>"$dir/err"; then
    fail "$name: wast2json failed" "$(head -3 "$dir/err")"
    continue
  fi
  mods=0 ident=0 fixed=0 equal=0 mal=0 rej=0 bad=""
  # one command per line in wast2json's output
  grep '"type": "module"' "$dir/t.json" | sed -n 's/.*"filename": "\([^"]*\.wasm\)".*/\1/p' > "$dir/mods"
  grep '"type": "assert_malformed"' "$dir/t.json" | grep '"module_type": "binary"' |
    sed -n 's/.*"filename": "\([^"]*\.wasm\)".*/\1/p' > "$dir/mal"
  # one weld process per list: `parse --check` prints one line per accepted input
  mods=$(wc -l < "$dir/mods" | tr -d ' ')
  if [ "$mods" -gt 0 ]; then
    (cd "$dir" && xargs "$WELD" parse --reencode --check < mods > out 2> errs)
    ident=$(grep -c "identical bytes" "$dir/out")
    fixed=$(grep -c "fixed point" "$dir/out")
    equal=$(grep -c "equal trees" "$dir/out")
    bad=$(grep -v "equal trees" "$dir/out"; cat "$dir/errs")
  fi
  mal=$(wc -l < "$dir/mal" | tr -d ' ')
  if [ "$mal" -gt 0 ]; then
    (cd "$dir" && xargs "$WELD" parse --check < mal > malout 2>/dev/null)
    rej=$((mal - $(wc -l < "$dir/malout")))
  fi
  msg="$name: $ident/$mods modules identical, $equal/$mods equal"
  [ "$fixed" -gt 0 ] && msg="$msg ($fixed non-minimal inputs canonicalised to a fixed point)"
  if [ $((ident + fixed)) -eq "$mods" ] && [ "$equal" -eq "$mods" ]; then ok "$msg"; else fail "$msg" "$bad"; fi
  [ "$mal" -gt 0 ] && echo "# malformed rejected: $rej/$mal"
  total_mods=$((total_mods + mods)) total_ident=$((total_ident + ident)) total_fixed=$((total_fixed + fixed))
  total_equal=$((total_equal + equal)) total_mal=$((total_mal + mal)) total_rej=$((total_rej + rej))
  rm -rf "$dir"
done
echo "# total: $total_ident/$total_mods modules identical ($total_fixed non-minimal canonicalised), $total_equal/$total_mods equal"
echo "# total malformed rejected: $total_rej/$total_mal"
tap_done
