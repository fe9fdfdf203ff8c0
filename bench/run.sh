#!/usr/bin/env bash
# Duro benchmarks: builds the node (or uses --jar), runs a JDK HttpServer baseline and the node on
# a fresh data directory, drives each case with wrk over loopback and prints a Markdown table.
#
#   bench/run.sh [--jar node/target/duro-node.jar] [--out results.md]
#
# Environment (all optional):
#   BENCH_DURATION=20        seconds measured per case
#   BENCH_WARMUP=5           seconds of a warm-up round (the case's own load, not measured);
#                            rounds repeat until the server's JIT compiler threads used less
#                            than BENCH_JIT_QUIET % of one core in a round, for at most
#                            BENCH_WARMUP_MAX seconds: a case measures compiled code, not the
#                            compiler (on a slow machine C2 was still compiling spread-cold's
#                            wake path at a quarter of the node's CPU after the fixed 5 s)
#   BENCH_JIT_QUIET=10       see BENCH_WARMUP
#   BENCH_WARMUP_MAX=120     see BENCH_WARMUP
#   BENCH_NODE_WARMUP=30     seconds of mixed load (hot writes, hot reads, spread writes on
#                            objects the cases do not use) after each node start, before its
#                            first case: a fresh JVM compiles its hot paths for tens of seconds
#   BENCH_CONNECTIONS="1 16 64"
#   BENCH_CASES="baseline hot-inc hot-inc-plain hot-get spread-inc spread-cold new-objects"
#                            hot-inc-plain: hot-inc driven by bench/PlainClient.java instead of
#                            wrk, whose latencies are corrected for coordinated omission (the
#                            plain client's are as each request saw them; same req/s)
#   BENCH_OBJECTS=10000      objects of the spread cases
#   BENCH_COLD_IDLE=500ms    duro.runtime.idle-timeout of the spread-cold node: most requests
#                            wake an object up to ~13,800 req/s over 10,000 objects (1s let the
#                            share fall to ~41 % once wakes got cheaper)
#   BENCH_NODE_OPTS="-Xmx2g" JVM options of the node
#   BENCH_NODE_CONF=""       configuration lines added to every node's configuration (trials,
#                            e.g. another journal URL)
#   BENCH_JFR_DIR=DIR        record a JFR profile of the node during each measured case. A
#                            recording started mid-run slowed spread-cold 3x (docs/benchmarks.md,
#                            "Where spread-cold's time goes"); for that case record from the
#                            node's start: BENCH_NODE_OPTS="-Xmx2g
#                            -XX:StartFlightRecording=filename=F,settings=profile"
#   BENCH_JFR_SETTINGS=profile  its JFR settings (a name or a .jfc file, e.g. one with a higher
#                            jdk.ObjectAllocationSample throttle for allocation profiles)
#   BENCH_JOURNAL=h2         h2 (embedded, the default) or postgres: the node's journal is then a
#                            fresh database on the local PostgreSQL server (BENCH_PG_HOST,
#                            BENCH_PG_PORT, BENCH_PG_USER: 127.0.0.1, 5432, postgres; trust
#                            auth), created for the run and dropped after it
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="$ROOT/bench"
DURATION="${BENCH_DURATION:-20}"
WARMUP="${BENCH_WARMUP:-5}"
JIT_QUIET="${BENCH_JIT_QUIET:-10}"
WARMUP_MAX="${BENCH_WARMUP_MAX:-120}"
NODE_WARMUP="${BENCH_NODE_WARMUP:-30}"
CONNECTIONS="${BENCH_CONNECTIONS:-1 16 64}"
CASES="${BENCH_CASES:-baseline hot-inc hot-inc-plain hot-get spread-inc spread-cold new-objects}"
OBJECTS="${BENCH_OBJECTS:-10000}"
COLD_IDLE="${BENCH_COLD_IDLE:-500ms}"
NODE_OPTS="${BENCH_NODE_OPTS:--Xmx2g}"
JAR=""
OUT=""

while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/p}' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

command -v wrk >/dev/null || { apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }
command -v javac >/dev/null || { echo "javac (a JDK 17) is needed" >&2; exit 1; }

if [ -z "$JAR" ]; then
  echo "building the node..." >&2
  (cd "$ROOT" && mvn -B -q -o package -DskipTests) >&2
  JAR="$ROOT/node/target/duro-node.jar"
fi
[ -f "$JAR" ] || { echo "no jar at $JAR" >&2; exit 1; }

JOURNAL="${BENCH_JOURNAL:-h2}"
PG_HOST="${BENCH_PG_HOST:-127.0.0.1}"
PG_PORT="${BENCH_PG_PORT:-5432}"
PG_USER="${BENCH_PG_USER:-postgres}"
PG_DBS=()
case "$JOURNAL" in
  h2) ;;
  postgres) command -v psql >/dev/null || { echo "BENCH_JOURNAL=postgres needs psql" >&2; exit 1; } ;;
  *) echo "BENCH_JOURNAL must be h2 or postgres, not '$JOURNAL'" >&2; exit 2 ;;
esac
pg() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qAt -c "$1"; }

WORK="$(mktemp -d /tmp/duro-bench.XXXXXX)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for d in "${PG_DBS[@]:-}"; do [ -n "$d" ] && pg "DROP DATABASE IF EXISTS $d WITH (FORCE)" || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# The journal settings of a node: none for H2 (the default); for PostgreSQL, deploy/postgres.conf
# pointed at a fresh database of its own.
journal_conf() { # node-name
  [ "$JOURNAL" = postgres ] || return 0
  local db="duro_bench_$1_$$"
  pg "CREATE DATABASE $db"
  PG_DBS+=("$db")
  printf 'include file("%s")\n' "$ROOT/deploy/postgres.conf"
  printf 'pekko-persistence-jdbc.shared-databases.duro.db.url = "jdbc:postgresql://%s:%s/%s"\n' \
    "$PG_HOST" "$PG_PORT" "$db"
  printf 'pekko-persistence-jdbc.shared-databases.duro.db.user = "%s"\n' "$PG_USER"
}

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 10000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
}

wait_http() { # url seconds
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.1
  done
  echo "timed out waiting for $1" >&2
  return 1
}

# ---- servers ------------------------------------------------------------------------------------

SERVER_PID=""
PORT=""

start_baseline() {
  mkdir -p "$WORK/baseline"
  javac -d "$WORK/baseline" "$BENCH/BaselineServer.java"
  PORT="$(free_port)"
  java -Dsun.net.httpserver.nodelay=true -cp "$WORK/baseline" BaselineServer "$PORT" 4 \
    >"$WORK/baseline.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_http "http://127.0.0.1:$PORT/" 30
}

start_node() { # name config-text
  local dir="$WORK/$1"
  mkdir -p "$dir"
  { printf '%s\n' "$2" "${BENCH_NODE_CONF:-}"; journal_conf "$1"; } >"$dir/bench.conf"
  PORT="$(free_port)"
  # shellcheck disable=SC2086
  java $NODE_OPTS -jar "$JAR" --port "$PORT" --data-dir "$dir/data" --config "$dir/bench.conf" \
    >"$dir/node.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  wait_http "http://127.0.0.1:$PORT/_duro/health" 90
}

stop_server() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

# ---- measuring ----------------------------------------------------------------------------------

# Runs wrk (or, with CLIENT=plain, bench/PlainClient.java); prints its RESULT line.
# Arguments: connections seconds, then BENCH_* assignments.
run_client() {
  local conns="$1" secs="$2"
  shift 2
  if [ "${CLIENT:-wrk}" = plain ]; then
    env "$@" java -cp "$WORK/plain" PlainClient "$PORT" "$conns" "$secs" 2>/dev/null | grep '^RESULT'
    return
  fi
  local threads=$((conns < 2 ? conns : 2))
  env "$@" wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 10s --latency \
    -s "$BENCH/duro.lua" "http://127.0.0.1:$PORT" | grep '^RESULT'
}

# Mixed load on a freshly started node, before its first case. Without it the first cases of a
# node measured the JIT: a JFR recording of hot-inc at 16 connections right after the start showed
# the C2 compiler threads using a third of the machine.
warm_node() { # spread-prefix
  [ "$NODE_WARMUP" -gt 0 ] || return 0
  local third=$(((NODE_WARMUP + 2) / 3))
  run_client 16 "$third" BENCH_MODE=post BENCH_PATH=/counter/node-warm/increment >/dev/null
  run_client 16 "$third" BENCH_MODE=get BENCH_PATH=/counter/node-warm >/dev/null
  run_client 16 "$third" BENCH_MODE=spread BENCH_PREFIX="$1" BENCH_OBJECTS="$OBJECTS" >/dev/null
}

field() { # RESULT-line key
  sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

# CPU time (user + system, in clock ticks) the process has used so far. CPU per request is far
# less sensitive to the shared machine's load than req/s.
cpu_ticks() { # pid
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}
TICK_HZ="$(getconf CLK_TCK)"

# CPU time (user + system, in clock ticks) the process's JIT compiler threads have used so far.
# A thread's name may hold spaces ("C2 CompilerThre"), so its stat is read after the ") ".
jit_ticks() { # pid
  local t name sum=0
  for t in /proc/"$1"/task/*; do
    read -r name <"$t/comm" 2>/dev/null || continue
    case "$name" in
      "C1 Compiler"*|"C2 Compiler"*)
        sum=$((sum + $(awk '{ sub(/.*\) /, ""); print $12 + $13 }' "$t/stat" 2>/dev/null || echo 0))) ;;
    esac
  done
  echo "$sum"
}

# Percent of one core used over a number of seconds, from a tick count.
core_percent() { # ticks seconds
  awk -v t="$1" -v s="$2" -v hz="$TICK_HZ" 'BEGIN { v = t * 100 / hz / s; printf "%.0f", v < 0 ? 0 : v }'
}

MAX_THREADS=0
sample_threads() { # pid file: writes the highest live thread count seen, until killed
  local max=0 t
  while kill -0 "$1" 2>/dev/null; do
    t=$(awk '/^Threads:/{print $2}' "/proc/$1/status" 2>/dev/null || echo 0)
    [ "${t:-0}" -gt "$max" ] && max=$t && echo "$max" >"$2"
    sleep 0.5
  done
}

# Warm-up rounds until the JIT is quiet, then the measured run with thread sampling (and JFR if
# asked). Sets RESULT, WARM_OK, WARM_SENT, WARMED (seconds), JIT (compilers' percent of one core
# during the measured run), MAX_THREADS. Arguments: case connections, then BENCH_* assignments.
measure() {
  local name="$1" conns="$2"
  shift 2
  local warm round=0 j0 busy
  WARM_OK=0
  WARM_SENT=0
  WARMED=0
  while :; do
    j0="$(jit_ticks "$SERVER_PID")"
    # a round of its own name: new-objects warms up on objects no other round or the run uses
    warm="$(run_client "$conns" "$WARMUP" "$@" BENCH_RUN="w$round-")"
    busy="$(core_percent $(($(jit_ticks "$SERVER_PID") - j0)) "$WARMUP")"
    WARM_OK=$((WARM_OK + $(field "$warm" ok)))
    WARM_SENT=$((WARM_SENT + $(field "$warm" sent)))
    WARMED=$((WARMED + WARMUP))
    round=$((round + 1))
    echo "$name@$conns warm-up round $round: JIT compilers $busy % of a core" >&2
    if [ "$busy" -lt "$JIT_QUIET" ] || [ "$WARMED" -ge "$WARMUP_MAX" ]; then
      break
    fi
  done
  local tfile="$WORK/threads.$name.$conns"
  echo 0 >"$tfile"
  sample_threads "$SERVER_PID" "$tfile" &
  local sampler=$!
  if [ -n "${BENCH_JFR_DIR:-}" ] && [ "$name" != baseline ]; then
    mkdir -p "$BENCH_JFR_DIR"
    jcmd "$SERVER_PID" JFR.start name="$name-$conns" settings="${BENCH_JFR_SETTINGS:-profile}" \
      filename="$BENCH_JFR_DIR/$name-$conns.jfr" >/dev/null
  fi
  local cpu0
  cpu0="$(cpu_ticks "$SERVER_PID")"
  j0="$(jit_ticks "$SERVER_PID")"
  RESULT="$(run_client "$conns" "$DURATION" "$@" BENCH_RUN=r)"
  CPU_TICKS=$(($(cpu_ticks "$SERVER_PID") - cpu0))
  JIT="$(core_percent $(($(jit_ticks "$SERVER_PID") - j0)) "$DURATION")"
  if [ -n "${BENCH_JFR_DIR:-}" ] && [ "$name" != baseline ]; then
    jcmd "$SERVER_PID" JFR.stop name="$name-$conns" >/dev/null
  fi
  kill "$sampler" 2>/dev/null || true
  wait "$sampler" 2>/dev/null || true
  MAX_THREADS="$(cat "$tfile")"
}

declare -A BASE_RPS
ROWS=()
NOTES=()

ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }

# Appends a table row. Arguments: case connections check-text
row() {
  local name="$1" conns="$2" check="$3"
  local req dur ok bad err rps ratio
  req="$(field "$RESULT" requests)"
  dur="$(field "$RESULT" duration_us)"
  ok="$(field "$RESULT" ok)"
  bad="$(field "$RESULT" non2xx)"
  err="$(field "$RESULT" sockerr)"
  rps="$(awk -v r="$req" -v d="$dur" 'BEGIN { printf "%.0f", r / (d / 1e6) }')"
  if [ "$name" = baseline ]; then
    BASE_RPS[$conns]="$rps" # the ratios of the following rows use this one
    ratio="1.00"
  elif [ -n "${BASE_RPS[$conns]:-}" ]; then
    ratio="$(awk -v a="$rps" -v b="${BASE_RPS[$conns]}" 'BEGIN { printf "%.2f", a / b }')"
  else
    ratio="-"
  fi
  local cpu_us
  cpu_us="$(awk -v t="$CPU_TICKS" -v hz="$TICK_HZ" -v r="$req" 'BEGIN { printf "%.0f", t * 1e6 / hz / (r > 0 ? r : 1) }')"
  ROWS+=("| $name | $conns | $rps | $(ms "$(field "$RESULT" p50_us)") | $(ms "$(field "$RESULT" p99_us)") | $(ms "$(field "$RESULT" max_us)") | $ratio | $cpu_us | $WARMED | $JIT | $MAX_THREADS | $ok | $((bad + err)) | $check |")
  echo "${ROWS[-1]}" >&2
}

# Little's law check of a closed-loop run: the mean latency of the client's histogram against
# connections / throughput, the most a request can have taken on average. Adds a note.
little() { # case connections: uses RESULT
  NOTES+=("$1 at $2 connections: mean latency $(ms "$(field "$RESULT" mean_us)") ms by the" \
    "client's histogram; $2 connections at its req/s allow at most $(awk -v c="$2" \
      -v r="$(field "$RESULT" requests)" -v d="$(field "$RESULT" duration_us)" \
      'BEGIN { printf "%.2f", c * d / 1000 / r }') ms.")
}

counter_value() { # name
  curl -sf "http://127.0.0.1:$PORT/counter/$1" | sed -n 's/.*"value":\([0-9]*\).*/\1/p'
}

# Sum of the counters <prefix>0..<prefix>N-1 (reads all of them, with keep-alive and parallelism).
counter_sum() { # prefix count
  local cfg="$WORK/urls.$1"
  awk -v p="$1" -v n="$2" -v port="$PORT" \
    'BEGIN { for (i = 0; i < n; i++) printf "url = \"http://127.0.0.1:%s/counter/%s%d\"\n", port, p, i }' >"$cfg"
  sum_urls "$cfg" "$2"
}

sum_urls() { # curl-config expected-count: prints the sum, fails if a response is missing
  local out
  out="$(curl -sf --no-progress-meter --parallel --parallel-max 16 -K "$1" | grep -o '"value":[0-9]*' | cut -d: -f2)"
  local n
  n="$(wc -l <<<"$out")"
  [ "$n" -eq "$2" ] || { echo "read $n of $2 counters" >&2; echo -1; return; }
  awk '{ s += $1 } END { print s + 0 }' <<<"$out"
}

# No lost and no double increments: the counters grew by at least the 2xx answers and at most the
# requests sent (a request unanswered when wrk stopped may still have been applied).
check() { # counter-delta: uses RESULT and WARM_OK/WARM_SENT
  local ok=$((WARM_OK + $(field "$RESULT" ok)))
  local sent=$((WARM_SENT + $(field "$RESULT" sent)))
  if [ "$1" -ge "$ok" ] && [ "$1" -le "$sent" ]; then
    echo "ok: +$1, 2xx $ok, sent $sent"
  else
    echo "MISMATCH: +$1, 2xx $ok, sent $sent"
  fi
}

# ---- cases --------------------------------------------------------------------------------------

has_case() { [[ " $CASES " == *" $1 "* ]]; }

# The baseline server stays up for the whole run and is measured again right before the node's
# cases at each connection count, so that every ratio compares figures taken minutes apart at
# most (the machine is shared: its load changes during a run).
BASE_PORT=""
if has_case baseline; then
  start_baseline
  BASE_PORT="$PORT"
  BASE_PID="$SERVER_PID"
fi

measure_baseline() { # connections
  [ -n "$BASE_PORT" ] || return 0
  local node_port="$PORT" node_pid="$SERVER_PID"
  PORT="$BASE_PORT"
  SERVER_PID="$BASE_PID"
  measure baseline "$1" BENCH_MODE=get BENCH_PATH=/
  row baseline "$1" "JDK HttpServer, constant body"
  PORT="$node_port"
  SERVER_PID="$node_pid"
}

if has_case hot-inc-plain; then
  mkdir -p "$WORK/plain"
  javac -d "$WORK/plain" "$BENCH/PlainClient.java"
fi

if has_case hot-inc || has_case hot-inc-plain || has_case hot-get || has_case spread-inc ||
  has_case new-objects; then
  echo "node: default idle timeout (120 s)" >&2
  start_node warm "# idle-timeout left at its default, 120s: objects stay in memory"
  warm_node xw
  for c in $CONNECTIONS; do
    measure_baseline "$c"
    if has_case hot-inc; then
      before="$(counter_value hot)"
      measure hot-inc "$c" BENCH_MODE=post BENCH_PATH=/counter/hot/increment
      after="$(counter_value hot)"
      row hot-inc "$c" "$(check $((after - before)))"
      little hot-inc "$c"
    fi
    if has_case hot-inc-plain; then
      before="$(counter_value hot)"
      CLIENT=plain measure hot-inc-plain "$c" BENCH_MODE=post BENCH_PATH=/counter/hot/increment
      after="$(counter_value hot)"
      row hot-inc-plain "$c" "$(check $((after - before))); plain client, latencies uncorrected"
      little hot-inc-plain "$c"
    fi
    if has_case hot-get; then
      measure hot-get "$c" BENCH_MODE=get BENCH_PATH=/counter/hot
      row hot-get "$c" "-"
    fi
    if has_case spread-inc; then
      # Reading every counter first also activates all objects: the case runs warm.
      before="$(counter_sum w "$OBJECTS")"
      measure spread-inc "$c" BENCH_MODE=spread BENCH_PREFIX=w BENCH_OBJECTS="$OBJECTS"
      after="$(counter_sum w "$OBJECTS")"
      row spread-inc "$c" "$(check $((after - before)))"
    fi
    if has_case new-objects; then
      measure new-objects "$c" BENCH_MODE=new BENCH_PREFIX="n$c-" BENCH_OBJECTS=0
      created=$((WARM_OK + $(field "$RESULT" ok)))
      verdict="$created objects created (2xx)"
      row new-objects "$c" "$verdict"
    fi
  done
  hot_value="$(counter_value hot || true)"
  stop_server
  if has_case hot-inc && [ -n "$hot_value" ]; then
    # Group commit at work: how many increments of the hot object each journal write carried.
    if [ "$JOURNAL" = postgres ]; then
      hot_events="$(psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "${PG_DBS[0]}" -qAt -c \
        'select max(sequence_number) from event_journal group by persistence_id order by 1 desc
         limit 1' 2>/dev/null || true)"
    else
      hot_events="$(java -cp "$JAR" org.h2.tools.Shell -url "jdbc:h2:file:$WORK/warm/data/duro" \
        -user duro -password "" -sql 'select max("sequence_number") from "event_journal"
          group by "persistence_id" order by 1 desc limit 1' 2>/dev/null | sed -n 2p || true)"
    fi
    if [ -n "$hot_events" ]; then
      NOTES+=("hot object: $hot_value increments in $hot_events journal events (one event per" \
        "journal write): $(awk -v v="$hot_value" -v e="$hot_events" 'BEGIN { printf "%.1f", v / e }')" \
        "increments per write on average over all hot-inc runs and their warm-ups.")
    fi
  fi
fi

if has_case spread-cold; then
  echo "node: idle timeout $COLD_IDLE (spread-cold)" >&2
  start_node cold "duro.runtime.idle-timeout = $COLD_IDLE"
  warm_node xc
  for c in $CONNECTIONS; do
    measure_baseline "$c"
    before="$(counter_sum c "$OBJECTS")"
    sleep 3 # let the objects that the read woke passivate again
    measure spread-cold "$c" BENCH_MODE=spread BENCH_PREFIX=c BENCH_OBJECTS="$OBJECTS"
    after="$(counter_sum c "$OBJECTS")"
    rps_cold="$(awk -v r="$(field "$RESULT" requests)" -v d="$(field "$RESULT" duration_us)" 'BEGIN { print r / (d / 1e6) }')"
    # Requests to one object are ~Poisson with rate rps/N; the object passivates after an idle gap
    # of more than the timeout T (checked every T/2), so about exp(-T*rps/N) of requests wake one.
    case "$COLD_IDLE" in # seconds, from "1s" or "500ms"
      *ms) t="$(awk -v v="${COLD_IDLE%ms}" 'BEGIN { print v / 1000 }')" ;;
      *) t="${COLD_IDLE%s}" ;;
    esac
    woke="$(awk -v t="$t" -v r="$rps_cold" -v n="$OBJECTS" 'BEGIN { printf "%.0f", 100 * exp(-t * r / n) }')"
    row spread-cold "$c" "$(check $((after - before))); ~$woke% wake a passivated object"
  done
  stop_server
fi

{
  echo "Run $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores, $(java -version 2>&1 | head -1);" \
    "journal: $([ "$JOURNAL" = postgres ] && echo "PostgreSQL $(pg 'show server_version') on $PG_HOST:$PG_PORT (synchronous_commit $(pg 'show synchronous_commit'), fsync $(pg 'show fsync'))" || echo "embedded H2 file (WRITE_DELAY=0)");" \
    "${NODE_WARMUP}s of mixed load after each node start; per case, ${WARMUP}s warm-up rounds of its own load until the server's JIT compilers used < ${JIT_QUIET} % of a core in a round (at most ${WARMUP_MAX}s; warm-up s), then ${DURATION}s measured; spread cases over $OBJECTS objects;" \
    "spread-inc with the default idle timeout (120 s, objects warm), spread-cold with" \
    "duro.runtime.idle-timeout = $COLD_IDLE. Latencies in ms; threads = the server's highest live" \
    "thread count during the case; errors = non-2xx + socket errors; × baseline = req/s over the" \
    "baseline row just above at the same connections; CPU µs/req = the server process's user +" \
    "system CPU time during the case over its requests; JIT % = its JIT compiler threads' CPU during the case, in percent of one core."
  echo
  echo "| case | conns | req/s | p50 | p99 | max | × baseline | CPU µs/req | warm-up s | JIT % | threads | 2xx | errors | check |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${ROWS[@]}"
  if [ "${#NOTES[@]}" -gt 0 ]; then
    echo
    echo "${NOTES[*]}"
  fi
} | tee "${OUT:-/dev/null}"
