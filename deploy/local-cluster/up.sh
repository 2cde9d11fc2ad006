#!/usr/bin/env bash
# Starts a real Spark standalone cluster and HDFS on 127.0.0.1, each daemon a JVM of its own,
# from the jars the build assembled (deploy/target/spark-home, deploy/target/hdfs): no downloads.
#
#   eval "$(deploy/local-cluster/up.sh [--workers N] [--worker-memory 3g])"
#   eval "$(deploy/local-cluster/up.sh --yarn [--workers N] [--node-memory MB])"
#
# Prints SPARK_MASTER_URL=..., HDFS_URL=..., SPARK_MASTER_UI=... on stdout once every daemon is
# healthy. RPC authentication is on, with a secret generated for this cluster (never written
# outside its state directory, mode 0600). deploy/local-cluster/down.sh stops it.
# With --yarn, HDFS and YARN instead (a ResourceManager and N NodeManagers of --node-memory MB each,
# 8192 by default, enforcing containers' physical memory): prints export HADOOP_CONF_DIR=..., HDFS_URL=...,
# YARN_RM_URL=... (the ResourceManager's web address).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${TRIBUTARY_CLUSTER_DIR:-$ROOT/deploy/target/local-cluster}"
SPARK_HOME_DIR="$ROOT/deploy/target/spark-home"
HDFS_JARS="$ROOT/deploy/target/hdfs/jars"
TIMEOUT="${TRIBUTARY_CLUSTER_TIMEOUT:-120}"
WORKERS=2
WORKER_MEMORY=3g
YARN=""
NODE_MEMORY_MB=8192

while [[ $# -gt 0 ]]; do
  case "$1" in
    --workers) WORKERS="$2"; shift 2 ;;
    --worker-memory) WORKER_MEMORY="$2"; shift 2 ;;
    --yarn) YARN=1; shift ;;
    --node-memory) NODE_MEMORY_MB="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "up.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
if ! [[ "$WORKERS" =~ ^[1-9][0-9]*$ ]]; then
  echo "up.sh: invalid value $WORKERS for --workers: must be a positive integer" >&2; exit 2
fi
if ! [[ "$NODE_MEMORY_MB" =~ ^[1-9][0-9]*$ ]] || (( NODE_MEMORY_MB < 1024 )); then
  echo "up.sh: invalid value $NODE_MEMORY_MB for --node-memory: must be a number of MB, at least 1024" >&2; exit 2
fi
if [[ ! -d "$SPARK_HOME_DIR/jars" || ! -d "$HDFS_JARS" ]]; then
  echo "up.sh: the Spark and HDFS jars are not built; run: (cd '$ROOT' && mvn -B -DskipTests package)" >&2; exit 2
fi
MARK="$STATE/.tributary-local-cluster"
if [[ -e "$STATE" || -L "$STATE" ]]; then
  if [[ -L "$STATE" || ! -f "$MARK" || -L "$MARK" ]]; then
    echo "up.sh: $STATE exists and was not made by up.sh; set TRIBUTARY_CLUSTER_DIR to a path that does not exist yet" >&2; exit 2
  fi
  echo "up.sh: a local cluster is already running (state in $STATE); stop it with deploy/local-cluster/down.sh" >&2; exit 2
fi

source "$ROOT/deploy/target/tributary.env"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
source "$ROOT/deploy/conf/jvm-options.sh"

# The state directory is made here, private, and marked: down.sh deletes only a marked directory.
mkdir -p "$(dirname "$STATE")"
mkdir -m 700 "$STATE" || { echo "up.sh: cannot create $STATE" >&2; exit 2; }
echo "made by deploy/local-cluster/up.sh; deploy/local-cluster/down.sh deletes this directory" > "$MARK"
mkdir "$STATE"/{logs,work,events,conf}
: > "$STATE/pids"

# Records a daemon as "PID NAME START-TIME": down.sh signals a PID only while its start time (field 22
# of /proc/PID/stat) is still the recorded one, since PIDs are reused.
record() {
  local stat
  stat="$(cat "/proc/$2/stat" 2>/dev/null)" || stat=""  # gone already: wait_for reports it
  stat="${stat##*) }"
  echo "$2 $1 $(cut -d' ' -f20 <<< "$stat")" >> "$STATE/pids"
}

fail() {
  echo "up.sh: $*" >&2
  local keep
  keep="$(mktemp -d "${TMPDIR:-/tmp}/tributary-cluster-logs.XXXXXX")"
  echo "up.sh: stopping what was started" >&2
  TRIBUTARY_KEEP_CLUSTER_LOGS="$keep" "$ROOT/deploy/local-cluster/down.sh" >&2 || true
  echo "up.sh: the daemons' logs are kept in $keep/logs" >&2
  exit 1
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Wait until CMD succeeds, or fail after TIMEOUT seconds (or at once if the process died).
wait_for() {
  local what="$1" pid="$2"; shift 2
  local deadline=$((SECONDS + TIMEOUT))
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || fail "$what exited during start-up"
    (( SECONDS < deadline )) || fail "$what not healthy after ${TIMEOUT}s"
    sleep 1
  done
}

HDFS_READY="$STATE/hdfs-url"
# start_hdfs [PORT]: the NameNode on PORT, or on a free port it chooses.
start_hdfs() {
  "$JAVA" "${TRIBUTARY_DAEMON_OPTS[@]}" -Xmx768m -cp "$HDFS_JARS/*:$ROOT/deploy/target/tributary-deploy-$TRIBUTARY_VERSION.jar" \
    -Dlog4j2.configurationFile="$ROOT/deploy/local-cluster/log4j2-daemon.properties" \
    io.tributary.deploy.LocalHdfs "$STATE/hdfs" "$HDFS_READY" "$@" > "$STATE/logs/hdfs.log" 2>&1 &
  HDFS_PID=$!
  record hdfs "$HDFS_PID"
}

if [[ -n "$YARN" ]]; then
  source "$ROOT/deploy/local-cluster/yarn.sh"
  # YARN's daemons only need HDFS's address to start, so they start while HDFS does.
  hdfs_port="$(free_port)"
  start_hdfs "$hdfs_port"
  start_yarn "hdfs://127.0.0.1:$hdfs_port"
  wait_for "HDFS" "$HDFS_PID" test -s "$HDFS_READY"
  # Exported: the Hadoop and Spark clients started from that shell read it.
  echo "export HADOOP_CONF_DIR=$STATE/hadoop-conf"
  echo "HDFS_URL=$(cat "$HDFS_READY")"
  echo "YARN_RM_URL=$(cat "$STATE/yarn/rm-url")"
  exit 0
fi

MASTER_PORT="$(free_port)"
MASTER_UI_PORT="$(free_port)"
SECRET="$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
umask 077
cat > "$STATE/conf/spark-auth.conf" <<CONF
# Generated by up.sh for this cluster only. Readable by its owner alone.
spark.authenticate=true
spark.authenticate.secret=$SECRET
spark.network.crypto.enabled=true
spark.io.encryption.enabled=${TRIBUTARY_IO_ENCRYPTION:-false}
spark.ui.reverseProxy=false
spark.eventLog.enabled=true
spark.eventLog.dir=file://$STATE/events
spark.hadoop.dfs.replication=1
spark.driver.host=127.0.0.1
spark.driver.bindAddress=127.0.0.1
CONF
umask 022
echo "spark://127.0.0.1:$MASTER_PORT" > "$STATE/master-url"

export SPARK_HOME="$SPARK_HOME_DIR"
export SPARK_SCALA_VERSION="$TRIBUTARY_SCALA_BINARY_VERSION"
export SPARK_LOCAL_IP=127.0.0.1
export SPARK_LOCAL_HOSTNAME=127.0.0.1

"$JAVA" "${TRIBUTARY_DAEMON_OPTS[@]}" -Xmx512m -cp "$SPARK_HOME/jars/*" \
  -Dlog4j2.configurationFile="$ROOT/deploy/local-cluster/log4j2-daemon.properties" \
  org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$MASTER_PORT" --webui-port "$MASTER_UI_PORT" \
  --properties-file "$STATE/conf/spark-auth.conf" > "$STATE/logs/master.log" 2>&1 &
MASTER_PID=$!
record master "$MASTER_PID"

start_hdfs

master_alive() {
  python3 - "$MASTER_UI_PORT" "$1" <<'PY'
import json, sys, urllib.request
status = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/json/", timeout=5))
sys.exit(0 if status.get("status") == "ALIVE" and status.get("aliveworkers", 0) >= int(sys.argv[2]) else 1)
PY
}
wait_for "the Spark master" "$MASTER_PID" master_alive 0

source "$ROOT/deploy/local-cluster/spark-worker.sh"
for i in $(seq 1 "$WORKERS"); do
  start_spark_worker "worker-$i" 1 "$WORKER_MEMORY" "spark://127.0.0.1:$MASTER_PORT"
  LAST_WORKER_PID=$!
  record "worker-$i" "$LAST_WORKER_PID"
done
wait_for "the Spark workers ($WORKERS)" "$LAST_WORKER_PID" master_alive "$WORKERS"
wait_for "HDFS" "$HDFS_PID" test -s "$HDFS_READY"

echo "SPARK_MASTER_URL=spark://127.0.0.1:$MASTER_PORT"
echo "HDFS_URL=$(cat "$HDFS_READY")"
echo "SPARK_MASTER_UI=http://127.0.0.1:$MASTER_UI_PORT"
