package org.qins.codec;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.qins.api.kernel.VectorMath;

/**
 * Fused decode + multiply for a shared log step with {@code p} codes per octave ({@code p} a power
 * of two, at most two vectors of mantissas). Per lane: {@code |w| = scale * 2^-(c >> log2 p) *
 * M[c & (p-1)]}, i.e. one permute of the mantissa table ({@code selectFrom}) and one subtraction
 * in the float exponent, then the sign and zero masks. Subclasses extract code and sign per layout.
 */
abstract class LutVectorKernel implements QinsKernel {

    static final VectorSpecies<Float> F = VectorMath.F;
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8));
    static final int L = F.length();
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    final QinsTensor t;
    final MemorySegment codes;
    final int cols;
    final int shift;
    final int pMask;
    final boolean twoTables;
    final IntVector mant0;
    final IntVector mant1;
    final float[] table;

    LutVectorKernel(QinsTensor t) {
        this.t = t;
        this.codes = t.codes;
        this.cols = t.cols;
        int p = DecodeTable.codesPerOctave(t.sharedStep);
        this.shift = Integer.numberOfTrailingZeros(p);
        this.pMask = p - 1;
        this.twoTables = p > L;
        float[] m = DecodeTable.mantissas(p, t.sharedStep);
        int[] bits0 = new int[L];
        int[] bits1 = new int[L];
        for (int k = 0; k < L; k++) {
            bits0[k] = Float.floatToRawIntBits(m[k % p]);
            bits1[k] = Float.floatToRawIntBits(m[(k + L) % p]);
        }
        this.mant0 = IntVector.fromArray(I, bits0, 0);
        this.mant1 = IntVector.fromArray(I, bits1, 0);
        this.table = t.sharedTable;
    }

    /** True if this tensor can use a table kernel on this CPU. */
    static boolean supports(QinsTensor t) {
        if (t.sharedTable == null || (L != 8 && L != 16)) {
            return false;
        }
        int p = DecodeTable.codesPerOctave(t.sharedStep);
        return p > 0 && p <= 2 * L && (t.groupLength % L == 0 || t.groupLength == t.cols);
    }

    /** {@code 2^-(c >> log2 p) * M[c & (p-1)]} as float bits, for magnitude codes {@code c}. */
    final IntVector magnitudeBits(IntVector c) {
        IntVector j = c.and(pMask);
        IntVector m = twoTables ? j.selectFrom(mant0, mant1) : j.selectFrom(mant0);
        return m.sub(c.lanewise(VectorOperators.LSHR, shift).lanewise(VectorOperators.LSHL, 23));
    }

    /** Signed unscaled weights of row {@code row}, columns {@code [i, i+L)}. */
    abstract FloatVector decode(int row, long codeBase, int i);

    @Override
    public final float dotRow(int row, float[] x, int xOff, float[] scratch) {
        long codeBase = (long) row * cols;
        int gl = t.groupLength;
        long ri = t.rangeIndex(row, 0);
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        float tail = 0;
        for (int g0 = 0; g0 < cols; g0 += gl, ri++) {
            int end = Math.min(cols, g0 + gl);
            float s = t.scaleAt(ri);
            FloatVector sv = FloatVector.broadcast(F, s);
            int vEnd = g0 + ((end - g0) & -L);
            int i = g0;
            for (; i + L < vEnd; i += 2 * L) {
                acc0 = decode(row, codeBase, i).mul(sv).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
                acc1 = decode(row, codeBase, i + L).mul(sv).fma(FloatVector.fromArray(F, x, xOff + i + L), acc1);
            }
            if (i < vEnd) {
                acc0 = decode(row, codeBase, i).mul(sv).fma(FloatVector.fromArray(F, x, xOff + i), acc0);
            }
            for (i = vEnd; i < end; i++) {
                tail += scalar(row, i, s) * x[xOff + i];
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD) + tail;
    }

    @Override
    public final void decodeRow(int row, float[] dst) {
        long codeBase = (long) row * cols;
        int gl = t.groupLength;
        long ri = t.rangeIndex(row, 0);
        for (int g0 = 0; g0 < cols; g0 += gl, ri++) {
            int end = Math.min(cols, g0 + gl);
            float s = t.scaleAt(ri);
            FloatVector sv = FloatVector.broadcast(F, s);
            int vEnd = g0 + ((end - g0) & -L);
            int i = g0;
            for (; i < vEnd; i += L) {
                decode(row, codeBase, i).mul(sv).intoArray(dst, i);
            }
            for (; i < end; i++) {
                dst[i] = scalar(row, i, s);
            }
        }
    }

    /** One weight through the shared 256-entry table (tails). */
    final float scalar(int row, int i, float scale) {
        int mask = t.format.layout().signInCode() ? 0x7F : 0xFF;
        int c = codes.get(java.lang.foreign.ValueLayout.JAVA_BYTE, (long) row * cols + i) & mask;
        float v = scale * table[c];
        return c != 0 && t.negative(row, i) ? -v : v;
    }

    @Override
    public final float dotDecoded(float[] w, float[] x, int xOff, int n) {
        return VectorMath.dot(w, 0, x, xOff, n);
    }

    /** Codes of {@code [i, i+L)} widened to int lanes (sign-extended). */
    final IntVector loadCodes(long codeBase, int i) {
        return (IntVector) ByteVector.fromMemorySegment(B, codes, codeBase + i, LE).convertShape(VectorOperators.B2I, I, 0);
    }
}
