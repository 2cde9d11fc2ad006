#!/usr/bin/env bash
# Writes the class-data archives that Tributary's JVMs map to start faster (deploy/conf/class-archive.sh;
# docs/performance.md, "Start-up"): bin/tributary's, and the one of deploy/submit.sh's driver and the
# local cluster's executors. Each is one short local training run (2,000 examples, one epoch) whose JVM
# records the classes it loaded as it exits. deploy/setup.sh runs it after the build; run it again after
# rebuilding (a rebuilt jar makes the archives of the previous build unusable, and this deletes them).
# Does nothing for an archive of this build that is there.
#   deploy/class-archive.sh [IDX-DATA-DIR, default /usr/share/datasets/fashion-mnist]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${1:-/usr/share/datasets/fashion-mnist}"
ENV_FILE="$ROOT/deploy/target/tributary.env"
[[ -f "$ENV_FILE" ]] || { echo "class-archive: not built; run: (cd '$ROOT' && mvn -B -DskipTests package)" >&2; exit 2; }
# shellcheck source=/dev/null
source "$ENV_FILE"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
SPARK_JARS="$ROOT/deploy/target/spark-home/jars"
JAR="$ROOT/$TRIBUTARY_JAR"
[[ -f "$JAR" ]] || { echo "class-archive: $JAR is missing; run: (cd '$ROOT' && mvn -B -DskipTests package)" >&2; exit 2; }
# shellcheck source=conf/class-archive.sh
source "$ROOT/deploy/conf/class-archive.sh"
[[ -f "$DATA/train-images-idx3-ubyte.gz" ]] \
  || { echo "class-archive: $DATA has no train-images-idx3-ubyte.gz; give a directory of IDX files" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# record KIND COMMAND...: runs COMMAND (a short training run) with TRIBUTARY_CDS_WRITE set, and puts the
# archive its JVM wrote in place of KIND's, deleting that kind's archives of earlier builds.
record() {
  local kind="$1" archive dir written
  shift
  archive="$(class_archive_path "$kind")"
  if [[ -z "$archive" ]]; then
    echo "class-archive: cannot name an archive for $(command -v "$JAVA" || echo "$JAVA") (no lib/server/libjvm.so beside it);" \
      "Tributary's JVMs run without one" >&2
    return 1
  fi
  if [[ -f "$archive" ]]; then
    echo "class-archive: this build's archive is there: $archive" >&2
    return 0
  fi
  dir="$(dirname "$archive")"
  mkdir -p "$dir"
  # What killed recordings left behind.
  find "$dir" -maxdepth 1 -name '.writing-*.jsa' -mmin +60 -delete 2>/dev/null || true
  written="$dir/.writing-$$-${kind:-launcher}.jsa"
  rm -rf "$work/run"
  if ! TRIBUTARY_CDS_WRITE="$written" "$@" train --master 'local[2]' --data "file://$DATA" --epochs 1 \
      --train-examples 2000 --test-examples 500 --output "file://$work/run" > "$work/log" 2>&1 || [[ ! -s "$written" ]]; then
    rm -f "$written"
    echo "class-archive: the recording run ($*) failed, no archive written (it runs without one); its log:" >&2
    tail -n 20 "$work/log" >&2
    return 1
  fi
  if [[ "$(class_archive_path "$kind")" != "$archive" ]]; then
    rm -f "$written"
    echo "class-archive: the build changed while recording; nothing written (run it again)" >&2
    return 1
  fi
  mv -f "$written" "$archive"
  find "$dir" -maxdepth 1 -name "tributary-${kind:+$kind-}????????????????.jsa" ! -name "$(basename "$archive")" -delete
  echo "class-archive: wrote $archive ($(du -m "$archive" | cut -f1) MB)" >&2
}

# bin/tributary's, then the one of submit.sh's driver and the local cluster's executors.
status=0
record "" "$ROOT/bin/tributary" || status=1
# submit.sh's own SparkSubmit (no Spark installation), and the classpath the local cluster's executors
# have (no Hadoop configuration directories after the jars).
record cluster env -u SPARK_HOME -u HADOOP_CONF_DIR -u YARN_CONF_DIR "$ROOT/deploy/submit.sh" --master 'local[2]' -- \
  || status=1
exit "$status"
