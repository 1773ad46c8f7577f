package org.qins.codec;

/**
 * Encodes groups of weights to magnitude codes (0 = zero, 1..maxCode with large |w| -> small code)
 * with the exact codec formula:
 * {@code stored = round(maxCode - (ln|w| - log_min)/(log_max - log_min) * steps)}, normalized value
 * clamped to [0, 1]. With {@link ScaleFit#MSE} the scale is fitted and codes are rounded in value
 * rather than in log ({@link BlockFit}). Signs are handled by the caller (they depend on the layout).
 */
final class QinsEncoder {

    /** MSE search: candidate widths in steps of a quarter octave. */
    private static final double MSE_STEP = 0.25 * DecodeTable.LN2;
    private static final float F16_MIN_NORMAL = 0x1p-14f;
    private static final float F16_MAX = 65504f;
    /** Widest per-group range: the decode table exp(-(c-1) step) must stay a normal float. */
    static final double MAX_WIDTH = 125 * DecodeTable.LN2;

    private final QinsFormat format;
    private final String name;
    private final int maxCode;
    private final int steps;
    /** The clipped policy's MSE scale fit (null for the max fit and the other policies). */
    private final BlockFit fit;

    QinsEncoder(QinsFormat format, String name) {
        this.format = format;
        this.name = name;
        this.maxCode = format.layout().maxCode();
        this.steps = format.layout().steps();
        this.fit = format.fit() == ScaleFit.MSE ? new BlockFit(format) : null;
    }

    /** Magnitudes of the group being fitted, reused: one array per encoder and thread instead of one per group. */
    private final ThreadLocal<double[]> groupMagnitudes = ThreadLocal.withInitial(() -> new double[64]);

    private double[] magnitudes(int n) {
        double[] a = groupMagnitudes.get();
        if (a.length < n) {
            a = new double[n];
            groupMagnitudes.set(a);
        }
        return a;
    }

    /** Rejects NaN/Inf naming the tensor and the flat index. */
    void checkFinite(float v, long index) {
        if (!Float.isFinite(v)) {
            throw new IllegalArgumentException("tensor '" + name + "': weight " + v + " at index " + index
                    + " is not finite; QINS encodes finite weights only");
        }
    }

    /** True when a clipped scale can be stored in fp16 (normal range) after rounding up. */
    static boolean fitsF16(float maxAbs) {
        return maxAbs == 0 || (maxAbs >= F16_MIN_NORMAL && maxAbs <= F16_MAX);
    }

    /** The smallest fp16 value >= x (x positive, in fp16's normal range). */
    static float roundUpF16(float x) {
        short h = Float.floatToFloat16(x);
        if (Float.float16ToFloat(h) < x) {
            h++;
        }
        return Float.float16ToFloat(h);
    }

    /**
     * Chooses the range of {@code w[off, off+n)} by the policy; {@code maxAbs} and {@code minAbs}
     * (smallest non-zero) may be given by a caller that already knows them (whole-tensor groups),
     * otherwise pass NaN. {@code f16} rounds the scale up to fp16.
     */
    GroupRange chooseRange(float[] w, int off, int n, float maxAbs, float minAbs, boolean f16) {
        if (Float.isNaN(maxAbs)) {
            maxAbs = 0;
            minAbs = Float.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                float a = Math.abs(w[off + i]);
                if (a > 0) {
                    maxAbs = Math.max(maxAbs, a);
                    minAbs = Math.min(minAbs, a);
                }
            }
        }
        if (maxAbs == 0) {
            return GroupRange.ZERO;
        }
        float scale = f16 ? roundUpF16(maxAbs) : maxAbs;
        if (fit != null) {
            double[] magnitudes = magnitudes(n + 1);
            float seen = 0;
            for (int i = 0; i < n; i++) {
                magnitudes[i] = Math.abs(w[off + i]);
                seen = Math.max(seen, Math.abs(w[off + i]));
            }
            // A whole-tensor group is fitted on a sample, which may miss the largest weight.
            int m = n;
            if (seen < maxAbs) {
                magnitudes[m++] = maxAbs;
            }
            scale = fit.fitScale(magnitudes, m, null, f16);
        }
        double logMax = Math.log(scale);
        double minmaxWidth = Math.min(MAX_WIDTH, Math.max(0, logMax - Math.log(minAbs)));
        double width = switch (format.policy()) {
            case MINMAX -> minmaxWidth;
            case CLIPPED -> format.widthOctaves() * DecodeTable.LN2;
            case MSE -> searchWidth(w, off, n, scale, minmaxWidth);
        };
        // A per-group width is stored as F32: encode with the stored value so both sides agree.
        return new GroupRange(scale, format.policy().sharedWidth() ? width : (float) width);
    }

    private double searchWidth(float[] w, int off, int n, float scale, double minmaxWidth) {
        double best = minmaxWidth;
        double bestErr = squaredError(w, off, n, new GroupRange(scale, (float) minmaxWidth));
        for (double width = MSE_STEP; width < minmaxWidth; width += MSE_STEP) {
            double err = squaredError(w, off, n, new GroupRange(scale, (float) width));
            if (err < bestErr) {
                bestErr = err;
                best = width;
            }
        }
        return best;
    }

    private double squaredError(float[] w, int off, int n, GroupRange r) {
        double step = r.width() / steps;
        double logMin = r.logMin();
        double err = 0;
        for (int i = 0; i < n; i++) {
            double a = Math.abs(w[off + i]);
            int c = code(a, r, logMin);
            double d = c == 0 ? 0 : r.scale() * Math.exp(-(c - 1) * step);
            err += (a - d) * (a - d);
        }
        return err;
    }

    /** The magnitude code of {@code |w| = a} in range {@code r} ({@code logMin = r.logMin()}, passed to avoid a log). */
    int code(double a, GroupRange r, double logMin) {
        if (a == 0 || r.scale() == 0) {
            return 0;
        }
        if (r.width() == 0) {
            return 1; // one distinct magnitude: it is the scale, decoded exactly
        }
        double normalized = (Math.log(a) - logMin) / r.width();
        if (normalized < 0) {
            return format.below().keeps(a, Math.exp(logMin)) ? maxCode : 0;
        }
        return (int) Math.round(maxCode - Math.min(normalized, 1.0) * steps);
    }

    /** Writes the magnitude codes of {@code w[off, off+n)} to {@code mag[magOff..]}. */
    void encode(float[] w, int off, int n, GroupRange r, byte[] mag, int magOff) {
        if (fit != null && r.scale() != 0) {
            for (int i = 0; i < n; i++) {
                mag[magOff + i] = (byte) fit.code(Math.abs(w[off + i]), r.scale());
            }
            return;
        }
        double logMin = r.scale() == 0 ? 0 : r.logMin();
        for (int i = 0; i < n; i++) {
            mag[magOff + i] = (byte) code(Math.abs(w[off + i]), r, logMin);
        }
    }
}
