package org.qins.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;

/** Table kernel for 255-level codes with a sign bit-plane (qins9, and qins8-seed repacked at load). */
final class Qins9VectorKernel extends LutVectorKernel {


    private final MemorySegment signs;
    private final int signStride;

    Qins9VectorKernel(QinsTensor t, boolean allowHalves) {
        super(t, allowHalves);
        this.signs = t.signs;
        this.signStride = t.signStride;
    }

    /** Signed unscaled weights at code offset {@code codeOff}; lane k negative if bit k of {@code signBits}. */
    private FloatVector decode(long codeOff, int signBits) {
        IntVector c = (IntVector) ByteVector.fromMemorySegment(B, codes, codeOff, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        return signed(c, signBits).blend(0, c.eq(0)).reinterpretAsFloats();
    }

    /** As {@link #decode} but code 0 gives the garbage {@code +-T[0]} (listed in {@code zeroVal}). */
    private FloatVector decodeNoZero(long codeOff, int signBits) {
        IntVector c = (IntVector) ByteVector.fromMemorySegment(B, codes, codeOff, LE)
                .convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
        return signed(c, signBits).reinterpretAsFloats();
    }

    private IntVector signed(IntVector c, int signBits) {
        // Signs through a mask register (a per-lane shift of the plane word measured slower: qins-bench/RESULTS.md).
        return magnitudeBits(c).lanewise(VectorOperators.OR, 0x80000000, VectorMask.fromLong(I, signBits & LANE_BITS));
    }

    private static final int LANE_BITS = (1 << L) - 1;

    /** Sign bits of columns {@code [i, i+L)} of the row whose plane starts at {@code signBase}. */
    private int signBits(long signBase, int i) {
        return L == 16 ? signs.get(QinsTensor.I16, signBase + (i >>> 3)) & 0xFFFF
                : signs.get(ValueLayout.JAVA_BYTE, signBase + (i >>> 3)) & 0xFF;
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
        long sb = (long) row * signStride;
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
                gs0 = decodeNoZero(cb + i, signBits(sb, i)).fma(FloatVector.fromArray(F, x, xOff + i), gs0);
                gs1 = decodeNoZero(cb + i + L, signBits(sb, i + L)).fma(FloatVector.fromArray(F, x, xOff + i + L), gs1);
            }
            if (i < vEnd) {
                gs0 = decodeNoZero(cb + i, signBits(sb, i)).fma(FloatVector.fromArray(F, x, xOff + i), gs0);
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
     * Groups of exactly two vectors with fp16 scales (the default block 32 on AVX-512), two groups
     * per iteration: one 64-bit sign read, one 32-bit read of both scales. The decode is written
     * out in place: helper calls would hit C2's inlining node cutoff at this size.
     */
    private float dotRowPairs(int row, float[] x, int xOff) {
        long cb = (long) row * cols;
        long sb = (long) row * signStride;
        long rb = t.rangeIndex(row, 0) << 1;
        IntVector t0 = table0;
        IntVector t1 = table1;
        int es = expShift;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        for (int g0 = 0; g0 < cols; g0 += 4 * L, rb += 4) {
            long sw = signs.get(I64, sb + (g0 >>> 3));
            int sc = scales.get(I32, rb);
            IntVector c0 = (IntVector) ByteVector.fromMemorySegment(B, codes, cb + g0, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            IntVector c1 = (IntVector) ByteVector.fromMemorySegment(B, codes, cb + g0 + L, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            IntVector c2 = (IntVector) ByteVector.fromMemorySegment(B, codes, cb + g0 + 2 * L, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            IntVector c3 = (IntVector) ByteVector.fromMemorySegment(B, codes, cb + g0 + 3 * L, LE).convertShape(VectorOperators.ZERO_EXTEND_B2I, I, 0);
            FloatVector w0 = c0.and(2 * L - 1).selectFrom(t0, t1).sub(c0.lanewise(VectorOperators.LSHL, es))
                    .lanewise(VectorOperators.OR, 0x80000000, VectorMask.fromLong(I, sw & LANE_BITS)).reinterpretAsFloats();
            FloatVector w1 = c1.and(2 * L - 1).selectFrom(t0, t1).sub(c1.lanewise(VectorOperators.LSHL, es))
                    .lanewise(VectorOperators.OR, 0x80000000, VectorMask.fromLong(I, (sw >>> L) & LANE_BITS)).reinterpretAsFloats();
            FloatVector w2 = c2.and(2 * L - 1).selectFrom(t0, t1).sub(c2.lanewise(VectorOperators.LSHL, es))
                    .lanewise(VectorOperators.OR, 0x80000000, VectorMask.fromLong(I, (sw >>> 2 * L) & LANE_BITS)).reinterpretAsFloats();
            FloatVector w3 = c3.and(2 * L - 1).selectFrom(t0, t1).sub(c3.lanewise(VectorOperators.LSHL, es))
                    .lanewise(VectorOperators.OR, 0x80000000, VectorMask.fromLong(I, (sw >>> 3 * L) & LANE_BITS)).reinterpretAsFloats();
            FloatVector a = w1.fma(FloatVector.fromArray(F, x, xOff + g0 + L), w0.mul(FloatVector.fromArray(F, x, xOff + g0)));
            FloatVector b = w3.fma(FloatVector.fromArray(F, x, xOff + g0 + 3 * L), w2.mul(FloatVector.fromArray(F, x, xOff + g0 + 2 * L)));
            acc0 = a.fma(FloatVector.broadcast(F, Float.float16ToFloat((short) sc)), acc0);
            acc1 = b.fma(FloatVector.broadcast(F, Float.float16ToFloat((short) (sc >>> 16))), acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    /**
     * {@link #dotRowPairs} decoding in 16-bit lanes: a float's high half {@code T_hi[c mod 32] -
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

    /**
     * Eight: at 8 rows its two four-row passes beat the packed product, whose 16-lane panels are then half empty
     * (2048x2048, one thread, thread CPU time, three alternated rounds: 1.18 to 1.27 ms against 1.49 to 1.61 ms).
     */
    @Override
    public int fusedBatchLimit() {
        return halves ? 8 : 0;
    }

    @Override
    public void dotRowsBatch(int from, int to, float[] x, int xStride, int batch, float[] out, int outStride, float[] scratch) {
        if (!halves) {
            super.dotRowsBatch(from, to, x, xStride, batch, out, outStride, scratch);
            return;
        }
        // Blocks of four rows only: an eight-row body (eight accumulators besides the decode) ran
        // 1.30 to 1.44 ms on 2048x2048 against 1.18 to 1.27 ms for two four-row passes (one thread).
        int b = 0;
        for (; b + 4 <= batch; b += 4) {
            for (int o = from; o < to; o++) {
                dotRowHalves4(o, x, b * cols, out, b * outStride + o, outStride);
            }
        }
        for (; b < batch; b++) {
            for (int o = from; o < to; o++) {
                out[b * outStride + o] = dotRowHalves(o, x, b * cols);
            }
        }
    }

    /**
     * {@link #dotRowHalves} for four input vectors ({@code x[xOff + k * cols ..]}, k < 4) at once:
     * each group of 2L weights is decoded and scaled once and multiplied into all four, so a
     * batched decode step (continuous batching) reads and decodes the codes once per four
     * sequences. One group per iteration: with a body of two groups (as in {@link #dotRowHalves}) a
     * 4-row step of the TinyLlama-shaped model took 1.6 s instead of 0.23 s (C2 compiled it badly).
     */
    private void dotRowHalves4(int row, float[] x, int xOff, float[] out, int outOff, int outStride) {
        long cb = (long) row * cols;
        long sb = (long) row * signStride;
        long rb = t.rangeIndex(row, 0) << 1;
        int n = cols;
        FloatVector a0 = FloatVector.zero(F);
        FloatVector a1 = FloatVector.zero(F);
        FloatVector a2 = FloatVector.zero(F);
        FloatVector a3 = FloatVector.zero(F);
        int groups = cols / (2 * L);
        for (int g = 0; g < groups; g++) {
            long sw = signs.get(I32, sb + 4L * g) & 0xFFFFFFFFL;
            short sc = scales.get(QinsTensor.I16, rb + 2L * g);
            long co = cb + 2L * L * g;
            int xi = xOff + 2 * L * g;
            ShortVector c = wordCodes(co);
            VectorMask<Short> nz = c.compare(VectorOperators.NE, (short) 0);
            ShortVector hi = signed(highHalves(c, nz), sw);
            ShortVector lo = lowHalves(c, nz);
            FloatVector s = FloatVector.broadcast(F, Float.float16ToFloat(sc));
            FloatVector w0 = firstFloats(lo, hi).mul(s);
            FloatVector w1 = secondFloats(lo, hi).mul(s);
            a0 = w1.fma(FloatVector.fromArray(F, x, xi + L), w0.fma(FloatVector.fromArray(F, x, xi), a0));
            a1 = w1.fma(FloatVector.fromArray(F, x, xi + n + L), w0.fma(FloatVector.fromArray(F, x, xi + n), a1));
            a2 = w1.fma(FloatVector.fromArray(F, x, xi + 2 * n + L), w0.fma(FloatVector.fromArray(F, x, xi + 2 * n), a2));
            a3 = w1.fma(FloatVector.fromArray(F, x, xi + 3 * n + L), w0.fma(FloatVector.fromArray(F, x, xi + 3 * n), a3));
        }
        out[outOff] = a0.reduceLanes(VectorOperators.ADD);
        out[outOff + outStride] = a1.reduceLanes(VectorOperators.ADD);
        out[outOff + 2 * outStride] = a2.reduceLanes(VectorOperators.ADD);
        out[outOff + 3 * outStride] = a3.reduceLanes(VectorOperators.ADD);
    }

    @Override
    public void decodeRow(int row, float[] dst, int off) {
        if (halves) {
            decodeRowHalves(row, dst, off);
            return;
        }
        long cb = (long) row * cols;
        long sb = (long) row * signStride;
        int gl = groupLength;
        long ri = t.rangeIndex(row, 0);
        for (int g0 = 0; g0 < cols; g0 += gl, ri++) {
            int end = Math.min(cols, g0 + gl);
            float s = t.scaleAt(ri);
            FloatVector sv = FloatVector.broadcast(F, s);
            int vEnd = g0 + ((end - g0) & -L);
            int i = g0;
            for (; i < vEnd; i += L) {
                decode(cb + i, signBits(sb, i)).mul(sv).intoArray(dst, off + i);
            }
            for (; i < end; i++) {
                dst[off + i] = scalar(row, i, s);
            }
        }
    }

    @Override
    public String name() {
        return "qins9-vector-" + L + (halves ? "-halves" : "");
    }
}
