#!/usr/bin/env bash
# What N pending alarms (default 1,000,000) cost a running node: starts a node on an empty data
# dir and one whose alarm index holds N rows due in a year (written straight into the table while
# the node is stopped), lets each run for 30 s of scheduler polls, and reports RSS, heap after a
# full GC and the time of one index scan of due alarms. Usage: bench/alarms/pending.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000000}
JAR=${DURO_JAR:-node/target/duro-node.jar}
measure() { # data-dir label
  local port=$((20000 + RANDOM % 10000))
  java -Xmx1g -jar "$JAR" --port "$port" --data-dir "$1" > "$1/node.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/_duro/health" >/dev/null && break; sleep 0.5; done
  sleep 30
  local t0=$(date +%s%N)
  curl -sf "http://127.0.0.1:$port/_duro/alarms?limit=1000" >/dev/null
  local scan_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  jcmd "$pid" GC.run >/dev/null
  local heap=$(jcmd "$pid" GC.heap_info | awk '/used/{print $0; exit}' | sed -E 's/.*used ([0-9]+K).*/\1/')
  local rss=$(awk '/VmRSS/{print $2" "$3}' /proc/$pid/status)
  local threads=$(awk '/Threads/{print $2}' /proc/$pid/status)
  echo "$2: rss=$rss heap_used_after_gc=$heap threads=$threads admin_scan_1000_due_ms=$scan_ms"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}
EMPTY=$(mktemp -d); FULL=$(mktemp -d)
trap 'rm -rf "$EMPTY" "$FULL"' EXIT
# create the schema in FULL, then stop the node and insert N rows
port=$((20000 + RANDOM % 10000))
java -jar "$JAR" --port "$port" --data-dir "$FULL" > "$FULL/first.log" 2>&1 & pid=$!
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$port/_duro/health" >/dev/null && break; sleep 0.5; done
kill "$pid"; wait "$pid" 2>/dev/null || true
t0=$(date +%s)
java -cp "$JAR" bench/alarms/InsertPendingAlarms.java "$FULL" "$N"
echo "inserted $N pending alarm rows in $(( $(date +%s) - t0 )) s; load: $(cut -d' ' -f1-3 /proc/loadavg)"
measure "$EMPTY" "0 pending alarms"
measure "$FULL" "$N pending alarms"
