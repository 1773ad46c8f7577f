package org.qins.transformer.arch;

import java.util.List;
import java.util.Set;

/** The families the engine ships: Llama (2, 3.x), Mistral, Qwen2 / Qwen2.5, Qwen3, Phi-3 / Phi-3.5 / Phi-4-mini. */
public final class BuiltInArchitectures implements ArchitectureProvider {

    public static final Architecture LLAMA = Architecture.llamaLike("LlamaForCausalLM", "llama");
    public static final Architecture MISTRAL = Architecture.llamaLike("MistralForCausalLM", "mistral")
            .withBiases(BiasRule.NONE).withSlidingWindow(SlidingWindowRule.SLIDING_WINDOW_KEY);
    /** Biases on q, k and v always (not on o). */
    public static final Architecture QWEN2 = Architecture.llamaLike("Qwen2ForCausalLM", "qwen2")
            .withBiases(new BiasRule(Set.of(Projection.QKV), java.util.Map.of())).withSlidingWindow(SlidingWindowRule.LAYER_TYPES);
    /** Per-head RMSNorm of q and k before RoPE; Llama's bias flags. */
    public static final Architecture QWEN3 = Architecture.llamaLike("Qwen3ForCausalLM", "qwen3")
            .withLayer(LayerTensors.llama().withQkNorm("self_attn.q_norm", "self_attn.k_norm"))
            .withSlidingWindow(SlidingWindowRule.LAYER_TYPES);
    /** Fused {@code qkv_proj} and {@code gate_up_proj}; partial rotary and LongRoPE come from the config. */
    public static final Architecture PHI3 = Architecture.llamaLike("Phi3ForCausalLM", "phi3")
            .withLayer(LayerTensors.llama().withFusedQkv("self_attn.qkv_proj").withFusedGateUp("mlp.gate_up_proj"))
            .withBiases(BiasRule.NONE).withSlidingWindow(SlidingWindowRule.SLIDING_WINDOW_KEY);

    @Override
    public List<Architecture> architectures() {
        return List.of(LLAMA, MISTRAL, QWEN2, QWEN3, PHI3);
    }
}
