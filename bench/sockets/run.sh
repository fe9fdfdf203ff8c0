#!/usr/bin/env bash
# WebSocket benchmark (issue 6): memory per idle hibernated socket, and broadcast fan-out latency.
#
#   bench/sockets/run.sh [IDLE_SOCKETS] [FANOUT_SOCKETS] [ROUNDS]     (defaults 15000 1000 200)
#
# Starts the node jar (built if missing) with -Xmx1g and an idle timeout of 5 s, on a fresh data
# directory, and drives it with SocketLoad.java (one process, non-blocking I/O, loopback):
#  1. heap used after a full GC with no sockets (baseline), then after IDLE_SOCKETS idle
#     WebSockets spread over 1,000 `notify` objects that have all hibernated (no instance in
#     memory): (used - baseline) / sockets is the memory per idle socket, gateway and object side
#     together (both live in the one node);
#  2. FANOUT_SOCKETS sockets on one `notify` object; ROUNDS notifications published, each timed
#     from the POST until each socket received it.
# The process's open-file limit caps the sockets one node can hold on a machine (ulimit -n).
set -euo pipefail
cd "$(dirname "$0")/../.."
IDLE=${1:-15000}
FANOUT=${2:-1000}
ROUNDS=${3:-200}
JAR=node/target/duro-node.jar
[ -f "$JAR" ] || mvn -q -B package -DskipTests
WORK=$(mktemp -d)
PORT=$(( 20000 + RANDOM % 20000 ))
MGMT=$(( PORT + 1 ))
cat > "$WORK/bench.conf" <<CONF
duro.runtime.idle-timeout = 5s
pekko.loglevel = WARNING
CONF
java -Xmx1g -Xms1g -jar "$JAR" --port "$PORT" --management-port "$MGMT" \
  --data-dir "$WORK/data" --config "$WORK/bench.conf" > "$WORK/node.log" 2>&1 &
NODE=$!
trap 'kill $NODE 2>/dev/null; wait $NODE 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 1 120); do curl -sf "localhost:$PORT/_duro/health" >/dev/null && break; sleep 0.5; done

heap_used_kib() {
  jcmd "$NODE" GC.run >/dev/null
  sleep 1
  jcmd "$NODE" GC.heap_info | grep -o 'used [0-9]*K' | head -1 | tr -dc '0-9'
}

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -1), open-file limit $(ulimit -n)"
BASE=$(heap_used_kib)
echo "baseline heap used: ${BASE} KiB"
java bench/sockets/SocketLoad.java idle "$PORT" "$IDLE" 1000 60 > "$WORK/idle.log" 2>&1 &
LOAD=$!
for _ in $(seq 1 240); do grep -q connected "$WORK/idle.log" && break; sleep 1; done
cat "$WORK/idle.log"
sleep 20   # every object passivates (idle timeout 5 s); the sockets stay open
USED=$(heap_used_kib)
RSS=$(ps -o rss= -p "$NODE" | tr -d ' ')
echo "with $IDLE idle sockets (objects hibernated): heap used ${USED} KiB, node RSS ${RSS} KiB"
awk -v u="$USED" -v b="$BASE" -v n="$IDLE" \
  'BEGIN { printf "memory per idle socket: %.2f KiB of heap; a 1 GiB heap holds about %d\n", (u-b)/n, (1048576*0.8)/((u-b)/n) }'
kill $LOAD 2>/dev/null; wait $LOAD 2>/dev/null || true
sleep 3
java bench/sockets/SocketLoad.java fanout "$PORT" "$FANOUT" "$ROUNDS"
