package org.qins.codec;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/**
 * Table kernel for qins8 (sign bit + 7-bit code): the byte is sign-extended into the int lane, so
 * its top bit already sits in the float sign position.
 */
final class Qins8VectorKernel extends LutVectorKernel {

    Qins8VectorKernel(QinsTensor t) {
        super(t);
    }

    /** Signed unscaled weights at code offset {@code codeOff}. */
    private FloatVector decode(long codeOff) {
        IntVector raw = (IntVector) ByteVector.fromMemorySegment(B, codes, codeOff, LE)
                .convertShape(VectorOperators.B2I, I, 0);
        IntVector c = raw.and(0x7F);
        IntVector bits = magnitudeBits(c).or(raw.and(0x80000000)).blend(0, c.eq(0));
        return bits.reinterpretAsFloats();
    }

    /** As {@link #decode} but code 0 gives the garbage {@code +-T[0]} (listed in {@code zeroVal}). */
    private FloatVector decodeNoZero(long codeOff) {
        IntVector raw = (IntVector) ByteVector.fromMemorySegment(B, codes, codeOff, LE)
                .convertShape(VectorOperators.B2I, I, 0);
        return magnitudeBits(raw.and(0x7F)).or(raw.and(0x80000000)).reinterpretAsFloats();
    }

    @Override
    public float dotRow(int row, float[] x, int xOff, float[] scratch) {
        if (halves) {
            return dotRowHalves(row, x, xOff);
        }
        return pairs ? dotRowPairs(row, x, xOff) - zeroGarbage(row, x, xOff) : dotRowGroups(row, x, xOff);
    }

    /** Any group length (a multiple of L, or the whole row): inner loop per group, scalar tails. */
    private float dotRowGroups(int row, float[] x, int xOff) {
        long cb = (long) row * cols;
        int gl = groupLength;
        long ri = t.rangeIndex(row, 0);
        FloatVector acc0 = FloatVector.zero(F);
        float tail = 0;
        for (int g0 = 0; g0 < cols; g0 += gl, ri++) {
            int end = Math.min(cols, g0 + gl);
            int vEnd = g0 + ((end - g0) & -L);
            FloatVector gs0 = FloatVector.zero(F);
            FloatVector gs1 = FloatVector.zero(F);
            int i = g0;
            for (; i + L < vEnd; i += 2 * L) {
                gs0 = decodeNoZero(cb + i).fma(FloatVector.fromArray(F, x, xOff + i), gs0);
                gs1 = decodeNoZero(cb + i + L).fma(FloatVector.fromArray(F, x, xOff + i + L), gs1);
            }
            if (i < vEnd) {
                gs0 = decodeNoZero(cb + i).fma(FloatVector.fromArray(F, x, xOff + i), gs0);
            }
            float s = t.scaleAt(ri);
            acc0 = gs0.add(gs1).fma(FloatVector.broadcast(F, s), acc0);
            for (i = vEnd; i < end; i++) {
                tail += scalar(row, i, s) * x[xOff + i];
            }
        }
        return acc0.reduceLanes(VectorOperators.ADD) - zeroGarbage(row, x, xOff) + tail;
    }

    /**
     * Groups of exactly two vectors with fp16 scales (the default block 32 on AVX-512): one scale
     * per group. Not a counted loop: in 32-bit lanes C2 unrolled the counted version 8-16x and
     * spilled (qins-bench/RESULTS.md, round 4).
     */
    private float dotRowPairs(int row, float[] x, int xOff) {
        long cb = (long) row * cols;
        long ri = t.rangeIndex(row, 0);
        FloatVector acc = FloatVector.zero(F);
        for (int g0 = 0; g0 < cols; g0 += 2 * L, ri++) {
            FloatVector gs = decodeNoZero(cb + g0).mul(FloatVector.fromArray(F, x, xOff + g0));
            gs = decodeNoZero(cb + g0 + L).fma(FloatVector.fromArray(F, x, xOff + g0 + L), gs);
            acc = gs.fma(FloatVector.broadcast(F, t.scaleAt(ri)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * {@link #dotRowPairs} in 16-bit lanes (see {@link LutVectorKernel#halves}); the sign-extended
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
    public void dotRows(int from, int to, float[] x, float[] out, float[] scratch) {
        if (halves) {
            for (int o = from; o < to; o++) {
                out[o] = dotRowHalves(o, x, 0);
            }
        } else if (pairs) {
            // The zero-code correction is called here, not from the dot loop, whose compilation
            // unit has no inlining budget left; right after its row, whose codes are still cached.
            for (int o = from; o < to; o++) {
                out[o] = dotRowPairs(o, x, 0) - zeroGarbage(o, x, 0);
            }
        } else {
            for (int o = from; o < to; o++) {
                out[o] = dotRowGroups(o, x, 0);
            }
        }
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        if (halves) {
            decodeRowHalves(row, dst, off);
            return;
        }
        long cb = (long) row * cols;
        int gl = groupLength;
        long ri = t.rangeIndex(row, 0);
        for (int g0 = 0; g0 < cols; g0 += gl, ri++) {
            int end = Math.min(cols, g0 + gl);
            float s = t.scaleAt(ri);
            FloatVector sv = FloatVector.broadcast(F, s);
            int vEnd = g0 + ((end - g0) & -L);
            int i = g0;
            for (; i < vEnd; i += L) {
                decode(cb + i).mul(sv).intoArray(dst, off + i);
            }
            for (; i < end; i++) {
                dst[off + i] = scalar(row, i, s);
            }
        }
    }

    @Override
    public String name() {
        return "qins8-vector-" + L + (halves ? "-halves" : "");
    }
}
