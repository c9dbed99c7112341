#!/bin/bash
# Rebuilds the component-call benchmark's components from their text (the binaries are
# committed): callee.wat, caller.wat with `jco parse`; composed.wasm with weld plug.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../../fixtures/tools/npm-tools.sh"
npm_tools_install
for f in callee caller; do jco parse "$here/$f.wat" -o "$here/$f.wasm"; done
"${WELD:-$here/../../../build/weld}" plug "$here/caller.wasm" --plug "$here/callee.wasm" -o "$here/composed.wasm"
