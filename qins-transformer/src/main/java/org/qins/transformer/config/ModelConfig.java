package org.qins.transformer.config;

import java.util.List;
import java.util.Set;
import org.qins.transformer.arch.Architecture;
import org.qins.transformer.arch.Projection;

/**
 * What the engine needs from {@code config.json} (and {@code generation_config.json} for EOS).
 *
 * @param architecture  the family: tensor names, norms, bias and window rules
 * @param biases        the projections that carry a bias in this model
 * @param slidingWindow positions a query attends to (itself included), 0 for full causal attention
 * @param eosTokenIds   ids that end generation (may be several); empty if none is configured
 */
public record ModelConfig(Architecture architecture, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
        int headDim, int vocabSize, float rmsNormEps, boolean tieWordEmbeddings, int maxPositionEmbeddings, RopeConfig rope,
        Set<Projection> biases, int slidingWindow, int bosTokenId, List<Integer> eosTokenIds) {

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        biases = Set.copyOf(biases);
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new UnsupportedModelException("num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
        }
        if (slidingWindow < 0) {
            throw new UnsupportedModelException("sliding window " + slidingWindow + " is negative");
        }
    }

    /** Query heads per key/value head (GQA group size). */
    public int groupSize() {
        return heads / kvHeads;
    }

    public int qDim() {
        return heads * headDim;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }

    /** Width of one token's {@code [q | k | v]} row. */
    public int qkvDim() {
        return qDim() + 2 * kvDim();
    }

    /** Output widths of a projection's stored tensors, in the order the architecture names them. */
    public int[] partSizes(Projection p) {
        int parts = architecture.layer().tensors(p).size();
        return switch (p) {
            case QKV -> parts == 1 ? new int[] {qkvDim()} : new int[] {qDim(), kvDim(), kvDim()};
            case O, DOWN -> new int[] {hiddenSize};
            case GATE_UP -> parts == 1 ? new int[] {2 * intermediateSize} : new int[] {intermediateSize, intermediateSize};
        };
    }

    /** Every linear layer's shape by tensor base: the block projections' tensors, and the LM head unless tied. */
    public java.util.Map<String, org.qins.api.LayerSpec> linearSpecs() {
        java.util.Map<String, org.qins.api.LayerSpec> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < layers; i++) {
            for (Projection p : Projection.values()) {
                List<String> tensors = architecture.layer().tensors(p);
                for (int t = 0; t < tensors.size(); t++) {
                    String base = architecture.inLayer(i, tensors.get(t));
                    out.put(base, new org.qins.api.LayerSpec(base, partSizes(p)[t], inputSize(p)));
                }
            }
        }
        if (!tieWordEmbeddings) {
            out.put(architecture.head(), new org.qins.api.LayerSpec(architecture.head(), vocabSize, hiddenSize));
        }
        return out;
    }

    /** Input width of a projection. */
    public int inputSize(Projection p) {
        return switch (p) {
            case QKV, GATE_UP -> hiddenSize;
            case O -> qDim();
            case DOWN -> intermediateSize;
        };
    }
}
