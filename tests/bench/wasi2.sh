#!/bin/bash
# The WASI 0.2 host of `weld run` (`make bench`), one run on this machine:
#  1. start-up, wall milliseconds of the whole process, best of 5: weld against jco (node)
#     on hello-cmd.wasm (a ~27 KB C command component: `weld run` vs `jco run`) and on
#     names-js.wasm (12 MB, JavaScript on StarlingMonkey: `weld run --invoke get-name()`
#     vs the component transpiled by `jco transpile` beforehand and called once by
#     wasi2/jco_names.mjs).  Both come from $WELD_REALWORLD_DIR (default
#     ${XDG_CACHE_HOME:-$HOME/.cache}/weld/realworld-out); a row is skipped when its file is
#     absent, the jco column when node is.
#  2. stdout throughput, MB/s (1 MB = 2^20 bytes), best of 5: wasi2/writer.c writes 100 MB
#     in 64 KiB fwrites to /dev/null, as a preview1 module (wasi2/writer.wasm) and as a
#     command component through the WASI 0.2 output-stream (wasi2/writer-cmd.wasm, jco's
#     preview1 command adapter); the program built natively with cc -O2 is the reference.
# Fails only when a run errors or prints the wrong output (slowness is reported, never
# fatal).  Usage: wasi2.sh WELD
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WELD=${1:-$ROOT/build/weld}
dir=$ROOT/tests/bench/wasi2
RW=${WELD_REALWORLD_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/weld/realworld-out}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
status=0
now() { date +%s%N; }
# best WANT N CMD...: runs CMD N times (stdout to $T/out, stderr to $T/err), each must print
# a line WANT; prints the best wall time in ms, or nothing (and a message) on a failure
best() {
  local want=$1 n=$2 b="" t0 t1 i; shift 2
  for ((i = 0; i < n; i++)); do
    t0=$(now)
    if ! "$@" >"$T/out" 2>"$T/err"; then
      echo "failed: $* ($(head -c 300 "$T/err"))" >&2; return 1
    fi
    t1=$(now)
    if ! grep -qxF -- "$want" "$T/out"; then
      echo "wrong output: $*: $(head -c 200 "$T/out")" >&2; return 1
    fi
    local ms=$(( (t1 - t0) / 1000 ))
    if [ -z "$b" ] || [ "$ms" -lt "$b" ]; then b=$ms; fi
  done
  awk -v u="$b" 'BEGIN {printf "%.1f", u / 1000}'
}
size() { awk -v b="$(stat -c %s "$1")" 'BEGIN {if (b < 1e6) printf "%.0f KB", b / 1e3; else printf "%.1f MB", b / 1e6}'; }
ratio() { [ -n "$1" ] && [ -n "$2" ] && awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2fx", a / b}' || echo "-"; }

jco=""
if command -v node >/dev/null; then
  source "$ROOT/fixtures/tools/npm-tools.sh"
  npm_tools_install
  jco=$JCO_HOME/node_modules/.bin/jco
  ln -s "$JCO_HOME/node_modules" "$T/node_modules"
else
  echo "(node missing: no jco column)"
fi

echo "== WASI 0.2 start-up: wall ms of the whole process, best of 5 (ratio jco/weld > 1: weld faster)"
printf '%-34s %10s %10s %8s\n' component weld jco ratio
hello=$RW/hello-cmd.wasm
if [ -f "$hello" ]; then
  w=$(best "hello from C" 5 "$WELD" run "$hello") || status=1
  j=""
  if [ -n "$jco" ]; then j=$(cd "$T" && best "hello from C" 5 "$jco" run "$hello") || status=1; fi
  printf '%-34s %10s %10s %8s\n' "hello-cmd.wasm ($(size "$hello"))" "${w:--}" "${j:--}" "$(ratio "$j" "$w")"
else
  echo "hello-cmd.wasm: absent from $RW (skipped; see WELD_REALWORLD_DIR)"
fi
names=$RW/names-js.wasm
fn='demo:greeter/names@0.1.0#get-name'
if [ -f "$names" ]; then
  w=$(best '"JavaScript"' 5 "$WELD" run "$names" --invoke "$fn()") || status=1
  j=""
  if [ -n "$jco" ]; then
    if "$jco" transpile "$names" -o "$T/names" --name names >"$T/log" 2>&1; then
      j=$(best '"JavaScript"' 5 node "$dir/jco_names.mjs" "$T/names") || status=1
    else
      echo "jco transpile names-js.wasm failed: $(tail -3 "$T/log")"; status=1
    fi
  fi
  printf '%-34s %10s %10s %8s\n' "names-js.wasm ($(size "$names")) get-name" "${w:--}" "${j:--}" "$(ratio "$j" "$w")"
else
  echo "names-js.wasm: absent from $RW (skipped; see WELD_REALWORLD_DIR)"
fi

echo "== stdout throughput: 100 MB in 64 KiB fwrites to /dev/null, MB/s, best of 5"
MB=100
bytes=$((MB * 1048576))
native=""
if cc -O2 -o "$T/writer" "$dir/writer.c" 2>"$T/err"; then native=$T/writer; else
  echo "(cc failed: no native line)"; fi
# the output itself, checked once on 3 MB through a pipe: the bytes of the native build
# (of the preview1 module without cc)
if [ -n "$native" ]; then want=$("$native" 3 2>/dev/null | cksum)
else want=$("$WELD" run "$dir/writer.wasm" 3 2>/dev/null | cksum); fi
# thru NAME CMD...: best MB/s of 3 runs writing $MB MB to /dev/null; checks the byte count
# the program reports and the checksum of a 3 MB run
thru() {
  local name=$1 b="" t0 t1 i; shift
  got=$("$@" 3 2>/dev/null | cksum)
  if [ "$got" != "$want" ]; then echo "$name: wrong output (cksum $got, want $want)"; status=1; return; fi
  for i in 1 2 3 4 5; do
    t0=$(now)
    if ! "$@" "$MB" >/dev/null 2>"$T/err"; then echo "$name: failed: $(head -c 300 "$T/err")"; status=1; return; fi
    t1=$(now)
    if ! grep -qx "wrote $bytes" "$T/err"; then echo "$name: wrong byte count: $(head -c 200 "$T/err")"; status=1; return; fi
    local us=$(( (t1 - t0) / 1000 ))
    if [ -z "$b" ] || [ "$us" -lt "$b" ]; then b=$us; fi
  done
  echo "$b"
}
p1=$(thru "preview1 module" "$WELD" run "$dir/writer.wasm")
p2=$(thru "command component" "$WELD" run "$dir/writer-cmd.wasm")
nat=""
[ -n "$native" ] && nat=$(thru "native" "$native")
mbps() { case "$1" in ''|*[!0-9]*) echo "-";; *) awk -v u="$1" -v m=$MB 'BEGIN {printf "%.0f", m / (u / 1e6)}';; esac; }
printf '%-40s %10s %10s\n' program 'MB/s' 'ms'
for row in "weld run writer.wasm (preview1)|$p1" "weld run writer-cmd.wasm (WASI 0.2)|$p2" "native (cc -O2, reference)|$nat"; do
  v=${row#*|}
  case "$v" in ''|*[!0-9]*) [ -n "$v" ] && echo "$v"; status=1; printf '%-40s %10s %10s\n' "${row%%|*}" - -; continue;; esac
  printf '%-40s %10s %10s\n' "${row%%|*}" "$(mbps "$v")" "$(awk -v u="$v" 'BEGIN {printf "%.1f", u / 1000}')"
done
case "$p1$p2" in *[!0-9]*|'') ;; *)
  echo "WASI 0.2 component / preview1 module throughput: $(awk -v a="$p1" -v b="$p2" 'BEGIN {printf "%.2fx", a / b}')";;
esac
exit $status
