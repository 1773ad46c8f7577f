#!/usr/bin/env bash
# Builds libqinskernels.so (the native qins9 kernels, qins_kernels.c) into the class output, so that
# the jar carries it. Called by Maven (qins-codec's exec plugin) in process-classes. Without a C
# compiler, or off Linux x86-64, it builds nothing and says so: the pure-Java kernels then run alone.
# Usage: build.sh SOURCE_DIR OUTPUT_DIR
set -euo pipefail
src="$1/qins_kernels.c"
out="$2/libqinskernels.so"
cc="${CC:-cc}"
if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "[qins-codec] native kernels: not built (they target Linux x86-64; this is $(uname -s)-$(uname -m)); Java kernels only"
  exit 0
fi
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "[qins-codec] native kernels: not built (no C compiler '$cc' on PATH); Java kernels only"
  exit 0
fi
if [[ -f "$out" && "$out" -nt "$src" && "$out" -nt "$0" ]]; then
  exit 0
fi
mkdir -p "$2"
tmp="$out.$$.tmp"
# AVX-512 F/BW/VL + FMA + F16C, not -march=native: the library runs on any such CPU and checks at load.
"$cc" -std=c11 -O3 -fPIC -shared -Wall -Wextra -Werror -fvisibility=hidden \
  -mavx512f -mavx512bw -mavx512vl -mfma -mf16c -o "$tmp" "$src"
mv -f "$tmp" "$out"
echo "[qins-codec] native kernels: built $out with $("$cc" --version | head -1)"
