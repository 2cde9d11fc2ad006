#!/usr/bin/env bash
# The scaling model's calibration (docs/performance.md, "Scaling: a model of a round, fitted on 1 and 2
# workers"): trains through deploy/submit.sh on the local standalone cluster with 1, 2 and 3 workers of
# one core each (--replicas K: one replica an executor; data from HDFS and the model to HDFS), reads where each epoch's
# averaging rounds spent their time (metrics.json, "rounds"), fits the model of a round on the runs with
# 1 and 2 workers, prints how far its prediction for 3 workers is from what they measured, and its
# predictions of examples/s, time to the target and the averaging frequency it recommends for 8, 32 and
# 128 executors on 10 and 25 Gbit/s networks (deploy/bench/scaling_model.py).
#
#   deploy/bench/scaling.sh [--workers 1,2,3] [--epochs 3] [--target 0.90] [--work DIR] [-- TRAIN-FLAGS...]
#   deploy/bench/scaling.sh --model-only --work DIR     # refit and predict from the runs DIR holds
#
# A measuring run replaces DIR's runs for the worker counts it measures and keeps the others, so one count
# can be measured again alone (the docs' 3-worker run: --workers 3 --epochs 5); the model names every run
# it reads, with when it was made, and refuses runs of different settings or data.
#
# Not a test: nothing passes or fails on speed. Needs the build (mvn -DskipTests package). Each cluster
# is started and stopped here (deploy/local-cluster/up.sh, down.sh), and stopped if this script is.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
WORKERS=1,2,3
EPOCHS=3
TARGET=0.90
WORK=/tmp/tributary-scaling-bench
RUN=1
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --model-only|--|-h|--help) ;;
    *) [[ $# -ge 2 ]] || { echo "scaling.sh: $1 needs a value" >&2; exit 2; } ;;
  esac
  case "$1" in
    --workers) WORKERS="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    --target) TARGET="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --model-only) RUN=0; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "scaling.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$WORKERS" =~ ^[1-9][0-9]*(,[1-9][0-9]*)*$ ]] || { echo "scaling.sh: invalid value $WORKERS for --workers: must be positive integers separated by commas" >&2; exit 2; }
[[ "$EPOCHS" =~ ^[1-9][0-9]*$ ]] || { echo "scaling.sh: invalid value $EPOCHS for --epochs: must be a positive integer" >&2; exit 2; }
[[ "$TARGET" =~ ^0?\.[0-9]+$ ]] || { echo "scaling.sh: invalid value $TARGET for --target: must be between 0 and 1" >&2; exit 2; }
DATA="${TRIBUTARY_DATA:-/usr/share/datasets/fashion-mnist}"
mkdir -p "$WORK"

if [[ "$RUN" == 1 ]]; then
  export TRIBUTARY_CLUSTER_DIR="$ROOT/deploy/target/local-cluster-scaling"
  trap '"$ROOT/deploy/local-cluster/down.sh" 2>/dev/null || true' EXIT
  for k in ${WORKERS//,/ }; do rm -f "$WORK/workers-$k.metrics.json" "$WORK/workers-$k.metadata.json" "$WORK/workers-$k.log"; done
  echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); train flags: ${EXTRA[*]:-(defaults)}; workers $WORKERS" >> "$WORK/machine.txt"
  for k in ${WORKERS//,/ }; do
    eval "$("$ROOT/deploy/local-cluster/up.sh" --workers "$k")"
    "$ROOT/deploy/hdfs.sh" -fs "$HDFS_URL" -mkdir -p /data
    "$ROOT/deploy/hdfs.sh" -fs "$HDFS_URL" -put "$DATA" /data/fashion-mnist
    echo "== $k worker(s)" >&2
    "$ROOT/deploy/submit.sh" --master "$SPARK_MASTER_URL" -- --data "$HDFS_URL/data/fashion-mnist" \
      --output "$HDFS_URL/runs/workers-$k" --epochs "$EPOCHS" --replicas "$k" "${EXTRA[@]}" > "$WORK/workers-$k.log" 2>&1 \
      || { tail -n 30 "$WORK/workers-$k.log" >&2; exit 1; }
    grep -E "^epoch|rounds in" "$WORK/workers-$k.log" >&2 || true
    for f in metadata metrics; do   # metrics last: the model reads a run whose metrics are there
      "$ROOT/deploy/hdfs.sh" -fs "$HDFS_URL" -cat "/runs/workers-$k/$f.json" > "$WORK/.workers-$k.$f.json"
      mv "$WORK/.workers-$k.$f.json" "$WORK/workers-$k.$f.json"
    done
    "$ROOT/deploy/local-cluster/down.sh"
  done
fi
/usr/bin/python3 "$ROOT/deploy/bench/scaling_model.py" --work "$WORK" --target "$TARGET" --cores "$(nproc)"
