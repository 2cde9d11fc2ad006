#!/usr/bin/env bash
# The op-level profile in docs/performance.md: single-process DL4J with ND4J's op profiler, time per
# op type for a variant of the reference CNN (as-written | pool-relu | nhwc | built: the zoo's network
# as run on this backend, fused on CPUs). Needs the build.
#   deploy/bench/op-profile.sh [BATCH=128] [THREADS=2] [VARIANT=pool-relu]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/deploy/target/tributary.env"
source "$ROOT/deploy/conf/jvm-options.sh"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$JAVA" "${TRIBUTARY_JAVA17_OPENS[@]}" -cp "$ROOT/deploy/target/spark-home/jars/*:$ROOT/$TRIBUTARY_JAR" \
  io.tributary.job.bench.OpProfile "${1:-128}" "${2:-2}" "${3:-pool-relu}"
