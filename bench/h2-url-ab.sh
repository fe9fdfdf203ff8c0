#!/usr/bin/env bash
# A/B of H2 URL settings for the embedded journal: for each argument (a suffix appended to the
# default H2 URL, e.g. ";PAGE_SIZE=1024"; "" for the default), starts a node on a fresh data
# directory, puts 30 s of spread increments (64 connections) and 10 s of hot increments on it,
# then measures spread-inc at 64 connections and hot-inc at 16 for 20 s each. Prints requests,
# p50/p99 (µs) and the node's CPU clock ticks per case. Run the variants in one invocation so
# they share the machine's state; repeat to see the noise.
#
#   bench/h2-url-ab.sh "" ";PAGE_SIZE=1024"
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JAR="${BENCH_JAR:-$ROOT/node/target/duro-node.jar}"
PORT="${BENCH_PORT:-18601}"
command -v wrk >/dev/null || { echo "wrk is needed (bench/run.sh installs it)" >&2; exit 1; }
[ -f "$JAR" ] || { echo "no jar at $JAR (mvn -q package -DskipTests)" >&2; exit 1; }

summary() { sed -E 's/.*requests=([0-9]+).*p50_us=([0-9]+) p99_us=([0-9]+).*/req=\1 p50=\2 p99=\3/'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
load() { # connections seconds BENCH_* assignments...
  local c="$1" s="$2"
  shift 2
  (cd "$ROOT/bench" && env "$@" wrk -t2 -c"$c" -d"${s}s" --latency -s duro.lua \
    "http://127.0.0.1:$PORT" | grep '^RESULT')
}

for variant in "$@"; do
  dir="$(mktemp -d /tmp/duro-h2ab.XXXXXX)"
  url="jdbc:h2:file:$dir/data/duro;WRITE_DELAY=0;DB_CLOSE_ON_EXIT=FALSE$variant"
  java -Xmx2g "-Dpekko-persistence-jdbc.shared-databases.duro.db.url=$url" -jar "$JAR" \
    --port "$PORT" --data-dir "$dir/data" >"$dir/node.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 90); do curl -sf "http://127.0.0.1:$PORT/_duro/health" >/dev/null && break; sleep 1; done
  load 64 30 BENCH_MODE=spread BENCH_PREFIX=w BENCH_OBJECTS=10000 >/dev/null
  load 16 10 BENCH_MODE=post BENCH_PATH=/counter/hot/increment >/dev/null
  c0="$(ticks "$pid")"
  spread="$(load 64 20 BENCH_MODE=spread BENCH_PREFIX=w BENCH_OBJECTS=10000 | summary)"
  c1="$(ticks "$pid")"
  hot="$(load 16 20 BENCH_MODE=post BENCH_PATH=/counter/hot/increment | summary)"
  c2="$(ticks "$pid")"
  echo "variant '$variant'"
  echo "  spread-inc@64: $spread cpu_ticks=$((c1 - c0))"
  echo "  hot-inc@16:    $hot cpu_ticks=$((c2 - c1))"
  kill "$pid"
  wait "$pid" 2>/dev/null
  rm -rf "$dir"
done
