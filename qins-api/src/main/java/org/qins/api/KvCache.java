package org.qins.api;

/**
 * Keys and values of past positions, per layer and KV head. Attention never reads the stored
 * representation: it asks the cache for dot products with the keys and for weighted sums of the
 * values, so a cache may keep them in any format (FP16 keys, QINS values) and decode inside
 * these two calls.
 */
public interface KvCache {

    KvCacheSpec spec();

    /**
     * Stores the keys and values of one position for one layer: {@code kvHeads * headDim}
     * floats each, head-major, starting at the given offsets.
     */
    void store(int layer, int position, float[] k, int kOffset, float[] v, int vOffset);

    /**
     * {@code scores[sOffset + t] = dot(q[qOffset .. qOffset+headDim), K[layer][t][kvHead])} for
     * {@code t < length}.
     */
    void keyScores(int layer, int kvHead, float[] q, int qOffset, int length, float[] scores, int sOffset);

    /**
     * {@code out[outOffset + d] = sum_{t < length} weights[wOffset + t] * V[layer][t][kvHead][d]};
     * overwrites {@code headDim} elements of {@code out}.
     */
    void valueSum(int layer, int kvHead, float[] weights, int wOffset, int length, float[] out, int outOffset);

    /** Bytes held for one token position over all layers (K and V). */
    long bytesPerToken();

    /** Bytes resident now (allocated storage). */
    long residentBytes();

    /** A short description (format of K and V). */
    String describe();
}
