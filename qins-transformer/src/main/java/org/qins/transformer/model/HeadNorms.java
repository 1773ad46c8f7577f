package org.qins.transformer.model;

/**
 * Qwen3's per-head RMSNorm of the queries and keys, applied to each head's vector of a token's
 * {@code [q | k | v]} row before RoPE (values untouched).
 */
final class HeadNorms {

    private final RmsNorm q;
    private final RmsNorm k;
    private final int heads;
    private final int kvHeads;
    private final int headDim;

    HeadNorms(RmsNorm q, RmsNorm k, int heads, int kvHeads, int headDim) {
        this.q = q;
        this.k = k;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
    }

    /** Normalises in place the q and k heads of the row starting at {@code base}. */
    void apply(float[] qkv, int base) {
        for (int h = 0; h < heads; h++) {
            int off = base + h * headDim;
            q.applyRow(qkv, off, qkv, off);
        }
        int kBase = base + heads * headDim;
        for (int h = 0; h < kvHeads; h++) {
            int off = kBase + h * headDim;
            k.applyRow(qkv, off, qkv, off);
        }
    }

    int parameters() {
        return 2 * headDim;
    }
}
