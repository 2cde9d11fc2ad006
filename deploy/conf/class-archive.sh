# Sourced by bin/tributary: the JVM's class-data archive (AppCDS) for the launcher's classpath. Starting
# Spark, ND4J and a training run loads about 20,000 classes; mapping them from an archive instead of
# reading, verifying and linking them from jars takes 2 to 3 s off the time to the first training step
# (docs/performance.md, "Start-up"). The first `train` run on a build writes the archive as it exits
# (-XX:ArchiveClassesAtExit, about 160 MB under deploy/target/cds), every later run maps it. The archive
# is named by the JVM's and every jar's name, size and time, so a rebuilt jar or another JDK gets a new one;
# a JVM that finds it unusable runs without it. TRIBUTARY_CDS=0 turns it off, and so do JVM options of the
# user's own (TRIBUTARY_JAVA_OPTS, JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS): Java 17's JVM crashes mapping
# archived classes when an agent or a flight recording watches class loading (seen with
# -XX:StartFlightRecording: SIGSEGV in KlassFactory::check_shared_class_file_load_hook).
# Uses JAVA, SPARK_JARS and JAR; sets CLASS_ARCHIVE_OPTS (JVM options) and CLASS_ARCHIVE_NEW (the
# archive a run is writing, to rename into place when the JVM has exited; empty when mapping one).
CLASS_ARCHIVE_OPTS=()
CLASS_ARCHIVE_NEW=""
CLASS_ARCHIVE=""
if [[ "${TRIBUTARY_CDS:-1}" != 0 && -z "${TRIBUTARY_JAVA_OPTS:-}${JAVA_TOOL_OPTIONS:-}${JDK_JAVA_OPTIONS:-}" ]]; then
  class_archive_dir="$ROOT/deploy/target/cds"
  class_archive_jvm="$(dirname "$(readlink -f "$(command -v "$JAVA")")")/../lib/server/libjvm.so"
  class_archive_key="$(stat -c '%n %s %Y' "$class_archive_jvm" "$SPARK_JARS"/*.jar "$JAR" 2>/dev/null | sha1sum | cut -c1-16)"
  CLASS_ARCHIVE="$class_archive_dir/tributary-$class_archive_key.jsa"
  # The JVM's own notes on the archive (an unusable one, classes it leaves out) go to stderr, not
  # into a command's output.
  CLASS_ARCHIVE_OPTS=(-Xshare:auto -Xlog:disable -Xlog:all=warning:stderr)
  if [[ -f "$CLASS_ARCHIVE" ]]; then
    CLASS_ARCHIVE_OPTS+=(-XX:SharedArchiveFile="$CLASS_ARCHIVE")
  elif [[ "${1:-}" == train ]] && mkdir -p "$class_archive_dir" 2>/dev/null && [[ -w "$class_archive_dir" ]]; then
    CLASS_ARCHIVE_NEW="$class_archive_dir/.tributary-$class_archive_key.$$.jsa"
    # Without its list of the classes it leaves out (generated and pre-Java 6 ones), a few hundred lines.
    CLASS_ARCHIVE_OPTS+=(-XX:ArchiveClassesAtExit="$CLASS_ARCHIVE_NEW" -Xlog:cds=off,cds+dynamic=off:stderr)
  fi
fi
