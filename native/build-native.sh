#!/usr/bin/env bash
# Builds one native kernel library (C source -> lib<NAME>.so) into a module's class output, so that its
# jar carries it. Called by Maven (the exec plugin's native-kernels execution, declared once in the
# parent pom) in process-classes of qins-codec and qins-fp. Without a C compiler, or off Linux x86-64,
# it builds nothing and says so: the pure-Java kernels then run alone.
# Usage: build-native.sh SOURCE.c NAME OUTPUT_DIR
set -euo pipefail
src="$1"
out="$3/lib$2.so"
cc="${CC:-cc}"
if [[ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]]; then
  echo "[native] lib$2: not built (the kernels target Linux x86-64; this is $(uname -s)-$(uname -m)); Java kernels only"
  exit 0
fi
if ! command -v "$cc" >/dev/null 2>&1; then
  echo "[native] lib$2: not built (no C compiler '$cc' on PATH); Java kernels only"
  exit 0
fi
if [[ -f "$out" && "$out" -nt "$src" && "$out" -nt "$0" ]]; then
  exit 0
fi
mkdir -p "$3"
tmp="$out.$$.tmp"
# AVX-512 F/BW/VL + FMA + F16C, not -march=native: the library runs on any such CPU and checks at load.
"$cc" -std=c11 -O3 -fPIC -shared -Wall -Wextra -Werror -fvisibility=hidden \
  -mavx512f -mavx512bw -mavx512vl -mfma -mf16c -o "$tmp" "$src"
mv -f "$tmp" "$out"
echo "[native] lib$2: built $out with $("$cc" --version | head -1)"
