package org.qins.api;

/**
 * The shape of a key/value cache.
 *
 * @param layers   decoder layers
 * @param kvHeads  key/value heads per layer
 * @param headDim  elements per head
 * @param capacity maximum number of token positions
 */
public record KvCacheSpec(int layers, int kvHeads, int headDim, int capacity) {

    public KvCacheSpec {
        if (layers <= 0 || kvHeads <= 0 || headDim <= 0 || capacity <= 0) {
            throw new IllegalArgumentException("bad KV cache shape: " + layers + " layers, " + kvHeads + " kv heads, head dim "
                    + headDim + ", capacity " + capacity);
        }
    }

    /** Elements of K (or V) per token and layer: {@code kvHeads * headDim}. */
    public int rowSize() {
        return kvHeads * headDim;
    }
}
