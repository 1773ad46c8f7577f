package org.qins.transformer.gguf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.qins.api.TensorView;
import org.qins.transformer.checkpoint.Checkpoint;
import org.qins.transformer.config.ConfigLoader;
import org.qins.transformer.config.ModelConfig;
import org.qins.transformer.config.RopeScaling;

/**
 * Writes a Hugging Face model directory as a GGUF file the way llama.cpp's converter does, for the tests:
 * metadata keys of the family ({@code llama} for Llama and Mistral, {@code qwen2}, {@code qwen3}, {@code phi3}),
 * llama.cpp's tensor names, Llama's q/k rows permuted for interleaved RoPE, Llama 3's {@code rope_freqs} and
 * Phi-3's {@code rope_factors_*} tensors, 1-D tensors in F32 and matrices in the chosen type (Q8_0 falls back
 * to F16 for rows that are not whole blocks), and the vocabulary of tokenizer.json as GGUF's
 * ({@code gpt2} for byte-level BPE, {@code llama} for SentencePiece-style ones).
 */
public final class HfToGguf {

    public enum Type { F32, F16, BF16, Q8_0 }

    private static final ObjectMapper JSON = new ObjectMapper();

    private HfToGguf() {
    }

    public static Path write(Path modelDir, Path out, Type type) throws IOException {
        JsonNode raw = JSON.readTree(modelDir.resolve("config.json").toFile());
        ModelConfig c = ConfigLoader.load(modelDir);
        String modelType = raw.path("model_type").asText();
        String arch = modelType.equals("mistral") ? "llama" : modelType;
        String a = arch + ".";
        GgufWriter w = new GgufWriter();
        w.string(GgufConfig.ARCHITECTURE_KEY, arch).string("general.name", modelDir.getFileName().toString());
        w.u32(a + "context_length", c.maxPositionEmbeddings()).u32(a + "embedding_length", c.hiddenSize())
                .u32(a + "feed_forward_length", c.intermediateSize()).u32(a + "block_count", c.layers())
                .u32(a + "attention.head_count", c.heads()).u32(a + "attention.head_count_kv", c.kvHeads())
                .f32(a + "attention.layer_norm_rms_epsilon", c.rmsNormEps()).f32(a + "rope.freq_base", (float) c.rope().theta())
                .u32(a + "rope.dimension_count", c.rope().rotaryDim()).u32(a + "vocab_size", c.vocabSize());
        if (raw.has("head_dim")) {
            w.u32(a + "attention.key_length", c.headDim()).u32(a + "attention.value_length", c.headDim());
        }
        if (c.slidingWindow() > 0 || arch.equals("phi3")) {
            w.u32(a + "attention.sliding_window", c.slidingWindow());
        }
        rope(w, c, raw, a);
        vocab(w, modelDir);
        try (Checkpoint ckpt = Checkpoint.open(modelDir)) {
            Map<String, String> toGguf = new HashMap<>();
            GgufTensorNames.of(c.architecture(), c.layers()).forEach((g, h) -> toGguf.put(h, g));
            for (String name : ckpt.tensorNames()) {
                String g = toGguf.get(name);
                if (g == null) {
                    throw new IllegalArgumentException(modelDir + ": no GGUF name for " + name);
                }
                TensorView t = ckpt.tensor(name);
                float[] v = t.toFloatArray();
                long[] shape = t.shape();
                if (arch.equals("llama") && (g.contains(".attn_q.") || g.contains(".attn_k."))) {
                    v = permute(v, shape[0], v.length / shape[0], c.headDim());
                }
                tensor(w, g, v, shape, type);
            }
        }
        return w.write(out);
    }

    /** llama.cpp's permute: Hugging Face row r of each head goes to row {@link QkRows#ggufRow}. */
    static float[] permute(float[] v, long rows, long cols, int headDim) {
        float[] out = new float[v.length];
        for (long r = 0; r < rows; r++) {
            System.arraycopy(v, (int) (r * cols), out, (int) (QkRows.ggufRow(r, headDim) * cols), (int) cols);
        }
        return out;
    }

    private static void tensor(GgufWriter w, String name, float[] v, long[] shape, Type type) {
        Type t = shape.length == 1 ? Type.F32 : type;
        if (t == Type.Q8_0 && shape[1] % Q8_0Blocks.BLOCK != 0) {
            t = Type.F16;
        }
        switch (t) {
            case F32 -> w.tensor(name, GgufWriter.F32, shape, GgufWriter.f32(v));
            case F16 -> w.tensor(name, GgufWriter.F16, shape, GgufWriter.f16(v));
            case BF16 -> w.tensor(name, GgufWriter.BF16, shape, GgufWriter.bf16(v));
            case Q8_0 -> w.tensor(name, GgufWriter.Q8_0, shape, GgufWriter.q8_0(v, shape[0], shape[1]));
        }
    }

    private static void rope(GgufWriter w, ModelConfig c, JsonNode raw, String a) {
        switch (c.rope().scaling()) {
            case RopeScaling.None n -> {
            }
            case RopeScaling.Linear l -> w.string(a + "rope.scaling.type", "linear").f32(a + "rope.scaling.factor", (float) l.factor());
            case RopeScaling.Llama3 l -> w.tensor(GgufConfig.ROPE_FREQS, GgufWriter.F32, new long[] {c.rope().rotaryDim() / 2},
                    GgufWriter.f32(llama3Factors(c, l)));
            case RopeScaling.LongRope l -> {
                w.u32(a + "rope.scaling.original_context_length", l.originalMax());
                w.f32(a + "rope.scaling.attn_factor", (float) c.rope().attentionFactor());
                w.tensor(GgufConfig.ROPE_LONG, GgufWriter.F32, new long[] {l.longFactor().length}, GgufWriter.f32(l.longFactor()));
                w.tensor(GgufConfig.ROPE_SHORT, GgufWriter.F32, new long[] {l.shortFactor().length}, GgufWriter.f32(l.shortFactor()));
            }
        }
    }

    /** llama.cpp's rope_freqs for Llama 3: per frequency 1, factor, or 1 / ((1 - s) / factor + s) between. */
    static float[] llama3Factors(ModelConfig c, RopeScaling.Llama3 l) {
        int d = c.rope().rotaryDim();
        float[] out = new float[d / 2];
        double lowWave = l.originalMax() / l.lowFreqFactor();
        double highWave = l.originalMax() / l.highFreqFactor();
        for (int j = 0; j < out.length; j++) {
            float freq = (float) (1.0 / Math.pow((float) c.rope().theta(), (float) (2 * j) / d));
            double wave = 2 * Math.PI / freq;
            if (wave < highWave) {
                out[j] = 1;
            } else if (wave > lowWave) {
                out[j] = (float) l.factor();
            } else {
                double s = (l.originalMax() / wave - l.lowFreqFactor()) / (l.highFreqFactor() - l.lowFreqFactor());
                out[j] = (float) (1 / ((1 - s) / l.factor() + s));
            }
        }
        return out;
    }

    /** tokenizer.json as GGUF's vocabulary, the way llama.cpp's converter reads it. */
    private static void vocab(GgufWriter w, Path modelDir) throws IOException {
        JsonNode tok = JSON.readTree(modelDir.resolve("tokenizer.json").toFile());
        JsonNode cfg = JSON.readTree(modelDir.resolve("tokenizer_config.json").toFile());
        Map<Integer, String> byId = new HashMap<>();
        tok.path("model").path("vocab").properties().forEach(e -> byId.put(e.getValue().intValue(), e.getKey()));
        Map<String, Boolean> added = new HashMap<>();
        for (JsonNode t : tok.path("added_tokens")) {
            byId.put(t.get("id").intValue(), t.get("content").textValue());
            added.put(t.get("content").textValue(), t.get("special").booleanValue());
        }
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < byId.size(); i++) {
            tokens.add(byId.get(i));
        }
        String unk = cfg.path("unk_token").asText(null);
        boolean spm = tok.path("normalizer").toString().contains("Prepend");
        int[] types = new int[tokens.size()];
        for (int i = 0; i < types.length; i++) {
            String t = tokens.get(i);
            types[i] = added.containsKey(t) ? (spm && t.equals(unk) ? GgufVocab.UNKNOWN : added.get(t) ? GgufVocab.CONTROL
                    : GgufVocab.USER_DEFINED) : t.matches("<0x[0-9A-F]{2}>") ? GgufVocab.BYTE : GgufVocab.NORMAL;
        }
        List<String> merges = new ArrayList<>();
        for (JsonNode m : tok.path("model").path("merges")) {
            merges.add(m.isArray() ? m.get(0).textValue() + " " + m.get(1).textValue() : m.textValue());
        }
        w.strings(GgufVocab.TOKENS, tokens).ints(GgufVocab.TYPES, types);
        if (spm) {
            w.string(GgufVocab.MODEL, "llama").string(ByteLevelBpeJson.PRE, "default");
            float[] scores = new float[tokens.size()];
            Map<String, Integer> rank = new HashMap<>();
            for (int r = 0; r < merges.size(); r++) {
                rank.putIfAbsent(merges.get(r).replace(" ", ""), r);
            }
            for (int i = 0; i < scores.length; i++) {
                String t = tokens.get(i);
                scores[i] = rank.containsKey(t) ? -(rank.get(t) + 1) : t.codePointCount(0, t.length()) > 1 ? -1e9f : 0f;
            }
            String normalizer = tok.path("normalizer").toString();
            w.floats(SentencePieceJson.SCORES, scores).bool("tokenizer.ggml.add_space_prefix", true)
                    .bool("tokenizer.ggml.remove_extra_whitespaces", normalizer.contains("Strip"));
        } else {
            w.string(GgufVocab.MODEL, "gpt2").string(ByteLevelBpeJson.PRE, "gpt-2").strings(ByteLevelBpeJson.MERGES, merges);
        }
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < tokens.size(); i++) {
            ids.put(tokens.get(i), i);
        }
        for (String k : new String[] {"bos", "eos", "unk"}) {
            String text = cfg.path(k + "_token").asText(null);
            if (text != null && ids.containsKey(text)) {
                w.u32("tokenizer.ggml." + (k.equals("unk") ? "unknown" : k) + "_token_id", ids.get(text));
            }
        }
        if (cfg.has("add_bos_token")) {
            w.bool("tokenizer.ggml.add_bos_token", cfg.get("add_bos_token").booleanValue());
        }
        if (cfg.path("chat_template").isTextual()) {
            w.string("tokenizer.chat_template", cfg.get("chat_template").textValue());
        }
    }
}
