#!/usr/bin/env bash
# Prints the SHA-256 of the kernel sources (every .cu and .cuh of the folder, by name and content). The fatbin carries
# it and so does the emulator's host module built from the same sources: the emulator refuses a pair that differ.
set -euo pipefail
cd "$1"
for f in $(ls *.cu *.cuh 2>/dev/null | LC_ALL=C sort); do printf '%s\n' "$f"; cat "$f"; done | sha256sum | cut -c1-64
