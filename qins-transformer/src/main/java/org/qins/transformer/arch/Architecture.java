package org.qins.transformer.arch;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One model family as both the loader and the converter see it: the Hugging Face class name and
 * {@code model_type} that select it, its tensor names (fused or separate projections, norms,
 * optional per-head q/k norms), which projections carry biases, and where its config says that
 * attention slides. Everything else (sizes, head_dim, RoPE kind and scaling, tied embeddings) is
 * read from {@code config.json} the same way for every family. The block computes the same steps
 * for all: pre-norm attention with rotate-half RoPE and GQA, then a SwiGLU MLP.
 *
 * <p>Registered through an {@link ArchitectureProvider}; see {@link #llamaLike} for a start.
 *
 * @param className     {@code architectures[0]} of config.json, e.g. {@code LlamaForCausalLM}
 * @param modelType     {@code model_type} of config.json, e.g. {@code llama}
 * @param layerPrefix   the prefix of block {@code N}'s tensors, before {@code N.}
 * @param embedding     the token embedding's tensor base
 * @param finalNorm     the last RMSNorm's tensor base
 * @param head          the LM head's tensor base (absent from the file when embeddings are tied)
 * @param layer         names inside a block
 * @param biases        which projections carry biases
 * @param slidingWindow where the config says attention slides
 */
public record Architecture(String className, String modelType, String layerPrefix, String embedding, String finalNorm,
        String head, LayerTensors layer, BiasRule biases, SlidingWindowRule slidingWindow) {

    /** Llama's layout ({@code model.layers.N.self_attn.q_proj}, ...), attention_bias / mlp_bias flags, no sliding window. */
    public static Architecture llamaLike(String className, String modelType) {
        return new Architecture(className, modelType, "model.layers.", "model.embed_tokens", "model.norm", "lm_head",
                LayerTensors.llama(), BiasRule.LLAMA_FLAGS, SlidingWindowRule.NONE);
    }

    public Architecture withLayer(LayerTensors l) {
        return new Architecture(className, modelType, layerPrefix, embedding, finalNorm, head, l, biases, slidingWindow);
    }

    public Architecture withBiases(BiasRule b) {
        return new Architecture(className, modelType, layerPrefix, embedding, finalNorm, head, layer, b, slidingWindow);
    }

    public Architecture withSlidingWindow(SlidingWindowRule w) {
        return new Architecture(className, modelType, layerPrefix, embedding, finalNorm, head, layer, biases, w);
    }

    /** The full name of a block tensor base: {@code model.layers.3.self_attn.q_proj}. */
    public String inLayer(int index, String name) {
        return layerPrefix + index + "." + name;
    }

    /** The tensor bases of every block linear of a model with {@code layers} blocks: what a conversion encodes. */
    public Set<String> blockLinears(int layers) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            for (Projection p : Projection.values()) {
                for (String t : layer.tensors(p)) {
                    out.add(inLayer(i, t));
                }
            }
        }
        return Set.copyOf(out);
    }

    /** One line for {@code qins providers}: what sets this family apart. */
    public String summary() {
        StringBuilder b = new StringBuilder("model_type ").append(modelType);
        b.append(layer.qkv().size() == 1 ? "; fused qkv" : "; q, k, v").append(layer.gateUp().size() == 1 ? ", fused gate/up" : ", gate, up");
        if (layer.hasQkNorm()) {
            b.append("; q/k RMSNorm");
        }
        if (!biases.always().isEmpty()) {
            b.append("; biases on ").append(new java.util.TreeSet<>(biases.always()));
        }
        if (!biases.byFlag().isEmpty()) {
            b.append("; biases by ").append(String.join(", ", new java.util.TreeSet<>(biases.byFlag().keySet())));
        }
        if (slidingWindow != SlidingWindowRule.NONE) {
            b.append("; sliding window by ").append(slidingWindow == SlidingWindowRule.SLIDING_WINDOW_KEY ? "sliding_window" : "layer_types");
        }
        return b.toString();
    }
}
