#!/usr/bin/env bash
# Adds a worker to, or kills one of, the local cluster that deploy/local-cluster/up.sh started: what a
# real cluster does to a run when it grows (autoscaling) or loses a machine (a spot node reclaimed).
#
#   deploy/local-cluster/worker.sh start [--cores 1] [--worker-memory 3g]
#       starts one more worker JVM, waits until it has registered with the master, and prints its id
#       (worker-N: up.sh's workers are worker-1..worker-N, added ones are numbered on; ids are not reused)
#   deploy/local-cluster/worker.sh kill ID
#       SIGKILLs worker ID and the executors it launched, as a machine that vanishes: no shutdown, no
#       goodbye to the master or the driver
#
# Both act only on the cluster in TRIBUTARY_CLUSTER_DIR (default deploy/target/local-cluster), and kill
# only a process recorded there whose start time is still the recorded one. down.sh stops added workers
# with the others.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${TRIBUTARY_CLUSTER_DIR:-$ROOT/deploy/target/local-cluster}"
TIMEOUT="${TRIBUTARY_CLUSTER_TIMEOUT:-120}"
MARK="$STATE/.tributary-local-cluster"

usage() { sed -n '2,15p' "$0"; }
[[ $# -ge 1 ]] || { usage >&2; exit 2; }
command="$1"; shift
if [[ -L "$STATE" || ! -d "$STATE" || -L "$MARK" || ! -f "$MARK" || ! -f "$STATE/pids" ]]; then
  echo "worker.sh: no local cluster in $STATE; start one with deploy/local-cluster/up.sh" >&2; exit 2
fi

# The start time of a process (field 22 of /proc/PID/stat, counted after the command name).
start_time() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  cut -d' ' -f20 <<< "$stat"
}

start_worker() {
  local cores=1 memory=3g
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --cores) cores="${2:-}"; shift 2 ;;
      --worker-memory) memory="${2:-}"; shift 2 ;;
      *) echo "worker.sh: unknown option $1 for start" >&2; exit 2 ;;
    esac
  done
  [[ "$cores" =~ ^[1-9][0-9]*$ ]] || { echo "worker.sh: invalid value $cores for --cores: must be a positive integer" >&2; exit 2; }
  [[ "$memory" =~ ^[1-9][0-9]*[mg]$ ]] || { echo "worker.sh: invalid value $memory for --worker-memory: must be like 512m or 3g" >&2; exit 2; }

  source "$ROOT/deploy/target/tributary.env"
  source "$ROOT/deploy/conf/jvm-options.sh"
  source "$ROOT/deploy/local-cluster/spark-worker.sh"
  local last id log pid deadline
  last="$(awk '$2 ~ /^worker-[0-9]+$/ { sub("worker-", "", $2); if ($2 + 0 > n) n = $2 + 0 } END { print n + 0 }' "$STATE/pids")"
  id="worker-$((last + 1))"
  log="$STATE/logs/$id.log"
  start_spark_worker "$id" "$cores" "$memory" "$(cat "$STATE/master-url")"
  pid=$!
  echo "$pid $id $(start_time "$pid" || echo 0)" >> "$STATE/pids"
  deadline=$((SECONDS + TIMEOUT))
  until grep -q "Successfully registered with master" "$log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "worker.sh: $id exited during start-up; its log is $log" >&2; exit 1
    fi
    if (( SECONDS >= deadline )); then
      kill -KILL "$pid" 2>/dev/null || true
      echo "worker.sh: $id did not register with the master within ${TIMEOUT}s; its log is $log" >&2; exit 1
    fi
    sleep 0.2
  done
  echo "$id"
}

kill_worker() {
  local id="${1:-}" pid started name found="" child killed=()
  [[ "$id" =~ ^worker-[0-9]+$ ]] || { echo "worker.sh: invalid worker id '$id': must be worker-N" >&2; exit 2; }
  while read -r pid name started; do
    [[ "$name" == "$id" ]] && found="$pid $started"
  done < "$STATE/pids"
  [[ -n "$found" ]] || { echo "worker.sh: no worker $id in $STATE" >&2; exit 2; }
  read -r pid started <<< "$found"
  if [[ "$(start_time "$pid" || true)" != "$started" ]]; then
    echo "worker.sh: $id is not running" >&2; exit 2
  fi
  # Its executors: children of the worker running in the cluster's work directory. All are signalled at
  # once, so the worker cannot report a lost executor and have the master start another.
  for child in $(pgrep -P "$pid" 2>/dev/null); do
    [[ "$(readlink "/proc/$child/cwd" 2>/dev/null)" == "$(cd "$STATE" && pwd -P)/work/"* ]] && killed+=("$child")
  done
  kill -KILL "$pid" "${killed[@]}" 2>/dev/null || true
  echo "worker.sh: killed $id ($pid) and its executors (${killed[*]:-none})" >&2
}

case "$command" in
  start) start_worker "$@" ;;
  kill) kill_worker "$@" ;;
  -h|--help) usage ;;
  *) echo "worker.sh: unknown command $command: must be start or kill" >&2; exit 2 ;;
esac
