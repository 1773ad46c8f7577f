package org.qins.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.qins.api.kernel.VectorMath;

/** The blocked gemm and the multi-accumulator dots (used by Fp32Linear and the QINS prefill path) against plain loops. */
class VectorMathGemmTest {

    @Test
    void gemmAndDotMatchPlainLoops() {
        SplittableRandom r = new SplittableRandom(7);
        ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (int n : new int[] {5, 16, 40, 1100}) {
            for (int rows : new int[] {1, 4, 7, 9}) {
                for (int batch : new int[] {1, 3, 4, 9}) {
                    float[] w = new float[rows * n];
                    float[] x = new float[batch * n];
                    for (int i = 0; i < w.length; i++) {
                        w[i] = (float) r.nextGaussian();
                    }
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) r.nextGaussian();
                    }
                    MemorySegment seg = Arena.ofAuto().allocate(4L * w.length + 12, 64);
                    MemorySegment.copy(w, 0, seg, f32, 12, w.length);
                    int outStride = rows + 2;
                    float[] a = new float[batch * outStride + 1];
                    float[] b = new float[batch * outStride + 1];
                    VectorMath.gemm(seg, 12, rows, x, batch, n, a, 1, outStride);
                    VectorMath.gemm(w, rows, x, batch, n, b, 1, outStride);
                    for (int o = 0; o < rows; o++) {
                        for (int k = 0; k < batch; k++) {
                            double ref = 0;
                            double mag = 0;
                            for (int i = 0; i < n; i++) {
                                ref += (double) w[o * n + i] * x[k * n + i];
                                mag += Math.abs((double) w[o * n + i] * x[k * n + i]);
                            }
                            Offset<Double> tol = Offset.offset(1e-5 * mag + 1e-6);
                            assertThat((double) a[1 + k * outStride + o]).isCloseTo(ref, tol);
                            assertThat((double) b[1 + k * outStride + o]).isCloseTo(ref, tol);
                            assertThat((double) VectorMath.dot(seg, 12 + 4L * o * n, x, k * n, n)).isCloseTo(ref, tol);
                            assertThat((double) VectorMath.dot(w, o * n, x, k * n, n)).isCloseTo(ref, tol);
                        }
                    }
                }
            }
        }
    }

    /** The packed product (prefill batches) through matmul: every panel shape, row remainders, both thread splits. */
    @Test
    void packedMatmulMatchesPlainLoops() {
        SplittableRandom r = new SplittableRandom(11);
        ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        int lanes = VectorMath.F.length();
        for (int n : new int[] {5, 64, 300}) {
            for (int rows : new int[] {1, 6, 7, 13}) {
                // a panel of four vectors whole and padded (4 lanes - 5), tails of one, two and three vectors
                for (int batch : new int[] {VectorMath.PACKED_MIN_BATCH, lanes + 1, 2 * lanes, 3 * lanes - 2, 4 * lanes - 5,
                        4 * lanes, 4 * lanes + 1, 9 * lanes + 3}) {
                    float[] w = new float[rows * n];
                    float[] x = new float[batch * n];
                    for (int i = 0; i < w.length; i++) {
                        w[i] = (float) r.nextGaussian();
                    }
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) r.nextGaussian();
                    }
                    MemorySegment seg = Arena.ofAuto().allocate(4L * w.length, 64);
                    MemorySegment.copy(w, 0, seg, f32, 0, w.length);
                    for (org.qins.api.Parallel p : new org.qins.api.Parallel[] {org.qins.api.Parallel.SEQUENTIAL, new ChunkedParallel()}) {
                        float[] y = new float[batch * rows];
                        java.util.Arrays.fill(y, Float.NaN);
                        VectorMath.matmul(seg, rows, n, x, y, batch, p);
                        for (int o = 0; o < rows; o++) {
                            for (int k = 0; k < batch; k++) {
                                double ref = 0;
                                double mag = 0;
                                for (int i = 0; i < n; i++) {
                                    ref += (double) w[o * n + i] * x[k * n + i];
                                    mag += Math.abs((double) w[o * n + i] * x[k * n + i]);
                                }
                                assertThat((double) y[k * rows + o]).as("n %d rows %d batch %d: row %d vector %d", n, rows, batch, o, k)
                                        .isCloseTo(ref, Offset.offset(1e-5 * mag + 1e-6));
                            }
                        }
                    }
                }
            }
        }
    }
}
