#!/usr/bin/env bash
# Interleaved whole-model rounds for the issue 6 table: this host's speed drifts between minutes, so
# configurations are compared only within one run.
# usage: qins-bench/model-rounds.sh ROUNDS OUTDIR NAME=MODEL_DIR:LINEAR [NAME=MODEL_DIR:LINEAR ...]
#   e.g. qins-bench/model-rounds.sh 3 out f32=models/tinyllama-f32:fp32 qins9=models/tinyllama-qins9:qins
# Models: ./qins synth --shape tinyllama-1b --dtype f32 --output models/tinyllama-f32
#         ./qins convert --model models/tinyllama-f32 --output models/tinyllama-qins9 --layout qins9 --encode-head
# QINS_JAR=path/to/other/qins.jar compares another build with the same command.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=$1; out=$2; shift 2
mkdir -p "$out"
run() {
  if [[ -n "${QINS_JAR:-}" ]]; then
    sed "s|^jar=.*|jar=\"$QINS_JAR\"|" "$here/qins" > "$out/.qins-launcher" && bash "$out/.qins-launcher" "$@"
  else
    "$here/qins" "$@"
  fi
}
for round in $(seq 1 "$rounds"); do
  for spec in "$@"; do
    name=${spec%%=*}; rest=${spec#*=}; dir=${rest%%:*}; linear=${rest##*:}
    run bench --model "$dir" --linear "$linear" --kv fp32 --prompt-tokens 64 --new-tokens 32 --threads 2 --warmup 1 \
      --json "$out/$name-$round.json" > "$out/$name-$round.txt" 2>&1
    echo "round $round $name: $(grep -E 'prefill tokens/s|decode tokens/s' "$out/$name-$round.txt" | awk -F'|' '{printf "%s %s ", $1, $2}' | tr -s ' ')"
  done
done
