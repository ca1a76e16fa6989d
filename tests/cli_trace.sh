#!/usr/bin/env bash
# onebot --trace: every frame of a call is printed both ways, over ws:// and
# http://, and the access token never is.
set -u
build=$1
onebot="$build/tools/onebot"
tmp=$(mktemp -d)
trap 'kill $sim_pid 2>/dev/null; wait $sim_pid 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0
pass() { echo "ok    $1"; }
fail() { echo "FAIL  $1"; fails=$((fails + 1)); }

token=Tr4ceT0kenNeverPrinted
# a free port for the HTTP API: ask the kernel, then hand it to the simulator
hport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$onebot" sim --listen 127.0.0.1:0 --http "127.0.0.1:$hport" --db ":memory:" --demo --heartbeat 0 --token "$token" \
  >"$tmp/sim.out" 2>"$tmp/sim.log" &
sim_pid=$!
for _ in $(seq 100); do grep -q listening "$tmp/sim.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^onebot-sim listening on \(ws:[^ ]*\).*/\1/p' "$tmp/sim.out")
[ -n "$url" ] || { echo "FAIL  the simulator did not start"; cat "$tmp/sim.log"; exit 1; }
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$hport") 2>/dev/null && break; sleep 0.1; done

"$onebot" --url "$url" --token "$token" --trace get_login_info >"$tmp/ws.out" 2>"$tmp/ws.err"
grep -q ' -> ws {"action":"get_login_info","params":{},"echo":"ob-1"}' "$tmp/ws.err" && pass "ws: the request frame is printed" || fail "ws: the request frame is printed"
grep -q ' <- ws {.*"echo":"ob-1"' "$tmp/ws.err" && pass "ws: the reply frame is printed" || fail "ws: the reply frame is printed"
grep -q "$token" "$tmp/ws.err" "$tmp/ws.out" && fail "ws: the token is never printed" || pass "ws: the token is never printed"

"$onebot" --url "http://127.0.0.1:$hport/?access_token=$token" --token "$token" --trace get_login_info \
  >"$tmp/http.out" 2>"$tmp/http.err"
grep -q ' -> POST /get_login_info {}' "$tmp/http.err" && pass "http: the request body is printed" || fail "http: the request body is printed"
grep -q ' <- HTTP 200 {' "$tmp/http.err" && pass "http: the response body is printed" || fail "http: the response body is printed"
grep -q 'access_token=\*\*\*' "$tmp/http.err" && pass "http: the URL's token shows as ***" || fail "http: the URL's token shows as ***"
grep -q "$token" "$tmp/http.err" "$tmp/http.out" && fail "http: the token is never printed" || pass "http: the token is never printed"
grep -q '10001' "$tmp/http.out" && pass "http: the answer is printed as usual" || fail "http: the answer is printed as usual"

[ $fails -eq 0 ] || { cat "$tmp/ws.err" "$tmp/http.err" | head -20; exit 1; }
