#!/bin/sh
# The interpreter benchmark (tests/bench/rt/run.sh): weld vs native CPU time per program;
# then instruction counts of three of them under callgrind (tests/bench/rt/callgrind.sh),
# against the counts recorded in the repository.
D=$(dirname "$0")
status=0
bash "$D/rt/run.sh" "$@" || status=1
bash "$D/rt/callgrind.sh" "$@" || status=1
exit $status
