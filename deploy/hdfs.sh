#!/usr/bin/env bash
# Hadoop's filesystem shell from the assembled jars (no Hadoop installation needed):
#   deploy/hdfs.sh -fs "$HDFS_URL" -mkdir -p /data    (-put creates no parent directories)
#   deploy/hdfs.sh -fs "$HDFS_URL" -put /usr/share/datasets/fashion-mnist /data/fashion-mnist
#   deploy/hdfs.sh -ls hdfs://namenode:8020/runs
# Uses $HADOOP_CONF_DIR when set, else deploy/conf/hadoop.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JARS="$ROOT/deploy/target/spark-home/jars"
[[ -d "$JARS" ]] || { echo "hdfs.sh: not built; run: (cd '$ROOT' && mvn -B -DskipTests package)" >&2; exit 2; }
CONF="${HADOOP_CONF_DIR:-$ROOT/deploy/conf/hadoop}"
source "$ROOT/deploy/conf/jvm-options.sh"
exec "${JAVA_HOME:+$JAVA_HOME/bin/}java" "${TRIBUTARY_LIGHT_JVM[@]}" -Xmx512m \
  -Dlog4j2.configurationFile="$ROOT/deploy/conf/log4j2.properties" \
  -cp "$CONF:$JARS/*" org.apache.hadoop.fs.FsShell "$@"
