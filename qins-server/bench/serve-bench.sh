#!/usr/bin/env bash
# Benchmark of qins serve on loopback (not a test): aggregate generated tokens/s and time to first token at
# 1, 4, 8 and 16 concurrent streaming clients, then a load run of 50 concurrent streams plus clients that hang up.
#
#   qins-server/bench/serve-bench.sh MODEL_DIR [THREADS] [PORT]
#
# MODEL_DIR: e.g. a converted `qins synth --shape tinyllama-1b` model. A model without tokenizer.json (synth writes
# none) is served from a sibling directory of links plus a generated word-level tokenizer ("w3" ... "wN", one word
# per id), so that every token decodes to text. Prints `uptime` before and after: the host is shared.
# SERVE_ARGS: more `qins serve` options, e.g. SERVE_ARGS="--prefill-chunk 256".
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
model=$(cd "$1" && pwd)
threads=${2:-2}
port=${3:-18080}
qins="$here/qins"

serve_dir=$model
if [[ ! -f "$model/tokenizer.json" ]]; then
  serve_dir="$model-served"
  mkdir -p "$serve_dir"
  for f in "$model"/*; do ln -sf "$f" "$serve_dir/"; done
  python3 - "$model/config.json" "$serve_dir" <<'PY'
import json, sys
cfg = json.load(open(sys.argv[1]))
vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
for i in range(3, cfg["vocab_size"]):
    vocab["w%d" % i] = i
tok = {"version": "1.0", "truncation": None, "padding": None,
       "added_tokens": [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                         "normalized": False, "special": True} for t, i in (("<unk>", 0), ("<s>", 1), ("</s>", 2))],
       "normalizer": None, "pre_tokenizer": {"type": "Whitespace"}, "post_processor": None, "decoder": None,
       "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"}}
json.dump(tok, open(sys.argv[2] + "/tokenizer.json", "w"))
json.dump({"bos_token": "<s>", "eos_token": "</s>", "add_bos_token": True,
           "chat_template": "{{ bos_token }}{% for m in messages %}{{ m.content }} {% endfor %}"},
          open(sys.argv[2] + "/tokenizer_config.json", "w"))
PY
fi

log=$(mktemp)
"$qins" serve --model "$serve_dir" --threads "$threads" --port "$port" --max-sequences 16 --max-context 512 \
  ${SERVE_ARGS:-} >"$log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q '^serving' "$log" && break; sleep 1; done
grep -E '^(memory plan|serving)' "$log"

prompt=$(python3 -c 'print(" ".join("w%d" % (100 + 37 * i) for i in range(32)))')
echo "## levels ($(uptime))"
"$qins" serve-bench --url "http://127.0.0.1:$port" --concurrency 1,4,8,16 --requests-per-client 2 --max-tokens 48 \
  --prompt "$prompt" --warmup 1
echo "## load: 50 concurrent streams + 10 that hang up after two chunks ($(uptime))"
"$qins" serve-bench --url "http://127.0.0.1:$port" --concurrency 50 --requests-per-client 1 --max-tokens 16 \
  --prompt "$prompt" --hangups 10 --warmup 0
echo "## after ($(uptime))"
kill -TERM $pid
wait $pid && echo "qins serve exited 0 after SIGTERM" || echo "qins serve exited $?"
trap - EXIT
grep -vE '^(WARNING|INFO)' "$log" | tail -3
rm -f "$log"
