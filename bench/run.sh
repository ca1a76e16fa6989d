#!/usr/bin/env bash
# Runs every benchmark of libonebot and its peers on this machine, in one go,
# and writes bench/RESULTS.md and bench/results.png. `make bench` builds first
# and then runs this with the build directory.
#
#   bench/run.sh [BUILD_DIR]        (default build-bench; Release with -DOB_BUILD_BENCH=ON)
#
# REPS (default 5) sets how many times each measurement is repeated; the
# report uses medians. Placement: with 2+ CPUs the responder (the server side)
# runs on CPU 1 and every client on CPU 0, so each has a core of its own.
# The sequential scenario is also run with both on CPU 0 (see RESULTS.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="$(cd "${1:-build-bench}" && pwd)"
bin="$build/bench"
reps="${REPS:-5}"
started=$(date +%s)

for prog in responder http_responder tcp_floor bench_client bench_decode bench_events bench_hub; do
  [ -x "$bin/$prog" ] || { echo "bench: $bin/$prog is missing; build with -DOB_BUILD_BENCH=ON" >&2; exit 1; }
done
command -v node >/dev/null || { echo "bench: node is missing (scripts/deps.sh --bench)" >&2; exit 1; }
command -v gnuplot >/dev/null || { echo "bench: gnuplot is missing (scripts/deps.sh --bench)" >&2; exit 1; }
if [ ! -d "$here/node/node_modules/node-napcat-ts" ]; then
  echo "bench: installing the Node peers (npm ci)" >&2
  (cd "$here/node" && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

ncpu=$(nproc)
if [ "$ncpu" -ge 2 ]; then client_cpu=0; server_cpu=1; else client_cpu=0; server_cpu=0; fi
on_client() { taskset -c "$client_cpu" "$@"; }

# start_responder CPU VAR: starts a responder pinned to CPU and stores its
# port in VAR. Not in a $(...) subshell: the pid must reach the cleanup list.
start_responder() {
  local out="$work/responder.$1.port"
  taskset -c "$1" "$bin/responder" >"$out" &
  pids+=($!)
  for _ in $(seq 100); do
    if [ -s "$out" ]; then printf -v "$2" '%s' "$(head -n1 "$out")"; return; fi
    sleep 0.05
  done
  echo "bench: the responder did not start" >&2
  exit 1
}
start_responder "$server_cpu" port
start_responder "$client_cpu" port_same
# the HTTP transport's responder (issue #10), on the server's CPU
taskset -c "$server_cpu" "$bin/http_responder" >"$work/http.port" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/http.port" ] && break; sleep 0.05; done
[ -s "$work/http.port" ] || { echo "bench: the HTTP responder did not start" >&2; exit 1; }
http_url="http://127.0.0.1:$(head -n1 "$work/http.port")"

results="$work/results.jsonl"
# as_scenario FROM TO: renames a scenario in the records on stdin.
as_scenario() { sed "s/\"scenario\":\"$1\"/\"scenario\":\"$2\"/"; }
log() { printf 'bench: %s\n' "$*" >&2; }

"$bin/bench_decode" --runs 5 --write "$work/members.json" >/dev/null

for rep in $(seq "$reps"); do
  log "round $rep/$reps"
  {
    "$bin/tcp_floor" 20000 "$client_cpu" "$server_cpu"
    "$bin/tcp_floor" 20000 "$client_cpu" "$client_cpu" | as_scenario floor_rtt_us floor_same_core_us | as_scenario floor_cpu_us floor_cpu_same_core_us

    # 1-4: sequential, pipelined (10 000 in flight), CPU per call, peak RSS.
    on_client "$bin/bench_client" "$port" calls 10000 10000 5
    on_client node "$here/node/peer.mjs" napcat "$port" calls 10000 10000 5
    on_client node "$here/node/peer.mjs" bare "$port" calls 10000 10000 5
    # 1-2 over http:// (our client: up to 4 keep-alive connections, 128 pipelined requests each):
    # sequential, and 10 000 queued calls.
    on_client "$bin/bench_client" "$http_url" calls 10000 10000 5
    # 1 again with client and responder sharing one core: no cross-core wake-ups.
    on_client "$bin/bench_client" "$port_same" seq 10000 | as_scenario seq_us seq_same_core_us | as_scenario cpu_seq_us cpu_seq_same_core_us
    on_client node "$here/node/peer.mjs" napcat "$port_same" seq 10000 | as_scenario seq_us seq_same_core_us | as_scenario cpu_seq_us cpu_seq_same_core_us
    on_client node "$here/node/peer.mjs" bare "$port_same" seq 10000 | as_scenario seq_us seq_same_core_us | as_scenario cpu_seq_us cpu_seq_same_core_us

    # 5: the 3 000-member reply, in memory and over the wire.
    on_client "$bin/bench_decode" --runs 40
    on_client node "$here/node/peer.mjs" decode "$work/members.json" 40
    on_client "$bin/bench_client" "$port" members 20
    on_client node "$here/node/peer.mjs" napcat "$port" members 20
    on_client node "$here/node/peer.mjs" bare "$port" members 20

    # 4b: memory per call in flight: 20 000 set_group_ban calls awaiting replies.
    on_client "$bin/bench_client" "$port" inflight 20000
    on_client node --expose-gc "$here/node/peer.mjs" napcat "$port" inflight 20000
    on_client node --expose-gc "$here/node/peer.mjs" bare "$port" inflight 20000

    # 6: event ingest.
    on_client "$bin/bench_events" "$port" 200000
    on_client node "$here/node/peer.mjs" napcat "$port" events 200000
    on_client node "$here/node/peer.mjs" bare "$port" events 200000

    # 8: a hub's event ingest over reverse WebSocket, 1 account vs 50 (the
    # same 200 000 events in all), and its memory per connected account.
    taskset -c "$server_cpu" "$bin/bench_hub" 1 200000 "$client_cpu"
    taskset -c "$server_cpu" "$bin/bench_hub" 50 4000 "$client_cpu"
  } >>"$results"
done

# 7: the simulator (its own durable store; 3 rounds: each run commits to disk).
# On the build's disk, not a tmpfs: the point is durable commits. libonebot's
# 8 clients are threads of bench_sim; the Node peers drive a world that
# `bench_sim --serve` builds, with the same mix, from one Node process.
simdir="$build/bench-sim"
mkdir -p "$simdir"
[ -x "$bin/bench_sim" ] || { log "no bench_sim (built without the simulator): scenario 7 skipped"; }
for rep in 1 2 3; do
  [ -x "$bin/bench_sim" ] || break
  log "simulator round $rep/3"
  "$bin/bench_sim" --dir "$simdir" --clients 8 --seconds 3 --members 100,1000,10000 >>"$results"
  for members in 100 1000 10000; do
    for kind in napcat bare; do
      "$bin/bench_sim" --dir "$simdir" --serve "$members" >"$work/sim.port" &
      sim_pid=$!
      pids+=("$sim_pid")
      for _ in $(seq 200); do [ -s "$work/sim.port" ] && break; sleep 0.05; done
      [ -s "$work/sim.port" ] || { echo "bench: bench_sim --serve did not start" >&2; exit 1; }
      node "$here/node/peer.mjs" "$kind" "$(head -n1 "$work/sim.port")" simload "$members" 3 8 >>"$results"
      kill "$sim_pid"; wait "$sim_pid" 2>/dev/null || true
      : >"$work/sim.port"
    done
  done
done
rm -rf "$simdir"

# 9: scale-out through `onebot gateway` and Redis Streams (1, 2, 4 worker
# processes, one action back per event; the call round trip through Redis
# next to the direct one). 3 rounds (medians): each starts its own
# redis-server and gateways; not pinned (five processes share the 2 cores).
if [ -x "$bin/bench_gateway" ] && command -v redis-server >/dev/null; then
  for rep in 1 2 3; do
    log "gateway round $rep/3"
    "$bin/bench_gateway" "$build/tools/onebot" "$bin/responder" 100000 >>"$results"
  done
else
  log "no bench_gateway or no redis-server: scenario 9 skipped"
fi

elapsed=$(( $(date +%s) - started ))
{
  echo "{\"info\":\"date\",\"value\":\"$(date -u +%Y-%m-%dT%H:%MZ)\"}"
  echo "{\"info\":\"cpu\",\"value\":\"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)\"}"
  echo "{\"info\":\"ncpu\",\"value\":\"$ncpu\"}"
  echo "{\"info\":\"mem\",\"value\":\"$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)\"}"
  echo "{\"info\":\"kernel\",\"value\":\"$(uname -sr)\"}"
  echo "{\"info\":\"os\",\"value\":\"$( . /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")\"}"
  echo "{\"info\":\"cc\",\"value\":\"$(sed -n 's/^CMAKE_C_COMPILER:[^=]*=//p' "$build/CMakeCache.txt" | xargs -r basename) $(cc -dumpfullversion 2>/dev/null)\"}"
  echo "{\"info\":\"build\",\"value\":\"$(sed -n 's/^CMAKE_BUILD_TYPE:[^=]*=//p' "$build/CMakeCache.txt")\"}"
  echo "{\"info\":\"libonebot\",\"value\":\"$(sed -n 's/^CMAKE_PROJECT_VERSION:[^=]*=//p' "$build/CMakeCache.txt") ($(git -C "$here/.." rev-parse --short HEAD 2>/dev/null || echo '?'))\"}"
  echo "{\"info\":\"wslay\",\"value\":\"$(dpkg-query -W -f='${Version}' libwslay1 2>/dev/null || echo '?')\"}"
  echo "{\"info\":\"node\",\"value\":\"$(node --version)\"}"
  echo "{\"info\":\"node-napcat-ts\",\"value\":\"$(node -p "require('$here/node/node_modules/node-napcat-ts/package.json').version")\"}"
  echo "{\"info\":\"ws\",\"value\":\"$(node -p "require('$here/node/node_modules/ws/package.json').version")\"}"
  echo "{\"info\":\"reps\",\"value\":\"$reps\"}"
  echo "{\"info\":\"elapsed_s\",\"value\":\"$elapsed\"}"
} >>"$results"

cp "$results" "$here/results.jsonl"
node "$here/node/report.mjs" "$results" "$here/RESULTS.md" "$work/results.dat" "$work/panels.gp"
(cd "$work" && gnuplot -e "panels='$work/panels.gp'; data='$work/results.dat'; out='$here/results.png'" "$here/plot.gp")
log "wrote bench/RESULTS.md and bench/results.png in $(( $(date +%s) - started )) s"
