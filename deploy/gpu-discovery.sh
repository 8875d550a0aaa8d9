#!/usr/bin/env bash
# GPU discovery script for Spark's resource scheduling (spark.{driver,executor}.resource.gpu.discoveryScript).
# Spark runs it when an executor starts and reads one JSON object from stdout:
#   {"name":"gpu","addresses":["0","1"]}
# The addresses are the GPU indices nvidia-smi reports, i.e. the devices this container or host may use (under
# Kubernetes the NVIDIA device plugin already narrowed them to the pod's GPUs). Spark hands each task its share
# through TaskContext.resources(); our trainer selects that device.
#
# Exit status is non-zero, with the reason on stderr, when nvidia-smi is missing or fails: the executor then fails to
# start, which is what you want when GPUs were asked for but cannot be seen.
set -euo pipefail

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-discovery: nvidia-smi not found on PATH; this executor cannot see any NVIDIA GPU" >&2
  exit 1
fi
if ! indices="$(nvidia-smi --query-gpu=index --format=csv,noheader 2>&1)"; then
  echo "gpu-discovery: nvidia-smi failed: $indices" >&2
  exit 1
fi

addresses=""
while IFS= read -r line; do
  index="${line//[[:space:]]/}"
  [[ -z "$index" ]] && continue
  if [[ ! "$index" =~ ^[0-9]+$ ]]; then
    echo "gpu-discovery: unexpected nvidia-smi output line: $line" >&2
    exit 1
  fi
  addresses+="${addresses:+,}\"$index\""
done <<< "$indices"

printf '{"name":"gpu","addresses":[%s]}\n' "$addresses"
