#!/usr/bin/env bash
# Prepares a fresh Debian/Ubuntu machine for Tributary: JDK 17 and Maven (installed if missing),
# the Fashion-MNIST dataset package, then the build (shaded job jar and a Spark home from Maven Central).
# Idempotent; run it from anywhere.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
fi

need=()
java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
if ! command -v java >/dev/null 2>&1 || [[ "$(java_major)" -lt 17 ]]; then need+=(openjdk-17-jdk-headless); fi
command -v mvn >/dev/null 2>&1 || need+=(maven)
[[ -f /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]] || need+=(dataset-fashion-mnist)

if [[ ${#need[@]} -gt 0 ]]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: please install ${need[*]} (no apt-get on this machine)" >&2
    exit 1
  fi
  echo "setup: installing ${need[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "setup: building (mvn package, tests skipped)" >&2
(cd "$ROOT" && mvn -B -q -DskipTests package)
echo "setup: done; run bin/tributary --help" >&2
