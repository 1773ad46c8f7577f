package org.qins.transformer.model;

import org.qins.api.KvCache;
import org.qins.api.kernel.ThreadScratch;
import org.qins.transformer.config.ModelConfig;

/**
 * Causal attention, a block at a time: the query heads of one KV head's group, for a few consecutive
 * tokens, attend together, so that the cache reads (or decodes) each key and value row once for the
 * whole block through its block {@code keyScores} / {@code valueSum}, and the block's products run as
 * vector kernels over the rows. With a sliding window W the query at position i sees positions
 * i - W + 1 .. i, as transformers' sliding-window mask does. Stateless: the caller splits the blocks
 * across threads; each thread's queries, scores and outputs live in its own scratch.
 */
final class Attention {

    /** Queries per block, about: each cached row read once serves this many dot products (and axpys). */
    static final int QUERIES_PER_BLOCK = 16;

    private static final ThreadScratch SCRATCH = new ThreadScratch();

    private final int headDim;
    private final int group;
    private final int qkvDim;
    private final int qDim;
    private final int window;
    private final float scale;
    private final int tokensPerBlock;

    Attention(ModelConfig c) {
        this.headDim = c.headDim();
        this.group = c.groupSize();
        this.qkvDim = c.qkvDim();
        this.qDim = c.qDim();
        this.window = c.slidingWindow();
        this.scale = (float) (1.0 / Math.sqrt(c.headDim()));
        this.tokensPerBlock = Math.max(1, QUERIES_PER_BLOCK / group);
    }

    /** The first position a query at {@code position} sees. */
    int firstVisible(int position) {
        return window == 0 ? 0 : Math.max(0, position - window + 1);
    }

    /** Tokens of a block (its queries are these tokens times the group's heads). */
    int tokensPerBlock() {
        return tokensPerBlock;
    }

    /** Floats of scratch a thread needs for a block over {@code positions} positions. */
    long scratchFloats(int positions) {
        long queries = (long) tokensPerBlock * group;
        return queries * (2L * headDim + positions + tokensPerBlock);
    }

    /**
     * The group of KV head {@code kvHead} for {@code tokens} consecutive tokens: batch rows {@code row ..} at positions
     * {@code position ..}, all already stored in {@code layer} of {@code cache}. Reads the queries from {@code qkv},
     * writes the heads' outputs into {@code out} (rows of {@code qDim}).
     */
    void block(KvCache cache, int layer, float[] qkv, int row, int position, int tokens, int kvHead, float[] out) {
        int nq = tokens * group;
        int from = firstVisible(position);
        int to = position + tokens;
        int n = to - from;
        long floats = (long) nq * (2L * headDim + n);
        if (floats > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("attention block of " + nq + " queries over " + n + " positions exceeds one array");
        }
        float[] s = SCRATCH.floats((int) floats);
        int queries = 0;
        int outputs = nq * headDim;
        int scores = 2 * nq * headDim;
        // Queries of the group's heads, token-major: query j = (token j / group, head kvHead * group + j % group).
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(qkv, (row + t) * qkvDim + kvHead * group * headDim, s, queries + t * group * headDim, group * headDim);
        }
        cache.keyScores(layer, kvHead, s, queries, nq, from, to, s, scores, n);
        for (int j = 0; j < nq; j++) {
            int p = position + j / group;
            int lo = firstVisible(p) - from;
            int hi = p - from + 1;
            int base = scores + j * n;
            java.util.Arrays.fill(s, base, base + lo, 0f);
            softmax(s, base + lo, hi - lo, scale);
            java.util.Arrays.fill(s, base + hi, base + n, 0f); // positions after the query's own: masked
        }
        cache.valueSum(layer, kvHead, s, scores, n, nq, from, to, s, outputs);
        for (int t = 0; t < tokens; t++) {
            System.arraycopy(s, outputs + t * group * headDim, out, (row + t) * qDim + kvHead * group * headDim, group * headDim);
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
