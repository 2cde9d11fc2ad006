#!/usr/bin/env bash
# Puts Spark's jars (one archive, for spark.yarn.archive) and Tributary's jar into a directory of the
# cluster's default filesystem, once, named by their content, and prints their two URIs:
#
#   deploy/yarn-jars.sh DIR_URI APP_JAR     # e.g. hdfs://nn:8020/apps/tributary spark-job/target/...jar
#
# A later call with the same jars finds them there and uploads nothing, so YARN's NodeManagers keep
# them in their caches between applications. deploy/submit.sh calls it when TRIBUTARY_YARN_JARS names
# such a directory. Uses $HADOOP_CONF_DIR, like deploy/hdfs.sh.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
[[ $# -eq 2 ]] || { echo "usage: deploy/yarn-jars.sh DIR_URI APP_JAR" >&2; exit 2; }
dir="${1%/}"
app="$2"
jars="$ROOT/deploy/target/spark-home/jars"
[[ -f "$app" && -d "$jars" ]] || { echo "yarn-jars.sh: $app or $jars is missing; run: (cd '$ROOT' && mvn -B -DskipTests package)" >&2; exit 2; }

# Names from content: the Spark home's listing (jar names carry their versions, with sizes) and the
# application jar's SHA-256.
spark_id="$(cd "$jars" && stat -c '%n %s' -- *.jar | sha256sum | cut -c1-16)"
app_id="$(sha256sum "$app" | cut -c1-16)"
archive="spark-jars-$spark_id.zip"
app_name="tributary-$app_id.jar"

present="$("$ROOT/deploy/hdfs.sh" -stat %n "$dir/$archive" "$dir/$app_name" 2>/dev/null || true)"
missing=()
if ! grep -qx "$archive" <<< "$present"; then
  cache="$ROOT/deploy/target/yarn-jars"
  mkdir -p "$cache"
  if [[ ! -f "$cache/$archive" ]]; then
    # The jars at the archive's root, stored (they are compressed already).
    python3 - "$cache/$archive" "$jars" <<'PY'
import os, sys, zipfile
out, jars = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(out + ".tmp", "w", zipfile.ZIP_STORED) as z:
    for name in sorted(os.listdir(jars)):
        z.write(os.path.join(jars, name), name)
os.replace(out + ".tmp", out)
PY
  fi
  missing=("$cache/$archive")
fi
grep -qx "$app_name" <<< "$present" || missing+=("$app")
if (( ${#missing[@]} )); then
  "$ROOT/deploy/hdfs.sh" -mkdir -p "$dir/_tmp.$$"
  for f in "${missing[@]}"; do
    name="$archive"
    [[ "$f" == "$app" ]] && name="$app_name"
    echo "yarn-jars.sh: uploading $name to $dir" >&2
    # Under a temporary name, then renamed into place: a reader never sees half a file.
    "$ROOT/deploy/hdfs.sh" -put "$f" "$dir/_tmp.$$/$name"
    "$ROOT/deploy/hdfs.sh" -mv "$dir/_tmp.$$/$name" "$dir/$name"
  done
  "$ROOT/deploy/hdfs.sh" -rm -r -f "$dir/_tmp.$$" >/dev/null
fi
echo "$dir/$archive $dir/$app_name"
