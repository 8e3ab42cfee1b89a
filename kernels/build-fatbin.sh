#!/usr/bin/env bash
# Compiles every kernels/src/main/cuda/*.cu into one fatbin: SASS for sm_80, sm_86, sm_89, sm_90 and PTX for
# compute_90 (JIT-compiled by newer drivers). Without nvcc the jar ships no fatbin and the CUDA backend says so;
# with nvcc, any compile error fails the build. Skips the work when the fatbin is newer than every source.
set -euo pipefail
src_dir=$1 out_dir=$2 nvcc=${3:-nvcc}
fatbin=$out_dir/aqlm_kernels.fatbin
mkdir -p "$out_dir"

if ! command -v "$nvcc" >/dev/null 2>&1; then
  echo "[kernels] WARNING: '$nvcc' not found: building without CUDA kernels (the CUDA backend will report itself unavailable)." >&2
  rm -f "$fatbin" "$out_dir/aqlm_kernels.cuda-version"
  echo "built without nvcc: no fatbin in this jar" > "$out_dir/NO_FATBIN"
  exit 0
fi
rm -f "$out_dir/NO_FATBIN"

shopt -s nullglob
sources=("$src_dir"/*.cu)
headers=("$src_dir"/*.cuh)
if [ ${#sources[@]} -eq 0 ]; then
  echo "[kernels] no .cu sources in $src_dir" >&2
  exit 1
fi
if [ -f "$fatbin" ]; then
  stale=0
  for f in "${sources[@]}" "${headers[@]}" "$0" "$(dirname "$0")/sources-hash.sh"; do [ "$f" -nt "$fatbin" ] && stale=1; done
  [ -f "$out_dir/aqlm_kernels.cuda-version" ] || stale=1
  if [ $stale -eq 0 ]; then echo "[kernels] $fatbin is up to date"; exit 0; fi
fi

# One translation unit keeps the fatbin a single module (one cuModuleLoadData per context). It also carries the
# SHA-256 of the sources, by which the CUDA emulator ties the fatbin to the host module built from the same sources.
unit=$(mktemp --suffix=.cu)
trap 'rm -f "$unit"' EXIT
{
  for f in "${sources[@]}"; do echo "#include \"$f\""; done
  echo "extern \"C\" __device__ const char aqlm_kernel_sources_sha256[] ="
  echo "    \"aqlm-kernel-sources-sha256:$("$(dirname "$0")/sources-hash.sh" "$src_dir")\";"
} > "$unit"

echo "[kernels] $("$nvcc" --version | tail -1)"
# The toolkit release, for the message when a driver too old for it refuses the fatbin (KernelImage.java).
"$nvcc" --version | sed -n 's/.*release \([0-9]*\.[0-9]*\).*/\1/p' | head -1 > "$out_dir/aqlm_kernels.cuda-version"
"$nvcc" -fatbin -std=c++17 -O3 --threads 0 -I "$src_dir" \
  -gencode arch=compute_80,code=sm_80 \
  -gencode arch=compute_86,code=sm_86 \
  -gencode arch=compute_89,code=sm_89 \
  -gencode arch=compute_90,code=sm_90 \
  -gencode arch=compute_90,code=compute_90 \
  -o "$fatbin" "$unit"
echo "[kernels] wrote $fatbin ($(stat -c %s "$fatbin") bytes)"
