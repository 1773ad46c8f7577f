package org.qins.codec;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** {@link Qins8VectorKernel} for tensors of whole pairs of groups, decoded in 16-bit lanes ({@link LutVectorKernel#halves}). */
final class Qins8HalvesKernel extends Qins8VectorKernel {

    Qins8HalvesKernel(QinsTensor t) {
        super(t);
        if (!halves) {
            throw new IllegalArgumentException(t.name + ": not a tensor for the 16-bit loops");
        }
    }

    @Override
    public float dotRow(int row, float[] x, int xOff, float[] scratch) {
        return dotRowHalves(row, x, xOff);
    }

    @Override
    public void dotRows(int from, int to, float[] x, float[] out, float[] scratch) {
        for (int o = from; o < to; o++) {
            out[o] = dotRowHalves(o, x, 0);
        }
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        decodeRowHalves(row, dst, off);
    }

    /**
     * The pair loop of {@link Qins8VectorKernel} in 16-bit lanes (see {@link LutVectorKernel#halves}); the sign-extended
     * byte carries the sign to bit 15. Counts pairs of groups and zeroes the lookups of zero codes,
     * as Qins9VectorKernel does and why.
     */
    private float dotRowHalves(int row, float[] x, int xOff) {
        long cb = (long) row * cols;
        long rb = t.rangeIndex(row, 0) << 1;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int pairCount = cols / (4 * L);
        for (int p = 0; p < pairCount; p++) {
            int sc = scales.get(I32, rb + 4L * p);
            long co = cb + 4L * L * p;
            int xi = xOff + 4 * L * p;
            acc0 = groupProducts(co, x, xi).fma(FloatVector.broadcast(F, Float.float16ToFloat((short) sc)), acc0);
            acc1 = groupProducts(co + 2 * L, x, xi + 2 * L).fma(FloatVector.broadcast(F, Float.float16ToFloat((short) (sc >>> 16))), acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** Unscaled products of the 2L weights at code offset {@code co} with {@code x[xi..]}, summed to L lanes. */
    private FloatVector groupProducts(long co, float[] x, int xi) {
        ShortVector raw = signedWordCodes(co);
        ShortVector c = raw.and((short) 0x7F);
        VectorMask<Short> nonZero = c.compare(VectorOperators.NE, (short) 0);
        ShortVector hi = highHalves(c, nonZero).or(raw.and((short) 0x8000));
        ShortVector lo = lowHalves(c, nonZero);
        return products(lo, hi, x, xi);
    }

    /** {@link #dotRowHalves}'s decode, scaled, into {@code dst[off, off + cols)} (prefill tiles). */
    private void decodeRowHalves(int row, float[] dst, int off) {
        long cb = (long) row * cols;
        long rb = t.rangeIndex(row, 0) << 1;
        int pairCount = cols / (4 * L);
        for (int p = 0; p < pairCount; p++) {
            int sc = scales.get(I32, rb + 4L * p);
            long co = cb + 4L * L * p;
            int di = off + 4 * L * p;
            decodeGroup(co, Float.float16ToFloat((short) sc), dst, di);
            decodeGroup(co + 2 * L, Float.float16ToFloat((short) (sc >>> 16)), dst, di + 2 * L);
        }
    }

    /** The 2L weights at code offset {@code co}, times {@code scale}, into {@code dst[di..]}. */
    private void decodeGroup(long co, float scale, float[] dst, int di) {
        ShortVector raw = signedWordCodes(co);
        ShortVector c = raw.and((short) 0x7F);
        VectorMask<Short> nonZero = c.compare(VectorOperators.NE, (short) 0);
        ShortVector hi = highHalves(c, nonZero).or(raw.and((short) 0x8000));
        ShortVector lo = lowHalves(c, nonZero);
        store(lo, hi, scale, dst, di);
    }

    @Override
    public String name() {
        return "qins8-vector-" + L + "-halves";
    }
}
