package org.qins.transformer.model;

/**
 * Activation buffers for one sequence, sized for a batch of tokens and a number of cached
 * positions. They grow when a larger prefill arrives and are reused for every decode step, so
 * the decode loop allocates nothing.
 */
final class Workspace {

    private final ModelShape shape;
    int batch;
    int positions;
    float[] x;
    float[] xn;
    float[] qkv;
    float[] attn;
    float[] tmp;
    float[] gateUp;
    float[] act;
    float[] scratch;
    float[] scores;

    Workspace(ModelShape shape) {
        this.shape = shape;
    }

    /** Makes room for {@code batch} tokens attending to up to {@code positions} positions. */
    void ensure(int batch, int positions) {
        if (batch > this.batch) {
            this.batch = batch;
            x = new float[batch * shape.hidden()];
            xn = new float[batch * shape.hidden()];
            qkv = new float[batch * shape.qkvDim()];
            attn = new float[batch * shape.qDim()];
            tmp = new float[batch * shape.hidden()];
            gateUp = new float[batch * 2 * shape.intermediate()];
            act = new float[batch * shape.intermediate()];
            scratch = new float[batch * shape.largestPart()];
        }
        if (positions > this.positions) {
            this.positions = Math.max(positions, 2 * this.positions);
            scores = new float[shape.heads() * this.positions];
        }
    }
}
