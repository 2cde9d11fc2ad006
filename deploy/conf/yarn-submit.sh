# Sourced by deploy/submit.sh for --master yarn (uses and extends its confs, JAR, deploy_mode,
# driver_memory, driver_opts, STATE, ROOT): what Tributary needs on YARN beyond every cluster's settings.

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
if [[ -z "$yarn_jars" && -n "${HADOOP_CONF_DIR:-}" && "$HADOOP_CONF_DIR" -ef "$STATE/hadoop-conf" ]]; then
  yarn_jars=local
fi
case "$yarn_jars" in
  "") ;;
  local)
    confs+=(--conf "spark.yarn.jars=local:$ROOT/deploy/target/spark-home/jars/*")
    JAR="local:$JAR" ;;
  *)
    yarn_uploaded="$("$ROOT/deploy/yarn-jars.sh" "$yarn_jars" "$JAR")" || exit $?
    confs+=(--conf "spark.yarn.archive=${yarn_uploaded%% *}")
    JAR="${yarn_uploaded#* }" ;;
esac

confs+=(
  # A failed run is not run again: a second attempt would meet the first one's output lock.
  --conf spark.yarn.maxAppAttempts=1
  # On YARN, Spark generates the secret for each application and hands it to its containers.
  --conf spark.authenticate=true
  --conf spark.network.crypto.enabled=true
  --conf "spark.yarn.appMasterEnv.TRIBUTARY_GIT_REVISION=${TRIBUTARY_GIT_REVISION:-$(git -C "$ROOT" rev-parse HEAD 2>/dev/null || echo unknown)}"
)
