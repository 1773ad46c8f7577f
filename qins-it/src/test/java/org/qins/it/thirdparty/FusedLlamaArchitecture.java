package org.qins.it.thirdparty;

import java.util.List;
import org.qins.transformer.arch.Architecture;
import org.qins.transformer.arch.ArchitectureProvider;
import org.qins.transformer.arch.BiasRule;
import org.qins.transformer.arch.LayerTensors;
import org.qins.transformer.arch.SlidingWindowRule;

/**
 * A third party's model family, registered in this test jar's {@code META-INF/services} only: Llama's
 * math under other tensor names ({@code blocks.N.attn.wqkv}, ...), with q/k/v and gate/up fused and
 * biases on the fused qkv, as a llama.cpp-style export might store it.
 */
public final class FusedLlamaArchitecture implements ArchitectureProvider {

    public static final Architecture FUSED_LLAMA = new Architecture("FusedLlamaForCausalLM", "fused-llama", "blocks.",
            "tok_embeddings", "norm", "output", new LayerTensors(List.of("attn.wqkv"), "attn.wo", List.of("ffn.w13"), "ffn.w2",
                    "attn_norm", "ffn_norm", null, null),
            new BiasRule(java.util.Set.of(org.qins.transformer.arch.Projection.QKV), java.util.Map.of()), SlidingWindowRule.NONE);

    @Override
    public List<Architecture> architectures() {
        return List.of(FUSED_LLAMA);
    }
}
