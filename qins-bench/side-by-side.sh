#!/usr/bin/env bash
# llama.cpp and QINS for Java side by side on this machine: ROUNDS interleaved rounds (each round runs every
# configuration once, in the order given, then the read-bandwidth benchmark), 64-token prompt, 32 generated
# tokens, THREADS threads (default 2); then a Markdown table of medians and ranges, the per-round ratios against
# the first llama.cpp configuration (the reference, e.g. Q8_0), and the decode roofline from the bandwidth.
#
# usage: qins-bench/side-by-side.sh ROUNDS OUTDIR LLAMA_BENCH SPEC...
#   SPEC = llama:NAME=FILE.gguf[:FLAGS] a llama.cpp configuration (llama-bench -p 64 -n 32 -r 1, then FLAGS, e.g. -mmp 0)
#        | qins:NAME=MODEL_DIR:LINEAR[:OPT,...] a QINS for Java configuration (qins bench --linear LINEAR --kv fp32
#                                    --warmup 1; each OPT KEY=VALUE as --layer-option, e.g. kernel=bf16, or a flag, e.g. --no-mmap)
# e.g. qins-bench/side-by-side.sh 3 /tmp/sbs ~/llama.cpp/build/bin/llama-bench \
#        "llama:llama.cpp Q8_0=m-q8_0.gguf" "llama:llama.cpp Q4_0=m-q4_0.gguf" "llama:llama.cpp F32=m-f32.gguf" \
#        "qins:QINS F32=m-f32:fp32" "qins:QINS Pattern A qins9=m-qins9:qins" "qins:QINS Pattern A qins8=m-qins8:qins"
# Models: ./qins synth --shape tinyllama-1b --dtype f32 --output m-f32; ./qins convert --model m-f32 --output m-qins9
#         --encode-head (and --layout qins8); python3 qins-bench/write-gguf.py m-f32 m-f32.gguf; llama-quantize
#         m-f32.gguf m-q8_0.gguf Q8_0 (and Q4_0).
# llama-bench's tg test generates from an empty cache (positions 0..31); ours decodes after the prompt (64..95).
# Environment: THREADS (default 2), QINS_JAR (another build's qins.jar, as in model-rounds.sh), EVICT=1 (drop every
# configuration's model files from the page cache first, posix_fadvise DONTNEED, so that each engine reads its own
# files back as its code does: the page size a mapping gets depends on how the cached file was read or written).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if (( $# < 4 )); then
  sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
rounds=$1; out=$2; llama_bench=$3; shift 3
threads=${THREADS:-2}
mkdir -p "$out"
bench_jar="$here/qins-bench/target/benchmarks.jar"
[[ -x "$llama_bench" ]] || { echo "side-by-side: $llama_bench is not an executable llama-bench" >&2; exit 1; }
[[ -f "$bench_jar" ]] || { echo "side-by-side: $bench_jar not found; build it: ./mvnw -q package -DskipTests" >&2; exit 1; }
java="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}/bin/java"
qins() {
  if [[ -n "${QINS_JAR:-}" ]]; then
    sed "s|^jar=.*|jar=\"$QINS_JAR\"|" "$here/qins" > "$out/.qins-launcher" && bash "$out/.qins-launcher" "$@"
  else
    "$here/qins" "$@"
  fi
}
names=()
for spec in "$@"; do
  kind=${spec%%:*}; rest=${spec#*:}; name=${rest%%=*}; arg=${rest#*=}
  case $kind in
    llama) [[ -f "${arg%%:*}" ]] || { echo "side-by-side: ${arg%%:*} not found ($spec)" >&2; exit 1; } ;;
    qins) [[ -d "${arg%%:*}" ]] || { echo "side-by-side: ${arg%%:*} not found ($spec)" >&2; exit 1; } ;;
    *) echo "side-by-side: '$spec' is neither llama:NAME=FILE nor qins:NAME=DIR:LINEAR" >&2; exit 2 ;;
  esac
  names+=("$name")
done
{ echo "started $(date -Is); $(uptime)"; echo "command: $0 $rounds $out $llama_bench $*"; } > "$out/run.log"
if [[ ${EVICT:-0} == 1 ]]; then
  for spec in "$@"; do
    arg=${spec#*=}; path=${arg%%:*}
    [[ -d $path ]] && files=("$path"/*.safetensors) || files=("$path")
    for file in "${files[@]}"; do
      python3 -c 'import os, sys; fd = os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)' "$file"
      echo "evicted $file from the page cache" >> "$out/run.log"
    done
  done
fi
for round in $(seq 1 "$rounds"); do
  for i in "${!names[@]}"; do
    spec=${*:i+1:1}; kind=${spec%%:*}; rest=${spec#*:}; arg=${rest#*=}
    f="$out/r$round-c$i"
    if [[ $kind == llama ]]; then
      llama_flags=()
      [[ $arg == *:* ]] && read -ra llama_flags <<< "${arg#*:}"
      "$llama_bench" -m "${arg%%:*}" -p 64 -n 32 -t "$threads" -r 1 "${llama_flags[@]}" -o json > "$f.json" 2> "$f.err"
    else
      after=${arg#*:}; linear=${after%%:*}; layer_options=()
      if [[ $after == *:* ]]; then
        IFS=, read -ra kvs <<< "${after#*:}"
        for kv in "${kvs[@]}"; do
          if [[ $kv == --* ]]; then layer_options+=("$kv"); else layer_options+=(--layer-option "$kv"); fi
        done
      fi
      qins bench --model "${arg%%:*}" --linear "$linear" "${layer_options[@]}" --kv fp32 --prompt-tokens 64 --new-tokens 32 \
        --threads "$threads" --warmup 1 --json "$f.json" > "$f.txt" 2> "$f.err"
    fi
    echo "round $round: ${names[i]} done ($(cut -d, -f1 /proc/loadavg | cut -d' ' -f1) load)" | tee -a "$out/run.log"
  done
  "$java" --add-modules jdk.incubator.vector -cp "$bench_jar" org.qins.bench.ReadBandwidth 1024 6 "1,$threads" \
    2>/dev/null > "$out/r$round-bandwidth.txt"
  cat "$out/r$round-bandwidth.txt" | tee -a "$out/run.log"
done
echo "ended $(date -Is); $(uptime)" >> "$out/run.log"
printf '%s\n' "${names[@]}" > "$out/names.txt"
python3 - "$out" "$rounds" "$threads" <<'PY' | tee "$out/table.md"
import json, re, statistics, sys
out, rounds, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
names = open(f"{out}/names.txt").read().splitlines()

def result(r, i):
    j = json.load(open(f"{out}/r{r}-c{i}.json"))
    if isinstance(j, list) and j and "n_gen" in j[0]:  # llama-bench: one entry per test
        pp = next(e for e in j if e["n_prompt"] > 0 and e["n_gen"] == 0)
        tg = next(e for e in j if e["n_gen"] > 0 and e["n_prompt"] == 0)
        return pp["avg_ts"], tg["avg_ts"], tg.get("model_size")
    e = j[0]
    return e["prefill_tokens_per_s"], e["decode_tokens_per_s"], e["linear_bytes"]

res = {i: [result(r, i) for r in range(1, rounds + 1)] for i in range(len(names))}
bw = []
for r in range(1, rounds + 1):
    for line in open(f"{out}/r{r}-bandwidth.txt"):
        m = re.search(rf"{threads} threads?, .* best ([0-9.]+) GB/s", line)
        if m:
            bw.append(float(m.group(1)))

def fmt(v):
    return f"{statistics.median(v):.2f} ({min(v):.2f} to {max(v):.2f})"

print(f"{rounds} interleaved rounds, 64-token prompt, 32 generated tokens, {threads} threads; median (range)\n")
print("| engine, weights | prompt tok/s | generation tok/s | generation / ref, per round | prompt / ref, per round |")
print("| --- | --- | --- | --- | --- |")
ref = res[0]
for i, name in enumerate(names):
    pp = [x[0] for x in res[i]]
    tg = [x[1] for x in res[i]]
    gr = [t[1] / q[1] for t, q in zip(res[i], ref)]
    pr = [t[0] / q[0] for t, q in zip(res[i], ref)]
    print(f"| {name} | {fmt(pp)} | {fmt(tg)} | {fmt(gr)} | {fmt(pr)} |")
print(f"\nReference for the ratios: {names[0]}.")
if bw:
    b = statistics.median(bw)
    print(f"Read bandwidth, {threads} threads (best pass of each round): {fmt(bw)} GB/s.")
    print("Decode roofline = bandwidth / bytes of weights read per token (llama.cpp: model size, embeddings included;"
          " ours: the linear layers' bytes):\n")
    print("| engine, weights | bytes / token | roofline tok/s | generation / roofline |")
    print("| --- | --- | --- | --- |")
    for i, name in enumerate(names):
        size = res[i][0][2]
        if size:
            roof = b * 1e9 / size
            tg = statistics.median(x[1] for x in res[i])
            print(f"| {name} | {size / 1e9:.3f} GB | {roof:.1f} | {tg / roof:.2f} |")
PY
