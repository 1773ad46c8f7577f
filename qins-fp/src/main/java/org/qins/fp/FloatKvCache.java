package org.qins.fp;

import java.util.Arrays;
import org.qins.api.KvCache;
import org.qins.api.KvCacheSpec;
import org.qins.api.kernel.VectorMath;

/** Keys and values in float32, one growing array per layer (position-major, then head, then dim). */
final class FloatKvCache implements KvCache {

    private static final int INITIAL_POSITIONS = 64;

    private final KvCacheSpec spec;
    private final float[][] keys;
    private final float[][] values;

    FloatKvCache(KvCacheSpec spec) {
        this.spec = spec;
        this.keys = new float[spec.layers()][];
        this.values = new float[spec.layers()][];
        int initial = Math.min(spec.capacity(), INITIAL_POSITIONS) * spec.rowSize();
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
        int end = (position + 1) * row;
        if (end > keys[layer].length) {
            int grown = Math.min(spec.capacity() * row, Math.max(end, keys[layer].length * 2));
            keys[layer] = Arrays.copyOf(keys[layer], grown);
            values[layer] = Arrays.copyOf(values[layer], grown);
        }
        System.arraycopy(k, kOffset, keys[layer], position * row, row);
        System.arraycopy(v, vOffset, values[layer], position * row, row);
    }

    @Override
    public void keyScores(int layer, int kvHead, float[] q, int qOffset, int length, float[] scores, int sOffset) {
        int row = spec.rowSize();
        int hd = spec.headDim();
        float[] k = keys[layer];
        for (int t = 0; t < length; t++) {
            scores[sOffset + t] = VectorMath.dot(q, qOffset, k, t * row + kvHead * hd, hd);
        }
    }

    @Override
    public void valueSum(int layer, int kvHead, float[] weights, int wOffset, int length, float[] out, int outOffset) {
        int row = spec.rowSize();
        int hd = spec.headDim();
        float[] v = values[layer];
        Arrays.fill(out, outOffset, outOffset + hd, 0f);
        for (int t = 0; t < length; t++) {
            VectorMath.axpy(weights[wOffset + t], v, t * row + kvHead * hd, out, outOffset, hd);
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
        return "fp32 K and V";
    }
}
