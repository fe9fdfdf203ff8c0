#!/usr/bin/env bash
# A 3-node Duro cluster on this machine, sharing one database of the local PostgreSQL server.
#
#   deploy/local-cluster.sh start    build nothing; start 3 nodes from node/target/duro-node.jar
#   deploy/local-cluster.sh status   which nodes run, their cluster membership
#   deploy/local-cluster.sh stop     graceful stop (SIGTERM) of the nodes this script started
#
# Nodes (all on 127.0.0.1):   gateway  cluster (Artery)  management
#   node1 (the seed)          8081     25521             8551
#   node2                     8082     25522             8552
#   node3                     8083     25523             8553
#
# Environment: DURO_DB_URL (default jdbc:postgresql://127.0.0.1:5432/duro_local), DURO_DB_USER
# (default postgres), DURO_DB_PASSWORD, DURO_JAR, DURO_CLUSTER_DIR (pid files, logs, default
# ./duro-local-cluster). The database is created if missing (needs psql).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
jar="${DURO_JAR:-$root/node/target/duro-node.jar}"
dir="${DURO_CLUSTER_DIR:-$PWD/duro-local-cluster}"
export DURO_DB_URL="${DURO_DB_URL:-jdbc:postgresql://127.0.0.1:5432/duro_local}"
export DURO_DB_USER="${DURO_DB_USER:-postgres}"
export DURO_DB_PASSWORD="${DURO_DB_PASSWORD:-}"

gateway_port() { echo $((8080 + $1)); }
cluster_port() { echo $((25520 + $1)); }
management_port() { echo $((8550 + $1)); }

running() { # node number -> 0 if its recorded pid is alive
  local pidfile="$dir/node$1.pid"
  [[ -f "$pidfile" ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

create_database() {
  command -v psql >/dev/null || return 0
  local rest="${DURO_DB_URL#jdbc:postgresql://}"
  local hostport="${rest%%/*}" name="${rest#*/}"
  name="${name%%\?*}"
  local host="${hostport%%:*}" port="${hostport##*:}"
  [[ "$port" == "$hostport" ]] && port=5432
  if ! PGPASSWORD="$DURO_DB_PASSWORD" psql -h "$host" -p "$port" -U "$DURO_DB_USER" -d postgres \
      -Atc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1; then
    PGPASSWORD="$DURO_DB_PASSWORD" psql -h "$host" -p "$port" -U "$DURO_DB_USER" -d postgres \
      -qc "CREATE DATABASE \"$name\""
    echo "created database $name"
  fi
}

start() {
  [[ -f "$jar" ]] || { echo "no $jar: build it first (mvn -B -o package)" >&2; exit 1; }
  mkdir -p "$dir"
  create_database
  for n in 1 2 3; do
    if running "$n"; then echo "node$n already runs (pid $(cat "$dir/node$n.pid"))"; continue; fi
    java -Xmx512m -jar "$jar" \
      --config "$here/postgres.conf" \
      --port "$(gateway_port "$n")" \
      --cluster-port "$(cluster_port "$n")" \
      --management-port "$(management_port "$n")" \
      --seed "127.0.0.1:$(cluster_port 1)" \
      --region local \
      --data-dir "$dir/data$n" \
      >"$dir/node$n.log" 2>&1 &
    echo $! >"$dir/node$n.pid"
    echo "node$n started (pid $!), gateway http://127.0.0.1:$(gateway_port "$n"), log $dir/node$n.log"
    if [[ $n == 1 ]]; then
      # The seed forms the cluster; the others join it.
      for _ in $(seq 1 120); do
        curl -sf "http://127.0.0.1:$(gateway_port 1)/_duro/health" >/dev/null && break
        running 1 || { echo "node1 exited:"; tail -5 "$dir/node1.log"; exit 1; }
        sleep 0.5
      done
    fi
  done
}

status() {
  for n in 1 2 3; do
    if running "$n"; then
      local health
      health="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(gateway_port "$n")/_duro/health" || true)"
      echo "node$n: running (pid $(cat "$dir/node$n.pid")), gateway :$(gateway_port "$n") health $health"
    else
      echo "node$n: stopped"
    fi
  done
  for n in 1 2 3; do
    if running "$n"; then
      echo "members seen by node$n:"
      curl -s "http://127.0.0.1:$(management_port "$n")/cluster/members" || true
      echo
      return 0
    fi
  done
}

stop() {
  for n in 3 2 1; do
    if running "$n"; then
      kill -TERM "$(cat "$dir/node$n.pid")"
      echo "node$n: SIGTERM sent (graceful leave)"
    fi
  done
  for n in 3 2 1; do
    for _ in $(seq 1 60); do running "$n" || break; sleep 0.5; done
    if running "$n"; then echo "node$n still runs after 30 s" >&2; else rm -f "$dir/node$n.pid"; fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
