#!/bin/sh
# Seeds for fuzz_crt: the component runtime's fixtures (runtime, values, ABI traps,
# differential components) and the other component fixtures.
set -e
sh "$(dirname "$0")/seeds_component.sh" "$1"
