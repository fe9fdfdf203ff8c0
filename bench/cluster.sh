#!/usr/bin/env bash
# Duro cluster benchmarks, on this machine and the local PostgreSQL server: the cost of the cluster
# (increments spread over many objects, 3 nodes against 1 node, with the JDK baseline measured in
# the same run) and the failover time after kill -9 of a node. Prints Markdown.
#
#   bench/cluster.sh [--jar node/target/duro-node.jar] [--out results.md]
#
# Environment (all optional):
#   BENCH_CASES="throughput failover"
#   BENCH_DURATION=20        seconds measured (throughput)
#   BENCH_WARMUP=60          seconds of warm-up with the same connections (throughput); three
#                            JVMs sharing 2 cores keep compiling for about a minute
#   BENCH_CONNECTIONS=64     connections in all; with 3 nodes split over the 3 gateways (22+21+21)
#   BENCH_OBJECTS=10000      objects of the spread increments (throughput)
#   BENCH_NODE_OPTS="-Xmx512m"   JVM options of every node
#   BENCH_PLACEMENT=spread   spread: every gateway calls every object (2 in 3 requests cross
#                            nodes with 3 nodes); local: node i has region r<i> and its wrk calls
#                            only objects s<i>-0..(OBJECTS/nodes - 1), first called through its
#                            gateway, so they are placed on it: no request crosses nodes, which
#                            leaves the cost of running the nodes themselves (throughput)
#   BENCH_NODE_CONF=""       configuration lines added to every node's --config file, after
#                            deploy/postgres.conf (e.g. "jdbc-journal.parallelism = 2")
#   BENCH_KILLS=5            kill -9 of a non-seed node, this many times (failover)
#   BENCH_FAILOVER_OBJECTS=1000  objects of the steady load (failover)
#   BENCH_PROBE_OBJECTS=300  the first this many of them are probed after each kill (300 objects
#                            fall in ~95 % of the 100 shards)
#   BENCH_FAILOVER_RATE=100  increments per second of the steady load (failover)
#   BENCH_PROBE_TIMEOUT_MS=1000  a probe GET unanswered after this long is sent again (failover)
#   BENCH_LOG_DIR=DIR        keep the nodes' logs there (they are deleted with the run otherwise)
#   BENCH_PG_HOST, BENCH_PG_PORT, BENCH_PG_USER   127.0.0.1, 5432, postgres (trust auth); every
#                            cluster gets a fresh database, dropped at exit
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BENCH="$ROOT/bench"
CASES="${BENCH_CASES:-throughput failover}"
DURATION="${BENCH_DURATION:-20}"
WARMUP="${BENCH_WARMUP:-60}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
OBJECTS="${BENCH_OBJECTS:-10000}"
NODE_OPTS="${BENCH_NODE_OPTS:--Xmx512m}"
PLACEMENT="${BENCH_PLACEMENT:-spread}"
case "$PLACEMENT" in spread | local) ;; *) echo "BENCH_PLACEMENT must be spread or local" >&2; exit 2 ;; esac
KILLS="${BENCH_KILLS:-5}"
FO_OBJECTS="${BENCH_FAILOVER_OBJECTS:-1000}"
FO_RATE="${BENCH_FAILOVER_RATE:-100}"
PROBE_TIMEOUT_MS="${BENCH_PROBE_TIMEOUT_MS:-1000}"
PROBE_OBJECTS="${BENCH_PROBE_OBJECTS:-300}"
PG_HOST="${BENCH_PG_HOST:-127.0.0.1}"
PG_PORT="${BENCH_PG_PORT:-5432}"
PG_USER="${BENCH_PG_USER:-postgres}"
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
command -v psql >/dev/null || { echo "psql is needed (the cluster's journal is PostgreSQL)" >&2; exit 1; }
[ "$CONNECTIONS" -ge 3 ] || { echo "BENCH_CONNECTIONS must be at least 3" >&2; exit 2; }

if [ -z "$JAR" ]; then
  echo "building the node..." >&2
  (cd "$ROOT" && mvn -B -q -o package -DskipTests) >&2
  JAR="$ROOT/node/target/duro-node.jar"
fi
[ -f "$JAR" ] || { echo "no jar at $JAR" >&2; exit 1; }

pg() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qAt -c "$1"; }
pg_in() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$1" -qAt -c "$2"; }

WORK="$(mktemp -d /tmp/duro-cluster-bench.XXXXXX)"
PIDS=()
PG_DBS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "${BENCH_LOG_DIR:-}" ]; then
    mkdir -p "$BENCH_LOG_DIR"
    (cd "$WORK" && find . -name node.log -exec cp --parents {} "$BENCH_LOG_DIR" \;) || true
  fi
  for d in "${PG_DBS[@]:-}"; do [ -n "$d" ] && pg "DROP DATABASE IF EXISTS $d WITH (FORCE)" || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

new_database() { # name: creates duro_cbench_<name>_<pid> as CLUSTER_DB, dropped at exit
  CLUSTER_DB="duro_cbench_$1_$$"
  PG_DBS+=("$CLUSTER_DB")
  pg "CREATE DATABASE $CLUSTER_DB" >&2
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

load_average() { cut -d' ' -f1 /proc/loadavg; }

# ---- nodes --------------------------------------------------------------------------------------

# Node i: its gateway, Artery and management ports, its PID, and the Duro-Node header value of
# the objects it runs. Node 1 is the seed of its cluster.
declare -A N_PORT N_CPORT N_MGMT N_PID
CLUSTER_DB=""

# Starts node i of a cluster on CLUSTER_DB (ports kept across restarts); does not wait.
start_node() { # i seed-i
  local i="$1" seed="$2" dir="$WORK/$CLUSTER_DB/node$1"
  mkdir -p "$dir"
  if [ -z "${N_PORT[$i]:-}" ]; then
    N_PORT[$i]="$(free_port)"
    N_CPORT[$i]="$(free_port)"
    N_MGMT[$i]="$(free_port)"
  fi
  {
    printf 'include file("%s")\n' "$ROOT/deploy/postgres.conf"
    printf 'pekko-persistence-jdbc.shared-databases.duro.db.url = "jdbc:postgresql://%s:%s/%s"\n' \
      "$PG_HOST" "$PG_PORT" "$CLUSTER_DB"
    printf 'pekko-persistence-jdbc.shared-databases.duro.db.user = "%s"\n' "$PG_USER"
    printf '%s\n' "${BENCH_NODE_CONF:-}"
  } >"$dir/node.conf"
  # shellcheck disable=SC2086
  java $NODE_OPTS -jar "$JAR" --config "$dir/node.conf" --data-dir "$dir/data" \
    --port "${N_PORT[$i]}" --cluster-port "${N_CPORT[$i]}" --management-port "${N_MGMT[$i]}" \
    --seed "127.0.0.1:${N_CPORT[$seed]}" $([ "$PLACEMENT" = local ] && echo "--region r$i") \
    >>"$dir/node.log" 2>&1 &
  N_PID[$i]=$!
  PIDS+=("$!")
}

self_node() { echo "127.0.0.1:${N_CPORT[$1]}"; }

stop_node() { # i: SIGTERM, then wait for the exit
  kill "${N_PID[$1]}" 2>/dev/null || true
  wait "${N_PID[$1]}" 2>/dev/null || true
}

await_up() { # seen-by-node count: until count members are Up and none is unreachable (120 s)
  local i json up
  for ((i = 0; i < 1200; i++)); do
    json="$(curl -sf "http://127.0.0.1:${N_MGMT[$1]}/cluster/members" || true)"
    up="$(grep -o '"status":"Up"' <<<"$json" | wc -l || true)"
    if [ "$up" -eq "$2" ] && [[ "$json" == *'"unreachable":[]'* ]]; then
      return 0
    fi
    sleep 0.1
  done
  echo "the cluster never had $2 Up members: $json" >&2
  return 1
}

start_cluster() { # name nodes: a fresh database, node 1 (the seed) first, then the others
  new_database "$1"
  N_PORT=() N_CPORT=() N_MGMT=() N_PID=()
  start_node 1 1
  wait_http "http://127.0.0.1:${N_PORT[1]}/_duro/health" 120
  local i
  for ((i = 2; i <= $2; i++)); do start_node "$i" 1; done
  for ((i = 2; i <= $2; i++)); do wait_http "http://127.0.0.1:${N_PORT[$i]}/_duro/health" 120; done
  await_up 1 "$2"
}

stop_cluster() { # nodes
  local i
  for ((i = $1; i >= 1; i--)); do kill "${N_PID[$i]}" 2>/dev/null || true; done
  for ((i = $1; i >= 1; i--)); do wait "${N_PID[$i]}" 2>/dev/null || true; done
}

# Shards of the counter class on node i (Pekko Management's view of its shard region).
shards_on() { # i
  curl -sf "http://127.0.0.1:${N_MGMT[$1]}/cluster/shards/duro-io.duro.examples.Counter" |
    grep -o '"shardId"' | wc -l || true
}

# Until every node runs its share of the allocated shards (at least floor(shards / nodes)) and the
# counts stayed the same for 12 s (longer than pekko.cluster.sharding.rebalance-interval, 10 s):
# the first shards may go to the nodes that registered first, and a restarted node gets shards
# back in rebalance rounds. A shard being handed over when a node dies waits for the hand-off
# timeout (1 min), so neither a measurement nor a kill should start during a rebalance.
# Waits at most 120 s; sets SHARDS to the counts, e.g. "34 33 33".
await_settled_shards() { # nodes
  local last="" since=$SECONDS start=$SECONDS
  while [ $((SECONDS - start)) -lt 120 ]; do
    if balanced_shards "$1"; then
      [ "$SHARDS" = "$last" ] || { last="$SHARDS"; since=$SECONDS; }
      [ $((SECONDS - since)) -ge 12 ] && return 0
    else
      last=""
    fi
    sleep 1
  done
  echo "shards not settled after 120 s: $SHARDS" >&2
}

balanced_shards() { # nodes: sets SHARDS; succeeds when every node has floor(total / nodes)
  local i total min counts
  total=0 min=1000000 counts=""
  for ((i = 1; i <= $1; i++)); do
    local c
    c="$(shards_on "$i")"
    counts="$counts $c"
    total=$((total + c))
    [ "$c" -lt "$min" ] && min="$c"
  done
  SHARDS="${counts# }"
  [ "$total" -gt 0 ] && [ "$min" -ge $((total / $1)) ]
}

# CPU time (user + system, clock ticks) of processes so far; CPU per request depends much less on
# the shared machine's load than req/s.
cpu_ticks() { # pid...
  local p s=0
  for p in "$@"; do s=$((s + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$s"
}
TICK_HZ="$(getconf CLK_TCK)"

# The PostgreSQL backends of the cluster's database (the nodes' pooled connections).
db_backends() { pg "SELECT pid FROM pg_stat_activity WHERE datname = '$CLUSTER_DB'" | tr '\n' ' '; }
# Transactions committed in the database (PostgreSQL's cumulative statistics, flushed by each
# backend about once a second) and journal rows written.
db_commits() { pg "SELECT xact_commit FROM pg_stat_database WHERE datname = '$CLUSTER_DB'"; }
db_events() { pg_in "$CLUSTER_DB" "SELECT count(*) FROM event_journal"; }

# ---- counters -----------------------------------------------------------------------------------

# Reads counters <prefix>0..N-1 through the given gateways in turn (with keep-alive, 16 in
# parallel) and prints their sum, or -1 if an answer is missing (its status goes to stderr).
# The first read of a fresh cluster allocates every shard and records every placement, and may
# see a few failures on a busy machine: warm reads ignore them, counts are read again.
counter_sum() { # prefix count port...
  local prefix="$1" n="$2"
  shift 2
  local cfg="$WORK/urls.$prefix.$1"
  awk -v p="$prefix" -v n="$n" -v ports="$*" \
    'BEGIN { k = split(ports, port, " ");
             for (i = 0; i < n; i++) printf "url = \"http://127.0.0.1:%s/counter/%s%d\"\n", port[i % k + 1], p, i }' >"$cfg"
  # Parallel transfers interleave their output, but each body and each status is one write.
  curl -s --no-progress-meter --parallel --parallel-max 16 -K "$cfg" -w '\nstatus=%{http_code}\n' |
    grep -o '"value":[0-9]*\|status=[0-9]*' |
    awk -v n="$n" '
      /^"value":/ { s += substr($0, 9); got++; next }
      $0 != "status=200" { bad[$0]++ }
      END {
        if (got == n) { print s + 0; exit }
        m = ""; for (b in bad) m = m " " bad[b] "x " b
        print "read " got + 0 " of " n " counters; failed:" m > "/dev/stderr"
        print -1
      }' || echo -1
}

# counter_sum, tried up to 3 times.
counter_sum_retried() { # prefix count port...
  local s a
  for a in 1 2 3; do
    s="$(counter_sum "$@")"
    [ "$s" -ge 0 ] && break
  done
  echo "$s"
}

# The prefix and count of the objects node i's clients call: all of them (spread), or its own
# share, s<i>-0.. (local).
own_objects() { # i nodes
  if [ "$PLACEMENT" = local ]; then echo "s$1- $((OBJECTS / $2))"; else echo "s $OBJECTS"; fi
}

# The sum of the counters the throughput case increments, or -1 if one could not be read: each
# node's own objects through its gateway (spread: they are all the same, read once).
all_counters() { # nodes
  local i s t=0 readers=1
  [ "$PLACEMENT" = spread ] || readers="$1"
  for ((i = 1; i <= readers; i++)); do
    # shellcheck disable=SC2046
    s="$(counter_sum_retried $(own_objects "$i" "$1") "${N_PORT[$i]}")"
    [ "$s" -ge 0 ] || { echo -1; return; }
    t=$((t + s))
  done
  echo "$t"
}

# ---- wrk ----------------------------------------------------------------------------------------

field() { # RESULT-line key
  sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

# Runs one wrk per gateway at the same time: node i gets its share of the connections (the first
# ones get the remainder: 64 over 3 = 22+21+21). Writes $WORK/<tag>.<i>.result and .quantiles.
run_wrk_all() { # tag seconds nodes mode-assignments...
  local tag="$1" secs="$2" nodes="$3"
  shift 3
  local i conns wpids=()
  for ((i = 1; i <= nodes; i++)); do
    conns=$((CONNECTIONS / nodes + (i <= CONNECTIONS % nodes ? 1 : 0)))
    local own
    read -r -a own <<<"$(own_objects "$i" "$nodes")"
    env "$@" BENCH_PREFIX="${own[0]}" BENCH_OBJECTS="${own[1]}" BENCH_SELF_NODE="$(self_node "$i")" BENCH_QUANTILES="$WORK/$tag.$i.quantiles" \
      wrk -t"$((conns < 2 ? conns : 2))" -c"$conns" -d"${secs}s" --timeout 10s --latency \
      -s "$BENCH/duro.lua" "http://127.0.0.1:${N_PORT[$i]}" >"$WORK/$tag.$i.out" 2>&1 &
    wpids+=("$!")
  done
  for p in "${wpids[@]}"; do wait "$p"; done
  for ((i = 1; i <= nodes; i++)); do
    grep '^RESULT' "$WORK/$tag.$i.out" >"$WORK/$tag.$i.result" ||
      { echo "wrk against node $i printed no result:" >&2; cat "$WORK/$tag.$i.out" >&2; return 1; }
  done
}

sum_field() { # tag nodes key
  local i s=0
  for ((i = 1; i <= $2; i++)); do s=$((s + $(field "$(cat "$WORK/$1.$i.result")" "$3"))); done
  echo "$s"
}

max_field() { # tag nodes key
  local i m=0 v
  for ((i = 1; i <= $2; i++)); do
    v="$(field "$(cat "$WORK/$1.$i.result")" "$3")"
    [ "$v" -gt "$m" ] && m="$v"
  done
  echo "$m"
}

# Merged latency quantile (µs) of several wrk runs, from their quantile grids: the smallest
# latency x such that the runs' request-weighted share of latencies <= x reaches q. Exact to the
# grid step (0.1 percentile point, 0.01 above p99).
merged_quantile() { # q files...
  local q="$1"
  shift
  awk -v q="$q" '
    FNR == 1 { f++; n[f] = $2; total += $2; next }
    { print $2, f, $1 }' "$@" >"$WORK/q.unsorted"
  local counts
  counts="$(for f in "$@"; do head -1 "$f" | cut -d' ' -f2; done | tr '\n' ' ')"
  sort -n -k1,1 -k3,3 "$WORK/q.unsorted" | awk -v q="$q" -v counts="$counts" '
    BEGIN { k = split(counts, n, " "); for (i = 1; i <= k; i++) total += n[i] }
    {
      if (NR > 1 && $1 != x) { if (share() >= q) { print x; found = 1; exit } }
      x = $1; if ($3 / 100 > cdf[$2]) cdf[$2] = $3 / 100
    }
    END { if (!found) print x }
    function share(   s, i) { s = 0; for (i = 1; i <= k; i++) s += n[i] * cdf[i]; return s / total }'
}

ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
sec1() { awk -v m="$1" 'BEGIN { printf "%.1f", m / 1000 }'; }
per_s() { awk -v r="$1" -v d="$2" 'BEGIN { printf "%.0f", r / (d / 1e6) }'; }

ROWS=()
NOTES=()
declare -A RPS

# The baseline server runs for the whole throughput case and is measured right before each
# cluster size, so its figure is minutes old at most (the machine is shared: its load changes).
BASE_PORT=""
start_baseline() {
  mkdir -p "$WORK/baseline"
  javac -d "$WORK/baseline" "$BENCH/BaselineServer.java"
  BASE_PORT="$(free_port)"
  java -Dsun.net.httpserver.nodelay=true -cp "$WORK/baseline" BaselineServer "$BASE_PORT" 4 \
    >"$WORK/baseline.log" 2>&1 &
  BASE_PID=$!
  PIDS+=("$BASE_PID")
  wait_http "http://127.0.0.1:$BASE_PORT/" 30
}

measure_baseline() { # label nodes-measured-next
  local r cpu0 ticks
  env BENCH_MODE=get BENCH_PATH=/ wrk -t2 -c"$CONNECTIONS" -d"${WARMUP}s" --timeout 10s \
    -s "$BENCH/duro.lua" "http://127.0.0.1:$BASE_PORT" >/dev/null
  cpu0="$(cpu_ticks "$BASE_PID")"
  r="$(env BENCH_MODE=get BENCH_PATH=/ wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s \
    --latency -s "$BENCH/duro.lua" "http://127.0.0.1:$BASE_PORT" | grep '^RESULT')"
  ticks=$(($(cpu_ticks "$BASE_PID") - cpu0))
  local req dur
  req="$(field "$r" requests)"
  dur="$(field "$r" duration_us)"
  RPS[baseline]="$(per_s "$req" "$dur")"
  RPS[baseline_before_$2]="${RPS[baseline]}"
  ROWS+=("| baseline ($1) | - | $CONNECTIONS | ${RPS[baseline]} | $(ms "$(field "$r" p50_us)") | $(ms "$(field "$r" p99_us)") | $(ms "$(field "$r" max_us)") | $(awk -v t="$ticks" -v hz="$TICK_HZ" -v r="$req" 'BEGIN { printf "%.0f", t * 1e6 / hz / r }') | - | - | - | - | $(field "$r" ok) | $(($(field "$r" non2xx) + $(field "$r" sockerr))) | JDK HttpServer, constant body |")
  echo "${ROWS[-1]}" >&2
}

# Spread increments on a running cluster of `nodes` nodes; appends its rows.
measure_spread() { # nodes
  local nodes="$1" i ports=() node_pids=()
  for ((i = 1; i <= nodes; i++)); do ports+=("${N_PORT[$i]}"); node_pids+=("${N_PID[$i]}"); done
  # Warm: every object read once through every gateway, so that every object is active and every
  # node has its placement cached (the first call of an object on a node reads the directory).
  echo "  warming $OBJECTS objects through $nodes gateway(s) ($PLACEMENT)" >&2
  local readers=()
  # (local: each node's own objects, first called through its gateway, so placed in its region)
  for ((i = 2; i <= nodes; i++)); do
    # shellcheck disable=SC2046
    counter_sum $(own_objects "$i" "$nodes") "${N_PORT[$i]}" >/dev/null &
    readers+=("$!")
  done
  # shellcheck disable=SC2046
  counter_sum $(own_objects 1 "$nodes") "${N_PORT[1]}" >/dev/null
  local before
  for p in "${readers[@]:-}"; do [ -n "$p" ] && { wait "$p" || true; }; done
  await_settled_shards "$nodes"
  echo "  shards per node: $SHARDS; reading every object again (those that moved are recovered)" >&2
  before="$(all_counters "$nodes")"
  # The nodes' own CPU use without requests (cluster heartbeats and gossip, timers, GC).
  local idle0
  idle0="$(cpu_ticks "${node_pids[@]}")"
  sleep 5
  local idle=$(($(cpu_ticks "${node_pids[@]}") - idle0))
  sleep 2 # PostgreSQL's statistics are flushed about once a second per backend
  local commits0 events0 cpu0 db0 backends
  commits0="$(db_commits)"
  events0="$(db_events)"
  backends="$(db_backends)"
  # shellcheck disable=SC2086
  db0="$(cpu_ticks $backends)"
  echo "  warm-up ${WARMUP}s, then ${DURATION}s measured" >&2
  run_wrk_all "w$nodes" "$WARMUP" "$nodes" BENCH_MODE=spread BENCH_PREFIX=s BENCH_OBJECTS="$OBJECTS"
  cpu0="$(cpu_ticks "${node_pids[@]}")"
  local load0
  load0="$(load_average)"
  run_wrk_all "r$nodes" "$DURATION" "$nodes" BENCH_MODE=spread BENCH_PREFIX=s BENCH_OBJECTS="$OBJECTS"
  local ticks
  ticks=$(($(cpu_ticks "${node_pids[@]}") - cpu0))
  local after
  after="$(all_counters "$nodes")"
  sleep 2
  local commits events db
  commits=$(($(db_commits) - commits0))
  events=$(($(db_events) - events0))
  # shellcheck disable=SC2086
  db=$(($(cpu_ticks $backends) - db0))

  local t="r$nodes" req ok sent bad err remote dur rps
  req="$(sum_field "$t" "$nodes" requests)"
  ok="$(sum_field "$t" "$nodes" ok)"
  sent="$(sum_field "$t" "$nodes" sent)"
  bad="$(sum_field "$t" "$nodes" non2xx)"
  err="$(sum_field "$t" "$nodes" sockerr)"
  remote="$(sum_field "$t" "$nodes" remote)"
  dur="$(max_field "$t" "$nodes" duration_us)"
  # req/s: the sum of every wrk's own rate (they run at the same time for the same duration)
  rps=0
  for ((i = 1; i <= nodes; i++)); do
    local r1
    r1="$(cat "$WORK/$t.$i.result")"
    rps=$((rps + $(per_s "$(field "$r1" requests)" "$(field "$r1" duration_us)")))
  done
  RPS[$nodes]="$rps"
  # Counts: warm-up and measured run together (both increment the same counters).
  local ok_all=$((ok + $(sum_field "w$nodes" "$nodes" ok)))
  local sent_all=$((sent + $(sum_field "w$nodes" "$nodes" sent)))
  local req_all=$((req + $(sum_field "w$nodes" "$nodes" requests)))
  [ "$before" -ge 0 ] && [ "$after" -ge 0 ] || { echo "the counters could not be read" >&2; return 1; }
  local growth=$((after - before)) check
  if [ "$growth" -ge "$ok_all" ] && [ "$growth" -le "$sent_all" ]; then
    check="ok: +$growth, 2xx $ok_all, sent $sent_all"
  else
    check="MISMATCH: +$growth (before $before, after $after), 2xx $ok_all, sent $sent_all"
  fi
  local qfiles=()
  for ((i = 1; i <= nodes; i++)); do qfiles+=("$WORK/$t.$i.quantiles"); done
  local p50 p99 mx
  p50="$(merged_quantile 0.50 "${qfiles[@]}")"
  p99="$(merged_quantile 0.99 "${qfiles[@]}")"
  mx="$(max_field "$t" "$nodes" max_us)"
  local cpu_us db_us cross
  cpu_us="$(awk -v t="$ticks" -v hz="$TICK_HZ" -v r="$req" 'BEGIN { printf "%.0f", t * 1e6 / hz / r }')"
  # CPU per request less what the nodes use when idle over the same time.
  local idle_cores net_us
  idle_cores="$(awk -v t="$idle" -v hz="$TICK_HZ" 'BEGIN { printf "%.3f", t / hz / 5 }')"
  net_us="$(awk -v t="$ticks" -v hz="$TICK_HZ" -v i="$idle_cores" -v d="$DURATION" -v r="$req" 'BEGIN { printf "%.0f", (t / hz - i * d) * 1e6 / r }')"
  # The database's figures are over the warm-up and the measured run, per increment applied.
  db_us="$(awk -v t="$db" -v hz="$TICK_HZ" -v r="$growth" 'BEGIN { printf "%.0f", t * 1e6 / hz / (r > 0 ? r : 1) }')"
  cross="$(awk -v a="$remote" -v b="$ok" 'BEGIN { printf "%.1f %%", 100 * a / (b > 0 ? b : 1) }')"
  local label="$nodes node$([ "$nodes" -gt 1 ] && echo s)"
  ROWS+=("| spread-inc | $nodes | $CONNECTIONS | $rps | $(ms "$p50") | $(ms "$p99") | $(ms "$mx") | $cpu_us | $net_us | $db_us | $(awk -v c="$commits" -v r="$growth" 'BEGIN { printf "%.2f", c / (r > 0 ? r : 1) }') | $cross | $ok | $((bad + err)) | $check |")
  echo "${ROWS[-1]}" >&2
  if [ "$nodes" -gt 1 ]; then
    for ((i = 1; i <= nodes; i++)); do
      local r1
      r1="$(cat "$WORK/$t.$i.result")"
      ROWS+=("| ↳ gateway of node $i | | $((CONNECTIONS / nodes + (i <= CONNECTIONS % nodes ? 1 : 0))) | $(per_s "$(field "$r1" requests)" "$(field "$r1" duration_us)") | $(ms "$(field "$r1" p50_us)") | $(ms "$(field "$r1" p99_us)") | $(ms "$(field "$r1" max_us)") | | | | | $(awk -v a="$(field "$r1" remote)" -v b="$(field "$r1" ok)" 'BEGIN { printf "%.1f %%", 100 * a / (b > 0 ? b : 1) }') | $(field "$r1" ok) | $(($(field "$r1" non2xx) + $(field "$r1" sockerr))) | |")
      echo "${ROWS[-1]}" >&2
    done
  fi
  NOTES+=("$label: shards per node $SHARDS; idle node CPU $idle_cores cores; load average $load0 at the start of the measured run; $growth increments applied (warm-up + measured: $req_all answered), $events journal events, $commits PostgreSQL commits: $(awk -v c="$commits" -v s="$((WARMUP + DURATION))" 'BEGIN { printf "%.0f", c / s }') commits/s; node CPU $(awk -v t="$ticks" -v hz="$TICK_HZ" -v d="$DURATION" 'BEGIN { printf "%.2f", t / hz / d }') cores, database backends $(awk -v t="$db" -v hz="$TICK_HZ" -v d="$((WARMUP + DURATION))" 'BEGIN { printf "%.2f", t / hz / d }') cores on average.")
}

has_case() { [[ " $CASES " == *" $1 "* ]]; }

START_LOAD="$(load_average)"
START_DATE="$(date -u '+%Y-%m-%d %H:%M UTC')"

if has_case throughput; then
  start_baseline
  for n in 1 3; do
    measure_baseline "before $n node$([ "$n" -gt 1 ] && echo s)" "$n"
    echo "$n node(s) on a fresh database..." >&2
    start_cluster "n$n" "$n"
    measure_spread "$n"
    stop_cluster "$n"
  done
  kill "$BASE_PID" 2>/dev/null || true
fi

# ---- failover -----------------------------------------------------------------------------------

FO_ROWS=()
FO_TIMES=()
FO_CHECK=""
if has_case failover; then
  echo "failover: 3 nodes on a fresh database, $KILLS kills of node 3" >&2
  start_cluster failover 3
  victim="$(self_node 3)"
  coproc PROBE { exec java -Xmx256m "$BENCH/cluster/FailoverProbe.java" f "$FO_OBJECTS" "$PROBE_OBJECTS" "$FO_RATE" \
    "$PROBE_TIMEOUT_MS" "$victim" "${N_PORT[1]}" "${N_PORT[2]}" 2>"$WORK/probe.err"; }
  PIDS+=("$PROBE_PID")
  # Sends a command to the probe; its answer line goes to ANSWER (no subshell: the coprocess's
  # descriptors belong to this shell).
  ask() { # command seconds
    echo "$1" >&"${PROBE[1]}"
    read -r -t "$2" ANSWER <&"${PROBE[0]}" ||
      { echo "the probe did not answer '$1':" >&2; cat "$WORK/probe.err" >&2; return 1; }
  }
  for ((k = 1; k <= KILLS; k++)); do
    # Kill only once the shards are balanced and no rebalance runs (after a restart, the
    # coordinator moves shards back to node 3 in rebalance rounds, every 10 s).
    await_settled_shards 3
    ask where 120
    where="$ANSWER"
    on_victim="$(sed -n "s/.* $victim=\([0-9]*\).*/\1/p" <<<"$where")"
    echo "  kill $k: shards per node $SHARDS; $where" >&2
    load_k="$(load_average)"
    kill -9 "${N_PID[3]}"
    killed_at="$(date +%s%N)"
    wait "${N_PID[3]}" 2>/dev/null || true
    ask "killed $killed_at" 240
    r="$ANSWER"
    echo "  kill $k: $r" >&2
    ms_all="$(field "$r" ms)"
    FO_TIMES+=("$ms_all")
    FO_ROWS+=("| $k | $load_k | $SHARDS | $(field "$r" victim_objects) of $PROBE_OBJECTS | **$(sec1 "$ms_all")** | $(sec1 "$(field "$r" victim_ms)") | $(sec1 "$(field "$r" others_ms)") | $(field "$r" moved) | $(field "$r" unanswered) | $(field "$r" load_failed) |")
    # Restart the victim with the same ports and wait until it is Up.
    start_node 3 1
    wait_http "http://127.0.0.1:${N_PORT[3]}/_duro/health" 120
    await_up 1 3
  done
  ask stop 300
  FO_CHECK="$ANSWER"
  stop_cluster 3
fi

# ---- report -------------------------------------------------------------------------------------

{
  echo "Run $START_DATE on $(nproc) cores, $(java -version 2>&1 | head -1), load average $START_LOAD at" \
    "the start and $(load_average) at the end; journal: PostgreSQL $(pg 'show server_version') on" \
    "$PG_HOST:$PG_PORT (synchronous_commit $(pg 'show synchronous_commit'), fsync $(pg 'show fsync')), a fresh" \
    "database per cluster; nodes: $NODE_OPTS${BENCH_NODE_CONF:+, configuration added: $BENCH_NODE_CONF}."
  if has_case throughput; then
    echo
    if [ "$PLACEMENT" = local ]; then
      echo "Placement local: node i runs in region r<i>, and its gateway's wrk increments only" \
        "objects s<i>-0..$((OBJECTS / 3 - 1)) (with 1 node: s1-0..$((OBJECTS - 1))), read first" \
        "through that gateway, so each lives on the node its requests reach."
    fi
    echo "Throughput: POST /counter/s<i>/increment, i uniform in 0..$((OBJECTS - 1)), all objects warm" \
      "(read once through every gateway first); ${WARMUP}s warm-up + ${DURATION}s measured at" \
      "$CONNECTIONS connections in all (3 nodes: one wrk per gateway, at the same time). req/s of" \
      "3 nodes = the sum of the 3 wrk rates; p50/p99 merged from the 3 wrk latency distributions" \
      "(to 0.1 percentile point), max = the largest. CPU µs/req = user + system CPU of all node" \
      "processes over the measured requests; less idle = the same less what the nodes used without" \
      "requests (5 s measured just before the warm-up); DB µs/req = CPU of the database's PostgreSQL backends" \
      "and commits/req from pg_stat_database, both over the warm-up and the measured run, per" \
      "increment applied (the counters' growth); cross-node = answers whose Duro-Node header names" \
      "another node than the gateway's."
    echo
    echo "| case | nodes | conns | req/s | p50 | p99 | max | CPU µs/req | less idle | DB µs/req | commits/req | cross-node | 2xx | errors | check |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    printf '%s\n\n' "${NOTES[@]}"
    ratio="$(awk -v a="${RPS[3]}" -v b="${RPS[1]}" 'BEGIN { printf "%.2f", a / b }')"
    loss="$(awk -v a="${RPS[3]}" -v b="${RPS[1]}" 'BEGIN { printf "%.0f", 100 * (1 - a / b) }')"
    echo "**3 nodes / 1 node = $ratio** (${RPS[3]} / ${RPS[1]} req/s): loss $loss % (target ≤ 30 %:" \
      "$(awk -v l="$loss" 'BEGIN { print (l <= 30 ? "met" : "not met") }')). Each over the baseline" \
      "measured just before it: 1 node $(awk -v a="${RPS[1]}" -v b="${RPS[baseline_before_1]}" 'BEGIN { printf "%.3f", a / b }')×," \
      "3 nodes $(awk -v a="${RPS[3]}" -v b="${RPS[baseline_before_3]}" 'BEGIN { printf "%.3f", a / b }')×;" \
      "their ratio $(awk -v a="${RPS[3]}" -v b="${RPS[baseline_before_3]}" -v c="${RPS[1]}" -v d="${RPS[baseline_before_1]}" 'BEGIN { printf "%.2f", (a / b) / (c / d) }')" \
      "(the same comparison with the machine's capacity at each moment factored out)."
  fi
  if has_case failover; then
    echo
    echo "Failover: 3 nodes, a steady load of $FO_RATE increments/s over $FO_OBJECTS objects" \
      "through the gateways of nodes 1 (the seed) and 2; kill -9 of node 3 once the shards are" \
      "balanced and settled, then $PROBE_OBJECTS of the objects probed with GET through the same" \
      "gateways (a probe unanswered after ${PROBE_TIMEOUT_MS} ms is sent again) until each has" \
      "answered 2xx; failover = from the kill to the last probed object's first 2xx answer. Node 3" \
      "is restarted and Up before the next kill."
    echo
    echo "| kill | load average | shards per node (1 2 3) | probed objects on node 3 | failover s | its objects back, s | other objects, s | moved | unanswered | load increments failed |"
    echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${FO_ROWS[@]}"
    sorted=($(printf '%s\n' "${FO_TIMES[@]}" | sort -n))
    cnt=${#sorted[@]}
    echo
    echo "Failover over $cnt kills: min $(sec1 "${sorted[0]}") s, median" \
      "$(sec1 "${sorted[$((cnt / 2))]}") s, max $(sec1 "${sorted[$((cnt - 1))]}") s." \
      "Counters after all kills: ${FO_CHECK#CHECK }."
  fi
} | tee "${OUT:-/dev/null}"
