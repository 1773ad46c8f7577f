package org.qins.transformer.model;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.qins.transformer.config.Architecture;
import org.qins.transformer.config.ModelConfig;

/**
 * The checkpoint tensors a config's model reads, by name: the float tensors (embedding, norms)
 * and the linear layers' base names (a float {@code base.weight} or an encoded weight's parts
 * {@code base.<part>}). What a checkpoint holds beyond them means config and checkpoint disagree
 * (e.g. fewer layers in the config), except buffers transformers itself ignores.
 */
public final class ModelTensors {

    public static final String EMBED = "model.embed_tokens.weight";
    public static final String FINAL_NORM = "model.norm.weight";
    public static final String HEAD = "lm_head";

    private ModelTensors() {
    }

    /** Embedding and norm weights. */
    public static List<String> floatTensors(ModelConfig c) {
        List<String> out = new ArrayList<>();
        out.add(EMBED);
        for (int i = 0; i < c.layers(); i++) {
            out.add(layer(i) + "input_layernorm.weight");
            out.add(layer(i) + "post_attention_layernorm.weight");
        }
        out.add(FINAL_NORM);
        return out;
    }

    /** Base names of the linear layers, the LM head included unless tied to the embedding. */
    public static List<String> linearBases(ModelConfig c) {
        List<String> out = new ArrayList<>();
        List<String> names = c.architecture() == Architecture.PHI3
                ? List.of("self_attn.qkv_proj", "self_attn.o_proj", "mlp.gate_up_proj", "mlp.down_proj")
                : List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj", "mlp.gate_proj",
                        "mlp.up_proj", "mlp.down_proj");
        for (int i = 0; i < c.layers(); i++) {
            for (String n : names) {
                out.add(layer(i) + n);
            }
        }
        if (!c.tieWordEmbeddings()) {
            out.add(HEAD);
        }
        return out;
    }

    /**
     * Tensors of {@code names} the model does not read, without the ignorable ones
     * ({@link #isIgnorable}).
     */
    public static Set<String> unused(ModelConfig c, Set<String> names) {
        Set<String> used = new LinkedHashSet<>(floatTensors(c));
        Set<String> bases = new LinkedHashSet<>(linearBases(c));
        Set<String> out = new LinkedHashSet<>();
        for (String n : names) {
            int dot = n.lastIndexOf('.');
            boolean part = dot > 0 && bases.contains(n.substring(0, dot));
            if (!used.contains(n) && !part && !isIgnorable(c, n)) {
                out.add(n);
            }
        }
        return out;
    }

    /**
     * Tensors the model may carry without using them: rotary {@code inv_freq} buffers (recomputed from
     * the config) and, with tied embeddings, a stored {@code lm_head.weight} (the embedding is the head).
     */
    public static boolean isIgnorable(ModelConfig c, String name) {
        return name.endsWith(".rotary_emb.inv_freq") || (c.tieWordEmbeddings() && name.equals(HEAD + ".weight"));
    }

    private static String layer(int i) {
        return "model.layers." + i + ".";
    }
}
