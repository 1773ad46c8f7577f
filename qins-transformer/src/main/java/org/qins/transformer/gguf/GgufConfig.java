package org.qins.transformer.gguf;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.qins.transformer.config.UnsupportedModelException;

/**
 * The Hugging Face {@code config.json} that a GGUF file's metadata describes, for the families the engine
 * runs: GGUF architecture {@code llama} (Llama 2 and 3.x; Mistral, whose GGUFs say {@code llama}, when the
 * file gives a sliding window), {@code qwen2}, {@code qwen3} and {@code phi3}. Sizes, head size, context,
 * RMSNorm epsilon, RoPE base, rotary dimensions and scaling come from {@code <arch>.*} keys; what llama.cpp's
 * converter stores as tensors is read from them: Llama 3's {@code rope_freqs.weight} (per-frequency divisors,
 * given to the engine as LongRoPE with equal short and long factors) and Phi-3's {@code rope_factors_short}/
 * {@code _long}. A missing {@code output.weight} means a tied head; bias tensors of block 0 set the bias flags.
 * The result goes through the same {@code ConfigLoader} checks as a config.json.
 */
public final class GgufConfig {

    /** GGUF architecture to the Hugging Face class name and model_type. */
    static final Map<String, String[]> FAMILIES = Map.of("llama", new String[] {"LlamaForCausalLM", "llama"},
            "qwen2", new String[] {"Qwen2ForCausalLM", "qwen2"}, "qwen3", new String[] {"Qwen3ForCausalLM", "qwen3"},
            "phi3", new String[] {"Phi3ForCausalLM", "phi3"});
    static final String[] MISTRAL = {"MistralForCausalLM", "mistral"};
    public static final String ARCHITECTURE_KEY = "general.architecture";
    static final int MIN_BLOCK_TENSORS = 6;
    static final String ROPE_FREQS = "rope_freqs.weight";
    static final String ROPE_LONG = "rope_factors_long.weight";
    static final String ROPE_SHORT = "rope_factors_short.weight";
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private GgufConfig() {
    }

    /** The GGUF architecture name of {@code f}, if the engine runs it. */
    public static String architecture(GgufFile f) {
        String arch = f.metadata().string(ARCHITECTURE_KEY);
        if (!FAMILIES.containsKey(arch)) {
            throw new UnsupportedModelException(f.path() + ": GGUF architecture '" + arch + "' is not supported (supported: "
                    + String.join(", ", new java.util.TreeSet<>(FAMILIES.keySet())) + ")");
        }
        return arch;
    }

    public static ObjectNode hfConfig(GgufFile f) {
        GgufMetadata m = f.metadata();
        String arch = architecture(f);
        String a = arch + ".";
        ObjectNode c = JsonNodeFactory.instance.objectNode();
        int window = m.optionalInteger(a + "attention.sliding_window", 0).orElse(0);
        String[] family = arch.equals("llama") && window > 0 ? MISTRAL : FAMILIES.get(arch);
        c.putArray("architectures").add(family[0]);
        c.put("model_type", family[1]);
        c.put("hidden_act", "silu");
        int hidden = m.integer(a + "embedding_length", 1);
        int heads = m.integer(a + "attention.head_count", 1);
        c.put("hidden_size", hidden);
        c.put("intermediate_size", m.integer(a + "feed_forward_length", 1));
        c.put("num_hidden_layers", blocks(f, a));
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", m.optionalInteger(a + "attention.head_count_kv", 1).orElse(heads));
        int headDim = headDim(m, a, hidden, heads);
        c.put("head_dim", headDim);
        int maxPos = m.integer(a + "context_length", 1);
        c.put("max_position_embeddings", maxPos);
        c.put("rms_norm_eps", m.number(a + "attention.layer_norm_rms_epsilon"));
        c.put("vocab_size", vocabSize(f));
        c.put("tie_word_embeddings", !f.hasTensor("output.weight"));
        rope(f, c, a, headDim, maxPos);
        biases(f, c, arch);
        window(c, arch, window, c.get("num_hidden_layers").intValue());
        tokens(m, c);
        return c;
    }

    /**
     * {@code <arch>.block_count}, which the tensors must be able to hold (every family's block has at least
     * {@value #MIN_BLOCK_TENSORS}: two norms and four projections, fused or not): a count beyond that would make the
     * engine list names and layers for blocks that are not there (found by fuzzing: 7,602,177 blocks in a 20 KB file).
     */
    private static int blocks(GgufFile f, String a) {
        int blocks = f.metadata().integer(a + "block_count", 1);
        if ((long) blocks * MIN_BLOCK_TENSORS > f.tensors().size()) {
            throw f.metadata().error(a + "block_count", "is " + blocks + " but the file holds " + f.tensors().size()
                    + " tensors; a block has at least " + MIN_BLOCK_TENSORS);
        }
        return blocks;
    }

    private static int headDim(GgufMetadata m, String a, int hidden, int heads) {
        int k = m.optionalInteger(a + "attention.key_length", 1).orElse(hidden / heads);
        int v = m.optionalInteger(a + "attention.value_length", 1).orElse(k);
        if (k != v) {
            throw m.error(a + "attention.value_length", "is " + v + " but key_length is " + k + "; the engine needs equal head sizes");
        }
        return k;
    }

    private static int vocabSize(GgufFile f) {
        GgufTensorInfo embed = f.tensor("token_embd.weight");
        if (embed.shape().length != 2) {
            throw new UnsupportedModelException(f.path() + ": tensor " + embed.describe() + " must be a matrix");
        }
        return Math.toIntExact(embed.shape()[0]);
    }

    private static void rope(GgufFile f, ObjectNode c, String a, int headDim, int maxPos) {
        GgufMetadata m = f.metadata();
        c.put("rope_theta", m.optionalNumber(a + "rope.freq_base").orElse(10000.0));
        int rot = m.optionalInteger(a + "rope.dimension_count", 1).orElse(headDim);
        if (rot != headDim) {
            // nextUp: head_dim x factor must not round below rot in the config reader
            c.put("partial_rotary_factor", Math.nextUp(rot / (double) headDim));
        }
        String type = m.optionalString(a + "rope.scaling.type").orElse("none");
        ObjectNode s = JsonNodeFactory.instance.objectNode();
        if (f.hasTensor(ROPE_SHORT) || f.hasTensor(ROPE_LONG)) {
            s.put("type", "longrope");
            s.set("short_factor", factors(f, ROPE_SHORT, rot));
            s.set("long_factor", factors(f, ROPE_LONG, rot));
            c.put("original_max_position_embeddings", m.integer(a + "rope.scaling.original_context_length", 1));
            m.optionalNumber(a + "rope.scaling.attn_factor").ifPresent(x -> s.put("attention_factor", x));
        } else if (f.hasTensor(ROPE_FREQS)) {
            ArrayNode freqs = factors(f, ROPE_FREQS, rot);
            s.put("type", "longrope");
            s.set("short_factor", freqs);
            s.set("long_factor", freqs.deepCopy());
            s.put("original_max_position_embeddings", maxPos);
        } else if (type.equals("linear")) {
            s.put("type", "linear");
            s.put("factor", m.number(a + "rope.scaling.factor"));
        } else if (!type.equals("none")) {
            throw m.error(a + "rope.scaling.type", "is '" + type + "'; supported: none, linear (and the rope factor tensors "
                    + ROPE_FREQS + ", " + ROPE_SHORT + " / " + ROPE_LONG + ")");
        }
        if (!s.isEmpty()) {
            c.set("rope_scaling", s);
        }
    }

    /** A per-frequency factor tensor: rot / 2 floats. */
    private static ArrayNode factors(GgufFile f, String name, int rot) {
        GgufTensorInfo t = f.tensor(name);
        if (t.type() != GgmlType.F32 || t.shape().length != 1 || t.shape()[0] != rot / 2) {
            throw new UnsupportedModelException(f.path() + ": tensor " + t.describe() + " must be F32[" + rot / 2
                    + "] (one factor per rotary frequency)");
        }
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (int i = 0; i < rot / 2; i++) {
            out.add(t.data().getAtIndex(F32, i));
        }
        return out;
    }

    private static void biases(GgufFile f, ObjectNode c, String arch) {
        if (arch.equals("llama") || arch.equals("qwen3")) {
            c.put("attention_bias", f.hasTensor("blk.0.attn_q.bias") || f.hasTensor("blk.0.attn_output.bias"));
            c.put("mlp_bias", f.hasTensor("blk.0.ffn_up.bias") || f.hasTensor("blk.0.ffn_down.bias"));
        }
    }

    private static void window(ObjectNode c, String arch, int window, int layers) {
        if (window <= 0) {
            return;
        }
        c.put("sliding_window", window);
        if (arch.startsWith("qwen")) {
            ArrayNode types = c.putArray("layer_types");
            for (int i = 0; i < layers; i++) {
                types.add("sliding_attention");
            }
        }
    }

    /** BOS and the ids that end generation (EOS, end of turn, end of message). */
    private static void tokens(GgufMetadata m, ObjectNode c) {
        m.optionalInteger("tokenizer.ggml.bos_token_id", 0).ifPresent(b -> c.put("bos_token_id", b));
        Set<Integer> eos = new LinkedHashSet<>();
        for (String k : new String[] {"eos", "eot", "eom"}) {
            m.optionalInteger("tokenizer.ggml." + k + "_token_id", 0).ifPresent(eos::add);
        }
        if (eos.size() == 1) {
            c.put("eos_token_id", eos.iterator().next());
        } else if (!eos.isEmpty()) {
            ArrayNode ids = c.putArray("eos_token_id");
            eos.forEach(ids::add);
        }
    }
}
