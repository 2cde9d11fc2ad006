#!/usr/bin/env bash
# Time to accuracy (docs/performance.md "Time to accuracy"): the training seconds each side needs to
# first reach each target test accuracy (0.88 and 0.90) on full Fashion-MNIST with the reference CNN,
# evaluating after every epoch, evaluation time excluded on every side. In one sitting, ROUNDS rounds,
# each round running every configuration once (so a slow spell of the machine hits all of them):
#   - the PyTorch peer (../shared/bench/torch_peer.py --target-accuracy T1,T2), tuned over a grid: every
#     --peer-batches, --peer-lrs (Adam's rate) and --peer-schedules (constant, or onecycle/E: PyTorch's
#     one-cycle schedule peaking at the rate over E epochs), one run per recipe that records each target
#     and stops at the last (or after --peer-epochs); the table compares against the best recipe per target;
#   - single-process DL4J (`tributary bench --time-to-accuracy`, a fresh JVM per run), at --single-batches;
#   - `tributary train --master 'local[2]'`, a fresh JVM per run: parameter averaging at each of
#     --batches, one run of each length in --run-epochs (train's one-cycle schedule spans a run's epochs,
#     so each length is a recipe of its own, as the peer's one-cycle lengths are), and shared gradients at
#     train's default batch size (--shared-epochs epochs);
#   - with --cluster, the same parameter-averaging run through deploy/submit.sh on the 2-worker local
#     standalone cluster (deploy/local-cluster), after the local rounds.
# A Tributary run that fails or outlives --run-timeout seconds (default 1800) is killed, recorded as failed
# and counted as never reaching its targets; the sitting goes on.
# Every Tributary and single-process run uses train's defaults except the batch size; flags after --
# go to every Tributary run and, for --learning-rate, to the single process (to try other settings).
# Prints the table of medians and the accuracies at equal epochs; the per-run lines stay in
# WORK/results.txt. Not a test: nothing passes or fails on speed. Needs the build (mvn install).
#   deploy/bench/time-to-accuracy.sh [--rounds 3] [--epochs 5] [--run-epochs 1,2,3] [--shared-epochs 3] [--targets 0.88,0.90]
#       [--peer-batches 32,128,256] [--peer-lrs 1e-3,3e-3,5e-3,1e-2] [--peer-schedules constant,onecycle/1,onecycle/2,onecycle/4]
#       [--peer-epochs 10] [--batches 64,128] [--single-batches 128] [--cluster] [--cluster-only]
#       [--no-peer] [--run-timeout S] [--data DIR] [--work DIR] [-- TRAIN-FLAGS...]
# (--cluster-only: just the cluster's runs, into WORK/results-cluster.txt; time_to_accuracy_table.py makes
# one table of several results files.)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DATA=/usr/share/datasets/fashion-mnist
ROUNDS=3
EPOCHS=5
RUN_EPOCHS=1,2,3
SHARED_EPOCHS=3
PEER_EPOCHS=10
TARGETS=0.88,0.90
PEER_BATCHES=32,128,256
PEER_LRS=1e-3,3e-3,5e-3,1e-2
PEER_SCHEDULES=constant,onecycle/1,onecycle/2,onecycle/4
BATCHES=64,128
SINGLE_BATCHES=128
CLUSTER=0
LOCAL=1
RUN_PEER=1
RUN_TIMEOUT=1800
WORK=/tmp/tributary-time-to-accuracy
EXTRA=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cluster|--cluster-only|--no-peer|--|-h|--help) ;;
    *) [[ $# -ge 2 ]] || { echo "time-to-accuracy.sh: $1 needs a value" >&2; exit 2; } ;;
  esac
  case "$1" in
    --rounds) ROUNDS="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    --run-epochs) RUN_EPOCHS="$2"; shift 2 ;;
    --shared-epochs) SHARED_EPOCHS="$2"; shift 2 ;;
    --targets) TARGETS="$2"; shift 2 ;;
    --peer-batches) PEER_BATCHES="$2"; shift 2 ;;
    --peer-lrs) PEER_LRS="$2"; shift 2 ;;
    --peer-schedules) PEER_SCHEDULES="$2"; shift 2 ;;
    --peer-epochs) PEER_EPOCHS="$2"; shift 2 ;;
    --batches) BATCHES="$2"; shift 2 ;;
    --single-batches) SINGLE_BATCHES="$2"; shift 2 ;;
    --cluster) CLUSTER=1; shift ;;
    --cluster-only) CLUSTER=1; LOCAL=0; shift ;;
    --no-peer) RUN_PEER=0; shift ;;
    --run-timeout) RUN_TIMEOUT="$2"; shift 2 ;;
    --work) WORK="$2"; shift 2 ;;
    --data) DATA="$2"; shift 2 ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n "2,$(grep -n "^set -euo" "$0" | cut -d: -f1)p" "$0" | sed "$ d"; exit 0 ;;
    *) echo "time-to-accuracy.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
for n in "$ROUNDS" "$EPOCHS" "$SHARED_EPOCHS" "$PEER_EPOCHS" "$RUN_TIMEOUT"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "time-to-accuracy.sh: invalid value $n: rounds, epochs and the run timeout must be positive integers" >&2; exit 2; }
done
for n in ${RUN_EPOCHS//,/ }; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "time-to-accuracy.sh: invalid --run-epochs entry $n: a positive integer" >&2; exit 2; }
done
for s in ${PEER_SCHEDULES//,/ }; do
  [[ "$s" == constant || "$s" =~ ^onecycle/[1-9][0-9]*$ ]] \
    || { echo "time-to-accuracy.sh: invalid --peer-schedules entry $s: constant or onecycle/EPOCHS" >&2; exit 2; }
done
SINGLE_RATE=0
for ((i = 0; i < ${#EXTRA[@]}; i++)); do
  case "${EXTRA[$i]}" in
    --learning-rate) SINGLE_RATE="${EXTRA[$((i + 1))]}" ;;
    --learning-rate=*) SINGLE_RATE="${EXTRA[$i]#*=}" ;;
  esac
done
if [[ "$RUN_PEER" == 1 && "$LOCAL" == 1 ]]; then
  # shellcheck source=peer.sh
  source "$ROOT/deploy/bench/peer.sh"
  RUN_PEER="$PEER_READY"
fi
mkdir -p "$WORK"
RESULTS="$WORK/results$([[ "$LOCAL" == 1 ]] || echo -cluster).txt"
: > "$RESULTS"
{ echo "# $(date -u +%FT%TZ) $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "# targets $TARGETS; train flags: ${EXTRA[*]:-(defaults)}"; } >> "$RESULTS"

# tributary NAME ROUND BATCH EPOCHS LAUNCH...: one training run; appends one line per epoch to the results
tributary() {
  local name="$1" round="$2" batch="$3" epochs="$4"
  shift 4
  local out="$WORK/runs/${name//\//-}-b$batch-r$round"
  echo "== round $round: $name, batch $batch" >&2
  if ! timeout --kill-after=30 "$RUN_TIMEOUT" "$@" --data "file://$DATA" --epochs "$epochs" \
      --batch-size-per-worker "$batch" --output "file://$out" --overwrite --force-unlock "${EXTRA[@]}" >&2; then
    echo "time-to-accuracy: $name, batch $batch, round $round failed or outlived ${RUN_TIMEOUT}s; counted as never reaching its targets" >&2
    echo "time-to-accuracy run=$name batch=$batch repeat=$round failed=1" >> "$RESULTS"
    return 0
  fi
  /usr/bin/python3 - "$out/metrics.json" "$name" "$batch" "$round" >> "$RESULTS" <<'PY'
import json, sys
path, name, batch, rnd = sys.argv[1:]
m, seconds = json.load(open(path)), 0.0
for e in m["epochs"]:
    seconds += e["seconds"]
    print(f"time-to-accuracy run={name} batch={batch} repeat={rnd} epoch={e['epoch']} seconds={seconds:.2f} "
          f"test_accuracy={e['test_accuracy']:.4f} seconds_to_first_step={m['seconds_to_first_step']:.1f}")
PY
}

for ((round = 1; round <= ROUNDS && LOCAL; round++)); do
  if [[ "$RUN_PEER" == 1 ]]; then
    for b in ${PEER_BATCHES//,/ }; do
      for lr in ${PEER_LRS//,/ }; do
        for sched in ${PEER_SCHEDULES//,/ }; do
          schedule=(--schedule constant)
          [[ "$sched" == constant ]] || schedule=(--schedule onecycle --schedule-epochs "${sched#onecycle/}")
          echo "== round $round: peer, batch $b, Adam $lr, $sched" >&2
          if ! line="$(timeout --kill-after=30 "$RUN_TIMEOUT" /usr/bin/python3 "$PEER" --data "$DATA" --batch "$b" \
              --threads "$(nproc)" --epochs "$PEER_EPOCHS" --lr "$lr" "${schedule[@]}" --target-accuracy "$TARGETS")"; then
            # Counted as never reaching its targets, like a failed Tributary run; the sitting goes on.
            echo "time-to-accuracy: peer, batch $b, Adam $lr, $sched, round $round failed or outlived ${RUN_TIMEOUT}s" >&2
            line="peer=failed batch=$b lr=$lr schedule=$sched epochs=0"
            for t in ${TARGETS//,/ }; do line+=" time_to_${t}_s=none"; done
          fi
          echo "$line" >&2
          echo "time-to-accuracy run=peer repeat=$round $line" >> "$RESULTS"
        done
      done
    done
  fi
  echo "== round $round: single-process DL4J, batch $SINGLE_BATCHES" >&2
  "$ROOT/bin/tributary" bench --data "$DATA" --time-to-accuracy "$TARGETS" --batch-sizes "$SINGLE_BATCHES" \
    --epochs "$EPOCHS" --repeats 1 --learning-rate "$SINGLE_RATE" | sed "s/repeat=1/repeat=$round/" >> "$RESULTS"
  for b in ${BATCHES//,/ }; do
    for e in ${RUN_EPOCHS//,/ }; do
      tributary "param-avg/$e" "$round" "$b" "$e" "$ROOT/bin/tributary" train --master 'local[2]'
    done
  done
  tributary shared-gradients "$round" 128 "$SHARED_EPOCHS" "$ROOT/bin/tributary" train --master 'local[2]' \
    --sync shared-gradients
done

if [[ "$CLUSTER" == 1 ]]; then
  export TRIBUTARY_CLUSTER_DIR="$WORK/cluster"
  "$ROOT/deploy/local-cluster/down.sh" >/dev/null 2>&1 || true
  eval "$("$ROOT/deploy/local-cluster/up.sh" --workers 2)"
  trap '"$ROOT/deploy/local-cluster/down.sh" >/dev/null 2>&1 || true' EXIT
  CLUSTER_BATCH="${BATCHES##*,}"
  for ((round = 1; round <= ROUNDS; round++)); do
    tributary "cluster-param-avg/${RUN_EPOCHS##*,}" "$round" "$CLUSTER_BATCH" "${RUN_EPOCHS##*,}" "$ROOT/deploy/submit.sh" \
      --master "$SPARK_MASTER_URL" --driver-memory 1g --
  done
fi

/usr/bin/python3 "$ROOT/deploy/bench/time_to_accuracy_table.py" --targets "$TARGETS" "$RESULTS"
echo "per-run lines: $RESULTS" >&2
