package org.qins.transformer.model;

import org.qins.api.KvCache;
import org.qins.api.Parallel;

/**
 * Causal attention of one query token over the cached positions, a range of query heads per
 * call, through the cache's {@code keyScores} / {@code valueSum} only. Mutable so that the
 * decode loop reuses one instance instead of allocating a lambda per token.
 */
final class AttentionKernel implements Parallel.RangeBody {

    private final int headDim;
    private final int group;
    private final int qkvDim;
    private final int qDim;
    private final float scale;
    KvCache cache;
    int layer;
    float[] qkv;
    float[] out;
    float[] scores;
    int scoreStride;
    int row;
    int length;

    AttentionKernel(ModelShape s) {
        this.headDim = s.headDim();
        this.group = s.heads() / s.kvHeads();
        this.qkvDim = s.qkvDim();
        this.qDim = s.qDim();
        this.scale = (float) (1.0 / Math.sqrt(s.headDim()));
    }

    /** Sets the token: {@code row} of the batch, attending to positions {@code [0, length)}. */
    void token(int row, int length) {
        this.row = row;
        this.length = length;
    }

    @Override
    public void run(int from, int to) {
        for (int h = from; h < to; h++) {
            int s = h * scoreStride;
            cache.keyScores(layer, h / group, qkv, row * qkvDim + h * headDim, length, scores, s);
            softmax(scores, s, length, scale);
            cache.valueSum(layer, h / group, scores, s, length, out, row * qDim + h * headDim);
        }
    }

    /** {@code softmax(x * scale)} in place over {@code n} entries, float32 like HF's eager attention. */
    static void softmax(float[] x, int off, int n, float scale) {
        float max = Float.NEGATIVE_INFINITY;
        for (int t = 0; t < n; t++) {
            float v = x[off + t] * scale;
            x[off + t] = v;
            max = Math.max(max, v);
        }
        float sum = 0f;
        for (int t = 0; t < n; t++) {
            float e = (float) Math.exp(x[off + t] - max);
            x[off + t] = e;
            sum += e;
        }
        for (int t = 0; t < n; t++) {
            x[off + t] /= sum;
        }
    }
}
