#!/usr/bin/env bash
# Side by side on ../shared/bench's one client harness, in one sitting: Socket.IO, the C floor
# server (floor-server.c: the least any server can do per delivery) and the node, alternating.
#
# usage: load-tests/side-by-side/side-by-side.sh BENCH_DIR NODE_JAR [ROUNDS] [TARGETS]
#   BENCH_DIR  a copy of ../shared/bench with ../shared/socketio beside it, `npm ci` done in both
#   NODE_JAR   server/target/ws-server.jar (started as a user starts it: java -Xmx512m -jar)
#   ROUNDS     alternations (default 2); TARGETS: any of "socketio floor node" (default all three)
# Extra bench options: SBS_OPTS (default: 1,000 subscribers, 100 B, 20k and 30k deliveries/s).
# Prints one line per run and step: loss, p50/p99, server CPU % and µs per delivery, user part.
set -euo pipefail
bench=$(cd "$1" && pwd); jar=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); rounds=${3:-2}
targets=${4:-socketio floor node}
here=$(cd "$(dirname "$0")" && pwd)
opts=${SBS_OPTS:---mode throughput --subs 1000 --size 100 --duration 10 --prewarm 15 --rates 20,30}
redis_port=6392 port=3100
work=$(mktemp -d)
gcc -O2 -o "$work/floor-server" "$here/floor-server.c" -lcrypto

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

summary() {   # the newest result of a target: one line per step
  python3 - "$(ls -t "$bench"/results/"$1"-*.json | head -1)" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for s in d['throughput']['steps']:
    cpu = s['cpuPctOfOneCore']; total = cpu['server']; kernel = cpu['kernelPart']['server']
    us = s['cpuUsPerDelivered']['server']; user = us * (total - kernel) / total if total else 0
    print(f"  {s['rate']}/s: loss {s['loss']} p50 {s['latencyMs']['p50']:.2f} p99 {s['latencyMs']['p99']:.2f} ms"
          f"  server {total:.1f}% {us:.2f} us/delivery (user {user:.2f})")
PY
}

external() {  # external NAME COMMAND...: starts Redis and the server, runs the generic target on it
  local name=$1; shift
  redis-server --port $redis_port --save '' --appendonly no >"$work/redis.log" 2>&1 & local redis=$!
  pids+=("$redis")
  for _ in $(seq 50); do redis-cli -p $redis_port ping >/dev/null 2>&1 && break; sleep 0.1; done
  "$@" >"$work/$name.log" 2>&1 & local server=$!
  pids+=("$server")
  local serving=$server
  for _ in $(seq 150); do
    if [ "$name" = floor ]; then grep -q "floor server on" "$work/$name.log" && break
    else curl -sf http://127.0.0.1:$port/ready >/dev/null 2>&1 && break; fi
    sleep 0.2
  done
  # the node's jar re-launches itself with its default JVM options: measure the serving child
  if [ "$name" = node ]; then serving=$(pgrep -P "$server" java || echo "$server"); fi
  (cd "$bench" && BENCH_WS_URL=ws://127.0.0.1:$port/ws BENCH_REDIS_URL=redis://127.0.0.1:$redis_port \
      BENCH_SERVER_PID=$serving ./bench.sh --target generic $opts >"$work/bench.log" 2>&1) || tail -5 "$work/bench.log"
  kill "$server" "$redis" 2>/dev/null || true
  wait "$server" "$redis" 2>/dev/null || true
}

for round in $(seq "$rounds"); do
  for target in $targets; do
    case $target in
      socketio) (cd "$bench" && ./bench.sh --target socketio $opts >"$work/bench.log" 2>&1) || tail -5 "$work/bench.log"
                result=socketio ;;
      floor) external floor env PORT=$port REDIS_PORT=$redis_port FLOOR_STAMP=1 "$work/floor-server"; result=generic ;;
      node) external node env WEBSOCKET_UPGRADE_RATE_PER_IP=0 WEBSOCKET_MAX_CONNECTIONS_PER_IP=0 PORT=$port \
                REDIS_URL=redis://127.0.0.1:$redis_port java -Xmx512m -jar "$jar"; result=generic ;;
      *) echo "unknown target $target" >&2; exit 2 ;;
    esac
    echo "$target, round $round, $(date -u +%H:%M:%S) UTC:"
    summary $result
  done
done
