#!/bin/sh
# Seeds for fuzz_component: every component binary under fixtures/ (valid and invalid).
set -e
mkdir -p "$1"
find fixtures -name '*.wasm' | while read -r f; do
  if od -An -tx1 -N8 "$f" | grep -q '0d 00 01 00'; then
    cp "$f" "$1/$(echo "$f" | tr / _)"
  fi
done
