#!/bin/sh
# The interpreter benchmark (tests/bench/rt/run.sh): weld vs native CPU time per program.
exec bash "$(dirname "$0")/rt/run.sh" "$@"
