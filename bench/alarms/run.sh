#!/usr/bin/env bash
# Alarm lateness benchmark (issue 5): builds the node (unless DURO_JAR is given), starts it on a
# fresh data dir on loopback, and measures how late alarms fire:
#   1. N alarms (default 10,000) all due in the same second;
#   2. N alarms spread over N/1000 seconds (1,000 alarms/s).
# Prints one line per case with p50/p99/max lateness in ms. Usage: bench/alarms/run.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-10000}
PORT=${PORT:-$((20000 + RANDOM % 10000))}
JAR=${DURO_JAR:-node/target/duro-node.jar}
if [ -z "${DURO_JAR:-}" ]; then
  mvn -B -q -o package -DskipTests >/dev/null 2>&1 || mvn -B -q package -DskipTests
fi
DATA=$(mktemp -d)
java -Xmx1g -jar "$JAR" --port "$PORT" --data-dir "$DATA" > "$DATA/node.log" 2>&1 &
NODE=$!
trap 'kill $NODE 2>/dev/null || true; wait $NODE 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/_duro/health" >/dev/null && break
  sleep 0.5
done
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB; $(java -version 2>&1 | head -1); load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "same second:  $(java bench/alarms/AlarmLateness.java "http://127.0.0.1:$PORT" "$N" 15000 0)"
echo "1000/s:       $(java bench/alarms/AlarmLateness.java "http://127.0.0.1:$PORT" "$N" 15000 $((N)))"
echo "node threads: $(grep Threads /proc/$NODE/status | awk '{print $2}'), RSS: $(grep VmRSS /proc/$NODE/status | awk '{print $2, $3}')"
