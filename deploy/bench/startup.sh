#!/usr/bin/env bash
# Start-up (docs/performance.md, "Start-up"): the seconds from the command to the first training step
# of `tributary train --master 'local[2]'` on full Fashion-MNIST, with and without the class-data archives
# (deploy/conf/class-archive.sh), in one sitting: ROUNDS rounds, each running both once, one epoch each.
# With --cluster, the same through deploy/submit.sh on the local standalone cluster (2 workers of one
# core, started here and stopped at the end), data from its HDFS: the archive of the driver and the
# executors against none. With --yarn, the same on the local YARN (up.sh --yarn, 2 NodeManagers) in
# client mode, 2 executors of one core and 1 GiB: the archive of the driver, the application master and
# the executors against none.
# With --jit, both sides map the archives and run two epochs: the JIT's default thresholds
# (TRIBUTARY_JIT_THRESHOLDS=0) against Tributary's (deploy/conf/jvm-options.sh, TRIBUTARY_JIT).
# Reads the run's log line "First training step after J s (C s since the command started): phases" and
# each epoch's training seconds, and prints medians per phase with the ratio. The archive is written
# first (deploy/class-archive.sh) if this build has none. Not a test: nothing passes or fails on speed.
# Needs the build.
#   deploy/bench/startup.sh [--rounds 3] [--cluster | --yarn] [--jit] [--data DIR] [--work DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA=/usr/share/datasets/fashion-mnist
ROUNDS=3
WORK=/tmp/tributary-startup
CLUSTER=""
JIT=""
while [[ $# -gt 0 ]]; do
  if [[ "$1" == --cluster ]]; then CLUSTER=standalone; shift; continue; fi
  if [[ "$1" == --jit ]]; then JIT=1; shift; continue; fi
  if [[ "$1" == --yarn ]]; then CLUSTER=yarn; shift; continue; fi
  [[ $# -ge 2 ]] || { echo "startup.sh: $1 needs a value" >&2; exit 2; }
  case "$1" in
    --rounds) ROUNDS="$2" ;;
    --data) DATA="$2" ;;
    --work) WORK="$2" ;;
    *) echo "startup.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
[[ -z "$JIT" || -n "$CLUSTER" ]] || { echo "startup.sh: --jit compares submitted JVMs: add --cluster or --yarn" >&2; exit 2; }
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "startup.sh: invalid --rounds $ROUNDS: a positive integer" >&2; exit 2; }
if [[ -n "${TRIBUTARY_JAVA_OPTS:-}${JAVA_TOOL_OPTIONS:-}${_JAVA_OPTIONS:-}${JDK_JAVA_OPTIONS:-}" ]]; then
  echo "startup.sh: JVM options of your own are set (TRIBUTARY_JAVA_OPTS, JAVA_TOOL_OPTIONS, _JAVA_OPTIONS or" \
    "JDK_JAVA_OPTIONS), which turn the archive off: both sides would run without it; unset them" >&2
  exit 2
fi
mkdir -p "$WORK"
RESULTS="$WORK/results.txt"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" > "$RESULTS"

command=("$ROOT/bin/tributary" train --master 'local[2]' --data "file://$DATA" --output "file://$WORK/run")
if [[ -n "$CLUSTER" ]]; then
  export TRIBUTARY_CLUSTER_DIR="$WORK/cluster"
  "$ROOT/deploy/local-cluster/down.sh" > /dev/null 2>&1 || true
  trap '"$ROOT/deploy/local-cluster/down.sh" > /dev/null 2>&1 || true' EXIT
  if [[ "$CLUSTER" == yarn ]]; then
    eval "$("$ROOT/deploy/local-cluster/up.sh" --yarn --workers 2)"
    master=(--master yarn --deploy-mode client --num-executors 2 --executor-cores 1 --executor-memory 1g)
  else
    eval "$("$ROOT/deploy/local-cluster/up.sh" --workers 2)"
    master=(--master "$SPARK_MASTER_URL")
  fi
  "$ROOT/deploy/hdfs.sh" -fs "$HDFS_URL" -mkdir -p /data
  "$ROOT/deploy/hdfs.sh" -fs "$HDFS_URL" -put "$DATA" /data/idx
  command=("$ROOT/deploy/submit.sh" "${master[@]}" -- train --data "$HDFS_URL/data/idx"
    --output "$HDFS_URL/run")
fi

# run NAME [VAR=VALUE...]: one run with those settings; appends its start-up line and its epochs'
# training seconds to the results
run() {
  local name="$1" log="$WORK/$1.log"
  shift
  env "$@" "${command[@]}" --epochs "$EPOCHS" --overwrite --force-unlock > "$log" 2>&1 \
    || { echo "startup.sh: the $name run failed; its log: $log" >&2; exit 1; }
  local line epochs
  line="$(grep -a -m1 'First training step after' "$log")" \
    || { echo "startup.sh: no start-up line in $log" >&2; exit 1; }
  epochs="$(sed -n 's/^epoch \([0-9]*\)\/[0-9]* .* examples\/s  *\([0-9.]*\)s .*/epoch \1 \2 s/p' "$log" | paste -sd,)"
  echo "$name ${line#*INFO StartupTimes: }${epochs:+, ${epochs//,/, }}" | tee -a "$RESULTS" >&2
}

"$ROOT/deploy/class-archive.sh" "$DATA" || { echo "startup.sh: no archive to compare with" >&2; exit 1; }
if [[ -n "$JIT" ]]; then
  EPOCHS=2
  sides=(default-jit tributary-jit)
  settings=(TRIBUTARY_JIT_THRESHOLDS=0 TRIBUTARY_JIT_THRESHOLDS=1)
  titles=("the JIT's defaults" "Tributary's thresholds")
else
  EPOCHS=1
  sides=(without-archive with-archive)
  settings=(TRIBUTARY_CDS=0 TRIBUTARY_CDS=1)
  titles=("without the archive" "with it")
fi
for ((round = 1; round <= ROUNDS; round++)); do
  run "${sides[0]}" "${settings[0]}"
  run "${sides[1]}" "${settings[1]}"
done

/usr/bin/python3 - "$RESULTS" "${sides[@]}" "${titles[@]}" <<'PY'
import re, statistics, sys
results, names, titles = sys.argv[1], sys.argv[2:4], sys.argv[4:6]
runs = {}
for line in open(results):
    m = re.match(r"(\S+) First training step after ([\d.]+) s \(([\d.]+) s since the command started\): (.*)", line)
    if not m:
        continue
    phases = dict((k, float(v)) for k, v in re.findall(r"([a-zA-Z0-9 ]+?) ([\d.]+) s(?:, |$)", m.group(4).strip()))
    runs.setdefault(m.group(1), []).append({"command to first step": float(m.group(3)), "job to first step": float(m.group(2)), **phases})
keys = list(runs[names[0]][0])
print(f"| seconds, median of {len(runs[names[0]])} | {titles[0]} | {titles[1]} | ratio |")
print("| --- | ---: | ---: | ---: |")
for k in keys:
    a, b = (statistics.median(r[k] for r in runs[n]) for n in names)
    print(f"| {k} | {a:.2f} | {b:.2f} | {b / a:.2f}x |" if a else f"| {k} | {a:.2f} | {b:.2f} | |")
PY
echo "per-run lines: $RESULTS" >&2
