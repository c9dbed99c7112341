#!/usr/bin/env bash
# check-wasi.sh: compare weld's WASI packages (wit/deps) with another copy of them.
#
#   tests/wit/check-wasi.sh [--ignore-history] REFERENCE_DIR [OURS_DIR]
#
# REFERENCE_DIR is any directory holding the published WIT of the same WASI release
# (for instance a checkout's proposals/, or a directory of package.wit files); every
# *.wit file below it is read. OURS_DIR defaults to wit/deps of this repository.
# Each top-level interface and world is keyed by package and name; its text is
# normalized (comments removed, tokens single-spaced, trailing commas dropped) and the
# two sides are compared. --ignore-history also drops @since and @deprecated gates,
# for references that strip release history. Prints one line per difference and a
# summary; exits 0 only when every interface and world of the reference matches.
# Fetches nothing; not run by `make check` (it needs a reference copy).
set -u
ignore_history=0
if [ "${1-}" = --ignore-history ]; then ignore_history=1; shift; fi
if [ $# -lt 1 ] || [ ! -d "$1" ]; then
  echo "usage: tests/wit/check-wasi.sh [--ignore-history] REFERENCE_DIR [OURS_DIR]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")/../.." && pwd)
ref=$1
ours=${2:-$here/wit/deps}

# items DIR: print "package/name<TAB>normalized text" for each top-level item.
items() {
  find "$1" -name '*.wit' -type f | LC_ALL=C sort | while read -r f; do
    # a file without a package line belongs to the package named in its directory
    if ! grep -q '^[[:space:]]*package[[:space:]]' "$f"; then
      grep -h -m1 '^[[:space:]]*package[[:space:]][^{]*;' "$(dirname "$f")"/*.wit 2>/dev/null | head -n1
    fi
    cat "$f"; printf '\n\001\n'      # \001 marks the end of a file
  done | awk -v nohistory="$ignore_history" '
    function flush() { if (key != "") { print key "\t" body }; key = ""; body = "" }
    BEGIN { RS = "\001\n"; }
    {
      t = $0
      # strip block comments, then line comments
      while ((i = index(t, "/*")) > 0) {
        j = index(substr(t, i + 2), "*/"); if (j == 0) { t = substr(t, 1, i - 1); break }
        t = substr(t, 1, i - 1) " " substr(t, i + j + 3)
      }
      n = split(t, lines, "\n"); t = ""
      for (k = 1; k <= n; k++) { sub(/\/\/.*/, "", lines[k]); t = t " " lines[k] }
      if (nohistory) gsub(/@(since|deprecated)\([^)]*\)/, " ", t)
      gsub(/[ \t\r]+/, " ", t)
      # tokens: split around punctuation so spacing does not matter
      gsub(/[{};,()<>=:.\/@]/, " & ", t)
      m = split(t, tok, " ")
      pkg = ""; depth = 0; key = ""; body = ""; pend = ""; pdepth = -1
      for (k = 1; k <= m; k++) {
        w = tok[k]
        if (depth == 0 && key == "" && w == "package") {
          pkg = ""; k++
          while (k <= m && tok[k] != ";" && tok[k] != "{") { pkg = pkg tok[k]; k++ }
          sub(/@.*/, "", pkg)
          if (tok[k] == "{") { pdepth = depth; depth++ }
          continue
        }
        base = (pdepth >= 0) ? 1 : 0
        if (depth == base && key == "" && (w == "interface" || w == "world")) {
          key = pkg "/" tok[k + 1]; body = pend w; pend = ""; continue
        }
        if (depth == base && key == "") {
          if (w == "@") {            # a gate before an item: keep it with the item
            g = "@"; k++
            while (k <= m && tok[k] != ")") { g = g tok[k]; k++ }
            pend = pend g ") "; continue
          }
          if (w == "}" && pdepth >= 0) { depth--; pdepth = -1; continue }
          if (w == ";") { pend = ""; continue }
          continue
        }
        if (key != "") {
          if (w == "{") depth++
          if (w == "}") depth--
          if ((w == "}" || w == ")" || w == ">") && substr(body, length(body) - 1) == " ,")
            body = substr(body, 1, length(body) - 2)
          body = (body == "" ? w : body " " w)
          if (w == "}" && depth == base) flush()
        }
      }
    }'
}

tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
items "$ref" | LC_ALL=C sort > "$tmp/ref"
items "$ours" | LC_ALL=C sort > "$tmp/ours"
if [ ! -s "$tmp/ref" ]; then echo "no interfaces or worlds found under $ref" >&2; exit 2; fi
bad=0; same=0
while IFS=$'\t' read -r key text; do
  mine=$(awk -F'\t' -v k="$key" '$1 == k { print $2; exit }' "$tmp/ours")
  if [ -z "$mine" ]; then echo "missing: $key"; bad=$((bad + 1))
  elif [ "$mine" != "$text" ]; then
    echo "differs: $key"; echo "  reference: $text"; echo "  ours:      $mine"; bad=$((bad + 1))
  else same=$((same + 1)); fi
done < "$tmp/ref"
extra=$(cut -f1 "$tmp/ours" | LC_ALL=C sort -u | LC_ALL=C comm -23 - <(cut -f1 "$tmp/ref" | LC_ALL=C sort -u))
[ -n "$extra" ] && printf 'only ours: %s\n' $extra
echo "$same identical, $bad different or missing"
[ "$bad" -eq 0 ]
