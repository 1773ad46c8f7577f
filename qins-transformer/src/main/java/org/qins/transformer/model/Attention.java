package org.qins.transformer.model;

import org.qins.api.KvCache;
import org.qins.api.kernel.ThreadScratch;
import org.qins.transformer.config.ModelConfig;

/**
 * Causal attention of one query head of one token over its sequence's cached positions, through
 * the cache's {@code keyScores} / {@code valueSum} only. With a sliding window W the query at
 * position i sees positions i - W + 1 .. i, as transformers' sliding-window mask does. Stateless:
 * the caller splits its (token, head) pairs across threads; each thread's scores live in its own
 * scratch row.
 */
final class Attention {

    private static final ThreadScratch SCORES = new ThreadScratch();

    private final int headDim;
    private final int group;
    private final int qkvDim;
    private final int qDim;
    private final int window;
    private final float scale;

    Attention(ModelConfig c) {
        this.headDim = c.headDim();
        this.group = c.groupSize();
        this.qkvDim = c.qkvDim();
        this.qDim = c.qDim();
        this.window = c.slidingWindow();
        this.scale = (float) (1.0 / Math.sqrt(c.headDim()));
    }

    /** The first position a query at {@code position} sees. */
    int firstVisible(int position) {
        return window == 0 ? 0 : Math.max(0, position - window + 1);
    }

    /**
     * Head {@code h} of batch row {@code row}, a token at {@code position}: reads its query from {@code qkv},
     * attends to the positions it sees in layer {@code layer} of {@code cache}, writes its output into {@code out}.
     */
    void head(KvCache cache, int layer, float[] qkv, int row, int h, int position, float[] out) {
        int from = firstVisible(position);
        int n = position + 1 - from;
        float[] scores = SCORES.floats(n);
        cache.keyScores(layer, h / group, qkv, row * qkvDim + h * headDim, from, position + 1, scores, 0);
        softmax(scores, 0, n, scale);
        cache.valueSum(layer, h / group, scores, 0, from, position + 1, out, row * qDim + h * headDim);
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
