#!/usr/bin/env bash
# The local cluster's start (docs/performance.md, "Start-up"): the seconds deploy/local-cluster/up.sh
# takes to a healthy cluster, standalone (master, 2 workers, HDFS) and YARN (HDFS, a ResourceManager,
# 2 NodeManagers), the CPU seconds its daemons used by then, one Hadoop client command (deploy/hdfs.sh
# -put of Fashion-MNIST), and one job on the cluster (deploy/submit.sh, 4,000 examples, one epoch; on
# YARN in client mode, 2 executors of one core and 1 GiB) with the daemons' CPU seconds during it, with
# the light JVM options of deploy/conf/jvm-options.sh (TRIBUTARY_LIGHT_JVM) and without them
# (TRIBUTARY_LIGHT_JVMS=0), in one sitting: ROUNDS rounds, each starting every kind both ways,
# alternating. Prints medians and ratios.
# Not a test: nothing passes or fails on speed. Needs the build; starts and stops its own clusters.
#   deploy/bench/cluster-start.sh [--rounds 3] [--work DIR]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS=3
WORK=/tmp/tributary-cluster-start
DATA=/usr/share/datasets/fashion-mnist
while [[ $# -gt 0 ]]; do
  [[ $# -ge 2 ]] || { echo "cluster-start.sh: $1 needs a value" >&2; exit 2; }
  case "$1" in
    --rounds) ROUNDS="$2" ;;
    --work) WORK="$2" ;;
    *) echo "cluster-start.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "cluster-start.sh: invalid --rounds $ROUNDS: a positive integer" >&2; exit 2; }
[[ -f "$DATA/train-images-idx3-ubyte.gz" ]] || { echo "cluster-start.sh: $DATA has no Fashion-MNIST (the dataset-fashion-mnist package)" >&2; exit 2; }
mkdir -p "$WORK"
RESULTS="$WORK/results.txt"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" > "$RESULTS"
export TRIBUTARY_CLUSTER_DIR="$WORK/cluster"
trap '"$ROOT/deploy/local-cluster/down.sh" > /dev/null 2>&1 || true' EXIT
ticks="$(getconf CLK_TCK)"

# The CPU seconds the cluster's daemons have used.
daemons_cpu() {
  while read -r pid _ _; do cat "/proc/$pid/stat"; done < "$TRIBUTARY_CLUSTER_DIR/pids" \
    | awk -v t="$ticks" '{ sum += $14 + $15 } END { print sum / t }'
}

# start KIND LIGHT: one start of KIND (standalone or yarn) and one job, with TRIBUTARY_LIGHT_JVMS=LIGHT;
# appends "KIND LIGHT up-seconds daemon-cpu put-seconds job-seconds daemon-cpu-during-the-job" to the results.
start() {
  local kind="$1" light="$2" t0 t1 t2 t3 cpu0 cpu1 out hdfs master=()
  export TRIBUTARY_LIGHT_JVMS="$light"
  "$ROOT/deploy/local-cluster/down.sh" > /dev/null 2>&1 || true
  t0="$(date +%s.%N)"
  if [[ "$kind" == yarn ]]; then
    out="$("$ROOT/deploy/local-cluster/up.sh" --yarn 2> "$WORK/up.log")" || { echo "cluster-start.sh: up.sh failed; its log: $WORK/up.log" >&2; exit 1; }
    export HADOOP_CONF_DIR="$TRIBUTARY_CLUSTER_DIR/hadoop-conf"
    master=(--master yarn --deploy-mode client --num-executors 2 --executor-cores 1 --executor-memory 1g)
  else
    out="$("$ROOT/deploy/local-cluster/up.sh" 2> "$WORK/up.log")" || { echo "cluster-start.sh: up.sh failed; its log: $WORK/up.log" >&2; exit 1; }
    unset HADOOP_CONF_DIR
    master=(--master "$(sed -n 's/^SPARK_MASTER_URL=//p' <<< "$out")")
  fi
  t1="$(date +%s.%N)"
  cpu0="$(daemons_cpu)"
  hdfs="$(sed -n 's/^HDFS_URL=//p' <<< "$out")"
  "$ROOT/deploy/hdfs.sh" -fs "$hdfs" -put "$DATA" /data > "$WORK/put.log" 2>&1 \
    || { echo "cluster-start.sh: hdfs.sh -put failed; its log: $WORK/put.log" >&2; exit 1; }
  t2="$(date +%s.%N)"
  cpu1="$(daemons_cpu)"
  "$ROOT/deploy/submit.sh" "${master[@]}" -- --data "$hdfs/data" --output "$hdfs/run" --epochs 1 \
    --train-examples 4000 --test-examples 1000 > "$WORK/job.log" 2>&1 \
    || { echo "cluster-start.sh: the job failed; its log: $WORK/job.log" >&2; exit 1; }
  t3="$(date +%s.%N)"
  echo "$kind $light $(awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v u="$cpu0" -v v="$cpu1" -v w="$(daemons_cpu)" \
    'BEGIN { print b - a, u, c - b, d - c, w - v }')" | tee -a "$RESULTS" >&2
  "$ROOT/deploy/local-cluster/down.sh" > /dev/null 2>&1
}

for ((round = 1; round <= ROUNDS; round++)); do
  for kind in standalone yarn; do
    start "$kind" 0
    start "$kind" 1
  done
done

python3 - "$RESULTS" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    if line.startswith("#"):
        continue
    kind, light, *values = line.split()
    runs.setdefault((kind, light), []).append([float(v) for v in values])
n = len(runs[("standalone", "0")])
print(f"| median of {n} | JVM defaults | light JVMs | light / defaults |")
print("| --- | ---: | ---: | ---: |")
for kind in ("standalone", "yarn"):
    for i, what in enumerate(("up.sh to a healthy cluster, s", "the daemons' CPU by then, CPU-s",
                              "hdfs.sh -put of Fashion-MNIST (30 MB), s", "a job of 4,000 examples, s",
                              "the daemons' CPU during the job, CPU-s")):
        a, b = (statistics.median(r[i] for r in runs[(kind, light)]) for light in ("0", "1"))
        print(f"| {kind}: {what} | {a:.2f} | {b:.2f} | {b / a:.2f}x |")
PY
echo "per-start lines: $RESULTS" >&2
