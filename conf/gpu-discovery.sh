#!/usr/bin/env bash
# Spark GPU discovery script for aqlm-spark executors (spark.executor.resource.gpu.discoveryScript, or
# spark.worker.resource.gpu.discoveryScript on a standalone Worker). Prints the GPUs this container/host may use as
#   {"name": "gpu", "addresses": ["0", "1"]}
# Addresses are nvidia-smi indices, which are in PCI bus order: aqlm-spark maps an address to the CUDA ordinal of the
# same GPU (set spark.executorEnv.CUDA_DEVICE_ORDER=PCI_BUS_ID so CUDA numbers GPUs the same way).
# Set AQLM_GPU_ADDRESS=pci to print PCI bus ids instead (robust where indices are renumbered); aqlm-spark resolves them
# through /proc/driver/nvidia/gpus.
# On YARN without GPU isolation every executor of a host sees all GPUs: give each executor its own with
# CUDA_VISIBLE_DEVICES-style isolation in the resource manager, or run one executor per GPU host.
set -euo pipefail

if ! command -v nvidia-smi >/dev/null 2>&1; then
  echo "gpu-discovery.sh: nvidia-smi not found; no NVIDIA driver on $(hostname)?" >&2
  exit 1
fi

field=index
[ "${AQLM_GPU_ADDRESS:-index}" = "pci" ] && field=pci.bus_id

addresses=$(nvidia-smi --query-gpu="$field" --format=csv,noheader | sed 's/^ *//; s/ *$//' \
  | awk 'NF { printf "%s\"%s\"", (n++ ? "," : ""), $0 }')
echo "{\"name\": \"gpu\", \"addresses\": [${addresses}]}"
