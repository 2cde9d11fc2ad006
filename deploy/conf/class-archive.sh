# Sourced by bin/tributary and deploy/submit.sh: the JVM's class-data archives (AppCDS). Starting
# Spark, ND4J and a training run loads about 20,000 classes; mapping them from an archive instead of
# reading, verifying and linking them from jars takes 3 to 4 s off the time to the first training step
# (docs/performance.md, "Start-up"). There are two, one for each classpath a JVM of Tributary's has:
#   - the launcher's (bin/tributary: Spark's jars and the application jar, one classpath);
#   - the cluster's ("cluster": Spark's conf directory and jars, with the application jar loaded by
#     Spark's class loader), which submit.sh's client-mode driver and the executors of the local
#     standalone cluster (deploy/local-cluster) have, and the local YARN's containers, whose classpath
#     submit.sh starts with it (deploy/conf/yarn-submit.sh). Their classes are archived the same way:
#     the JVM maps a class of the application jar when its bytes are the recorded ones.
# deploy/class-archive.sh writes both (deploy/setup.sh runs it after the build), about 150 MB each
# under deploy/target/cds. Each is named by its kind and the JVM's and every jar's name, size and time,
# so a rebuilt jar or another JDK finds none until they are written again, and runs as before; a JVM
# that finds one unusable runs without it. TRIBUTARY_CDS=0 turns them off, and so do JVM options of
# the user's own (TRIBUTARY_JAVA_OPTS, JAVA_TOOL_OPTIONS, _JAVA_OPTIONS, JDK_JAVA_OPTIONS): Java 17's JVM
# crashes mapping archived classes when an agent or a flight recording watches class loading (seen
# with -XX:StartFlightRecording: SIGSEGV in KlassFactory::check_shared_class_file_load_hook).
# Uses ROOT, JAVA, SPARK_JARS and JAR; defines class_archive_path [cluster] (prints that archive's
# path, or nothing when it cannot be named: a java that is a wrapper script, a missing jar) and
# class_archive_opts [cluster], which sets CLASS_ARCHIVE_OPTS (the JVM options: map the archive when
# it is there; with TRIBUTARY_CDS_WRITE=FILE, write one to FILE as the JVM exits, which is how
# deploy/class-archive.sh makes them). Sourcing it sets the launcher's. Never fails: without an archive
# the JVM starts as it always did.
class_archive_path() {
  local java jvm key kind="${1:-}"
  java="$(command -v "$JAVA" 2>/dev/null)" || return 0
  jvm="$(dirname "$(readlink -f "$java")")/../lib/server/libjvm.so"
  [[ -f "$jvm" && -f "$JAR" ]] || return 0
  key="$({ echo "$kind"; stat -c '%n %s %Y' "$jvm" "$SPARK_JARS"/*.jar "$JAR" || echo unreadable; } 2>/dev/null \
    | sha1sum | cut -c1-16)"
  [[ -n "$key" ]] && echo "$ROOT/deploy/target/cds/tributary-${kind:+$kind-}$key.jsa"
  return 0
}
class_archive_opts() {
  local archive
  CLASS_ARCHIVE_OPTS=()
  if [[ -n "${TRIBUTARY_CDS_WRITE:-}" ]]; then
    # Without the JVM's list of the classes it leaves out (generated and pre-Java 6 ones), hundreds of lines.
    CLASS_ARCHIVE_OPTS=(-Xshare:auto -XX:ArchiveClassesAtExit="$TRIBUTARY_CDS_WRITE"
      -Xlog:disable -Xlog:all=warning:stderr -Xlog:cds=off,cds+dynamic=off:stderr)
  elif [[ "${TRIBUTARY_CDS:-1}" != 0 && -z "${TRIBUTARY_JAVA_OPTS:-}${JAVA_TOOL_OPTIONS:-}${_JAVA_OPTIONS:-}${JDK_JAVA_OPTIONS:-}" ]]; then
    archive="$(class_archive_path "${1:-}")"
    if [[ -n "$archive" && -f "$archive" ]]; then
      # The JVM's own notes on the archive (an unusable one) go to stderr, not into a command's output.
      CLASS_ARCHIVE_OPTS=(-Xshare:auto -XX:SharedArchiveFile="$archive" -Xlog:disable -Xlog:all=warning:stderr)
    fi
  fi
}
class_archive_opts
