# Sourced by up.sh and worker.sh: how the local cluster starts a Spark worker, in one place.
#
# start_spark_worker ID CORES MEMORY MASTER_URL
#   starts worker ID (worker-N) of the cluster in STATE in the background ($! is its pid): a light JVM
#   (TRIBUTARY_DAEMON_OPTS) on 127.0.0.1 with its work directory STATE/work/ID and its log STATE/logs/ID.log,
#   the cluster's secret and settings from STATE/conf/spark-auth.conf, and its web UI on a port it binds
#   itself (one chosen beforehand could be taken by another process before the worker binds it).
#   Needs ROOT, STATE, TRIBUTARY_SCALA_BINARY_VERSION (deploy/target/tributary.env) and
#   TRIBUTARY_DAEMON_OPTS (deploy/conf/jvm-options.sh).
start_spark_worker() {
  local id="$1" cores="$2" memory="$3" master="$4" spark_home="$ROOT/deploy/target/spark-home"
  mkdir -p "$STATE/work/$id"
  SPARK_HOME="$spark_home" SPARK_SCALA_VERSION="$TRIBUTARY_SCALA_BINARY_VERSION" \
  SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=127.0.0.1 \
    "${JAVA_HOME:+$JAVA_HOME/bin/}java" "${TRIBUTARY_DAEMON_OPTS[@]}" -Xmx512m -cp "$spark_home/jars/*" \
    -Dlog4j2.configurationFile="$ROOT/deploy/local-cluster/log4j2-daemon.properties" \
    org.apache.spark.deploy.worker.Worker --host 127.0.0.1 --cores "$cores" --memory "$memory" \
    --webui-port 0 --work-dir "$STATE/work/$id" \
    --properties-file "$STATE/conf/spark-auth.conf" "$master" > "$STATE/logs/$id.log" 2>&1 &
}
