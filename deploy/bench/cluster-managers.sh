#!/usr/bin/env bash
# Tributary on the local standalone cluster and on the local YARN, in one sitting (docs/cluster.md,
# "Measured"): the same training through deploy/submit.sh on two executors of one core each, data
# from HDFS and the model to HDFS; prints, per run and as medians, the seconds from the submit to the
# first training step and the seconds of the first epoch, with the ratios to the standalone cluster's.
#
#   deploy/bench/cluster-managers.sh [--runs N] [--epochs E] [-- tributary train options]
#
# Defaults: 3 runs each of 1 epoch of Fashion-MNIST ($TRIBUTARY_DATA, by default Debian's). The
# standalone cluster runs first, then YARN in client mode and in cluster mode; each cluster is
# started and stopped here (deploy/local-cluster/up.sh, down.sh) and is stopped if this script is.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS=3
EPOCHS=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --runs) RUNS="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    --) shift; break ;;
    *) echo "cluster-managers.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || { echo "cluster-managers.sh: invalid value $RUNS for --runs: must be a positive integer" >&2; exit 2; }
[[ "$EPOCHS" =~ ^[1-9][0-9]*$ ]] || { echo "cluster-managers.sh: invalid value $EPOCHS for --epochs: must be a positive integer" >&2; exit 2; }
DATA="${TRIBUTARY_DATA:-/usr/share/datasets/fashion-mnist}"
export TRIBUTARY_CLUSTER_DIR="$ROOT/deploy/target/local-cluster-bench"
results="$(mktemp -d "${TMPDIR:-/tmp}/tributary-cluster-managers.XXXXXX")"
trap '"$ROOT/deploy/local-cluster/down.sh" 2>/dev/null || true' EXIT

# One run: submit, then the seconds from the submit to the first step and of the first epoch, from
# the run's metrics and metadata (the first step's time is the metadata's creation time less the
# seconds the driver counted from its first step to the end).
run() {
  local name="$1" out="$2"; shift 2
  local start
  start="$(date +%s.%N)"
  "$ROOT/deploy/submit.sh" "$@" -- --data "$HDFS_URL/data/fashion-mnist" --output "$out" --epochs "$EPOCHS" \
    "${TRAIN_OPTIONS[@]}" > "$results/$name.log" 2>&1 || { tail -n 30 "$results/$name.log" >&2; exit 1; }
  "$ROOT/deploy/hdfs.sh" -fs "$HDFS_URL" -cat "$out/metrics.json" > "$results/$name.metrics.json"
  "$ROOT/deploy/hdfs.sh" -fs "$HDFS_URL" -cat "$out/metadata.json" > "$results/$name.metadata.json"
  python3 - "$name" "$start" "$results/$name.metrics.json" "$results/$name.metadata.json" >> "$results/runs.tsv" <<'PY'
import datetime, json, sys
name, start = sys.argv[1], float(sys.argv[2])
metrics, metadata = json.load(open(sys.argv[3])), json.load(open(sys.argv[4]))
created = datetime.datetime.fromisoformat(metadata["created"].replace("Z", "+00:00")).timestamp()
first_step = created - (metrics["wall_seconds"] - metrics["seconds_to_first_step"])
print(f"{name.rsplit('-', 1)[0]}\t{first_step - start:.1f}\t{metrics['epochs'][0]['seconds']:.1f}\t{metrics['test_accuracy']:.4f}")
PY
  tail -n1 "$results/runs.tsv" >&2
}

TRAIN_OPTIONS=("$@")
EXECUTORS=(--num-executors 2 --executor-cores 1 --executor-memory 1g)
for manager in standalone yarn; do
  if [[ "$manager" == standalone ]]; then
    out="$("$ROOT/deploy/local-cluster/up.sh" --workers 2)"
  else
    out="$("$ROOT/deploy/local-cluster/up.sh" --yarn)"
  fi
  eval "$out"
  "$ROOT/deploy/hdfs.sh" -fs "$HDFS_URL" -mkdir -p /data
  "$ROOT/deploy/hdfs.sh" -fs "$HDFS_URL" -put "$DATA" /data/fashion-mnist
  for i in $(seq 1 "$RUNS"); do
    if [[ "$manager" == standalone ]]; then
      run "standalone-$i" "$HDFS_URL/runs/standalone-$i" --master "$SPARK_MASTER_URL"
    else
      run "yarn-client-$i" "$HDFS_URL/runs/yarn-client-$i" --master yarn --deploy-mode client "${EXECUTORS[@]}"
      run "yarn-cluster-$i" "$HDFS_URL/runs/yarn-cluster-$i" --master yarn --deploy-mode cluster "${EXECUTORS[@]}"
    fi
  done
  "$ROOT/deploy/local-cluster/down.sh"
  unset HADOOP_CONF_DIR
done

python3 - "$results/runs.tsv" <<'PY'
import statistics, sys
rows = [line.split("\t") for line in open(sys.argv[1]).read().splitlines()]
def median(name, column):
    return statistics.median(float(r[column]) for r in rows if r[0] == name)
base_first, base_epoch = median("standalone", 1), median("standalone", 2)
print(f"{'cluster manager':<14} {'runs':>4} {'submit to first step (s)':>25} {'ratio':>6} {'first epoch (s)':>16} {'ratio':>6} {'test accuracy':>14}")
for name in ("standalone", "yarn-client", "yarn-cluster"):
    first, epoch = median(name, 1), median(name, 2)
    accuracy = statistics.median(float(r[3]) for r in rows if r[0] == name)
    runs = sum(1 for r in rows if r[0] == name)
    print(f"{name:<14} {runs:>4} {first:>25.1f} {first / base_first:>6.2f} {epoch:>16.1f} {epoch / base_epoch:>6.2f} {accuracy:>14.4f}")
PY
echo "cluster-managers.sh: per-run logs and metrics in $results" >&2
