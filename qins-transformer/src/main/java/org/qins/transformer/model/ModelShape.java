package org.qins.transformer.model;

import org.qins.transformer.config.ModelConfig;

/** The dimensions the buffers and kernels need, derived from the config once. */
record ModelShape(int hidden, int intermediate, int heads, int kvHeads, int headDim, int vocab) {

    static ModelShape of(ModelConfig c) {
        return new ModelShape(c.hiddenSize(), c.intermediateSize(), c.heads(), c.kvHeads(), c.headDim(), c.vocabSize());
    }

    int qDim() {
        return heads * headDim;
    }

    int kvDim() {
        return kvHeads * headDim;
    }

    int qkvDim() {
        return qDim() + 2 * kvDim();
    }

    int largestPart() {
        return Math.max(Math.max(qDim(), hidden), intermediate);
    }
}
