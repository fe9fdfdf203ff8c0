#!/usr/bin/env bash
# JMH microbenchmarks of the storage engine (modules/storage/src/jmh): get, put + end of turn,
# list of 100, value encode/decode, at 1,000 and 100,000 keys per object. Kept out of the
# Maven build and its tests: this script builds the storage module, compiles the benchmarks
# with JMH's annotation processor and runs them. Extra arguments go to JMH (e.g. -f 1 -wi 1 -i 2).
#
#   bench/storage-jmh.sh [JMH options]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
JMH_VERSION=1.37
M2="${MAVEN_REPO:-$HOME/.m2/repository}"
WORK="$(mktemp -d /tmp/duro-jmh.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT

cd "$ROOT"
# One invocation: the storage module's classpath then names duro-api in this reactor (built
# here), not an installed artifact (the build never installs). The api module writes its own
# classpath to the same file first; the storage module's, written last, is the one kept.
mvn -B -q package -DskipTests -pl modules/storage -am \
  org.apache.maven.plugins:maven-dependency-plugin:3.6.1:build-classpath \
  -Dmdep.outputFile="$WORK/cp.txt" >&2

jar_of() { # group artifact version
  local f="$M2/$(tr . / <<<"$1")/$2/$3/$2-$3.jar"
  if [ ! -f "$f" ]; then
    # JMH is not a dependency of the build; fetch it (and what it needs) once from the registry.
    mvn -B -q dependency:get -Dartifact="$1:$2:$3" >&2
  fi
  echo "$f"
}
JMH_CP="$(jar_of org.openjdk.jmh jmh-core "$JMH_VERSION"):$(jar_of org.openjdk.jmh jmh-generator-annprocess "$JMH_VERSION"):$(jar_of net.sf.jopt-simple jopt-simple 5.0.4):$(jar_of org.apache.commons commons-math3 3.6.1)"
CP="$ROOT/modules/storage/target/classes:$(cat "$WORK/cp.txt"):$JMH_CP"

mkdir -p "$WORK/classes"
javac --release 17 -proc:full -cp "$CP" -d "$WORK/classes" \
  $(find "$ROOT/modules/storage/src/jmh/java" -name '*.java') 2>/dev/null \
  || javac --release 17 -cp "$CP" -d "$WORK/classes" $(find "$ROOT/modules/storage/src/jmh/java" -name '*.java')
java -cp "$WORK/classes:$CP" org.openjdk.jmh.Main "$@"
