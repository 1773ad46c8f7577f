package org.qins.transformer.gguf;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.qins.transformer.arch.Architecture;
import org.qins.transformer.arch.LayerTensors;

/**
 * GGUF tensor names (llama.cpp's: {@code token_embd}, {@code output_norm}, {@code output},
 * {@code blk.N.attn_q}, ...) to the names a family's {@link Architecture} gives, role by role, so that any
 * described family maps the same way: q, k and v apart ({@code attn_q/k/v}) or fused ({@code attn_qkv}),
 * gate and up apart ({@code ffn_gate/up}) or fused ({@code ffn_up}, as llama.cpp stores Phi-3's gate_up),
 * {@code attn_output}, {@code ffn_down}, the norms {@code attn_norm}, {@code ffn_norm} and the per-head
 * {@code attn_q_norm}/{@code attn_k_norm}.
 */
final class GgufTensorNames {

    private GgufTensorNames() {
    }

    /** GGUF name to the architecture's name, for every tensor a model of {@code layers} blocks may hold. */
    static Map<String, String> of(Architecture arch, int layers) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("token_embd.weight", arch.embedding() + ".weight");
        m.put("output_norm.weight", arch.finalNorm() + ".weight");
        linear(m, "output", arch.head());
        LayerTensors l = arch.layer();
        for (int i = 0; i < layers; i++) {
            String blk = "blk." + i + ".";
            List<String> qkv = l.qkv();
            if (qkv.size() == 3) {
                linear(m, blk + "attn_q", arch.inLayer(i, qkv.get(0)));
                linear(m, blk + "attn_k", arch.inLayer(i, qkv.get(1)));
                linear(m, blk + "attn_v", arch.inLayer(i, qkv.get(2)));
            } else {
                linear(m, blk + "attn_qkv", arch.inLayer(i, qkv.get(0)));
            }
            linear(m, blk + "attn_output", arch.inLayer(i, l.o()));
            List<String> gateUp = l.gateUp();
            if (gateUp.size() == 2) {
                linear(m, blk + "ffn_gate", arch.inLayer(i, gateUp.get(0)));
                linear(m, blk + "ffn_up", arch.inLayer(i, gateUp.get(1)));
            } else {
                linear(m, blk + "ffn_up", arch.inLayer(i, gateUp.get(0)));
            }
            linear(m, blk + "ffn_down", arch.inLayer(i, l.down()));
            m.put(blk + "attn_norm.weight", arch.inLayer(i, l.inputNorm()) + ".weight");
            m.put(blk + "ffn_norm.weight", arch.inLayer(i, l.postAttentionNorm()) + ".weight");
            if (l.hasQkNorm()) {
                m.put(blk + "attn_q_norm.weight", arch.inLayer(i, l.qNorm()) + ".weight");
                m.put(blk + "attn_k_norm.weight", arch.inLayer(i, l.kNorm()) + ".weight");
            }
        }
        return m;
    }

    private static void linear(Map<String, String> m, String gguf, String base) {
        m.put(gguf + ".weight", base + ".weight");
        m.put(gguf + ".bias", base + ".bias");
    }
}
