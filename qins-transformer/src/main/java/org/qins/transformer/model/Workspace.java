package org.qins.transformer.model;

import org.qins.transformer.config.ModelConfig;

/**
 * Activation buffers for the rows of a forward call (tokens of one or several sequences). They
 * grow when a larger batch arrives and are reused for every later call, so the decode loop
 * allocates nothing. One workspace serves one caller at a time.
 */
final class Workspace {

    private final ModelConfig config;
    private final int largestPart;
    int rows;
    float[] x;
    float[] xn;
    float[] qkv;
    float[] attn;
    float[] tmp;
    float[] gateUp;
    float[] act;
    float[] scratch;
    /** Normalised rows whose logits are wanted, and their logits when they are scattered to several sequences. */
    float[] headIn;
    float[] headOut;

    Workspace(ModelConfig config, int largestPart) {
        this.config = config;
        this.largestPart = largestPart;
    }

    /** Makes room for {@code rows} tokens. */
    void ensure(int rows) {
        if (rows > this.rows) {
            this.rows = rows;
            int h = config.hiddenSize();
            x = new float[rows * h];
            xn = new float[rows * h];
            qkv = new float[rows * config.qkvDim()];
            attn = new float[rows * config.qDim()];
            tmp = new float[rows * h];
            gateUp = new float[rows * 2 * config.intermediateSize()];
            act = new float[rows * config.intermediateSize()];
            scratch = new float[rows * largestPart];
            headIn = new float[rows * h];
        }
    }

    /** A buffer for {@code n} rows of logits (several sequences' last positions). */
    float[] headOut(int n) {
        int size = n * config.vocabSize();
        if (headOut == null || headOut.length < size) {
            headOut = new float[size];
        }
        return headOut;
    }
}
