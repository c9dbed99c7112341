#!/bin/bash
# relaxed-simd/relaxed_dot_product.wast, which wast2json (wabt 1.0.32) cannot convert: its
# module is assembled with `jco parse` (wasm-tools) and each assert_return runs with
# `weld run`, v128 values as hex (lane 0 low). The converter below handles what this file
# uses: invoke with v128.const arguments of i8/i16/i32 lanes, and a v128.const result or
# an (either ...) of them. Prints TAP and a summary line like spec_runner's.
. "$(dirname "$0")/../tap.sh"
F=${WELD_SPEC_DIR:-$WELD_ROOT/../shared/spec}/proposals/relaxed-simd/relaxed_dot_product.wast
if [ ! -f "$F" ]; then skip "relaxed_dot_product.wast" "not in the testsuite at $F"; tap_bail; fi
if ! command -v node >/dev/null 2>&1; then skip "relaxed_dot_product.wast" "node is not installed (jco assembles the module)"; tap_bail; fi
source "$WELD_ROOT/fixtures/tools/npm-tools.sh"
if [ ! -f "$JCO_HOME/node_modules/@bytecodealliance/jco/package.json" ]; then
  skip "relaxed_dot_product.wast" "jco is not installed in $JCO_HOME (fixtures/tools/npm-tools.sh)"; tap_bail
fi
# split the file into its module text (m.wat) and one line per assert_return:
#   LINE|NAME|ARG ARG...|EXPECTED EXPECTED...   (values as 0x + 32 hex digits)
sed 's/;;.*//' "$F" | awk -v mod="$T/m.wat" '
function hex(type, lanes,   n, w, i, v, s, a) {
  n = split(lanes, a, " "); w = type == "i8x16" ? 2 : type == "i16x8" ? 4 : type == "i32x4" ? 8 : 0
  if (!w || n * w != 32) return "?"
  s = ""
  for (i = 1; i <= n; i++) { v = a[i] + 0; if (v < 0) v += 16 ^ w; s = sprintf("%0" w "x", v) s }
  return "0x" s
}
{ text = text $0 "\n" }
END {
  depth = 0; start = 0; line = 1
  for (p = 1; p <= length(text); p++) {
    c = substr(text, p, 1)
    if (c == "\n") line++
    if (c == "(") { if (depth == 0) { start = p; sline = line } depth++ }
    else if (c == ")") {
      depth--
      if (depth == 0) form(substr(text, start, p - start + 1), sline)
    }
  }
}
function form(s, l,   name, args, res, rest, inv, m, t, body) {
  if (s ~ /^\(module/) { print s > mod; return }
  if (s !~ /^\(assert_return/) { print l "|?|unsupported command|"; return }
  gsub(/[ \t\n]+/, " ", s)
  match(s, /"[^"]*"/); name = substr(s, RSTART + 1, RLENGTH - 2)
  # the invoke form ends at the first "))" after the last argument
  inv = index(s, "(invoke"); rest = substr(s, inv)
  args = ""; res = ""
  m = index(rest, ") )"); if (!m) m = index(rest, "))")
  body = substr(rest, 1, m); rest = substr(rest, m + 1)
  while (match(body, /\(v128\.const [a-z0-9]+ [-0-9 ]+\)/)) {
    t = substr(body, RSTART + 12, RLENGTH - 13); body = substr(body, RSTART + RLENGTH)
    split(t, q, " "); sub(/^[a-z0-9]+ /, "", t); args = args " " hex(q[1], t)
  }
  while (match(rest, /\(v128\.const [a-z0-9]+ [-0-9 ]+\)/)) {
    t = substr(rest, RSTART + 12, RLENGTH - 13); rest = substr(rest, RSTART + RLENGTH)
    split(t, q, " "); sub(/^[a-z0-9]+ /, "", t); res = res " " hex(q[1], t)
  }
  print l "|" name "|" args "|" res
}' > "$T/cmds"
if ! jco parse "$T/m.wat" -o "$T/m.wasm" 2>"$T/err"; then
  fail "relaxed_dot_product.wast: jco parse assembles the module" "$(cat "$T/err")"; tap_bail
fi
pass=0 failed=0
while IFS='|' read -r line name args exp; do
  # shellcheck disable=SC2086
  got=$("$WELD" run "$T/m.wasm" --invoke "$name" $args 2>&1)
  okay=
  for e in $exp; do [ "$got" = "v128:$e" ] && okay=1; done
  if [ -n "$okay" ]; then ok "relaxed-simd/relaxed_dot_product.wast:$line assert_return $name"; pass=$((pass + 1))
  else fail "relaxed-simd/relaxed_dot_product.wast:$line assert_return $name" "expected one of$exp, got $got"; failed=$((failed + 1)); fi
done < "$T/cmds"
echo "# relaxed-simd/relaxed_dot_product.wast: $pass passed, $failed failed"
tap_done
