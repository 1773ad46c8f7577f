package org.qins.kvcache;

import java.util.Arrays;
import org.qins.api.KvCache;
import org.qins.api.KvCacheSpec;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import org.qins.api.kernel.AttentionMath;
import org.qins.api.kernel.ThreadScratch;
import org.qins.api.kernel.VectorMath;
import org.qins.codec.GroupCodec;

/**
 * K in FP16, V in QINS (255-level codes + sign bit-plane, one fp32 scale per token and head, clipped
 * at the codec's default width). Keys are widened inside {@link #keyScores}, values decoded inside
 * {@link #valueSum}, one position's head row at a time into a per-thread scratch row that the
 * vector dot and axpy then use: no float copy of the cache exists. Storage grows in chunks of
 * {@value #CHUNK} positions up to {@link KvCacheSpec#slots()}; position {@code p} lives in slot
 * {@code p % slots}, so a sliding-window model's cache stops growing at its window.
 */
final class QinsKvCache implements KvCache {

    static final int CHUNK = 64;
    /** Per-thread row: attention calls these from several threads at once. */
    private static final ThreadScratch ROW = new ThreadScratch();

    private final KvCacheSpec spec;
    private final GroupCodec codec;
    private final float[] magnitudes;
    /** Bits of the 32 mantissas {@code M[j] = 2 magnitudes[32 + j]}, or null where the vector decode does not apply. */
    private final IntVector mantissa0;
    private final IntVector mantissa1;
    private final int hd;
    private final int signStride;
    private final short[][] keys;
    private final byte[][] codes;
    private final byte[][] signs;
    private final float[][] scales;
    private final int slots;
    /** Per layer: the last position stored + 1. */
    private final int[] stored;

    QinsKvCache(KvCacheSpec spec, GroupCodec codec) {
        this.spec = spec;
        this.codec = codec;
        this.magnitudes = codec.magnitudes();
        IntVector[] m = mantissaVectors(magnitudes);
        this.mantissa0 = m == null ? null : m[0];
        this.mantissa1 = m == null ? null : m[1];
        this.hd = spec.headDim();
        this.signStride = (hd + 7) >>> 3;
        int layers = spec.layers();
        keys = new short[layers][0];
        codes = new byte[layers][0];
        signs = new byte[layers][0];
        scales = new float[layers][0];
        slots = spec.slots();
        stored = new int[layers];
        if ((long) slots * spec.rowSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a QINS KV cache of " + slots + " positions x " + spec.rowSize()
                    + " values per layer exceeds one Java array");
        }
    }

    /**
     * The table as 32 mantissas in two 16-lane vectors when {@code magnitudes[c] = M[c & 31] / 2^(c >> 5)} for every
     * code (32 codes per octave) and the CPU has 16 float lanes; else null (the scalar table decodes).
     */
    private static IntVector[] mantissaVectors(float[] magnitudes) {
        if (FloatVector.SPECIES_PREFERRED.length() != 16) {
            return null;
        }
        int[] m = new int[32];
        for (int j = 0; j < 32; j++) {
            m[j] = Float.floatToRawIntBits(2 * magnitudes[32 + j]);
        }
        for (int c = 1; c < 256; c++) {
            if (Math.scalb(Float.intBitsToFloat(m[c & 31]), -(c >>> 5)) != magnitudes[c]) {
                return null;
            }
        }
        return new IntVector[] {IntVector.fromArray(IntVector.SPECIES_512, m, 0), IntVector.fromArray(IntVector.SPECIES_512, m, 16)};
    }

    /** Grows every layer to {@code positions} positions (at most the slots) now. */
    @Override
    public void reserve(int positions) {
        for (int l = 0; l < spec.layers(); l++) {
            ensureExactly(l, Math.min(slots, positions));
        }
    }

    @Override
    public KvCacheSpec spec() {
        return spec;
    }

    private void ensure(int layer, int positions) {
        int have = scales[layer].length / spec.kvHeads();
        if (positions <= have) {
            return;
        }
        ensureExactly(layer, Math.min(slots, Math.max(positions, have + CHUNK)));
    }

    private void ensureExactly(int layer, int grown) {
        if (grown <= scales[layer].length / spec.kvHeads()) {
            return;
        }
        int heads = spec.kvHeads();
        keys[layer] = Arrays.copyOf(keys[layer], grown * heads * hd);
        codes[layer] = Arrays.copyOf(codes[layer], grown * heads * hd);
        signs[layer] = Arrays.copyOf(signs[layer], grown * heads * signStride);
        scales[layer] = Arrays.copyOf(scales[layer], grown * heads);
    }

    @Override
    public void store(int layer, int position, float[] k, int kOffset, float[] v, int vOffset) {
        if (position < 0 || position >= spec.capacity()) {
            throw new IndexOutOfBoundsException("position " + position + " outside KV cache capacity " + spec.capacity());
        }
        int at = position % slots;
        ensure(layer, at + 1);
        int heads = spec.kvHeads();
        short[] kl = keys[layer];
        int kBase = at * heads * hd;
        for (int i = 0; i < heads * hd; i++) {
            kl[kBase + i] = Float.floatToFloat16(k[kOffset + i]);
        }
        for (int h = 0; h < heads; h++) {
            int slot = at * heads + h;
            scales[layer][slot] = codec.encode(v, vOffset + h * hd, hd, codes[layer], slot * hd, signs[layer], slot * signStride);
        }
        stored[layer] = position + 1;
    }

    @Override
    public void keyScores(int layer, int kvHead, float[] q, int qOffset, int from, int to, float[] scores, int sOffset) {
        spec.checkHeld(layer, from, to, stored[layer]);
        short[] kl = keys[layer];
        int heads = spec.kvHeads();
        float[] row = ROW.floats(hd);
        int at = from % slots;
        for (int t = from; t < to; t++) {
            int base = (at * heads + kvHead) * hd;
            for (int d = 0; d < hd; d++) {
                row[d] = Float.float16ToFloat(kl[base + d]);
            }
            scores[sOffset + t - from] = VectorMath.dot(q, qOffset, row, 0, hd);
            at = at + 1 == slots ? 0 : at + 1;
        }
    }

    @Override
    public void valueSum(int layer, int kvHead, float[] weights, int wOffset, int from, int to, float[] out, int outOffset) {
        spec.checkHeld(layer, from, to, stored[layer]);
        byte[] cl = codes[layer];
        byte[] sl = signs[layer];
        float[] scl = scales[layer];
        int heads = spec.kvHeads();
        float[] row = ROW.floats(hd);
        // Accumulate in place: heads may be summed concurrently by the engine's threads.
        Arrays.fill(out, outOffset, outOffset + hd, 0f);
        int at = from % slots;
        for (int t = from; t < to; t++) {
            int slot = at * heads + kvHead;
            at = at + 1 == slots ? 0 : at + 1;
            int cBase = slot * hd;
            int sBase = slot * signStride;
            for (int d = 0; d < hd; d++) {
                // the sign as the float's sign bit: a branch on it would mispredict half the time
                int sign = (sl[sBase + (d >>> 3)] >>> (d & 7)) << 31;
                row[d] = Float.intBitsToFloat(Float.floatToRawIntBits(magnitudes[cl[cBase + d] & 0xFF]) ^ sign);
            }
            VectorMath.axpy(weights[wOffset + t - from] * scl[slot], row, 0, out, outOffset, hd);
        }
    }


    /** Positions decoded per tile by the block methods: 64 rows of a head stay in L1 (24 KiB at head dim 96). */
    private static final int TILE = 64;
    private static final ThreadScratch TILE_ROWS = new ThreadScratch();

    /** Scores of a block of queries: each key row is widened once per tile (vectorised) and serves every query. */
    @Override
    public void keyScores(int layer, int kvHead, float[] q, int qOffset, int queries, int from, int to, float[] scores, int sOffset,
            int sStride) {
        spec.checkHeld(layer, from, to, stored[layer]);
        short[] kl = keys[layer];
        int heads = spec.kvHeads();
        float[] tile = TILE_ROWS.floats(TILE * hd);
        for (int t0 = from; t0 < to; t0 += TILE) {
            int n = Math.min(TILE, to - t0);
            int at = t0 % slots;
            for (int i = 0; i < n; i++) {
                AttentionMath.halfToFloat(kl, (at * heads + kvHead) * hd, tile, i * hd, hd);
                at = at + 1 == slots ? 0 : at + 1;
            }
            AttentionMath.scores(q, qOffset, queries, hd, tile, 0, hd, n, scores, sOffset + t0 - from, sStride);
        }
    }

    /** Weighted sums for a block of queries: each value row is decoded once per tile and serves every query. */
    @Override
    public void valueSum(int layer, int kvHead, float[] weights, int wOffset, int wStride, int queries, int from, int to, float[] out,
            int outOffset) {
        spec.checkHeld(layer, from, to, stored[layer]);
        byte[] cl = codes[layer];
        byte[] sl = signs[layer];
        float[] scl = scales[layer];
        int heads = spec.kvHeads();
        float[] tile = TILE_ROWS.floats(TILE * hd);
        Arrays.fill(out, outOffset, outOffset + queries * hd, 0f);
        for (int t0 = from; t0 < to; t0 += TILE) {
            int n = Math.min(TILE, to - t0);
            int at = t0 % slots;
            for (int i = 0; i < n; i++) {
                int slot = at * heads + kvHead;
                at = at + 1 == slots ? 0 : at + 1;
                decodeValue(cl, slot * hd, sl, slot * signStride, scl[slot], tile, i * hd);
            }
            AttentionMath.weightedSum(weights, wOffset + t0 - from, wStride, queries, tile, 0, hd, n, out, outOffset, hd);
        }
    }

    /**
     * One head's value row: magnitude of each code, its sign from the bit-plane, times the row's scale. With 16 float
     * lanes and 32 codes per octave (the V format), 16 codes at a time: the mantissa from a 32-entry table in two
     * vectors, the octave subtracted from the exponent bits, the sign from 16 bits of the plane, zero codes blended to
     * 0; the same floats as the table ({@code magnitudes}), which the scalar tail uses.
     */
    private void decodeValue(byte[] cl, int cBase, byte[] sl, int sBase, float scale, float[] dst, int dOff) {
        int d = 0;
        if (mantissa0 != null) {
            for (; d + 16 <= hd; d += 16) {
                IntVector c = (IntVector) ByteVector.fromArray(ByteVector.SPECIES_128, cl, cBase + d)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2I, IntVector.SPECIES_512, 0);
                int signBits = (sl[sBase + (d >>> 3)] & 0xFF) | (sl[sBase + (d >>> 3) + 1] & 0xFF) << 8;
                IntVector bits = c.and(31).selectFrom(mantissa0, mantissa1).sub(c.lanewise(VectorOperators.LSHR, 5)
                        .lanewise(VectorOperators.LSHL, 23))
                        .lanewise(VectorOperators.OR, 0x80000000, VectorMask.fromLong(IntVector.SPECIES_512, signBits))
                        .blend(0, c.eq(0));
                bits.reinterpretAsFloats().mul(scale).intoArray(dst, dOff + d);
            }
        }
        for (; d < hd; d++) {
            int sign = (sl[sBase + (d >>> 3)] >>> (d & 7)) << 31;
            dst[dOff + d] = Float.intBitsToFloat(Float.floatToRawIntBits(magnitudes[cl[cBase + d] & 0xFF] * scale) ^ sign);
        }
    }

    /** K: 2 bytes per element; V: 1 code byte per element, the sign bit-plane and a 4-byte scale per head. */
    @Override
    public long bytesPerToken() {
        return (long) spec.layers() * spec.kvHeads() * (2L * hd + hd + signStride + Float.BYTES);
    }

    @Override
    public long residentBytes() {
        long n = 0;
        for (int l = 0; l < spec.layers(); l++) {
            n += 2L * keys[l].length + codes[l].length + signs[l].length + 4L * scales[l].length;
        }
        return n;
    }

    @Override
    public String describe() {
        return "K fp16, V " + codec.format().layout().id() + " (clipped " + codec.format().widthOctaves() + " octaves, one range per token and head)";
    }
}
