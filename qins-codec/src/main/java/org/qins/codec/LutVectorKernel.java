package org.qins.codec;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(LE);

    final QinsTensor t;
    final MemorySegment codes;
    final int cols;
    final int groupLength;
    /** {@code 23 - log2 p}: shifts a code so that its octave lands in the float exponent field. */
    final int expShift;
    /** Groups of exactly two vectors covering the row (the default block 32 with 16 lanes). */
    final boolean pairs;
    final IntVector table0;
    final IntVector table1;
    final float[] table;

    LutVectorKernel(QinsTensor t) {
        this.t = t;
        this.codes = t.codes;
        this.cols = t.cols;
        this.groupLength = t.groupLength;
        this.pairs = groupLength == 2 * L && cols % groupLength == 0;
        int p = DecodeTable.codesPerOctave(t.sharedStep);
        int shift = Integer.numberOfTrailingZeros(p);
        this.expShift = 23 - shift;
        float[] m = DecodeTable.mantissas(p, t.sharedStep);
        int[] bits0 = new int[L];
        int[] bits1 = new int[L];
        for (int k = 0; k < L; k++) {
            int j0 = k % p;
            int j1 = (k + L) % p;
            bits0[k] = Float.floatToRawIntBits(m[j0]) + (j0 << expShift);
            bits1[k] = Float.floatToRawIntBits(m[j1]) + (j1 << expShift);
        }
        this.table0 = IntVector.fromArray(I, bits0, 0);
        this.table1 = IntVector.fromArray(I, bits1, 0);
        this.table = t.sharedTable;
    }

    /** True if this tensor can use a table kernel on this CPU. */
    static boolean supports(QinsTensor t) {
        if (t.sharedTable == null || (L != 8 && L != 16)) {
            return false;
        }
        int p = DecodeTable.codesPerOctave(t.sharedStep);
        // p <= 2L: the mantissas fit two vectors; the deepest octave must stay a normal float.
        return p > 0 && p <= 2 * L && (t.format.layout().maxCode() >>> Integer.numberOfTrailingZeros(p)) < 100
                && (t.groupLength % L == 0 || t.groupLength == t.cols);
    }

    /** Unsigned magnitude bits of codes {@code c} (0..255 in int lanes); wrong for c = 0 (the caller masks it). */
    final IntVector magnitudeBits(IntVector c) {
        return c.and(2 * L - 1).selectFrom(table0, table1).sub(c.lanewise(jdk.incubator.vector.VectorOperators.LSHL, expShift));
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
