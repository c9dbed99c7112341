#!/bin/bash
# `weld serve` throughput (`make bench`), one run on this machine: requests per second
# measured by wrk on loopback (GET /hello, 5 s per row, one wrk thread) with 1, 8 and 64
# connections, against
#   - weld serve on fixtures/serve/proxy-c.wasm (C) and proxy-js.wasm (JavaScript on
#     StarlingMonkey), --workers 4: a fresh instance per request;
#   - jco serve (node) on proxy-c.wasm, and on proxy-js.wasm with --isolate-requests
#     instance (a fresh instance per request, as weld; jco 1.35.0's default worker per
#     request does not answer it);
# a non-2xx answer fails the run; requests wrk gave up on (its 2 s timeout) or lost to socket
# errors are shown after the rate ("12 (5 t/o)"). A row is skipped when its tool (wrk,
# node + jco) is absent. Usage: serve.sh WELD
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WELD=${1:-$ROOT/build/weld}
F=$ROOT/fixtures/serve
JCO_BIN=${JCO:-${JCO_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/weld/npm}/node_modules/.bin/jco}
T=$(mktemp -d)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; rm -rf "$T"' EXIT
echo "== weld serve: requests/s (wrk, GET /hello, 5 s, loopback; fresh instance per request)"
if ! command -v wrk >/dev/null 2>&1; then echo "  skipped: no wrk (Debian package wrk)"; exit 0; fi
status=0
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 240); do curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$1/hello" && return 0; sleep 0.5; done; return 1; }
# rate PORT CONNS: requests/s and the requests lost, or "non-2xx" (a failure)
rate() {
  wrk -t1 -c"$2" -d5s "http://127.0.0.1:$1/hello" > "$T/wrk" 2>&1
  if grep -q 'Non-2xx' "$T/wrk"; then echo "non-2xx"; return 1; fi
  awk '/^Requests\/sec:/ {r = $2} /Socket errors:/ {gsub(",", ""); e = $4 + $6 + $8 + $10}
       END {printf "%.0f", r; if (e) printf " (%d t/o)", e}' "$T/wrk"
}
row() { # row LABEL PORT
  local out="" r c
  for c in 1 8 64; do r=$(rate "$2" "$c") || status=1; out="$out$(printf '%16s' "$r")"; done
  printf '  %-28s%s\n' "$1" "$out"
}
# the JavaScript fixture is built into the cache (fixtures/serve/build.sh), not committed
JSW="${WELD_CACHE:-$HOME/.cache/weld}/serve/proxy-js.wasm"
[ -f "$JSW" ] || JCO_HOME=${JCO_HOME:-$HOME/.cache/weld/npm} bash "$F/build.sh" "$JSW" > "$T/jsbuild.log" 2>&1 || rm -f "$JSW"
fixture() { if [ "$1" = js ]; then echo "$JSW"; else echo "$F/proxy-$1.wasm"; fi; }
printf '  %-28s%16s%16s%16s\n' "server / connections" 1 8 64
for fx in c js; do
  p=$(free_port)
  "$WELD" serve "$(fixture $fx)" --addr "127.0.0.1:$p" --workers 4 > /dev/null 2> "$T/weld-$fx.err" &
  pid=$!; PIDS="$PIDS $pid"
  # the runtimes of the other workers are made in the background: measure once they are
  for _ in $(seq 600); do grep -q 'runtimes ready' "$T/weld-$fx.err" && break; sleep 0.1; done
  if wait_up "$p"; then row "weld serve proxy-$fx" "$p"; else echo "  weld serve proxy-$fx: did not start"; status=1; fi
  kill -TERM "$pid"; wait "$pid" 2>/dev/null
done
if command -v node >/dev/null 2>&1 && [ -x "$JCO_BIN" ]; then
  for fx in c js; do
    p=$(free_port)
    (cd "$T" && exec "$JCO_BIN" serve "$(fixture $fx)" --port "$p" --host 127.0.0.1 \
       $([ $fx = js ] && echo --isolate-requests instance) > "$T/jco.log" 2>&1) &
    pid=$!; PIDS="$PIDS $pid"
    if wait_up "$p"; then row "jco serve proxy-$fx (node)" "$p"; else echo "  jco serve proxy-$fx: did not start"; fi
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  done
else
  echo "  jco serve: skipped (no node or jco at $JCO_BIN)"
fi
exit $status
