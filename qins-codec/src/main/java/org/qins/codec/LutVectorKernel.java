package org.qins.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.qins.api.kernel.VectorMath;

/**
 * Tables and shared state of the fused decode + multiply kernels for a shared log step with
 * {@code p} codes per octave ({@code p} a power of two, at most two vectors of mantissas). Per
 * lane: {@code |w| = scale * 2^-(c >> log2 p) * M[c & (p-1)]}. The kernels compute it as float bits
 * {@code T[c mod 2L] - (c << (23 - log2 p))}, one two-vector permute and one shift and one
 * subtraction, where {@code T[k] = bits(M[k mod p]) + ((k mod p) << (23 - log2 p))} (the low code
 * bits the shift moves into the mantissa field are added back by the table, exactly).
 *
 * <p>The loops live in the final subclasses (one per layout) so that every call in them inlines;
 * each group's dot product is summed unscaled and the group scale is applied once per group.
 */
abstract class LutVectorKernel implements QinsKernel {

    static final VectorSpecies<Float> F = VectorMath.F;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
    static final int L = F.length();
    /** 16-bit lanes, as many as a group of two float vectors (32 on AVX-512). */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, F.vectorShape());
    static final VectorSpecies<Byte> BS = VectorSpecies.of(byte.class, VectorShape.forBitSize(S.length() * 8));
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(LE);
    static final ValueLayout.OfFloat F32S = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    final QinsTensor t;
    final MemorySegment codes;
    final int cols;
    final int groupLength;
    /** {@code 23 - log2 p}: shifts a code so that its octave lands in the float exponent field. */
    final int expShift;
    /** Groups of exactly two vectors, rows of whole group pairs, fp16 scales (the default block 32 with 16 lanes). */
    final boolean pairs;
    final MemorySegment scales;
    final IntVector table0;
    final IntVector table1;
    /**
     * 8 lanes (AVX2) with 32 codes per octave: the mantissa table spans four vectors, looked up
     * as two two-table selects and a blend on code bit 4 ({@link #table2}, {@link #table3}).
     */
    final boolean fourTables;
    final IntVector table2;
    final IntVector table3;
    /**
     * Pair groups decoded in 16-bit lanes (the default on AVX-512; the kernel option {@code table32}
     * forces the 32-bit path): a float's high half is {@code tableHi[c mod 32] - (c << (expShift - 16))} plus the
     * sign, its low half {@code tableLo[c mod 32]} (the exponent step never reaches the low 16 bits),
     * so lookup, shift, subtract and sign cost one operation per 32 weights instead of two; two
     * two-table word selects ({@code mergeFirst}, {@code mergeSecond}) interleave the halves into floats.
     * The lookups of zero codes are masked to zero, so these loops need no zero-code index.
     */
    final boolean halves;
    final ShortVector tableHi;
    final ShortVector tableLo;
    final ShortVector mergeFirst;
    final ShortVector mergeSecond;
    final float[] table;
    /**
     * Zero codes, which the 32-bit dot loops decode as the garbage magnitude {@code G = T[0]} (no
     * per-lane blend in the hot loop) and subtract afterwards (null with {@link #halves}, whose
     * lookups zero those lanes with a mask): for row {@code r}, entries
     * {@code [zeroStart[r], zeroStart[r+1])} of {@code zeroCol} are the columns of its zero codes.
     * The garbage weight at a column, {@code scale * (+-G)}, is recomputed from the group scale and
     * the sign when subtracting, so the index costs 2 bytes per zero code (about 0.3 % of weights).
     */
    int[] zeroStart;
    char[] zeroCol;
    final float garbage;
    /** log2 of the group length when it is a power of two (-1 otherwise): the zero fix-up shifts instead of dividing. */
    final int groupShift;

    /** @param allowHalves use the 16-bit-lane loops where the shape allows (false forces the 32-bit path, to measure it) */
    LutVectorKernel(QinsTensor t, boolean allowHalves) {
        this.t = t;
        this.codes = t.codes;
        this.cols = t.cols;
        this.groupLength = t.groupLength;
        this.pairs = groupLength == 2 * L && cols % (2 * groupLength) == 0 && t.f16Scales;
        this.scales = t.scales;
        this.expShift = expShift(t);
        int[] tab = bitTable(t, 4 * L);
        this.table0 = IntVector.fromArray(I, tab, 0);
        this.table1 = IntVector.fromArray(I, tab, L);
        this.table2 = IntVector.fromArray(I, tab, 2 * L);
        this.table3 = IntVector.fromArray(I, tab, 3 * L);
        this.fourTables = DecodeTable.codesPerOctave(t.sharedStep) > 2 * L;
        int n = S.length();
        short[] hi = new short[n];
        short[] lo = new short[n];
        short[] m0 = new short[n];
        short[] m1 = new short[n];
        for (int k = 0; k < n; k++) {
            hi[k] = (short) (tab[k] >>> 16);
            lo[k] = (short) tab[k];
            // word 2m of a float pair = lo[m], word 2m+1 = hi[m]; index n + m selects from the second table
            m0[k] = (short) ((k & 1) == 0 ? k / 2 : n + k / 2);
            m1[k] = (short) ((k & 1) == 0 ? n / 2 + k / 2 : n + n / 2 + k / 2);
        }
        this.tableHi = ShortVector.fromArray(S, hi, 0);
        this.tableLo = ShortVector.fromArray(S, lo, 0);
        this.mergeFirst = ShortVector.fromArray(S, m0, 0);
        this.mergeSecond = ShortVector.fromArray(S, m1, 0);
        this.halves = pairs && n == 2 * L && expShift >= 16 && allowHalves;
        this.table = t.sharedTable;
        this.garbage = Float.intBitsToFloat(tab[0]);
        this.groupShift = Integer.bitCount(groupLength) == 1 ? Integer.numberOfTrailingZeros(groupLength) : -1;
        if (!halves) { // the 16-bit loops zero those lanes themselves
            indexZeros();
        }
    }

    /** {@code 23 - log2 p} for a tensor with {@code p} codes per octave. */
    static int expShift(QinsTensor t) {
        return 23 - Integer.numberOfTrailingZeros(DecodeTable.codesPerOctave(t.sharedStep));
    }

    /** {@code T[k] = bits(M[k mod p]) + ((k mod p) << expShift)} for {@code k < n} (the class comment's table). */
    static int[] bitTable(QinsTensor t, int n) {
        int p = DecodeTable.codesPerOctave(t.sharedStep);
        int es = expShift(t);
        float[] m = DecodeTable.mantissas(p, t.sharedStep);
        int[] tab = new int[n];
        for (int k = 0; k < n; k++) {
            int j = k % p;
            tab[k] = Float.floatToRawIntBits(m[j]) + (j << es);
        }
        return tab;
    }

    /** Lists the zero codes in vectorized columns (one pass over the codes, 8 bytes at a time). */
    private void indexZeros() {
        int rows = t.rows;
        boolean signInCode = t.format.layout().signInCode();
        long lowBits = signInCode ? 0x7F7F7F7F7F7F7F7FL : -1L;
        int gl = groupLength;
        int[] start = new int[rows + 1];
        char[] col = new char[16];
        int n = 0;
        for (int r = 0; r < rows; r++) {
            start[r] = n;
            long base = (long) r * cols;
            for (int i = 0; i < cols; ) {
                if (i + 8 <= cols) {
                    long v = codes.get(ValueLayout.JAVA_LONG_UNALIGNED, base + i) & lowBits;
                    if (((v - 0x0101010101010101L) & ~v & 0x8080808080808080L) == 0) {
                        i += 8;
                        continue;
                    }
                }
                for (int e = Math.min(cols, i + 8); i < e; i++) {
                    int c = codes.get(ValueLayout.JAVA_BYTE, base + i) & (signInCode ? 0x7F : 0xFF);
                    int g0 = i - i % gl;
                    boolean vectorized = i - g0 < ((Math.min(cols, g0 + gl) - g0) & -L);
                    if (c == 0 && vectorized) {
                        if (n == col.length) {
                            col = java.util.Arrays.copyOf(col, 2 * n);
                        }
                        col[n++] = (char) i;
                    }
                }
            }
        }
        start[rows] = n;
        zeroStart = start;
        zeroCol = java.util.Arrays.copyOf(col, n);
    }

    @Override
    public final long indexBytes() {
        return zeroStart == null ? 0 : 4L * zeroStart.length + 2L * zeroCol.length;
    }

    /**
     * What the dot loops added for the zero codes of {@code row} (to subtract). Reads scales and
     * signs straight from the segments: called once per row from the hot loops, where C2 has no
     * inlining budget left for helper calls.
     */
    final float zeroGarbage(int row, float[] x, int xOff) {
        int k = zeroStart[row];
        int e = zeroStart[row + 1];
        if (k == e) {
            return 0;
        }
        float s = 0;
        long rangeBase = (long) row * t.rangeRowStride;
        boolean signInCode = t.signs == null;
        long signBase = signInCode ? (long) row * cols : (long) row * t.signStride;
        boolean f16 = t.f16Scales;
        for (; k < e; k++) {
            int i = zeroCol[k];
            long range = rangeBase + (groupShift >= 0 ? i >>> groupShift : i / groupLength);
            float scale = f16 ? Float.float16ToFloat(scales.get(QinsTensor.I16, range << 1)) : scales.get(F32S, range << 2);
            // The sign as a float sign bit, without a branch: zero codes' signs are random.
            int sign = signInCode ? (codes.get(ValueLayout.JAVA_BYTE, signBase + i) & 0x80) << 24
                    : (t.signs.get(ValueLayout.JAVA_BYTE, signBase + (i >>> 3)) >>> (i & 7)) << 31;
            s += Float.intBitsToFloat(Float.floatToRawIntBits(scale) ^ sign) * x[xOff + i];
        }
        return s * garbage;
    }

    /** True if this tensor can use a table kernel on this CPU. */
    static boolean supports(QinsTensor t) {
        if (t.sharedTable == null || (L != 8 && L != 16)) {
            return false;
        }
        int p = DecodeTable.codesPerOctave(t.sharedStep);
        // p <= 2L (4L with 8 lanes): the mantissas fit two (four) vectors; the deepest octave must
        // stay a normal float. t.cols <= 65536: zero-code columns are indexed with a char.
        return t.cols <= 65536 && p > 0 && p <= (L == 8 ? 4 * L : 2 * L) && (t.format.layout().maxCode() >>> Integer.numberOfTrailingZeros(p)) < 100
                && (t.groupLength % L == 0 || t.groupLength == t.cols);
    }

    /** Unsigned magnitude bits of codes {@code c} (0..255 in int lanes); wrong for c = 0 (the caller masks it). */
    final IntVector magnitudeBits(IntVector c) {
        IntVector j = c.and(2 * L - 1);
        IntVector m = j.selectFrom(table0, table1);
        if (L == 8 && fourTables) { // L is a constant: on 16 lanes C2 drops this branch
            m = m.blend(j.selectFrom(table2, table3), c.and(2 * L).compare(VectorOperators.NE, 0));
        }
        return m.sub(c.lanewise(VectorOperators.LSHL, expShift));
    }

    /** Codes {@code [off, off + 2L)} zero-extended into 16-bit lanes (qins9: the whole code is the magnitude). */
    final ShortVector wordCodes(long off) {
        return (ShortVector) ByteVector.fromMemorySegment(BS, codes, off, LE).convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
    }

    /** Codes {@code [off, off + 2L)} sign-extended into 16-bit lanes (qins8: the sign lands in bit 15). */
    final ShortVector signedWordCodes(long off) {
        return (ShortVector) ByteVector.fromMemorySegment(BS, codes, off, LE).convertShape(VectorOperators.B2S, S, 0);
    }

    /**
     * High halves of the unsigned float bits of magnitude codes {@code c} ({@link #halves}):
     * {@code tableHi[c mod 2L] - (c << (expShift - 16))}; lanes outside {@code nonZero} give 0.
     */
    final ShortVector highHalves(ShortVector c, VectorMask<Short> nonZero) {
        return c.and((short) (2 * L - 1)).selectFrom(tableHi, nonZero).sub(c.lanewise(VectorOperators.LSHL, expShift - 16));
    }

    /** Low halves of the float bits of magnitude codes {@code c}: {@code tableLo[c mod 2L]}; 0 outside {@code nonZero}. */
    final ShortVector lowHalves(ShortVector c, VectorMask<Short> nonZero) {
        return c.and((short) (2 * L - 1)).selectFrom(tableLo, nonZero);
    }

    /** The first L floats of 2L weights given as low and high halves. */
    final FloatVector firstFloats(ShortVector lo, ShortVector hi) {
        return mergeFirst.selectFrom(lo, hi).reinterpretAsFloats();
    }

    /** The second L floats of 2L weights given as low and high halves. */
    final FloatVector secondFloats(ShortVector lo, ShortVector hi) {
        return mergeSecond.selectFrom(lo, hi).reinterpretAsFloats();
    }

    /** Products of 2L weights given as halves with {@code x[xi, xi + 2L)}, summed to L lanes, unscaled. */
    final FloatVector products(ShortVector lo, ShortVector hi, float[] x, int xi) {
        return secondFloats(lo, hi).fma(FloatVector.fromArray(F, x, xi + L), firstFloats(lo, hi).mul(FloatVector.fromArray(F, x, xi)));
    }

    /** 2L weights given as halves, times {@code scale}, into {@code dst[di, di + 2L)}. */
    final void store(ShortVector lo, ShortVector hi, float scale, float[] dst, int di) {
        FloatVector s = FloatVector.broadcast(F, scale);
        firstFloats(lo, hi).mul(s).intoArray(dst, di);
        secondFloats(lo, hi).mul(s).intoArray(dst, di + L);
    }

    /** One weight through the shared 256-entry table (tails). */
    final float scalar(int row, int i, float scale) {
        int mask = t.format.layout().signInCode() ? 0x7F : 0xFF;
        int c = codes.get(ValueLayout.JAVA_BYTE, (long) row * cols + i) & mask;
        float v = scale * table[c];
        return c != 0 && t.negative(row, i) ? -v : v;
    }

    @Override
    public final float dotDecoded(float[] w, float[] x, int xOff, int n) {
        return VectorMath.dot(w, 0, x, xOff, n);
    }
}
