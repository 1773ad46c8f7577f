package org.qins.api;

/**
 * Keys and values of past positions, per layer and KV head. Attention never reads the stored
 * representation: it asks the cache for dot products with the keys and for weighted sums of the
 * values, so a cache may keep them in any format (FP16 keys, QINS values) and decode inside
 * these two calls.
 *
 * <p>Positions are absolute (0 = the sequence's first token). A cache must keep the last
 * {@link KvCacheSpec#slots()} positions stored in each layer; with sliding-window attention that is
 * the window, so its memory stays flat however long the sequence grows. Attention asks only for
 * positions {@code [from, to)} still held; asking for older ones is an error.
 */
public interface KvCache {

    KvCacheSpec spec();

    /**
     * Stores the keys and values of one position for one layer: {@code kvHeads * headDim}
     * floats each, head-major, starting at the given offsets. Positions of a layer are stored in
     * increasing order.
     */
    void store(int layer, int position, float[] k, int kOffset, float[] v, int vOffset);

    /**
     * {@code scores[sOffset + t - from] = dot(q[qOffset .. qOffset+headDim), K[layer][t][kvHead])} for
     * positions {@code from <= t < to}.
     */
    void keyScores(int layer, int kvHead, float[] q, int qOffset, int from, int to, float[] scores, int sOffset);

    /**
     * {@code out[outOffset + d] = sum_{from <= t < to} weights[wOffset + t - from] * V[layer][t][kvHead][d]};
     * overwrites {@code headDim} elements of {@code out}.
     */
    void valueSum(int layer, int kvHead, float[] weights, int wOffset, int from, int to, float[] out, int outOffset);

    /**
     * {@link #keyScores(int, int, float[], int, int, int, float[], int)} for {@code queries} queries that share
     * {@code kvHead}, query {@code j} at {@code qOffset + j * headDim} of {@code q}, its scores at
     * {@code sOffset + j * sStride} of {@code scores}: attention over a block of tokens (and the query heads of a GQA
     * group) reads each cached key once for all of them. The default asks once per query; a cache should override it
     * to decode each stored row once.
     */
    default void keyScores(int layer, int kvHead, float[] q, int qOffset, int queries, int from, int to, float[] scores,
            int sOffset, int sStride) {
        int hd = spec().headDim();
        for (int j = 0; j < queries; j++) {
            keyScores(layer, kvHead, q, qOffset + j * hd, from, to, scores, sOffset + j * sStride);
        }
    }

    /**
     * {@link #valueSum(int, int, float[], int, int, int, float[], int)} for {@code queries} queries that share
     * {@code kvHead}: query {@code j}'s weights at {@code wOffset + j * wStride}, its output (overwritten) at
     * {@code outOffset + j * headDim}. The default sums once per query; a cache should override it to decode each
     * stored row once.
     */
    default void valueSum(int layer, int kvHead, float[] weights, int wOffset, int wStride, int queries, int from, int to,
            float[] out, int outOffset) {
        int hd = spec().headDim();
        for (int j = 0; j < queries; j++) {
            valueSum(layer, kvHead, weights, wOffset + j * wStride, from, to, out, outOffset + j * hd);
        }
    }

    /**
     * Makes room for {@code positions} positions (at most {@link KvCacheSpec#slots()}) now, so that storing them later
     * allocates nothing: the engine calls it with a request's size once it has checked that the memory is there. A
     * cache that allocates up front, or grows cheaply, may ignore it.
     */
    default void reserve(int positions) {
    }

    /** Bytes held for one token position over all layers (K and V). */
    long bytesPerToken();

    /** Bytes resident now (allocated storage). */
    long residentBytes();

    /** A short description (format of K and V). */
    String describe();
}
