#!/bin/sh
# `make bench`: runs every tests/bench/*.sh (but this one) with the weld binary as $1.
dir=$(dirname "$0")
WELD=${1:-build/weld}
status=0
for b in "$dir"/*.sh; do
  [ "$(basename "$b")" = run.sh ] && continue
  sh "$b" "$WELD" || status=1
done
exit $status
