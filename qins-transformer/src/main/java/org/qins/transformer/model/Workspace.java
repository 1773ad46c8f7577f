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

    /** Floats per row of the buffers {@link #ensure} sizes. */
    static long floatsPerRow(ModelConfig c, int largestPart) {
        return 4L * c.hiddenSize() + c.qkvDim() + c.qDim() + 3L * c.intermediateSize() + largestPart;
    }

    /** Bytes of a workspace for {@code rows} rows, with the logits of one row. */
    static long bytes(ModelConfig c, int largestPart, int rows) {
        return 4 * (floatsPerRow(c, largestPart) * rows + c.vocabSize());
    }

    /** Makes room for {@code rows} tokens. */
    void ensure(int rows) {
        if (rows > this.rows) {
            if (floatsPerRow(config, largestPart) * rows > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(rows + " rows of activations exceed Java's array size; feed fewer tokens per call");
            }
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
