#!/usr/bin/env bash
# Memory per active object: starts the node (-Xmx2g), creates new objects with wrk for
# BENCH_DURATION seconds (default 60) at 64 connections, and compares the heap in use after a
# full GC before and after. Every object stays active (idle timeout 120 s > the run).
#
#   bench/objects-memory.sh [--jar node/target/duro-node.jar]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DURATION="${BENCH_DURATION:-60}"
JAR="$ROOT/node/target/duro-node.jar"
[ "${1:-}" = "--jar" ] && JAR="$2"
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
WORK="$(mktemp -d /tmp/duro-mem.XXXXXX)"
PORT=$((20000 + RANDOM % 10000))
java -Xmx2g -jar "$JAR" --port "$PORT" --data-dir "$WORK/data" >"$WORK/node.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; wait $PID 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/_duro/health" && break; sleep 0.2; done

heap_used_kb() { # after a full GC
  jcmd "$PID" GC.run >/dev/null
  jcmd "$PID" GC.heap_info | sed -n 's/.*total [0-9]*K, used \([0-9]*\)K.*/\1/p' | head -1
}
# One object first, so that the classes and caches of the first activation are not counted.
curl -sf -X POST "http://127.0.0.1:$PORT/counter/first/increment" >/dev/null
before="$(heap_used_kb)"
result="$(BENCH_MODE=new BENCH_PREFIX=m BENCH_RUN=r wrk -t2 -c64 -d"${DURATION}s" --timeout 10s \
  -s "$ROOT/bench/duro.lua" "http://127.0.0.1:$PORT" | grep '^RESULT')"
created="$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<<"$result")"
after="$(heap_used_kb)"
threads="$(awk '/^Threads:/{print $2}' "/proc/$PID/status")"
echo "objects created: $created in ${DURATION}s; heap after full GC: ${before} KiB -> ${after} KiB;" \
  "$(awk -v a="$after" -v b="$before" -v n="$created" 'BEGIN { printf "%.2f KiB", (a - b) / n }') per active object; threads: $threads"
