# Sourced by up.sh --yarn (uses its STATE, JAVA, TRIBUTARY_DAEMON_OPTS, HDFS_JARS, WORKERS, NODE_MEMORY_MB, record,
# wait_for): YARN's daemons, each a JVM of its own running io.tributary.deploy.LocalYarn, on 127.0.0.1.
# The ResourceManager writes the client configuration ($STATE/hadoop-conf) and its web address
# ($STATE/yarn/rm-url); each NodeManager works in $STATE/yarn/nm-N, where its containers run, so
# down.sh finds them (and their processes) by their working directory.

# Starts the ResourceManager, then the NodeManagers, and returns once every NodeManager is active.
start_yarn() {
  local hdfs_url="$1" yarn="$STATE/yarn" cp log4j i pid
  mkdir "$yarn"
  # NodeManagers start containers with $JAVA_HOME/bin/java.
  if [[ -z "${JAVA_HOME:-}" ]]; then
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v "$JAVA")")")")"
  fi
  export JAVA_HOME
  cp="$HDFS_JARS/*:$ROOT/deploy/target/tributary-deploy-$TRIBUTARY_VERSION.jar"
  log4j="-Dlog4j2.configurationFile=$ROOT/deploy/local-cluster/log4j2-daemon.properties"
  "$JAVA" "${TRIBUTARY_DAEMON_OPTS[@]}" -Xmx512m -cp "$cp" "$log4j" io.tributary.deploy.LocalYarn resourcemanager \
    "$STATE/hadoop-conf" "$yarn/rm-url" "$hdfs_url" "$NODE_MEMORY_MB" > "$STATE/logs/resourcemanager.log" 2>&1 &
  pid=$!
  record resourcemanager "$pid"
  wait_for "the YARN ResourceManager" "$pid" test -s "$yarn/rm-url"
  for i in $(seq 1 "$WORKERS"); do
    "$JAVA" "${TRIBUTARY_DAEMON_OPTS[@]}" -Xmx384m -cp "$cp" "$log4j" io.tributary.deploy.LocalYarn nodemanager \
      "$STATE/hadoop-conf" "$yarn/nm-$i.ready" "$yarn/nm-$i" "$NODE_MEMORY_MB" > "$STATE/logs/nodemanager-$i.log" 2>&1 &
    pid=$!
    record "nodemanager-$i" "$pid"
  done
  wait_for "the YARN NodeManagers ($WORKERS)" "$pid" yarn_nodes_active "$WORKERS"
}

# True once the ResourceManager counts at least $1 active NodeManagers (its REST API).
yarn_nodes_active() {
  python3 - "$(cat "$STATE/yarn/rm-url")" "$1" <<'PY'
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/ws/v1/cluster/metrics", headers={"Accept": "application/json"})
metrics = json.load(urllib.request.urlopen(req, timeout=5))
metrics = metrics.get("clusterMetrics", metrics)  # wrapped or not, depending on the JSON provider
sys.exit(0 if metrics["activeNodes"] >= int(sys.argv[2]) else 1)
PY
}
