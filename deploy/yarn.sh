#!/usr/bin/env bash
# YARN's command-line client from the assembled jars (no Hadoop installation needed), for the
# subcommands an application's user needs:
#   deploy/yarn.sh application -status APPLICATION_ID     (state, final status, diagnostics)
#   deploy/yarn.sh application -list -appStates ALL
#   deploy/yarn.sh logs -applicationId APPLICATION_ID     (every container's logs, once aggregated)
#   deploy/yarn.sh node -list
# Uses $HADOOP_CONF_DIR (or $YARN_CONF_DIR): the cluster's client configuration.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Hadoop's shaded client jars and the minicluster's, which holds classes (a JSON library) that the
# client's log reader needs and the client jars lack.
JARS="$ROOT/deploy/target/hdfs/jars"
[[ -d "$JARS" ]] || { echo "yarn.sh: not built; run: (cd '$ROOT' && mvn -B -DskipTests package)" >&2; exit 2; }
CONF="${HADOOP_CONF_DIR:-${YARN_CONF_DIR:-}}"
[[ -n "$CONF" ]] || { echo "yarn.sh: set HADOOP_CONF_DIR to the directory of the cluster's client configuration" >&2; exit 2; }
case "${1:-}" in
  application|applicationattempt|container) class=org.apache.hadoop.yarn.client.cli.ApplicationCLI ;;
  logs) class=org.apache.hadoop.yarn.client.cli.LogsCLI; shift ;;
  node) class=org.apache.hadoop.yarn.client.cli.NodeCLI; shift ;;
  *) echo "usage: deploy/yarn.sh application|applicationattempt|container|logs|node ARGS" >&2; exit 2 ;;
esac
source "$ROOT/deploy/conf/jvm-options.sh"
client() {
  "${JAVA_HOME:+$JAVA_HOME/bin/}java" "${TRIBUTARY_LIGHT_JVM[@]}" -Xmx512m -Dlog4j2.configurationFile="$ROOT/deploy/conf/log4j2.properties" \
    -cp "$CONF:$JARS/*" "$class" "$@"
}
[[ "$class" == *LogsCLI ]] || { client "$@"; exit; }
# An application's logs reach HDFS a few seconds after it ends: until then, wait (up to 60 s).
for attempt in $(seq 1 30); do
  err="$(mktemp)"
  status=0
  client "$@" 2> "$err" || status=$?
  if (( status == 0 )) || ! grep -q "aggregation has not completed\|Can not find" "$err" || (( attempt == 30 )); then
    cat "$err" >&2
    rm -f "$err"
    exit "$status"
  fi
  rm -f "$err"
  sleep 2
done
