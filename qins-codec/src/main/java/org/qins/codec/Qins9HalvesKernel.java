package org.qins.codec;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** {@link Qins9VectorKernel} for tensors of whole pairs of groups, decoded in 16-bit lanes ({@link LutVectorKernel#halves}). */
final class Qins9HalvesKernel extends Qins9VectorKernel {

    Qins9HalvesKernel(QinsTensor t) {
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
     * The pair loop of {@link Qins9VectorKernel} decoding in 16-bit lanes: a float's high half {@code T_hi[c mod 32] -
     * (c << (expShift - 16))} plus the sign, and its low half {@code T_lo[c mod 32]} (the exponent
     * step never reaches the low 16 bits), so the lookup, shift, subtract and sign cost one
     * operation per group of 32 weights instead of two; two word selects interleave the halves
     * back into floats. Zero codes select zero halves (a zeroing mask on the lookups), so they
     * decode to an exact +-0 and need no correction afterwards.
     *
     * <p>The loop counts pairs of groups: a counted loop lets C2 hoist the segment and array bounds
     * checks out of it (about 40 scalar instructions per iteration otherwise), and a body of two
     * groups stays above C2's unroll limit (one group per iteration is unrolled 8x and spills).
     * Rows hold whole pairs of groups ({@link #pairs}).
     */
    private float dotRowHalves(int row, float[] x, int xOff) {
        long cb = (long) row * cols;
        long sb = (long) row * signStride;
        long rb = t.rangeIndex(row, 0) << 1;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int pairCount = cols / (4 * L);
        for (int p = 0; p < pairCount; p++) {
            long sw = signs.get(I64, sb + 8L * p);
            int sc = scales.get(I32, rb + 4L * p);
            long co = cb + 4L * L * p;
            int xi = xOff + 4 * L * p;
            acc0 = groupProducts(co, sw, x, xi).fma(FloatVector.broadcast(F, Float.float16ToFloat((short) sc)), acc0);
            acc1 = groupProducts(co + 2 * L, sw >>> 32, x, xi + 2 * L)
                    .fma(FloatVector.broadcast(F, Float.float16ToFloat((short) (sc >>> 16))), acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /** Unscaled products of the 2L weights at code offset {@code co} with {@code x[xi..]}, summed to L lanes. */
    private FloatVector groupProducts(long co, long signBits, float[] x, int xi) {
        ShortVector c = wordCodes(co);
        VectorMask<Short> nonZero = c.compare(VectorOperators.NE, (short) 0);
        ShortVector hi = signed(highHalves(c, nonZero), signBits);
        ShortVector lo = lowHalves(c, nonZero);
        return products(lo, hi, x, xi);
    }

    /** Sets bit 15 (the float sign) of the lanes whose bit in {@code signBits} is set (low 2L bits). */
    private static ShortVector signed(ShortVector hi, long signBits) {
        // an add, as bit 15 is clear: x86 masks 16-bit lanes only on arithmetic
        return hi.lanewise(VectorOperators.ADD, (short) 0x8000, VectorMask.fromLong(S, signBits & 0xFFFFFFFFL));
    }

    /** {@link #dotRowHalves}'s decode, scaled, into {@code dst[off, off + cols)} (prefill tiles). */
    private void decodeRowHalves(int row, float[] dst, int off) {
        long cb = (long) row * cols;
        long sb = (long) row * signStride;
        long rb = t.rangeIndex(row, 0) << 1;
        int pairCount = cols / (4 * L);
        for (int p = 0; p < pairCount; p++) {
            long sw = signs.get(I64, sb + 8L * p);
            int sc = scales.get(I32, rb + 4L * p);
            long co = cb + 4L * L * p;
            int di = off + 4 * L * p;
            decodeGroup(co, sw, Float.float16ToFloat((short) sc), dst, di);
            decodeGroup(co + 2 * L, sw >>> 32, Float.float16ToFloat((short) (sc >>> 16)), dst, di + 2 * L);
        }
    }

    /** The 2L weights at code offset {@code co}, times {@code scale}, into {@code dst[di..]}. */
    private void decodeGroup(long co, long signBits, float scale, float[] dst, int di) {
        ShortVector c = wordCodes(co);
        VectorMask<Short> nonZero = c.compare(VectorOperators.NE, (short) 0);
        ShortVector hi = signed(highHalves(c, nonZero), signBits);
        ShortVector lo = lowHalves(c, nonZero);
        store(lo, hi, scale, dst, di);
    }

    @Override
    public String name() {
        return "qins9-vector-" + L + "-halves";
    }
}
