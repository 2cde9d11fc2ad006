#!/usr/bin/env bash
# The scoring benchmark in docs/performance.md ("Scoring"): examples/s of `tributary predict` against
# single-process DL4J output() on the same model, data (Fashion-MNIST's 60,000 training images) and
# batch size, in one sitting:
#   1. single process: io.tributary.job.bench.ScoreSingleProcess, the data in memory, output() alone timed, all cores,
#      warm (the median pass after a warm-up) and cold (its first pass, as a fresh JVM scores);
#   2. predict in local[2]: the scoring job's time (reading, scoring, writing Parquet), from its
#      metrics.json, for the IDX files (gzipped: one task reads them), for their Parquet conversion, and
#      for COPIES copies of that Parquet (a longer job, as scoring a table is: the JVMs warm up);
#   3. predict on the 2-worker local standalone cluster (deploy/local-cluster), the copies, the same.
# Prints one table with the ratios to the single process. Not a test: nothing passes or fails on speed.
#   deploy/bench/scoring.sh [--work DIR] [--rounds N] [--batch B] [--copies C] [--no-cluster]
# Needs the build (mvn -DskipTests install).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FASHION=/usr/share/datasets/fashion-mnist
WORK=/tmp/tributary-scoring-bench
ROUNDS=3
BATCH=500
COPIES=4
CLUSTER=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --work) WORK="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --batch) BATCH="$2"; shift 2 ;;
    --copies) COPIES="$2"; shift 2 ;;
    --no-cluster) CLUSTER=0; shift ;;
    *) echo "scoring.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
# shellcheck source=/dev/null
source "$ROOT/deploy/target/tributary.env"
# shellcheck source=../conf/jvm-options.sh
source "$ROOT/deploy/conf/jvm-options.sh"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
CP="$ROOT/deploy/target/spark-home/jars/*:$ROOT/$TRIBUTARY_JAR"
mkdir -p "$WORK"
RESULTS="$WORK/results.tsv"
: > "$RESULTS"

MODEL="$WORK/model"
if [[ ! -f "$MODEL/model.zip" ]]; then
  "$ROOT/bin/tributary" train --data "$FASHION" --master 'local[2]' --epochs 1 --output "$MODEL" --overwrite >&2
fi
PARQUET="$WORK/parquet"
if [[ ! -f "$PARQUET/train/_SUCCESS" ]]; then
  "$ROOT/bin/tributary" convert --data "$FASHION" --to parquet --output "$PARQUET" --master 'local[2]' --overwrite >&2
fi

COPIED="$WORK/parquet-x$COPIES"
if [[ ! -d "$COPIED" ]]; then
  mkdir -p "$COPIED.tmp"
  for ((c = 1; c <= COPIES; c++)); do
    for f in "$PARQUET"/train/part-*.parquet; do cp "$f" "$COPIED.tmp/copy$c-$(basename "$f")"; done
  done
  mv "$COPIED.tmp" "$COPIED"
fi

predict() {   # predict MASTER NAME DATA [launcher args...]: appends "NAME examples/s" to the results
  local master="$1" name="$2" data="$3"
  shift 3
  local split=(--split train)
  [[ "$data" != "$WORK/parquet"* ]] || split=(--input-shape 1,28,28)
  "$@" predict --model "file://$MODEL/model.zip" --data "file://$data" "${split[@]}" --batch-size "$BATCH" \
    --output "file://$WORK/out-$name" --overwrite --master "$master" >&2
  /usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(sys.argv[2] + "\t" + str(m["examples_per_second"]))' \
    "$WORK/out-$name/_tributary/metrics.json" "$name" >> "$RESULTS"
}

if [[ "$CLUSTER" == 1 ]]; then
  export TRIBUTARY_CLUSTER_DIR="$WORK/cluster"
  "$ROOT/deploy/local-cluster/down.sh" >&2 || true
  UP="$("$ROOT/deploy/local-cluster/up.sh" --workers 2)"
  MASTER_URL="$(sed -n 's/^SPARK_MASTER_URL=//p' <<< "$UP")"
  trap '"$ROOT/deploy/local-cluster/down.sh" >&2 || true' EXIT
fi

for ((round = 1; round <= ROUNDS; round++)); do
  echo "== round $round: single process" >&2
  "$JAVA" "${TRIBUTARY_JAVA17_OPENS[@]}" -Dlog4j2.configurationFile="$ROOT/deploy/conf/log4j2.properties" \
    -cp "$CP" io.tributary.job.bench.ScoreSingleProcess "$MODEL/model.zip" "$FASHION" train "$BATCH" 3 \
    | tee /dev/stderr \
    | sed -n 's/^single_process_examples_per_second=\([0-9.]*\) first_pass=\([0-9.]*\).*/single\t\1\ncold\t\2/p' >> "$RESULTS"
  echo "== round $round: predict, local[2]" >&2
  predict 'local[2]' local-idx "$FASHION" "$ROOT/bin/tributary"
  predict 'local[2]' local-parquet "$PARQUET/train" "$ROOT/bin/tributary"
  predict 'local[2]' local-copies "$COPIED" "$ROOT/bin/tributary"
  if [[ "$CLUSTER" == 1 ]]; then
    echo "== round $round: predict, 2-worker cluster" >&2
    predict "$MASTER_URL" cluster-copies "$COPIED" "$ROOT/deploy/submit.sh" --master "$MASTER_URL" --
  fi
done

/usr/bin/python3 - "$RESULTS" "$ROUNDS" "$BATCH" "$COPIES" <<'PY'
import statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
def med(name):
    values = [float(r[1]) for r in rows if r[0] == name]
    return statistics.median(values) if values else float("nan")
single = med("single")
print(f"Scoring Fashion-MNIST's 60,000 training images with seed-cnn, batch {sys.argv[3]}, median of {sys.argv[2]} round(s)")
print(f"{'':<38} {'examples/s':>11} {'vs single process':>18}")
for name, label in [("single", "single-process output(), warm"), ("cold", "single-process output(), cold"),
                    ("local-idx", "predict, local[2], IDX (gzip)"), ("local-parquet", "predict, local[2], Parquet"),
                    ("local-copies", f"predict, local[2], Parquet x{sys.argv[4]}"),
                    ("cluster-copies", f"predict, 2-worker cluster, Parquet x{sys.argv[4]}")]:
    v = med(name)
    if v == v:
        print(f"{label:<38} {v:>11.0f} {v / single:>18.2f}")
PY
