#!/usr/bin/env python3
"""Writes a float32 GGUF (version 3) of a Llama checkpoint in Hugging Face layout, for llama.cpp's
llama-bench in qins-bench/side-by-side.sh. Our own writer, from the GGUF specification; needs numpy only.

usage: write-gguf.py MODEL_DIR OUT.gguf
  MODEL_DIR: config.json + one F32 model.safetensors (e.g. `qins synth --shape tinyllama-1b --dtype f32`).

No real vocabulary: tokenizer.ggml.model = "none" with llama.vocab_size dummy tokens, which llama-bench
accepts (it feeds random token ids). Hugging Face's q_proj / k_proj rows are permuted per head into
GGUF's interleaved rotary order, as llama.cpp's own converter does for the llama architecture, so the
GGUF computes the same model (for a speed benchmark the order would not matter: same shapes, same bytes).
"""
import json
import os
import struct
import sys

import numpy as np

ALIGN = 32
T_UINT32, T_FLOAT32, T_STRING = 4, 6, 8
GGML_F32 = 0


def gguf_string(s):
    b = s.encode("utf-8")
    return struct.pack("<Q", len(b)) + b


def kv(key, vtype, value):
    out = gguf_string(key) + struct.pack("<I", vtype)
    if vtype == T_UINT32:
        return out + struct.pack("<I", value)
    if vtype == T_FLOAT32:
        return out + struct.pack("<f", value)
    if vtype == T_STRING:
        return out + gguf_string(value)
    raise ValueError(vtype)


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] != "F32":
            sys.exit(f"{path}: tensor {name} is {info['dtype']}; this writer takes F32 checkpoints only")
        start, end = info["data_offsets"]
        tensors[name] = data[start:end].view(np.float32).reshape(info["shape"])
    return tensors


def rotary_rows(w, heads):
    """HF's rotate-half row order -> GGUF's interleaved order (llama.cpp's converter's permute)."""
    rows, cols = w.shape
    return w.reshape(heads, 2, rows // heads // 2, cols).swapaxes(1, 2).reshape(rows, cols)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    model, out = sys.argv[1], sys.argv[2]
    cfg = json.load(open(os.path.join(model, "config.json")))
    if cfg.get("model_type") != "llama":
        sys.exit(f"{model}: model_type {cfg.get('model_type')!r}; this writer handles llama only")
    st = read_safetensors(os.path.join(model, "model.safetensors"))
    heads, kv_heads = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hidden = cfg["hidden_size"]
    head_dim = cfg.get("head_dim", hidden // heads)
    rope = cfg.get("rope_parameters") or {}
    theta = rope.get("rope_theta", cfg.get("rope_theta", 10000.0))

    names = [("token_embd.weight", "model.embed_tokens.weight", None),
             ("output_norm.weight", "model.norm.weight", None)]
    if "lm_head.weight" in st:
        names.append(("output.weight", "lm_head.weight", None))
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        names += [(f"blk.{i}.attn_norm.weight", p + "input_layernorm.weight", None),
                  (f"blk.{i}.attn_q.weight", p + "self_attn.q_proj.weight", heads),
                  (f"blk.{i}.attn_k.weight", p + "self_attn.k_proj.weight", kv_heads),
                  (f"blk.{i}.attn_v.weight", p + "self_attn.v_proj.weight", None),
                  (f"blk.{i}.attn_output.weight", p + "self_attn.o_proj.weight", None),
                  (f"blk.{i}.ffn_norm.weight", p + "post_attention_layernorm.weight", None),
                  (f"blk.{i}.ffn_gate.weight", p + "mlp.gate_proj.weight", None),
                  (f"blk.{i}.ffn_up.weight", p + "mlp.up_proj.weight", None),
                  (f"blk.{i}.ffn_down.weight", p + "mlp.down_proj.weight", None)]
    for _, hf, _ in names:
        if hf not in st:
            sys.exit(f"{model}/model.safetensors: tensor {hf} missing")

    meta = [kv("general.architecture", T_STRING, "llama"),
            kv("general.name", T_STRING, os.path.basename(os.path.normpath(model))),
            kv("general.alignment", T_UINT32, ALIGN),
            kv("llama.vocab_size", T_UINT32, cfg["vocab_size"]),
            kv("llama.context_length", T_UINT32, cfg["max_position_embeddings"]),
            kv("llama.embedding_length", T_UINT32, hidden),
            kv("llama.block_count", T_UINT32, cfg["num_hidden_layers"]),
            kv("llama.feed_forward_length", T_UINT32, cfg["intermediate_size"]),
            kv("llama.rope.dimension_count", T_UINT32, head_dim),
            kv("llama.rope.freq_base", T_FLOAT32, float(theta)),
            kv("llama.attention.head_count", T_UINT32, heads),
            kv("llama.attention.head_count_kv", T_UINT32, kv_heads),
            kv("llama.attention.layer_norm_rms_epsilon", T_FLOAT32, float(cfg["rms_norm_eps"])),
            kv("general.file_type", T_UINT32, 0),  # all F32
            kv("tokenizer.ggml.model", T_STRING, "none")]

    infos, offset = [], 0
    for gg, hf, _ in names:
        shape = st[hf].shape  # numpy order (rows, cols); GGUF lists ne0 = cols first
        info = gguf_string(gg) + struct.pack("<I", len(shape))
        info += b"".join(struct.pack("<Q", d) for d in reversed(shape))
        info += struct.pack("<IQ", GGML_F32, offset)
        infos.append(info)
        offset += -(-st[hf].nbytes // ALIGN) * ALIGN

    tmp = out + ".part"
    with open(tmp, "wb") as f:
        f.write(b"GGUF" + struct.pack("<IQQ", 3, len(names), len(meta)))
        for m in meta:
            f.write(m)
        for info in infos:
            f.write(info)
        f.write(b"\0" * (-f.tell() % ALIGN))
        for gg, hf, rot in names:
            w = st[hf]
            if rot is not None:
                w = rotary_rows(w, rot)
            f.write(np.ascontiguousarray(w, dtype="<f4").tobytes())
            f.write(b"\0" * (-w.nbytes % ALIGN))
    os.replace(tmp, out)
    print(f"wrote {out}: {len(names)} tensors, {offset / 1e9:.2f} GB of F32 data")


if __name__ == "__main__":
    main()
