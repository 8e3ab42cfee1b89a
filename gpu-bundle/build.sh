#!/usr/bin/env bash
# Builds bundle/: everything needed to run the GPU tests and the benchmark on a Linux x86-64 machine that has an
# NVIDIA driver but no Java or Maven. Layout:
#   bundle/run               the one command: run gpu-tests | bench ... | info
#   bundle/runtime.tar.xz    a jlinked Java 17 runtime (stripped, compressed), unpacked on first use
#   bundle/fixtures.tar.xz   the fixture models and lm-eval goldens the GPU tests read, unpacked on first use
#   bundle/lib/*.jar         runtime jars (no Spark), the kernels jar (fatbin), test classes, JUnit console launcher
# The bundle must stay under 60 MB (the device machine receives at most 64 MiB of carried files).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/bundle
work=$root/gpu-bundle/target/work
limit_mb=60

echo "[bundle] building jars"
(cd "$root" && mvn -q ${MVN_OFFLINE:--o} -Pbundle package -pl gpu-bundle -am -DskipTests)

rm -rf "$out" "$work"
mkdir -p "$out/lib" "$work"
cp "$root"/gpu-bundle/target/lib/*.jar "$out/lib/"

# JCuda's natives jar carries NVRTC, PTX-compiler and runtime bindings (26 MB) we never load: keep the driver binding.
natives=$(ls "$out"/lib/jcuda-natives*.jar)
mkdir -p "$work/natives" && (cd "$work/natives" && unzip -q "$natives" && find lib -type f ! -name 'libJCudaDriver-*' -delete)
rm "$natives" && (cd "$work/natives" && zip -q -r -9 "$natives" .)

# The DJL tokenizers jar carries its Rust library for four platforms: keep linux-x86_64.
tokenizers=$(ls "$out"/lib/tokenizers*.jar)
mkdir -p "$work/tokenizers" && (cd "$work/tokenizers" && unzip -q "$tokenizers" \
  && find native/lib -mindepth 1 -maxdepth 1 -type d ! -name linux-x86_64 -exec rm -rf {} +)
rm "$tokenizers" && (cd "$work/tokenizers" && zip -q -r -9 "$tokenizers" .)

echo "[bundle] jlink"
# java.net.http: the Hugging Face hub client (cli with a repository id); jdk.httpserver: the hub tests' fake hub;
# jdk.incubator.vector: the CPU backend's Vector API AQLM kernels (without it they fall back to scalar loops).
jlink --add-modules java.base,java.logging,java.management,java.net.http,jdk.httpserver,jdk.unsupported,jdk.zipfs,jdk.incubator.vector \
  --strip-debug --no-man-pages \
  --no-header-files --compress=2 --output "$work/runtime"
strip --strip-unneeded "$work/runtime/lib/server/libjvm.so" 2>/dev/null || true
tar -C "$work" -cf - runtime | xz -9 -T2 > "$out/runtime.tar.xz"

echo "[bundle] fixtures"
# The models (with the one tokenizer a model carries, for the lm-eval goldens) and lmeval/; not the large tokenizers/.
tar -C "$root/fixtures" -cf - models lmeval | xz -9 -T2 > "$out/fixtures.tar.xz"

cp "$root/gpu-bundle/run" "$out/run"
chmod +x "$out/run"

size_mb=$(( $(du -sb "$out" | cut -f1) / 1048576 ))
echo "[bundle] $out: ${size_mb} MB"
du -sh "$out"/* | sed 's/^/[bundle]   /'
if [ "$size_mb" -ge "$limit_mb" ]; then
  echo "[bundle] ERROR: the bundle is ${size_mb} MB, over the ${limit_mb} MB limit" >&2
  exit 1
fi
