package org.qins.fp;

import java.util.Arrays;
import org.qins.api.KvCache;
import org.qins.api.KvCacheSpec;
import org.qins.api.kernel.AttentionMath;
import org.qins.api.kernel.VectorMath;

/**
 * Keys and values in float32, one array per layer (slot-major, then head, then dim) that grows up
 * to {@link KvCacheSpec#slots()} positions; position {@code p} lives in slot {@code p % slots}, so a
 * sliding-window model's cache stops growing at its window.
 */
final class FloatKvCache implements KvCache {

    private static final int INITIAL_POSITIONS = 64;
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private final KvCacheSpec spec;
    private final int slots;
    private final float[][] keys;
    private final float[][] values;
    /** Per layer: the last position stored + 1. */
    private final int[] stored;

    FloatKvCache(KvCacheSpec spec) {
        this.spec = spec;
        this.slots = spec.slots();
        if ((long) slots * spec.rowSize() > MAX_ARRAY) {
            throw new IllegalArgumentException("a float KV cache of " + slots + " positions x " + spec.rowSize()
                    + " values per layer exceeds one Java array (" + MAX_ARRAY + " elements)");
        }
        this.keys = new float[spec.layers()][];
        this.values = new float[spec.layers()][];
        this.stored = new int[spec.layers()];
        int initial = Math.min(slots, INITIAL_POSITIONS) * spec.rowSize();
        for (int l = 0; l < spec.layers(); l++) {
            keys[l] = new float[initial];
            values[l] = new float[initial];
        }
    }

    @Override
    public KvCacheSpec spec() {
        return spec;
    }

    @Override
    public void store(int layer, int position, float[] k, int kOffset, float[] v, int vOffset) {
        if (position < 0 || position >= spec.capacity()) {
            throw new IndexOutOfBoundsException("position " + position + " outside KV cache capacity " + spec.capacity());
        }
        int row = spec.rowSize();
        int slot = position % slots;
        int end = (slot + 1) * row;
        if (end > keys[layer].length) {
            int grown = Math.min(slots * row, Math.max(end, keys[layer].length * 2));
            keys[layer] = Arrays.copyOf(keys[layer], grown);
            values[layer] = Arrays.copyOf(values[layer], grown);
        }
        System.arraycopy(k, kOffset, keys[layer], slot * row, row);
        System.arraycopy(v, vOffset, values[layer], slot * row, row);
        stored[layer] = position + 1;
    }

    @Override
    public void keyScores(int layer, int kvHead, float[] q, int qOffset, int from, int to, float[] scores, int sOffset) {
        spec.checkHeld(layer, from, to, stored[layer]);
        int row = spec.rowSize();
        int hd = spec.headDim();
        float[] k = keys[layer];
        int slot = from % slots;
        for (int t = from; t < to; t++) {
            scores[sOffset + t - from] = VectorMath.dot(q, qOffset, k, slot * row + kvHead * hd, hd);
            slot = slot + 1 == slots ? 0 : slot + 1;
        }
    }

    @Override
    public void valueSum(int layer, int kvHead, float[] weights, int wOffset, int from, int to, float[] out, int outOffset) {
        spec.checkHeld(layer, from, to, stored[layer]);
        int row = spec.rowSize();
        int hd = spec.headDim();
        float[] v = values[layer];
        Arrays.fill(out, outOffset, outOffset + hd, 0f);
        int slot = from % slots;
        for (int t = from; t < to; t++) {
            VectorMath.axpy(weights[wOffset + t - from], v, slot * row + kvHead * hd, out, outOffset, hd);
            slot = slot + 1 == slots ? 0 : slot + 1;
        }
    }

    /** Scores of a block of queries: each key row of the ring (one or two contiguous runs of slots) read once for all. */
    @Override
    public void keyScores(int layer, int kvHead, float[] q, int qOffset, int queries, int from, int to, float[] scores, int sOffset,
            int sStride) {
        spec.checkHeld(layer, from, to, stored[layer]);
        int row = spec.rowSize();
        int hd = spec.headDim();
        for (int t = from; t < to; ) {
            int slot = t % slots;
            int run = Math.min(to - t, slots - slot);
            AttentionMath.scores(q, qOffset, queries, hd, keys[layer], slot * row + kvHead * hd, row, run, scores, sOffset + t - from,
                    sStride);
            t += run;
        }
    }

    @Override
    public void valueSum(int layer, int kvHead, float[] weights, int wOffset, int wStride, int queries, int from, int to, float[] out,
            int outOffset) {
        spec.checkHeld(layer, from, to, stored[layer]);
        int row = spec.rowSize();
        int hd = spec.headDim();
        Arrays.fill(out, outOffset, outOffset + queries * hd, 0f);
        for (int t = from; t < to; ) {
            int slot = t % slots;
            int run = Math.min(to - t, slots - slot);
            AttentionMath.weightedSum(weights, wOffset + t - from, wStride, queries, values[layer], slot * row + kvHead * hd, row, run,
                    out, outOffset, hd);
            t += run;
        }
    }

    /** Grows every layer to exactly {@code positions} positions (at most the slots): no doubling, no later copies. */
    @Override
    public void reserve(int positions) {
        int size = Math.min(slots, Math.max(0, positions)) * spec.rowSize();
        for (int l = 0; l < spec.layers(); l++) {
            if (keys[l].length < size) {
                keys[l] = Arrays.copyOf(keys[l], size);
                values[l] = Arrays.copyOf(values[l], size);
            }
        }
    }

    @Override
    public long bytesPerToken() {
        return 2L * spec.layers() * spec.rowSize() * Float.BYTES;
    }

    @Override
    public long residentBytes() {
        long n = 0;
        for (int l = 0; l < spec.layers(); l++) {
            n += (long) (keys[l].length + values[l].length) * Float.BYTES;
        }
        return n;
    }

    @Override
    public String describe() {
        return "fp32 K and V" + (spec.window() < spec.capacity() ? ", last " + spec.window() + " positions" : "");
    }
}
