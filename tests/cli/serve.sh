#!/bin/bash
# serve.sh - `weld serve`: the wasi:http/proxy fixtures of fixtures/serve (proxy-c.wasm,
# C with the Canonical ABI by hand; proxy-js.wasm, JavaScript on StarlingMonkey) behind a
# real server on a free loopback port, driven with curl: GET, POST echo, headers, 404,
# header rules, traps, fuel and time limits, a body over --max-body (413), keep-alive,
# concurrent requests, JSON logs, SIGTERM draining a request in flight. The same requests
# are then sent to `jco serve` (from $JCO_HOME) and the answers compared; without node and
# jco those comparisons are a counted SKIP.
#   WELD, WELD_ROOT (as tests/run.sh sets them); JCO_HOME optional
set -u
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); echo "not ok $n - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/# /'; return 0; }
skip() { n=$((n + 1)); if [ -n "${3:-}" ] && [ "$3" != 1 ]; then echo "ok $n - $1 # SKIP $2 (stands for $3 checks)"; else echo "ok $n - $1 # SKIP $2"; fi; }
check() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1" "expected [$3], got [$2]"; fi; }
T=$(mktemp -d)
PIDS=""
cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT
F="$WELD_ROOT/fixtures/serve"
C="$F/proxy-c.wasm"
# the JavaScript fixture (13 MB) is built from proxy.js into the cache, not committed
JS="${WELD_CACHE:-$HOME/.cache/weld}/serve/proxy-js.wasm"
if [ ! -f "$JS" ] || [ "$F/proxy.js" -nt "$JS" ] || [ "$F/build.sh" -nt "$JS" ]; then
  JCO_HOME=${JCO_HOME:-$HOME/.cache/weld/npm} bash "$F/build.sh" "$JS" > "$T/jsbuild.log" 2>&1 || rm -f "$JS"
fi

if ! command -v curl >/dev/null 2>&1; then
  skip "weld serve" "no curl (stands for 40 checks)"; echo "1..$n"; exit 0
fi

# start NAME FILE ARGS...: weld serve on a free port; sets PORT and PID (0 on failure)
start() {
  local name=$1 file=$2; shift 2
  "$WELD" serve "$file" --addr 127.0.0.1:0 "$@" > "$T/$name.out" 2> "$T/$name.err" &
  PID=$!; PIDS="$PIDS $PID"; PORT=""
  for _ in $(seq 300); do
    PORT=$(sed -n 's|.* on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$T/$name.err" | head -1)
    [ -n "$PORT" ] && return 0
    kill -0 "$PID" 2>/dev/null || break
    sleep 0.1
  done
  PID=0; return 1
}
# get NAME PORT PATH [CURL ARGS...]: status in $T/NAME.code, headers, body
get() {
  local name=$1 port=$2 path=$3; shift 3
  curl -s --max-time 60 -D "$T/$name.hdr" -o "$T/$name.body" -w '%{http_code}' "$@" "http://127.0.0.1:$port$path" > "$T/$name.code" 2>/dev/null
  tr -d '\r' < "$T/$name.hdr" > "$T/$name.h" 2>/dev/null
}
code() { cat "$T/$1.code"; }
body() { cat "$T/$1.body"; }
hdr() { sed -n "s/^$2: *//Ip" "$T/$1.h" | head -1; }
# stop PID: SIGTERM; the exit status
stop() { kill -TERM "$1" 2>/dev/null; wait "$1"; }

head -c 1048576 /dev/urandom > "$T/big.bin"
head -c 5000 /dev/urandom > "$T/5k.bin"

# ---- the C fixture ------------------------------------------------------------------
if start c "$C" --workers 2 --fuel 200000000 --timeout 2000 --max-body 100000; then
  P=$PORT CPID=$PID
  get hello $P /hello
  check "GET /hello: 200" "$(code hello)" 200
  check "GET /hello: the body" "$(body hello)" "hello from c"
  check "GET /hello: the component's content-type" "$(hdr hello content-type)" "text/plain"
  check "GET /hello: the component's x-served-by" "$(hdr hello x-served-by)" "proxy-c"
  get probe $P /headers -H 'X-Weld-Probe: value 42'
  check "GET /headers: a request header reaches the component (case-insensitive name)" "$(body probe)" "probe=value 42"
  check "GET /headers: the component's answer header" "$(hdr probe x-probe-echo)" "value 42"
  get echo $P /echo --data-binary 'posted body bytes'
  check "POST /echo: 200 with the body echoed" "$(code echo) $(body echo)" "200 posted body bytes"
  check "POST /echo: x-body-length" "$(hdr echo x-body-length)" "17"
  get big $P /echo -H 'Content-Type: application/octet-stream' --data-binary @"$T/5k.bin"
  if [ "$(code big)" = 200 ] && cmp -s "$T/big.body" "$T/5k.bin"; then ok "POST /echo: 5000 random bytes come back identical"
  else fail "POST /echo: 5000 random bytes come back identical" "status $(code big), $(wc -c < "$T/big.body") bytes"; fi
  get chunked $P /echo -H 'Transfer-Encoding: chunked' --data-binary 'chunked request body'
  check "POST /echo with a chunked request body" "$(code chunked) $(body chunked)" "200 chunked request body"
  get nf $P /nope
  check "GET /nope: 404 from the component" "$(code nf) $(body nf)" "404 not found: /nope"
  get q $P '/nope?a=1&b=%20x'
  check "the path with its query string reaches the component as sent" "$(body q)" "not found: /nope?a=1&b=%20x"
  get rules $P /rules
  check "header rules: forbidden (connection), bad name, bad value, immutable request headers, a fine one" \
    "$(body rules | tr '\n' ';')" "append connection: 2;append bad name: 1;append bad value: 1;append to request headers: 3;append x-fine: 0;"
  get trap $P /trap
  check "GET /trap: a trap answers 500" "$(code trap)" 500
  if grep -q '"GET /trap" 500 .*error: trap: unreachable' "$T/c.out"; then ok "GET /trap: the access log line names the trap"
  else fail "GET /trap: the access log line names the trap" "$(cat "$T/c.out")"; fi
  if grep -q 'GET /trap: trap: unreachable' "$T/c.err" && grep -q '#0 func' "$T/c.err"; then ok "GET /trap: the trap and its backtrace on stderr"
  else fail "GET /trap: the trap and its backtrace on stderr" "$(cat "$T/c.err")"; fi
  get after $P /hello
  check "after the trap the server still answers" "$(code after) $(body after)" "200 hello from c"
  get loop $P /loop
  check "GET /loop: --fuel ends an endless loop with a 500" "$(code loop)" 500
  grep -q '"GET /loop" 500 .*all fuel consumed' "$T/c.out" && ok "GET /loop: logged as all fuel consumed" || fail "GET /loop: logged as all fuel consumed" "$(cat "$T/c.out")"
  get spin $P /spin
  check "GET /spin: --timeout ends a loop of host calls with a 500" "$(code spin)" 500
  grep -q '"GET /spin" 500 .*time limit' "$T/c.out" && ok "GET /spin: logged as the time limit" || fail "GET /spin: logged as the time limit" "$(cat "$T/c.out")"
  get nores $P /noresponse
  check "GET /noresponse: a handler that sets no response gives 500" "$(code nores)" 500
  grep -q '"GET /noresponse" 500 .*without setting a response' "$T/c.out" && ok "GET /noresponse: logged" || fail "GET /noresponse: logged" "$(cat "$T/c.out")"
  get over $P /echo --data-binary @"$T/big.bin"
  check "a body over --max-body (Content-Length) gets 413" "$(code over)" 413
  get overc $P /echo -H 'Transfer-Encoding: chunked' --data-binary @"$T/big.bin"
  check "a chunked body over --max-body gets 413" "$(code overc)" 413
  grep -q '"POST /echo" 413 ' "$T/c.out" && ok "413 logged" || fail "413 logged" "$(cat "$T/c.out")"
  # keep-alive: two requests on one connection
  curl -sv --max-time 30 "http://127.0.0.1:$P/hello" "http://127.0.0.1:$P/headers" -o /dev/null -o /dev/null 2> "$T/ka.err"
  if grep -qi 're-using existing connection\|reusing existing connection' "$T/ka.err" && [ "$(grep -c '^< HTTP/1.1 200' "$T/ka.err")" = 2 ]; then
    ok "HTTP/1.1 keep-alive: two requests answered on one connection"
  else fail "HTTP/1.1 keep-alive: two requests answered on one connection" "$(grep -i 'connection\|HTTP/' "$T/ka.err")"; fi
  # concurrent requests
  par=""
  for i in $(seq 8); do get "par$i" $P /echo --data-binary "request $i" & par="$par $!"; done
  for j in $par; do wait "$j"; done
  good=0; for i in $(seq 8); do [ "$(code "par$i") $(body "par$i")" = "200 request $i" ] && good=$((good + 1)); done
  check "8 concurrent POST /echo: each gets its own body back" "$good" 8
  # SIGTERM while a request runs (/spin: ended by --timeout, 2 s): it finishes, then the
  # server stops cleanly
  get slow $P /spin --max-time 60 & slow=$!
  sleep 0.3
  stop "$CPID"; rc=$?
  wait "$slow"
  check "SIGTERM: the request in flight still gets its answer" "$(code slow)" 500
  check "SIGTERM: weld serve exits 0" "$rc" 0
  grep -q 'SIGTERM: stopped' "$T/c.err" && ok "SIGTERM: the stop is logged" || fail "SIGTERM: the stop is logged" "$(tail -3 "$T/c.err")"
  if curl -s --max-time 5 "http://127.0.0.1:$P/hello" > /dev/null 2>&1; then fail "after SIGTERM nothing listens"; else ok "after SIGTERM nothing listens"; fi
else
  fail "weld serve proxy-c.wasm starts" "$(cat "$T/c.err")"
fi

# ---- JSON access log, SIGINT ---------------------------------------------------------------
if start j "$C" --json-log --workers 1; then
  get j1 $PORT /hello; get j2 $PORT /nope
  kill -INT "$PID"; wait "$PID"; rc=$?
  if python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [(r["method"], r["uri"], r["status"]) for r in rows] == [("GET", "/hello", 200), ("GET", "/nope", 404)], rows
assert all(isinstance(r["ms"], float) and r["remote"] == "127.0.0.1" and r["bytes"] > 0 for r in rows)
' "$T/j.out" 2> "$T/j.py"; then ok "--json-log: one JSON object per request (method, uri, status, bytes, ms, remote)"
  else fail "--json-log: one JSON object per request" "$(cat "$T/j.out" "$T/j.py")"; fi
  check "SIGINT: weld serve exits 0" "$rc" 0
else
  fail "weld serve --json-log starts" "$(cat "$T/j.err")"; fail "SIGINT: weld serve exits 0"
fi

# ---- a request that cannot be stopped (no --fuel) does not hold up SIGTERM forever ----------
if start u "$C" --timeout 500 --workers 1; then
  get stuck $PORT /loop --max-time 10 & stuck=$!
  sleep 0.5
  t0=$(date +%s%N); stop "$PID"; rc=$?; t1=$(date +%s%N)
  kill "$stuck" 2>/dev/null; wait "$stuck" 2>/dev/null
  ms=$(( (t1 - t0) / 1000000 ))
  if [ "$rc" = 1 ] && [ "$ms" -lt 5000 ] && grep -q 'still running after the drain limit' "$T/u.err"; then
    ok "SIGTERM with an endless request and no --fuel: exit 1 after the drain limit (${ms} ms), saying why"
  else fail "SIGTERM with an endless request and no --fuel: exit 1 after the drain limit" "exit $rc after $ms ms: $(tail -2 "$T/u.err")"; fi
else
  fail "weld serve --timeout 500 starts" "$(cat "$T/u.err")"
fi

# ---- bad input ---------------------------------------------------------------------------
"$WELD" serve "$WELD_ROOT/fixtures/serve/proxy-c.c" --addr 127.0.0.1:0 > /dev/null 2> "$T/bad.err"; rc=$?
if [ "$rc" != 0 ] && grep -q 'error' "$T/bad.err"; then ok "a file that is not a component is refused before listening"
else fail "a file that is not a component is refused before listening" "exit $rc: $(cat "$T/bad.err")"; fi
cmdc=$(ls "$WELD_ROOT"/fixtures/wasi2/*.wasm 2>/dev/null | head -1)
if [ -n "$cmdc" ]; then
  "$WELD" serve "$cmdc" --addr 127.0.0.1:0 > /dev/null 2> "$T/cmd.err"; rc=$?
  if [ "$rc" = 1 ] && grep -q 'exports no wasi:http/incoming-handler' "$T/cmd.err"; then ok "a component that is not a proxy is refused, saying why"
  else fail "a component that is not a proxy is refused, saying why" "exit $rc: $(cat "$T/cmd.err")"; fi
else skip "a component that is not a proxy is refused" "no fixtures/wasi2 component (stands for 1 check)"; fi
"$WELD" serve "$C" --addr nonsense > /dev/null 2> "$T/addr.err"; rc=$?
check "--addr without a port is a usage error (exit 2)" "$rc $(grep -c 'expected IPV4:PORT' "$T/addr.err")" "2 1"

# ---- the JavaScript fixture --------------------------------------------------------------
if [ ! -f "$JS" ]; then
  skip "the JavaScript fixture (proxy.js on StarlingMonkey)" "fixtures/serve/build.sh could not build it: $(tail -n 1 "$T/jsbuild.log" 2>/dev/null)" 9
elif start js "$JS" --workers 2; then
  get jh $PORT /hello
  check "js: GET /hello" "$(code jh) $(body jh) $(hdr jh x-served-by)" "200 hello from js proxy-js"
  get je $PORT /echo --data-binary @"$T/5k.bin"
  if [ "$(code je)" = 200 ] && cmp -s "$T/je.body" "$T/5k.bin" && [ "$(hdr je x-body-length)" = 5000 ]; then ok "js: POST /echo of 5000 random bytes"
  else fail "js: POST /echo of 5000 random bytes" "status $(code je), $(wc -c < "$T/je.body") bytes"; fi
  get jp $PORT /headers -H 'x-weld-probe: from curl'
  check "js: request header in, response header out" "$(body jp) $(hdr jp x-probe-echo)" "probe=from curl from curl"
  get js418 $PORT /status/418
  check "js: a status the script chooses" "$(code js418) $(body js418)" "418 status 418"
  get jf $PORT /fetch
  check "js: fetch() is refused by the host (outgoing-handler: HTTP-request-denied), the script answers 502" \
    "$(code jf) $(body jf | cut -c1-13)" "502 fetch failed:"
  get jn $PORT /missing
  check "js: 404" "$(code jn) $(body jn)" "404 not found: GET /missing"
  stop "$PID"; check "js: SIGTERM exits 0" "$?" 0
else
  fail "weld serve proxy-js.wasm starts" "$(cat "$T/js.err")"
fi

# ---- --max-rss retires runtimes (their instances) so memory stays bounded ------------------
if [ ! -f "$JS" ]; then
  : # counted with the JavaScript fixture's checks above
elif start rss "$JS" --workers 1 --max-rss 300M; then
  good=0 peak=0
  for i in $(seq 40); do
    get r $PORT /hello; [ "$(code r)" = 200 ] && good=$((good + 1))
    kb=$(ps -o rss= -p "$PID" | tr -d ' '); [ "${kb:-0}" -gt "$peak" ] && peak=$kb
  done
  check "--max-rss 300M: 40 requests on the JS fixture all answered" "$good" 40
  if [ "$peak" -gt 0 ] && [ "$peak" -lt 614400 ]; then ok "--max-rss 300M: resident memory peaked at $((peak / 1024)) MB (< 600 MB; without the limit it grows about 5 MB a request)"
  else fail "--max-rss 300M: resident memory stays under 600 MB" "peak $((peak / 1024)) MB"; fi
  stop "$PID"
else
  fail "weld serve --max-rss starts" "$(cat "$T/rss.err")"
fi

# ---- against jco serve ---------------------------------------------------------------------
JCO_BIN=${JCO:-${JCO_HOME:-$HOME/.cache/weld/npm}/node_modules/.bin/jco}
REQS="/hello /headers /rules /nope /echo"
nreq=$(echo $REQS | wc -w)
# answer NAME PORT PATH: status, body and the component's headers, one text
answer() {
  local extra=()
  case $3 in /headers) extra=(-H 'x-weld-probe: compare') ;; /echo) extra=(--data-binary 'compare me') ;; esac
  get "$1" "$2" "$3" "${extra[@]}"
  { code "$1"; echo; body "$1"; echo; grep -i '^\(content-type\|x-served-by\|x-probe-echo\|x-body-length\):' "$T/$1.h" | tr 'A-Z' 'a-z' | sort; } > "$T/$1.ans"
}
compare_jco() { # compare_jco LABEL FIXTURE [JCO SERVE OPTIONS...]
  local label=$1 fix=$2 jport agree=0; shift 2
  jport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cd "$T" && exec "$JCO_BIN" serve "$fix" --port "$jport" --host 127.0.0.1 "$@" > "$T/jco-$label.log" 2>&1) & local jpid=$!
  PIDS="$PIDS $jpid"
  for _ in $(seq 240); do curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$jport/hello" && break; sleep 0.5; done
  if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 15 "http://127.0.0.1:$jport/hello")" = 000 ]; then
    skip "$label: weld serve answers $REQS as jco serve does" "jco serve $("$JCO_BIN" --version 2>/dev/null) on node $(node --version) gives no answer for $(basename "$fix") ($(grep -m1 -o 'InvalidStateError[^.]*\|Error[^.]*' "$T/jco-$label.log")) (stands for $nreq checks)"
  else
    start "w$label" "$fix" --workers 2
    local wport=$PORT wpid=$PID
    for r in $REQS; do
      answer "jco$label" "$jport" "$r"; answer "weld$label" "$wport" "$r"
      if cmp -s "$T/jco$label.ans" "$T/weld$label.ans"; then ok "$label $r: weld serve answers as jco serve does"; agree=$((agree + 1))
      else fail "$label $r: weld serve answers as jco serve does" "$(diff "$T/jco$label.ans" "$T/weld$label.ans")"; fi
    done
    stop "$wpid"
  fi
  kill "$jpid" 2>/dev/null; wait "$jpid" 2>/dev/null
  echo "# $label: $agree of $nreq requests answered alike by weld serve and jco serve"
}
if command -v node >/dev/null 2>&1 && [ -x "$JCO_BIN" ] && command -v python3 >/dev/null 2>&1; then
  compare_jco c "$C"
  REQS="/hello /headers /status/418 /nope /echo"
  # jco serve 1.35.0 answers the StarlingMonkey fixture only with a fresh instance per request
  # (its default, a worker per request, never answers on node 20)
  if [ -f "$JS" ]; then compare_jco js "$JS" --isolate-requests instance
  else skip "js: weld serve answers $REQS as jco serve does" "no JavaScript fixture (see above)" "$nreq"; fi
else
  skip "weld serve against jco serve" "no node or jco at $JCO_BIN (stands for $((2 * nreq)) checks)"
fi
echo "1..$n"
