package org.qins.it.fidelity;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Map;
import org.qins.api.DType;
import org.qins.api.StoredWeight;
import org.qins.api.TensorView;

/**
 * Calibrated encoders for the default layout (qins9, blocks of 32, clipped at 32 codes per octave,
 * fp16 scales), in test code to measure what they earn: the output is an ordinary qins9 weight,
 * decoded by the unchanged kernels. Each uses {@code H = sum x x^T} of the layer's inputs.
 */
final class CalibratedEncoder {

    static final int BLOCK = 32;
    /** GPTQ's damping: {@code H + DAMP * mean(diag H) * I}. */
    static final double DAMP = 0.01;

    enum Method {
        /** Uncalibrated {@code fit=mse} (checks this code against the codec). */
        PLAIN(false, false),
        /** Each block's scale minimises the error weighted by the inputs' second moments {@code H_ii}. */
        WEIGHTED(true, false),
        /** GPTQ along the input dimension: each column's rounding error is compensated in the columns after it; scales fitted (plain) per block from the updated weights. */
        GPTQ(false, true),
        /** GPTQ with the weighted scale fit. */
        GPTQ_WEIGHTED(true, true);

        final boolean weighted;
        final boolean compensated;

        Method(boolean weighted, boolean compensated) {
            this.weighted = weighted;
            this.compensated = compensated;
        }

        String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private CalibratedEncoder() {
    }

    /** Encodes {@code w} ({@code rows x cols}, row-major) with {@code method}; {@code h} is {@code cols x cols}. */
    static StoredWeight encode(String name, float[] w, int rows, int cols, double[] h, Method method) {
        int groups = (cols + BLOCK - 1) / BLOCK; // the last block of a row may be shorter
        double[] diag = new double[cols];
        for (int i = 0; i < cols; i++) {
            diag[i] = h[i * cols + i];
        }
        double[] work = new double[rows * cols];
        for (int k = 0; k < work.length; k++) {
            work[k] = w[k];
        }
        double[] u = method.compensated ? inverseCholesky(h, cols, diag, work, rows) : null;
        byte[] codes = new byte[rows * cols];
        int signStride = (cols + 7) >>> 3;
        byte[] signs = new byte[rows * signStride];
        float[] scales = new float[rows * groups];
        for (int g = 0; g < groups; g++) {
            int j0 = g * BLOCK;
            int n = Math.min(BLOCK, cols - j0);
            for (int r = 0; r < rows; r++) {
                scales[r * groups + g] = LogGrid.fitScale(work, r * cols + j0, n, method.weighted ? diag : null, j0);
            }
            for (int j = j0; j < j0 + n; j++) {
                for (int r = 0; r < rows; r++) {
                    int k = r * cols + j;
                    float s = scales[r * groups + g];
                    double v = work[k];
                    int c = s == 0 ? 0 : LogGrid.code(Math.abs(v), s);
                    codes[k] = (byte) c;
                    double q = c == 0 ? 0 : Math.copySign((double) LogGrid.decode(c, s), v);
                    if (c != 0 && v < 0) {
                        signs[r * signStride + (j >>> 3)] |= (byte) (1 << (j & 7));
                    }
                    if (u != null) {
                        // Spread the rounding error over the later inputs (GPTQ's Cholesky form).
                        double e = (v - q) / u[j * cols + j];
                        for (int t = j + 1; t < cols; t++) {
                            work[r * cols + t] -= e * u[j * cols + t];
                        }
                    }
                }
            }
        }
        return new StoredWeight(name, "qins9", Map.of(
                "codes", new TensorView(name + ".codes", DType.U8, new long[] {rows, cols}, MemorySegment.ofArray(codes)),
                "signs", new TensorView(name + ".signs", DType.U8, new long[] {rows, signStride}, MemorySegment.ofArray(signs)),
                "scales", f16(name + ".scales", scales, rows, groups)), LogGrid.FORMAT.toMetadata());
    }

    /**
     * The upper Cholesky factor {@code U} of {@code (H + damp I)^-1} (GPTQ): inputs never seen get
     * {@code H_ii = 1} and their weights zeroed, as GPTQ does.
     */
    static double[] inverseCholesky(double[] h0, int n, double[] diag, double[] work, int rows) {
        double[] h = h0.clone();
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += diag[i] / n;
        }
        for (int i = 0; i < n; i++) {
            if (diag[i] == 0) {
                h[i * n + i] = 1;
                for (int r = 0; r < rows; r++) {
                    work[r * n + i] = 0;
                }
            }
            h[i * n + i] += DAMP * mean;
        }
        double[] l = cholesky(h, n);
        // H^-1 = L^-T L^-1: invert L (lower), then multiply.
        double[] li = new double[n * n];
        for (int c = 0; c < n; c++) {
            li[c * n + c] = 1 / l[c * n + c];
            for (int r = c + 1; r < n; r++) {
                double s = 0;
                for (int k = c; k < r; k++) {
                    s += l[r * n + k] * li[k * n + c];
                }
                li[r * n + c] = -s / l[r * n + r];
            }
        }
        double[] inv = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = 0;
                for (int k = i; k < n; k++) {
                    s += li[k * n + i] * li[k * n + j];
                }
                inv[i * n + j] = s;
                inv[j * n + i] = s;
            }
        }
        double[] l2 = cholesky(inv, n);
        double[] u = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                u[i * n + j] = l2[j * n + i];
            }
        }
        return u;
    }

    /** Lower Cholesky factor of a symmetric positive definite {@code n x n} matrix. */
    static double[] cholesky(double[] a, int n) {
        double[] l = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i * n + j];
                for (int k = 0; k < j; k++) {
                    s -= l[i * n + k] * l[j * n + k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new IllegalStateException("matrix not positive definite at " + i);
                    }
                    l[i * n + i] = Math.sqrt(s);
                } else {
                    l[i * n + j] = s / l[j * n + j];
                }
            }
        }
        return l;
    }

    private static TensorView f16(String name, float[] v, long... shape) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putShort(Float.floatToFloat16(f));
        }
        return new TensorView(name, DType.F16, shape, MemorySegment.ofArray(b.array()));
    }
}
