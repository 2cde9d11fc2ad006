#!/usr/bin/env bash
# Runs every test of Tributary on this machine, installing what they need first:
#   1. the fast tier: unit and Spark local-mode tests (mvn install; `mvn test` runs the same),
#   2. the heavy tier (-Pheavy: resume, retraining, shared gradients, reproducibility, rendering),
#      the attack suite (-Psecurity) and the documentation's commands as written (-Pdocs),
#   3. integration tests (tagged "integration"): a real Spark standalone cluster and HDFS started by
#      deploy/local-cluster/up.sh, and YARN (a ResourceManager and NodeManagers) with HDFS started by
#      up.sh --yarn, jobs submitted with deploy/submit.sh, the deploy scripts' names,
#   4. the acceptance run: the README's first command, 1 epoch of Fashion-MNIST in local[2],
#      which must reach a test accuracy of at least 0.85,
#   5. the notebooks (notebooks/*.ipynb) executed with jupyter nbconvert on that run and on a registry
#      made by two retrainings,
#   6. the CUDA build (-Pcuda) resolves and packages its own jar with ND4J's CUDA backend, leaving the
#      CPU jar the scripts use untouched (no GPU here: docs/gpu.md says what runs where).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

deploy/setup.sh --for-tests

echo "== fast tier: unit and Spark local-mode tests" >&2
mvn -B install
# What users' runs start with after deploy/setup.sh: the tiers below run bin/tributary, submit.sh's
# driver and the local cluster's executors with them, and LocalClusterIT checks the executors map theirs.
deploy/class-archive.sh

for tier in heavy security docs; do
  echo "== $tier tier" >&2
  mvn -B -pl common,spark-job surefire:test -P"$tier" -Dsurefire.failIfNoSpecifiedTests=false
done

echo "== integration tests: local standalone cluster, YARN and HDFS" >&2
mvn -B -pl spark-job surefire:test -Pintegration

echo "== acceptance: 1 epoch of Fashion-MNIST in local[2]" >&2
out="$(mktemp -d)/fashion-mnist"
bin/tributary train --data /usr/share/datasets/fashion-mnist --output "$out" --epochs 1 --master 'local[2]'
python3 - "$out/metrics.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
acc = m["test_accuracy"]
print(f"acceptance: test accuracy {acc:.4f}, {m['examples_per_second']:.0f} examples/s, {m['wall_seconds']:.1f} s wall")
if acc < 0.85:
    sys.exit(f"acceptance failed: test accuracy {acc:.4f} is below 0.85")
PY

echo "== notebooks: executed on the acceptance run and on a registry of two retrainings" >&2
registry="$(dirname "$out")/registry"
for n in 1 2; do
  # The second retraining uses more data; --force, since the files (the fingerprint) are the same.
  bin/tributary retrain --registry "$registry" --data /usr/share/datasets/fashion-mnist --master 'local[2]' \
    --train-examples $((n * 3000)) --test-examples 2000 --holdout /usr/share/datasets/fashion-mnist --force
done
nbdir="$(dirname "$out")/notebooks"
TRIBUTARY_RUN="$out" TRIBUTARY_DATA=/usr/share/datasets/fashion-mnist \
  jupyter-nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 --output-dir "$nbdir" notebooks/run.ipynb
TRIBUTARY_REGISTRY="$registry" \
  jupyter-nbconvert --to notebook --execute --ExecutePreprocessor.timeout=300 --output-dir "$nbdir" notebooks/registry.ipynb
rm -rf "$(dirname "$out")"

echo "== the CUDA build: mvn -Pcuda package (downloads ND4J's 600 MB CUDA natives once)" >&2
cpu_jar="$(ls spark-job/target/tributary-spark-job-*-shaded.jar)"
cpu_sum="$(sha256sum "$cpu_jar" | cut -d' ' -f1)"
mvn -B -Pcuda -DskipTests -pl common,spark-job package
cuda_jar="$(ls spark-job/target/tributary-spark-job-*-cuda.jar)"
listing="$(jar tf "$cuda_jar")"
grep -q '^org/nd4j/linalg/jcublas/JCublasBackend.class$' <<< "$listing" || { echo "no CUDA backend in $cuda_jar" >&2; exit 1; }
grep -q 'libnd4jcuda.so$' <<< "$listing" || { echo "no CUDA natives in $cuda_jar" >&2; exit 1; }
if grep -q '^org/nd4j/linalg/cpu/nativecpu/CpuBackend.class$' <<< "$listing"; then
  echo "$cuda_jar also holds the CPU backend" >&2; exit 1
fi
[[ "$(sha256sum "$cpu_jar" | cut -d' ' -f1)" == "$cpu_sum" ]] || { echo "-Pcuda changed $cpu_jar" >&2; exit 1; }
echo "cuda build: $cuda_jar ($(du -m "$cuda_jar" | cut -f1) MB); CPU jar unchanged" >&2
echo "== all tests passed" >&2
