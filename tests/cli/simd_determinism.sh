#!/bin/bash
# The SIMD operations give bit-identical results under every compiler and optimisation
# level available here, on the fast path and the portable one: tests/unit/simd_digest.c is
# built against src/rt/simd.c in each configuration and all digests must agree.
. "$(dirname "$0")/../tap.sh"
cd "$WELD_ROOT" || exit 1
SRC="tests/unit/simd_digest.c src/rt/simd.c src/binary/insn.c src/binary/names.c src/base/*.c"
ref=
for cfg in "gcc -O0" "gcc -O2" "gcc -O2 -DWELD_SIMD_PORTABLE" "clang -O0" \
           "clang -O2 -ffp-contract=fast" "clang -O2 -DWELD_SIMD_PORTABLE"; do
  set -- $cfg
  cc=$1; shift
  if ! command -v "$cc" >/dev/null; then skip "simd digest: $cfg" "$cc not installed"; continue; fi
  # shellcheck disable=SC2086
  if ! "$cc" "$@" -std=c11 -Wall -Wextra -Werror -Wno-unused-parameter -Iinclude -Isrc -D_DEFAULT_SOURCE $SRC -lm -o "$T/digest" 2>"$T/err"; then
    fail "simd digest: $cfg builds" "$(cat "$T/err")"; continue
  fi
  d=$("$T/digest")
  if [ -z "$ref" ]; then ref=$d ref_cfg=$cfg; ok "simd digest: $cfg ($d)"
  elif [ "$d" = "$ref" ]; then ok "simd digest: $cfg equals $ref_cfg"
  else fail "simd digest: $cfg equals $ref_cfg" "$d != $ref"; fi
done
tap_done
