#!/usr/bin/env bash
# Cost per journal row in the embedded H2 database, without the node (bench/h2/JournalRows.java):
# Pekko Persistence JDBC's H2 schema as shipped ("plugin") against the same after Duro's start-up
# change ("duro": identity cache 10,000), rows spread over many objects and on one object.
#
#   bench/h2-journal-rows.sh            # batches of 1 and 30 rows, 10,000 objects and 1
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSION="$(sed -n 's:.*<h2.version>\(.*\)</h2.version>.*:\1:p' "$ROOT/pom.xml")"
H2="${HOME}/.m2/repository/com/h2database/h2/$VERSION/h2-$VERSION.jar"
[ -f "$H2" ] || { echo "no H2 jar in ~/.m2 (build once: mvn -q package -DskipTests)" >&2; exit 1; }
for args in "30 10000" "1 10000" "30 1"; do
  for schema in plugin duro; do
    # shellcheck disable=SC2086
    java -cp "$H2" "$ROOT/bench/h2/JournalRows.java" "$schema" $args | tail -2
  done
done
