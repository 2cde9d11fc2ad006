#!/usr/bin/env bash
# The model benchmark in docs/performance.md ("Models"): one epoch of Fashion-MNIST in local[2],
# defaults otherwise (batch 128 per worker, averaging every 20), for seed-cnn, the same network
# imported from Keras 2 HDF5 (common/src/test/resources/keras/seed_cnn.h5), lenet5 and vgg-small,
# each with the fused convolution path on (fused-layers: true, the default) and off (DL4J's own
# layers). Prints one table: examples/s (training time only), the fused/unfused ratio, and the
# Keras model's examples/s against seed-cnn's. Not a test: nothing here passes or fails on speed.
#   deploy/bench/models.sh [--work DIR] [--rounds N] [--models "seed-cnn keras lenet5 vgg-small"] [--fused "true false"]
# --rounds N runs the set N times, interleaved, and reports the median (default 1); --models and
# --fused narrow the set (e.g. the Keras model against seed-cnn, fused only).
# Needs the build (mvn install).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FASHION=/usr/share/datasets/fashion-mnist
WORK=/tmp/tributary-model-bench
ROUNDS=1
MODELS="seed-cnn keras lenet5 vgg-small"
FUSED="true false"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --work) WORK="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --models) MODELS="$2"; shift 2 ;;
    --fused) FUSED="$2"; shift 2 ;;
    *) echo "models.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
KERAS="$ROOT/common/src/test/resources/keras/seed_cnn.h5"
mkdir -p "$WORK/runs"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"

for ((round = 1; round <= ROUNDS; round++)); do
  for model in $MODELS; do
    for fused in $FUSED; do
      name="$model-fused-$fused-$round"
      source="$model"
      [[ "$model" != keras ]] || source="$KERAS"
      echo "== $name" >&2
      "$ROOT/bin/tributary" train --data "$FASHION" --master 'local[2]' --epochs 1 --model "$source" \
        --fused-layers "$fused" --output "$WORK/runs/$name" --overwrite --force-unlock >&2
      /usr/bin/python3 - "$model" "$fused" "$WORK/runs/$name/metrics.json" >> "$RESULTS" <<'PY'
import json, sys
m = json.load(open(sys.argv[3]))
print("\t".join([sys.argv[1], sys.argv[2], f"{m['examples_per_second']:.1f}", f"{m['test_accuracy']:.4f}"]))
PY
    done
  done
done

/usr/bin/python3 - "$RESULTS" "$ROUNDS" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
def med(model, fused, col):
    values = [float(r[col]) for r in rows if r[0] == model and r[1] == fused]
    return statistics.median(values) if values else float("nan")
print(f"Fashion-MNIST, 1 epoch, local[2], batch 128/worker, median of {sys.argv[2]} round(s)")
print(f"{'model':<10} {'fused ex/s':>11} {'unfused ex/s':>13} {'fused/unfused':>14} {'acc (fused)':>12} {'acc (unfused)':>14}")
for model in sorted({r[0] for r in rows}, key=["seed-cnn", "keras", "lenet5", "vgg-small"].index):
    f, u = med(model, "true", 2), med(model, "false", 2)
    print(f"{model:<10} {f:>11.0f} {u:>13.0f} {f / u:>14.2f} {med(model, 'true', 3):>12.4f} {med(model, 'false', 3):>14.4f}")
k, s = med("keras", "true", 2), med("seed-cnn", "true", 2)
print(f"Keras seed model / seed-cnn (fused): {k / s:.3f}")
PY
