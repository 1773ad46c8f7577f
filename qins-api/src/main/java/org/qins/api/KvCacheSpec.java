package org.qins.api;

/**
 * The shape of a key/value cache.
 *
 * @param layers   decoder layers
 * @param kvHeads  key/value heads per layer
 * @param headDim  elements per head
 * @param capacity maximum number of token positions a sequence may reach
 * @param window   positions a query attends to, itself included (sliding-window attention); equal to
 *                 {@code capacity} for full causal attention. A cache needs to keep only the last
 *                 {@link #slots()} positions.
 */
public record KvCacheSpec(int layers, int kvHeads, int headDim, int capacity, int window) {

    public KvCacheSpec {
        if (layers <= 0 || kvHeads <= 0 || headDim <= 0 || capacity <= 0 || window <= 0) {
            throw new IllegalArgumentException("bad KV cache shape: " + layers + " layers, " + kvHeads + " kv heads, head dim "
                    + headDim + ", capacity " + capacity + ", window " + window);
        }
    }

    /** A cache for full causal attention: every position stays visible. */
    public KvCacheSpec(int layers, int kvHeads, int headDim, int capacity) {
        this(layers, kvHeads, headDim, capacity, capacity);
    }

    /** Elements of K (or V) per token and layer: {@code kvHeads * headDim}. */
    public int rowSize() {
        return kvHeads * headDim;
    }

    /**
     * Positions a cache must hold: {@code min(capacity, window)}. Position {@code p} may be kept in
     * slot {@code p % slots()}, overwriting position {@code p - slots()}, which no later query sees.
     */
    public int slots() {
        return Math.min(capacity, window);
    }

    /**
     * Checks that positions {@code [from, to)} of {@code layer} are held by a cache that has stored
     * {@code stored} positions of it: stored already and not yet overwritten.
     */
    public void checkHeld(int layer, int from, int to, int stored) {
        if (from < 0 || from > to || to > stored || from < stored - slots()) {
            throw new IndexOutOfBoundsException("layer " + layer + ": positions [" + from + ", " + to + ") are not held; "
                    + stored + " stored, the last " + slots() + " kept");
        }
    }
}
