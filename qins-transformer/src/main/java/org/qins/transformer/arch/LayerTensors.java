package org.qins.transformer.arch;

import java.util.List;

/**
 * Names of one decoder block's tensors, relative to the block's prefix ({@code model.layers.N.}).
 * A linear name is the base of {@code NAME.weight} (and {@code NAME.bias} where biased); a norm
 * name is the base of its {@code .weight}.
 *
 * @param qkv               one fused tensor ({@code [q; k; v]} rows) or the three of q, k and v
 * @param o                 the attention output projection
 * @param gateUp            one fused tensor ({@code [gate; up]} rows) or the two of gate and up
 * @param down              the MLP output projection
 * @param inputNorm         RMSNorm before attention
 * @param postAttentionNorm RMSNorm before the MLP
 * @param qNorm             per-head RMSNorm of the queries before RoPE (weights of head_dim), or null
 * @param kNorm             per-head RMSNorm of the keys before RoPE, or null
 */
public record LayerTensors(List<String> qkv, String o, List<String> gateUp, String down, String inputNorm,
        String postAttentionNorm, String qNorm, String kNorm) {

    public LayerTensors {
        qkv = List.copyOf(qkv);
        gateUp = List.copyOf(gateUp);
        if (qkv.size() != 1 && qkv.size() != 3) {
            throw new IllegalArgumentException("qkv must be one fused tensor or three (q, k, v), got " + qkv);
        }
        if (gateUp.size() != 1 && gateUp.size() != 2) {
            throw new IllegalArgumentException("gate/up must be one fused tensor or two (gate, up), got " + gateUp);
        }
        if ((qNorm == null) != (kNorm == null)) {
            throw new IllegalArgumentException("q and k norms come together, got q_norm " + qNorm + ", k_norm " + kNorm);
        }
    }

    /** Llama's names: separate projections, no q/k norm. */
    public static LayerTensors llama() {
        return new LayerTensors(List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"), "self_attn.o_proj",
                List.of("mlp.gate_proj", "mlp.up_proj"), "mlp.down_proj", "input_layernorm", "post_attention_layernorm", null, null);
    }

    public LayerTensors withFusedQkv(String name) {
        return new LayerTensors(List.of(name), o, gateUp, down, inputNorm, postAttentionNorm, qNorm, kNorm);
    }

    public LayerTensors withFusedGateUp(String name) {
        return new LayerTensors(qkv, o, List.of(name), down, inputNorm, postAttentionNorm, qNorm, kNorm);
    }

    public LayerTensors withQkNorm(String q, String k) {
        return new LayerTensors(qkv, o, gateUp, down, inputNorm, postAttentionNorm, q, k);
    }

    /** The tensors of a projection, in output order. */
    public List<String> tensors(Projection p) {
        return switch (p) {
            case QKV -> qkv;
            case O -> List.of(o);
            case GATE_UP -> gateUp;
            case DOWN -> List.of(down);
        };
    }

    public boolean hasQkNorm() {
        return qNorm != null;
    }
}
