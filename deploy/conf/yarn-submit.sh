# Sourced by deploy/submit.sh for --master yarn (uses its deploy_mode, driver_memory, submit_args,
# STATE, ROOT, spark_classpath, local_yarn, executor_archive, print_properties and spark_java_options; sets
# JAR, exec_opts, driver_opts, extra_confs and launch): what Tributary needs on YARN beyond every
# cluster's settings.

if [[ -z "${HADOOP_CONF_DIR:-}" && -z "${YARN_CONF_DIR:-}" ]]; then
  echo "submit.sh: --master yarn needs HADOOP_CONF_DIR (or YARN_CONF_DIR) set to the directory of the cluster's" \
    "client configuration (core-site.xml, yarn-site.xml)" >&2
  exit 2
fi

# Where the containers find Spark's jars and Tributary's (TRIBUTARY_YARN_JARS, docs/cluster.md):
#   local      at the same paths as here, on every node (this checkout, an image, a shared mount);
#   DIR_URI    uploaded once to DIR_URI, a directory on the cluster's default filesystem, and reused;
#   unset      uploaded by Spark to each application's staging directory (about 400 MB every time).
# The local YARN of deploy/local-cluster/up.sh --yarn runs its containers here: local.
yarn_jars="${TRIBUTARY_YARN_JARS:-}"
if [[ -n "$local_yarn" ]]; then
  [[ -z "$yarn_jars" ]] && yarn_jars=local
  # Like the rest of the local cluster, its applications listen on 127.0.0.1 only: the driver, and
  # the web UIs, which Spark binds to SPARK_LOCAL_IP or else to every interface.
  export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
  extra_confs+=(--conf spark.yarn.appMasterEnv.SPARK_LOCAL_IP=127.0.0.1 --conf spark.executorEnv.SPARK_LOCAL_IP=127.0.0.1)
  if [[ "$deploy_mode" != cluster ]]; then
    extra_confs+=(--conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1)
  fi
fi
case "$yarn_jars" in
  "") ;;
  local)
    extra_confs+=(--conf "spark.yarn.jars=local:$ROOT/deploy/target/spark-home/jars/*")
    JAR="local:$JAR"
    if [[ ${#executor_archive[@]} -gt 0 ]]; then
      # A container's classpath starts with its own directory, which no archive can name; Spark puts
      # the extra classpath first, so the local YARN's containers start with the archive's classpath
      # (the client-mode driver's, submit.sh below) and map it. The application master too: in client
      # mode Spark's ExecutorLauncher, in cluster mode the driver.
      # (Not the application master when a Spark installation's launcher starts a client-mode driver:
      # it would put the driver's extra classpath, these jars, before its own.)
      # (Nor in --print-properties, which is for another spark-submit.)
      exec_opts+=("${executor_archive[@]}")
      extra_confs+=(--conf "spark.executor.extraClassPath=$spark_classpath")
      if [[ "$deploy_mode" == cluster ]]; then
        extra_confs+=(--conf "spark.driver.extraClassPath=$spark_classpath")
        driver_opts+=("${executor_archive[@]}")
      elif [[ -z "${SPARK_HOME:-}" && -z "$print_properties" ]]; then
        extra_confs+=(--conf "spark.driver.extraClassPath=$spark_classpath"
          --conf "spark.yarn.am.extraJavaOptions=$(spark_java_options "${executor_archive[@]}")")
      fi
    fi ;;
  *)
    yarn_uploaded="$("$ROOT/deploy/yarn-jars.sh" "$yarn_jars" "$JAR")" || exit $?
    extra_confs+=(--conf "spark.yarn.archive=${yarn_uploaded%% *}")
    JAR="${yarn_uploaded#* }" ;;
esac

extra_confs+=(
  # A failed run is not run again: a second attempt would meet the first one's output lock.
  --conf spark.yarn.maxAppAttempts=1
  # On YARN, Spark generates the secret for each application and hands it to its containers.
  --conf spark.authenticate=true
  --conf spark.network.crypto.enabled=true
  --conf "spark.yarn.appMasterEnv.TRIBUTARY_GIT_REVISION=${TRIBUTARY_GIT_REVISION:-$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)}"
)

# MiB in a size: a number with k, m, g or t (any case, with or without b), or a plain number in the
# unit $2 (b: JavaCPP's bytes; m: Spark's MiB).
mib() {
  local size="${1,,}"
  if [[ ! "$size" =~ ^([0-9]+)([kmgt]?)b?$ ]]; then
    echo "submit.sh: invalid size $1: must be a number with k, m, g or t" >&2
    return 2
  fi
  case "${BASH_REMATCH[2]:-$2}" in
    b) echo $((BASH_REMATCH[1] >> 20)) ;;
    k) echo $((BASH_REMATCH[1] >> 10)) ;;
    m) echo $((BASH_REMATCH[1])) ;;
    g) echo $((BASH_REMATCH[1] << 10)) ;;
    t) echo $((BASH_REMATCH[1] << 20)) ;;
  esac
}

# In cluster mode the driver runs in the application master's container, which YARN sizes when the
# application is submitted: the heap, ND4J's off-heap limit and the JVM's own native memory, as
# ContainerMemory sizes the executors' (JVM_NATIVE_MB, 1024), with JavaCPP's physical limit at the
# container's size. A spark.driver.memoryOverhead given with --conf is kept.
if [[ "$deploy_mode" == cluster ]]; then
  driver_heap_mb="$(mib "${driver_memory:-2g}" m)"
  driver_offheap_mb="$(mib "${TRIBUTARY_OFFHEAP:-2G}" b)"
  driver_overhead_mb=$((driver_offheap_mb + 1024))
  for ((i = 0; i + 1 < ${#submit_args[@]}; i++)); do
    if [[ "${submit_args[$i]}" == --conf && "${submit_args[$((i + 1))]}" == spark.driver.memoryOverhead=* ]]; then
      driver_overhead_mb="$(mib "${submit_args[$((i + 1))]#*=}" m)"
    fi
  done
  driver_physical="${TRIBUTARY_MAX_RSS:-$((driver_heap_mb + driver_overhead_mb))m}"
  kept=()
  for option in "${driver_opts[@]}"; do
    case "$option" in
      -Dorg.bytedeco.javacpp.maxbytes=*|-Dorg.bytedeco.javacpp.maxphysicalbytes=*) ;;
      # Spark's own logging configuration where the nodes lack this checkout.
      -Dlog4j2.configurationFile=*) [[ "$yarn_jars" == local ]] && kept+=("$option") ;;
      *) kept+=("$option") ;;
    esac
  done
  driver_opts=("${kept[@]}" "-Dorg.bytedeco.javacpp.maxbytes=${driver_offheap_mb}m"
    "-Dorg.bytedeco.javacpp.maxphysicalbytes=$driver_physical")
  extra_confs+=(
    --conf "spark.driver.memory=${driver_memory:-2g}"
    --conf "spark.driver.memoryOverhead=${driver_overhead_mb}m"
  )
fi

# In cluster mode spark-submit ends with status 1 for any failed application, and the driver's error
# is in the application master's log. Both are brought back: the exit status from the diagnostics
# ("User application exited with status N"), the driver's one-sentence error from its log once YARN
# has aggregated it.
yarn_cluster_run() {
  local log status code app
  log="$(mktemp "${TMPDIR:-/tmp}/tributary-submit.XXXXXX")"
  set +e
  { "$@" 2>&1 1>&3 | tee "$log" >&2; } 3>&1
  status=${PIPESTATUS[0]}
  set -e
  if (( status != 0 )); then
    code="$(grep -o 'User application exited with \(status \)\{0,1\}[0-9]\{1,3\}' "$log" | grep -o '[0-9]*$' | head -n1 || true)"
    app="$(grep -o 'application_[0-9]*_[0-9]*' "$log" | head -n1 || true)"
    [[ -n "$app" ]] && yarn_driver_error "$app" >&2
    [[ -n "$code" ]] && status="$code"
  fi
  rm -f "$log"
  return "$status"
}

# The last "tributary: " line of application $1's driver: the command line's errors, which only the
# driver prints (deploy/yarn.sh logs waits until YARN has aggregated the logs).
yarn_driver_error() {
  "$ROOT/deploy/yarn.sh" logs -applicationId "$1" -log_files stderr 2>/dev/null | grep '^tributary: ' | tail -n1 || true
}

if [[ "$deploy_mode" == cluster ]]; then
  launch=yarn_cluster_run
fi
