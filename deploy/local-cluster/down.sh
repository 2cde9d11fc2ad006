#!/usr/bin/env bash
# Stops exactly the processes deploy/local-cluster/up.sh started (and the workers worker.sh added) and
# removes the cluster's directory.
# It deletes only a directory that up.sh marked as its own, and signals only the recorded daemons
# (and their executors, or YARN's containers) while they are still the processes up.sh started: a PID
# is trusted only with the start time recorded for it, since PIDs are reused. Safe to run when nothing
# is running.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${TRIBUTARY_CLUSTER_DIR:-$ROOT/deploy/target/local-cluster}"
MARK="$STATE/.tributary-local-cluster"

[[ -e "$STATE" || -L "$STATE" ]] || { echo "down.sh: no local cluster in $STATE" >&2; exit 0; }
if [[ -L "$STATE" || ! -d "$STATE" || -L "$MARK" || ! -f "$MARK" ]]; then
  echo "down.sh: $STATE was not made by deploy/local-cluster/up.sh (it has no $MARK); leaving it and its processes alone" >&2
  exit 2
fi
STATE="$(cd "$STATE" && pwd -P)"

# The start time of a process (field 22 of /proc/PID/stat, counted after the command name).
start_time() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  cut -d' ' -f20 <<< "$stat"
}
still_ours() { [[ "$1" =~ ^[0-9]+$ && -n "$2" && "$(start_time "$1")" == "$2" ]]; }

# The processes under $1 that run in the cluster's directories: a worker's executors (in its work
# directory), a NodeManager's containers and their children (in its container directories).
descendants() {
  local child
  for child in $(pgrep -P "$1" 2>/dev/null); do
    case "$(readlink "/proc/$child/cwd" 2>/dev/null)" in
      "$STATE/work/"*|"$STATE/yarn/"*) echo "$child" ;;
    esac
    descendants "$child"
  done
}

# The recorded daemons that are still ours, then what they launched (executors, containers), found
# before the daemons go.
targets=()
if [[ -f "$STATE/pids" ]]; then
  while read -r pid name started; do
    still_ours "$pid" "${started:-}" || continue
    targets+=("$pid $started $name")
    for child in $(descendants "$pid"); do
      targets+=("$child $(start_time "$child") process of $name")
    done
  done < "$STATE/pids"
fi

signal() {
  local sig="$1" t pid started name
  for t in "${targets[@]}"; do
    read -r pid started name <<< "$t"
    still_ours "$pid" "$started" && kill "-$sig" "$pid" 2>/dev/null \
      && [[ "$sig" == TERM ]] && echo "down.sh: stopping $name ($pid)" >&2
  done
}
alive() {
  local t pid started
  for t in "${targets[@]}"; do read -r pid started _ <<< "$t"; still_ours "$pid" "$started" && return 0; done
  return 1
}

if (( ${#targets[@]} )); then
  signal TERM
  for _ in $(seq 1 30); do alive || break; sleep 1; done
  signal KILL
fi
if [[ "${TRIBUTARY_KEEP_CLUSTER_LOGS:-}" != "" ]]; then
  mkdir -p "$TRIBUTARY_KEEP_CLUSTER_LOGS" && cp -r "$STATE/logs" "$STATE/events" "$TRIBUTARY_KEEP_CLUSTER_LOGS/" 2>/dev/null
fi
rm -rf "$STATE"
echo "down.sh: local cluster stopped" >&2
