#!/usr/bin/env bash
# Stops exactly the processes deploy/local-cluster/up.sh started (by their recorded PIDs) and
# removes the cluster's temporary data. Safe to run when nothing is running.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${TRIBUTARY_CLUSTER_DIR:-$ROOT/deploy/target/local-cluster}"
[[ -f "$STATE/pids" ]] || { echo "down.sh: no local cluster recorded in $STATE" >&2; rm -rf "$STATE"; exit 0; }

pids=()
while read -r pid name; do
  [[ -n "$pid" ]] || continue
  # Only signal a process that is still the JVM we started (PIDs can be reused).
  if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "$STATE\|spark-home\|hdfs/jars"; then
    kill "$pid" 2>/dev/null && pids+=("$pid") && echo "down.sh: stopping $name ($pid)" >&2
  fi
done < "$STATE/pids"
# Executors are children of the workers; wait for all to go, then force what is left.
for _ in $(seq 1 30); do
  alive=0
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
  (( alive )) || break
  sleep 1
done
for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
# Executor JVMs launched by the workers run from the workers' work directories.
pkill -9 -f "$STATE/work" 2>/dev/null || true
if [[ "${TRIBUTARY_KEEP_CLUSTER_LOGS:-}" != "" ]]; then
  mkdir -p "$TRIBUTARY_KEEP_CLUSTER_LOGS" && cp -r "$STATE/logs" "$STATE/events" "$TRIBUTARY_KEEP_CLUSTER_LOGS/" 2>/dev/null
fi
rm -rf "$STATE"
echo "down.sh: local cluster stopped" >&2
