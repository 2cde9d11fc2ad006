#!/usr/bin/env bash
# Spark GPU discovery script (spark.executor.resource.gpu.discoveryScript and
# spark.worker.resource.gpu.discoveryScript): prints the GPUs nvidia-smi sees in Spark's resource
# format, e.g. {"name": "gpu", "addresses": ["0","1"]}. Exits non-zero, with the reason on stderr,
# when nvidia-smi is missing or fails, so that Spark refuses to start a GPU executor without GPUs.
set -euo pipefail
if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "discover-gpus: nvidia-smi not found on $(hostname); install the NVIDIA driver" >&2
  exit 1
fi
if ! indexes="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1)"; then
  echo "discover-gpus: nvidia-smi failed on $(hostname): $indexes" >&2
  exit 1
fi
addresses=""
while IFS= read -r line; do
  index="${line//[[:space:]]/}"
  [[ -z "$index" ]] && continue
  if [[ ! "$index" =~ ^[0-9]+$ ]]; then
    echo "discover-gpus: unexpected nvidia-smi output line: $line" >&2
    exit 1
  fi
  addresses+="${addresses:+,}\"$index\""
done <<< "$indexes"
printf '{"name": "gpu", "addresses": [%s]}\n' "$addresses"
