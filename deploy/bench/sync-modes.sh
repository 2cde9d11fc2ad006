#!/usr/bin/env bash
# The sync-mode comparison in docs/performance.md: single-process DL4J, parameter averaging
# (every 5 and every 20 batches) and shared gradients, on Fashion-MNIST with the reference CNN in
# local[2], after 1 and after 3 epochs, all in this process. Extra options go to `tributary bench`
# (--train-examples N for a quick run, --batch-sizes B, --epochs E, --json FILE); the data is
# $TRIBUTARY_DATA, by default Debian's Fashion-MNIST.
#   deploy/bench/sync-modes.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
exec "$ROOT/bin/tributary" bench --data "${TRIBUTARY_DATA:-/usr/share/datasets/fashion-mnist}" --sync-modes --epochs 3 --batch-sizes 128 --master 'local[2]' "$@"
