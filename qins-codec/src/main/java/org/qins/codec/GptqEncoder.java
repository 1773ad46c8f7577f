package org.qins.codec;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.qins.api.TensorView;

/**
 * GPTQ-style encoding on the log grid (issue 15): each weight is rounded to its nearest code in
 * value, input by input along a row, and its rounding error is spread over the inputs after it
 * through the upper Cholesky factor {@code U} of {@code (H + d I)^-1} ({@code H = sum x x^T} of the
 * layer's inputs, {@code d} = {@value #DAMP} of its mean diagonal), so that the layer's output
 * error over the calibration inputs, not the weight error, is what the codes lower. Each group's
 * scale is chosen when the encoder reaches the group, from the weights as updated so far (the
 * format's fit: least squared error, or the max). The result is an ordinary tensor of the format.
 *
 * <p>Clipped formats with row or block ranges only (qins9, qins8); inputs that calibration never
 * saw ({@code H_ii = 0}) get weight 0, as GPTQ does. With {@code H} a multiple of the identity
 * nothing is spread and the codes are the codec's {@code fit=mse} codes byte for byte.
 *
 * <p>Memory: {@code U}, {@code in x in} doubles ({@code 8 in^2} bytes, 254 MB at 5,632 inputs), and
 * one row; time: {@code 2 in^3 / 3} for {@code U} and {@code out x in^2 / 2} for the updates.
 */
public final class GptqEncoder {

    /** GPTQ's damping: {@code H + DAMP * mean(diag H) * I}. */
    public static final double DAMP = 0.01;
    /** Largest input size: {@code in^2} must index one Java array. */
    static final int MAX_INPUTS = 46_340;

    private GptqEncoder() {
    }

    /** Why {@code format} cannot be encoded with calibration, or null when it can. */
    public static String unsupported(QinsFormat format) {
        if (format.policy() != RangePolicy.CLIPPED) {
            return "calibrated encoding needs policy=clipped (one code step for every group), not " + format.policy().id();
        }
        if (format.grouping().kind() == Grouping.Kind.TENSOR) {
            return "calibrated encoding needs ranges per row or per block (group=row or N), not one per tensor";
        }
        return null;
    }

    /** Encodes {@code weight} ({@code rows x cols}, any float dtype) with {@code h} ({@code cols x cols}, row-major). */
    public static QinsTensor encode(String name, TensorView weight, QinsFormat format, double[] h) {
        if (weight.rank() != 2) {
            throw new IllegalArgumentException("tensor '" + name + "': QINS encodes 2-D weights, got " + weight);
        }
        int rows = Math.toIntExact(weight.dim(0));
        int cols = Math.toIntExact(weight.dim(1));
        return encode(name, rows, cols, format, h, (r, dst) -> weight.copyFloats((long) r * cols, dst, 0, cols));
    }

    /** Encodes {@code w} as a row-major {@code rows x cols} tensor. */
    public static QinsTensor encode(String name, float[] w, int rows, int cols, QinsFormat format, double[] h) {
        if ((long) rows * cols != w.length) {
            throw new IllegalArgumentException("tensor '" + name + "': " + w.length + " weights for shape " + rows + "x" + cols);
        }
        return encode(name, rows, cols, format, h, (r, dst) -> System.arraycopy(w, r * cols, dst, 0, cols));
    }

    static QinsTensor encode(String name, int rows, int cols, QinsFormat format, double[] h, QinsCodec.RowSource source) {
        String why = unsupported(format);
        if (why != null) {
            throw new IllegalArgumentException("tensor '" + name + "': " + why + " (format " + format + ")");
        }
        if (cols > MAX_INPUTS) {
            throw new IllegalArgumentException("tensor '" + name + "': " + cols + " inputs; calibrated encoding handles at most "
                    + MAX_INPUTS);
        }
        if (h.length != cols * cols) {
            throw new IllegalArgumentException("tensor '" + name + "': statistics of " + h.length + " entries for " + cols
                    + " inputs (need " + cols + "^2)");
        }
        double[] u = upperFactorOfInverse(name, h, cols);
        boolean[] dead = new boolean[cols];
        for (int i = 0; i < cols; i++) {
            dead[i] = h[i * cols + i] == 0;
        }
        // Scales in fp16 when the weights allow it, as the codec decides; the updated weights may
        // leave fp16's range where the originals did not (never seen in practice): then f32.
        QinsEncoder check = new QinsEncoder(format, name);
        boolean f16 = format.f16Scales();
        float[] row = new float[cols];
        int gl = format.grouping().groupLength(cols);
        for (int r = 0; r < rows; r++) {
            source.read(r, row);
            for (int g0 = 0; g0 < cols; g0 += gl) {
                float max = 0;
                for (int i = g0, end = Math.min(cols, g0 + gl); i < end; i++) {
                    check.checkFinite(row[i], (long) r * cols + i);
                    max = Math.max(max, Math.abs(row[i]));
                }
                f16 &= QinsEncoder.fitsF16(max);
            }
        }
        QinsTensor t = f16 ? encodeWith(name, rows, cols, format, u, dead, source, true) : null;
        return t != null ? t : encodeWith(name, rows, cols, format, u, dead, source, false);
    }

    /** The encoding with fp16 or f32 scales; null when an fp16 scale would not fit. */
    private static QinsTensor encodeWith(String name, int rows, int cols, QinsFormat format, double[] u, boolean[] dead,
            QinsCodec.RowSource source, boolean f16) {
        QinsLayout layout = format.layout();
        BlockFit fit = new BlockFit(format);
        boolean mse = format.fit() == ScaleFit.MSE;
        int gl = format.grouping().groupLength(cols);
        int groups = format.grouping().groupsPerRow(cols);
        Arena arena = Arena.ofAuto();
        MemorySegment codes = arena.allocate((long) rows * cols, 64);
        int signStride = QinsTensor.signStride(cols);
        MemorySegment signs = layout.signInCode() ? null : arena.allocate((long) rows * signStride, 64);
        MemorySegment scales = arena.allocate((long) rows * groups * (f16 ? 2 : 4), 64);
        float[] row = new float[cols];
        double[] work = new double[cols];
        double[] mag = new double[gl];
        byte[] rowCodes = new byte[cols];
        byte[] plane = new byte[signStride];
        for (int r = 0; r < rows; r++) {
            source.read(r, row);
            for (int i = 0; i < cols; i++) {
                work[i] = dead[i] ? 0 : row[i];
            }
            java.util.Arrays.fill(plane, (byte) 0);
            for (int g0 = 0, g = 0; g0 < cols; g0 += gl, g++) {
                int n = Math.min(cols, g0 + gl) - g0;
                float max = 0;
                for (int i = 0; i < n; i++) {
                    mag[i] = Math.abs(work[g0 + i]);
                    max = Math.max(max, (float) mag[i]);
                }
                if (f16 && !QinsEncoder.fitsF16(max)) {
                    return null;
                }
                float s = max == 0 ? 0 : mse ? fit.fitScale(mag, n, null, f16) : f16 ? QinsEncoder.roundUpF16(max) : max;
                long ri = (long) r * groups + g;
                if (f16) {
                    scales.setAtIndex(QinsTensor.I16, ri, Float.floatToFloat16(s));
                } else {
                    scales.setAtIndex(QinsTensor.F32, ri, s);
                }
                for (int j = g0; j < g0 + n; j++) {
                    double v = work[j];
                    int c = s == 0 ? 0 : fit.code(Math.abs(v), s);
                    double q = c == 0 ? 0 : Math.copySign((double) fit.decode(c, s), v);
                    boolean neg = c != 0 && v < 0;
                    if (layout.signInCode()) {
                        rowCodes[j] = (byte) (c | (neg ? 0x80 : 0));
                    } else {
                        rowCodes[j] = (byte) c;
                        if (neg) {
                            plane[j >>> 3] |= (byte) (1 << (j & 7));
                        }
                    }
                    // Spread the rounding error over the later inputs (GPTQ's Cholesky form).
                    double e = (v - q) / u[j * cols + j];
                    if (e != 0) {
                        int base = j * cols;
                        for (int k = j + 1; k < cols; k++) {
                            work[k] -= e * u[base + k];
                        }
                    }
                }
            }
            MemorySegment.copy(rowCodes, 0, codes, ValueLayout.JAVA_BYTE, (long) r * cols, cols);
            if (signs != null) {
                MemorySegment.copy(plane, 0, signs, ValueLayout.JAVA_BYTE, (long) r * signStride, signStride);
            }
        }
        return new QinsTensor(name, rows, cols, format, codes, signs, scales, f16, null);
    }

    /**
     * {@code U}, upper triangular with {@code (H + d I)^-1 = U^T U}: with {@code H + d I = R R^T}, {@code R}
     * upper (Cholesky taken from the last input up), {@code U = R^-1}. Unseen inputs ({@code H_ii = 0}) get
     * {@code H_ii = 1}. One {@code n x n} array, factored and inverted in place.
     */
    static double[] upperFactorOfInverse(String name, double[] h, int n) {
        double[] a = h.clone();
        double mean = 0;
        for (int i = 0; i < n; i++) {
            mean += h[i * n + i] / n;
        }
        for (int i = 0; i < n; i++) {
            if (h[i * n + i] == 0) {
                a[i * n + i] = 1;
            }
            a[i * n + i] += DAMP * mean;
        }
        // R in the upper triangle, columns from the last: R_jj = sqrt(A_jj - sum_{k>j} R_jk^2),
        // R_ij = (A_ij - sum_{k>j} R_ik R_jk) / R_jj for i < j.
        for (int j = n - 1; j >= 0; j--) {
            double s = a[j * n + j];
            for (int k = j + 1; k < n; k++) {
                s -= a[j * n + k] * a[j * n + k];
            }
            if (!(s > 0)) {
                throw new IllegalArgumentException("tensor '" + name + "': the input statistics are not positive definite at input "
                        + j + " (not a sum of x x^T, or not finite)");
            }
            double rjj = Math.sqrt(s);
            a[j * n + j] = rjj;
            for (int i = 0; i < j; i++) {
                double t = a[i * n + j];
                for (int k = j + 1; k < n; k++) {
                    t -= a[i * n + k] * a[j * n + k];
                }
                a[i * n + j] = t / rjj;
            }
        }
        // U = R^-1 row by row from the last: U_i = (e_i - sum_{k>i} R_ik U_k) / R_ii, rows of U below i already in place.
        double[] acc = new double[n];
        for (int i = n - 1; i >= 0; i--) {
            java.util.Arrays.fill(acc, i, n, 0);
            for (int k = i + 1; k < n; k++) {
                double rik = a[i * n + k];
                if (rik != 0) {
                    for (int j = k; j < n; j++) {
                        acc[j] += rik * a[k * n + j];
                    }
                }
            }
            double inv = 1 / a[i * n + i];
            a[i * n + i] = inv;
            for (int j = i + 1; j < n; j++) {
                a[i * n + j] = -acc[j] * inv;
            }
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < i; j++) {
                a[i * n + j] = 0;
            }
        }
        return a;
    }
}
