#!/usr/bin/env bash
# Tributary's averaging rounds (--sync param-avg) against DL4J's ParameterAveragingTrainingMaster
# (--sync dl4j-param-avg), side by side in one sitting (docs/performance.md, "Averaging rounds against
# DL4J's parameter averaging"): full Fashion-MNIST, the reference CNN, train's defaults otherwise,
# evaluating after every epoch, in local[2] and (with --cluster) through deploy/submit.sh on the 2-worker
# local standalone cluster. Each round runs both engines with the round's seed (1, 2, ...), in alternating
# order, each in a fresh process. Prints, per place and engine, the medians of seconds per epoch (training
# only, evaluation excluded), of training seconds to the first epoch at test accuracy >= --target, and the
# test accuracy after each epoch, with the ratios DL4J / Tributary (above 1: Tributary is faster).
# Not a test: nothing passes or fails on speed. Needs the build (mvn -DskipTests package).
#   deploy/bench/averaging.sh [--rounds 3] [--epochs 2] [--target 0.88] [--cluster] [--cluster-only]
#       [--data DIR] [--work DIR] [-- TRAIN-FLAGS...]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA=/usr/share/datasets/fashion-mnist
ROUNDS=3
EPOCHS=2
TARGET=0.88
LOCAL=1
CLUSTER=0
WORK=/tmp/tributary-averaging-bench
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cluster|--cluster-only|--|-h|--help) ;;
    *) [[ $# -ge 2 ]] || { echo "averaging.sh: $1 needs a value" >&2; exit 2; } ;;
  esac
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    --target) TARGET="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --cluster) CLUSTER=1; shift ;;
    --cluster-only) CLUSTER=1; LOCAL=0; shift ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "averaging.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for n in "$ROUNDS" "$EPOCHS"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "averaging.sh: invalid value $n: rounds and epochs must be positive integers" >&2; exit 2; }
done
[[ "$TARGET" =~ ^0?\.[0-9]+$ ]] || { echo "averaging.sh: invalid value $TARGET for --target: must be between 0 and 1" >&2; exit 2; }
mkdir -p "$WORK"
RESULTS="$WORK/results.txt"
: > "$RESULTS"
echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); train flags: ${EXTRA[*]:-(defaults)}" >> "$RESULTS"

# run PLACE ENGINE ROUND LAUNCH...: one training run; appends one line per epoch to the results
run() {
  local place="$1" engine="$2" round="$3"
  shift 3
  local out="$WORK/runs/$place-$engine-r$round"
  echo "== round $round: $engine, $place" >&2
  if ! "$@" --data "file://$DATA" --epochs "$EPOCHS" --sync "$engine" --seed "$round" --output "file://$out" \
      --overwrite --force-unlock "${EXTRA[@]}" >&2; then
    echo "averaging: $engine, $place, round $round failed" >&2
    echo "averaging place=$place engine=$engine round=$round failed=1" >> "$RESULTS"
    return 0
  fi
  /usr/bin/python3 - "$out/metrics.json" "$place" "$engine" "$round" >> "$RESULTS" <<'PY'
import json, sys
path, place, engine, rnd = sys.argv[1:]
m = json.load(open(path))
for e in m["epochs"]:
    print(f"averaging place={place} engine={engine} round={rnd} epoch={e['epoch']} seconds={e['seconds']:.2f} "
          f"test_accuracy={e['test_accuracy']:.4f}")
PY
}

# both PLACE LAUNCH...: the round's two runs, the first engine alternating between rounds
both() {
  local place="$1" round="$2"
  shift 2
  local engines=(param-avg dl4j-param-avg)
  (( round % 2 == 0 )) && engines=(dl4j-param-avg param-avg)
  for engine in "${engines[@]}"; do
    run "$place" "$engine" "$round" "$@"
  done
}

for ((round = 1; round <= ROUNDS && LOCAL; round++)); do
  both local2 "$round" "$ROOT/bin/tributary" train --master 'local[2]'
done
if [[ "$CLUSTER" == 1 ]]; then
  export TRIBUTARY_CLUSTER_DIR="$WORK/cluster"
  "$ROOT/deploy/local-cluster/down.sh" >/dev/null 2>&1 || true
  eval "$("$ROOT/deploy/local-cluster/up.sh" --workers 2)"
  trap '"$ROOT/deploy/local-cluster/down.sh" >/dev/null 2>&1 || true' EXIT
  for ((round = 1; round <= ROUNDS; round++)); do
    both cluster2 "$round" "$ROOT/deploy/submit.sh" --master "$SPARK_MASTER_URL" --driver-memory 1g -- train
  done
fi

/usr/bin/python3 - "$RESULTS" "$TARGET" <<'PY'
import math, statistics, sys
from collections import defaultdict
path, target = sys.argv[1], float(sys.argv[2])
runs = defaultdict(lambda: defaultdict(list))   # (place, engine) -> round -> [(epoch, seconds, accuracy)]
for line in open(path):
    if not line.startswith("averaging "):
        continue
    f = dict(t.split("=", 1) for t in line.split()[1:])
    epochs = runs[(f["place"], f["engine"])][f["round"]]
    if "failed" not in f:
        epochs.append((int(f["epoch"]), float(f["seconds"]), float(f["test_accuracy"])))

def summary(rounds):
    per_epoch, to_target, accuracy = [], [], defaultdict(list)
    for epochs in rounds.values():
        if not epochs:
            to_target.append(math.inf)
            continue
        per_epoch.append(sum(s for _, s, _ in epochs) / len(epochs))
        total, reached = 0.0, math.inf
        for epoch, seconds, acc in sorted(epochs):
            total += seconds
            accuracy[epoch].append(acc)
            if acc >= target and math.isinf(reached):
                reached = total
        to_target.append(reached)
    # of an even count, the later middle value; an unreached target counts as later than any time
    med = lambda v: statistics.median_high(sorted(v)) if v else math.inf
    return med(per_epoch), med(to_target), {e: med(a) for e, a in sorted(accuracy.items())}, len(rounds)

fmt = lambda x: "not reached" if math.isinf(x) else f"{x:.1f}"
print(f"| place | engine | runs | seconds per epoch | DL4J / this | seconds to {target} | DL4J / this | test accuracy by epoch |")
print("| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |")
for place in sorted({p for p, _ in runs}):
    base = summary(runs[(place, "dl4j-param-avg")]) if (place, "dl4j-param-avg") in runs else None
    for engine in ("param-avg", "dl4j-param-avg"):
        if (place, engine) not in runs:
            continue
        per_epoch, to_target, acc, n = summary(runs[(place, engine)])
        r1 = f"{base[0] / per_epoch:.2f}x" if base and not math.isinf(per_epoch) else ""
        r2 = f"{base[1] / to_target:.2f}x" if base and not (math.isinf(to_target) or math.isinf(base[1])) else ""
        accs = ", ".join(f"{a:.4f}" for a in acc.values())
        print(f"| {place} | {engine} | {n} | {fmt(per_epoch)} | {r1} | {fmt(to_target)} | {r2} | {accs} |")
PY
echo "per-run lines: $RESULTS" >&2
