#!/usr/bin/env bash
# Writes the class-data archive that bin/tributary maps to start faster (deploy/conf/class-archive.sh;
# docs/performance.md, "Start-up"): one short local training run (2,000 examples, one epoch) whose JVM
# records the classes it loaded as it exits. deploy/setup.sh runs it after the build; run it again after
# rebuilding (a rebuilt jar makes the archive of the previous build unusable, and this deletes it).
# Does nothing when this build's archive is there.
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
archive="$(class_archive_path)"
if [[ -z "$archive" ]]; then
  echo "class-archive: cannot name an archive for $(command -v "$JAVA" || echo "$JAVA") (no lib/server/libjvm.so beside it);" \
    "bin/tributary runs without one" >&2
  exit 1
fi
if [[ -f "$archive" ]]; then
  echo "class-archive: this build's archive is there: $archive" >&2
  exit 0
fi
[[ -f "$DATA/train-images-idx3-ubyte.gz" ]] \
  || { echo "class-archive: $DATA has no train-images-idx3-ubyte.gz; give a directory of IDX files" >&2; exit 2; }
dir="$(dirname "$archive")"
mkdir -p "$dir"
# What killed recordings left behind.
find "$dir" -maxdepth 1 -name '.writing-*.jsa' -mmin +60 -delete 2>/dev/null || true
written="$dir/.writing-$$.jsa"
work="$(mktemp -d)"
trap 'rm -rf "$written" "$work"' EXIT
if ! TRIBUTARY_CDS_WRITE="$written" "$ROOT/bin/tributary" train --master 'local[2]' --data "file://$DATA" --epochs 1 \
    --train-examples 2000 --test-examples 500 --output "file://$work/run" > "$work/log" 2>&1 || [[ ! -s "$written" ]]; then
  echo "class-archive: the recording run failed, no archive written (bin/tributary runs without one); its log:" >&2
  tail -n 20 "$work/log" >&2
  exit 1
fi
if [[ "$(class_archive_path)" != "$archive" ]]; then
  echo "class-archive: the build changed while recording; nothing written (run it again)" >&2
  exit 1
fi
mv -f "$written" "$archive"
find "$dir" -maxdepth 1 -name 'tributary-*.jsa' ! -name "$(basename "$archive")" -delete
echo "class-archive: wrote $archive ($(du -m "$archive" | cut -f1) MB)" >&2
