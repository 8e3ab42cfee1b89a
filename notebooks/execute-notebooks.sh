#!/usr/bin/env bash
# Runs every Jupyter notebook in this folder headless, as Jupyter itself runs them: jupyter nbconvert --execute with the
# JJava kernel (kernel name "java") on the built jars. Executed copies go to build/notebooks/. Where Jupyter, nbconvert
# or the kernel is missing it says which and exits 0 (skipped), so CI can call it on any machine.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
skip() { echo "notebooks: skipped, $*" >&2; exit 0; }

command -v jupyter >/dev/null \
  || skip "no jupyter on the PATH (Debian: apt-get install jupyter-notebook jupyter-nbconvert jupyter-client)"
jupyter nbconvert --version >/dev/null 2>&1 || skip "no jupyter nbconvert (Debian: apt-get install jupyter-nbconvert)"
jupyter kernelspec --version >/dev/null 2>&1 || skip "no jupyter kernelspec (Debian: apt-get install jupyter-client)"
jupyter kernelspec list 2>/dev/null | awk '{print $1}' | grep -qx java \
  || skip "no Jupyter kernel named java: install the JJava kernel as README.md (Notebooks) says"

"$root/aqlm-spark" --help >/dev/null # builds the jars the notebooks load, when they are missing or stale
export JJAVA_JVM_OPTS="@$root/conf/java17-module-options.args ${JJAVA_JVM_OPTS:-}"
mkdir -p "$root/build/notebooks"
for notebook in "$root"/notebooks/*.ipynb; do
  jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=900 \
    --output-dir "$root/build/notebooks" "$notebook"
done
echo "notebooks: every cell ran; executed copies in $root/build/notebooks" >&2
