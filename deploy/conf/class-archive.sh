# Sourced by bin/tributary: the JVM's class-data archive (AppCDS) for the launcher's classpath. Starting
# Spark, ND4J and a training run loads about 20,000 classes; mapping them from an archive instead of
# reading, verifying and linking them from jars takes 3 to 4 s off the time to the first training step
# (docs/performance.md, "Start-up"). deploy/class-archive.sh writes the archive (deploy/setup.sh runs it
# after the build), about 160 MB under deploy/target/cds. It is named by the JVM's and every jar's name,
# size and time, so a rebuilt jar or another JDK finds none until it is written again, and runs as
# before; a JVM that finds it unusable runs without it. TRIBUTARY_CDS=0 turns it off, and so do JVM
# options of the user's own (TRIBUTARY_JAVA_OPTS, JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS): Java 17's JVM
# crashes mapping archived classes when an agent or a flight recording watches class loading (seen with
# -XX:StartFlightRecording: SIGSEGV in KlassFactory::check_shared_class_file_load_hook).
# Uses ROOT, JAVA, SPARK_JARS and JAR; sets CLASS_ARCHIVE (this build's archive) and CLASS_ARCHIVE_OPTS
# (the JVM options: map it when it is there; with TRIBUTARY_CDS_WRITE=FILE, write one to FILE as the
# JVM exits, which is how deploy/class-archive.sh makes it).
class_archive_jvm="$(dirname "$(readlink -f "$(command -v "$JAVA")")")/../lib/server/libjvm.so"
class_archive_key="$(stat -c '%n %s %Y' "$class_archive_jvm" "$SPARK_JARS"/*.jar "$JAR" 2>/dev/null | sha1sum | cut -c1-16)"
CLASS_ARCHIVE="$ROOT/deploy/target/cds/tributary-$class_archive_key.jsa"
CLASS_ARCHIVE_OPTS=()
if [[ -n "${TRIBUTARY_CDS_WRITE:-}" ]]; then
  # Without the JVM's list of the classes it leaves out (generated and pre-Java 6 ones), hundreds of lines.
  CLASS_ARCHIVE_OPTS=(-Xshare:auto -XX:ArchiveClassesAtExit="$TRIBUTARY_CDS_WRITE"
    -Xlog:disable -Xlog:all=warning:stderr -Xlog:cds=off,cds+dynamic=off:stderr)
elif [[ "${TRIBUTARY_CDS:-1}" != 0 && -f "$CLASS_ARCHIVE" \
        && -z "${TRIBUTARY_JAVA_OPTS:-}${JAVA_TOOL_OPTIONS:-}${JDK_JAVA_OPTIONS:-}" ]]; then
  # The JVM's own notes on the archive (an unusable one) go to stderr, not into a command's output.
  CLASS_ARCHIVE_OPTS=(-Xshare:auto -XX:SharedArchiveFile="$CLASS_ARCHIVE" -Xlog:disable -Xlog:all=warning:stderr)
fi
