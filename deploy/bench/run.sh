#!/usr/bin/env bash
# The performance benchmark: the PyTorch peer (../shared/bench/torch_peer.py or $TORCH_PEER),
# single-process DL4J and Tributary in local mode, all in this session; prints one table of
# medians with ratios. Options are passed to `tributary bench` (--batch-sizes, --repeats,
# --train-examples, --master ...). Not a test: nothing here passes or fails on speed.
#   deploy/bench/run.sh --repeats 3
# With --time-to-accuracy first, the time-to-accuracy benchmark instead (deploy/bench/time-to-accuracy.sh,
# which lists its options):
#   deploy/bench/run.sh --time-to-accuracy --rounds 3
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
if [[ "${1:-}" == --time-to-accuracy ]]; then
  shift
  exec "$ROOT/deploy/bench/time-to-accuracy.sh" "$@"
fi
DATA=/usr/share/datasets/fashion-mnist
REPEATS=3
BATCHES=32,128
LIMIT=0
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[$i]}" in
    --repeats) REPEATS="${args[$((i + 1))]}" ;;
    --batch-sizes) BATCHES="${args[$((i + 1))]}" ;;
    --train-examples) LIMIT="${args[$((i + 1))]}" ;;
    --data) DATA="${args[$((i + 1))]}" ;;
  esac
done
# shellcheck source=peer.sh
source "$ROOT/deploy/bench/peer.sh"
PEER_OUT="$(mktemp)"
if [[ "$PEER_READY" == 1 ]]; then
  for b in ${BATCHES//,/ }; do
    for _ in $(seq 1 "$REPEATS"); do
      /usr/bin/python3 "$PEER" --data "$DATA" --batch "$b" --threads "$(nproc)" \
        ${LIMIT:+$([[ "$LIMIT" != 0 ]] && echo --limit "$LIMIT")} | tee -a "$PEER_OUT" >&2
    done
  done
fi
exec "$ROOT/bin/tributary" bench --data "$DATA" --peer "$PEER_OUT" "$@"
