package org.qins.transformer.config;

import java.util.List;

/**
 * What the engine needs from {@code config.json} (and {@code generation_config.json} for EOS).
 *
 * @param eosTokenIds ids that end generation (may be several); empty if none is configured
 */
public record ModelConfig(Architecture architecture, int hiddenSize, int intermediateSize, int layers, int heads, int kvHeads,
        int headDim, int vocabSize, float rmsNormEps, boolean tieWordEmbeddings, int maxPositionEmbeddings, RopeConfig rope,
        int bosTokenId, List<Integer> eosTokenIds) {

    public ModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        if (heads <= 0 || kvHeads <= 0 || heads % kvHeads != 0) {
            throw new UnsupportedModelException("num_attention_heads " + heads + " is not a multiple of num_key_value_heads " + kvHeads);
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
}
