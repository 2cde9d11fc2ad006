#!/usr/bin/env bash
# Prepares a fresh Debian/Ubuntu machine for Tributary: JDK 17 and Maven (installed if missing),
# the Fashion-MNIST dataset package, fonts for the charts of run reports, then the build (shaded job
# jar and a Spark home from Maven Central). With --for-tests, what the tests use instead of the build:
# Chromium (renders report.html headless), Jupyter's nbconvert with matplotlib and the IPython kernel
# (executes notebooks/); deploy/test.sh builds with the tests.
# Idempotent; run it from anywhere.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi

for_tests=""
[[ "${1:-}" == "--for-tests" ]] && for_tests=1

need=()
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
if ! command -v java >/dev/null 2>&1 || [[ "$(java_major)" -lt 17 ]]; then need+=(openjdk-17-jdk-headless); fi
command -v mvn >/dev/null 2>&1 || need+=(maven)
[[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]] || need+=(dataset-fashion-mnist)
command -v fc-list >/dev/null 2>&1 && [[ -n "$(fc-list 2>/dev/null | head -n1)" ]] || need+=(fontconfig fonts-dejavu-core)
if [[ -n "$for_tests" ]]; then
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  [[ -x /usr/bin/python3 ]] || need+=(python3)
  command -v jupyter-nbconvert >/dev/null 2>&1 || need+=(jupyter-nbconvert)
  /usr/bin/python3 -c "import matplotlib" >/dev/null 2>&1 || need+=(python3-matplotlib)
  /usr/bin/python3 -c "import ipykernel" >/dev/null 2>&1 || need+=(python3-ipykernel)
fi

if [[ ${#need[@]} -gt 0 ]]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: please install ${need[*]} (no apt-get on this machine)" >&2
    exit 1
  fi
  echo "setup: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# With --for-tests the caller (deploy/test.sh) builds next, with the fast tier's tests, and writes the
# class-data archive before the other tiers run.
if [[ -n "$for_tests" ]]; then
  echo "setup: done; deploy/test.sh builds and tests next" >&2
  exit 0
fi
echo "setup: building (mvn package, tests skipped)" >&2
(cd "$ROOT" && mvn -B -q -DskipTests package)
# The class-data archive bin/tributary starts faster with.
echo "setup: recording the classes a training run loads (deploy/class-archive.sh)" >&2
"$ROOT/deploy/class-archive.sh" || echo "setup: no class-data archive; bin/tributary starts without one" >&2
echo "setup: done; run bin/tributary --help" >&2
