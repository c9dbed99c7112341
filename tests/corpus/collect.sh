#!/bin/bash
# Gathers the interop corpus into $WELD_CACHE/corpus (outside the repository) and prints
# its file list, one path a line, on stdout:
#   - every .wasm shipped in the npm packages @bytecodealliance/jco@1.35.0 and
#     @bytecodealliance/componentize-js@0.23.0 (and what they install), deduplicated;
#   - the components and core modules that ../shared/realworld/recipes build from JS, C,
#     C++ and Rust (built once, then reused);
#   - @wasm-fmt/gofmt@0.7.3's gofmt.wasm (TinyGo), as gofmt/gofmt.wasm (the package is
#     installed beside jco; tests/cli/go_guests.sh also runs it on node as the reference);
#   - every .wasm under fixtures/.
# The spec testsuite's modules are handled by tests/spec/roundtrip.sh.
# Needs node + npm (and, for the recipes, what they install themselves).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
source "$ROOT/fixtures/tools/npm-tools.sh"
npm_tools_install
CORPUS=$WELD_CACHE/corpus
mkdir -p "$CORPUS/npm"

# npm: copy under a content-derived name so duplicates collapse
find "$JCO_HOME/node_modules/@bytecodealliance" -name '*.wasm' -type f | sort | while read -r f; do
  sum=$(sha256sum "$f" | cut -c1-12)
  dest="$CORPUS/npm/$(basename "$f" .wasm)-$sum.wasm"
  [ -f "$dest" ] || cp "$f" "$dest"
done

# @wasm-fmt/gofmt: a TinyGo module without the Canonical ABI (fixtures/go/gofmt)
if [ ! -f "$JCO_HOME/node_modules/@wasm-fmt/gofmt/gofmt.wasm" ]; then
  (cd "$JCO_HOME" && npm install --no-fund --no-audit --loglevel=error @wasm-fmt/gofmt@0.7.3 >&2)
fi
mkdir -p "$CORPUS/gofmt"
cp "$JCO_HOME/node_modules/@wasm-fmt/gofmt/gofmt.wasm" "$CORPUS/gofmt/gofmt.wasm"

# realworld recipes, built once
SHARED=${WELD_SHARED_DIR:-$ROOT/../shared}
RW_OUT=$WELD_CACHE/realworld-out
if [ -d "$SHARED/realworld/recipes" ] && [ ! -f "$RW_OUT/.built" ]; then
  echo "building ../shared/realworld recipes into $RW_OUT (once)" >&2
  OUT=$RW_OUT WORK=$WELD_CACHE/realworld-work bash "$SHARED/realworld/recipes/all.sh" >&2
  touch "$RW_OUT/.built"
fi

ls "$CORPUS"/npm/*.wasm
ls "$CORPUS"/gofmt/gofmt.wasm
[ -d "$RW_OUT" ] && find "$RW_OUT" -maxdepth 1 -name '*.wasm' | sort
find "$ROOT/fixtures" -name '*.wasm' | sort
