#!/usr/bin/env bash
# The data benchmark in docs/performance.md ("Reading data"): one epoch of Fashion-MNIST read as IDX,
# as Parquet (tributary convert) and as an image folder of PNGs, in local[2]; Parquet repeated 10
# times (600,000 training examples) in local[2]; and on the 2-worker local cluster with a 512 MiB
# driver, 60,000 and 1,200,000 examples (20 copies: more bytes than the driver's heap, and than the
# executors' storage memory: --cache memory-and-disk). Prints one
# table: examples/s, seconds from the job's start to its first training step, the driver's peak RSS
# and heap, the executors' cached batches. Not a test: nothing here passes or fails on speed.
#   deploy/bench/data.sh [--work DIR] [--copies 20] [--skip-cluster] [--only "RUN ..."]
# --only runs just the named runs (idx parquet images parquet-x10 cache-memory cache-memory-and-disk
# cache-disk cache-none cluster-parquet cluster-parquet-xN),
# adding their rows to the results of the last full run.
# Needs the build (mvn install) and, for the cluster, nothing running under deploy/target/bench-cluster.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
FASHION=/usr/share/datasets/fashion-mnist
WORK=/tmp/tributary-data-bench
COPIES=20
CLUSTER=1
ONLY=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --work) WORK="$2"; shift 2 ;;
    --copies) COPIES="$2"; shift 2 ;;
    --skip-cluster) CLUSTER=0; shift ;;
    --only) ONLY="$2"; shift 2 ;;
    *) echo "data.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
source "$ROOT/deploy/target/tributary.env"
# shellcheck source=../conf/jvm-options.sh
source "$ROOT/deploy/conf/jvm-options.sh"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
mkdir -p "$WORK/runs"
RESULTS="$WORK/results.tsv"
[[ -n "$ONLY" ]] || : > "$RESULTS"

# The inputs, made once: Parquet (60k train), an image folder, and copies of the Parquet part files.
[[ -d "$WORK/parquet" ]] || "$ROOT/bin/tributary" convert --data "$FASHION" --to parquet --output "$WORK/parquet" --master 'local[2]'
if [[ ! -d "$WORK/images" ]]; then
  CP="$ROOT/deploy/target/spark-home/jars/*:$ROOT/$TRIBUTARY_JAR"
  "$JAVA" "${TRIBUTARY_JAVA17_OPENS[@]}" -cp "$CP" io.tributary.job.bench.ImageFolderOf "$FASHION" train "$WORK/images.tmp/train"
  "$JAVA" "${TRIBUTARY_JAVA17_OPENS[@]}" -cp "$CP" io.tributary.job.bench.ImageFolderOf "$FASHION" t10k "$WORK/images.tmp/test"
  mv "$WORK/images.tmp" "$WORK/images"
fi
copies() {   # copies N: $WORK/parquet-xN/train, N hard-linked copies of the part files
  local dir="$WORK/parquet-x$1/train"
  if [[ ! -d "$dir" ]]; then
    mkdir -p "$dir.tmp"
    for ((k = 1; k <= $1; k++)); do
      for f in "$WORK"/parquet/train/part-*.parquet; do ln "$f" "$dir.tmp/c$k-$(basename "$f")"; done
    done
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}

# [EPOCHS=N] run NAME WHERE TRAIN-ARGS...: trains one epoch (or N), appends its figures to $RESULTS
run() {
  local name="$1" where="$2"; shift 2
  local out="$WORK/runs/$name"
  [[ -z "$ONLY" || " $ONLY " == *" $name "* ]] || return 0
  echo "== $name ($where)" >&2
  if [[ "$where" == local ]]; then
    "$ROOT/bin/tributary" train --master 'local[2]' --epochs "${EPOCHS:-1}" --output "$out" --overwrite --force-unlock "$@" >&2
  else
    "$ROOT/deploy/submit.sh" --master "$SPARK_MASTER_URL" --driver-memory 512m -- \
      --epochs 1 --output "$out" --overwrite --force-unlock "$@" >&2
  fi
  /usr/bin/python3 - "$name" "$where" "$out/metrics.json" "$@" >> "$RESULTS" <<'PY'
import json, os, subprocess, sys
name, where, path, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
m = json.load(open(path))
data = args[args.index("--data") + 1]
size = int(subprocess.run(["du", "-sbl", data.removeprefix("file://")], capture_output=True, text=True).stdout.split()[0]) if not data.startswith("hdfs") else 0
mem = m["driver"]
print("\t".join(str(x) for x in [name, where, m["epochs"][0]["examples"], size, f"{m['examples_per_second']:.0f}",
    f"{m['seconds_to_first_step']:.1f}", f"{mem['max_heap_mb']:.0f}", f"{mem['peak_heap_mb']:.0f}",
    f"{mem['peak_rss_mb']:.0f}", f"{m['cached_batches_mb']:.0f}", f"{m['test_accuracy']:.4f}"]))
PY
}

P="$WORK/parquet"
run idx local --data "$FASHION"
run parquet local --data "$P/train" --test-data "$P/test" --input-shape 1,28,28
run images local --data "$WORK/images/train" --test-data "$WORK/images/test" --format images --input-shape 1,28,28
run parquet-x10 local --data "$(copies 10)" --test-data "$P/test" --input-shape 1,28,28
# The storage level the batches are kept at between steps and epochs (2 epochs: the second reads the cache).
for level in memory memory-and-disk disk none; do
  EPOCHS=2 run "cache-$level" local --data "$P/train" --test-data "$P/test" --input-shape 1,28,28 --cache "$level"
done

if [[ "$CLUSTER" == 1 && ( -z "$ONLY" || "$ONLY" == *cluster* ) ]]; then
  export TRIBUTARY_CLUSTER_DIR="$ROOT/deploy/target/bench-cluster"
  "$ROOT/deploy/local-cluster/down.sh" >/dev/null 2>&1 || true
  eval "$("$ROOT/deploy/local-cluster/up.sh" --workers 2)"
  trap '"$ROOT/deploy/local-cluster/down.sh" >/dev/null 2>&1 || true' EXIT
  run cluster-parquet cluster --data "file://$P/train" --test-data "file://$P/test" --input-shape 1,28,28
  # More than the executors' storage memory holds: batches spill to their local disks.
  run "cluster-parquet-x$COPIES" cluster --data "file://$(copies "$COPIES")" --test-data "file://$P/test" \
    --input-shape 1,28,28 --cache memory-and-disk
fi

/usr/bin/python3 - "$RESULTS" <<'PY'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
head = ["run", "where", "train examples", "input MiB", "examples/s", "s to first step", "driver heap max MiB",
        "driver peak heap MiB", "driver peak RSS MiB", "cached batches MiB", "test accuracy"]
print("| " + " | ".join(head) + " |")
print("|" + "---|" * len(head))
for r in rows:
    r[3] = f"{int(r[3]) / 2**20:.0f}" if r[3] != "0" else ""
    print("| " + " | ".join(r) + " |")
by = {r[0]: r for r in rows}
if "idx" in by and "parquet" in by:
    print(f"\nParquet / IDX examples/s: {float(by['parquet'][4]) / float(by['idx'][4]):.2f}")
PY
