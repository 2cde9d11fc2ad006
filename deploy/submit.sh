#!/usr/bin/env bash
# Submits Tributary to a Spark cluster with the settings it needs on every cluster.
#
#   deploy/submit.sh [spark-submit options] -- [tributary options]
#
# Everything before "--" goes to spark-submit (--master, --deploy-mode, --conf, --keytab ...);
# everything after it to tributary. Without a subcommand, "train" is assumed:
#   deploy/submit.sh --master spark://host:7077 -- --data hdfs://nn/mnist --output hdfs://nn/runs/r1
#   deploy/submit.sh --master spark://host:7077 -- retrain --registry hdfs://nn/registry --data hdfs://nn/mnist
#   deploy/submit.sh --print-properties    # the settings below as a spark-submit properties file
# Uses $SPARK_HOME/bin/spark-submit when SPARK_HOME names a Spark installation, otherwise Spark's
# SparkSubmit class from the jars the build assembled (deploy/target/spark-home).
set -euo pipefail
TRIBUTARY_COMMAND_STARTED_NS="$(date +%s%N)"   # for the run's start-up times (see bin/tributary)
export TRIBUTARY_COMMAND_STARTED_NS
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ENV_FILE="$ROOT/deploy/target/tributary.env"
[[ -f "$ENV_FILE" ]] || { echo "submit.sh: not built; run: (cd '$ROOT' && mvn -B -DskipTests package)" >&2; exit 2; }
source "$ENV_FILE"
# TRIBUTARY_APP_JAR selects another build of the application jar, e.g. the -Pcuda one.
JAR="${TRIBUTARY_APP_JAR:-$ROOT/$TRIBUTARY_JAR}"
[[ -f "$JAR" ]] || { echo "submit.sh: $JAR is missing; run: (cd '$ROOT' && mvn -B -DskipTests package)" >&2; exit 2; }

# --print-properties: print the Spark settings this script passes, as a properties file for
# spark-submit --properties-file (schedulers that run spark-submit themselves, e.g. Airflow's
# SparkSubmitOperator, use it), with the main class and jar as comments; then exit.
print_properties=""
if [[ "${1:-}" == "--print-properties" ]]; then print_properties=1; shift; fi

submit_args=()
while [[ $# -gt 0 && "$1" != "--" ]]; do submit_args+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
app_args=("$@")
case "${app_args[0]:-}" in
  train|evaluate|predict|convert|config|retrain|registry|bench|doctor|-h|--help|-V|--version) ;;
  *) app_args=(train "${app_args[@]}") ;;
esac

master=""
deploy_mode=client
# The client-mode driver below is this script's JVM, started before SparkSubmit reads its options: the
# driver's memory and Java options given to spark-submit (flags, --conf or a properties file) are
# applied to that JVM here, as Spark's own launcher does.
driver_memory="${TRIBUTARY_DRIVER_MEMORY:-}"
driver_java_options=()
for ((i = 0; i < ${#submit_args[@]}; i++)); do
  a="${submit_args[$i]}"; next="${submit_args[$((i + 1))]:-}"
  case "$a" in
    --master) master="$next" ;;
    --deploy-mode) deploy_mode="$next" ;;
    --driver-memory) driver_memory="$next" ;;
    --driver-memory=*) driver_memory="${a#--driver-memory=}" ;;
    --driver-java-options) read -r -a driver_java_options <<< "$next" ;;
    --conf)
      [[ "$next" == spark.driver.memory=* ]] && driver_memory="${next#spark.driver.memory=}"
      [[ "$next" == spark.submit.deployMode=* ]] && deploy_mode="${next#spark.submit.deployMode=}" ;;
    --properties-file)
      if [[ -f "$next" ]]; then
        from_file="$(sed -n 's/^[[:space:]]*spark\.driver\.memory[[:space:]=]\{1,\}\([^[:space:]]*\).*/\1/p' "$next" | tail -n1)"
        [[ -n "$from_file" && -z "${TRIBUTARY_DRIVER_MEMORY:-}" ]] && driver_memory="$from_file"
      fi ;;
  esac
done

STATE="${TRIBUTARY_CLUSTER_DIR:-$ROOT/deploy/target/local-cluster}"
source "$ROOT/deploy/conf/jvm-options.sh"
SPARK_JARS="$ROOT/deploy/target/spark-home/jars"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# The local standalone cluster, or the local YARN (deploy/local-cluster/up.sh [--yarn]): their JVMs run
# on this machine, from this checkout's files.
local_cluster=""
if [[ -n "$master" && -f "$STATE/master-url" && "$master" == "$(cat "$STATE/master-url")" ]]; then local_cluster=1; fi
local_yarn=""
if [[ "$master" == yarn && -n "${HADOOP_CONF_DIR:-}" && "$HADOOP_CONF_DIR" -ef "$STATE/hadoop-conf" ]]; then
  local_yarn=1
fi
# The cluster's class-data archive (deploy/conf/class-archive.sh) for the client-mode driver below and,
# on the local cluster or YARN, whose executors have this machine's files, for the executors too (and the
# local YARN's application master: deploy/conf/yarn-submit.sh).
source "$ROOT/deploy/conf/class-archive.sh"
class_archive_opts cluster
driver_archive=()
executor_archive=()
if [[ -z "${SPARK_HOME:-}" && "$deploy_mode" == client && ${#driver_java_options[@]} -eq 0 ]]; then
  driver_archive=(${CLASS_ARCHIVE_OPTS[@]+"${CLASS_ARCHIVE_OPTS[@]}"})
fi
if [[ -n "$local_cluster$local_yarn" && -z "${TRIBUTARY_CDS_WRITE:-}" ]]; then
  executor_archive=(${CLASS_ARCHIVE_OPTS[@]+"${CLASS_ARCHIVE_OPTS[@]}"})
fi
# The classpath Spark's own launcher gives a driver, and the one an executor of the local cluster has:
# Spark's conf directory and its jars (the cluster's archive is recorded with it).
spark_classpath="$ROOT/deploy/target/spark-home/conf:$SPARK_JARS/*"

# ND4J arrays live off-heap: JavaCPP's limits bound them, and the container overhead must cover them.
# The executors' overhead and physical limit are derived from the off-heap limit and the heap when the
# job starts (ContainerMemory), unless set here.
# Options are arrays, never split again: a value holding a space (an installation path) stays whole.
exec_opts=("${TRIBUTARY_JAVA17_OPENS[@]}" ${TRIBUTARY_JIT[@]+"${TRIBUTARY_JIT[@]}"}
  "-Dorg.bytedeco.javacpp.platform.extension=${TRIBUTARY_ND4J_EXTENSION:-}"
  "-Dorg.bytedeco.javacpp.maxbytes=${TRIBUTARY_EXECUTOR_OFFHEAP:-2G}"
  ${TRIBUTARY_EXECUTOR_MAX_RSS:+"-Dorg.bytedeco.javacpp.maxphysicalbytes=$TRIBUTARY_EXECUTOR_MAX_RSS"}
  -Dorg.deeplearning4j.spark.time.TimeSource=org.deeplearning4j.spark.time.SystemClockTimeSource)
# (The local YARN's executors get theirs in deploy/conf/yarn-submit.sh, with the classpath it needs.)
[[ -n "$local_cluster" ]] && exec_opts+=(${executor_archive[@]+"${executor_archive[@]}"})
driver_opts=("${TRIBUTARY_JAVA17_OPENS[@]}" ${TRIBUTARY_JIT[@]+"${TRIBUTARY_JIT[@]}"}
  "-Dorg.bytedeco.javacpp.platform.extension=${TRIBUTARY_ND4J_EXTENSION:-}"
  "-Dorg.bytedeco.javacpp.maxbytes=${TRIBUTARY_OFFHEAP:-4G}"
  "-Dorg.bytedeco.javacpp.maxphysicalbytes=${TRIBUTARY_MAX_RSS:-8G}"
  -Dorg.deeplearning4j.spark.time.TimeSource=org.deeplearning4j.spark.time.SystemClockTimeSource
  "-Dlog4j2.configurationFile=$ROOT/deploy/conf/log4j2.properties")

# One string for spark.*.extraJavaOptions, which Spark splits as a shell would
# (Utils.splitCommandString): options other than plain words are single-quoted.
spark_java_options() {
  local out="" a q="'" esc="'\"'\"'"
  for a in "$@"; do
    if [[ ! "$a" =~ ^[A-Za-z0-9_./=:,+@%-]+$ ]]; then a="'${a//"$q"/"$esc"}'"; fi
    out+="${out:+ }$a"
  done
  printf '%s' "$out"
}

# YARN's own settings, and its driver's container in cluster mode (deploy/conf/yarn-submit.sh), which
# also brings the driver's exit status back ("launch").
extra_confs=()
launch=exec
if [[ "$master" == yarn ]]; then
  source "$ROOT/deploy/conf/yarn-submit.sh"
fi

# The local cluster's executors read the application jar where it is (local:, as the local YARN's
# containers do), rather than each fetching its 160 MB from the driver through the encrypted RPC. In
# client mode only: a worker starting a cluster-mode driver cannot fetch a local: jar.
app_jar="$JAR"
if [[ -n "$local_cluster" && "$deploy_mode" == client ]]; then app_jar="local:$(realpath "$JAR")"; fi

confs=(
  --conf spark.serializer=org.apache.spark.serializer.KryoSerializer
  --conf spark.kryo.registrator=io.tributary.job.spark.TributaryKryoRegistrator
  --conf spark.kryoserializer.buffer.max=512m
  --conf "spark.executor.extraJavaOptions=$(spark_java_options "${exec_opts[@]}")"
  --conf "spark.driver.extraJavaOptions=$(spark_java_options "${driver_opts[@]}")"
  ${TRIBUTARY_EXECUTOR_MEMORY_OVERHEAD:+--conf "spark.executor.memoryOverhead=$TRIBUTARY_EXECUTOR_MEMORY_OVERHEAD"}
  --conf "spark.executorEnv.OMP_NUM_THREADS=${TRIBUTARY_EXECUTOR_THREADS:-1}"
  --conf "spark.executorEnv.TRIBUTARY_GIT_REVISION=${TRIBUTARY_GIT_REVISION:-$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)}"
  # The driver's web UI has no authentication: at least it must not kill jobs (see deploy/SECURITY.md).
  --conf spark.ui.killEnabled=false
  "${extra_confs[@]}"
)

if [[ -n "$print_properties" ]]; then
  echo "# Spark settings of deploy/submit.sh; main class $TRIBUTARY_MAIN_CLASS, jar $JAR"
  for ((i = 1; i < ${#confs[@]}; i += 2)); do
    kv="${confs[$i]}"
    printf '%s %s\n' "${kv%%=*}" "${kv#*=}"
  done
  exit 0
fi

# The local cluster's secret (deploy/local-cluster/up.sh) is used when submitting to that cluster.
if [[ -n "$local_cluster" && "${TRIBUTARY_NO_CLUSTER_SECRET:-}" == "" ]]; then
  submit_args+=(--properties-file "$STATE/conf/spark-auth.conf")
fi

if [[ -n "${SPARK_HOME:-}" && -x "${SPARK_HOME}/bin/spark-submit" ]]; then
  "$launch" "$SPARK_HOME/bin/spark-submit" "${confs[@]}" "${submit_args[@]}" \
    --class "$TRIBUTARY_MAIN_CLASS" "$app_jar" "${app_args[@]}"
  exit
fi

# No Spark installation: run SparkSubmit from the assembled jars. In client mode this JVM is the
# driver, so the driver's JVM options go on its command line. Its classpath is Spark's, then the Hadoop
# client configuration directories (hdfs:/// then means the cluster's default filesystem).
export SPARK_HOME="$ROOT/deploy/target/spark-home"
classpath="$spark_classpath${HADOOP_CONF_DIR:+:$HADOOP_CONF_DIR}${YARN_CONF_DIR:+:$YARN_CONF_DIR}"
export SPARK_SCALA_VERSION="$TRIBUTARY_SCALA_BINARY_VERSION"
"$launch" "$JAVA" ${driver_archive[@]+"${driver_archive[@]}"} "${driver_opts[@]}" "${driver_java_options[@]}" \
  -Xmx"${driver_memory:-2g}" -cp "$classpath" \
  org.apache.spark.deploy.SparkSubmit "${confs[@]}" "${submit_args[@]}" \
  --class "$TRIBUTARY_MAIN_CLASS" "$app_jar" "${app_args[@]}"
