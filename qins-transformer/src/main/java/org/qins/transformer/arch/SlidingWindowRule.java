package org.qins.transformer.arch;

/**
 * Where a family's config says that attention looks back over a window only (a query at position
 * i sees keys i - W + 1 .. i, as transformers' sliding-window causal mask does).
 */
public enum SlidingWindowRule {
    /** Always full causal attention (Llama: a {@code sliding_window} key is ignored, as transformers does). */
    NONE,
    /** Every layer slides when {@code sliding_window} is a number (Mistral, Phi-3). */
    SLIDING_WINDOW_KEY,
    /**
     * Qwen2 / Qwen3: {@code layer_types} lists {@code sliding_attention} or {@code full_attention} per layer
     * (older configs: {@code use_sliding_window}, then the layers from {@code max_window_layers} on slide).
     */
    LAYER_TYPES
}
