#!/usr/bin/env bash
# A million distinct objects on one node with -Xmx2g (issue 8): starts the node on a fresh data
# directory, creates new objects with wrk (one increment each, 64 connections) in rounds of
# BENCH_ROUND seconds until BENCH_TARGET objects exist, and prints one line per round: objects so
# far, req/s, p50/p99/max latency, heap in use, live threads. Latency must stay
# flat from the first round to the last, and the node must not run out of memory. At the end a
# sample of the objects is read back (their counts must be 1), and the node's log is searched
# for OutOfMemoryError.
#
#   bench/million.sh [--jar node/target/duro-node.jar] [--out results.md]
#
# Environment: BENCH_TARGET=1000000, BENCH_ROUND=60, BENCH_CONNECTIONS=64,
# BENCH_NODE_OPTS="-Xmx2g", BENCH_IDLE=120s (duro.runtime.idle-timeout of the node).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
TARGET="${BENCH_TARGET:-1000000}"
ROUND="${BENCH_ROUND:-60}"
CONNS="${BENCH_CONNECTIONS:-64}"
NODE_OPTS="${BENCH_NODE_OPTS:--Xmx2g}"
IDLE="${BENCH_IDLE:-120s}"
JAR="$ROOT/node/target/duro-node.jar"
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
[ -f "$JAR" ] || { echo "no jar at $JAR (mvn -q package -DskipTests)" >&2; exit 1; }

WORK="$(mktemp -d /tmp/duro-million.XXXXXX)"
PORT=$((20000 + RANDOM % 10000))
echo "duro.runtime.idle-timeout = $IDLE" >"$WORK/bench.conf"
# shellcheck disable=SC2086
java $NODE_OPTS -jar "$JAR" --port "$PORT" --management-port $((PORT + 1)) \
  --data-dir "$WORK/data" --config "$WORK/bench.conf" \
  >"$WORK/node.log" 2>&1 &
PID=$!
trap 'rc=$?; kill $PID 2>/dev/null; wait $PID 2>/dev/null; [ -n "${BENCH_KEEP:-}" ] || rm -rf "$WORK"; exit $rc' EXIT
for _ in $(seq 450); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/_duro/health" && break; sleep 0.2; done

heap_used_mib() {
  jcmd "$PID" GC.heap_info | sed -n 's/.*total [0-9]*K, used \([0-9]*\)K.*/\1/p' | head -1 |
    awk '{ printf "%.0f", $1 / 1024 }'
}
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }

ROWS=()
total=0
round=0
started=$(date +%s)
while [ "$total" -lt "$TARGET" ]; do
  round=$((round + 1))
  result="$(BENCH_MODE=new BENCH_PREFIX="m" BENCH_RUN="r$round-" wrk -t2 -c"$CONNS" -d"${ROUND}s" \
    --timeout 10s --latency -s "$ROOT/bench/duro.lua" "http://127.0.0.1:$PORT" | grep '^RESULT')"
  kill -0 "$PID" 2>/dev/null || { echo "the node died in round $round" >&2; tail -20 "$WORK/node.log" >&2; exit 1; }
  ok="$(field "$result" ok)"
  total=$((total + ok))
  rps="$(awk -v r="$(field "$result" requests)" -v d="$(field "$result" duration_us)" 'BEGIN { printf "%.0f", r / (d / 1e6) }')"
  threads="$(awk '/^Threads:/{print $2}' "/proc/$PID/status")"
  ROWS+=("| $round | $total | $rps | $(ms "$(field "$result" p50_us)") | $(ms "$(field "$result" p99_us)") | $(ms "$(field "$result" max_us)") | $(( $(field "$result" non2xx) + $(field "$result" sockerr) )) | $(heap_used_mib) | $threads |")
  echo "${ROWS[-1]}" >&2
done
elapsed=$(( $(date +%s) - started ))

# A sample of the objects: each was incremented once (from the first round and the last; each
# round's 10th and 20th object of each wrk thread, long answered when the round ended).
bad=0
for name in mr1-1-10 mr1-2-20 "mr$round-1-10" "mr$round-2-20"; do
  v="$(curl -sf "http://127.0.0.1:$PORT/counter/$name" | sed -n 's/.*"value":\([0-9]*\).*/\1/p')"
  [ "$v" = 1 ] || { echo "object $name reads '$v', expected 1" >&2; bad=$((bad + 1)); }
done
oom="$(grep -c OutOfMemoryError "$WORK/node.log" || true)"
jcmd "$PID" GC.run >/dev/null
{
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(java -version 2>&1 | head -1);" \
    "node $NODE_OPTS, idle timeout $IDLE; new objects (one increment each) at $CONNS connections in" \
    "rounds of ${ROUND}s: $total objects in ${elapsed}s. Heap = in use at the end of the round (MiB)."
  echo
  echo "| round | objects so far | req/s | p50 ms | p99 ms | max ms | errors | heap MiB | threads |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "After a full GC at the end: $(heap_used_mib) MiB in use. OutOfMemoryError in the log: $oom." \
    "Sampled objects with a wrong count: $bad of 4."
} | tee "${OUT:-/dev/null}"
[ "$oom" = 0 ] && [ "$bad" = 0 ]
