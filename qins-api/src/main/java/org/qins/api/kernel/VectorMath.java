package org.qins.api.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised float primitives. Species = the running CPU's widest (16 floats on AVX-512, 8 on AVX2).
 *
 * <p>Dot products keep four independent accumulators (FMA latency is 4 cycles; one chain would
 * cap a core at a quarter of its FMA rate). The {@code gemm} routines compute a block of
 * {@code rows x batch} dot products with a 4 x 4 register-blocked micro-kernel: per step, 4 weight
 * vectors and 4 input vectors feed 16 FMAs, so each weight row is read once per 4 batch vectors.
 */
public final class VectorMath {

    public static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    private VectorMath() {
    }

    /** {@code sum a[aOff+i] * b[bOff+i]} for {@code i < n}. */
    public static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        for (int bound4 = n - 4 * L; i <= bound4; i += 4 * L) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromArray(F, a, aOff + i + L).fma(FloatVector.fromArray(F, b, bOff + i + L), acc1);
            acc2 = FloatVector.fromArray(F, a, aOff + i + 2 * L).fma(FloatVector.fromArray(F, b, bOff + i + 2 * L), acc2);
            acc3 = FloatVector.fromArray(F, a, aOff + i + 3 * L).fma(FloatVector.fromArray(F, b, bOff + i + 3 * L), acc3);
        }
        for (int bound = n - L; i <= bound; i += L) {
            acc0 = FloatVector.fromArray(F, a, aOff + i).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float s = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /** Dot product of {@code n} little-endian floats at byte offset {@code off} of {@code a} with {@code b}. */
    public static float dot(MemorySegment a, long off, float[] b, int bOff, int n) {
        int i = 0;
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        FloatVector acc2 = FloatVector.zero(F);
        FloatVector acc3 = FloatVector.zero(F);
        for (int bound4 = n - 4 * L; i <= bound4; i += 4 * L) {
            long o = off + 4L * i;
            acc0 = FloatVector.fromMemorySegment(F, a, o, LE).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
            acc1 = FloatVector.fromMemorySegment(F, a, o + 4L * L, LE).fma(FloatVector.fromArray(F, b, bOff + i + L), acc1);
            acc2 = FloatVector.fromMemorySegment(F, a, o + 8L * L, LE).fma(FloatVector.fromArray(F, b, bOff + i + 2 * L), acc2);
            acc3 = FloatVector.fromMemorySegment(F, a, o + 12L * L, LE).fma(FloatVector.fromArray(F, b, bOff + i + 3 * L), acc3);
        }
        for (int bound = n - L; i <= bound; i += L) {
            acc0 = FloatVector.fromMemorySegment(F, a, off + 4L * i, LE).fma(FloatVector.fromArray(F, b, bOff + i), acc0);
        }
        float s = acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            s += a.get(F32, off + 4L * i) * b[bOff + i];
        }
        return s;
    }

    /**
     * {@code out[outOff + b*outStride + r] = sum_k W[r][k] * x[b*n + k]} for {@code r < rows},
     * {@code b < batch}, with row {@code r} of W at byte offset {@code wOff + 4*r*n} of {@code w}.
     */
    public static void gemm(MemorySegment w, long wOff, int rows, float[] x, int batch, int n, float[] out, int outOff,
            int outStride) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            long o = wOff + 4L * r * n;
            int b = 0;
            for (; b + 4 <= batch; b += 4) {
                micro4x4(w, o, 4L * n, x, b * n, n, n, out, outOff + b * outStride + r, outStride);
            }
            for (; b < batch; b++) {
                for (int k = 0; k < 4; k++) {
                    out[outOff + b * outStride + r + k] = dot(w, o + 4L * k * n, x, b * n, n);
                }
            }
        }
        for (; r < rows; r++) {
            for (int b = 0; b < batch; b++) {
                out[outOff + b * outStride + r] = dot(w, wOff + 4L * r * n, x, b * n, n);
            }
        }
    }

    /** As {@link #gemm(MemorySegment, long, int, float[], int, int, float[], int, int)} with W in {@code w[r*n + k]}. */
    public static void gemm(float[] w, int rows, float[] x, int batch, int n, float[] out, int outOff, int outStride) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int b = 0;
            for (; b + 4 <= batch; b += 4) {
                micro4x4(w, r * n, x, b * n, n, n, out, outOff + b * outStride + r, outStride);
            }
            for (; b < batch; b++) {
                for (int k = 0; k < 4; k++) {
                    out[outOff + b * outStride + r + k] = dot(w, (r + k) * n, x, b * n, n);
                }
            }
        }
        for (; r < rows; r++) {
            for (int b = 0; b < batch; b++) {
                out[outOff + b * outStride + r] = dot(w, r * n, x, b * n, n);
            }
        }
    }

    private static void micro4x4(MemorySegment w, long wOff, long wStride, float[] x, int xOff, int xStride, int n,
            float[] out, int outOff, int outStride) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int i = 0;
        for (int bound = n - L; i <= bound; i += L) {
            long o = wOff + 4L * i;
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            FloatVector x1 = FloatVector.fromArray(F, x, xOff + xStride + i);
            FloatVector x2 = FloatVector.fromArray(F, x, xOff + 2 * xStride + i);
            FloatVector x3 = FloatVector.fromArray(F, x, xOff + 3 * xStride + i);
            FloatVector w0 = FloatVector.fromMemorySegment(F, w, o, LE);
            a00 = w0.fma(x0, a00);
            a01 = w0.fma(x1, a01);
            a02 = w0.fma(x2, a02);
            a03 = w0.fma(x3, a03);
            FloatVector w1 = FloatVector.fromMemorySegment(F, w, o + wStride, LE);
            a10 = w1.fma(x0, a10);
            a11 = w1.fma(x1, a11);
            a12 = w1.fma(x2, a12);
            a13 = w1.fma(x3, a13);
            FloatVector w2 = FloatVector.fromMemorySegment(F, w, o + 2 * wStride, LE);
            a20 = w2.fma(x0, a20);
            a21 = w2.fma(x1, a21);
            a22 = w2.fma(x2, a22);
            a23 = w2.fma(x3, a23);
            FloatVector w3 = FloatVector.fromMemorySegment(F, w, o + 3 * wStride, LE);
            a30 = w3.fma(x0, a30);
            a31 = w3.fma(x1, a31);
            a32 = w3.fma(x2, a32);
            a33 = w3.fma(x3, a33);
        }
        store4x4(out, outOff, outStride, a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33);
        if (i < n) {
            for (int r = 0; r < 4; r++) {
                for (int b = 0; b < 4; b++) {
                    float s = 0;
                    for (int k = i; k < n; k++) {
                        s += w.get(F32, wOff + r * wStride + 4L * k) * x[xOff + b * xStride + k];
                    }
                    out[outOff + b * outStride + r] += s;
                }
            }
        }
    }

    private static void micro4x4(float[] w, int wOff, float[] x, int xOff, int xStride, int n, float[] out, int outOff,
            int outStride) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int i = 0;
        for (int bound = n - L; i <= bound; i += L) {
            int o = wOff + i;
            FloatVector x0 = FloatVector.fromArray(F, x, xOff + i);
            FloatVector x1 = FloatVector.fromArray(F, x, xOff + xStride + i);
            FloatVector x2 = FloatVector.fromArray(F, x, xOff + 2 * xStride + i);
            FloatVector x3 = FloatVector.fromArray(F, x, xOff + 3 * xStride + i);
            FloatVector w0 = FloatVector.fromArray(F, w, o);
            a00 = w0.fma(x0, a00);
            a01 = w0.fma(x1, a01);
            a02 = w0.fma(x2, a02);
            a03 = w0.fma(x3, a03);
            FloatVector w1 = FloatVector.fromArray(F, w, o + n);
            a10 = w1.fma(x0, a10);
            a11 = w1.fma(x1, a11);
            a12 = w1.fma(x2, a12);
            a13 = w1.fma(x3, a13);
            FloatVector w2 = FloatVector.fromArray(F, w, o + 2 * n);
            a20 = w2.fma(x0, a20);
            a21 = w2.fma(x1, a21);
            a22 = w2.fma(x2, a22);
            a23 = w2.fma(x3, a23);
            FloatVector w3 = FloatVector.fromArray(F, w, o + 3 * n);
            a30 = w3.fma(x0, a30);
            a31 = w3.fma(x1, a31);
            a32 = w3.fma(x2, a32);
            a33 = w3.fma(x3, a33);
        }
        store4x4(out, outOff, outStride, a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33);
        if (i < n) {
            for (int r = 0; r < 4; r++) {
                for (int b = 0; b < 4; b++) {
                    float s = 0;
                    for (int k = i; k < n; k++) {
                        s += w[wOff + r * n + k] * x[xOff + b * xStride + k];
                    }
                    out[outOff + b * outStride + r] += s;
                }
            }
        }
    }

    private static void store4x4(float[] out, int off, int stride, FloatVector a00, FloatVector a01, FloatVector a02,
            FloatVector a03, FloatVector a10, FloatVector a11, FloatVector a12, FloatVector a13, FloatVector a20,
            FloatVector a21, FloatVector a22, FloatVector a23, FloatVector a30, FloatVector a31, FloatVector a32,
            FloatVector a33) {
        out[off] = a00.reduceLanes(VectorOperators.ADD);
        out[off + 1] = a10.reduceLanes(VectorOperators.ADD);
        out[off + 2] = a20.reduceLanes(VectorOperators.ADD);
        out[off + 3] = a30.reduceLanes(VectorOperators.ADD);
        off += stride;
        out[off] = a01.reduceLanes(VectorOperators.ADD);
        out[off + 1] = a11.reduceLanes(VectorOperators.ADD);
        out[off + 2] = a21.reduceLanes(VectorOperators.ADD);
        out[off + 3] = a31.reduceLanes(VectorOperators.ADD);
        off += stride;
        out[off] = a02.reduceLanes(VectorOperators.ADD);
        out[off + 1] = a12.reduceLanes(VectorOperators.ADD);
        out[off + 2] = a22.reduceLanes(VectorOperators.ADD);
        out[off + 3] = a32.reduceLanes(VectorOperators.ADD);
        off += stride;
        out[off] = a03.reduceLanes(VectorOperators.ADD);
        out[off + 1] = a13.reduceLanes(VectorOperators.ADD);
        out[off + 2] = a23.reduceLanes(VectorOperators.ADD);
        out[off + 3] = a33.reduceLanes(VectorOperators.ADD);
    }

    /** {@code y[yOff+i] += alpha * x[xOff+i]} for {@code i < n}. */
    public static void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        int bound = F.loopBound(n);
        FloatVector va = FloatVector.broadcast(F, alpha);
        for (; i < bound; i += F.length()) {
            FloatVector.fromArray(F, x, xOff + i).fma(va, FloatVector.fromArray(F, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] += alpha * x[xOff + i];
        }
    }
}
